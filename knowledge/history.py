"""Claims' history: what changed between two versions, and rows written by hand.

The admin's lost-update message and the public claim page both show "old → new" pairs; both
take them from `claim_changes`, so that a choice shows its label, a framework or feature its
name and a date its ISO form alike. How an empty value or a pair is written is each page's.

`loadkb` saves raw (as `loaddata` does), and simple-history records no raw save; the loader
writes the row itself (`history_record`), with the fixture file as the reason, only when the
object changed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from .models import Citation, Claim, FeatureValue, Release, published_claim

# How a related object is named in an "old → new" pair, where its field is not `name`.
_NAME_FIELDS = {FeatureValue: "label", Release: "version"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str | None  # None: the field was empty
    new: str | None


def claim_changes(old, new, *, fields: Iterable[str] | Mapping[str, str]) -> list[FieldChange]:
    """The fields among `fields` that differ between `old` and `new` (claims or historical
    records of one), in the order given. `fields` may map each name to the label a reader
    sees; otherwise the label is the model field's verbose name. One query per related model
    that changed, never one per field."""
    labels = fields if isinstance(fields, Mapping) else {}
    changed, related_ids = [], {}
    for name in fields:
        model_field = Claim._meta.get_field(name)
        before, after = getattr(old, model_field.attname), getattr(new, model_field.attname)
        if before == after:
            continue
        if model_field.is_relation:
            related_ids.setdefault(model_field.related_model, set()).update({before, after})
        changed.append((model_field, before, after))
    names = {
        model: dict(
            model.objects.filter(pk__in=ids).values_list("pk", _NAME_FIELDS.get(model, "name"))
        )
        for model, ids in related_ids.items()
    }

    def shown(model_field, value) -> str | None:
        if value in (None, ""):
            return None
        if model_field.is_relation:
            value = names[model_field.related_model].get(value, value)
        elif model_field.choices:
            # A value no longer among the choices (renamed since) is shown as stored.
            value = dict(model_field.flatchoices).get(value, value)
        return str(value)

    return [
        FieldChange(
            field=model_field.name,
            label=labels.get(model_field.name, str(model_field.verbose_name)),
            old=shown(model_field, before),
            new=shown(model_field, after),
        )
        for model_field, before, after in changed
    ]


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


# -- The knowledge as it stood at a moment -------------------------------------------------------


def _latest_at(model, moment):
    """Each object's last history row before `moment`, unless that row is its deletion."""
    return model.history.filter(history_date__lt=moment).latest_of_each().exclude(history_type="-")


def claims_published_as_of(*, moment):
    """The claims that were public just before `moment`, as their history rows of then (with
    their fields of then: support, value, rank …). The rule of `published()`, on the past."""
    return _latest_at(Claim, moment).filter(published_claim())


def citations_as_of(*, moment):
    """The citations that existed just before `moment`, as their history rows of then."""
    return _latest_at(Citation, moment)
