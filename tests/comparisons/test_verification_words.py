"""Readers see what the last check of each citation found, in words, on claim and source pages."""

import datetime
import re

import pytest
from django.utils import timezone

from knowledge.models import SourceArchive
from tests.factories import make_citation, make_claim, make_source, make_verification

pytestmark = pytest.mark.django_db

DAY = timezone.make_aware(datetime.datetime(2026, 3, 4, 12, 0))
LATER = timezone.make_aware(datetime.datetime(2026, 5, 6, 12, 0))


def cited(source=None, **check):
    claim = make_claim(citations=0)
    citation = make_citation(claim=claim, source=source or make_source())
    if check:
        make_verification(citation, **check)
    return claim, citation


def text_of(client, url):
    """The page's text as a reader sees it: no tags, runs of white space as one."""
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


@pytest.mark.parametrize(
    "check, words",
    [
        ({"status": "verified", "verified_at": DAY}, "Quote found on the page on 4 Mar 2026"),
        (
            {"status": "reworded", "score": 91.4, "verified_at": DAY},
            "Reworded on the page (91 % alike",
        ),
        (
            {"status": "not_found", "verified_at": DAY, "status_since": LATER},
            "No longer on the page since 6 May 2026",
        ),
        (
            {"status": "not_found", "status_since": LATER},
            "Not found on the page when checked on 6 May 2026",
        ),
        ({"status": "unreachable", "status_since": LATER}, "Link dead since 6 May 2026"),
        (
            {"status": "not_checkable", "detail": "the source is a PDF, whose text is not read"},
            "Cannot be checked: the source is a PDF",
        ),
        ({}, "Not checked yet"),
    ],
)
def test_each_status_reads_as_words_on_the_claim_and_source_pages(client, check, words):
    claim, citation = cited(**check)
    assert words in text_of(client, claim.get_absolute_url())
    assert words in text_of(client, citation.source.get_absolute_url())


def test_a_source_without_link_says_so(client):
    claim, _ = cited(source=make_source(url=""))
    assert "No link to check" in text_of(client, claim.get_absolute_url())


def test_a_dead_link_offers_the_archived_copy(client):
    source = make_source()
    SourceArchive.objects.create(source=source, url="https://web.archive.org/web/2025/x")
    claim, _ = cited(source=source, status="unreachable", status_since=LATER)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'href="https://web.archive.org/web/2025/x"' in page and "archived copy" in page


def test_an_archive_url_that_is_not_a_web_address_is_never_a_link(client):
    source = make_source()
    SourceArchive.objects.create(source=source, url="javascript:alert(1)")
    claim, _ = cited(source=source, status="unreachable", status_since=LATER)
    assert "javascript:" not in client.get(claim.get_absolute_url()).content.decode()


def test_the_claim_page_shows_the_passage_found_in_its_context(client):
    claim, _ = cited(
        status="verified",
        passage="the <quoted> passage",
        context_before="…text before ",
        context_after=" and after…",
    )
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "…text before <mark>the &lt;quoted&gt; passage</mark> and after…" in page


def test_no_passage_is_shown_once_the_quote_is_no_longer_found(client):
    claim, _ = cited(status="not_found", verified_at=DAY, passage="old passage")
    assert "old passage" not in client.get(claim.get_absolute_url()).content.decode()
