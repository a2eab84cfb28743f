"""The footnotes of a matrix page: its citations numbered in reading order, each source made
into one record shared by all its footnotes, and the URLs they link to, made once per page."""

import re
from collections.abc import Callable

from django.urls import reverse

from knowledge.models import SourceKind, VerificationStatus

from .records import CellClaim, CitedSource, Footnote, SourceRow
from .support import claim_display

_VERIFIED = VerificationStatus.VERIFIED.value
_UNCHECKED = VerificationStatus.UNCHECKED.value
_SOURCE_KIND_LABELS = {kind: str(label) for kind, label in SourceKind.choices}
REMOVED_SOURCE = "A source since removed"
# What a citation of a source deleted since (?as_of=) finds of it: nothing.
NO_SOURCE = SourceRow(None, None, None)

_URL_SENTINEL = "987654321987"  # matches both the <int:pk> and the <slug:slug> converters
# What the int and slug converters accept, and what reverse() puts in a URL unchanged.
_URL_SAFE = re.compile(r"[-a-zA-Z0-9_]+")


def url_maker(name: str, kwarg: str) -> Callable[[object], str]:
    """What get_absolute_url() returns for any pk or slug, from one reverse() per page.

    reverse() once per cell, row or column was a large share of a cold 20 × 300 matrix. Made
    per page, not at import, so a script prefix or URLconf change is still honoured. A value
    the converter might refuse or quote goes through reverse() itself.
    """
    head, tail = reverse(name, kwargs={kwarg: _URL_SENTINEL}).split(_URL_SENTINEL)

    def url(value) -> str:
        if type(value) is int and value >= 0:  # a pk: its digits are what both converters take
            return f"{head}{value}{tail}"
        text = str(value)
        if _URL_SAFE.fullmatch(text):
            return f"{head}{text}{tail}"
        return reverse(name, kwargs={kwarg: value})

    return url


class Footnoter:
    """Numbers citations in reading order: first those of every shown claim, then those of the
    cells' other claims, whose run starts after the last shown one (`first_other`)."""

    def __init__(self, citations: dict[int, list], sources: dict[int, SourceRow], first_other: int):
        self.citations = citations
        self.source_rows = sources
        self.shown: list[Footnote] = []
        self.others: list[Footnote] = []
        self.first_other = first_other
        self._claim_url = url_maker("comparisons:claim-detail", "pk")
        self._source_page = url_maker("comparisons:source-detail", "pk")
        self._sources: dict[int, CitedSource] = {}

    def _source(self, citation) -> CitedSource:
        source = self._sources.get(citation.source_id)
        if source is None:
            # A matrix of an earlier day (?as_of=) may cite a source deleted since: its history
            # row keeps the id, the source is not found.
            row = self.source_rows.get(citation.source_id, NO_SOURCE)
            kind = row.kind or SourceKind.OTHER
            source = self._sources[citation.source_id] = CitedSource(
                id=citation.source_id,
                title=row.title or REMOVED_SOURCE,
                url=row.url or "",
                kind=kind,
                kind_label=_SOURCE_KIND_LABELS.get(kind, kind),
                page=self._source_page(citation.source_id),
            )
        return source

    def claim(
        self, claim, shown: bool, backref: str, framework_name: str, feature_name: str
    ) -> CellClaim:
        """The CellClaim of `claim` (the one its cell shows, or another) of the cell of
        `framework_name` × `feature_name`, its citations numbered next in their run; their
        "back" links return to `backref`."""
        footnotes = self.shown if shown else self.others
        first = len(footnotes) + (1 if shown else self.first_other)
        claim_id = claim.id
        url = self._claim_url(claim_id)
        sources = self._sources
        append = footnotes.append
        number = first
        verified = False
        for citation in self.citations.get(claim_id, ()):
            status = citation.verification__status or _UNCHECKED
            if status == _VERIFIED:
                verified = True
            # In the order of Footnote's fields: positional arguments, since one page makes a
            # Footnote per citation and keyword ones take twice as long to bind.
            append(
                Footnote(
                    number,
                    citation.quote,
                    citation.locator,
                    sources.get(citation.source_id) or self._source(citation),
                    claim_id,
                    url,
                    framework_name,
                    feature_name,
                    backref,
                    status,
                    citation.verification__verified_at,
                    citation.verification__checked_at,
                )
            )
            number += 1
        # Positional, in the order of CellClaim's fields, as Footnote's above: one per claim.
        return CellClaim(
            claim_id,
            url,
            claim.support,
            claim_display(claim),
            claim.value,
            claim.rank,
            first,
            number - first,
            verified,
        )
