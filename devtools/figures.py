"""A benchmark figure: a ratio, its goal, whether it is met, and what was measured."""

from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    ratio: float | None  # None: skipped (`measured` says why)
    goal: str
    met: bool | None  # None: skipped
    measured: dict

    def row(self) -> str:
        if self.met is None:
            return f"{self.name:<8} {'-':>8}  {self.goal:<44} skipped"
        mark = "met" if self.met else "NOT MET"
        return f"{self.name:<8} {self.ratio:>8.3f}  {self.goal:<44} {mark}"


def skipped(name: str, goal: str, reason: str) -> Figure:
    return Figure(name, None, goal, None, {"skipped": reason})
