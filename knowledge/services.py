"""Writes with rules: moving claims through their statuses, and what blocks deleting a source.

Every write here calls `full_clean()` before saving, so the model's constraints (one preferred
published claim per cell) are checked with a message rather than hit as an IntegrityError;
the database constraints stay as the last line of defence against a concurrent writer.

The citation rule (a published claim has a citation) spans two tables, so two curators could
each pass its check: one publishing, the other deleting the last citation. Both paths
therefore lock the claim row before checking (`lock_claims`), which makes the second wait for
the first and then check what it committed. PostgreSQL also refuses such a commit itself
(migration 0002); `breaks_citation_rule` recognises that refusal so callers can say why.

Four-eyes review (`CITEGRID_REVIEW_REQUIRED`): publishing is an approval, so the curator who
publishes a claim must not be the one who made the change it shows (`Claim.changed_by`). Every
edit through the admin makes its curator the claim's `changed_by` and drops the earlier
approval, so an edit after approval, the approver's included, needs someone else again. A
superuser may publish their own change without review by giving a reason, which is stored.
Code without a curator (loadkb, a maintainer's shell) is not a review and cannot publish
through these services while review is required; loadkb saves fixtures raw, as an import.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, ProtectedError
from django.utils import timezone

from .models import Citation, Claim, ClaimStatus, Source, claim_name

UNSOURCED_MESSAGE = (
    "A claim cannot be published without at least one citation: "
    "add a citation of a source that supports it first."
)


# The name PostgreSQL's trigger puts in its error (knowledge/migrations/0002_…).
CITATION_RULE = "published_claim_needs_citation"


def breaks_citation_rule(error: Exception) -> bool:
    """Whether `error` is the database refusing a published claim without a citation."""
    return isinstance(error, IntegrityError) and CITATION_RULE in str(error)


def lock_claims(claim_ids) -> None:
    """Lock the rows of these claims until the current transaction ends.

    In a fixed order, so that two writers locking overlapping sets cannot deadlock. On SQLite
    `select_for_update` does nothing, but every transaction there takes the write lock when it
    begins (`transaction_mode` IMMEDIATE in settings), so writers run one at a time anyway.
    """
    ids = sorted({claim_id for claim_id in claim_ids if claim_id is not None})
    if ids:
        list(Claim.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _citation_rule_holds() -> bool:
    """Whether the current transaction's writes keep every published claim cited, as far as
    the database says (PostgreSQL's deferred triggers, checked now instead of at the commit,
    so the caller can answer with a message; elsewhere the checks in Python are the rule)."""
    if connection.vendor != "postgresql":
        return True
    triggers = "published_claim_needs_citation, published_claim_keeps_a_citation"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {triggers} IMMEDIATE")
            cursor.execute(f"SET CONSTRAINTS {triggers} DEFERRED")
    except IntegrityError as error:
        if breaks_citation_rule(error):
            return False
        raise
    return True


class LastCitationProtected(ProtectedError):
    """Deleting these citations would leave published claims (`protected_objects`) unsourced.

    A ProtectedError, as Django raises for a referenced row: the admin's delete pages already
    turn one into a message instead of a 500.
    """


OWN_CHANGE_MESSAGE = (
    "You made the last change to this claim, so another curator must approve it before it is "
    "published (four-eyes review): save it as In review and ask a colleague to approve it."
)
OWN_CHANGE_SUPERUSER_HINT = (
    " As a superuser you may publish it without review by giving a reason on its page."
)
NO_REVIEWER_MESSAGE = (
    "Publishing needs the approval of a curator (four-eyes review): approve it in the admin."
)
WAIVER_NOT_ALLOWED_MESSAGE = "Only a superuser may publish a claim without review."


def review_required() -> bool:
    return settings.CITEGRID_REVIEW_REQUIRED


def claim_review_errors(*, by, author_id: int | None, waiver: str = "") -> list[str]:
    """Why `by` may not approve for publication a claim last changed by `author_id` (None:
    by no curator, e.g. loaded by loadkb); an empty list when they may.

    `waiver` is a reason to publish one's own change without review, a superuser's right.
    """
    if not review_required():
        return []
    if by is None:
        return [NO_REVIEWER_MESSAGE]
    if author_id is None or author_id != by.pk:
        return []
    if not by.is_superuser:
        return [WAIVER_NOT_ALLOWED_MESSAGE] if waiver.strip() else [OWN_CHANGE_MESSAGE]
    if waiver.strip():
        return []
    return [OWN_CHANGE_MESSAGE + OWN_CHANGE_SUPERUSER_HINT]


PUBLISHED_EVIDENCE_MESSAGE = (
    "Under four-eyes review the citations of a published claim are changed on the claim's "
    "own page, where the change goes to another curator for approval: {claims}."
)


def citations_review_blockers(claims) -> list[Claim]:
    """The published ones of `claims`, whose citations the citation admin may not change while
    review is required: an edit there would bypass the claim's review."""
    if not review_required():
        return []
    return [claim for claim in claims if claim.status == ClaimStatus.PUBLISHED]


def claims_note_citation_edit(*, claim_ids, by) -> None:
    """`by` changed citations of these claims on the citations' own pages: an edit of each
    claim, whose approval no longer covers it. An update(), so the claim gets no history row
    of its own: the citation's row says what changed, and who."""
    Claim.objects.filter(pk__in=list(claim_ids)).update(
        changed_by=by, reviewed_by=None, reviewed_at=None, review_waiver=""
    )


def claim_note_edit(claim: Claim, *, by) -> None:
    """Before saving `by`'s change to `claim` (its fields or its citations): the claim now
    shows `by`'s change, and an approval of an earlier version no longer covers it."""
    claim.changed_by = by
    claim.reviewed_by, claim.reviewed_at, claim.review_waiver = None, None, ""


def claim_note_approval(claim: Claim, *, by, waiver: str = "") -> None:
    """Before saving `claim` as published by `by`, who passed `claim_review_errors`: record
    the approval, or the reason for publishing without one (only when `by` is its author)."""
    if not review_required():
        # Nobody reviewed it: an approval would claim a check that did not happen.
        claim.reviewed_by, claim.reviewed_at, claim.review_waiver = None, None, ""
        return
    own = by is not None and claim.changed_by_id == by.pk
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.review_waiver = waiver.strip() if own else ""


@dataclass
class CuratorSave:
    """One save of a claim through the admin's form, as the review rule sees it: who saves,
    who made the change stored before (`author_id`), whether it was public, whether this save
    changes the claim's fields or citations (`edited`), and a superuser's `waiver` reason."""

    by: object
    author_id: int | None
    was_published: bool
    edited: bool
    waiver: str = ""
    refused: bool = False  # the claim form said why already; the citations' formset need not

    def publishes(self, status: str) -> bool:
        """Whether saving with `status` publishes a version nobody approved yet."""
        return status == ClaimStatus.PUBLISHED and (self.edited or not self.was_published)

    def review_errors(self, status: str) -> list[str]:
        if not self.publishes(status):
            return []
        author_id = getattr(self.by, "pk", None) if self.edited else self.author_id
        return claim_review_errors(by=self.by, author_id=author_id, waiver=self.waiver)


def claim_apply_curator_save(claim: Claim, save: CuratorSave) -> None:
    """Before the admin saves `claim`: record `save`'s edit and, when it publishes, the
    approval (checked already by the form, `CuratorSave.review_errors`)."""
    if save.edited:
        claim_note_edit(claim, by=save.by)
    if save.publishes(claim.status):
        claim_note_approval(claim, by=save.by, waiver=save.waiver)


def claim_publish_errors(
    claim: Claim,
    *,
    citation_count: int | None = None,
    check_constraints: bool = True,
    by=None,
    check_review: bool = False,
    waiver: str = "",
) -> list[str]:
    """Every reason `claim` cannot be published as it stands; an empty list when it can.

    Works on saved claims (counts their citations in the database) and on claims being edited:
    an admin form passes `citation_count`, the citations its inline will leave, because the
    claim is saved before its inline rows. `check_constraints=False` skips the model's
    constraints for callers (a ModelForm) that validate them already. `check_review` adds the
    four-eyes rule for `by` publishing the claim as it was last changed (`changed_by`).
    """
    if citation_count is None:
        citation_count = claim.citations.count() if claim.pk else 0
    errors = []
    if citation_count < 1:
        errors.append(UNSOURCED_MESSAGE)
    if check_constraints:
        errors.extend(_constraint_errors_if_published(claim))
    if check_review:
        errors.extend(claim_review_errors(by=by, author_id=claim.changed_by_id, waiver=waiver))
    return errors


def _constraint_errors_if_published(claim: Claim) -> list[str]:
    status = claim.status
    claim.status = ClaimStatus.PUBLISHED
    try:
        claim.validate_constraints()
    except ValidationError as error:
        return error.messages
    finally:
        claim.status = status
    return []


def claim_publish(*, claim: Claim, by=None, waiver: str = "") -> Claim:
    """Publish `claim` as approved by the curator `by` (see `claim_review_errors`), or raise
    ValidationError saying why it cannot be published."""
    with transaction.atomic():
        lock_claims([claim.pk])
        # Who changed it last is read under the lock: an edit committed meanwhile counts.
        claim.changed_by_id = (
            Claim.objects.filter(pk=claim.pk).values_list("changed_by", flat=True).first()
        )
        errors = claim_publish_errors(claim, by=by, check_review=True, waiver=waiver)
        if errors:
            raise ValidationError(errors)
        claim_note_approval(claim, by=by, waiver=waiver)
        _claim_set_status(claim, ClaimStatus.PUBLISHED)
        if not _citation_rule_holds():
            raise ValidationError(UNSOURCED_MESSAGE)
        return claim


def claim_send_to_review(*, claim: Claim) -> Claim:
    """Put `claim` in review: it leaves the public pages until it is published again."""
    return _claim_set_status(claim, ClaimStatus.REVIEW)


def claim_retract(*, claim: Claim) -> Claim:
    """Retract `claim`: it leaves the public pages; its history keeps what it said."""
    return _claim_set_status(claim, ClaimStatus.RETRACTED)


def _claim_set_status(claim: Claim, status: str) -> Claim:
    claim.status = status
    claim.full_clean()
    try:
        # A savepoint, so that losing a race on a constraint leaves the caller's transaction
        # usable (PostgreSQL aborts a transaction on any error inside it).
        with transaction.atomic():
            claim.save()
    except IntegrityError as error:
        raise ValidationError(
            f"The claim {claim_name(claim)} could not be saved: another curator changed its "
            f"cell at the same time ({error}). Reload and try again."
        ) from error
    return claim


@dataclass
class BulkResult:
    """What a bulk status change did: the claims changed, and each refused one with why."""

    changed: list[Claim] = field(default_factory=list)
    unchanged: list[Claim] = field(default_factory=list)
    refused: list[tuple[Claim, list[str]]] = field(default_factory=list)


_TRANSITIONS = {
    ClaimStatus.PUBLISHED: claim_publish,
    ClaimStatus.REVIEW: claim_send_to_review,
    ClaimStatus.RETRACTED: claim_retract,
}


def claims_set_status(*, claims, status: str, by=None) -> BulkResult:
    """Move each of `claims` to `status` through the single-claim service, one at a time, as
    the curator `by` (publishing is their approval of each).

    One at a time so that one refused claim does not stop the others, and so that publishing
    two preferred claims of one cell publishes the first and refuses the second. Claims
    already in `status` are left alone (no history row for a change that is none).
    """
    transition = _TRANSITIONS[status]
    extra = {"by": by} if status == ClaimStatus.PUBLISHED else {}
    result = BulkResult()
    for claim in claims:
        try:
            with transaction.atomic():
                # Each claim as committed once it is locked: the list was read before, and
                # saving that copy would undo an edit a curator saved since.
                lock_claims([claim.pk])
                claim.refresh_from_db()
                if claim.status == status:
                    result.unchanged.append(claim)
                    continue
                transition(claim=claim, **extra)
        except Claim.DoesNotExist:
            result.refused.append((claim, ["It was deleted meanwhile."]))
        except ValidationError as error:
            claim.refresh_from_db(fields=["status", "reviewed_by", "reviewed_at", "review_waiver"])
            result.refused.append((claim, error.messages))
        else:
            result.changed.append(claim)
    return result


def source_citing_claims(source: Source):
    """The claims that cite `source`, with their cells, in claim order: one query."""
    return Claim.objects.filter(citations__source=source).select_related("framework", "feature")


def sources_delete_blockers(sources) -> dict[Source, list[Claim]]:
    """For each of `sources` that is still cited, the claims citing it (one query).

    A cited source cannot be deleted (Citation.source is PROTECT): the claims would lose their
    evidence. Callers show this to the curator instead of the database's refusal.
    """
    by_id = {source.pk: source for source in sources}
    blockers: dict[Source, list[Claim]] = {}
    citations = (
        Citation.objects.filter(source__in=list(by_id))
        .select_related("claim__framework", "claim__feature")
        .order_by("source_id", "claim_id")
    )
    for citation in citations:
        blockers.setdefault(by_id[citation.source_id], []).append(citation.claim)
    return blockers


def citations_delete_blockers(citations) -> list[Claim]:
    """The published claims that deleting all of `citations` would leave without a citation.

    Deleting them is refused: it would publish an unsourced claim by the back door.
    """
    doomed = Counter(citation.claim_id for citation in citations)
    return _unsourced_if_deleted(doomed)


def citations_delete(citations) -> None:
    """Delete `citations`, or raise LastCitationProtected if that would leave a published
    claim without a citation (nothing is deleted then)."""
    ids = [citation.pk for citation in citations]
    with transaction.atomic():
        lock_claims(citation.claim_id for citation in citations)
        # Read again under the lock: what another curator committed meanwhile counts.
        doomed = Counter(Citation.objects.filter(pk__in=ids).values_list("claim_id", flat=True))
        blockers = _unsourced_if_deleted(doomed)
        if blockers:
            raise LastCitationProtected(UNSOURCED_MESSAGE, blockers)
        Citation.objects.filter(pk__in=ids).delete()
        if not _citation_rule_holds():
            raise LastCitationProtected(
                UNSOURCED_MESSAGE, list(Claim.objects.filter(pk__in=doomed))
            )


def _unsourced_if_deleted(doomed: Counter) -> list[Claim]:
    claims = (
        Claim.objects.published()
        .filter(pk__in=list(doomed))
        .annotate(citation_total=Count("citations"))
        .select_related("framework", "feature")
    )
    return [claim for claim in claims if claim.citation_total <= doomed[claim.pk]]
