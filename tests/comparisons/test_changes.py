"""/changes/: what a reader saw change, by day then framework, with its CSV and JSON."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Citation, Claim, ClaimStatus, SupportLevel
from knowledge.services import claim_publish, claim_retract
from tests.factories import (
    HIDDEN_MARKERS,
    age_history,
    make_citation,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    make_grid,
    make_scale,
    make_source,
    make_verification_change,
    plant_unpublished_claims,
    record_missing_history,
)

pytestmark = pytest.mark.django_db

URL = reverse("comparisons:changes")


def age(claim, days):
    age_history(days, claim=claim)


def entries(response):
    """(anchor id, text) of each change on the page, in page order."""
    html = response.content.decode()
    found = re.findall(r'<li class="changes__entry" id="([^"]+)">(.*?)</li>', html, re.S)
    return [
        (anchor, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip())
        for anchor, text in found
    ]


def test_a_support_change_shows_old_and_new(client):
    claim = make_claim(support=SupportLevel.YES, statement="Ships with it.")
    age(claim, 100)
    claim.support = SupportLevel.PARTIAL
    claim.save()
    response = client.get(URL)
    assert response.status_code == 200
    [(anchor, text)] = entries(response)
    assert anchor.startswith("claim-")
    assert "Changed" in text and "Built in" in text and "Partial" in text
    assert text.index("Built in") < text.index("Partial")
    assert claim.get_absolute_url() in response.content.decode()


def test_a_value_change_shows_both_values(client):
    feature, (gentle, moderate, _) = make_scale()
    claim = make_claim(feature=feature, feature_value=gentle, support="")
    age(claim, 100)
    claim.feature_value = moderate
    claim.save()
    [(_, text)] = entries(client.get(URL))
    assert "Gentle" in text and "Moderate" in text


def test_edits_that_keep_the_verdict_are_not_changes(client):
    claim = make_claim()
    age(claim, 100)
    claim.statement = "Reworded."
    claim.save()
    assert entries(client.get(URL)) == []


def test_publication_and_retraction_are_listed_without_their_citations(client):
    # (One request per test: inside a test's transaction only the first write bumps the
    # page cache's content version, the commit-time bump never comes.)
    claim = make_claim(statement="Soon gone.")
    age(claim, 10)
    claim_retract(claim=claim)
    response = client.get(URL)
    found = entries(response)
    assert [text.split(":")[1].split()[0] for _, text in found] == ["Retracted", "Published"]
    # A retracted claim has no public page to link to.
    assert claim.get_absolute_url() not in response.content.decode()


def test_citations_added_and_removed_from_a_published_claim(client):
    claim = make_claim(citations=2)
    age(claim, 100)
    added = make_citation(claim=claim, source=make_source(title="Late source"))
    claim.citations.exclude(pk=added.pk).first().delete()
    texts = [text for _, text in entries(client.get(URL))]
    assert len(texts) == 2
    assert any("Citation added" in text and "Late source" in text for text in texts)
    assert any("Citation removed" in text for text in texts)


def test_drafts_never_show(client):
    claim = make_claim()
    plant_unpublished_claims(framework=claim.framework, feature=claim.feature)
    age(claim, 100)
    # A published claim edited as a draft, then published again: the draft's words never show.
    claim.status = ClaimStatus.DRAFT
    claim.statement = f"{HIDDEN_MARKERS[ClaimStatus.DRAFT]} wip"
    claim.support = SupportLevel.NO
    claim.save()
    claim.statement = "Final words."
    claim.support = SupportLevel.PARTIAL
    claim_publish(claim=claim)
    response = client.get(URL)
    for marker in HIDDEN_MARKERS.values():
        assert marker not in response.content.decode()
    kinds = [text.split(":")[1].split()[0] for _, text in entries(response)]
    assert kinds == ["Published", "Withdrawn"]
    for fmt in ("changes-csv", "changes-json"):
        exported = client.get(reverse(f"comparisons:{fmt}")).content.decode()
        assert not any(marker in exported for marker in HIDDEN_MARKERS.values())


def test_range_defaults_to_the_last_30_days(client):
    old, new = make_claim(), make_claim()
    age(old, 40)
    age(new, 29)
    assert len(entries(client.get(URL))) == 1
    since = (timezone.localdate() - datetime.timedelta(days=45)).isoformat()
    assert len(entries(client.get(URL, {"since": since}))) == 2
    until = (timezone.localdate() - datetime.timedelta(days=35)).isoformat()
    [(anchor, _)] = entries(client.get(URL, {"since": since, "until": until}))
    assert anchor == f"claim-{old.history.get().history_id}"


def test_the_default_range_moves_with_the_day_though_nothing_was_edited(client, monkeypatch):
    """The page cache keys on the day as well as the content: yesterday's cached page must not
    answer for a range that ends today."""
    claim = make_claim()
    age(claim, 29)
    assert len(entries(client.get(URL))) == 1
    later = timezone.localdate() + datetime.timedelta(days=2)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    assert entries(client.get(URL)) == []


def test_grouped_by_day_then_framework(client):
    alpha, beta = make_framework(name="Alpha"), make_framework(name="Beta")
    feature = make_feature()
    make_claim(framework=beta, feature=feature)
    make_claim(framework=alpha, feature=feature)
    age(make_claim(framework=alpha), 3)
    html = client.get(URL).content.decode()
    days = re.findall(r'<h2 id="day-([\d-]+)">', html)
    today = timezone.localdate()
    assert days == [today.isoformat(), (today - datetime.timedelta(days=3)).isoformat()]
    first_day = html.split('<h2 id="day-')[1]
    assert re.findall(r"<h3><a [^>]+>(\w+)</a></h3>", first_day) == ["Alpha", "Beta"]


def test_filters_by_framework_feature_and_category(client):
    django, flask = make_framework(slug="django"), make_framework(slug="flask")
    orm, admin = make_feature(slug="orm"), make_feature(slug="admin")
    claims = {
        (fw.slug, ft.slug): make_claim(framework=fw, feature=ft)
        for fw in (django, flask)
        for ft in (orm, admin)
    }

    def shown(**query):
        # A query in another order than the canonical one is redirected to it first.
        ids = {anchor for anchor, _ in entries(client.get(URL, query, follow=True))}
        return {
            key for key, claim in claims.items() if f"claim-{claim.history.get().history_id}" in ids
        }

    assert shown(framework="django") == {("django", "orm"), ("django", "admin")}
    assert shown(feature="orm") == {("django", "orm"), ("flask", "orm")}
    assert shown(category=admin.category.slug, framework="flask") == {("flask", "admin")}


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-13-01"},
        {"since": "yesterday"},
        {"until": "9999-12-31"},
        {"since": "2020-01-01", "until": "2019-01-01"},
        {"since": "2000-01-01", "until": "2010-01-01"},
        {"framework": "no-such-framework"},
        # Days where date arithmetic overflows.
        {"until": "0001-01-10"},
        {"since": "0001-01-01", "until": "0001-01-02"},
    ],
)
def test_bad_dates_and_filters_are_form_errors(client, query):
    make_claim()
    response = client.get(URL, query)
    assert response.status_code == 400
    assert 'class="form-error"' in response.content.decode()
    assert entries(response) == []
    for fmt in ("changes-csv", "changes-json"):
        exported = client.get(reverse(f"comparisons:{fmt}"), query)
        assert exported.status_code == 400
        assert exported.content.decode().startswith("Invalid dates or filters")


def test_exports_hold_the_page_s_changes(client):
    claim = make_claim(framework=make_framework(name="=Evil"))
    age(claim, 5)
    claim.support = SupportLevel.NO
    claim.save()
    make_claim()
    page = [anchor for anchor, _ in entries(client.get(URL))]
    data = client.get(reverse("comparisons:changes-json")).json()
    assert [change["id"] for change in data["changes"]] == page
    # Today's change of "=Evil" sorts before today's publication of "Framework …".
    changed = data["changes"][0]
    assert (changed["kind"], changed["before"], changed["after"]) == ("changed", "Built in", "No")
    assert changed["framework"]["name"] == "=Evil"
    response = client.get(reverse("comparisons:changes-csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + len(page)
    # A spreadsheet would run a name starting with "=" as a formula.
    assert rows[1][1] == "'=Evil"
    assert rows[1][4:7] == ["Changed", "Built in", "No"]


@pytest.mark.parametrize("size", [(2, 5), (6, 30)], ids=["2x5", "6x30"])
def test_changes_queries_do_not_grow_with_the_data(client, size, django_assert_num_queries):
    """Guards against a query per change, per claim or per citation (a framework, a feature,
    a source or a claim's earlier state read per row): the list is built from a fixed handful
    of queries, whatever the size of the history."""
    grid = make_grid(*size, edits=3)
    record_missing_history()
    # A value claim, so that the values are read at both sizes.
    feature, values = make_scale()
    make_claim(framework=grid.frameworks[0], feature=feature, feature_value=values[0])
    changed = list(Claim.objects.published().filter(support=SupportLevel.YES)[:4])
    for claim in changed:
        age(claim, 1)
        claim.support = SupportLevel.PARTIAL
        claim.save()
    # Evidence lost, as many as frameworks: a source's title read per check would show.
    checked = Citation.objects.published().order_by("pk")[: size[0]]
    for citation in checked:
        make_verification_change(citation)
    # Form choices (frameworks, features, categories), then the changes: claims in the range,
    # their citations, the checks that lost or regained verification, each claim's state
    # before it, frameworks, features, values, sources and which claims are public now.
    with django_assert_num_queries(12):
        response = client.get(URL)
    # Recomputed from the claims: every published claim was published today, and the ones
    # changed yesterday show that change and their publication, both in the range.
    published = Claim.objects.published().count()
    assert len(entries(response)) == published + len(changed) + len(checked)
    assert len(grid.frameworks) == size[0]


def test_page_links_its_exports_and_sets_no_cookie(client):
    make_claim()
    response = client.get(URL, {"framework": Claim.objects.get().framework.slug})
    html = response.content.decode()
    assert f"{reverse('comparisons:changes-csv')}?framework=" in html
    assert not response.cookies
    assert "<script" not in html and "style=" not in html


# -- Atom feeds of one framework, feature or curated comparison ------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_framework_feed_holds_its_changes_and_the_page_links_it(client):
    django, flask = make_framework(name="Django"), make_framework(name="Flask")
    claim = make_claim(framework=django, support=SupportLevel.YES)
    make_claim(framework=flask)
    age(claim, 3)
    claim.support = SupportLevel.PARTIAL
    claim.save()
    url = reverse("comparisons:framework-changes-feed", kwargs={"slug": django.slug})
    root, found = feed_entries(client, url)
    assert root.find(f"{ATOM}title").text == "citegrid: changes of Django"
    titles = [entry.find(f"{ATOM}title").text for entry in found]
    feature = claim.feature.name
    assert titles == [
        f"Django — {feature}: Built in → Partial",
        f"Django — {feature}: Published: Built in",
    ]
    # Each entry leads to its day's changes of the framework, at the entry.
    link = found[0].find(f"{ATOM}link").get("href")
    assert f"framework={django.slug}" in link and link.endswith(
        f"#claim-{claim.history.first().history_id}"
    )
    page = client.get(django.get_absolute_url()).content.decode()
    alternate = '<link rel="alternate" type="application/atom+xml" title="citegrid: changes of'
    assert f'{alternate} Django" href="{url}">' in page
    assert f'href="{reverse("comparisons:changes")}?framework={django.slug}"' in page


def test_feature_and_comparison_feeds(client):
    django, flask, bottle = (make_framework(name=name) for name in ("Django", "Flask", "Bottle"))
    orm, admin = make_feature(name="ORM"), make_feature(name="Admin")
    for framework in (django, flask, bottle):
        for feature in (orm, admin):
            make_claim(framework=framework, feature=feature)
    comparison = make_comparison("Django vs Flask", "django-flask", [django, flask])
    comparison.categories.add(orm.category)
    url = reverse("comparisons:feature-changes-feed", kwargs={"slug": orm.slug})
    _, found = feed_entries(client, url)
    assert sorted(e.find(f"{ATOM}title").text.split(" — ")[0] for e in found) == [
        "Bottle",
        "Django",
        "Flask",
    ]
    assert url in client.get(orm.get_absolute_url()).content.decode()
    url = reverse("comparisons:comparison-changes-feed", kwargs={"slug": comparison.slug})
    _, found = feed_entries(client, url)
    assert sorted(e.find(f"{ATOM}title").text for e in found) == [
        "Django — ORM: Published: Built in",
        "Flask — ORM: Published: Built in",
    ]
    assert url in client.get(comparison.get_absolute_url()).content.decode()


def test_feeds_of_unknown_things_are_404_and_hide_drafts(client):
    claim = make_claim()
    plant_unpublished_claims(framework=claim.framework, feature=claim.feature)
    for name in ("framework", "feature", "comparison"):
        url = reverse(f"comparisons:{name}-changes-feed", kwargs={"slug": "no-such-thing"})
        assert client.get(url).status_code == 404
    url = reverse("comparisons:framework-changes-feed", kwargs={"slug": claim.framework.slug})
    body = client.get(url).content.decode()
    assert len(feed_entries(client, url)[1]) == 1
    assert not any(marker in body for marker in HIDDEN_MARKERS.values())


def test_the_api_lists_the_export_s_changes(client):
    claim = make_claim()
    age(claim, 3)
    claim.support = SupportLevel.NO
    claim.save()
    make_citation(claim=claim, source=make_source(title="Later"))
    make_claim()
    since = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    query = {"since": since, "framework": claim.framework.slug}
    export = client.get(reverse("comparisons:changes-json"), query).json()
    api = client.get(reverse("api:changes"), query).json()
    assert api == export
    assert [change["kind"] for change in api["changes"]] == [
        "citation-added",
        "changed",
        "published",
    ]


def test_a_deleted_claim_is_withdrawn_once_without_its_citations(client):
    claim = make_claim(citations=2)
    age(claim, 40)
    with transaction.atomic():
        claim.delete()
    [(anchor, text)] = entries(client.get(URL))
    assert "Withdrawn" in text and "Built in" in text
    assert anchor.startswith("claim-")


def test_the_pages_what_changed_links_are_canonical(client):
    """Each page links its changes in the changes page's own spelling: no redirect on the way."""
    zeta, alpha = make_framework(slug="zeta"), make_framework(slug="alpha")
    feature = make_feature()
    for framework in (zeta, alpha):
        make_claim(framework=framework, feature=feature)
    comparison = make_comparison("Zeta vs Alpha", "zeta-alpha", [zeta, alpha])
    comparison.categories.add(feature.category)
    for page in (comparison, zeta, feature):
        html = client.get(page.get_absolute_url()).content.decode()
        link = re.search(r'<a href="([^"]+)">What changed</a> <span', html).group(1)
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, (page, link)
        assert entries(response), link
