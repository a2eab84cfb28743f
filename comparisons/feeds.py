"""An Atom feed of the published claims that changed most recently."""

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from knowledge.models import Claim

from .support import claim_display

FEED_LENGTH = 50
# XML 1.0 cannot carry these at all, even escaped: one in a curator's text would make the
# whole feed fail to serialise.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return XML_FORBIDDEN.sub("", text)


class ClaimsFeed(Feed):
    feed_type = Atom1Feed
    title = "citegrid: recently changed claims"
    subtitle = "Published claims about frameworks and features, newest change first."
    link = reverse_lazy("comparisons:home")

    def items(self):
        return (
            Claim.objects.published()
            .with_last_changed()
            .select_related("framework", "feature", "feature_value")
            .order_by("-last_changed", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        # An Atom title is plain text: the XML writer's escaping is all it needs.
        label = claim_display(item).label
        return xml_text(f"{item.framework.name} — {item.feature.name}: {label}")

    def item_description(self, item):
        # Atom summaries are typed "html": a reader renders them, so curator text is escaped
        # here, once as HTML, before the XML writer escapes it again.
        parts = [item.statement, f"Detail: {item.value}" if item.value else ""]
        text = " ".join(part for part in parts if part) or claim_display(item).label
        return escape(xml_text(text))

    def item_updateddate(self, item):
        # A changed quote or source is a change of the claim a reader sees.
        return item.last_changed

    def item_pubdate(self, item):
        # When the public first saw it, not when its draft was begun.
        return item.published_at or item.updated_at
