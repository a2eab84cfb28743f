"""Site search over frameworks, features, published claims and sources.

Two backends give the same `SearchResults`. On PostgreSQL, full-text search ranked by
relevance (web-search syntax: quoted phrases, `or`, `-word`; English stemming), widened by a
substring match so that a partial word such as "Djan" still finds Django. Elsewhere (SQLite in
development and in CI's first run) every word of the query must occur, case-insensitively, in
one of the searched fields.
"""

import operator
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page
from django.db.models import Q, QuerySet

from knowledge.models import Claim, Feature, Framework, Source

MAX_QUERY_LENGTH = 200
RESULTS_PER_KIND = 20
# More words than this add nothing to a substring search but one more LIKE per field.
MAX_TERMS = 10
TEXT_SEARCH_CONFIG = "english"


def _without_control_characters(text: str) -> str:
    # PostgreSQL refuses NUL in a string and other control characters only confuse matching;
    # a pasted query may hold tabs or newlines, which become plain spaces.
    return " ".join(
        "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Cs"} else c for c in text).split()
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": f"Search for at most {MAX_QUERY_LENGTH} characters: "
            "shorten your query and try again."
        },
    )

    def clean_q(self):
        return _without_control_characters(self.cleaned_data["q"])


@dataclass(frozen=True)
class SearchKind:
    """How one model is searched: its public rows, weighted text, substring fields, order."""

    queryset: QuerySet
    weighted_fields: tuple[tuple[str, str], ...]
    substring_fields: tuple[str, ...]
    ordering: tuple[str, ...]


def search_kinds() -> dict[str, SearchKind]:
    return {
        "frameworks": SearchKind(
            queryset=Framework.objects.all(),
            weighted_fields=(
                ("name", "A"),
                ("summary", "B"),
                ("description", "C"),
                ("language", "D"),
                ("licence", "D"),
            ),
            substring_fields=("name", "summary", "language"),
            ordering=("name",),
        ),
        "features": SearchKind(
            queryset=Feature.objects.select_related("category"),
            weighted_fields=(("name", "A"), ("description", "B"), ("category__name", "C")),
            substring_fields=("name", "description", "category__name"),
            ordering=("name",),
        ),
        "claims": SearchKind(
            queryset=Claim.objects.published().select_related("framework", "feature"),
            weighted_fields=(
                ("statement", "A"),
                ("value", "A"),
                ("framework__name", "B"),
                ("feature__name", "B"),
                ("note", "C"),
            ),
            substring_fields=("statement", "value", "note", "framework__name", "feature__name"),
            ordering=("framework__name", "feature__name", "key"),
        ),
        "sources": SearchKind(
            queryset=Source.objects.public(),
            weighted_fields=(("title", "A"), ("publisher", "B"), ("author", "B")),
            substring_fields=("title", "publisher", "author", "url"),
            ordering=("title",),
        ),
    }


@dataclass(frozen=True)
class SearchResults:
    """Each kind's matches: a list, or a `Page` of them when the search is paged."""

    query: str
    frameworks: Sequence[Framework] = field(default_factory=list)
    features: Sequence[Feature] = field(default_factory=list)
    claims: Sequence[Claim] = field(default_factory=list)
    sources: Sequence[Source] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Every match, not only those on the page."""
        kinds = (self.frameworks, self.features, self.claims, self.sources)
        return sum(kind.paginator.count if isinstance(kind, Page) else len(kind) for kind in kinds)


def page_parameter(kind_name: str) -> str:
    """The query parameter of the page of one kind's matches: ?q=orm&claims_page=2."""
    return f"{kind_name}_page"


def _every_word_somewhere(kind: SearchKind, query: str) -> Q:
    return reduce(
        operator.and_,
        (
            reduce(operator.or_, (Q(**{f"{f}__icontains": term}) for f in kind.substring_fields))
            for term in query.split()[:MAX_TERMS]
        ),
        Q(),
    )


class _Backend:
    def find(self, kind: SearchKind, query: str, limit: int) -> list:
        return list(self.matches(kind, query)[:limit])


class SubstringBackend(_Backend):
    def matches(self, kind: SearchKind, query: str) -> QuerySet:
        matches = kind.queryset.filter(_every_word_somewhere(kind, query))
        return matches.order_by(*kind.ordering)


class PostgresBackend(_Backend):
    def matches(self, kind: SearchKind, query: str) -> QuerySet:
        vector = reduce(
            operator.add,
            (
                SearchVector(name, weight=weight, config=TEXT_SEARCH_CONFIG)
                for name, weight in kind.weighted_fields
            ),
        )
        search_query = SearchQuery(query, search_type="websearch", config=TEXT_SEARCH_CONFIG)
        # Named so as not to clash with model fields (a claim has a `rank`).
        matches = kind.queryset.annotate(
            search_document=vector, search_rank=SearchRank(vector, search_query)
        ).filter(Q(search_document=search_query) | _every_word_somewhere(kind, query))
        return matches.order_by("-search_rank", *kind.ordering)


def backend_for(vendor: str) -> SubstringBackend | PostgresBackend:
    return PostgresBackend() if vendor == "postgresql" else SubstringBackend()
