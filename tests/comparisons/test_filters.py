"""comparisons.filters.MatrixFilter through the matrix page: each filter, and bad input."""

import re

import pytest
from django.urls import reverse

from comparisons.selectors import matrix_get
from knowledge.models import SourceKind
from tests.comparisons.reading import matrix_rows
from tests.factories import (
    make_category,
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_source,
)

pytestmark = pytest.mark.django_db

URL = reverse("comparisons:matrix")


@pytest.fixture
def kb():
    web = make_category(name="Web", slug="web", order=1)
    data = make_category(name="Data", slug="data", order=2)
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    fastapi = make_framework(name="FastAPI", slug="fastapi")
    features = {
        "routing": make_feature(name="Routing", slug="routing", category=web, order=1),
        "admin": make_feature(
            name="Admin", slug="admin", category=web, order=2, description="Back-office"
        ),
        "orm": make_feature(name="ORM", slug="orm", category=data, order=1),
        "nosql": make_feature(name="NoSQL", slug="nosql", category=data, order=2),
    }
    features["admin"].tags.add("batteries")
    features["orm"].tags.add("batteries", "database")
    for framework in (django, flask, fastapi):
        make_claim(framework=framework, feature=features["routing"])
    make_claim(framework=django, feature=features["admin"], support="yes")
    make_claim(framework=flask, feature=features["admin"], support="extension")
    make_claim(framework=django, feature=features["orm"], support="yes", citations=0)
    make_citation(
        claim=django.claims.get(feature=features["orm"]),
        source=make_source(kind=SourceKind.BOOK),
    )
    make_claim(framework=flask, feature=features["orm"], support="no")
    return {"django": django, "flask": flask, "fastapi": fastapi, **features}


def _rows(data):
    from django.http import QueryDict

    result = matrix_get(data=QueryDict(data))
    return [row.name for row in matrix_rows(result.matrix)], result


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Routing", "Admin", "ORM", "NoSQL"]),
        ("category=data", ["ORM", "NoSQL"]),
        ("category=data&category=web", ["Routing", "Admin", "ORM", "NoSQL"]),
        ("tag=batteries", ["Admin", "ORM"]),
        ("tag=database", ["ORM"]),
        ("q=back-office", ["Admin"]),
        ("q=data", ["ORM", "NoSQL"]),  # the category's name
        ("q=routing+nosql", []),  # every word must match
        ("support=no", ["ORM"]),
        ("support=extension&support=no", ["Admin", "ORM"]),
        ("support=unknown", ["Admin", "ORM", "NoSQL"]),
        ("source_kind=book", ["ORM"]),
        ("differ=on", ["Admin", "ORM"]),
        ("hide_unknown=on", ["Routing", "Admin", "ORM"]),
        ("framework=django&framework=fastapi&differ=on", []),
        ("framework=flask&framework=fastapi&support=extension", ["Admin"]),
        ("framework=fastapi&hide_unknown=on", ["Routing"]),
    ],
)
def test_each_filter_narrows_the_rows(kb, query, expected):
    rows, result = _rows(query)
    assert result.filterset.is_valid(), result.filterset.errors
    assert rows == expected


def test_the_framework_filter_chooses_the_columns_in_the_order_of_the_url(kb):
    # The order a head-to-head page's export and matrix links rely on.
    _, result = _rows("framework=flask&framework=django")
    assert [f.slug for f in result.matrix.frameworks] == ["flask", "django"]
    _, result = _rows("framework=django&framework=flask&framework=django")
    assert [f.slug for f in result.matrix.frameworks] == ["django", "flask"]


def test_the_tag_filter_across_the_many_to_many_asks_for_distinct_rows(kb):
    # One tag per feature cannot repeat a row today, but the join can; distinct keeps it safe.
    _, result = _rows("tag=batteries")
    assert result.filterset.qs.query.distinct
    _, result = _rows("")
    assert not result.filterset.qs.query.distinct


def test_the_page_renders_the_form_as_a_shareable_get_form(client, kb):
    html = client.get(URL, {"category": "data", "differ": "on"}).content.decode()
    assert 'method="get"' in html
    assert 'name="category" value="data"' in html and "checked" in html
    assert "ORM" in html and "Routing</a>" not in html
    assert "(filters on)" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"framework": "nope"}, "framework"),
        ({"support": "bogus"}, "support"),
        ({"category": "\x00"}, "category"),
        ({"tag": "\x00"}, "tag"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"framework": "y" * 10_000}, "framework"),
        ({"source_kind": ["book", "nope"]}, "source_kind"),
        ({"category": ["data", "nope", "nope"]}, "category"),
    ],
)
def test_invalid_values_show_a_form_error_on_a_normal_page(client, kb, query, field):
    response = client.get(URL, query, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters could not be used and were ignored" in html
    assert f"filters__field--{field} filters__field--error" in html


def test_an_invalid_filter_is_ignored_and_the_valid_ones_still_apply(client, kb):
    rows, result = _rows("framework=nope&category=data")
    assert not result.filterset.is_valid()
    assert rows == ["ORM", "NoSQL"]
    assert len(result.matrix.frameworks) == 3
    assert result.query == "category=data"


def test_unknown_parameters_and_repeats_are_harmless(client, kb):
    response = client.get(URL + "?foo=bar&q=orm&q=admin&differ=on&differ=on&page=-1", follow=True)
    assert response.redirect_chain == [(URL + "?q=admin&differ=on", 301)]
    assert response.status_code == 200
    assert "Some filters could not be used" not in response.content.decode()


@pytest.mark.parametrize("word", ["on", "true", "True", "1", "yes", "ON"])
def test_a_switch_is_on_for_the_usual_true_spellings(kb, word):
    rows, result = _rows(f"differ={word}")
    assert result.filterset.is_valid(), result.filterset.errors
    assert rows == ["Admin", "ORM"]
    assert result.query == "differ=on"


@pytest.mark.parametrize("word", ["off", "false", "0", "no", "No", ""])
def test_a_switch_is_off_for_the_usual_false_spellings(client, kb, word):
    rows, result = _rows(f"differ={word}&hide_unknown={word}")
    assert result.filterset.is_valid(), result.filterset.errors
    assert rows == ["Routing", "Admin", "ORM", "NoSQL"]
    assert result.query == ""
    html = client.get(URL, {"differ": word}, follow=True).content.decode()
    # Unticked, and ticking it sends "on", not the word the URL held.
    [box] = re.findall(r'<input type="checkbox" name="differ"[^>]*>', html)
    assert "checked" not in box and "value=" not in box


@pytest.mark.parametrize("word", ["maybe", "2", "onn", "\x00"])
def test_any_other_switch_value_is_a_form_error_and_a_400_from_exports(client, kb, word):
    rows, result = _rows(f"differ={word}")
    assert not result.filterset.is_valid()
    assert rows == ["Routing", "Admin", "ORM", "NoSQL"]  # ignored, not taken as on
    html = client.get(URL, {"differ": word}).content.decode()
    assert "filters__field--differ filters__field--error" in html
    [box] = re.findall(r'<input type="checkbox" name="differ"[^>]*>', html)
    assert "checked" not in box
    for export in ("comparisons:matrix-csv", "comparisons:matrix-json"):
        response = client.get(reverse(export), {"hide_unknown": word})
        assert response.status_code == 400
        assert "hide_unknown" in response.content.decode()


def test_every_aria_describedby_of_the_filters_points_at_an_element(client, kb):
    html = client.get(URL, {"q": "x" * 10_000}).content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = [i for ref in re.findall(r'aria-describedby="([^"]+)"', html) for i in ref.split()]
    assert described and set(described) <= ids


def test_hide_unknown_hides_only_rows_without_any_published_claim(client, kb):
    # One rule everywhere: an unknown row has no published claim. A published claim whose
    # sources cannot tell ("unknown") keeps its row, since the reader can follow its citation.
    make_claim(framework=kb["fastapi"], feature=kb["nosql"], support="unknown")
    rows, _ = _rows("hide_unknown=on")
    assert rows == ["Routing", "Admin", "ORM", "NoSQL"]
    make_claim(
        framework=kb["django"], feature=make_feature(name="Wiki", category=kb["orm"].category)
    ).delete()
    rows, _ = _rows("hide_unknown=on")
    assert "Wiki" not in rows
    assert "Wiki" in _rows("")[0]
    assert "Hide rows where no framework has a published claim." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("tag=&q=", ""),
        ("q=orm&category=web", "category=web&q=orm"),
        (
            "support=yes&support=no&category=web&category=data",
            "category=data&category=web&support=no&support=yes",
        ),
        ("differ=yes&hide_unknown=0", "differ=on"),
        ("framework=flask&framework=django&framework=flask", "framework=flask&framework=django"),
        ("utm_source=x&q=orm", "q=orm"),
    ],
)
def test_a_query_spelled_another_way_redirects_to_its_canonical_form(client, kb, query, canonical):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 301
    assert response["Location"] == (f"{URL}?{canonical}" if canonical else URL)
    page = client.get(response["Location"])
    assert page.status_code == 200
    # The canonical link names the same URL, and the same rows as the original spelling.
    link = f'<link rel="canonical" href="http://testserver{response["Location"]}">'
    assert link.replace("&", "&amp;") in page.content.decode()
    assert _rows(query)[0] == _rows(canonical)[0]


def test_a_cached_canonical_page_never_answers_another_spelling(client, kb):
    assert client.get(f"{URL}?category=data&q=orm").status_code == 200  # now in the page cache
    assert client.get(f"{URL}?q=orm&category=data").status_code == 301


def test_filters_on_shows_only_for_filters_that_apply(client, kb):
    rejected = client.get(URL, {"framework": "nope"}).content.decode()
    assert "(filters on)" not in rejected and "filter-chips" not in rejected
    assert "Some filters could not be used" in rejected


def test_active_filters_show_as_removable_chips_and_the_panel_starts_closed(client, kb):
    html = client.get(URL + "?category=data&support=no&differ=on").content.decode()
    assert '<details class="filters">' in html  # closed after applying
    chips = {
        label.strip(): href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="filter-chip" href="([^"]*)">([^<]*)<', html)
    }
    assert chips == {
        "Categories: Data": f"{URL}?support=no&differ=on",
        "Support level: No": f"{URL}?category=data&differ=on",
        "Only rows where the frameworks differ": f"{URL}?category=data&support=no",
    }
    for href in chips.values():
        assert client.get(href).status_code == 200  # already canonical


def test_only_differ_with_one_framework_says_why_nothing_shows(client, kb):
    html = client.get(URL + "?framework=flask&differ=on").content.decode()
    assert "needs at least two frameworks" in html
    assert "No feature matches" not in html


def test_the_title_counts_in_the_singular_too(client, kb):
    html = client.get(URL + "?framework=flask&q=admin").content.decode()
    assert "<title>Comparison matrix · 1 framework, 1 feature — citegrid</title>" in html


def test_the_text_filter_matches_words_not_parts_of_words(kb):
    make_feature(name="Forms", slug="forms", category=kb["orm"].category, description="Platform")
    make_feature(name="Migrations", slug="migrations", category=kb["orm"].category)
    assert _rows("q=orm")[0] == ["ORM"]
    assert _rows("q=ORM")[0] == ["ORM"]
    assert _rows("q=migration")[0] == ["Migrations"]  # the start of a word
    assert _rows("q=form")[0] == ["Forms"]
    assert _rows("q=back-office")[0] == ["Admin"]
    assert _rows("q=c%2B%2B+(")[0] == []  # regular-expression characters are plain text
