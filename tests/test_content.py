"""The shipped content in fixtures/: complete, sourced, and quoting its sources faithfully.

Read straight from the fixture files, so these tests check what is shipped, not what a
database makes of it; one test loads the files and runs the data-quality checks.
"""

import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from knowledge.models import QUOTE_MAX_LENGTH
from knowledge.quality import ERROR, run_checks
from knowledge.verification import matching
from tests.knowledge.shipped_kb import SHIPPED_FIXTURES, delete_shipped, load_shipped

REPO = Path(__file__).parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
COMPARED = ["django", "flask", "fastapi", "pyramid"]
SEED_IN_NOTES = re.compile(r"\(seed: ([\w.-]+\.txt)\)")


def _objects():
    by_model = defaultdict(list)
    for path in SHIPPED_FIXTURES:
        for obj in json.loads(path.read_text(encoding="utf-8")):
            by_model[obj["model"]].append(obj["fields"])
    return by_model


OBJECTS = _objects()
CLAIMS = OBJECTS["knowledge.claim"]
CITATIONS = OBJECTS["knowledge.citation"]
SOURCES = OBJECTS["knowledge.source"]
FEATURES = OBJECTS["knowledge.feature"]


def _source_key(fields):
    return (fields["url"],) if fields["url"] else (fields["title"], fields["publisher"])


def _squash(text):
    return " ".join(text.split())


# Issue 14: what a reader choosing a framework in late 2026 looks for.
READERS_LOOK_FOR = {
    "latest-release",
    "long-term-support",
    "python-versions",
    "background-tasks",
    "static-files",
    "cors",
    "dependency-injection",
    "graphql",
    "security-headers",
    "class-based-views",
}
FRAMEWORKS = [fw["slug"] for fw in OBJECTS["knowledge.framework"]]
FACTUAL = {f["slug"] for f in FEATURES if f["kind"] in {"capability", "descriptor"}}


def test_at_least_fifty_five_features_in_at_least_thirteen_categories():
    categories = {tuple(feature["category"]) for feature in FEATURES}
    assert len(FEATURES) >= 55
    assert len(categories) >= 13
    assert len(OBJECTS["knowledge.category"]) >= 13
    assert {feature["slug"] for feature in FEATURES} >= READERS_LOOK_FOR


def test_at_least_ten_frameworks_each_with_its_facts_and_releases():
    frameworks = {fw["slug"]: fw for fw in OBJECTS["knowledge.framework"]}
    assert len(frameworks) >= 10
    assert set(COMPARED) <= set(frameworks)
    assert frameworks["django"]["licence"] == "BSD-3-Clause"
    assert frameworks["flask"]["licence"] == "BSD-3-Clause"
    assert frameworks["fastapi"]["licence"] == "MIT"
    assert "Repoze Public License" in frameworks["pyramid"]["licence"]
    released = defaultdict(list)
    for release in OBJECTS["knowledge.release"]:
        released[release["framework"][0]].append(release)
    for slug, fw in frameworks.items():
        assert fw["homepage"].startswith("https://"), slug
        assert fw["repository_url"].startswith("https://github.com/"), slug
        assert fw["documentation_url"].startswith("https://"), slug
        assert fw["licence"] and fw["first_release_year"], slug
        assert released[slug], f"{slug} has no release"
        assert all(release["released_on"] for release in released[slug]), slug


def test_every_cell_of_every_framework_has_a_claim():
    cells = {(c["framework"][0], c["feature"][0]) for c in CLAIMS}
    missing = [
        (fw, feature["slug"])
        for fw in FRAMEWORKS
        for feature in FEATURES
        if (fw, feature["slug"]) not in cells
    ]
    assert missing == []


def _unknown_share(frameworks):
    """Cells with no published claim, counted from the claims themselves (what the matrix
    shows as Unknown), over all cells of these frameworks."""
    answered = {(c["framework"][0], c["feature"][0]) for c in CLAIMS if c["status"] == "published"}
    cells = [(fw, feature["slug"]) for fw in frameworks for feature in FEATURES]
    return sum(cell not in answered for cell in cells) / len(cells)


def test_unknown_in_at_most_3_percent_of_the_four_and_10_percent_of_the_others():
    assert _unknown_share(COMPARED) <= 0.03
    others = [fw for fw in FRAMEWORKS if fw not in COMPARED]
    assert len(others) >= 6
    for slug in others:
        assert _unknown_share([slug]) <= 0.10, slug


def test_every_published_factual_cell_has_a_documentation_citation():
    """The framework's docs or the library's: not only articles, and never a source with no
    URL. Read from the fixtures, independently of checkkb's rule."""
    documentation = {
        _source_key(s) for s in SOURCES if s["kind"] in {"documentation", "repository"} and s["url"]
    }
    published = {
        (c["framework"][0], c["feature"][0], c["key"])
        for c in CLAIMS
        if c["status"] == "published" and c["rank"] != "deprecated"
    }
    cells, documented = set(), set()
    for citation in CITATIONS:
        framework, feature, key = citation["claim"]
        if (framework, feature, key) not in published or feature not in FACTUAL:
            continue
        cells.add((framework, feature))
        if tuple(citation["source"]) in documentation:
            documented.add((framework, feature))
    assert cells - documented == set()


def test_documentation_sources_record_the_version_they_were_read_at():
    for source in SOURCES:
        if source["kind"] == "documentation":
            assert source["version_read"], source["url"]


def test_every_published_claim_cites_a_source_with_a_short_quote():
    quoted = defaultdict(list)
    for citation in CITATIONS:
        quoted[tuple(citation["claim"])].append(citation)
    for claim in CLAIMS:
        if claim["status"] != "published":
            continue
        key = (claim["framework"][0], claim["feature"][0], claim["key"])
        citations = quoted[key]
        assert citations, f"{key} is published without a citation"
        for citation in citations:
            assert 0 < len(citation["quote"]) <= QUOTE_MAX_LENGTH, key
            assert citation["locator"], key
            assert citation["retrieved_date"], key


def test_cells_without_a_source_are_unknown_and_unpublished_with_a_note():
    cited = {tuple(c["claim"]) for c in CITATIONS}
    for claim in CLAIMS:
        key = (claim["framework"][0], claim["feature"][0], claim["key"])
        if key in cited:
            continue
        assert claim["support"] == "unknown", key
        assert claim["status"] in {"draft", "review"}, key
        assert "No source" in claim["note"], key


def test_sources_say_how_they_were_read_and_when():
    for source in SOURCES:
        assert source["notes"], _source_key(source)
        assert source["accessed_date"], _source_key(source)


def test_the_five_seed_articles_are_sources_without_invented_urls():
    articles = [s for s in SOURCES if s["kind"] == "article"]
    assert len(articles) == 5
    for article in articles:
        assert article["url"] == ""
        assert SEED_IN_NOTES.search(article["notes"]), article["title"]


def test_at_most_one_published_preferred_claim_per_cell():
    preferred = defaultdict(int)
    for claim in CLAIMS:
        if claim["status"] == "published" and claim["rank"] == "preferred":
            preferred[claim["framework"][0], claim["feature"][0]] += 1
    assert max(preferred.values()) == 1


def test_disagreements_are_kept_as_competing_claims():
    by_cell = defaultdict(list)
    for claim in CLAIMS:
        by_cell[claim["framework"][0], claim["feature"][0]].append(claim)
    for cell in [("django", "architectural-pattern"), ("flask", "large-applications")]:
        ranks = {claim["rank"] for claim in by_cell[cell]}
        assert {"preferred", "deprecated"} <= ranks, cell
        deprecated = [c for c in by_cell[cell] if c["rank"] == "deprecated"]
        assert all(c["note"] for c in deprecated), cell


def test_the_curated_comparisons_exist():
    comparisons = {c["slug"] for c in OBJECTS["comparisons.comparison"]}
    assert "django-vs-flask" in comparisons
    entries = defaultdict(set)
    for entry in OBJECTS["comparisons.comparisonframework"]:
        entries[entry["comparison"][0]].add(entry["framework"][0])
    assert entries["django-vs-flask"] == {"django", "flask"}
    assert any(frameworks == set(COMPARED) for frameworks in entries.values())


def test_frameworks_and_features_are_tagged():
    assert OBJECTS["knowledge.taggedframework"]
    assert OBJECTS["knowledge.taggedfeature"]


@pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the seed articles are not here ({SEEDS} is absent)"
)
def test_every_quote_from_a_seed_article_is_in_that_article():
    """Whitespace-insensitive; quotes keep the articles' typographic quotes as they are."""
    seed_of = {}
    for source in SOURCES:
        match = SEED_IN_NOTES.search(source["notes"])
        if match:
            seed_of[_source_key(source)] = SEEDS / match.group(1)
    assert len(seed_of) == 5
    checked = 0
    for citation in CITATIONS:
        seed = seed_of.get(tuple(citation["source"]))
        if seed is None:
            continue
        text = _squash(seed.read_text(encoding="utf-8"))
        assert _squash(citation["quote"]) in text, (citation["claim"], citation["quote"])
        checked += 1
    assert checked >= 50


CHECKS = {tuple(c["citation"]): c for c in OBJECTS["knowledge.citationverification"]}
FETCHES = {tuple(f["source"]): f for f in OBJECTS["knowledge.sourcefetch"]}


@pytest.mark.django_db
def test_the_loaded_content_passes_the_data_quality_checks():
    """No error at all: a quote verifykb no longer finds on its page is fixed in the
    fixtures, not excused here."""
    delete_shipped()
    load_shipped()

    findings = run_checks()
    assert [f for f in findings if f.severity == ERROR] == []
    issue_14 = {"unpinned-documentation-url", "factual-cell-articles-only"}
    assert [f.message for f in findings if f.check in issue_14] == []
    out = io.StringIO()
    call_command("checkkb", stdout=out)  # raises CommandError on any error
    assert "0 error(s)" in out.getvalue()


def test_every_documentation_citation_is_verified_with_its_passage_in_context():
    """Issue 10.6: every citation of a page with a URL ends verified or reworded, and the
    passage it shipped with reads as its quote (found again in the passage alone, not on
    the whole page), with context around it."""
    checked = 0
    for citation in CITATIONS:
        source = next(s for s in SOURCES if _source_key(s) == tuple(citation["source"]))
        if not source["url"]:
            continue
        check = CHECKS.get((*citation["claim"], *citation["source"]))
        assert check is not None, ("no check shipped", citation["claim"])
        assert check["status"] in {"verified", "reworded"}, (citation["claim"], check["status"])
        assert check["verified_at"] and check["checked_at"], citation["claim"]
        assert check["context_before"] or check["context_after"], citation["claim"]
        found = matching.find(citation["quote"], check["passage"])
        assert found is not None, (citation["claim"], citation["quote"], check["passage"])
        if check["status"] == "verified":
            assert found.method in {"exact", "normalised"}, citation["claim"]
        else:
            assert check["score"] >= matching.FUZZY_THRESHOLD, citation["claim"]
        checked += 1
    assert checked == sum(1 for c in CITATIONS if c["source"][0].startswith("https://"))
    assert checked >= 130


def test_sources_with_a_url_were_read_from_a_text_and_articles_have_no_link_to_check():
    for source in SOURCES:
        fetch = FETCHES[_source_key(source)]
        if source["url"]:
            assert fetch["origin"] in {"snapshot-dir", "network"}, source["url"]
            assert len(fetch["content_hash"]) == 64, source["url"]
        else:
            assert fetch["error"] == "no link to check", source["title"]
    for citation in CITATIONS:
        if not citation["source"][0].startswith("https://"):
            check = CHECKS[(*citation["claim"], *citation["source"])]
            assert (check["status"], check["detail"]) == ("not_checkable", "no link to check")
