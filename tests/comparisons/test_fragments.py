"""The matrix pages' large fragments are spliced in after the template: the page must be the
same, byte for byte, as the template rendered with its fragments in place."""

import gc
import weakref

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from comparisons import views
from comparisons.fragments import Fragments
from comparisons.selectors import matrix_pages
from knowledge.models import Framework
from tests.factories import make_grid

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid():
    # Categories, unknown cells, cells with several claims: every tag that holds a fragment.
    make_grid(3, 12, categories=2, rivals=2)


def _in_place(path: str, template: str, context: dict) -> str:
    """The page as Django's own render() writes it, every fragment where its tag stands."""
    return render_to_string(template, context, request=RequestFactory().get(path))


def test_the_matrix_page_is_its_template_rendered_with_the_fragments_in_place(client, grid):
    result = views.matrix_part_get(data=QueryDict())
    context = views._matrix_context(result, export_query=result.query)
    expected = _in_place("/matrix/", "comparisons/matrix.html", context)
    page = client.get(reverse("comparisons:matrix")).content.decode()
    assert page == expected
    assert "\x00" not in page
    assert page.count('<tr class="matrix__row">') == 12
    assert 'class="cell-claims__group"' in page and '<li id="fn-1">' in page


def test_a_compare_page_is_spliced_whole_too(client, grid):
    slugs = list(Framework.objects.order_by("slug").values_list("slug", flat=True)[:2])
    page = client.get(reverse("comparisons:compare", kwargs={"slugs": "-vs-".join(slugs)}))
    text = page.content.decode()
    assert page.status_code == 200 and "\x00" not in text
    # Both sections' tables, each category's rows, and the footnotes they cite.
    assert text.count('<tr class="matrix__row">') == 12
    assert '<li id="fn-1">' in text


def test_a_placeholder_is_replaced_by_its_own_fragment_wherever_it_stands():
    fragments = Fragments()
    first, second = fragments.hold("<p>one</p>"), fragments.hold("<p>two\x00</p>")
    page = f"<main>{second}<div>{first}</div>{first}</main>"
    assert fragments.spliced(page) == "<main><p>two\x00</p><div><p>one</p></div><p>one</p></main>"
    # Another rendering's placeholder is not this one's: left as it is.
    stray = Fragments().hold("<p>other</p>")
    assert fragments.spliced(f"<main>{stray}</main>") == f"<main>{stray}</main>"


@pytest.fixture
def built_matrices(monkeypatch):
    """Weak references to each Matrix the pages build, during the test."""
    seen = []
    build = matrix_pages.matrix_build

    def remembered(**kwargs):
        matrix = build(**kwargs)
        seen.append(weakref.ref(matrix))
        return matrix

    monkeypatch.setattr(matrix_pages, "matrix_build", remembered)
    return seen


def _views(rf):
    """Calls of the matrix page's view and of a head-to-head's, each returning its response."""
    slugs = "-vs-".join(Framework.objects.order_by("slug").values_list("slug", flat=True)[:2])
    compare = reverse("comparisons:compare", kwargs={"slugs": slugs})
    return [
        lambda: views.matrix(rf.get(reverse("comparisons:matrix"))),
        lambda: views.compare(rf.get(compare), slugs=slugs),
    ]


def test_a_rendered_page_leaves_no_cycle_holding_its_matrix(rf, grid, built_matrices):
    gc.disable()  # nothing but reference counting may free the records
    try:
        assert [view().status_code for view in _views(rf)] == [200, 200]
        assert len(built_matrices) == 2
        assert [ref() for ref in built_matrices] == [None, None]
    finally:
        gc.enable()
