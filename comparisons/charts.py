"""Charts drawn on the server as inline SVG: no script, and nothing the CSP forbids.

The CSP allows no inline `style`, so geometry goes in SVG presentation attributes (x, width)
and colours in CSS classes. Each bar is its own small SVG stretched to its row, with the
framework's name as HTML text beside it, so the text keeps its size on a phone. Coordinates
are whole numbers in a fixed viewBox, and integers render the same whatever the locale.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.models import SupportLevel

from .records import SupportSummary
from .support import support_display

# The levels the summary counts one by one; unknown and not applicable share the last segment.
CHART_LEVELS = (SupportLevel.YES, SupportLevel.PARTIAL, SupportLevel.EXTENSION, SupportLevel.NO)

WIDTH = 600
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Segment:
    x: int
    width: int
    css: str
    label: str
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    segments: list[Segment]

    @property
    def description(self) -> str:
        """The bar in words, for screen readers: "Django: 30 Built in, 1 Via extension"."""
        counts = ", ".join(f"{s.count} {s.label}" for s in self.segments) or "no feature shown"
        return f"{self.label}: {counts}"


@dataclass(frozen=True)
class BarChart:
    width: int
    bar_height: int
    bars: list[Bar]


def _segments(summary: SupportSummary) -> list[tuple[str, str, int]]:
    parts = []
    for level in CHART_LEVELS:
        display = support_display(level)
        parts.append((display.css_class, display.label, summary.counts.get(level, 0)))
    rest = summary.total - sum(count for _, _, count in parts)
    parts.append(("support--unknown", "Unknown or not applicable", rest))
    # Descriptor and assessment rows are a group of their own, never "unknown".
    parts.append(("support--value", "Described by a value", summary.described))
    parts.append(("support--undescribed", "Not described yet", summary.undescribed))
    return [part for part in parts if part[2]]


def support_chart(summaries: Sequence[SupportSummary]) -> BarChart:
    """One stacked bar per framework: how many of the shown features it has at each level."""
    bars = []
    for summary in summaries:
        segments, done = [], 0
        parts = _segments(summary)
        total = sum(count for _, _, count in parts) or 1
        for css, label, count in parts:
            # Round the running total, not each width, so the segments always fill the bar.
            x = round(WIDTH * done / total)
            done += count
            end = round(WIDTH * done / total)
            segments.append(Segment(x=x, width=end - x, css=css, label=label, count=count))
        bars.append(Bar(label=summary.framework.name, segments=segments))
    return BarChart(width=WIDTH, bar_height=BAR_HEIGHT, bars=bars)
