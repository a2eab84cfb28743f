import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.utils import timezone

from knowledge import quality
from knowledge.models import ClaimRank, ClaimStatus
from tests.factories import (
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_scale,
    make_source,
    make_verification,
)

pytestmark = pytest.mark.django_db


def run_checkkb(*args):
    """(exit status, stdout) of `manage.py checkkb ARGS`, as the shell would see them."""
    command = load_command_class("knowledge", "checkkb")
    out, err = StringIO(), StringIO()
    command.stdout._out, command.stderr._out = out, err
    try:
        command.run_from_argv(["manage.py", "checkkb", *args])
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def checks_of(report, severity):
    return sorted(item["check"] for item in report[severity])


def fresh_source(**fields):
    return make_source(accessed_date=timezone.localdate(), **fields)


def checked_citation(**fields):
    """A citation whose quote verifykb found today, so that it raises no verification warning."""
    citation = make_citation(**fields)
    make_verification(citation)
    return citation


def test_warnings_alone_exit_0():
    checked_citation(claim=make_claim(citations=0), source=fresh_source(), quote="")
    code, out = run_checkkb()
    assert code == 0
    assert "WARNINGS (1)" in out and "ERRORS" not in out
    assert "[citation-without-quote]" in out
    assert "/admin/knowledge/citation/" in out


def test_nothing_wrong_reports_nothing():
    checked_citation(claim=make_claim(citations=0), source=fresh_source())
    code, out = run_checkkb("--format", "json")
    assert (code, json.loads(out)) == (0, {"errors": [], "warnings": []})


def test_a_published_claim_without_citation_is_an_error_with_its_admin_url():
    claim = make_claim(citations=0, support="unknown")
    make_claim(citations=0, status=ClaimStatus.DRAFT)  # drafts may be unsourced
    code, out = run_checkkb("--format", "json")
    assert code == 1
    [error] = json.loads(out)["errors"]
    assert error["check"] == "published-without-citation"
    assert error["admin_url"] == f"/admin/knowledge/claim/{claim.pk}/change/"
    assert error["object"] == f"{claim.framework.name} · {claim.feature.name} ({claim.key})"
    assert "without any citation" in error["message"]


def test_text_output_is_readable_and_exits_1_on_errors():
    claim = make_claim(citations=0)
    code, out = run_checkkb()
    assert code == 1
    assert "ERRORS (1)" in out
    assert f"/admin/knowledge/claim/{claim.pk}/change/" in out
    assert "1 error(s), 0 warning(s)." in out


def test_disagreeing_cells_are_errors_without_a_preferred_claim_and_warnings_with_one():
    source = fresh_source()
    unresolved = make_framework(), make_feature()
    resolved = make_framework(), make_feature()
    agreeing = make_framework(), make_feature()
    for (framework, feature), ranks in (
        (unresolved, [ClaimRank.NORMAL, ClaimRank.NORMAL]),
        (resolved, [ClaimRank.PREFERRED, ClaimRank.NORMAL]),
    ):
        for key, (rank, support) in zip("ab", zip(ranks, ["yes", "no"], strict=True), strict=True):
            claim = make_claim(
                framework=framework,
                feature=feature,
                key=key,
                rank=rank,
                support=support,
                citations=0,
            )
            checked_citation(claim=claim, source=source)
    for key, rank, support in (("a", ClaimRank.NORMAL, "yes"), ("b", ClaimRank.DEPRECATED, "no")):
        claim = make_claim(
            framework=agreeing[0],
            feature=agreeing[1],
            key=key,
            rank=rank,
            support=support,
            citations=0,
        )
        checked_citation(claim=claim, source=source)
    code, out = run_checkkb("--format", "json")
    report = json.loads(out)
    assert code == 1
    assert checks_of(report, "errors") == ["cell-disagreement-unresolved"]
    assert checks_of(report, "warnings") == ["cell-disagreement"]
    [error] = report["errors"]
    assert error["object"] == f"{unresolved[0].name} · {unresolved[1].name}"


def test_stale_and_never_accessed_sources_are_warnings(settings):
    settings.CITEGRID_SOURCE_STALE_DAYS = 30
    today = timezone.localdate()
    stale = make_source(accessed_date=today - timedelta(days=31))
    never = make_source(accessed_date=None)
    make_source(accessed_date=today - timedelta(days=30))
    code, out = run_checkkb("--format", "json")
    warnings = {item["check"]: item for item in json.loads(out)["warnings"]}
    assert code == 0
    assert set(warnings) == {"source-stale", "source-never-accessed"}
    assert warnings["source-stale"]["admin_url"] == f"/admin/knowledge/source/{stale.pk}/change/"
    assert "over 30 days ago" in warnings["source-stale"]["message"]
    assert warnings["source-never-accessed"]["admin_url"].endswith(f"/{never.pk}/change/")


@pytest.mark.parametrize(
    "other",
    [
        {"url": "http://www.Example.org/Docs/"},
        {"url": "https://example.org/docs/"},
        {"url": "", "title": "Docs", "publisher": "Example"},
    ],
)
def test_duplicate_sources_are_warnings(other):
    first = fresh_source(url="https://example.org/docs", title="Docs", publisher="Example")
    second = fresh_source(**{"title": "Other title", **other})
    code, out = run_checkkb("--format", "json")
    [warning] = json.loads(out)["warnings"]
    assert code == 0
    assert warning["check"] == "duplicate-source"
    assert warning["admin_url"] == f"/admin/knowledge/source/{first.pk}/change/"
    assert f"#{second.pk}" in warning["message"]


def test_different_pages_of_one_site_are_not_duplicates():
    fresh_source(url="https://example.org/docs/a")
    fresh_source(url="https://example.org/docs/b")
    assert list(quality.duplicate_sources()) == []


def build_problems(count):
    source = make_source(accessed_date=None)
    for _ in range(count):
        make_claim(citations=0)
        make_citation(claim=make_claim(citations=0), source=make_source(), quote="")
        framework, feature = make_framework(), make_feature()
        for key, support in (("a", "yes"), ("b", "no")):
            claim = make_claim(
                framework=framework, feature=feature, key=key, support=support, citations=0
            )
            make_citation(claim=claim, source=source)
        lost = make_claim(citations=0)
        make_verification(make_citation(claim=lost), status="not_found")
        make_source(url=f"https://docs.example.org/en/stable/page-{make_source().pk}/")
        make_citation(claim=make_claim(citations=0), source=make_source(url=""))


@pytest.mark.parametrize("count", [1, 15])
def test_checks_run_a_fixed_number_of_queries(count, django_assert_max_num_queries):
    """Guards against a per-finding query: reading a claim's framework and feature, or a
    citation's source or last check, for the message of each finding instead of selecting
    them."""
    build_problems(count)
    with django_assert_max_num_queries(10):
        findings = quality.run_checks()
    assert len(findings) >= 8 * count


def test_help_says_what_is_an_error_and_what_a_warning():
    out = StringIO()
    command = load_command_class("knowledge", "checkkb")
    command.create_parser("manage.py", "checkkb").print_help(out)
    text = out.getvalue()
    assert "ERRORS (exit status 1)" in text and "WARNINGS" in text


def test_call_command_raises_on_errors():
    make_claim(citations=0)
    with pytest.raises(Exception, match="1 error"):
        call_command("checkkb", stdout=StringIO())


def test_a_citation_not_verified_in_the_last_n_days_is_a_warning(settings):
    settings.CITEGRID_VERIFY_STALE_DAYS = 30
    claim = make_claim(citations=0)
    recent = checked_citation(claim=claim, source=fresh_source())
    old = make_citation(claim=claim, source=fresh_source())
    make_verification(old, verified_at=timezone.now() - timedelta(days=31))
    lost = make_citation(claim=claim, source=fresh_source())
    make_verification(lost, status="not_found")
    never = make_citation(claim=claim, source=fresh_source())
    code, out = run_checkkb("--format", "json")
    warnings = json.loads(out)["warnings"]
    assert code == 0
    assert {w["admin_url"] for w in warnings} == {
        f"/admin/knowledge/citation/{c.pk}/change/" for c in (old, lost, never)
    }
    assert recent.pk
    messages = " ".join(w["message"] for w in warnings)
    assert "in the last 30 days (verified; last found" in messages
    assert "(not found)" in messages and "(never checked)" in messages


def test_a_published_claim_whose_quotes_are_all_not_found_is_an_error():
    gone = make_claim(citations=0)
    for _ in range(2):
        make_verification(make_citation(claim=gone, source=fresh_source()), status="not_found")
    partly = make_claim(citations=0)
    make_verification(make_citation(claim=partly, source=fresh_source()), status="not_found")
    make_citation(claim=partly, source=fresh_source())  # never checked: still standing
    draft = make_claim(citations=0, status=ClaimStatus.DRAFT)
    make_verification(make_citation(claim=draft, source=fresh_source()), status="not_found")
    code, out = run_checkkb("--format", "json")
    errors = json.loads(out)["errors"]
    assert code == 1
    assert [(e["check"], e["admin_url"]) for e in errors] == [
        ("published-quotes-not-found", f"/admin/knowledge/claim/{gone.pk}/change/")
    ]


def article(**fields):
    return fresh_source(url="", kind="article", **fields)


def test_a_factual_cell_citing_only_articles_without_a_url_is_a_warning():
    framework, feature = make_framework(name="Flask"), make_feature(name="Scalability")
    for key in ("a", "b"):
        claim = make_claim(framework=framework, feature=feature, key=key, citations=0)
        checked_citation(claim=claim, source=article(title=f"Article {key}"))
    code, out = run_checkkb("--format", "json")
    report = json.loads(out)
    assert code == 0
    assert checks_of(report, "warnings") == ["factual-cell-articles-only"]
    (finding,) = report["warnings"]
    assert finding["object"] == "Flask · Scalability"
    assert "“Article a”, “Article b”" in finding["message"]


def test_one_documentation_citation_anywhere_in_the_cell_is_enough():
    framework, feature = make_framework(), make_feature()
    first = make_claim(framework=framework, feature=feature, key="article", citations=0)
    checked_citation(claim=first, source=article())
    docs = make_claim(framework=framework, feature=feature, key="docs", citations=0)
    checked_citation(claim=docs, source=fresh_source(url="https://docs.example.org/1.0/x/"))
    assert list(quality.factual_cells_resting_only_on_articles_without_url()) == []


@pytest.mark.parametrize("case", ["assessment", "draft", "deprecated docs"])
def test_opinions_drafts_and_deprecated_claims_are_not_factual_evidence(case):
    """An assessment may rest on articles (they are its independent voice); a draft cell is
    not public; and a deprecated claim's documentation citation does not rescue a cell whose
    standing claims cite only articles."""
    if case == "assessment":
        feature, (value, *_) = make_scale()
        claim = make_claim(feature=feature, feature_value=value, citations=0)
        checked_citation(claim=claim, source=article())
        expected = []
    elif case == "draft":
        claim = make_claim(status=ClaimStatus.DRAFT, citations=0)
        checked_citation(claim=claim, source=article())
        expected = []
    else:
        framework, feature = make_framework(), make_feature()
        claim = make_claim(framework=framework, feature=feature, key="a", citations=0)
        checked_citation(claim=claim, source=article())
        old = make_claim(
            framework=framework, feature=feature, key="old", rank=ClaimRank.DEPRECATED, citations=0
        )
        checked_citation(claim=old, source=fresh_source())
        expected = [f"{framework.name} · {feature.name}"]
    found = [f.object for f in quality.factual_cells_resting_only_on_articles_without_url()]
    assert found == expected
