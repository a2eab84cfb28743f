"""Bump the content version after every committed write to knowledge content.

Model signals would miss too much: `QuerySet.update()` (the admin's bulk actions),
`bulk_create`, raw deletes and raw SQL send none. So instead every database connection gets an
execute wrapper that looks at each statement: an INSERT, UPDATE, DELETE or TRUNCATE of a
content table schedules one bump with `transaction.on_commit`. A rolled-back transaction (or
savepoint) drops the bump with it; a committed one makes the edit visible on the next request.

Why `on_commit`: a bump only before the commit would let another worker rebuild the page
from the old rows and store it under the new version. Inside a transaction we bump at once as
well, so that the writing connection itself (a test, or a service that reads after writing)
never gets a page cached before its own write; the commit-time bump is the one that counts.
Neither can make a save fail: a bump the cache cannot take now is retried in the background
(comparisons/cache.py), and a commit's on_commit callbacks run after the data is committed.
"""

import re

from django.apps import apps
from django.db import transaction
from django.db.backends.signals import connection_created

from .cache import bump_content_version

# Apps whose tables are public content; taggit's tags show on public pages too.
CONTENT_APPS = ("knowledge", "comparisons", "taggit")

_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+[`"]?(\w+)""",
    re.IGNORECASE,
)

_content_tables: frozenset[str] | None = None


def content_tables() -> frozenset[str]:
    global _content_tables
    if _content_tables is None:
        _content_tables = frozenset(
            model._meta.db_table
            for app_label in CONTENT_APPS
            for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
        )
    return _content_tables


def writes_content(sql: str) -> bool:
    match = _WRITE.match(sql)
    if match is None:
        return False
    # TRUNCATE may name several tables; a test flush truncates them all.
    if sql.lstrip()[:8].upper() == "TRUNCATE":
        return any(table in sql for table in content_tables())
    return match.group(1) in content_tables()


def bump_on_commit(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if writes_content(sql):
        connection = context["connection"]
        # One bump per transaction is enough; a savepoint rollback removes a bump registered
        # inside it, so the next write outside registers again.
        if not any(func is bump_content_version for _, func, _ in connection.run_on_commit):
            if connection.in_atomic_block:
                bump_content_version()
                transaction.on_commit(bump_content_version, using=connection.alias)
            else:
                # Autocommit: the statement is committed already. (Manual transaction
                # management, set_autocommit(False), has no on_commit: there the bump comes
                # before the commit, and a reader in between may cache the old rows.)
                bump_content_version()
    return result


def install(*, connection, **kwargs) -> None:
    if bump_on_commit not in connection.execute_wrappers:
        connection.execute_wrappers.append(bump_on_commit)


def connect() -> None:
    """Wrap every connection opened from now on (called from ComparisonsConfig.ready)."""
    connection_created.connect(install, dispatch_uid="comparisons.invalidation.install")
