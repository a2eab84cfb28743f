"""The records of a comparison matrix: one named record per concept, read by name.

Built by `matrix_build` (comparisons/matrix.py); the renderer (templatetags/matrix.py), the
exports, the charts and the API only read them. They hold primitives only, so a whole `Matrix`
pickles into the page cache.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from .support import SUPPORT_MEANINGS, SupportDisplay, support_display

# -- the records ------------------------------------------------------------------------------
# Slotted dataclasses: light enough to make 18,000 of per page, and read by name only.


@dataclass(frozen=True)
class FrameworkColumn:
    id: int
    name: str
    slug: str
    url: str


class SourceRow(NamedTuple):
    """A cited source as read, before `Footnoter` makes it a CitedSource (comparisons/matrix.py:
    `cited_source_rows`)."""

    title: str | None
    url: str | None
    kind: str | None


@dataclass(frozen=True)
class CitedSource:
    """A source cited on the page: one record per source, shared by all its footnotes."""

    id: int
    title: str
    url: str
    kind: str
    kind_label: str
    page: str  # its page on this site


@dataclass(slots=True)
class Footnote:
    """One citation of a claim shown on the page, numbered in reading order. Made with
    positional arguments (`Footnoter.claim`): a new field goes in there at its place."""

    number: int
    quote: str
    locator: str
    source: CitedSource
    claim_id: int
    claim_url: str
    # The cell it belongs to, which the footnote names: it opens in place, away from the cell.
    framework_name: str
    feature_name: str
    backref: str  # the anchor its "back" link returns to: its cell, or its cell's list of claims
    # What verifykb last found for it (knowledge/verification/): a VerificationStatus value.
    verification: str
    # The check's dates, which the exports give: None unless read (matrix_build's check_dates).
    verified_at: datetime | None
    checked_at: datetime | None


@dataclass(slots=True)
class CellClaim:
    """A published claim of a cell. Its citations are the footnotes numbered `first_footnote`
    onwards (a claim's citations are numbered in a run). Made with positional arguments
    (`Footnoter.claim`): a new field goes in there at its place."""

    id: int
    url: str
    support: str  # "" when it picks a value of a descriptor or assessment
    mark: SupportDisplay  # its badge: the support level, or the value it picks
    value: str
    rank: str
    first_footnote: int
    footnote_count: int
    verified: bool  # whether the last check found the quote of one of its citations verbatim

    @property
    def footnotes(self) -> list[int]:
        return list(range(self.first_footnote, self.first_footnote + self.footnote_count))


@dataclass(slots=True)
class Cell:
    """One framework × feature: the claim it shows (the first) and every other published one.
    Made with positional arguments (`_assembled` in comparisons/matrix.py): a new field goes in
    there at its place."""

    anchor: str
    framework_id: int
    framework_name: str
    support: str  # of the claim shown ("" for a value), or unknown
    mark: SupportDisplay  # the shown claim's badge
    value: str
    claims: list[CellClaim]
    disagree: bool  # its current (not deprecated) claims say different things
    # Its current claims agree (several of them), citing this many distinct sources.
    agreeing_sources: int
    superseded: int  # its deprecated claims besides the one shown, kept for the record

    @property
    def claim(self) -> CellClaim | None:
        return self.claims[0] if self.claims else None

    @property
    def unverified(self) -> bool:
        """A claim is shown whose citations no check has found verbatim on their sources."""
        return bool(self.claims) and not self.claims[0].verified

    @property
    def other_claim_count(self) -> int:
        return max(len(self.claims) - 1, 0)

    @property
    def footnotes(self) -> list[int]:
        """The numbers of the shown claim's citations: the ones the cell links to."""
        return self.claims[0].footnotes if self.claims else []


@dataclass(slots=True)
class Row:
    feature_id: int
    name: str
    slug: str
    url: str
    cells: list[Cell]  # one per framework, in column order


@dataclass
class CategoryGroup:
    id: int
    name: str
    slug: str
    url: str
    rows: list[Row]


@dataclass
class Section:
    key: str
    title: str
    groups: list[CategoryGroup]

    @property
    def row_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


@dataclass
class SupportSummary:
    """How many of the shown capability features a framework has at each support level, and
    how many descriptor or assessment rows it has a value for (`described`) or none yet."""

    framework: FrameworkColumn
    counts: dict[str, int]
    described: int = 0
    undescribed: int = 0

    @property
    def total(self) -> int:
        """The capability rows: what the levels' counts add up to."""
        return sum(self.counts.values())

    @property
    def by_level(self) -> list[tuple[SupportDisplay, int]]:
        # The key's order, which the summary's header follows: not SupportLevel's, which puts
        # unknown before not applicable.
        return [(support_display(level), self.counts.get(level, 0)) for level in SUPPORT_MEANINGS]


@dataclass
class Matrix:
    frameworks: list[FrameworkColumn]
    sections: list[Section]
    footnotes: list[Footnote]  # in order: number n is footnotes[n - 1]
    several_claims: list[tuple[Row, Cell]]  # cells with more than one published claim
    summary: list[SupportSummary]

    @property
    def row_count(self) -> int:
        return sum(section.row_count for section in self.sections)
