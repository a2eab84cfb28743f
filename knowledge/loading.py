"""Loading knowledge-base fixtures safely: everything validated, all or nothing.

`loaddata` saves what a fixture says without running model validation, so a fixture could
publish a claim without a citation, store a `javascript:` URL or a second preferred claim for
a cell. `load_fixture_files` deserializes the same natural-key JSON itself, runs `full_clean()`
(fields, uniqueness and constraints) on every object before saving it, checks the publish rule
once everything is in, and commits only if nothing failed. Errors name the file, the object
(model and natural key) and the field.

The layout of the shipped fixtures lives here too, so `dumpkb` writes what `loadkb` reads.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from .models import Claim
from .services import UNSOURCED_MESSAGE

FIXTURE_FILES = {
    "01_taxonomy.json": [
        "knowledge.category",
        "knowledge.feature",
        "taggit.tag",
        "knowledge.taggedfeature",
    ],
    "02_frameworks.json": ["knowledge.framework", "knowledge.taggedframework"],
    "03_sources.json": ["knowledge.source"],
    "04_claims.json": ["knowledge.claim", "knowledge.citation"],
    "05_comparisons.json": ["comparisons.comparison", "comparisons.comparisonframework"],
}

SHIPPED_MODELS = [label for labels in FIXTURE_FILES.values() for label in labels]

# Rendered markdown is derived from its source field on save, so fixtures never carry it.
DERIVED_FIELD_SUFFIX = "_html"

PROGRESS_EVERY = 500
MAX_REPORTED_ERRORS = 25


class FixtureLoadError(Exception):
    """Loading failed; `errors` lists every problem found, each a full sentence."""

    def __init__(self, errors):
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        lines = [f"Nothing was loaded: {len(errors)} problem(s) found."] + shown
        if more:
            lines.append(f"… and {more} more.")
        super().__init__("\n".join(lines))


@dataclass
class LoadReport:
    """What was loaded: counts per file and per model."""

    per_file: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(sum(counts.values()) for counts in self.per_file.values())


@dataclass
class _Loaded:
    """One deserialized object, remembered until the load is complete."""

    path: Path
    index: int
    deserialized: object

    @property
    def instance(self):
        return self.deserialized.object

    def describe(self):
        return f"{self.path}: {describe_object(self.instance, self.index)}"


def describe_object(instance, index=None):
    """`knowledge.claim ('django', 'orm', 'docs')`: the model and the natural key."""
    label = instance._meta.label_lower
    try:
        key = instance.natural_key()
    except (AttributeError, ObjectDoesNotExist, TypeError, ValueError):
        key = None
    where = f" (object #{index + 1})" if index is not None else ""
    if key:
        return f"{label} {tuple(key)!r}{where}"
    return f"{label}{where}"


def validation_messages(error):
    """`field: message` strings from a ValidationError, `__all__` named as the object."""
    if hasattr(error, "error_dict"):
        return [
            f"{'(object)' if name == '__all__' else name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def load_fixture_files(paths, *, progress=None):
    """Load the fixture files at `paths` in one transaction; return a LoadReport.

    Raises FixtureLoadError, with the database left exactly as it was, if any file cannot be
    read or any object is invalid. `progress`, if given, is called with a line of text.
    """
    say = progress or (lambda line: None)
    errors = []
    report = LoadReport()
    try:
        with transaction.atomic():
            loaded = []
            found = set()  # natural keys already seen to exist, so each is looked up once
            for path in map(Path, paths):
                loaded.extend(_load_file(path, errors, report, say, found))
            _finish_forward_references(loaded, errors)
            if not errors:
                errors.extend(_publish_rule_errors(loaded))
            if errors:
                raise FixtureLoadError(errors)
    except DatabaseError as error:
        # A constraint the validation did not foresee, or a lost connection: still nothing saved.
        raise FixtureLoadError(errors + [f"The database refused the data: {error}"]) from error
    return report


def _read_objects(path, errors):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(f"{path}: no such file.")
        return None
    except (OSError, UnicodeDecodeError) as error:
        errors.append(f"{path}: cannot be read: {error}.")
        return None
    if not text.strip():
        errors.append(f"{path}: the file is empty; a fixture is a JSON list of objects.")
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        errors.append(
            f"{path}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        )
        return None
    if not isinstance(data, list):
        errors.append(f"{path}: the top level must be a JSON list of objects.")
        return None
    return data


def _load_file(path, errors, report, say, found):
    data = _read_objects(path, errors)
    if data is None:
        return []
    counts = Counter()
    loaded = []
    for index, item in enumerate(data):
        entry = _load_object(path, index, item, errors, found)
        if entry is not None:
            loaded.append(entry)
            counts[entry.instance._meta.label_lower] += 1
        if (index + 1) % PROGRESS_EVERY == 0:
            say(f"{path}: {index + 1} of {len(data)} objects read")
    report.per_file[str(path)] = dict(counts)
    summary = ", ".join(f"{label}: {count}" for label, count in counts.items()) or "nothing"
    say(f"{path}: {sum(counts.values())} objects ({summary})")
    return loaded


def _load_object(path, index, item, errors, found):
    where = f"{path}: object #{index + 1}"
    if not isinstance(item, dict) or "model" not in item:
        errors.append(f'{where}: each object needs a "model" and its "fields".')
        return None
    label = str(item.get("model", "")).lower()
    if label not in SHIPPED_MODELS:
        errors.append(
            f"{where}: model {item.get('model')!r} is not part of the knowledge base "
            f"(expected one of {', '.join(SHIPPED_MODELS)})."
        )
        return None
    item.setdefault("fields", {})
    if not isinstance(item["fields"], dict):
        errors.append(f'{where} ({label}): "fields" must be a JSON object.')
        return None
    where = f"{path}: {label} {_raw_key(label, item['fields'])} (object #{index + 1})"
    model = apps.get_model(label)
    problems = _field_errors(model, item["fields"]) or _missing_references(
        model, item["fields"], found
    )
    if problems:
        errors.extend(f"{where}: {message}" for message in problems)
        return None
    try:
        (deserialized,) = serializers.deserialize("python", [item], handle_forward_references=True)
    except DeserializationError as error:
        errors.append(f"{where}: {_deserialization_message(error)}")
        return None
    except Exception as error:  # noqa: BLE001 - any bad input must become a message
        errors.append(f"{where}: {_deserialization_message(error)}")
        return None
    entry = _Loaded(path, index, deserialized)
    if not _check_references(entry, errors):
        return None
    # Without a "pk" in the fixture, a primary key can only come from a natural-key match.
    matched = item.get("pk") is None and deserialized.object.pk is not None
    if not _validate(
        entry, errors, exclude=set(deserialized.deferred_fields or {}), matched=matched
    ):
        return None
    _save(entry, errors)
    return entry


# The fields each shipped model's natural key is made of, in order.
_NATURAL_KEY_FIELDS = {
    "knowledge.category": ["slug"],
    "knowledge.feature": ["slug"],
    "knowledge.framework": ["slug"],
    "taggit.tag": ["name"],
    "knowledge.taggedfeature": ["content_object", "tag"],
    "knowledge.taggedframework": ["content_object", "tag"],
    "knowledge.claim": ["framework", "feature", "key"],
    "knowledge.citation": ["claim", "source"],
    "comparisons.comparison": ["slug"],
    "comparisons.comparisonframework": ["comparison", "framework"],
}


def _raw_key(label, fields):
    """The object's natural key as the fixture spells it, for messages about invalid objects."""
    if label == "knowledge.source":
        names = ["url"] if fields.get("url") else ["title", "publisher"]
    else:
        names = _NATURAL_KEY_FIELDS.get(label, [])
    parts = []
    for name in names:
        value = fields.get(name, "")
        if isinstance(value, list):
            parts.extend(str(part) for part in value)
        else:
            parts.append("" if value is None else str(value))
    return repr(tuple(parts))


def _field_errors(model, fields):
    """Unknown fields and values of the wrong type, each named by its field.

    The deserializer would stop at the first of these with a message that does not say which
    field was wrong, so they are checked here first.
    """
    messages = []
    for name, value in fields.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            messages.append(f"{name}: {model._meta.label_lower} has no such field.")
            continue
        if model_field.is_relation:
            if value is not None and not isinstance(value, list | int | str):
                messages.append(f"{name}: expected a natural key (a JSON list), got {value!r}.")
            continue
        if value is None:
            continue  # null on a non-null field is reported by validation, with its field
        try:
            model_field.to_python(value)
        except ValidationError as error:
            messages.extend(f"{name}: {message}" for message in error.messages)
        except (TypeError, ValueError) as error:
            messages.append(f"{name}: {value!r} is not a valid value ({error}).")
    return messages


def _missing_references(model, fields, found):
    """Messages for natural-key references (foreign keys, many-to-many) that match nothing."""
    messages = []
    for name, value in fields.items():
        model_field = model._meta.get_field(name)
        if not model_field.is_relation or value is None:
            continue
        keys = value if model_field.many_to_many else [value]
        if not isinstance(keys, list):
            continue
        related = model_field.remote_field.model
        manager = related._default_manager
        for key in keys:
            if not isinstance(key, list) or not hasattr(manager, "get_by_natural_key"):
                continue
            if (related, tuple(key)) in found:
                continue
            try:
                manager.get_by_natural_key(*key)
                found.add((related, tuple(key)))
            except related.DoesNotExist:
                messages.append(
                    f"{name}: no {related._meta.label_lower} with natural key {tuple(key)!r}."
                )
            except (TypeError, ValueError, related.MultipleObjectsReturned) as error:
                messages.append(f"{name}: {tuple(key)!r} is not a valid natural key ({error}).")
    return messages


def _deserialization_message(error):
    # Django wraps the underlying problem; its own text says what and where.
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ValidationError):
        return "; ".join(cause.messages)
    text = str(error)
    if isinstance(cause, ObjectDoesNotExist) or "matching query does not exist" in text:
        return f"refers to an object that does not exist ({text})"
    return text


def _check_references(entry, errors):
    """A reference to a missing object is an error at once unless the field may wait.

    `handle_forward_references` defers any foreign key whose target is not there yet; a
    non-nullable one could never be saved empty, so report it now, naming the missing key.
    """
    ok = True
    for model_field, key in (entry.deserialized.deferred_fields or {}).items():
        if not getattr(model_field, "null", False):
            target = model_field.remote_field.model._meta.label_lower
            errors.append(
                f"{entry.describe()}: {model_field.name}: no {target} with natural key "
                f"{tuple(key)!r}; load it earlier or fix the reference."
            )
            ok = False
    return ok


def _validate(entry, errors, exclude=(), matched=False):
    instance = entry.instance
    model = type(instance)
    if matched or (
        instance.pk is not None and model._default_manager.filter(pk=instance.pk).exists()
    ):
        # Already stored (matched by natural key, or a pk that exists): this is an update, so
        # the uniqueness checks must compare it with the other rows, never with itself.
        instance._state.adding = False
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        for message in validation_messages(error):
            errors.append(f"{entry.describe()}: {message}")
        return False
    return True


def _save(entry, errors):
    instance = entry.instance
    now = timezone.now()
    for name in ("created_at", "updated_at"):
        # A hand-written fixture may leave out the timestamps; a raw save would store NULL.
        if hasattr(instance, name) and getattr(instance, name) is None:
            setattr(instance, name, now)
    try:
        with transaction.atomic():
            entry.deserialized.save()
    except DatabaseError as error:
        errors.append(f"{entry.describe()}: the database refused it: {error}")


def _finish_forward_references(loaded, errors):
    for entry in loaded:
        if not entry.deserialized.deferred_fields:
            continue
        try:
            entry.deserialized.save_deferred_fields()
        except (ObjectDoesNotExist, DeserializationError) as error:
            names = ", ".join(f.name for f in entry.deserialized.deferred_fields)
            errors.append(f"{entry.describe()}: {names}: refers to a missing object ({error}).")
            continue
        _validate(entry, errors)


def _publish_rule_errors(loaded):
    """Every published claim needs a citation; checked once every file is in."""
    loaded_from = {
        entry.instance.pk: entry.path
        for entry in loaded
        if entry.instance._meta.label_lower == "knowledge.claim"
    }
    unsourced = (
        Claim.objects.published()
        .without_citation()
        .select_related("framework", "feature")
        .order_by("framework__slug", "feature__slug", "key")
    )
    errors = []
    for claim in unsourced:
        where = loaded_from.get(claim.pk, "the database")
        errors.append(f"{where}: {describe_object(claim)}: status: {UNSOURCED_MESSAGE}")
    return errors


def shipped_model_classes():
    return [apps.get_model(label) for label in SHIPPED_MODELS]
