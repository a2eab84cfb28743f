"""Version timelines on framework and feature pages, from the claims' since/until versions."""

import re

import pytest

from knowledge.models import Claim, ClaimStatus, version_key
from tests.factories import make_claim, make_feature, make_framework, make_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def django():
    framework = make_framework(name="Django", slug="django")
    releases = {v: make_release(framework=framework, version=v) for v in ("3.0", "3.1", "4.0")}
    make_claim(
        framework=framework,
        feature=make_feature(name="Async views"),
        since_version=releases["3.1"],
    )
    make_claim(
        framework=framework,
        feature=make_feature(name="Old middleware"),
        since_version=releases["3.0"],
        until_version=releases["4.0"],
    )
    make_claim(framework=framework, feature=make_feature(name="Templates"))
    make_claim(
        framework=framework,
        feature=make_feature(name="Zqdraft feature"),
        since_version=releases["4.0"],
        status=ClaimStatus.DRAFT,
    )
    return framework


def test_the_framework_page_lists_each_release_s_additions_and_removals(client, django):
    html = client.get(django.get_absolute_url()).content.decode()
    section = html.split('<h2 id="timeline">Timeline</h2>')[1].split("</section>")[0]
    shown = [
        (version, re.sub(r"<[^>]+>", "", rest).split())
        for version, rest in re.findall(
            r"<strong>Django ([\d.]+)</strong>(.*?)</li>", section, re.S
        )
    ]
    # Recomputed from the ORM: each published claim's since and until versions.
    expected = {}
    for claim in Claim.objects.published().filter(framework=django).select_related("feature"):
        for release, word in ((claim.since_version, "added"), (claim.until_version, "removed")):
            if release:
                expected.setdefault(release.version, []).append(f"{word} {claim.feature.name}")
    assert [version for version, _ in shown] == sorted(expected, key=version_key, reverse=True)
    for version, words in shown:
        text = " ".join(words)
        assert all(event in text for event in expected[version]), (version, text)
    assert "Zqdraft" not in html
    # Each claim card says its versions too.
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "since 3.1" in text and "since 3.0 · removed in 4.0" in text


def test_the_feature_page_says_since_and_removed_in(client, django):
    feature = Claim.objects.get(feature__name="Old middleware").feature
    html = client.get(feature.get_absolute_url()).content.decode()
    assert "since 3.0" in html and "removed in 4.0" in html


def test_no_timeline_without_versions(client):
    framework = make_framework()
    make_claim(framework=framework)
    assert 'id="timeline"' not in client.get(framework.get_absolute_url()).content.decode()
