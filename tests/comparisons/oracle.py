"""The oracle: what a reader should see on the matrix pages, worked out from the ORM alone, and
what the page shows, read from its HTML. Nothing here calls the selectors or `matrix_build`,
so a bug there cannot hide in both the answer and the question.

A cell shows its preferred published claim, else a normal one, else a deprecated one, the
most recently changed first (then the highest id): that is the rule the site promises
readers (the key says it), restated here on purpose, from model instances.
"""

import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from knowledge.models import Claim, ClaimRank, SupportLevel

RANK_ORDER = {ClaimRank.PREFERRED: 0, ClaimRank.NORMAL: 1, ClaimRank.DEPRECATED: 2}
LABELS = {level.value: str(level.label) for level in SupportLevel}
CSS_LEVEL = {("na" if level == "n/a" else level): level for level in SupportLevel.values}


@dataclass(frozen=True)
class ExpectedCell:
    support: str
    value: str
    quotes: tuple[str, ...]  # the shown claim's citations, in the order of its references
    others: int  # other published claims of the cell
    disagree: bool


def expected_cells(frameworks, features) -> dict[tuple[int, int], ExpectedCell]:
    """{(feature id, framework id): the cell}, from every published claim and its citations."""
    claims = (
        Claim.objects.filter(status="published", framework__in=frameworks, feature__in=features)
        .prefetch_related("citations")
        .order_by()
    )
    by_cell: dict[tuple[int, int], list[Claim]] = {}
    for claim in claims:
        by_cell.setdefault((claim.feature_id, claim.framework_id), []).append(claim)
    cells = {}
    for feature in features:
        for framework in frameworks:
            cell = sorted(
                by_cell.get((feature.pk, framework.pk), []),
                key=lambda c: (RANK_ORDER[c.rank], -c.updated_at.timestamp(), -c.pk),
            )
            shown = cell[0] if cell else None
            current = {c.support for c in cell if c.rank != ClaimRank.DEPRECATED}
            cells[feature.pk, framework.pk] = ExpectedCell(
                support=shown.support if shown else SupportLevel.UNKNOWN,
                value=shown.value if shown else "",
                quotes=tuple(c.quote for c in sorted(shown.citations.all(), key=lambda c: c.pk))
                if shown
                else (),
                others=max(len(cell) - 1, 0),
                disagree=len(cell) > 1 and len(current) > 1,
            )
    return cells


def differ(cells: list[ExpectedCell]) -> bool:
    return len({c.support for c in cells} - {SupportLevel.UNKNOWN}) > 1


@dataclass(frozen=True)
class ShownCell:
    support: str
    value: str
    quotes: tuple[str, ...]
    others: int
    disagree: bool


def _text(node) -> str:
    return " ".join(node.text().split()) if node is not None else ""


def _level(node) -> str:
    classes = (node.attributes.get("class") or "").split()
    [css] = [c.removeprefix("support--") for c in classes if c.startswith("support--")]
    return CSS_LEVEL[css]


def shown_cells(html: str) -> dict[tuple[int, int], ShownCell]:
    """{(feature id, framework id): what the cell shows}, footnote quotes looked up by the
    references' targets."""
    tree = HTMLParser(html)
    footnotes = {
        li.attributes["id"]: _text(li.css_first("blockquote")) for li in tree.css("li[id^=fn-]")
    }
    cells = {}
    for td in tree.css(".matrix td[id]"):
        feature_id, framework_id = map(
            int, re.fullmatch(r"c(\d+)-(\d+)", td.attributes["id"]).groups()
        )
        more = td.css_first(".cell__more")
        refs = [a.attributes["href"].removeprefix("#") for a in td.css('a[href^="#fn-"]')]
        cells[feature_id, framework_id] = ShownCell(
            support=_level(td.css_first(".support")),
            value=_text(td.css_first(".cell__value")),
            quotes=tuple(footnotes[ref] for ref in refs),
            others=int(re.match(r"\+(\d+)", _text(more)).group(1)) if more is not None else 0,
            disagree=td.css_first(".cell__disagree") is not None,
        )
    return cells


def comparable(cell: ExpectedCell) -> ShownCell:
    """The expected cell as the page can show it: a cell that disagrees links to the list of
    its claims instead of counting them, and quotes are shown with their spaces folded."""
    return ShownCell(
        support=cell.support,
        value=" ".join(cell.value.split()),
        quotes=tuple(" ".join(q.split()) for q in cell.quotes),
        others=0 if cell.disagree else cell.others,
        disagree=cell.disagree,
    )


def shown_summary(html: str) -> dict[str, dict[str, int]]:
    """{framework name: {level label: count}} from the "In short" table, read by its header."""
    table = HTMLParser(html).css_first(".summary__table")
    labels = [_text(th.css_first(".support__label")) for th in table.css("thead th")[1:]]
    return {
        _text(tr.css_first("th")): dict(
            zip(labels, (int(_text(td)) for td in tr.css("td")), strict=True)
        )
        for tr in table.css("tbody tr")
    }


def expected_summary(frameworks, features, cells) -> dict[str, dict[str, int]]:
    return {
        framework.name: {
            label: Counter(cells[f.pk, framework.pk].support for f in features)[level]
            for level, label in LABELS.items()
        }
        for framework in frameworks
    }


def shown_chart(html: str) -> dict[str, str]:
    """{framework name: the bar's description}, which lists its segments' counts."""
    tree = HTMLParser(html)
    return {
        _text(row.css_first(".support-chart__name")): row.css_first("svg").attributes["aria-label"]
        for row in tree.css(".support-chart__row")
    }


def shown_sections(html: str) -> dict[str, set[int]]:
    """{section key: the feature ids of its rows}."""
    tree = HTMLParser(html)
    return {
        section.attributes["aria-labelledby"].removeprefix("section-"): {
            int(re.fullmatch(r"c(\d+)-\d+", td.attributes["id"]).group(1))
            for td in section.css(".matrix td[id]")
        }
        for section in tree.css("section.matrix-section")
    }
