"""The oracle: what a reader should see on the matrix pages, worked out from the ORM alone, and
what the page shows, read from its HTML. Nothing here calls the selectors, `matrix_build` or
the markup writers, so a bug there cannot hide in both the answer and the question.

The rules the site promises readers (the key and the README say them) are restated here on
purpose, from model instances:
- a cell shows its preferred published claim, else a normal one, else a deprecated one, the
  most recently changed first (then the highest id); without one it is unknown;
- a claim says a support level (capability rows) or picks a value of its feature's vocabulary
  or scale (descriptor ◆ and assessment ▲ rows), and that is what its badge shows;
- a cell's current (not deprecated) claims disagree when they say different things; when
  several agree, the cell counts the distinct sources they cite; deprecated claims besides the
  shown one are counted as superseded; every such marker leads to the list of the cell's claims;
- frameworks differ on a row when their cells say more than one thing, unknown aside;
- footnotes are numbered in reading order: the shown claims' citations, cell by cell, then
  those of the other claims; each footnote names its cell (framework · feature).
"""

import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from knowledge.models import Claim, ClaimRank, SupportLevel

RANK_ORDER = {ClaimRank.PREFERRED: 0, ClaimRank.NORMAL: 1, ClaimRank.DEPRECATED: 2}
LEVEL_SYMBOLS = {"yes": "✓", "partial": "◐", "extension": "+", "no": "✗", "unknown": "?"}
LEVEL_SYMBOLS["n/a"] = "–"
VALUE_SYMBOLS = {"descriptor": "◆", "assessment": "▲"}
LABELS = {level.value: str(level.label) for level in SupportLevel}
WITH_VALUE, WITHOUT_VALUE = "Descriptor or assessment: with a value", "without"
UNKNOWN_VERDICT = ("level", SupportLevel.UNKNOWN)


def fold(text: str) -> str:
    """Text as a reader sees it: runs of white space shown as one space."""
    return " ".join(text.split())


def _text(node) -> str:
    return fold(node.text()) if node is not None else ""


# -- what the database says -------------------------------------------------------------------


def verdict(claim: Claim) -> tuple:
    return ("value", claim.feature_value_id) if claim.feature_value_id else ("level", claim.support)


def badge(claim: Claim | None) -> tuple[str, str]:
    """(its CSS class, its words: symbol and label) for what `claim` says."""
    if claim is None:
        return "support--unknown", f"? {LABELS['unknown']}"
    if claim.feature_value_id:
        symbol = VALUE_SYMBOLS[claim.feature.kind]
        return "support--value", fold(f"{symbol} {claim.feature_value.label}")
    css = (
        "support--na"
        if claim.support == SupportLevel.NOT_APPLICABLE
        else f"support--{claim.support}"
    )
    return css, f"{LEVEL_SYMBOLS[claim.support]} {LABELS[claim.support]}"


def _citations(claim: Claim) -> list:
    return sorted(claim.citations.all(), key=lambda c: c.pk)


def _verified(claim: Claim) -> bool:
    for citation in claim.citations.all():
        verification = getattr(citation, "verification", None)
        if verification is not None and verification.status == "verified":
            return True
    return False


@dataclass(frozen=True)
class Note:
    """A footnote as a reader reads it."""

    quote: str
    locator: str
    source: str  # its title, then its kind in brackets
    cell: str  # "Framework · Feature"
    claim_url: str


def _note(citation, cell_label: str, claim: Claim) -> Note:
    source = citation.source
    return Note(
        quote=fold(citation.quote),
        locator=fold(citation.locator),
        source=fold(f"{source.title} ({source.get_kind_display()})"),
        cell=fold(cell_label),
        claim_url=claim.get_absolute_url(),
    )


@dataclass(frozen=True)
class CellView:
    badge: tuple[str, str]
    url: str  # of the claim shown, "" without one
    value: str
    notes: tuple[Note, ...]  # the shown claim's footnotes, in the order of its references
    unverified: bool
    markers: tuple[str, ...]  # the words of its markers, in order


@dataclass(frozen=True)
class ClaimItem:
    """A claim in the list of a cell's claims."""

    badge: tuple[str, str]
    url: str
    value: str
    shown: bool
    rank: str  # its rank's label, "" for normal
    quotes: tuple[str, ...]  # its citations' quotes that are not empty
    notes: tuple[Note, ...]  # the footnotes its references lead to


@dataclass
class Expected:
    """Everything the matrix part of a page should show, from the ORM."""

    cells: dict[tuple[int, int], CellView]  # (feature id, framework id)
    verdicts: dict[tuple[int, int], tuple]
    lists: dict[str, tuple[str, tuple[ClaimItem, ...]]]  # anchor: (heading, items)
    shown_note_count: int
    note_count: int


def cell_claims(frameworks, features) -> dict[tuple[int, int], list[Claim]]:
    claims = (
        Claim.objects.filter(status="published", framework__in=frameworks, feature__in=features)
        .select_related("framework", "feature", "feature_value")
        .prefetch_related("citations__source", "citations__verification")
        .order_by()
    )
    by_cell: dict[tuple[int, int], list[Claim]] = {}
    for claim in claims:
        by_cell.setdefault((claim.feature_id, claim.framework_id), []).append(claim)
    for cell in by_cell.values():
        cell.sort(key=lambda c: (RANK_ORDER[c.rank], -c.updated_at.timestamp(), -c.pk))
    return by_cell


def _markers(claims: list[Claim]) -> tuple[str, ...]:
    current = [c for c in claims if c.rank != ClaimRank.DEPRECATED]
    markers = []
    if len({verdict(c) for c in current}) > 1:
        markers.append("⚠ Sources disagree")
    elif len(current) > 1:
        sources = {citation.source_id for c in current for citation in c.citations.all()}
        if sources:
            markers.append(
                "1 source agrees" if len(sources) == 1 else f"{len(sources)} sources agree"
            )
    superseded = sum(1 for c in claims[1:] if c.rank == ClaimRank.DEPRECATED)
    if superseded:
        markers.append(f"+{superseded} superseded")
    return tuple(markers)


def expected(frameworks, features) -> Expected:
    """The matrix of `frameworks` (columns) × `features` (rows, in page order)."""
    by_cell = cell_claims(frameworks, features)
    cells, verdicts, lists = {}, {}, {}
    shown_notes = 0
    other_notes = 0
    for feature in features:
        for framework in frameworks:
            claims = by_cell.get((feature.pk, framework.pk), [])
            shown = claims[0] if claims else None
            label = f"{framework.name} · {feature.name}"
            cells[feature.pk, framework.pk] = CellView(
                badge=badge(shown),
                url=shown.get_absolute_url() if shown else "",
                value=fold(shown.value) if shown else "",
                notes=tuple(_note(c, label, shown) for c in _citations(shown)) if shown else (),
                unverified=shown is not None and not _verified(shown),
                markers=_markers(claims),
            )
            verdicts[feature.pk, framework.pk] = verdict(shown) if shown else UNKNOWN_VERDICT
            if shown:
                shown_notes += len(_citations(shown))
                other_notes += sum(len(_citations(c)) for c in claims[1:])
            if len(claims) > 1:
                disagree = (
                    " ⚠ Sources disagree"
                    if "⚠ Sources disagree" in cells[feature.pk, framework.pk].markers
                    else ""
                )
                lists[f"c{feature.pk}-{framework.pk}"] = (
                    fold(label + disagree),
                    tuple(
                        ClaimItem(
                            badge=badge(claim),
                            url=claim.get_absolute_url(),
                            value=fold(claim.value),
                            shown=index == 0,
                            rank="" if claim.rank == ClaimRank.NORMAL else claim.get_rank_display(),
                            quotes=tuple(fold(c.quote) for c in _citations(claim) if c.quote),
                            notes=tuple(_note(c, label, claim) for c in _citations(claim)),
                        )
                        for index, claim in enumerate(claims)
                    ),
                )
    return Expected(cells, verdicts, lists, shown_notes, shown_notes + other_notes)


def differ(verdicts: list[tuple]) -> bool:
    return len(set(verdicts) - {UNKNOWN_VERDICT}) > 1


def expected_summary(frameworks, features, exp: Expected) -> dict[str, dict[str, int]]:
    """{framework name: {column: count}}: capability rows by the level shown; descriptor and
    assessment rows by whether a value is shown."""
    summary = {}
    for framework in frameworks:
        levels = Counter()
        described = undescribed = 0
        for feature in features:
            said = exp.verdicts[feature.pk, framework.pk]
            if feature.kind == "capability":
                levels[said[1]] += 1
            elif said[0] == "value":
                described += 1
            else:
                undescribed += 1
        counts = {label: levels[level] for level, label in LABELS.items()}
        summary[framework.name] = {**counts, WITH_VALUE: described, WITHOUT_VALUE: undescribed}
    return summary


CHART_PARTS = [
    ("support--yes", LABELS["yes"], [LABELS["yes"]]),
    ("support--partial", LABELS["partial"], [LABELS["partial"]]),
    ("support--extension", LABELS["extension"], [LABELS["extension"]]),
    ("support--no", LABELS["no"], [LABELS["no"]]),
    ("support--unknown", "Unknown or not applicable", [LABELS["unknown"], LABELS["n/a"]]),
    ("support--value", "Described by a value", [WITH_VALUE]),
    ("support--undescribed", "Not described yet", [WITHOUT_VALUE]),
]


def expected_chart(summary: dict[str, dict[str, int]]) -> dict[str, list[tuple[str, str, int]]]:
    """{framework name: its bar's segments (css, label, count)}, empty ones left out."""
    chart = {}
    for name, counts in summary.items():
        parts = [
            (css, label, sum(counts[c] for c in columns)) for css, label, columns in CHART_PARTS
        ]
        chart[name] = [part for part in parts if part[2]]
    return chart


# -- what the page shows ----------------------------------------------------------------------


def _badge(node) -> tuple[str, str]:
    classes = (node.attributes.get("class") or "").split()
    [css] = [c for c in classes if c.startswith("support--")]
    return css, _text(node)


def _anchor(td) -> tuple[int, int]:
    feature_id, framework_id = re.fullmatch(r"c(\d+)-(\d+)", td.attributes["id"]).groups()
    return int(feature_id), int(framework_id)


REFS_LINE = re.compile(r"((?:\[\d+\])*) ?(unverified)?")


def _cell_lines(td) -> tuple[str, list[int], bool]:
    """(value, citation numbers, unverified) of a cell, from its own text: after the badge,
    each on a line of its own (the table shows line breaks), the value first; a cell with a
    claim always ends with a line of numbers or "unverified" (a claim citing nothing is
    never verified)."""
    own = "".join(child.text() for child in td.iter(include_text=True) if child.tag == "-text")
    lines = [line for line in own.split("\n") if line.strip()]
    if td.css_first("a.support") is None:
        assert not lines, f"{td.attributes['id']}: an unknown cell shows only its badge"
        return "", [], False
    refs = REFS_LINE.fullmatch(lines.pop().strip()) if lines else None
    assert refs and refs.group(0), f"{td.attributes['id']}: no line of citation numbers"
    numbers = [int(n) for n in re.findall(r"\d+", refs.group(1))]
    return fold(" ".join(lines)), numbers, refs.group(2) is not None


class Page:
    """A matrix page read as a reader reads it (without a script: its footnotes are then the
    page's lists)."""

    def __init__(self, html: str):
        self.tree = HTMLParser(html)
        self.ids = {node.attributes["id"] for node in self.tree.css("[id]")}
        self.footnotes = {
            int(li.attributes["id"].removeprefix("fn-")): li
            for li in self.tree.css(".footnotes__list > li[id^=fn-]")
        }

    def note(self, href: str) -> Note:
        """The footnote `href` ("#fn-3") leads to: its quote, then the locator and a comma,
        the source's link and its kind, the claim's link named by its cell, the way back."""
        li = self.footnotes[int(href.removeprefix("#fn-"))]
        children = list(li.iter(include_text=True))
        links = [n for n, c in enumerate(children) if c.tag == "a"]
        assert len(links) == 3, "a footnote links to its source, its claim and back"
        first, claim, back = (children[n] for n in links)
        assert back.attributes["href"].removeprefix("#") in self.ids, "a back link leads nowhere"
        before = "".join(c.text() for c in children[: links[0]] if c.tag == "-text")
        kind = children[links[0] + 1].text().split("·")[0]
        return Note(
            quote=_text(li.css_first("blockquote")),
            locator=fold(before).removesuffix(","),
            source=fold(f"{first.text()} {kind}"),
            cell=_text(claim),
            claim_url=claim.attributes["href"],
        )

    def columns(self) -> list[str]:
        table = self.tree.css_first(".matrix")
        return [_text(th) for th in table.css("thead th.matrix__framework")] if table else []

    def cells(self) -> dict[tuple[int, int], CellView]:
        cells = {}
        for td in self.tree.css(".matrix td[id]"):
            node = td.css_first(".support")
            value, numbers, unverified = _cell_lines(td)
            href = node.attributes.get("href", "") if node.tag == "a" else ""
            notes = tuple(self.note(f"#fn-{n}") for n in numbers)
            if numbers:
                # The badge leads to the first footnote, which names the claim shown, as all
                # the cell's footnotes do.
                assert href == f"#fn-{numbers[0]}", f"{td.attributes['id']}: {href}"
                assert len({note.claim_url for note in notes}) == 1
                href = notes[0].claim_url
            markers = td.css(".cell__disagree, .cell__more")
            for marker in markers:
                assert marker.attributes["href"].removeprefix("#") in self.ids, (
                    f"a marker of {td.attributes['id']} leads nowhere"
                )
            cells[_anchor(td)] = CellView(
                badge=_badge(node),
                url=href,
                value=value,
                notes=notes,
                unverified=unverified,
                markers=tuple(_text(m) for m in markers),
            )
        return cells

    def cell_refs(self) -> list[int]:
        """The footnote numbers the cells show, in reading order."""
        return [n for td in self.tree.css(".matrix td[id]") for n in _cell_lines(td)[1]]

    def lists(self) -> dict[str, tuple[str, tuple[ClaimItem, ...]]]:
        lists = {}
        for group in self.tree.css(".cell-claims__group"):
            items = []
            for li in group.css(".cell-claims__list > li"):
                node = li.css_first(".support")
                rank = li.css_first(".rank")
                items.append(
                    ClaimItem(
                        badge=_badge(node),
                        url=node.attributes.get("href", ""),
                        value=_text(li.css_first(".cell__value")),
                        shown="(shown in the table)" in _text(li),
                        rank=_text(rank),
                        quotes=tuple(_text(q) for q in li.css("q")),
                        notes=tuple(
                            self.note(a.attributes["href"]) for a in li.css('a[href^="#fn-"]')
                        ),
                    )
                )
            back = group.css("a")[-1].attributes["href"].removeprefix("#")
            assert back in self.ids, "a list's way back leads nowhere"
            anchor = group.attributes["id"].removeprefix("claims-")
            lists[anchor] = (_text(group.css_first("h3")), tuple(items))
        return lists

    def summary(self) -> dict[str, dict[str, int]]:
        """{framework name: {column: count}} from the "In short" table, read by its header."""
        table = self.tree.css_first(".summary__table")
        labels = []
        for th in table.css("thead th")[1:]:
            label = th.css_first(".support__label") or th.css_first(".summary__long")
            labels.append(_text(label))
        return {
            _text(tr.css_first("th")): dict(
                zip(labels, (int(_text(td)) for td in tr.css("td")), strict=True)
            )
            for tr in table.css("tbody tr")
        }

    def summary_caption(self) -> str:
        return _text(self.tree.css_first(".summary__caption"))

    def chart(self) -> dict[str, tuple[str, list[tuple[str, str, int, int, int]]]]:
        """{framework name: (the bar's description, its segments (css, label, count, x,
        width))}."""
        chart = {}
        for row in self.tree.css(".support-chart__row"):
            svg = row.css_first("svg")
            segments = []
            for rect in svg.css("rect"):
                css = [c for c in rect.attributes["class"].split() if c.startswith("support--")]
                label, count = _text(rect.css_first("title")).rsplit(": ", 1)
                segments.append(
                    (
                        css[0],
                        label,
                        int(count),
                        int(rect.attributes["x"]),
                        int(rect.attributes["width"]),
                    )
                )
            chart[_text(row.css_first(".support-chart__name"))] = (
                svg.attributes["aria-label"],
                segments,
            )
        return chart

    def sections(self) -> dict[str, tuple[str, list[int]]]:
        """{section key: (its heading, the feature ids of its rows in order)}."""
        sections = {}
        for section in self.tree.css("section.matrix-section"):
            key = section.attributes["aria-labelledby"].removeprefix("section-")
            rows = [_anchor(tr.css_first("td[id]"))[0] for tr in section.css("tr.matrix__row")]
            sections[key] = (_text(section.css_first("h2")), rows)
        return sections

    def groups(self) -> dict[str, tuple[str, list[int]]]:
        """{tbody id: (its category's name and count, the feature ids of its rows)}."""
        groups = {}
        for tbody in self.tree.css("tbody.matrix__category"):
            head = tbody.css_first(".matrix__category-head")
            rows = [_anchor(tr.css_first("td[id]"))[0] for tr in tbody.css("tr.matrix__row")]
            groups[tbody.attributes["id"]] = (
                f"{_text(head.css_first('h3'))} · {_text(head.css_first('.muted'))}",
                rows,
            )
        return groups
