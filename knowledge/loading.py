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

from . import history
from .former_slug_fixtures import FORMER_SLUG, former_slug_fields_resolve
from .models import Claim
from .services import UNSOURCED_MESSAGE, breaks_citation_rule

FIXTURE_FILES = {
    "01_taxonomy.json": [
        "knowledge.category",
        "knowledge.feature",
        "knowledge.featurevalue",
        "taggit.tag",
        "knowledge.taggedfeature",
    ],
    "02_frameworks.json": [
        "knowledge.framework",
        "knowledge.release",
        "knowledge.taggedframework",
    ],
    "03_sources.json": ["knowledge.source"],
    "04_claims.json": ["knowledge.claim", "knowledge.citation"],
    # What `verifykb` last found; written by `dumpkb` after a run (see README, "Verification").
    "06_verification.json": ["knowledge.sourcefetch", "knowledge.citationverification"],
    # Last: a former slug names an object of any of the files above.
    "07_former_slugs.json": [FORMER_SLUG],
}


def _added_by_apps(attribute: str) -> dict:
    """What installed apps add to the tables below through an attribute of their AppConfig
    (`knowledge_base_fixtures`, `knowledge_base_natural_keys`): this module names no other
    app, and an app that is not installed adds nothing."""
    added = {}
    for config in apps.get_app_configs():
        added.update(getattr(config, attribute, {}))
    return added


# In load order: the files are numbered.
FIXTURE_FILES = dict(sorted({**FIXTURE_FILES, **_added_by_apps("knowledge_base_fixtures")}.items()))

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
    kept: list = field(default_factory=list)

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


def load_fixture_files(paths, *, progress=None, overwrite=False):
    """Load the fixture files at `paths` in one transaction; return a LoadReport.

    Raises FixtureLoadError, with the database left exactly as it was, if any file cannot be
    read or any object is invalid. `progress`, if given, is called with a line of text.

    An object stored with a later `updated_at` than the fixture's was edited since the fixture
    was written (in the admin, say); it is kept, and listed in the report, unless `overwrite`.
    """
    return _Load(progress or (lambda line: None), overwrite).run([Path(p) for p in paths])


class _Load:
    """One run of the loader: the errors found so far and what was loaded or kept."""

    def __init__(self, say, overwrite):
        self.say = say
        self.overwrite = overwrite
        self.errors = []
        self.report = LoadReport()
        self.loaded = []
        self.found = set()  # natural keys already seen to exist, so each is looked up once
        self.created = set()  # (model, pk) of the objects this load created

    def run(self, paths):
        try:
            with transaction.atomic():
                for path in paths:
                    self.load_file(path)
                self.finish_forward_references()
                if not self.errors:
                    self.errors.extend(_publish_rule_errors(self.loaded))
                if self.errors:
                    raise FixtureLoadError(self.errors)
        except DatabaseError as error:
            if breaks_citation_rule(error):
                # PostgreSQL's own check (migration 0002): a concurrent write, or one the
                # checks above did not see, left a published claim without a citation.
                raise FixtureLoadError(
                    self.errors + [f"the database: {UNSOURCED_MESSAGE}"]
                ) from error
            # A constraint validation did not foresee, or a lost connection: nothing is saved.
            raise FixtureLoadError(
                self.errors + [f"The database refused the data: {error}"]
            ) from error
        return self.report

    def load_file(self, path):
        data = _read_objects(path, self.errors)
        if data is None:
            return
        counts = Counter()
        for index, item in enumerate(data):
            entry = self.load_object(path, index, item)
            if entry is not None:
                self.loaded.append(entry)
                counts[entry.instance._meta.label_lower] += 1
            if (index + 1) % PROGRESS_EVERY == 0:
                self.say(f"{path}: {index + 1} of {len(data)} objects read")
        self.report.per_file[str(path)] = dict(counts)
        summary = ", ".join(f"{label}: {count}" for label, count in counts.items()) or "nothing"
        self.say(f"{path}: {sum(counts.values())} objects ({summary})")

    def load_object(self, path, index, item):
        where = f"{path}: object #{index + 1}"
        if not isinstance(item, dict) or "model" not in item:
            self.errors.append(f'{where}: each object needs a "model" and its "fields".')
            return None
        label = str(item.get("model", "")).lower()
        if label not in SHIPPED_MODELS:
            self.errors.append(
                f"{where}: model {item.get('model')!r} is not part of the knowledge base "
                f"(expected one of {', '.join(SHIPPED_MODELS)})."
            )
            return None
        item.setdefault("fields", {})
        if not isinstance(item["fields"], dict):
            self.errors.append(f'{where} ({label}): "fields" must be a JSON object.')
            return None
        where = f"{path}: {label} {_raw_key(label, item['fields'])} (object #{index + 1})"
        model = apps.get_model(label)
        problems = (
            (former_slug_fields_resolve(item["fields"]) if label == FORMER_SLUG else [])
            or _field_errors(model, item["fields"])
            or self.missing_references(model, item["fields"])
        )
        if problems:
            self.errors.extend(f"{where}: {message}" for message in problems)
            return None
        try:
            (deserialized,) = serializers.deserialize(
                "python", [item], handle_forward_references=True
            )
        except Exception as error:  # noqa: BLE001 - any bad input must become a message
            self.errors.append(f"{where}: {_deserialization_message(error)}")
            return None
        entry = _Loaded(path, index, deserialized)
        if not self.check_references(entry):
            return None
        # Without a "pk" in the fixture, a primary key can only come from a natural-key match.
        matched = item.get("pk") is None and deserialized.object.pk is not None
        if matched and not self.overwrite and self.edited_since_dump(entry.instance):
            self.report.kept.append(entry.describe())
            return None
        if not self.validate(
            entry, exclude=set(deserialized.deferred_fields or {}), matched=matched
        ):
            return None
        self.save(entry)
        return entry

    def missing_references(self, model, fields):
        """Messages for natural-key references (foreign keys, many-to-many) matching nothing."""
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
                    continue  # a plain primary key: validation checks that it exists
                if not all(isinstance(part, str) for part in key):
                    # Every shipped natural key is made of strings; anything else would reach
                    # the database as a mistyped parameter and, on PostgreSQL, abort the load.
                    messages.append(f"{name}: {key!r} is not a natural key (a list of strings).")
                    continue
                if (related, tuple(key)) in self.found:
                    continue
                try:
                    with transaction.atomic():
                        manager.get_by_natural_key(*key)
                    self.found.add((related, tuple(key)))
                except related.DoesNotExist:
                    messages.append(
                        f"{name}: no {related._meta.label_lower} with natural key {tuple(key)!r}."
                    )
                except (
                    TypeError,
                    ValueError,
                    DatabaseError,
                    related.MultipleObjectsReturned,
                ) as error:
                    messages.append(f"{name}: {tuple(key)!r} is not a valid natural key ({error}).")
        return messages

    def check_references(self, entry):
        """A reference to a missing object is an error at once unless the field may wait.

        `handle_forward_references` defers any foreign key whose target is not there yet; a
        non-nullable one could never be saved empty, so report it now, naming the missing key.
        """
        ok = True
        for model_field, key in (entry.deserialized.deferred_fields or {}).items():
            if not getattr(model_field, "null", False):
                target = model_field.remote_field.model._meta.label_lower
                self.errors.append(
                    f"{entry.describe()}: {model_field.name}: no {target} with natural key "
                    f"{tuple(key)!r}; load it earlier or fix the reference."
                )
                ok = False
        return ok

    @staticmethod
    def edited_since_dump(instance):
        if getattr(instance, "updated_at", None) is None:
            return False
        stored = (
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        return stored is not None and stored > instance.updated_at

    def validate(self, entry, exclude=(), matched=False):
        instance = entry.instance
        model = type(instance)
        try:
            # Checked before the lookup below, which an out-of-range key would make fail.
            model._meta.pk.run_validators(instance.pk)
        except ValidationError as error:
            self.errors.extend(f"{entry.describe()}: pk: {m}" for m in error.messages)
            return False
        if matched or (
            instance.pk is not None and model._default_manager.filter(pk=instance.pk).exists()
        ):
            # Already stored (matched by natural key, or a pk that exists): an update, so the
            # uniqueness checks must compare it with the other rows, never with itself.
            instance._state.adding = False
        try:
            instance.full_clean(
                exclude=list(exclude), validate_unique=True, validate_constraints=True
            )
        except ValidationError as error:
            for message in validation_messages(error):
                self.errors.append(f"{entry.describe()}: {message}")
            return False
        return True

    def save(self, entry):
        instance = entry.instance
        now = timezone.now()
        for name in ("created_at", "updated_at"):
            # A hand-written fixture may leave out the timestamps; a raw save would store NULL.
            if hasattr(instance, name) and getattr(instance, name) is None:
                setattr(instance, name, now)
        recorded = hasattr(type(instance), "history")
        stored = history.stored_values(instance) if recorded else None
        try:
            with transaction.atomic():
                entry.deserialized.save()
        except DatabaseError as error:
            self.errors.append(f"{entry.describe()}: the database refused it: {error}")
            return
        if recorded and history.content_changed(instance, stored):
            # A raw save records no history; a reader must still see what the fixture changed.
            history.history_record(instance, created=stored is None, reason=f"loadkb {entry.path}")
            if stored is None:
                self.created.add((type(instance), instance.pk))
            changed = history.evidence_changed_claim_ids(instance, stored)
            # A claim loaded with its citations has no earlier evidence that could have changed.
            history.claims_mark_evidence_changed(
                claim_ids=[pk for pk in changed if (Claim, pk) not in self.created]
            )

    def finish_forward_references(self):
        for entry in self.loaded:
            if not entry.deserialized.deferred_fields:
                continue
            try:
                entry.deserialized.save_deferred_fields()
            except (ObjectDoesNotExist, DeserializationError) as error:
                names = ", ".join(f.name for f in entry.deserialized.deferred_fields)
                self.errors.append(
                    f"{entry.describe()}: {names}: refers to a missing object ({error})."
                )
                continue
            self.validate(entry)


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


# The fields each shipped model's natural key is made of, in order.
_NATURAL_KEY_FIELDS = {
    "knowledge.category": ["slug"],
    "knowledge.feature": ["slug"],
    "knowledge.featurevalue": ["feature", "slug"],
    "knowledge.framework": ["slug"],
    "knowledge.release": ["framework", "version"],
    "taggit.tag": ["name"],
    "knowledge.taggedfeature": ["content_object", "tag"],
    "knowledge.taggedframework": ["content_object", "tag"],
    "knowledge.claim": ["framework", "feature", "key"],
    "knowledge.citation": ["claim", "source"],
    FORMER_SLUG: ["content_type", "slug"],
    **_added_by_apps("knowledge_base_natural_keys"),
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


def _deserialization_message(error):
    # Django wraps the underlying problem; its own text says what and where.
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ValidationError):
        return "; ".join(cause.messages)
    text = str(error)
    if isinstance(cause, ObjectDoesNotExist) or "matching query does not exist" in text:
        return f"refers to an object that does not exist ({text})"
    return text


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
