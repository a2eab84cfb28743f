"""What changed between two versions of a claim, as the people reading its history see it.

The admin's lost-update message and the public claim page both show "old → new" pairs; both
take them from `claim_changes`, so that a choice shows its label, a framework or feature its
name and a date its ISO form alike. How an empty value or a pair is written is each page's.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import Claim


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
        model: dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
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
