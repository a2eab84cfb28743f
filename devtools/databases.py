"""Throwaway SQLite databases for the benchmark, each swapped in as `default` in turn.

The developer's own database is never opened for writing: each measured database is a
temporary file, migrated once and copied, and `close()` puts the original connection back.
"""

import shutil
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend


def _sqlite_settings(name: Path) -> dict:
    base = connections.settings["default"]
    return {
        **base,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(name),
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {},
        "CONN_MAX_AGE": None,
        "ATOMIC_REQUESTS": False,
        "TEST": {**base.get("TEST", {}), "NAME": None},
    }


class Databases:
    """Throwaway SQLite databases, each swapped in as the `default` connection in turn."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.original = connections["default"]
        self.wrappers = {}

    def make(self, name: str, template: Path | None = None) -> None:
        file = self.directory / f"{name}.sqlite3"
        if template is not None:
            shutil.copyfile(template, file)
        settings_dict = _sqlite_settings(file)
        backend = load_backend(settings_dict["ENGINE"])
        self.wrappers[name] = backend.DatabaseWrapper(settings_dict, "default")
        self.use(name)
        if template is None:
            call_command("migrate", verbosity=0, interactive=False)

    def file(self, name: str) -> Path:
        return Path(self.wrappers[name].settings_dict["NAME"])

    def use(self, name: str) -> None:
        connections["default"] = self.wrappers[name]

    def close(self) -> None:
        for wrapper in self.wrappers.values():
            wrapper.close()
        connections["default"] = self.original
