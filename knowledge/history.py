"""History rows written by hand, where a save bypasses django-simple-history's signals.

`loadkb` saves raw (as `loaddata` does), and simple-history records no raw save; the loader
writes the row itself, with the fixture file as the reason, only when the object changed.
"""

from django.utils import timezone

# Fields that are not the object's content: a reload that differs only in these changes nothing.
_NOT_CONTENT = {"id", "updated_at", "created_at"}


def tracked_values(instance) -> dict:
    """The values the instance's history model records, by attribute name."""
    historical = type(instance).history.model
    return {
        field.attname: getattr(instance, field.attname)
        for field in historical._meta.concrete_fields
        if not field.name.startswith("history_")
    }


def content_changed(instance, stored: dict | None) -> bool:
    """Whether `instance` says something else than the `stored` values (None: not stored)."""
    if stored is None:
        return True
    current = tracked_values(instance)
    return any(current[name] != stored.get(name) for name in current if name not in _NOT_CONTENT)


def stored_values(instance) -> dict | None:
    """The tracked values of the stored row of `instance`, or None when it is new."""
    if instance.pk is None:
        return None
    names = list(tracked_values(instance))
    return type(instance)._default_manager.filter(pk=instance.pk).values(*names).first()


def history_record(instance, *, created: bool, reason: str):
    """Write one history row for `instance` as it is now."""
    historical = type(instance).history.model
    return historical.objects.create(
        **tracked_values(instance),
        history_type="+" if created else "~",
        history_date=timezone.now(),
        # The column is 100 characters; a long fixture path keeps its end, the file's name.
        history_change_reason=reason if len(reason) <= 100 else "…" + reason[-99:],
    )


def claims_mark_evidence_changed(*, claim_ids) -> None:
    """Record that the evidence of these claims changed now (a citation, a cited source).

    An update(), so it writes no claim history row of its own: the citation's or the source's
    row says what changed, and the claim's page shows it.
    """
    from .models import Claim  # models import nothing from here; this keeps it that way

    ids = list(claim_ids)
    if ids:
        Claim.objects.filter(pk__in=ids).update(evidence_changed_at=timezone.now())


def evidence_changed_claim_ids(instance, stored: dict | None) -> list[int]:
    """The claims whose evidence a change of `instance` (citation or source) changes."""
    label = instance._meta.label_lower
    if label == "knowledge.citation":
        previous = (stored or {}).get("claim_id")
        return sorted({instance.claim_id, previous} - {None})
    # Readers see a cited source's title and URL; its notes and dates are curators' own.
    shown_changed = stored is not None and (stored.get("title"), stored.get("url")) != (
        getattr(instance, "title", None),
        getattr(instance, "url", None),
    )
    if label == "knowledge.source" and shown_changed:
        return list(instance.citations.values_list("claim_id", flat=True))
    return []
