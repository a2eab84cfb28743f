"""The shipped content survives dumpdata/loaddata with natural keys, and dumpkb reproduces it."""

import io

import pytest
from django.core.management import call_command

from knowledge.loading import FIXTURE_FILES, SHIPPED_MODELS
from tests.knowledge.shipped_kb import FIXTURES_DIR, content, delete_shipped, load_shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(db):
    delete_shipped()
    load_shipped()


def test_dumpdata_with_natural_keys_loads_into_an_empty_database_as_the_same_content(
    shipped, tmp_path
):
    dump = tmp_path / "kb.json"
    call_command(
        "dumpdata",
        *SHIPPED_MODELS,
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        stdout=io.StringIO(),
    )
    original = content(exclude=())

    delete_shipped()
    assert not any(content().values())
    call_command("loaddata", str(dump), stdout=io.StringIO())

    reloaded = content(exclude=())
    for label in SHIPPED_MODELS:
        assert reloaded[label] == original[label], label
    assert sum(map(len, reloaded.values())) > 600


def test_dumpkb_writes_the_shipped_files_back_byte_for_byte(shipped, tmp_path):
    """The maintainer's loop (loadkb, edit, dumpkb) must not churn files nobody changed."""
    call_command("dumpkb", str(tmp_path), stdout=io.StringIO())

    for name in FIXTURE_FILES:
        written = (tmp_path / name).read_text(encoding="utf-8")
        assert written == (FIXTURES_DIR / name).read_text(encoding="utf-8"), name
        assert "_html" not in written, f"{name} carries rendered markdown"
