"""How a support level is shown: always a symbol and a text label, never colour alone."""

from dataclasses import dataclass

from knowledge.models import SupportLevel

SUPPORT_SYMBOLS = {
    SupportLevel.YES: "✓",
    SupportLevel.PARTIAL: "◐",
    SupportLevel.EXTENSION: "+",
    SupportLevel.NO: "✗",
    SupportLevel.UNKNOWN: "?",
    SupportLevel.NOT_APPLICABLE: "–",
}


@dataclass(frozen=True)
class SupportDisplay:
    level: str
    symbol: str
    label: str
    # A CSS class name: "n/a" is not a valid identifier.
    css_class: str


# Built once: a matrix asks for a display per claim, and `SupportLevel.values` / `.label` rebuild
# lists on every call.
_DISPLAYS = {
    known.value: SupportDisplay(
        level=known.value,
        symbol=SUPPORT_SYMBOLS[known],
        label=str(known.label),
        css_class="support--" + ("na" if known == SupportLevel.NOT_APPLICABLE else known.value),
    )
    for known in SupportLevel
}


def support_display(level: str) -> SupportDisplay:
    display = _DISPLAYS.get(level)
    if display is not None:
        return display
    # A stored value that is no longer a choice is shown as it is, plainly marked unknown.
    return SupportDisplay(
        level=level, symbol="?", label=str(level) or "Unknown", css_class="support--unknown"
    )


# What each mark means, for the legend under every matrix.
SUPPORT_MEANINGS = {
    SupportLevel.YES: "Ships with the framework.",
    SupportLevel.PARTIAL: "Some of it, with limits the claim explains.",
    SupportLevel.EXTENSION: "Through a third-party package or plug-in.",
    SupportLevel.NO: "Not available.",
    SupportLevel.NOT_APPLICABLE: "The question does not arise for this framework.",
    SupportLevel.UNKNOWN: "No published, sourced claim yet.",
}


def support_legend() -> list[tuple[SupportDisplay, str]]:
    return [(support_display(level), meaning) for level, meaning in SUPPORT_MEANINGS.items()]
