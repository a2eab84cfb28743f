"""sitemap.xml: every public page a search engine should know, with when it last changed."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from comparisons.models import Comparison
from knowledge.models import Category, Claim, Feature, Framework, Source


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
        ]

    def location(self, item):
        return reverse(item)


class _UpdatedSitemap(Sitemap):
    """A sitemap of model instances whose lastmod is their `updated_at`."""

    def lastmod(self, item):
        return item.updated_at


class FrameworkSitemap(_UpdatedSitemap):
    def items(self):
        return Framework.objects.order_by("pk")


class FeatureSitemap(_UpdatedSitemap):
    def items(self):
        return Feature.objects.order_by("pk")


class CategorySitemap(_UpdatedSitemap):
    def items(self):
        return Category.objects.order_by("pk")


class ClaimSitemap(_UpdatedSitemap):
    def items(self):
        return Claim.objects.published().order_by("pk")


class SourceSitemap(_UpdatedSitemap):
    def items(self):
        return Source.objects.order_by("pk")


class ComparisonSitemap(_UpdatedSitemap):
    def items(self):
        return Comparison.objects.order_by("pk")


SITEMAPS = {
    "pages": StaticPageSitemap,
    "frameworks": FrameworkSitemap,
    "features": FeatureSitemap,
    "categories": CategorySitemap,
    "claims": ClaimSitemap,
    "sources": SourceSitemap,
    "comparisons": ComparisonSitemap,
}
