"""/changes/ lists a published claim's evidence lost or regained: verifykb no longer finding a
quote on its source, or finding it again (knowledge.models.VerificationChange)."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Citation, ClaimStatus
from knowledge.services import claim_retract
from knowledge.verification.snapshots import snapshot_name
from tests.factories import (
    HIDDEN_MARKERS,
    age_history,
    make_claim,
    make_framework,
    make_source,
    make_verification_change,
    plant_unpublished_claims,
)

from .test_changes import entries

pytestmark = pytest.mark.django_db

URL = reverse("comparisons:changes")
QUOTE = "The ORM maps each model to a table."


def verify(citation, text, directory):
    """Run verifykb on the citation's source, its page reading `text`."""
    path = directory / f"{snapshot_name(citation.source.url)}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    call_command("verifykb", "--snapshot-dir", str(directory), "--source", str(citation.source_id))


@pytest.fixture
def cited(tmp_path):
    """A published claim of last month whose one quote verifykb found on its page."""
    claim = make_claim(framework=make_framework(name="Django"), citations=0)
    claim.citations.create(source=make_source(title="ORM docs"), quote=QUOTE)
    age_history(40, claim=claim)
    citation = claim.citations.get()
    verify(citation, f"Intro. {QUOTE} More.", tmp_path)
    return citation


def test_a_quote_gone_and_back_is_listed_lost_then_regained(client, cited, tmp_path):
    verify(cited, "The page was rewritten.", tmp_path)
    verify(cited, "The page was rewritten.", tmp_path)  # found as before: no second entry
    verify(cited, f"{QUOTE} Back again.", tmp_path)
    found = entries(client.get(URL))
    assert [anchor.split("-")[0] for anchor, _ in found] == ["verification", "verification"]
    regained, lost = (text for _, text in found)  # newest first
    assert "Verification regained" in regained and "“ORM docs”" in regained
    assert "Verification lost" in lost and "“ORM docs”, not found" in lost
    # The cell it is about, with the claim's badge, and the claim's page to check.
    assert "Built in" in lost and cited.claim.feature.name in lost
    assert cited.claim.get_absolute_url() in client.get(URL).content.decode()


def test_exports_api_and_feed_list_them(client, cited, tmp_path):
    verify(cited, "Nothing left.", tmp_path)
    data = client.get(reverse("comparisons:changes-json")).json()
    assert [change["kind"] for change in data["changes"]] == ["verification-lost"]
    assert data["changes"][0]["detail"] == "quote of “ORM docs”, not found"
    assert client.get(reverse("api:changes")).json() == data
    rows = list(csv.reader(io.StringIO(client.get(reverse("comparisons:changes-csv")).text)))
    assert [row[4] for row in rows[1:]] == ["Verification lost"]
    slug = cited.claim.framework.slug
    feed = client.get(reverse("comparisons:framework-changes-feed", kwargs={"slug": slug}))
    titles = [
        entry.find("{http://www.w3.org/2005/Atom}title").text
        for entry in ET.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}entry")
    ]
    feature = cited.claim.feature.name
    assert titles == [
        f"Django — {feature}: Verification lost: Built in (quote of “ORM docs”, not found)",
        f"Django — {feature}: Published: Built in",
    ]


def test_only_published_claims_evidence_is_listed(client):
    public = make_claim()
    plant_unpublished_claims(framework=public.framework, feature=public.feature)
    age_history(100)
    for citation in Citation.objects.all():
        make_verification_change(citation)
    response = client.get(URL)
    [(anchor, _)] = entries(response)
    assert anchor == f"verification-{public.citations.get().verification_changes.get().pk}"
    for marker in HIDDEN_MARKERS.values():
        assert marker not in response.content.decode()


def test_a_change_while_public_stays_listed_after_a_retraction(client):
    claim = make_claim()
    age_history(10, claim=claim)
    change = make_verification_change(
        claim.citations.get(), changed_at=timezone.now() - datetime.timedelta(days=5)
    )
    claim_retract(claim=claim)
    found = [anchor for anchor, _ in entries(client.get(URL))]
    assert found[1] == f"verification-{change.pk}"
    assert [anchor.split("-")[0] for anchor in found] == ["claim", "verification", "claim"]


def test_a_check_before_the_claim_was_published_is_not_listed(client):
    # Before its publication a claim's evidence is nobody's business.
    draft = make_claim(status=ClaimStatus.DRAFT)
    make_verification_change(draft.citations.get(), lost=False)
    draft.status = ClaimStatus.PUBLISHED
    draft.save()
    assert [anchor.split("-")[0] for anchor, _ in entries(client.get(URL))] == ["claim"]


def test_filters_and_range_apply(client):
    django, flask = make_framework(slug="django"), make_framework(slug="flask")
    ours, theirs = make_claim(framework=django), make_claim(framework=flask)
    age_history(100)
    recent = make_verification_change(ours.citations.get())
    make_verification_change(theirs.citations.get())
    make_verification_change(
        ours.citations.get(), lost=False, changed_at=timezone.now() - datetime.timedelta(days=50)
    )
    [(anchor, _)] = entries(client.get(URL, {"framework": "django"}))
    assert anchor == f"verification-{recent.pk}"
    since = (timezone.localdate() - datetime.timedelta(days=60)).isoformat()
    assert len(entries(client.get(URL, {"since": since}))) == 3
