"""snapshotdocs: each documentation source's file, copied to the name verifykb reads."""

import pytest
from django.core.management import CommandError, call_command

from knowledge.verification import run
from knowledge.verification.snapshots import snapshot_file
from tests.factories import make_citation, make_source

DOCS = "https://docs.example.org/en/2.0/"


def _tree(tmp_path):
    tree = tmp_path / "framework-2.0"
    (tree / "docs" / "topics").mkdir(parents=True)
    (tree / "docs" / "topics" / "urls.txt").write_text(
        "URL dispatcher\n==============\n\nA clean, elegant URL scheme is an important detail.\n",
        encoding="utf-8",
    )
    return tree


@pytest.mark.django_db
def test_the_file_the_notes_name_is_written_where_verifykb_reads_it(tmp_path):
    source = make_source(
        url=f"{DOCS}topics/http/urls/",
        notes="Read from the reST source docs/topics/urls.txt in the 2.0 sdist on 2026-12-01.",
    )
    make_citation(source=source, quote="A clean, elegant URL scheme is an important detail.")
    out = tmp_path / "pages"

    call_command("snapshotdocs", str(out), "--tree", f"{DOCS}={_tree(tmp_path)}")

    path, kind = snapshot_file(out, source.url)
    assert kind == "text"
    assert "elegant URL scheme" in path.read_text(encoding="utf-8")
    summary = run.run(run.sources_to_check(pks=[source.pk]), snapshot_dir=out)
    assert summary.counts == {"verified": 1}


@pytest.mark.django_db
def test_sources_outside_the_trees_or_naming_no_file_are_reported_not_written(tmp_path, capsys):
    make_source(url="https://elsewhere.example.org/page/", notes="Read from docs/x.txt.")
    make_source(url=f"{DOCS}intro/", notes="Read on the web.")
    make_source(url=f"{DOCS}gone/", notes="Read from the reST source docs/gone.txt in it.")
    out = tmp_path / "pages"

    call_command("snapshotdocs", str(out), "--tree", f"{DOCS}={_tree(tmp_path)}")

    printed = capsys.readouterr()
    assert "0 text(s) written" in printed.out
    assert "1 source(s) outside every tree, 1 naming no file, 1 missing" in printed.out
    assert f"no file named in the notes: {DOCS}intro/" in printed.err
    assert not out.exists() or not any(out.rglob("*.txt"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tree, message",
    [("docs-without-prefix", "give URL_PREFIX=DIR"), (f"{DOCS}=/no/such/dir", "not a directory")],
)
def test_a_bad_tree_is_refused_and_writes_nothing(tmp_path, tree, message):
    out = tmp_path / "pages"
    with pytest.raises(CommandError, match=message):
        call_command("snapshotdocs", str(out), "--tree", tree)
    assert not out.exists()
