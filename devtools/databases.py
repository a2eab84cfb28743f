"""Throwaway databases for the benchmark, of the kind `DATABASE_URL` names, each swapped in as
`default` in turn.

The developer's own database is never written to. On SQLite each measured database is a
temporary file, migrated once and copied; on PostgreSQL it is a database of its own on the
same server (`CREATE DATABASE … TEMPLATE` of one migrated once), named after the configured
one with a `_bm<pid>_` infix, and dropped by `close()`, which also puts the original
connection back.
"""

import os
import shutil
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend


class Databases:
    """Throwaway databases, each swapped in as the `default` connection in turn."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.original = connections["default"]
        self.base = dict(connections.settings["default"])
        self.postgres = self.base["ENGINE"] == "django.db.backends.postgresql"
        self.wrappers = {}

    def describe(self) -> str:
        if self.postgres:
            base = self.base
            where = f"{base['HOST'] or 'socket'}:{base['PORT'] or 5432}"
            return f"postgresql at {where} (throwaway copies of {base['NAME']}, dropped after)"
        return "sqlite (temporary files)"

    def _name(self, name: str) -> str:
        if self.postgres:
            return f"{self.base['NAME']}_bm{os.getpid()}_{name}"
        return str(self.directory / f"{name}.sqlite3")

    def _settings(self, name: str) -> dict:
        settings_dict = {
            **self.base,
            "NAME": self._name(name),
            "CONN_MAX_AGE": None,
            "ATOMIC_REQUESTS": False,
            "TEST": {**self.base.get("TEST", {}), "NAME": None},
        }
        if not self.postgres:
            settings_dict |= {
                "ENGINE": "django.db.backends.sqlite3",
                **dict.fromkeys(("USER", "PASSWORD", "HOST", "PORT"), ""),
                "OPTIONS": {},
            }
        return settings_dict

    def make(self, name: str, template: str | None = None) -> None:
        """A new database `name`: migrated, or a copy of the database `template`."""
        if template is not None:
            self.wrappers[template].close()  # PostgreSQL copies no database in use
            if self.postgres:
                self._admin(
                    f'CREATE DATABASE "{self._name(name)}" TEMPLATE "{self._name(template)}"'
                )
            else:
                shutil.copyfile(self._name(template), self._name(name))
        elif self.postgres:
            self._admin(f'CREATE DATABASE "{self._name(name)}"')
        settings_dict = self._settings(name)
        backend = load_backend(settings_dict["ENGINE"])
        self.wrappers[name] = backend.DatabaseWrapper(settings_dict, "default")
        self.use(name)
        if template is None:
            call_command("migrate", verbosity=0, interactive=False)

    def analyze(self, name: str) -> None:
        """Fresh planner statistics after seeding, as autovacuum would soon give a real
        database; else it may run in the middle of the measurements (SQLite keeps none)."""
        if self.postgres:
            self.use(name)
            with self.wrappers[name].cursor() as cursor:
                cursor.execute("ANALYZE")

    def url(self, name: str) -> str:
        """The `DATABASE_URL` of database `name`, for the child processes."""
        if not self.postgres:
            return f"sqlite:///{self._name(name)}"
        base = self.base
        user = base["USER"] + (f":{base['PASSWORD']}" if base["PASSWORD"] else "")
        host = f"{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}"
        return f"postgres://{user}@{host}/{self._name(name)}"

    def use(self, name: str) -> None:
        connections["default"] = self.wrappers[name]

    def close(self) -> None:
        for wrapper in self.wrappers.values():
            wrapper.close()
        connections["default"] = self.original
        if self.postgres:
            for name in self.wrappers:
                self._admin(f'DROP DATABASE IF EXISTS "{self._name(name)}" WITH (FORCE)')
        self.wrappers.clear()

    def _admin(self, statement: str) -> None:
        # Names are ours (the configured name, a pid, a word): quoted, never from input.
        with self.original._nodb_cursor() as cursor:
            cursor.execute(statement)
