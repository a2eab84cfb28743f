"""The matrix FilterSet: every filter of the matrix, compare and comparison pages, in the URL.

Some filters narrow the features (rows) in SQL: category, tag, text. The others depend on
which claim each cell *shows* (a preferred claim, else the best-ranked, most recent one), which
the selector decides in Python from the claims it already read; filtering them in SQL would
disagree with the page (a row kept for a deprecated claim nobody sees). So the FilterSet
validates those too, but hands them to the selector as `CellCriteria` instead of filtering.

Choices come from rows the selector has already read, so building and validating the form
costs no query of its own.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.validators import RegexValidator
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from knowledge.models import Feature, SourceKind, SupportLevel

from .search import TEXT_SEARCH_CONFIG
from .widgets import CheckboxSelectMultiple

# A search longer than this is a mistake or an attack; the form says so instead of searching.
TEXT_MAX_LENGTH = 100
# Words of the text filter that must all match; more would only slow the query down.
TEXT_MAX_WORDS = 8
TEXT_FIELDS = ("name", "description", "category__name")

Choices = Sequence[tuple[str, str]]

# The usual spellings of a switch in a URL; anything else is a form error, never "on".
TRUE_WORDS = frozenset({"on", "true", "1", "yes"})
FALSE_WORDS = frozenset({"off", "false", "0", "no", ""})


def switch(value) -> bool | None:
    """True or False for a spelling of on or off (or a bool), None for anything else."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


class SwitchInput(forms.CheckboxInput):
    """A checkbox that hands the form what the URL said, for the field to judge: Django's own
    reads any value but "false" as ticked (`differ=0` filtered)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: switch(value) is True)

    def format_value(self, value):
        # No value attribute: a ticked box always sends "on", whatever the URL said.
        return None

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class SwitchField(forms.Field):
    widget = SwitchInput

    def to_python(self, value):
        if value is None:
            return False
        on = switch(value)
        if on is None:
            raise forms.ValidationError(
                "Use on or off (or true/false, yes/no, 1/0).", code="invalid"
            )
        return on


class SwitchFilter(django_filters.BooleanFilter):
    field_class = SwitchField


class AsOfField(forms.DateField):
    """A past day (YYYY-MM-DD): the matrix as it stood at its end. Today is the live matrix."""

    input_formats = ["%Y-%m-%d"]

    def validate(self, value):
        super().validate(value)
        today = timezone.localdate()
        if value and value > today:
            raise forms.ValidationError(
                f"{value.isoformat()} has not ended yet: pick a day up to today "
                f"({today.isoformat()}), or none for the matrix of now.",
                code="future",
            )


class AsOfFilter(django_filters.DateFilter):
    field_class = AsOfField


@dataclass(frozen=True)
class FilterChip:
    """An active filter as the reader sees it above the table, removable on its own."""

    label: str
    remove_query: str


@dataclass(frozen=True)
class CellCriteria:
    """Filters applied to the cells the page shows, after the selector has chosen them."""

    framework_slugs: tuple[str, ...] = ()
    support: frozenset[str] = field(default_factory=frozenset)
    source_kind: str = ""
    differ: bool = False
    hide_unknown: bool = False
    verified_only: bool = False
    differing_first: bool = False


class MatrixFilter(django_filters.FilterSet):
    framework = django_filters.MultipleChoiceFilter(
        label="Frameworks",
        widget=CheckboxSelectMultiple,
        help_text="The columns; none ticked shows every framework.",
    )
    category = django_filters.MultipleChoiceFilter(
        field_name="category__slug", label="Categories", widget=CheckboxSelectMultiple
    )
    tag = django_filters.ChoiceFilter(
        field_name="tags__slug", label="Tag", empty_label="Any tag", distinct=True
    )
    q = django_filters.CharFilter(
        label="Text",
        method="filter_text",
        max_length=TEXT_MAX_LENGTH,
        help_text="Words in a feature's name or description, or its category's name.",
    )
    support = django_filters.MultipleChoiceFilter(
        label="Support level",
        choices=SupportLevel.choices,
        widget=CheckboxSelectMultiple,
        help_text="Rows where at least one framework shows one of these.",
    )
    source_kind = django_filters.ChoiceFilter(
        label="Source kind",
        choices=SourceKind.choices,
        empty_label="Any kind",
        help_text="Rows where a shown claim cites a source of this kind.",
    )
    differ = SwitchFilter(
        label="Only rows where the frameworks differ",
        help_text="At least two frameworks with different known support levels.",
    )
    order = django_filters.ChoiceFilter(
        label="Row order",
        choices=[("differ", "Where they differ first")],
        empty_label="By category",
        help_text="Where they differ first: as on a head-to-head page.",
    )
    hide_unknown = SwitchFilter(
        label="Hide unknown rows",
        help_text="Hide rows where no framework has a published claim.",
    )
    verified = SwitchFilter(
        label="Only cells whose evidence is verified",
        help_text="Show only claims with a quote found verbatim on its source at the last check.",
    )
    release = django_filters.CharFilter(
        label="One column at a release",
        max_length=160,
        validators=[
            RegexValidator(
                r"^[-\w]+@[-\w.+]+$",
                "Name a framework and one of its releases, e.g. django@4.2.",
            )
        ],
        help_text="framework@version, e.g. django@4.2: that column shows the claims that hold "
        "at that release (added by then, not yet removed).",
    )
    as_of = AsOfFilter(
        label="As it stood on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A past day, YYYY-MM-DD: the published claims at its end, from their history.",
    )

    # Applied by the selector to the cells it shows, never to the feature queryset.
    CELL_FILTERS = frozenset(
        {
            *("framework", "support", "source_kind", "differ", "hide_unknown", "verified"),
            *("order", "as_of", "release"),
        }
    )

    class Meta:
        model = Feature
        fields = []  # every filter is declared above

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        frameworks: Choices | None,
        categories: Choices,
        tags: Choices,
        **kwargs,
    ):
        """`frameworks=None` when the page fixes its columns (compare, curated comparisons)."""
        super().__init__(data, queryset, **kwargs)
        if frameworks is None:
            # The page fixes its columns and its row order.
            del self.filters["framework"]
            del self.filters["order"]
        else:
            self.filters["framework"].extra["choices"] = list(frameworks)
        self.filters["category"].extra["choices"] = list(categories)
        self.filters["tag"].extra["choices"] = list(tags)

    def filter_queryset(self, queryset: QuerySet[Feature]) -> QuerySet[Feature]:
        for name, value in self.form.cleaned_data.items():
            if name not in self.CELL_FILTERS:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_text(self, queryset, name, value):
        """Rows where every word starts a word of the name, description or category name (so
        "orm" is not found in "form"), or, on PostgreSQL, matches one by its stem as the site
        search does ("migrate" finds "migrations")."""
        postgres = connection.vendor == "postgresql"
        if postgres:
            queryset = queryset.annotate(
                text_document=SearchVector(*TEXT_FIELDS, config=TEXT_SEARCH_CONFIG)
            )
        # The start of a word: \m in PostgreSQL's regular expressions, \b in Python's (SQLite).
        start = r"\m" if postgres else r"\b"
        for word in value.split()[:TEXT_MAX_WORDS]:
            pattern = start + re.escape(word)
            match = reduce(or_, (Q(**{f"{field}__iregex": pattern}) for field in TEXT_FIELDS))
            if postgres:
                match |= Q(
                    text_document=SearchQuery(word, search_type="plain", config=TEXT_SEARCH_CONFIG)
                )
            queryset = queryset.filter(match)
        return queryset

    def _valid(self) -> dict:
        # Only the fields that validated: an invalid one is shown as an error and ignored.
        self.is_valid()
        return self.form.cleaned_data

    def cell_criteria(self) -> CellCriteria:
        data = self._valid()
        return CellCriteria(
            framework_slugs=tuple(data.get("framework") or ()),
            support=frozenset(data.get("support") or ()),
            source_kind=data.get("source_kind") or "",
            differ=bool(data.get("differ")),
            hide_unknown=bool(data.get("hide_unknown")),
            verified_only=bool(data.get("verified")),
            differing_first=data.get("order") == "differ",
        )

    def release_asked(self) -> tuple[str, str] | None:
        """(framework slug, version) of ?release=framework@version, or None."""
        value = self._valid().get("release")
        return tuple(value.split("@", 1)) if value else None

    def day_shown(self):
        """The day whose end the matrix shows (?as_of=), or None for now."""
        return self._valid().get("as_of")

    def querystring(self) -> str:
        """The valid filters as a query string: for canonical and export links."""
        pairs = []
        for name, value in self._valid().items():
            if isinstance(value, list | tuple):
                pairs.extend((name, item) for item in value)
            elif value is True:
                pairs.append((name, "on"))
            elif value:
                pairs.append((name, value))
        return urlencode(pairs)

    @property
    def is_active(self) -> bool:
        """Whether a valid filter is on: one the form rejected filters nothing."""
        return bool(self.querystring())

    def chips(self) -> list[FilterChip]:
        """One chip per valid filter value, each with the query string that removes it."""
        pairs = parse_qsl(self.querystring())
        chips = []
        for index, (name, value) in enumerate(pairs):
            field = self.form.fields[name]
            if isinstance(field, SwitchField):
                label = str(field.label)
            else:
                choices = {str(k): str(v) for k, v in getattr(field, "choices", ())}
                label = f"{field.label}: {choices.get(value, value)}"
            rest = pairs[:index] + pairs[index + 1 :]
            chips.append(FilterChip(label=label, remove_query=urlencode(rest)))
        return chips
