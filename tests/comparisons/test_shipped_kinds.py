"""On the shipped knowledge base: opinions compared by value, honest cell markers, and a
history that starts at loadkb and records evidence changes.

Each expectation is derived from the database (which cells' current claims say different
things), not typed in, except the rows the issue names.
"""

import re
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from knowledge.models import Citation, Claim, ClaimRank, SupportLevel, claim_verdict
from tests.knowledge.admin_helpers import change_url, form_data
from tests.knowledge.shipped_kb import delete_shipped, load_shipped

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        delete_shipped()
        load_shipped()
        yield
        delete_shipped()


def _cell_html(html, feature, framework):
    anchor = f"c{feature.pk}-{framework.pk}"
    match = re.search(rf'<td[^>]*id="{anchor}">.*?</td>', html, re.S)
    assert match, anchor
    return match.group(0)


def test_compare_django_flask_lists_the_opinion_rows_where_they_differ(client, shipped):
    html = client.get("/compare/django-vs-flask/").content.decode()
    differ = html[html.index("Where they differ") : html.index("The rest")]
    for name in (
        "Full-stack or microframework",
        "Learning curve",
        "Suitability for large applications",
    ):
        assert f">{name}</a>" in differ


def test_every_cell_whose_current_claims_disagree_is_marked_and_no_other(client, shipped):
    by_cell = defaultdict(set)
    claims = Claim.objects.published().exclude(rank=ClaimRank.DEPRECATED)
    for claim in claims.select_related("framework", "feature"):
        by_cell[claim.feature, claim.framework].add(claim_verdict(claim))
    html = client.get("/matrix/").content.decode()
    disagreeing = [cell for cell, said in by_cell.items() if len(said) > 1]
    assert any(f.slug == "community-ecosystem" and fw.slug == "flask" for f, fw in disagreeing)
    for (feature, framework), said in by_cell.items():
        marked = ">⚠ Sources disagree</a>" in _cell_html(html, feature, framework)
        assert marked == (len(said) > 1), (feature.slug, framework.slug)


def test_no_published_not_applicable_claim_carries_a_verdict(shipped):
    assert (
        not Claim.objects.published().filter(support=SupportLevel.NOT_APPLICABLE).exclude(value="")
    )


def test_flask_rest_api_shows_its_superseded_claims_not_an_agreement(client, shipped):
    rest = Claim.objects.published().filter(framework__slug="flask", feature__slug="rest-api")
    html = client.get("/matrix/").content.decode()
    first = rest.first()
    cell = _cell_html(html, first.feature, first.framework)
    superseded = rest.filter(rank=ClaimRank.DEPRECATED).count()
    assert superseded == 2
    assert f"+{superseded} superseded" in cell
    assert "agree" not in cell and "Sources disagree" not in cell


def test_a_descriptor_cell_shows_its_value_as_the_badge(client, shipped):
    html = client.get("/matrix/").content.decode()
    claim = Claim.objects.published().get(
        framework__slug="flask", feature__slug="framework-scope", key="docs"
    )
    cell = _cell_html(html, claim.feature, claim.framework)
    assert '">◆ Microframework</a>' in cell


def test_after_loadkb_an_admin_edit_shows_loaded_then_changed(client, shipped):
    claim = Claim.objects.published().get(framework__slug="flask", feature__slug="orm", key="docs")
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "x"))
    data = form_data(client.get(change_url(claim)))
    old = claim.statement
    data["statement"] = "Flask leaves the database layer to extensions."
    assert client.post(change_url(claim), data).status_code == 302
    client.logout()
    html = client.get(claim.get_absolute_url()).content.decode()
    history = html[html.index('id="history"') :]
    assert history.count('class="history__entry"') == 2
    assert "(loadkb " in history and "04_claims.json)" in history
    assert f"<del>{old}</del> → <ins>Flask leaves the database layer to extensions.</ins>" in (
        history.replace("&#x27;", "'")
    )


def test_a_quote_edit_shows_in_the_claims_history_and_feed(client, shipped):
    citation = (
        Citation.objects.select_related("claim", "source")
        .filter(
            claim__status="published",
            claim__framework__slug="django",
            claim__feature__slug="caching",
        )
        .first()
    )
    client.force_login(get_user_model().objects.create_superuser("root2", "r@example.org", "x"))
    url = reverse("admin:knowledge_citation_change", args=[citation.pk])
    data = form_data(client.get(url))
    data["quote"] = "Django comes with a robust cache system."
    assert client.post(url, data).status_code == 302
    client.logout()
    html = client.get(citation.claim.get_absolute_url()).content.decode()
    assert f"Quote changed (citation of “{citation.source.title}”)." in html.replace("&#x27;", "'")
    feed = client.get(reverse("comparisons:claims-feed")).content.decode()
    first_entry = feed[feed.index("<entry>") : feed.index("</entry>")]
    assert citation.claim.get_absolute_url() in first_entry
