"""The claim and framework pages on knowledge model v2: why a claim is kept, provenance,
added/removed in, and releases derived rather than typed."""

from datetime import date

import pytest

from knowledge.models import ClaimRank, Provenance, SupportLevel
from tests.factories import (
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_release,
    make_scale,
    make_source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell():
    framework, feature = make_framework(name="Flask"), make_feature(name="REST API")
    shown = make_claim(
        framework=framework,
        feature=feature,
        key="docs",
        rank=ClaimRank.PREFERRED,
        support=SupportLevel.PARTIAL,
    )
    return framework, feature, shown


@pytest.mark.parametrize(
    ("support", "rank", "sentence"),
    [
        (SupportLevel.YES, ClaimRank.DEPRECATED, "This claim is superseded"),
        (SupportLevel.YES, ClaimRank.NORMAL, "Its source says something different"),
        (SupportLevel.PARTIAL, ClaimRank.NORMAL, "It agrees with the claim the matrix shows"),
    ],
)
def test_kept_because_follows_the_cell_markers_rule(client, cell, support, rank, sentence):
    framework, feature, _ = cell
    other = make_claim(framework=framework, feature=feature, key="blog", support=support, rank=rank)
    html = client.get(other.get_absolute_url()).content.decode()
    assert sentence in html
    assert "something different or older" not in html


def test_citations_show_provenance_and_the_version_read(client):
    framework = make_framework(homepage="https://flask.palletsprojects.com/")
    claim = make_claim(framework=framework, citations=0)
    make_citation(
        claim=claim,
        source=make_source(
            url="https://flask.palletsprojects.com/en/3.1.x/views/", version_read="3.1.3"
        ),
    )
    make_citation(claim=claim, source=make_source(url="https://blog.example.org/flask/"))
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "(read at 3.1.3)" in html
    assert "first-party: the framework's own word" in html
    assert "independent source" in html


def test_an_assessment_backed_only_by_first_party_sources_is_self_described(client):
    framework = make_framework(homepage="https://trypyramid.com/")
    feature, (gentle, _, _) = make_scale(name="Learning curve")
    claim = make_claim(framework=framework, feature=feature, feature_value=gentle, citations=0)
    citation = make_citation(claim=claim, source=make_source(url="https://trypyramid.com/about"))
    assert citation.provenance == Provenance.FIRST_PARTY
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "self-described" in html
    badge = '<span class="support__symbol" aria-hidden="true">▲</span> '
    assert badge + '<span class="support__label">Gentle</span>' in html
    mixed = make_claim(
        framework=framework, feature=feature, key="mixed", feature_value=gentle, citations=0
    )
    make_citation(claim=mixed, source=make_source(url="https://trypyramid.com/other"))
    make_citation(claim=mixed, source=make_source(url="https://blog.example.org/pyramid/"))
    assert "self-described" not in client.get(mixed.get_absolute_url()).content.decode()


def test_added_and_removed_in_are_shown(client):
    framework = make_framework(name="Django")
    since = make_release(framework=framework, version="3.1")
    until = make_release(framework=framework, version="4.0")
    claim = make_claim(framework=framework, since_version=since, until_version=until)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "<dt>Added in</dt><dd>Django 3.1</dd>" in html
    assert "<dt>Removed in</dt><dd>Django 4.0</dd>" in html


def test_the_framework_page_derives_latest_and_supported_releases(client):
    framework = make_framework(name="Django")
    make_release(
        framework=framework,
        version="4.2",
        released_on=date(2023, 4, 3),
        is_lts=True,
        end_of_support=date(2024, 4, 30),
    )
    make_release(
        framework=framework,
        version="5.2",
        released_on=date(2025, 4, 2),
        is_lts=True,
        end_of_support=date(2999, 4, 2),
    )
    make_release(framework=framework, version="5.1", released_on=date(2024, 8, 7))
    html = client.get(framework.get_absolute_url()).content.decode()
    assert "<dt>Latest release</dt><dd>5.2" in html
    supported = html[html.index("<dt>Supported releases</dt>") :]
    supported = supported[: supported.index("</dd>")]
    assert "5.2 (LTS)" in supported and "4.2" not in supported and "5.1" not in supported
    assert "latest release 5.2" in client.get("/frameworks/").content.decode()
