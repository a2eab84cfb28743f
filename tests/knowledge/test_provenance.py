"""Provenance: a citation is first-party when its source is the framework's own word."""

import pytest

from knowledge import quality
from knowledge.models import Provenance
from knowledge.provenance import guess_provenance, unpinned_segment
from tests.factories import make_citation, make_claim, make_framework, make_source

DJANGO = {
    "framework_urls": [
        "https://www.djangoproject.com/",
        "https://docs.djangoproject.com/en/5.2/",
        "https://github.com/django/django",
    ],
    "framework_names": ["Django", "Django Software Foundation"],
}


@pytest.mark.parametrize(
    ("url", "publisher", "expected"),
    [
        ("https://docs.djangoproject.com/en/5.2/topics/db/", "", "first-party"),
        ("https://www.djangoproject.com/weblog/", "", "first-party"),
        ("https://github.com/django/django/blob/main/README.rst", "", "first-party"),
        # Another project on the same code host is not Django's word.
        ("https://github.com/pallets/flask", "", "independent"),
        ("https://djangoproject.com.example.org/", "", "independent"),
        ("", "Django Software Foundation", "first-party"),
        ("", "ScaleupAlly", "independent"),
    ],
)
def test_provenance_is_guessed_from_host_path_and_publisher(url, publisher, expected):
    assert guess_provenance(source_url=url, source_publisher=publisher, **DJANGO) == expected


def test_a_shared_docs_host_counts_only_under_the_frameworks_own_path():
    pyramid = {
        "framework_urls": ["https://docs.pylonsproject.org/projects/pyramid/en/2.1-branch/"],
        "framework_names": ["Pyramid"],
    }
    own = "https://docs.pylonsproject.org/projects/pyramid/en/latest/narr/intro.html"
    other = "https://docs.pylonsproject.org/projects/webob/en/stable/"
    assert guess_provenance(source_url=own, source_publisher="", **pyramid) == "first-party"
    assert guess_provenance(source_url=other, source_publisher="", **pyramid) == "independent"


@pytest.mark.django_db
def test_a_citation_gets_its_provenance_on_save_and_keeps_a_curators_choice():
    framework = make_framework(homepage="https://flask.palletsprojects.com/")
    claim = make_claim(framework=framework, citations=0)
    own = make_citation(claim=claim, source=make_source(url="https://flask.palletsprojects.com/x"))
    article = make_citation(claim=claim, source=make_source(url="https://blog.example.org/flask"))
    assert (own.provenance, article.provenance) == (Provenance.FIRST_PARTY, Provenance.INDEPENDENT)
    article.provenance = Provenance.FIRST_PARTY  # the curator knows the author is a maintainer
    article.save()
    article.refresh_from_db()
    assert article.provenance == Provenance.FIRST_PARTY


@pytest.mark.parametrize(
    ("url", "segment"),
    [
        ("https://flask.palletsprojects.com/en/stable/design/", "stable"),
        ("https://docs.pylonsproject.org/projects/pyramid/en/latest/", "latest"),
        ("https://docs.djangoproject.com/en/dev/", "dev"),
        ("https://docs.djangoproject.com/en/5.2/", None),
        ("https://example.org/stable-releases/", None),
    ],
)
def test_unpinned_documentation_urls_are_recognised(url, segment):
    assert unpinned_segment(url) == segment


@pytest.mark.django_db
def test_checkkb_warns_on_an_unpinned_documentation_url_only():
    unpinned = make_source(
        url="https://flask.palletsprojects.com/en/stable/x/", version_read="3.1.3"
    )
    make_source(url="https://flask.palletsprojects.com/en/3.1.x/y/")
    make_source(url="https://blog.example.org/latest/", kind="article")
    [finding] = quality.unpinned_documentation_urls()
    assert finding.severity == quality.WARNING
    assert finding.admin_url.endswith(f"/source/{unpinned.pk}/change/")
    assert "links to /stable/ (read at 3.1.3)" in finding.message
