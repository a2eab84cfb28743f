"""A complete history: what loadkb writes, citation and source changes, and "last changed"."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from knowledge.loading import load_fixture_files
from knowledge.models import Citation, Claim, Source
from tests.factories import make_citation, make_claim, make_source
from tests.knowledge.admin_helpers import change_url, form_data

pytestmark = pytest.mark.django_db

QUOTE = "Blueprints can greatly simplify how large applications work."


def fixture(tmp_path, *, statement="Flask has blueprints.", quote=QUOTE, name="kb.json"):
    objects = [
        {"model": "knowledge.category", "fields": {"name": "Structure", "slug": "structure"}},
        {
            "model": "knowledge.feature",
            "fields": {"name": "Blueprints", "slug": "blueprints", "category": ["structure"]},
        },
        {"model": "knowledge.framework", "fields": {"name": "Flask", "slug": "flask"}},
        {
            "model": "knowledge.source",
            "fields": {"title": "Blueprints", "url": "https://example.org/blueprints/"},
        },
        {
            "model": "knowledge.claim",
            "fields": {
                "framework": ["flask"],
                "feature": ["blueprints"],
                "key": "docs",
                "statement": statement,
                "support": "yes",
                "status": "published",
                "updated_at": "2026-11-21T08:00:00Z",
                "created_at": "2026-11-21T08:00:00Z",
            },
        },
        {
            "model": "knowledge.citation",
            "fields": {
                "claim": ["flask", "blueprints", "docs"],
                "source": ["https://example.org/blueprints/"],
                "quote": quote,
                "updated_at": "2026-11-21T08:00:00Z",
                "created_at": "2026-11-21T08:00:00Z",
            },
        },
    ]
    path = tmp_path / name
    path.write_text(json.dumps(objects))
    return path


def test_loadkb_records_each_loaded_claim_citation_and_source_with_the_file_as_reason(tmp_path):
    path = fixture(tmp_path)
    load_fixture_files([path])
    claim = Claim.objects.get()
    for model in (Claim, Citation, Source):
        [record] = model.history.all()
        assert (record.history_type, record.history_change_reason) == ("+", f"loadkb {path}")
    # A claim loaded together with its citations has no evidence change of its own.
    assert claim.evidence_changed_at is None


def test_loading_the_same_file_again_writes_no_history(tmp_path):
    path = fixture(tmp_path)
    load_fixture_files([path])
    load_fixture_files([path])
    assert Claim.history.count() == Citation.history.count() == Source.history.count() == 1


def test_a_fixture_that_changes_a_claim_and_a_quote_records_both(tmp_path):
    load_fixture_files([fixture(tmp_path)])
    changed = fixture(
        tmp_path,
        statement="Flask has blueprints for large apps.",
        quote="Changed.",
        name="changed.json",
    )
    load_fixture_files([changed])
    latest_claim = Claim.history.order_by("-history_id").first()
    latest_citation = Citation.history.order_by("-history_id").first()
    assert (latest_claim.history_type, latest_claim.statement) == (
        "~",
        "Flask has blueprints for large apps.",
    )
    assert latest_claim.history_change_reason == f"loadkb {changed}"
    assert (latest_citation.history_type, latest_citation.quote) == ("~", "Changed.")
    assert Claim.objects.get().evidence_changed_at is not None


def test_after_loadkb_an_admin_edit_gives_two_history_entries_with_old_and_new(tmp_path, client):
    load_fixture_files([fixture(tmp_path)])
    claim = Claim.objects.get()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "x"))
    data = form_data(client.get(change_url(claim)))
    data["statement"] = "Flask's blueprints split an application."
    assert client.post(change_url(claim), data).status_code == 302
    loaded, edited = claim.history.order_by("history_id")
    assert (loaded.statement, edited.statement) == (
        "Flask has blueprints.",
        "Flask's blueprints split an application.",
    )
    assert edited.diff_against(loaded).changed_fields == ["statement"]


def test_editing_a_quote_in_the_admin_records_it_and_moves_last_changed(client):
    citation = make_citation(claim=make_claim(citations=0))
    claim = citation.claim
    before = Claim.objects.with_last_changed().get(pk=claim.pk).last_changed
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "x"))
    url = reverse("admin:knowledge_citation_change", args=[citation.pk])
    data = form_data(client.get(url))
    data["quote"] = "A better passage."
    assert client.post(url, data).status_code == 302
    old, new = citation.history.order_by("history_id")
    assert (old.quote, new.quote, new.history_type) == (citation.quote, "A better passage.", "~")
    assert new.history_user.username == "root"
    assert Claim.objects.with_last_changed().get(pk=claim.pk).last_changed > before


def test_removing_a_citation_is_recorded_with_its_source():
    claim = make_claim(citations=2)
    doomed = claim.citations.first()
    doomed.delete()
    removed = Citation.history.filter(history_type="-").get()
    assert (removed.claim_id, removed.source_id) == (claim.pk, doomed.source_id)
    assert Claim.objects.get(pk=claim.pk).evidence_changed_at is not None


def test_a_cited_sources_new_title_marks_its_claims_but_its_notes_do_not():
    source = make_source(title="Old title")
    claim = make_claim(citations=0)
    make_citation(claim=claim, source=source)
    Claim.objects.filter(pk=claim.pk).update(evidence_changed_at=None)
    source.notes = "Checked again."
    source.save()
    assert Claim.objects.get(pk=claim.pk).evidence_changed_at is None
    source.title = "New title"
    source.save()
    assert Claim.objects.get(pk=claim.pk).evidence_changed_at is not None
    assert [r.title for r in source.history.order_by("history_id")][-2:] == [
        "Old title",
        "New title",
    ]
