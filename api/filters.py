"""Filters of the API's lists, by slug; an invalid value is answered with 400, never ignored.

The matrix has no FilterSet here: it takes the matrix page's own (comparisons.filters), through
the page's own selector, so the two can never disagree.
"""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError

from knowledge.models import (
    Category,
    Claim,
    ClaimRank,
    Feature,
    Framework,
    Source,
    SourceKind,
    SupportLevel,
)


class TagFilter(django_filters.CharFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "tags__slug")
        kwargs.setdefault("distinct", True)
        kwargs.setdefault("help_text", "Only those with this tag (its slug).")
        super().__init__(**kwargs)


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, as UTC. Python takes UTC offsets up to ±24 hours, PostgreSQL only
    to ±15:59 (it refused `+18:15` with an error, a 500); as UTC every offset reads the same,
    and one that moves the moment out of the years a date can hold is a form error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(
                "As UTC this moment is outside the years 1 to 9999.", code="invalid"
            ) from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class FrameworkFilter(django_filters.FilterSet):
    tag = TagFilter()

    class Meta:
        model = Framework
        fields = []


class FeatureFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", help_text="A category's slug."
    )
    tag = TagFilter()

    class Meta:
        model = Feature
        fields = []


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices)

    class Meta:
        model = Source
        fields = []


class ClaimFilter(django_filters.FilterSet):
    framework = django_filters.ModelChoiceFilter(
        queryset=Framework.objects.all(), to_field_name="slug", help_text="A framework's slug."
    )
    feature = django_filters.ModelChoiceFilter(
        queryset=Feature.objects.all(), to_field_name="slug", help_text="A feature's slug."
    )
    category = django_filters.ModelChoiceFilter(
        field_name="feature__category",
        queryset=Category.objects.all(),
        to_field_name="slug",
        help_text="A category's slug.",
    )
    support = django_filters.MultipleChoiceFilter(choices=SupportLevel.choices)
    rank = django_filters.ChoiceFilter(choices=ClaimRank.choices)
    source = django_filters.ModelChoiceFilter(
        field_name="citations__source",
        queryset=Source.objects.all(),
        distinct=True,
        help_text="Claims citing the source with this id.",
    )
    changed_since = UtcDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )

    class Meta:
        model = Claim
        fields = []
