"""sitemap.xml: every public page a search engine should know, with when it last changed."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from taggit.models import Tag

from comparisons.models import Comparison
from knowledge.models import Category, Claim, ClaimStatus, Feature, Framework, Source


class StaticPageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "comparisons:home",
            "comparisons:matrix",
            "comparisons:comparison-list",
            "comparisons:framework-list",
            "comparisons:feature-list",
            "comparisons:source-list",
            "comparisons:changes",
        ]

    def location(self, item):
        return reverse(item)


class _UpdatedSitemap(Sitemap):
    """A sitemap of model instances whose lastmod is their `updated_at`."""

    def lastmod(self, item):
        return item.updated_at


def _changed_with(queryset, claims: str):
    """`queryset` with `last_changed`: its own change or its claims' (a page shows them), so a
    claim published, edited or retracted dates the page. Only drafts leave no trace."""
    latest = Max(f"{claims}__updated_at", filter=~Q(**{f"{claims}__status": ClaimStatus.DRAFT}))
    return queryset.annotate(
        last_changed=Greatest("updated_at", Coalesce(latest, "updated_at"))
    ).order_by("pk")


class _PageWithClaimsSitemap(Sitemap):
    def lastmod(self, item):
        return item.last_changed


class FrameworkSitemap(_PageWithClaimsSitemap):
    def items(self):
        return _changed_with(Framework.objects.all(), "claims")


class FeatureSitemap(_PageWithClaimsSitemap):
    def items(self):
        return _changed_with(Feature.objects.all(), "claims")


class CategorySitemap(_PageWithClaimsSitemap):
    def items(self):
        return _changed_with(Category.objects.all(), "features__claims")


class TagSitemap(Sitemap):
    """The tags of frameworks or features: the pages /tags/<slug>/ lists."""

    def items(self):
        return (
            Tag.objects.filter(
                Q(knowledge_taggedfeature_items__isnull=False)
                | Q(knowledge_taggedframework_items__isnull=False)
            )
            .distinct()
            .order_by("slug")
        )

    def location(self, item):
        return reverse("comparisons:tag-detail", kwargs={"slug": item.slug})


class ClaimSitemap(_UpdatedSitemap):
    def items(self):
        return Claim.objects.published().order_by("pk")


class SourceSitemap(_UpdatedSitemap):
    def items(self):
        return Source.objects.public().order_by("pk")


class ComparisonSitemap(_UpdatedSitemap):
    def items(self):
        return Comparison.objects.order_by("pk")


SITEMAPS = {
    "pages": StaticPageSitemap,
    "frameworks": FrameworkSitemap,
    "features": FeatureSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "claims": ClaimSitemap,
    "sources": SourceSitemap,
    "comparisons": ComparisonSitemap,
}
