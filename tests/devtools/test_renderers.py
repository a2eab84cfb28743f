"""The benchmark's candidate renderers write the page's bytes, so their times compare."""

import html
import re

import pytest
from django.http import QueryDict

from comparisons.selectors import matrix_get
from devtools.renderers import renderers
from knowledge.models import ClaimRank, SupportLevel
from tests.factories import make_category, make_claim, make_feature, make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix():
    category = make_category(name="Web & data")
    frameworks = [make_framework(name=f"<Framework> {n}", slug=f"fw-{n}") for n in range(3)]
    features = [make_feature(name=f"Feature {n} & co", category=category) for n in range(3)]
    make_claim(framework=frameworks[0], feature=features[0], value="v <2>", citations=2)
    make_claim(framework=frameworks[1], feature=features[0], citations=0, key="none")
    # A disagreement, and agreeing claims with a deprecated one.
    make_claim(framework=frameworks[0], feature=features[1], key="a", rank=ClaimRank.PREFERRED)
    make_claim(framework=frameworks[0], feature=features[1], key="b", support=SupportLevel.NO)
    make_claim(framework=frameworks[1], feature=features[2], key="a")
    make_claim(framework=frameworks[1], feature=features[2], key="b", citations=3)
    # A claim citing nothing, in the list of its cell's claims: the list says so.
    make_claim(framework=frameworks[1], feature=features[2], key="d", citations=0)
    make_claim(
        framework=frameworks[1],
        feature=features[2],
        key="c",
        rank=ClaimRank.DEPRECATED,
        support=SupportLevel.PARTIAL,
    )
    return matrix_get(data=QueryDict()).matrix


def test_every_renderer_writes_what_the_page_writes(matrix):
    drawn = {name: render(matrix) for name, render in renderers().items()}
    expected = drawn.pop("python")
    assert "Sources disagree" in expected[0]
    assert re.search(r"\d+ sources agree", expected[0]) and "+1 superseded" in expected[0]
    assert expected[1].count('class="cell-claims__group"') == 2
    assert "no citation" in expected[1] and "<q>" in expected[1]
    assert expected[2].count("<li") == 2 + 1 + 1 + 1 + 4
    # Django escapes as the page does, byte for byte.
    assert drawn["django"] == expected
    # Jinja2 (markupsafe) writes a quote as &#34; where the page writes &quot;: the same text.
    assert [html.unescape(part) for part in drawn["jinja2"]] == [
        html.unescape(part) for part in expected
    ]
