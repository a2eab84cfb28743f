from django.contrib import admin
from django.db.models import Count

from knowledge.admin.common import BatchedAutocompleteInline
from knowledge.forms import BatchedAutocompleteFormSet

from .models import Comparison, ComparisonFramework


class ComparisonFrameworkInline(BatchedAutocompleteInline):
    """The compared frameworks, in the order the table shows them (left to right)."""

    model = ComparisonFramework
    formset = BatchedAutocompleteFormSet
    fields = ["framework", "order"]
    autocomplete_fields = ["framework"]
    ordering = ["order", "id"]
    extra = 2


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    inlines = [ComparisonFrameworkInline]
    list_display = ["title", "slug", "order", "is_featured", "framework_count", "updated_at"]
    list_editable = ["order", "is_featured"]
    list_filter = ["is_featured", "categories"]
    search_fields = ["title", "slug", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "intro", "categories"]}),
        ("Home page", {"fields": ["order", "is_featured"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(framework_count=Count("entries"))

    @admin.display(description="frameworks", ordering="framework_count")
    def framework_count(self, comparison):
        return comparison.framework_count
