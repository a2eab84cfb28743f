"""The shipped knowledge base in tests: where its fixtures are, loading it, and comparing it."""

import datetime
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from knowledge.loading import FIXTURE_FILES, SHIPPED_MODELS, load_fixture_files
from knowledge.models import Citation, Claim, Source

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SHIPPED_FIXTURES = [FIXTURES_DIR / name for name in FIXTURE_FILES]


def load_shipped():
    """The shipped fixtures in the database, exactly as `loadkb` leaves them.

    The loader validates every object and looks up every natural key, so a real load takes
    seconds, and dozens of tests start from the shipped content: it was the longest part of
    the suite. So the real loader runs the first time in a test process, and the rows it wrote
    are kept (`_Capture`); a later call inserts those rows again, when every table the load
    wrote to is as it was before that first load (otherwise it loads for real). The loader
    itself is tested by calling it (tests/knowledge/test_loadkb.py), and
    tests/knowledge/test_shipped_kb.py holds a restore equal to a real load.
    """
    capture = _captures.get(_database_key())
    if capture is not None and capture.restorable():
        return capture.restore()
    capture = _Capture()
    report = load_fixture_files(SHIPPED_FIXTURES)
    if capture.take(report):
        _captures[_database_key()] = capture
    return report


_captures = {}


def _database_key():
    return (connection.vendor, connection.settings_dict["NAME"])


def _all_models():
    """Every table's model once: proxies share their model's table."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _rows(model):
    """The columns of the model's own table (as fields), and its rows by primary key."""
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    names = [f.attname for f in fields]
    key = names.index(model._meta.pk.attname)
    rows = model._base_manager.order_by("pk").values_list(*names)
    return fields, {row[key]: row for row in rows}


class _Capture:
    """The rows one real load of the shipped fixtures added, and the tables' state before it."""

    def __init__(self):
        self.started = timezone.now()
        self.before = {model: _rows(model)[1] for model in _all_models()}

    def take(self, report):
        """Keep what the load wrote; False (nothing kept) if it wrote nothing, or changed or
        removed any row that was there before, since inserting rows could not do that."""
        ended = timezone.now()
        self.report = report
        self.added = {}
        for model, before in self.before.items():
            fields, after = _rows(model)
            if after == before:
                continue
            if any(after.get(pk) != row for pk, row in before.items()):
                return False
            self.added[model] = (fields, [row for pk, row in after.items() if pk not in before])
        # A restore needs these tables as they were, and the ones their rows point to besides
        # (content types, say, which a test's flush makes anew under other keys).
        needed = set(self.added) | {
            field.related_model._meta.concrete_model
            for model, (fields, rows) in self.added.items()
            for column, field in enumerate(fields)
            if field.is_relation and any(row[column] is not None for row in rows)
        }
        self.before = {model: rows for model, rows in self.before.items() if model in needed}
        # The times the load stamped, in order: a restore gives them the same order, ending
        # just before it (moving them all by one offset would put the last ones, stamped
        # seconds after the load began, in the future of what a test does next).
        stamped = sorted(
            {
                value
                for _, rows in self.added.values()
                for row in rows
                for value in row
                if isinstance(value, datetime.datetime) and self.started <= value <= ended
            }
        )
        self.stamps = {value: len(stamped) - rank for rank, value in enumerate(stamped)}
        return bool(self.added)

    def restorable(self):
        return all(_rows(model)[1] == before for model, before in self.before.items())

    def restore(self):
        """Insert the kept rows as they were, their primary keys included, in one transaction
        (the citation rule is checked at its commit on PostgreSQL). The times the load itself
        stamped (between its start and end) become the last microseconds before now, in their
        order, as a load now would stamp them; the fixtures' own times stay as they are. (No
        date is stamped by a load: no date field has a default.)"""
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            for model, (fields, rows) in self.added.items():
                columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                    f"({columns}) VALUES ({marks})",
                    [
                        [
                            f.get_db_prep_save(self._moved(value, now), connection)
                            for f, value in zip(fields, row, strict=True)
                        ]
                        for row in rows
                    ],
                )
            # Rows inserted with their keys leave PostgreSQL's sequences behind them.
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.added)):
                cursor.execute(sql)
        return self.report

    def _moved(self, value, now):
        if isinstance(value, datetime.datetime):
            before = self.stamps.get(value)
            return value if before is None else now - datetime.timedelta(microseconds=before)
        return value


def delete_shipped():
    """Remove the shipped content (and the history its deletion writes), dependants first, in
    one transaction: on PostgreSQL a commit that leaves a published claim without its citations
    is refused (knowledge migration 0002), and the citations go before their claims."""
    with transaction.atomic():
        for label in reversed(SHIPPED_MODELS):
            apps.get_model(label)._base_manager.all().delete()
        for model in (Claim, Citation, Source):
            model.history.all().delete()


def database_snapshot():
    """Every row of every table, to prove that a failed load changed nothing at all."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
    }


def _value(obj, model_field):
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return None if related is None else tuple(related.natural_key())
    value = getattr(obj, model_field.attname)
    # A JSON list or object (a fetch's redirects) is compared by its text, which is hashable.
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def content(*, labels=SHIPPED_MODELS, exclude=("created_at", "updated_at")):
    """For each shipped model, the set of (natural key, field values) of its rows.

    Primary keys differ between databases and so are left out; references are given by the
    natural key of what they point to, the way fixtures spell them.
    """
    result = {}
    for label in labels:
        model = apps.get_model(label)
        fields = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.name not in exclude
        ]
        many = list(model._meta.many_to_many)
        rows = set()
        for obj in model._base_manager.all():
            values = tuple((f.name, _value(obj, f)) for f in fields)
            values += tuple(
                (f.name, tuple(sorted(tuple(o.natural_key()) for o in getattr(obj, f.name).all())))
                for f in many
                if f.serialize
            )
            rows.add((tuple(obj.natural_key()), values))
        result[label] = rows
    return result
