import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comparisons import search
from comparisons.selectors import search_run
from knowledge.models import Claim, ClaimStatus, Framework
from tests.factories import (
    HIDDEN_MARKERS,
    make_category,
    make_claim,
    make_feature,
    make_framework,
    make_source,
    plant_unpublished_claims,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("comparisons:search")


@pytest.fixture
def knowledge():
    django = make_framework(name="Django", slug="django", summary="Batteries included.")
    flask = make_framework(name="Flask", slug="flask", summary="A micro framework.")
    feature = make_feature(
        name="Database migrations",
        slug="migrations",
        category=make_category(name="Data layer"),
        description="Evolving the schema as models change.",
    )
    make_claim(
        framework=django,
        feature=feature,
        statement="Django generates migrations from model changes.",
        value="makemigrations",
    )
    make_claim(framework=flask, feature=feature, statement="Flask relies on Alembic.")
    make_source(title="Alembic tutorial", publisher="SQLAlchemy authors")
    plant_unpublished_claims(framework=flask, feature=feature)
    return feature


def backends():
    """The substring backend runs everywhere; the full-text one only on PostgreSQL."""
    yield search.SubstringBackend()
    if connection.vendor == "postgresql":
        yield search.PostgresBackend()


def run(backend, query):
    return search.SearchResults(
        query=query,
        **{name: backend.find(kind, query, 20) for name, kind in search.search_kinds().items()},
    )


def test_search_run_uses_full_text_search_on_postgresql_only():
    expected = (
        search.PostgresBackend if connection.vendor == "postgresql" else search.SubstringBackend
    )
    assert isinstance(search.backend_for(connection.vendor), expected)
    assert isinstance(search.backend_for("sqlite"), search.SubstringBackend)


def test_each_backend_finds_every_kind(knowledge):
    for backend in backends():
        results = run(backend, "Django")
        assert [f.name for f in results.frameworks] == ["Django"], backend
        assert [c.statement for c in results.claims] == [
            "Django generates migrations from model changes."
        ], backend
        assert [f.name for f in run(backend, "migrations").features] == ["Database migrations"]
        assert [s.title for s in run(backend, "alembic").sources] == ["Alembic tutorial"]
        assert [c.framework.name for c in run(backend, "Alembic").claims] == ["Flask"]


def test_each_backend_matches_all_words_and_ignores_case(knowledge):
    for backend in backends():
        assert [c.framework.name for c in run(backend, "DJANGO model").claims] == ["Django"]
        assert run(backend, "django alembic").total == 0, backend


def test_postgres_search_stems_and_ranks(knowledge):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL only")
    make_framework(name="Migrator", summary="Mentions migrating once.")
    backend = search.PostgresBackend()
    # Stemming: "migrating" finds "migrations"; ranking: the name match comes first.
    results = run(backend, "migrating")
    assert results.features[0].name == "Database migrations"
    names = [f.name for f in run(backend, "migrator").frameworks]
    assert names[0] == "Migrator"
    # Web-search syntax: a minus excludes.
    assert [c.framework.name for c in run(backend, "migrations -alembic").claims] == ["Django"]


def test_search_finds_only_published_claims(knowledge):
    for backend in backends():
        for marker in HIDDEN_MARKERS.values():
            assert run(backend, marker).total == 0, (backend, marker)
        statuses = {c.status for c in run(backend, "statement").claims}
        assert statuses <= {ClaimStatus.PUBLISHED}


def test_search_page_shows_results_by_kind(client, knowledge):
    response = client.get(SEARCH, {"q": "django"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Frameworks <span" in html and 'href="/frameworks/django/"' in html
    assert "<h2>Claims <span" in html
    claim = Claim.objects.get(framework__slug="django")
    assert f'href="/claims/{claim.pk}/"' in html
    assert 'value="django"' in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\t\n",
        "Ünïcödé ✓ 日本語 🚀",
        "‮reversed",
        "a\x01b\x1fc\x7f",
        "\u200b",
        "' OR 1=1 --",
        '"unclosed',
        "-",
        "!@#$%^&*()_+[]{}|;:,.<>?/\\",
        "%_%",
        "the",
        "a | b & !c <-> d",
        "word " * 40,
    ],
)
def test_odd_queries_give_a_normal_page(client, knowledge, query):
    # Blank ones are redirected to the search page without a query first.
    response = client.get(SEARCH, {"q": query}, follow=True)
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(max_size=260))
def test_any_text_gives_a_normal_page(client, knowledge, query):
    response = client.get(SEARCH, {"q": query}, follow=True)
    assert response.status_code == 200


def test_empty_query_asks_for_words(client):
    html = client.get(SEARCH, {"q": "  "}, follow=True).content.decode()
    assert "Type a word or two above" in html


def test_no_match_says_so(client, knowledge):
    html = client.get(SEARCH, {"q": "Zzzznothing"}).content.decode()
    assert "Nothing matches “Zzzznothing”" in html


@pytest.mark.parametrize("query", ["x" * 201, "ü" * 5000, "x" * 100_000])
def test_too_long_query_is_a_form_error_without_searching(
    client, knowledge, query, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


def test_null_character_is_a_form_error(client, knowledge):
    response = client.get(SEARCH, {"q": "django\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_longest_allowed_query_searches(client, knowledge):
    response = client.get(SEARCH, {"q": "django " + "x" * 193})
    assert response.status_code == 200
    assert "Nothing matches" in response.content.decode()


def test_repeated_parameter_uses_one_value(client, knowledge):
    response = client.get(SEARCH + "?q=django&q=flask", follow=True)
    assert response.redirect_chain == [(SEARCH + "?q=flask", 301)]  # the one the form reads
    assert response.status_code == 200


def test_control_characters_become_spaces():
    form = search.SearchForm({"q": " Dja\tngo\x07 \u200b orm\n"})
    assert form.is_valid()
    assert form.cleaned_data["q"] == "Dja ngo orm"


def test_results_are_limited_per_kind_in_a_bounded_number_of_queries(
    knowledge, django_assert_max_num_queries
):
    """Guards against a query per result (e.g. a claim's framework or a feature's category):
    a count and a page per kind."""
    Framework.objects.bulk_create(
        Framework(name=f"Django clone {n}", slug=f"django-clone-{n}") for n in range(30)
    )
    with django_assert_max_num_queries(8):
        results = search_run(query="django", limit=20)
        for claim in results.claims:
            assert claim.framework.name and claim.feature.name
        for feature in results.features:
            assert feature.category.name
    assert len(results.frameworks) == 20


def test_search_page_queries_do_not_grow(client, knowledge, django_assert_max_num_queries):
    """Guards the N+1s of the result lists (framework, feature and category per result): a
    count and a page per kind."""
    for n in range(25):
        make_claim(feature=knowledge, statement=f"Claim {n} about migrations.")
    with django_assert_max_num_queries(8):
        response = client.get(SEARCH, {"q": "migrations"})
    assert response.status_code == 200


def test_search_shows_the_true_count_and_pages_through_each_kind(client):
    import re

    feature = make_claim().feature
    for n in range(45):
        make_claim(feature=feature, key=f"k{n}", statement=f"Pagedword claim {n}.")
    first = client.get(SEARCH, {"q": "pagedword"}).content.decode()
    assert "45 results for" in first
    assert 'Claims <span class="muted">(45)</span>' in first
    seen = []
    page = first
    while True:
        seen += re.findall(r'<a href="(/claims/\d+/)">', page)
        following = re.search(r'href="(\?[^"]*)" rel="next"', page)
        if not following:
            break
        page = client.get(SEARCH + following.group(1).replace("&amp;", "&")).content.decode()
    assert len(seen) == len(set(seen)) == 45
    assert "41–45 of 45" in page
