"""How what a claim says is shown: always a symbol and a text label, never colour alone."""

from dataclasses import dataclass

from knowledge.models import Claim, FeatureKind, SupportLevel

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


# A value of a descriptor's vocabulary or of an assessment's scale is its own badge: the value's
# label, after a symbol that says which kind of row it is (the key explains both).
VALUE_SYMBOLS = {FeatureKind.DESCRIPTOR: "◆", FeatureKind.ASSESSMENT: "▲"}
_VALUE_DISPLAYS: dict[tuple[str, str, str], SupportDisplay] = {}


def value_display(*, kind: str, slug: str, label: str) -> SupportDisplay:
    """The badge of a claim that picks the value `label` of a descriptor or assessment."""
    key = (kind, slug, label)
    display = _VALUE_DISPLAYS.get(key)
    if display is None:
        display = _VALUE_DISPLAYS[key] = SupportDisplay(
            level=slug, symbol=VALUE_SYMBOLS.get(kind, "◆"), label=label, css_class="support--value"
        )
    return display


def claim_display(claim) -> SupportDisplay:
    """The badge of a claim: its support level, or the value it picks. Takes a Claim whose
    `feature_value` and `feature` were selected with it, or a row carrying `support`,
    `feature_value_id`, `feature_value__slug`, `feature_value__label` and `feature__kind`."""
    if not claim.feature_value_id:
        return support_display(claim.support)
    if isinstance(claim, Claim):
        value = claim.feature_value
        return value_display(kind=claim.feature.kind, slug=value.slug, label=value.label)
    # A matrix of an earlier day (?as_of=) may show a value deleted since: the history row
    # keeps its id, the join finds nothing.
    return value_display(
        kind=claim.feature__kind,
        slug=claim.feature_value__slug or "removed",
        label=claim.feature_value__label or "A value since removed",
    )


# What each kind of row says, and what each mark means, for the key under every matrix.
SUPPORT_MEANINGS = {
    SupportLevel.YES: "Ships with the framework.",
    SupportLevel.PARTIAL: "Some of it, with limits the claim explains.",
    SupportLevel.EXTENSION: "Through a third-party package or plug-in.",
    SupportLevel.NO: "Not available.",
    SupportLevel.NOT_APPLICABLE: "The question does not arise for this framework.",
    SupportLevel.UNKNOWN: "No published claim yet, or its sources cannot tell.",
}
KIND_MEANINGS = [
    (
        "Capability rows",
        "Does the framework do it? A support level, one of the marks below.",
    ),
    (
        f"{VALUE_SYMBOLS[FeatureKind.DESCRIPTOR]} Descriptor rows",
        "What kind of thing is it? One value of the row's own vocabulary "
        "(scope: full-stack, microframework …), compared by value.",
    ),
    (
        f"{VALUE_SYMBOLS[FeatureKind.ASSESSMENT]} Assessment rows",
        "How much? A position on the row's own ordered scale "
        "(learning curve: gentle < moderate < steep), compared by position.",
    ),
]


def support_legend() -> list[tuple[SupportDisplay, str]]:
    return [(support_display(level), meaning) for level, meaning in SUPPORT_MEANINGS.items()]
