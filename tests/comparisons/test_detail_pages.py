import datetime

import pytest
from django.urls import reverse
from taggit.models import Tag

from knowledge.models import Claim, ClaimRank, ClaimStatus, Source, SupportLevel
from tests.factories import (
    HIDDEN_MARKERS,
    make_category,
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_grid,
    make_release,
    make_source,
    plant_unpublished_claims,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell():
    """A framework and a feature with one preferred published claim citing a source."""
    category = make_category(name="Data layer", slug="data-layer")
    feature = make_feature(name="Migrations", slug="migrations", category=category)
    framework = make_framework(
        name="Django",
        slug="django",
        summary="A web framework for perfectionists.",
        homepage="https://www.djangoproject.com/",
        licence="BSD-3-Clause",
    )
    framework.tags.add("batteries-included")
    feature.tags.add("schema")
    source = make_source(
        title="Django documentation: Migrations",
        url="https://docs.djangoproject.com/en/5.2/topics/migrations/",
        publisher="Django Software Foundation",
        author="Django team",
        published_date=datetime.date(2024, 4, 1),
        accessed_date=datetime.date(2025, 3, 2),
    )
    claim = make_claim(
        framework=framework,
        feature=feature,
        citations=0,
        rank=ClaimRank.PREFERRED,
        statement="Django ships schema migrations.",
        value="makemigrations",
        note="Since **1.7**.",
        as_of_version="5.2",
        valid_until=datetime.date(2027, 1, 1),
    )
    make_citation(
        claim=claim,
        source=source,
        quote="Migrations are Django’s way of propagating changes.",
        locator="§ Introduction",
        retrieved_date=datetime.date(2025, 3, 1),
    )
    return claim


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_framework_page_groups_published_claims_by_category(client, cell):
    html = get(client, reverse("comparisons:framework-detail", args=["django"]))
    assert "<h1>Django</h1>" in html
    assert "A web framework for perfectionists." in html
    assert "BSD-3-Clause" in html
    assert 'href="https://www.djangoproject.com/" rel="nofollow noopener"' in html
    assert 'href="/tags/batteries-included/"' in html
    assert 'href="/categories/data-layer/"' in html
    assert 'href="/features/migrations/"' in html
    assert "Django ships schema migrations." in html
    assert "Django documentation: Migrations" in html
    assert f'href="/claims/{cell.pk}/"' in html


def test_framework_page_lists_every_claim_of_a_cell_under_one_feature(client, cell):
    make_claim(
        framework=cell.framework,
        feature=cell.feature,
        key="survey",
        statement="A survey agrees.",
        rank=ClaimRank.DEPRECATED,
    )
    html = get(client, cell.framework.get_absolute_url())
    assert html.count('href="/features/migrations/"') == 1
    assert "2 claims" in html
    assert html.index("Django ships schema migrations.") < html.index("A survey agrees.")


def test_feature_page_shows_the_shown_claim_of_every_framework(client, cell):
    flask = make_framework(name="Flask", slug="flask")
    make_claim(
        framework=flask, feature=cell.feature, support=SupportLevel.EXTENSION, value="Alembic"
    )
    make_framework(name="Bottle", slug="bottle")
    make_claim(
        framework=cell.framework,
        feature=cell.feature,
        key="older",
        support=SupportLevel.PARTIAL,
        value="South",
        rank=ClaimRank.DEPRECATED,
    )
    html = get(client, reverse("comparisons:feature-detail", args=["migrations"]))
    assert "<h1>Migrations</h1>" in html
    assert "makemigrations" in html  # Django's preferred claim, not the deprecated one
    assert "South" not in html
    assert "1 other claim" in html
    assert "Alembic" in html
    assert "Via extension" in html and "Built in" in html
    assert "Bottle" in html and "No published claim yet." in html
    assert "Django documentation: Migrations" in html
    assert "Migrations are Django’s way of propagating changes." in html
    assert 'href="/tags/schema/"' in html


def test_claim_page_shows_evidence_qualifiers_and_status(client, cell):
    html = get(client, cell.get_absolute_url())
    assert "Django ships schema migrations." in html
    assert "makemigrations" in html
    assert "5.2" in html
    assert "1 Jan 2027" in html  # valid until
    assert "Preferred" in html and "Published" in html
    assert "<strong>1.7</strong>" in html  # the sanitised note
    assert "Migrations are Django’s way of propagating changes." in html
    assert "§ Introduction" in html
    assert "1 Mar 2025" in html  # retrieved
    assert f'href="/sources/{cell.citations.get().source_id}/"' in html
    assert (
        'href="https://docs.djangoproject.com/en/5.2/topics/migrations/" rel="nofollow noopener"'
        in html
    )
    assert "This is the claim the matrix shows" in html


def test_claim_page_lists_published_competing_claims_only(client, cell):
    rival = make_claim(
        framework=cell.framework,
        feature=cell.feature,
        key="survey",
        support=SupportLevel.PARTIAL,
        statement="A survey says migrations are partial.",
    )
    plant_unpublished_claims(framework=cell.framework, feature=cell.feature)
    elsewhere = make_claim(feature=cell.feature, statement="Another framework's claim.")
    html = get(client, cell.get_absolute_url())
    assert "A survey says migrations are partial." in html
    assert f'href="{rival.get_absolute_url()}"' in html
    assert "Another framework's claim." not in html
    assert elsewhere.get_absolute_url() not in html
    for marker in HIDDEN_MARKERS.values():
        assert marker not in html
    rival_html = get(client, rival.get_absolute_url())
    assert "The matrix shows another claim for this cell" in rival_html
    assert "Django ships schema migrations." in rival_html


def test_claim_history_shows_published_changes_and_hides_unpublished_wording(client):
    claim = make_claim(
        status=ClaimStatus.DRAFT, statement="Zqunreviewed wording", support=SupportLevel.NO
    )
    claim.statement = "Reviewed wording."
    claim.support = SupportLevel.PARTIAL
    claim.status = ClaimStatus.PUBLISHED
    claim.save()
    claim.support = SupportLevel.YES
    claim.value = "3.0"
    claim.save()
    claim.note = "A caveat."
    claim.save()
    html = get(client, claim.get_absolute_url())
    history = html[html.index('id="history"') :]
    assert "Zqunreviewed" not in html
    assert "Draft" in history and "Not public at this point" in history
    assert "Published." in history
    assert "Support: <del>Partial</del> → <ins>Built in</ins>" in history
    assert "Detail: <del>—</del> → <ins>3.0</ins>" in history
    assert "The note was edited." in history
    # Newest first.
    assert history.index("The note was edited.") < history.index("Built in</ins>")
    assert history.index("Built in</ins>") < history.index("Published.")


def test_source_page_lists_every_published_claim_citing_it_with_its_quote(client, cell):
    source = cell.citations.get().source
    other = make_claim(statement="Another claim citing the docs.", citations=0)
    make_citation(claim=other, source=source, quote="A second passage.")
    plant = plant_unpublished_claims(framework=cell.framework, feature=cell.feature)
    make_citation(claim=plant[ClaimStatus.DRAFT], source=source, quote="Zqdraftmarker again")
    html = get(client, source.get_absolute_url())
    assert "<h1>Django documentation: Migrations</h1>" in html
    assert "Official documentation" in html
    assert "Django Software Foundation" in html and "Django team" in html
    assert "1 Apr 2024" in html and "2 Mar 2025" in html
    assert (
        '<a class="external" href="https://docs.djangoproject.com/en/5.2/topics/migrations/" '
        'rel="nofollow noopener">' in html
    )
    assert "Claims citing this source (2)" in html
    assert "Migrations are Django’s way of propagating changes." in html
    assert "A second passage." in html
    assert "Zqdraftmarker" not in html


def test_source_url_that_is_not_a_web_address_is_never_a_link(client):
    source = make_source(title="Odd source")
    # Bypasses validation, as a raw SQL import or a future bug might.
    Source.objects.filter(pk=source.pk).update(url="javascript:alert(1)")
    framework = make_framework(homepage="https://ok.example/")
    type(framework).objects.filter(pk=framework.pk).update(repository_url="data:text/html,x")
    html = get(client, source.get_absolute_url()) + get(client, framework.get_absolute_url())
    assert "javascript:" not in html
    assert "data:text/html" not in html
    assert 'href="https://ok.example/"' in html


def test_user_text_is_escaped(client):
    payload = '<script>alert("x")</script>'
    framework = make_framework(name=f"Evil {payload}", summary=payload)
    claim = make_claim(framework=framework, statement=payload, value=payload, citations=0)
    make_citation(claim=claim, quote=payload, locator=payload)
    for url in [
        framework.get_absolute_url(),
        claim.get_absolute_url(),
        claim.feature.get_absolute_url(),
        claim.citations.get().source.get_absolute_url(),
        reverse("comparisons:framework-list"),
    ]:
        html = get(client, url)
        assert payload not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url


def test_category_page_lists_its_features(client, cell):
    make_feature(name="Other category's feature")
    html = get(client, reverse("comparisons:category-detail", args=["data-layer"]))
    assert "<h1>Data layer</h1>" in html
    assert 'href="/features/migrations/"' in html
    assert "1 published claim" in html
    assert "Other category" not in html


def test_tag_page_lists_tagged_frameworks_and_features(client, cell):
    make_framework(name="Untagged")
    html = get(client, reverse("comparisons:tag-detail", args=["batteries-included"]))
    assert 'href="/frameworks/django/"' in html
    assert "Untagged" not in html
    html = get(client, reverse("comparisons:tag-detail", args=["schema"]))
    assert 'href="/features/migrations/"' in html
    assert Tag.objects.filter(slug="schema").exists()


def test_list_pages(client, cell):
    html = get(client, reverse("comparisons:framework-list"))
    assert 'href="/frameworks/django/"' in html and "1 published claim" in html
    html = get(client, reverse("comparisons:feature-list"))
    assert 'href="/features/migrations/"' in html and 'href="/categories/data-layer/"' in html
    html = get(client, reverse("comparisons:source-list"))
    assert "Django documentation: Migrations" in html


def test_source_list_counts_only_published_claims(client, cell):
    source = cell.citations.get().source
    plant = plant_unpublished_claims(framework=cell.framework, feature=cell.feature)
    for claim in plant.values():
        make_citation(claim=claim, source=source)
    html = get(client, reverse("comparisons:source-list"))
    row = html[html.index("Django documentation: Migrations") :]
    assert '<td data-label="Claims citing it">1</td>' in row[: row.index("</tr>")]


@pytest.mark.parametrize("page", ["", "?page=2", "?page=abc", "?page=-1", "?page=99999999999"])
def test_paginated_pages_take_any_page_number(client, cell, page):
    """Never an error; a number that is no page's spelling is redirected to page 1."""
    source = cell.citations.get().source
    for url in (reverse("comparisons:source-list"), source.get_absolute_url()):
        response = client.get(url + page, follow=True)
        assert response.status_code == 200
        if page in ("?page=abc", "?page=-1"):
            assert response.redirect_chain == [(url, 301)]


@pytest.mark.parametrize(
    "url",
    [
        "/frameworks/no-such-framework/",
        "/features/no-such-feature/",
        "/categories/no-such-category/",
        "/tags/no-such-tag/",
        "/claims/999999/",
        "/claims/99999999999999999999999/",
        "/sources/999999/",
        "/sources/99999999999999999999999/",
    ],
)
def test_unknown_things_are_a_404_in_the_site_layout(client, cell, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html


@pytest.mark.parametrize("status", [ClaimStatus.DRAFT, ClaimStatus.REVIEW, ClaimStatus.RETRACTED])
def test_unpublished_claim_pages_are_a_404(client, cell, status):
    claim = plant_unpublished_claims(framework=cell.framework, feature=cell.feature)[status]
    assert client.get(claim.get_absolute_url()).status_code == 404


def public_urls(claim):
    source = claim.citations.first().source
    return [
        reverse("comparisons:framework-list"),
        reverse("comparisons:framework-detail", args=[claim.framework.slug]),
        reverse("comparisons:feature-list"),
        reverse("comparisons:feature-detail", args=[claim.feature.slug]),
        reverse("comparisons:category-detail", args=[claim.feature.category.slug]),
        reverse("comparisons:tag-detail", args=["batteries-included"]),
        claim.get_absolute_url(),
        reverse("comparisons:source-list"),
        source.get_absolute_url(),
        reverse("comparisons:search") + "?q=Zqdraftmarker",
        reverse("comparisons:search") + "?q=Zqreviewmarker",
        reverse("comparisons:search") + "?q=Zqretractedmarker",
        reverse("comparisons:search") + "?q=statement",
        reverse("comparisons:claims-feed"),
        reverse("sitemap"),
    ]


def test_unpublished_claims_appear_on_no_public_page(client, cell):
    planted = plant_unpublished_claims(framework=cell.framework, feature=cell.feature)
    # Their citations quote the same source as the published claim, so the source page and
    # every list that reaches it is tempted to show them.
    source = cell.citations.get().source
    for claim in planted.values():
        make_citation(claim=claim, source=source, quote=f"{HIDDEN_MARKERS[claim.status]} quote 2")
    for url in public_urls(cell):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if "?q=Zq" in url:
            # The search page repeats the query; it must find nothing.
            assert "Nothing matches" in body, url
            continue
        for marker in HIDDEN_MARKERS.values():
            assert marker not in body, (url, marker)
        for claim in planted.values():
            assert f"/claims/{claim.pk}/" not in body, url


def test_public_pages_neither_read_the_session_nor_set_a_cookie(client, cell):
    """The pages are the same for everyone: no session read, nothing per-user, cacheable."""
    for url in public_urls(cell) + ["/frameworks/nope/"]:
        response = client.get(url)
        assert not response.cookies, url
        assert not response.wsgi_request.session.accessed, url


@pytest.fixture(params=["small", "large"])
def knowledge_base(request):
    if request.param == "small":
        return make_grid(2, 10, rivals=1, edits=1)
    return make_grid(20, 300, rivals=15, edits=20)


def test_claim_page_queries_do_not_grow(client, knowledge_base, django_assert_max_num_queries):
    """Guards N+1s over citations (source per citation), competing claims (citation count
    per rival), history rows, and the evidence history: citation versions (a source title
    each) and cited sources' versions."""
    claim = knowledge_base.busy_claim
    # A few edits of each citation: the count must not show in the number of queries. Few,
    # because on PostgreSQL every citation write queues the deferred citation-rule trigger.
    edits = 3
    for n, citation in enumerate(claim.citations.select_related("source")[:5]):
        for edit in range(edits):
            citation.quote = f"Edited {edit}."
            citation.save()
        citation.source.title = f"Renamed source {n}"
        citation.source.save()
    # The claim, its cell, its citations; its history, its citations' history, their sources'
    # titles and the sources' history.
    with django_assert_max_num_queries(7):
        response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("Quote changed (citation of") >= edits


def test_source_page_queries_do_not_grow(client, knowledge_base, django_assert_max_num_queries):
    """Guards the N+1 over citing claims (their framework and feature, per citation)."""
    with django_assert_max_num_queries(3):
        response = client.get(knowledge_base.busy_source.get_absolute_url())
    assert response.status_code == 200


def test_framework_page_queries_do_not_grow(client, knowledge_base, django_assert_max_num_queries):
    """Guards N+1s over claims (feature, category) and their citations (source), and over
    releases (one query for all of them, latest and supported derived in Python)."""
    with django_assert_max_num_queries(5):
        response = client.get(knowledge_base.frameworks[0].get_absolute_url())
    assert response.status_code == 200


def test_framework_timeline_queries_do_not_grow(
    client, knowledge_base, django_assert_max_num_queries
):
    """Guards N+1s over the timeline: a release or feature read per versioned claim."""
    framework = knowledge_base.frameworks[0]
    # Versions the seeder never gives (its one release per framework is below 10).
    releases = [make_release(framework=framework, version=f"9{n}.0") for n in range(2, 6)]
    claims = list(framework.claims.order_by("pk").values_list("pk", flat=True))
    for n, release in enumerate(releases):
        Claim.objects.filter(pk__in=claims[n::4]).update(
            since_version=release, until_version=releases[-1] if n == 0 else None
        )
    with django_assert_max_num_queries(5):
        response = client.get(framework.get_absolute_url())
    html = response.content.decode()
    # Every release that added something is on the timeline.
    assert all(f"<strong>{framework.name} {r.version}</strong>" in html for r in releases)


def test_feature_page_queries_do_not_grow(client, knowledge_base, django_assert_max_num_queries):
    """Guards N+1s over frameworks (one cell each) and the cells' citations."""
    with django_assert_max_num_queries(5):
        response = client.get(knowledge_base.features[0].get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [("framework-list", 2), ("feature-list", 2), ("source-list", 2)],
)
def test_list_page_queries_do_not_grow(
    client, knowledge_base, django_assert_max_num_queries, url_name, queries
):
    """Guards N+1s over list rows (claim counts per framework or source, releases per
    framework, features per category)."""
    with django_assert_max_num_queries(queries):
        response = client.get(reverse(f"comparisons:{url_name}"))
    assert response.status_code == 200


def test_category_and_tag_page_queries_do_not_grow(
    client, knowledge_base, django_assert_max_num_queries
):
    """Guards N+1s over features (claim count each) and tagged features (category each)."""
    for framework in knowledge_base.frameworks:
        framework.tags.add("bulk")
    for feature in knowledge_base.features[:50]:
        feature.tags.add("bulk")
    with django_assert_max_num_queries(2):
        response = client.get(knowledge_base.categories[0].get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(3):
        response = client.get(reverse("comparisons:tag-detail", args=["bulk"]))
    assert response.status_code == 200


def test_the_feature_page_shows_where_sources_disagree_as_the_matrix_does(client):
    from tests.factories import make_claim as claim_of
    from tests.factories import make_feature as feature_of
    from tests.factories import make_framework as framework_of

    feature = feature_of(name="Sessions")
    django, flask = framework_of(name="Django"), framework_of(name="Flask")
    claim_of(framework=django, feature=feature, support="yes", key="docs")
    claim_of(framework=django, feature=feature, support="no", key="blog")
    claim_of(framework=flask, feature=feature, support="yes", key="docs")
    claim_of(framework=flask, feature=feature, support="yes", key="blog")
    html = client.get(feature.get_absolute_url()).content.decode()
    rows = html[html.index("<tbody>") :].split("<tr>")[1:]
    assert ["Sources disagree" in row for row in rows] == [True, False]
