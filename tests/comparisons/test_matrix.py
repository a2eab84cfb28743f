"""The /matrix/ page: cells with symbol and label, footnotes, disagreement, legend, layout."""

import re

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from knowledge.models import ClaimRank
from tests.factories import make_category, make_citation, make_claim, make_feature, make_framework

pytestmark = pytest.mark.django_db

URL = reverse("comparisons:matrix")


@pytest.fixture
def django_and_flask():
    data = make_category(name="Data layer", slug="data-layer", order=1)
    web = make_category(name="Web", slug="web", order=2)
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    orm = make_feature(name="ORM", slug="orm", category=data)
    admin = make_feature(name="Admin", slug="admin", category=web)
    orm_django = make_claim(framework=django, feature=orm, value="Django ORM", citations=0)
    make_citation(claim=orm_django, quote="Django ships an ORM.", locator="§ Models")
    make_claim(framework=flask, feature=orm, support="extension", value="SQLAlchemy")
    return {"django": django, "flask": flask, "orm": orm, "admin": admin, "claim": orm_django}


def _cell(html, feature, framework):
    """The inside of the cell for `feature` × `framework`."""
    match = re.search(
        rf'<td(?: class="[^"]*")? id="c{feature.pk}-{framework.pk}">(.*?)</td>', html, re.S
    )
    return match.group(1)


def test_frameworks_are_columns_and_features_rows_grouped_by_category(client, django_and_flask):
    html = client.get(URL).content.decode()
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert header.index("Django") < header.index("Flask")
    table = html[html.index('<table class="matrix">') :]
    assert (
        table.index("Data layer") < table.index("ORM") < table.index("Web") < table.index("Admin")
    )
    assert html.count('<tbody class="matrix__category"') == 2


def test_a_cell_shows_symbol_label_value_and_numbered_footnote(client, django_and_flask):
    html = client.get(URL).content.decode()
    claim = django_and_flask["claim"]
    cell = _cell(html, django_and_flask["orm"], django_and_flask["django"])
    assert "✓" in cell and "Built in" in cell and "Django ORM" in cell
    # The badge leads to the claim's first footnote; the numbers of the others are text.
    assert '<a class="support support--yes" href="#fn-1">✓ Built in</a>' in cell
    assert cell.endswith("\nDjango ORM\n[1] unverified")
    footnote = html[html.index('id="fn-1"') :]
    footnote = footnote[: footnote.index("</li>")]
    source = claim.citations.get().source
    assert "Django ships an ORM." in footnote and "§ Models" in footnote
    assert f'href="{source.get_absolute_url()}"' in footnote
    assert f'href="{claim.get_absolute_url()}"' in footnote
    # Its way back is to the cell.
    assert f'href="#c{django_and_flask["orm"].pk}-{django_and_flask["django"].pk}"' in footnote


def test_a_claim_citing_nothing_leads_to_its_page(client, django_and_flask):
    flask, admin = django_and_flask["flask"], django_and_flask["admin"]
    claim = make_claim(framework=flask, feature=admin, support="extension", citations=0)
    html = client.get(URL).content.decode()
    cell = _cell(html, admin, flask)
    assert cell == (
        f'<a class="support support--extension" href="{claim.get_absolute_url()}">'
        "+ Via extension</a>\nunverified"
    )


def test_cells_without_published_claim_say_unknown_with_symbol(client, django_and_flask):
    html = client.get(URL).content.decode()
    cell = _cell(html, django_and_flask["admin"], django_and_flask["flask"])
    assert "?" in cell and "Unknown" in cell


def test_disagreeing_sources_are_marked_and_lead_to_every_claim(client, django_and_flask):
    flask, orm = django_and_flask["flask"], django_and_flask["orm"]
    rival = make_claim(framework=flask, feature=orm, key="rival", support="no", value="none")
    html = client.get(URL).content.decode()
    anchor = f"c{orm.pk}-{flask.pk}"
    cell = _cell(html, orm, flask)
    assert f'href="#claims-{anchor}"' in cell and "Sources disagree" in cell
    group = html[html.index(f'id="claims-{anchor}"') :]
    group = group[: group.index("</div>")]
    for claim in flask.claims.all():
        assert f'href="{claim.get_absolute_url()}"' in group
    assert rival.get_absolute_url() in group


def test_agreeing_claims_are_no_disagreement_but_still_listed(client, django_and_flask):
    django, orm = django_and_flask["django"], django_and_flask["orm"]
    make_claim(framework=django, feature=orm, key="second", rank=ClaimRank.NORMAL)
    html = client.get(URL).content.decode()
    assert "Sources disagree</a>" not in html
    # Two claims, each citing a source of its own.
    assert "2 sources agree</a>" in html


def test_legend_explains_every_mark(client, django_and_flask):
    html = client.get(URL).content.decode()
    legend = html[
        html.index('class="legend"') : html.index("</details>", html.index('class="legend"'))
    ]
    for text in (
        "Built in",
        "Partial",
        "Via extension",
        "No",
        "Unknown",
        "Not applicable",
        "Sources disagree",
        "citation",
    ):
        assert text in legend


def test_categories_collapse_without_script_and_header_and_first_column_stick(
    client, django_and_flask
):
    html = client.get(URL).content.decode()
    assert html.count('class="matrix__toggle" type="checkbox"') == 2
    # The one script is a static file, loaded after the table (progressive enhancement).
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [f'<script src="{static("js/matrix.js")}" defer>']
    assert "style=" not in html and "onclick" not in html
    css = (settings.BASE_DIR / "static/css/matrix.css").read_text()
    assert re.search(r"\.matrix thead th \{[^}]*position: sticky;[^}]*top: 0", css)
    assert re.search(r"\.matrix__feature,\s*\.matrix__corner \{[^}]*position: sticky;", css)
    assert ".matrix__category:has(.matrix__toggle:checked) .matrix__row" in css


def test_title_description_canonical_and_export_links_carry_the_query(client, django_and_flask):
    response = client.get(URL, {"framework": ["flask"], "q": "orm", "junk": "x"}, follow=True)
    html = response.content.decode()
    assert "<title>Comparison matrix" in html
    assert '<meta name="description" content="Every framework against every feature' in html
    assert (
        '<link rel="canonical" href="http://testserver/matrix/?framework=flask&amp;q=orm">' in html
    )
    assert 'href="/matrix/export.csv?framework=flask&amp;q=orm"' in html
    assert 'href="/matrix/export.json?framework=flask&amp;q=orm"' in html


def test_the_matrix_uses_its_stylesheet(client, django_and_flask):
    assert 'href="/static/css/matrix.css"' in client.get(URL).content.decode()


def test_an_empty_knowledge_base_renders(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "No frameworks to compare yet" in response.content.decode()


def test_only_get_and_head_are_allowed(client):
    assert client.post(URL).status_code == 405


def test_the_several_claims_list_names_ranks_as_curators_do(client):
    from tests.factories import make_claim, make_feature, make_framework

    feature, framework = make_feature(name="Sessions"), make_framework(name="Django")
    make_claim(framework=framework, feature=feature, key="a", rank="preferred")
    make_claim(framework=framework, feature=feature, key="b", rank="deprecated")
    html = client.get(URL).content.decode()
    section = html[html.index('id="cell-claims-title"') :]
    assert '<span class="rank">Preferred</span>' in section
    assert '<span class="rank">Deprecated</span>' in section
    assert ">preferred<" not in section
