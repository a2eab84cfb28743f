"""A claim's public history: its own versions, and what happened to its evidence.

Every change a reader could see is listed: the claim's fields (old → new, between published
versions), its citations added, edited or removed, and a cited source's title or URL
changing. Four queries whatever the length of the history.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from knowledge.history import FieldChange, claim_changes
from knowledge.models import Citation, Claim, ClaimStatus, Source

# The reason simple-history rows of migration 0002 carry: no event, the state it started from.
_STARTING_STATE = "State before its history was recorded"


@dataclass(frozen=True)
class HistoryEntry:
    date: datetime
    status_label: str
    is_public: bool
    is_first_publication: bool
    changes: list[FieldChange]
    note_changed: bool
    reason: str = ""  # e.g. "loadkb fixtures/04_claims.json"
    evidence: list[str] = field(default_factory=list)  # "quote changed (citation of “…”)"


# The fields whose changes a reader sees, with their labels. The note is long markdown: the
# history says that it changed, and the page shows the current one.
_HISTORY_FIELDS = {
    "support": "Support",
    "feature_value": "Value",
    "rank": "Rank",
    "statement": "Statement",
    "value": "Detail",
    "as_of_version": "As of version",
    "since_version": "Added in",
    "until_version": "Removed in",
    "valid_until": "Valid until",
}

# A citation's fields a reader sees, and how a change of each is said.
_CITATION_CHANGES = {
    "quote": "quote changed",
    "locator": "locator changed",
    "source_id": "source replaced",
    "provenance": "provenance changed",
}


def _label(choices, raw: str) -> str:
    # A value no longer among the choices (renamed since) is shown as stored.
    return str(choices(raw).label) if raw in choices.values else raw


def _claim_entries(claim: Claim) -> list[HistoryEntry]:
    entries = []
    last_public = None
    for record in claim.history.order_by("history_date", "history_id"):
        is_public = record.status == ClaimStatus.PUBLISHED
        entries.append(
            HistoryEntry(
                date=record.history_date,
                status_label=_label(ClaimStatus, record.status),
                is_public=is_public,
                is_first_publication=is_public and last_public is None,
                changes=(
                    claim_changes(last_public, record, fields=_HISTORY_FIELDS)
                    if is_public and last_public
                    else []
                ),
                note_changed=bool(is_public and last_public and last_public.note != record.note),
                reason=record.history_change_reason or "",
            )
        )
        if is_public:
            last_public = record
    return entries


# One admin save or one load writes the claim, then its citations, in one transaction.
_SAME_SAVE = timedelta(seconds=5)


def _published_with(record, first: HistoryEntry) -> bool:
    """Whether a citation's "added" row belongs to the claim's first publication: written by
    the same load (same reason), or by the same save right after it."""
    reason = record.history_change_reason
    if reason == _STARTING_STATE or (reason and reason == first.reason):
        return True
    return not reason and not first.reason and record.history_date - first.date < _SAME_SAVE


def _evidence_entries(claim: Claim, *, since: HistoryEntry) -> list[HistoryEntry]:
    """What happened to the claim's citations and cited sources after its first publication;
    the citations it was published with (in the same save or load) are part of that."""
    records = list(
        Citation.history.filter(claim_id=claim.pk).order_by("history_date", "history_id")
    )
    source_ids = {record.source_id for record in records}
    titles = dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "title"))
    events: list[tuple[datetime, str]] = []
    previous = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_date < since.date:
            continue
        title = f"“{titles.get(record.source_id, 'a removed source')}”"
        if record.history_type == "+":
            if not _published_with(record, since):
                events.append((record.history_date, f"citation of {title} added"))
        elif record.history_type == "-":
            events.append((record.history_date, f"citation of {title} removed"))
        elif before is not None:
            said = [
                text
                for name, text in _CITATION_CHANGES.items()
                if getattr(before, name) != getattr(record, name)
            ]
            if said:
                events.append((record.history_date, f"{', '.join(said)} (citation of {title})"))
    source_records = Source.history.filter(id__in=source_ids).order_by("history_date", "history_id")
    last_seen = {}
    for record in source_records:
        before = last_seen.get(record.id)
        last_seen[record.id] = record
        if before is None or record.history_date < since.date:
            continue
        if before.title != record.title:
            events.append(
                (record.history_date, f"cited source “{before.title}” renamed “{record.title}”")
            )
        if before.url != record.url:
            events.append(
                (record.history_date, f"the URL of cited source “{record.title}” changed")
            )
    return [
        HistoryEntry(
            date=date,
            status_label="Evidence",
            is_public=True,
            is_first_publication=False,
            changes=[],
            note_changed=False,
            evidence=[text],
        )
        for date, text in events
    ]


def claim_history_list(*, claim: Claim) -> list[HistoryEntry]:
    """The claim's history, newest first.

    Versions saved while the claim was not published (a draft, in review, retracted) show only
    their date and status: their content was never reviewed for the public. A published
    version shows what changed since the previous *published* version, so a draft's wording
    never leaks through an "old → new" pair. Evidence changes are listed from the claim's first
    publication on.
    """
    entries = _claim_entries(claim)
    first = next((entry for entry in entries if entry.is_first_publication), None)
    if first is not None:
        entries += _evidence_entries(claim, since=first)
    entries.sort(key=lambda entry: entry.date, reverse=True)
    return entries
