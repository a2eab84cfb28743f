"""The admin of what is compared: categories, features (with their values), frameworks (with
their releases)."""

from django.contrib import admin
from django.db.models import Count

from ..models import (
    Category,
    Feature,
    FeatureValue,
    Framework,
    Release,
)
from .common import LAST_CHANGED_FILTER, URL_FIELDS_ASSUME_HTTPS

# -- Categories, features, frameworks ---------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "feature_count", "updated_at"]
    list_editable = ["order"]
    list_filter = [LAST_CHANGED_FILTER]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "order"]}),
        ("Description", {"fields": ["description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(feature_count=Count("features"))

    @admin.display(description="features", ordering="feature_count")
    def feature_count(self, category):
        return category.feature_count


class FeatureValueInline(admin.TabularInline):
    """The vocabulary of a descriptor feature, or the scale of an assessment, lowest first."""

    model = FeatureValue
    fields = ["position", "label", "slug", "meaning"]
    prepopulated_fields = {"slug": ["label"]}
    extra = 0
    verbose_name = "value (vocabulary or scale)"
    verbose_name_plural = "values (descriptor and assessment features only; a scale lowest first)"


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    inlines = [FeatureValueInline]
    list_display = ["name", "slug", "category", "kind", "order", "claim_count", "updated_at"]
    list_select_related = ["category"]
    list_filter = ["kind", "category", LAST_CHANGED_FILTER]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "kind", "description"]}),
        ("Ordering and tags", {"fields": ["order", "tags"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, feature):
        return feature.claim_count


class ReleaseInline(admin.TabularInline):
    model = Release
    fields = ["version", "released_on", "is_lts", "end_of_support", "notes"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    inlines = [ReleaseInline]
    list_display = ["name", "slug", "language", "licence", "release_count", "claim_count"]
    list_filter = ["language", "licence", LAST_CHANGED_FILTER]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "tags"]}),
        ("Links", {"fields": ["homepage", "repository_url", "documentation_url"]}),
        (
            "Facts",
            {
                "fields": ["maintainer", "language", "licence", "first_release_year"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        # Two counts over two joins would multiply each other: count distinct rows.
        return (
            super()
            .get_queryset(request)
            .annotate(
                claim_count=Count("claims", distinct=True),
                release_count=Count("releases", distinct=True),
            )
        )

    @admin.display(description="releases", ordering="release_count")
    def release_count(self, framework):
        return framework.release_count

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, framework):
        return framework.claim_count
