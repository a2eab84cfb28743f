"""The matrix on any date: ?as_of=YYYY-MM-DD rebuilds the published knowledge of that day's
end from the history, on the matrix, compare and curated comparison pages and the exports."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comparisons.cache import bump_content_version
from knowledge.models import Citation, Claim, ClaimStatus, SupportLevel
from knowledge.services import claim_retract
from tests.comparisons.reading import matrix_cells
from tests.factories import (
    HIDDEN_MARKERS,
    age_history,
    make_citation,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    make_grid,
    plant_unpublished_claims,
    record_missing_history,
)

pytestmark = pytest.mark.django_db

MATRIX_JSON = reverse("comparisons:matrix-json")


def day(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def date_last_row(obj, days_ago: int):
    """Date the newest history row of `obj` (a claim or citation) `days_ago` days back."""
    record = type(obj).history.filter(id=obj.pk).order_by("-history_date", "-history_id")[0]
    record.history_date = timezone.now() - datetime.timedelta(days=days_ago)
    record.save(update_fields=["history_date"])


def cell(client, query, framework, feature):
    data = client.get(MATRIX_JSON, query).json()
    [row] = [row for row in data["features"] if row["slug"] == feature.slug]
    return row["cells"][framework.slug]


def test_a_cell_on_each_day_of_its_history(client):
    django, orm = make_framework(slug="django"), make_feature(slug="orm")
    claim = make_claim(framework=django, feature=orm, support=SupportLevel.YES)
    date_last_row(claim, 10)
    date_last_row(claim.citations.get(), 10)
    claim.support = SupportLevel.NO
    claim.save()
    date_last_row(claim, 5)
    citation = claim.citations.get()
    citation.quote = "The newer passage."
    citation.save()
    date_last_row(citation, 4)
    claim_retract(claim=claim)
    date_last_row(claim, 2)

    def shown(days_ago):
        return cell(client, {"as_of": day(days_ago)}, django, orm)

    assert shown(11)["label"] == "Unknown"
    assert shown(7)["label"] == "Built in"
    assert shown(7)["claims"][0]["citations"][0]["quote"] == "A short passage from the source."
    assert shown(4)["label"] == "No"
    assert shown(4)["claims"][0]["citations"][0]["quote"] == "The newer passage."
    assert shown(1)["label"] == "Unknown"
    assert cell(client, {}, django, orm)["label"] == "Unknown"


def test_drafts_of_then_never_show(client):
    claim = make_claim()
    plant_unpublished_claims(framework=claim.framework, feature=claim.feature)
    age_history(3)
    for query in ({"as_of": day(1)}, {"as_of": day(0)}):
        body = client.get(reverse("comparisons:matrix"), query).content.decode()
        assert not any(marker in body for marker in HIDDEN_MARKERS.values())
        assert 'class="notice notice--as-of"' in body


def test_the_page_is_labelled_and_links_to_today(client):
    make_claim()
    response = client.get(reverse("comparisons:matrix") + "?differ=on&as_of=2026-11-21")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<time datetime="2026-11-21">21 November 2026</time>' in html
    assert 'href="/matrix/?differ=on">See it as it is today</a>' in html
    # The exports hold the day's matrix too.
    assert "as_of=2026-11-21" in re.search(r'href="/matrix/export\.csv\?([^"]*)"', html).group(1)


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "21/11/2026", "9999-12-31"])
def test_invalid_or_future_dates_are_form_errors(client, value):
    claim = make_claim()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for given in (value, tomorrow):
        response = client.get(reverse("comparisons:matrix"), {"as_of": given})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="form-error"' in html and 'class="notice notice--as-of"' not in html
        # The form ignores the refused date: today's matrix, as with any refused filter.
        assert f'href="{claim.get_absolute_url()}"' in html or claim.framework.name in html
        assert client.get(MATRIX_JSON, {"as_of": given}).status_code == 400


def test_compare_and_curated_comparison_pages(client):
    django, flask = make_framework(slug="django"), make_framework(slug="flask")
    orm = make_feature(slug="orm")
    old = make_claim(framework=django, feature=orm, support=SupportLevel.PARTIAL)
    make_claim(framework=flask, feature=orm)
    age_history(3)
    old.support = SupportLevel.YES
    old.save()
    comparison = make_comparison("Django vs Flask", "django-flask", [django, flask])
    for url in ("/compare/django-vs-flask/", comparison.get_absolute_url()):
        then, now = client.get(url, {"as_of": day(1)}), client.get(url)
        assert 'class="notice notice--as-of"' in then.content.decode()
        assert "notice--as-of" not in now.content.decode()
        shown = [matrix_cells(page.context["matrix"])[orm.pk][django.pk] for page in (then, now)]
        assert [cell.mark.label for cell in shown] == ["Partial", "Built in"]


@pytest.mark.parametrize("size", [(2, 5), (5, 30)], ids=["2x5", "5x30"])
def test_yesterday_s_matrix_is_what_the_page_showed_yesterday(client, size):
    """The oracle: the live export taken before a day of edits is the as-of export of the day
    before them, cell for cell, claim for claim, citation for citation; and the as-of page
    runs the live page's queries, whatever the size."""
    grid = make_grid(*size, rivals=1)
    record_missing_history()
    before = client.get(MATRIX_JSON).json()
    age_history(2)
    claims = list(Claim.objects.published().filter(support=SupportLevel.YES).order_by("pk"))
    for claim in claims[:3]:
        claim.support = SupportLevel.NO
        claim.save()
    claim_retract(claim=claims[3])
    quoted = Citation.objects.published().exclude(claim__in=claims[:4]).order_by("pk")[0]
    quoted.quote = "Reworded today."
    quoted.save()
    make_citation(claim=claims[4])
    newcomer = make_claim(framework=grid.frameworks[0], feature=make_feature(), citations=1)
    newcomer.status = ClaimStatus.PUBLISHED
    # In a test's transaction only the first write retires the cached pages (the commit-time
    # bump never comes), so retire them as the commit would.
    bump_content_version()
    after = client.get(MATRIX_JSON).json()
    assert after["features"] != before["features"]
    then = client.get(MATRIX_JSON, {"as_of": day(1)}).json()
    # The newcomer's feature is a row today; yesterday it was a row with no claim.
    rows = [row for row in then["features"] if row["slug"] != newcomer.feature.slug]
    assert rows == before["features"]
    assert then["frameworks"] == before["frameworks"]
    with CaptureQueriesContext(connection) as live:
        client.get(reverse("comparisons:matrix"), {"differ": "on"})
    with CaptureQueriesContext(connection) as past:
        client.get(reverse("comparisons:matrix"), {"differ": "on", "as_of": day(1)})
    assert len(past) == len(live)


def test_a_day_whose_source_was_deleted_since_still_shows_its_citation(client):
    django, orm = make_framework(slug="django"), make_feature(slug="orm")
    claim = make_claim(framework=django, feature=orm, support=SupportLevel.YES, citations=2)
    date_last_row(claim, 3)
    first, second = claim.citations.order_by("pk")
    for citation in (first, second):
        date_last_row(citation, 3)
    # A curator removes one citation today, then its source, which nothing cites any more.
    source = second.source
    second.delete()
    source.delete()

    quoted = cell(client, {"as_of": day(2)}, django, orm)["claims"][0]["citations"]
    assert [c["source"]["title"] for c in quoted] == [first.source.title, "A source since removed"]
    page = client.get(reverse("comparisons:matrix"), {"as_of": day(2)})
    assert page.status_code == 200
    assert "A source since removed" in page.content.decode()
