"""A curator's decision on a suggestion: accepting makes a draft claim with the citation
filled in (never a published one), rejecting records why. Both refuse a suggestion someone
else decided first: the row is locked while it is decided (on SQLite every transaction holds
the write lock, settings.py)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from knowledge.models import Citation, Claim, ClaimRank, ClaimStatus, Source, SourceKind
from knowledge.services import claim_note_edit

from .models import Suggestion, SuggestionStatus

DECIDED_ALREADY = "This suggestion was decided already (by another curator): nothing changed."


def draft_claim_build(suggestion: Suggestion) -> Claim:
    """The draft claim accepting `suggestion` makes, unsaved: its cell, the suggested level or
    value, a key naming the suggestion (unique, as suggestion ids are)."""
    return Claim(
        framework=suggestion.framework,
        feature=suggestion.feature,
        key=f"suggestion-{suggestion.pk}",
        support=suggestion.support,
        feature_value=suggestion.feature_value,
        status=ClaimStatus.DRAFT,
        rank=ClaimRank.NORMAL,
    )


def draft_claim_errors(suggestion: Suggestion) -> list[str]:
    """Why accepting `suggestion` would make an invalid claim (the feature's kind or values
    changed since the reader wrote, say); empty when it would not."""
    try:
        draft_claim_build(suggestion).full_clean()
    except ValidationError as error:
        return error.messages
    return []


def source_for_url(url: str, *, suggestion_id: int) -> Source:
    """The source with this URL, or a new one for curators to complete (title, kind)."""
    source = Source.objects.filter(url=url).first()
    if source is not None:
        return source
    parts = urlsplit(url)
    source = Source(
        title=(parts.netloc + parts.path)[:300],
        url=url,
        kind=SourceKind.OTHER,
        notes=f"Made from reader suggestion #{suggestion_id}: give it its real title, kind "
        "and publisher, and check that it says what the quote says.",
    )
    source.full_clean()
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # Another curator made a source with this URL in the meantime.
        return Source.objects.get(url=url)
    return source


def _locked_new(suggestion: Suggestion) -> Suggestion:
    locked = (
        # Only the suggestion's row: its suggested value is an outer join, which cannot be
        # locked, and the cell's rows need not be.
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("framework", "feature", "feature_value")
        .get(pk=suggestion.pk)
    )
    if locked.status != SuggestionStatus.NEW:
        raise ValidationError(DECIDED_ALREADY, code="decided")
    return locked


def _decided(suggestion: Suggestion, *, status: str, by, reason: str) -> Suggestion:
    suggestion.status = status
    suggestion.reason = reason
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = by
    suggestion.full_clean()
    suggestion.save()
    return suggestion


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, by, note: str = "") -> Claim:
    """Accept `suggestion`: a draft claim of its cell citing its source with its quote, linked
    from the suggestion. ValidationError, and nothing saved, when that claim would be invalid
    or someone decided the suggestion first."""
    suggestion = _locked_new(suggestion)
    claim = draft_claim_build(suggestion)
    # The accepting curator is the claim's author: under four-eyes review someone else must
    # approve it, or a curator could publish alone what they sent in themselves.
    claim_note_edit(claim, by=by)
    claim.full_clean()
    # The reason kept in the claim's history (shown with its public history once published).
    claim._change_reason = f"from a reader's suggestion (#{suggestion.pk})"
    claim.save()
    citation = Citation(
        claim=claim,
        source=source_for_url(suggestion.source_url, suggestion_id=suggestion.pk),
        quote=suggestion.quote,
    )
    citation.full_clean()
    citation.save()
    suggestion.draft_claim = claim
    _decided(suggestion, status=SuggestionStatus.ACCEPTED, by=by, reason=note)
    return claim


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, by, reason: str) -> Suggestion:
    """Reject `suggestion`, saying why (required)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the suggestion is rejected."})
    suggestion = _locked_new(suggestion)
    return _decided(suggestion, status=SuggestionStatus.REJECTED, by=by, reason=reason.strip())


def suggestion_emails_forget(*, now=None) -> int:
    """Erase the readers' e-mails that the retention rule no longer lets us keep; how many."""
    return Suggestion.objects.emails_expired(now=now or timezone.now()).update(email="")
