"""The matrix and verification: a mark on cells whose evidence is not verified, and a filter."""

import re

import pytest
from django.urls import reverse

from knowledge.models import ClaimRank
from tests.factories import (
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_verification,
)

pytestmark = pytest.mark.django_db

URL = reverse("comparisons:matrix")
CELL = re.compile(r'<td[^>]* id="c(\d+)-(\d+)">(.*?)</td>', re.S)
FOOTNOTE = re.compile(r'<li id="fn-(\d+)">(.*?)</li>', re.S)


def cells(client, query=""):
    """{(feature id, framework id): the cell's markup, then that of the footnote its badge
    leads to (which links to the claim shown)} of the matrix page."""
    page = client.get(f"{URL}?{query}").content.decode()
    notes = dict(FOOTNOTE.findall(page))

    def with_note(html: str) -> str:
        first = re.search(r'href="#fn-(\d+)"', html)
        return html + notes[first.group(1)] if first else html

    return {(int(f), int(w)): with_note(html) for f, w, html in CELL.findall(page)}


def claim_with(framework, feature, *statuses, **fields):
    claim = make_claim(framework=framework, feature=feature, citations=0, **fields)
    for status in statuses:
        citation = make_citation(claim=claim)
        if status != "unchecked":
            make_verification(citation, status=status)
    return claim


@pytest.fixture
def grid():
    django, flask = make_framework(name="Django"), make_framework(name="Flask")
    orm, admin, nosql = (make_feature(name=name) for name in ("ORM", "Admin", "NoSQL"))
    claims = {
        "verified": claim_with(django, orm, "not_found", "verified"),
        "reworded": claim_with(flask, orm, "reworded"),
        "unchecked": claim_with(django, admin, "unchecked"),
        "dead": claim_with(flask, nosql, "unreachable"),
        # A preferred claim whose quote is gone, and a normal one that is verified.
        "preferred": claim_with(flask, admin, "not_found", rank=ClaimRank.PREFERRED, key="a"),
        "backup": claim_with(flask, admin, "verified", key="b"),
    }
    return django, flask, orm, admin, nosql, claims


def test_a_shown_claim_without_a_verified_citation_carries_a_mark(client, grid):
    django, flask, orm, admin, nosql, _ = grid
    page = cells(client)
    marked = {cell for cell, html in page.items() if "unverified" in html}
    assert marked == {
        (orm.pk, flask.pk),  # reworded is not verbatim
        (admin.pk, django.pk),  # never checked
        (admin.pk, flask.pk),  # the preferred claim shown is not found
        (nosql.pk, flask.pk),  # its link is dead
    }
    assert "unverified" not in page[(nosql.pk, django.pk)]  # an unknown cell has no claim


def test_only_verified_evidence_shows_the_best_verified_claim_and_drops_the_rest(client, grid):
    django, flask, orm, admin, nosql, claims = grid
    page = cells(client, "verified=on")
    assert f'href="/claims/{claims["verified"].pk}/"' in page[(orm.pk, django.pk)]
    assert f'href="/claims/{claims["backup"].pk}/"' in page[(admin.pk, flask.pk)]
    assert "/claims/" not in page[(orm.pk, flask.pk)]  # reworded: shown as unknown
    assert "/claims/" not in page[(admin.pk, django.pk)]
    assert not any(feature == nosql.pk for feature, _ in page)  # no verified claim: row gone
    assert not any("unverified" in html for html in page.values())


def test_the_filter_is_offered_in_words(client, grid):
    page = client.get(URL).content.decode()
    assert "Only cells whose evidence is verified" in page
