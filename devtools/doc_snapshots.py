"""Page texts for `verifykb --snapshot-dir`, copied from documentation sources on disk.

A documentation source's notes name the file its page is built from ("Read from the reST
source docs/faq/general.txt in the Django 5.2.19 source distribution…", "The repository's
README.md, read from…"). Given a tree of files at the revision the page shows (an unpacked
sdist, or `git archive` of a tag) for each URL prefix, each such file is copied to the name
verifykb looks for (knowledge.verification.snapshots), as plain text: verifykb's matching
drops reST and Markdown markup itself, so the source file is the page's text.

The trees come from outside (PyPI sdists, a repository's tag); nothing here downloads them,
and the texts written are never committed (they are the frameworks' documents, not ours).
"""

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.models import Source
from knowledge.verification.snapshots import snapshot_name

# How the notes name the file read: "… source docs/x.txt in …" or "The repository's README.md".
_FILE_IN_NOTES = re.compile(r"\b(?:source|repository's) ((?:[\w.-]+/)*[\w.-]+\.(?:txt|rst|md))\b")


def file_in_notes(notes: str) -> str | None:
    """The path, inside its tree, of the file a source's notes say was read; None if none."""
    found = _FILE_IN_NOTES.search(notes)
    return found.group(1) if found else None


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    no_tree: list[str] = field(default_factory=list)  # URLs no --tree prefix covers
    no_file_named: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "URL: path" not in its tree


def _tree_for(url: str, trees: dict[str, Path]) -> tuple[str, Path] | None:
    prefixes = [prefix for prefix in trees if url.startswith(prefix)]
    if not prefixes:
        return None
    longest = max(prefixes, key=len)  # the most specific prefix wins
    return longest, trees[longest]


def build(*, trees: dict[str, Path], out: Path) -> Report:
    """Write one snapshot file in `out` per source with a URL that a tree in `trees` covers."""
    report = Report()
    for source in Source.objects.exclude(url="").order_by("url").only("url", "notes"):
        tree = _tree_for(source.url, trees)
        if tree is None:
            report.no_tree.append(source.url)
            continue
        path = file_in_notes(source.notes)
        if path is None:
            report.no_file_named.append(source.url)
            continue
        original = tree[1] / path
        if not original.is_file():
            report.missing.append(f"{source.url}: {original}")
            continue
        target = out / f"{snapshot_name(source.url)}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, target)
        report.written.append(source.url)
    return report
