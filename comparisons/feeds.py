"""An Atom feed of the published claims that changed most recently."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from knowledge.models import Claim

FEED_LENGTH = 50


class ClaimsFeed(Feed):
    feed_type = Atom1Feed
    title = "citegrid: recently changed claims"
    subtitle = "Published claims about frameworks and features, newest change first."
    link = reverse_lazy("comparisons:home")

    def items(self):
        return (
            Claim.objects.published()
            .select_related("framework", "feature")
            .order_by("-updated_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return f"{item.framework.name} — {item.feature.name}: {item.get_support_display()}"

    def item_description(self, item):
        # Plain text: the feed generator escapes it, so no curator text becomes markup.
        parts = [item.statement, f"Value: {item.value}" if item.value else ""]
        return " ".join(part for part in parts if part) or item.get_support_display()

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at
