"""Writes with rules: moving claims through their statuses, and what blocks deleting a source.

Every write here calls `full_clean()` before saving, so the model's constraints (one preferred
published claim per cell) are checked with a message rather than hit as an IntegrityError;
the database constraints stay as the last line of defence against a concurrent writer.

The citation rule (a published claim has a citation) spans two tables, so two curators could
each pass its check: one publishing, the other deleting the last citation. Both paths
therefore lock the claim row before checking (`lock_claims`), which makes the second wait for
the first and then check what it committed. PostgreSQL also refuses such a commit itself
(migration 0002); `breaks_citation_rule` recognises that refusal so callers can say why.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, ProtectedError

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


def claim_publish_errors(
    claim: Claim, *, citation_count: int | None = None, check_constraints: bool = True
) -> list[str]:
    """Every reason `claim` cannot be published as it stands; an empty list when it can.

    Works on saved claims (counts their citations in the database) and on claims being edited:
    an admin form passes `citation_count`, the citations its inline will leave, because the
    claim is saved before its inline rows. `check_constraints=False` skips the model's
    constraints for callers (a ModelForm) that validate them already.
    """
    if citation_count is None:
        citation_count = claim.citations.count() if claim.pk else 0
    errors = []
    if citation_count < 1:
        errors.append(UNSOURCED_MESSAGE)
    if check_constraints:
        errors.extend(_constraint_errors_if_published(claim))
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


def claim_publish(*, claim: Claim) -> Claim:
    """Publish `claim`, or raise ValidationError saying why it cannot be published."""
    with transaction.atomic():
        lock_claims([claim.pk])
        errors = claim_publish_errors(claim)
        if errors:
            raise ValidationError(errors)
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


def claims_set_status(*, claims, status: str) -> BulkResult:
    """Move each of `claims` to `status` through the single-claim service, one at a time.

    One at a time so that one refused claim does not stop the others, and so that publishing
    two preferred claims of one cell publishes the first and refuses the second. Claims
    already in `status` are left alone (no history row for a change that is none).
    """
    transition = _TRANSITIONS[status]
    result = BulkResult()
    for claim in claims:
        if claim.status == status:
            result.unchanged.append(claim)
            continue
        previous = claim.status
        try:
            transition(claim=claim)
        except ValidationError as error:
            claim.status = previous
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
