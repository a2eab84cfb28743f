"""Atom feeds: the published claims that changed most recently, and the changes of one
framework, feature or curated comparison."""

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from knowledge.models import Claim, Feature, Framework

from .changes import (
    change_list,
    change_scope_for_comparison,
    change_scope_for_feature,
    change_scope_for_framework,
)
from .selectors import comparison_get
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


# == Changes of one framework, feature or curated comparison ==================================
# The same changes as /changes/ (comparisons.changes), so a feed reader is told what the page
# lists: a support level changed, a claim published or retracted, a citation added or removed,
# a quote's verification lost or regained.

# A quiet framework's feed keeps its last entries this long; readers keep what they fetched.
FEED_DAYS = 180


class _ChangesFeed(Feed):
    feed_type = Atom1Feed

    def title(self, scope):
        return xml_text(f"citegrid: changes of {scope.title}")

    def subtitle(self, scope):
        return xml_text(
            f"What changed in the published claims about {scope.title}: support levels and "
            "values, claims published or retracted, citations added or removed, quotes no "
            "longer found on their sources or found again."
        )

    def link(self, scope):
        return scope.link

    def items(self, scope):
        today = timezone.localdate()
        since = today - timedelta(days=FEED_DAYS - 1)
        return change_list(since=since, until=today, **scope.selection)[:FEED_LENGTH]

    def item_title(self, item):
        return xml_text(f"{item.framework.name} — {item.feature.name}: {change_summary(item)}")

    def item_description(self, item):
        return escape(xml_text(item.statement or change_summary(item)))

    def item_link(self, item):
        # The changes page of that day and framework, at the entry: a retracted claim has no
        # page of its own any more.
        day = item.day.isoformat()
        query = urlencode({"since": day, "until": day, "framework": item.framework.slug})
        return f"{reverse('comparisons:changes')}?{query}#{item.id}"

    def item_guid(self, item):
        return f"citegrid-change:{item.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.date


def change_summary(change) -> str:
    """What happened, in a few words: "Built in → Partial", "Published: Built in"."""
    before, after = change.old, change.new
    if before and after:
        return f"{before.label} → {after.label}"
    what = f"{change.kind_label}: {(after or before).label}"
    return f"{what} ({change.detail})" if change.detail else what


class FrameworkChangesFeed(_ChangesFeed):
    def get_object(self, request, slug):
        return change_scope_for_framework(Framework.objects.get(slug=slug))


class FeatureChangesFeed(_ChangesFeed):
    def get_object(self, request, slug):
        return change_scope_for_feature(Feature.objects.get(slug=slug))


class ComparisonChangesFeed(_ChangesFeed):
    def get_object(self, request, slug):
        return change_scope_for_comparison(comparison_get(slug=slug))
