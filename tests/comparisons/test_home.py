"""The home page: curated comparisons, counts, recently changed published claims."""

import re

import pytest
from django.urls import reverse

from knowledge.models import ClaimStatus
from tests.factories import make_claim, make_comparison, make_framework, make_source

pytestmark = pytest.mark.django_db

HOME = reverse("comparisons:home")


def test_home_leads_to_django_vs_flask_in_one_click(client):
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    make_claim(framework=django, value="Batteries")
    make_comparison("Django vs Flask", "django-flask", [django, flask])
    html = client.get(HOME).content.decode()
    link = re.search(r'<a href="([^"]+)">Django vs Flask</a>', html)
    assert link
    page = client.get(link.group(1))
    assert page.status_code == 200
    page_html = page.content.decode()
    assert '<table class="matrix">' in page_html and "Batteries" in page_html


def test_only_featured_comparisons_are_on_the_home_page(client):
    make_comparison("Shown here", "shown", [], is_featured=True)
    make_comparison("Only in the list", "hidden", [], is_featured=False)
    html = client.get(HOME).content.decode()
    assert "Shown here" in html and "Only in the list" not in html


def test_counts_only_published_claims_and_the_sources_they_cite(client):
    make_claim(citations=2)
    make_claim(status=ClaimStatus.DRAFT, citations=1)
    make_source()  # cited by nobody
    html = client.get(HOME).content.decode()
    counts = {
        label: int(number) for number, label in re.findall(r"<strong>(\d+)</strong> (\w+)", html)
    }
    assert counts == {"frameworks": 2, "features": 2, "published": 1, "sources": 2}


def test_recently_changed_published_claims_newest_first(client):
    older = make_claim(value="Older value")
    newer = make_claim(value="Newer value")
    make_claim(value="Draft value", status=ClaimStatus.DRAFT)
    html = client.get(HOME).content.decode()
    recent = html[html.index("Recently changed claims") :]
    assert recent.index(newer.get_absolute_url()) < recent.index(older.get_absolute_url())
    assert "Draft value" not in html


def test_home_has_title_description_and_links_to_matrix(client):
    html = client.get(HOME).content.decode()
    assert "<title>citegrid: framework comparisons" in html
    assert '<meta name="description" content="Compare software frameworks' in html
    assert f'href="{reverse("comparisons:matrix")}"' in html
    assert '<link rel="canonical" href="http://testserver/">' in html
    assert "No curated comparison yet" in html
