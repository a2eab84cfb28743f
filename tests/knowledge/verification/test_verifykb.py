"""`manage.py verifykb` against a local server: every kind of page ends in the right status.

Each case also checks that nothing but the verification records changed: a check never edits
the sources, citations or claims it reads.
"""

import gzip
import itertools
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone
from werkzeug import Response

from knowledge.models import (
    Citation,
    CitationVerification,
    Claim,
    Source,
    SourceFetch,
    VerificationChange,
)
from knowledge.verification import fetching
from tests.factories import make_citation, make_source

QUOTE = "The admin reads metadata from your models to provide a quick interface."
PAGE = (
    "<!doctype html><html><head><title>Admin</title><script>var q = 'not text';</script>"
    "</head><body><h1>The admin site</h1><p>One of the most powerful parts is the automatic "
    "admin interface. <em>The admin</em> reads metadata from your models to provide a "
    "quick interface where trusted users can manage content on your site.</p></body></html>"
)

pytestmark = pytest.mark.django_db


def curated_rows():
    return [list(model.objects.order_by("pk").values_list()) for model in (Source, Citation, Claim)]


def check(url, quote=QUOTE, *args):
    """Cite `quote` from `url`, run verifykb on that source, return the citation's check."""
    citation = make_citation(source=make_source(url=url), quote=quote)
    before = curated_rows()
    call_command("verifykb", "--source", str(citation.source_id), *args)
    assert curated_rows() == before, "verifykb changed a source, citation or claim"
    return CitationVerification.objects.filter(citation=citation).first()


def test_a_quote_on_the_page_is_verified_with_its_passage_in_context(site):
    check_ = check(site.page("/admin/", PAGE))
    assert check_.status == "verified"
    assert check_.method == "normalised"  # "<em>The admin</em> reads" is not exact
    assert check_.passage == QUOTE.rstrip(".")  # the page goes on: "… interface where"
    assert check_.context_before.endswith("automatic admin interface. ")
    assert check_.context_after.startswith(" where trusted users")
    assert "not text" not in check_.context_before
    assert check_.verified_at == check_.checked_at == check_.status_since
    fetch = SourceFetch.objects.get(source=check_.citation.source)
    assert (fetch.http_status, fetch.final_url, fetch.error) == (200, site.url("/admin/"), "")
    assert len(fetch.content_hash) == 64


def test_a_reworded_quote_is_reworded_with_its_score(site):
    url = site.page("/admin/", PAGE.replace("quick interface", "fast interface"))
    check_ = check(url)
    assert check_.status == "reworded"
    assert 85 <= check_.score < 100
    assert "fast interface" in check_.passage


def test_a_removed_quote_is_not_found(site):
    check_ = check(site.page("/admin/", PAGE.replace("reads metadata", "was removed")), QUOTE[:30])
    assert check_.status == "not_found"
    assert check_.passage == "" and check_.verified_at is None


@pytest.mark.parametrize("status", [404, 410, 500])
def test_an_error_status_is_unreachable_with_the_status(site, status):
    check_ = check(site.page("/gone/", "Gone", status=status))
    assert (check_.status, check_.detail) == ("unreachable", f"HTTP {status}")
    fetch = SourceFetch.objects.get(source=check_.citation.source)
    assert fetch.http_status == status
    assert fetch.failing_since == check_.checked_at and fetch.reachable_at is None


def test_a_page_slower_than_the_timeout_is_unreachable(site):
    def slow(request):
        time.sleep(2)
        return Response(PAGE, content_type="text/html")

    started = time.monotonic()
    check_ = check(site.handler("/slow/", slow))
    assert (check_.status, check_.detail) == ("unreachable", "timed out")
    assert time.monotonic() - started < 2


def test_the_total_timeout_covers_every_redirect(site):
    """Each hop answers within the timeout, the chain does not: the total is for the page,
    so it ends as timed out rather than with whatever the last hop would have answered."""

    def slow_hop(request):
        time.sleep(0.4)
        hop = int(request.path.strip("/").removeprefix("hop"))
        if hop == 5:
            return Response("Server error", status=500)
        return Response("", status=302, headers={"Location": f"/hop{hop + 1}/"})

    for hop in range(1, 6):
        site.handler(f"/hop{hop}/", slow_hop)
    check_ = check(site.url("/hop1/"))
    assert (check_.status, check_.detail) == ("unreachable", "timed out")


def test_waiting_for_the_hosts_turn_does_not_count_against_the_timeout(site):
    fetcher = fetching.Fetcher()  # TOTAL_TIMEOUT is 1 s here
    take_turn = fetcher.gate.enter

    def after_a_long_queue(host):
        time.sleep(1.2)  # the other pages of this host go first
        return take_turn(host)

    fetcher.gate.enter = after_a_long_queue
    try:
        page = fetcher.fetch(site.page("/queued/", PAGE))
    finally:
        fetcher.close()
    assert (page.error, page.status) == ("", 200)
    assert QUOTE.split()[-1].encode() in page.body


def test_a_redirect_loop_is_unreachable(site):
    site.page("/a/", "", status=302, headers={"Location": "/b/"})
    site.page("/b/", "", status=302, headers={"Location": "/a/"})
    check_ = check(site.url("/a/"))
    assert check_.status == "unreachable"
    assert "loop" in check_.detail


def test_redirects_are_followed_and_recorded(site):
    site.page("/old/", "", status=301, headers={"Location": "/newer/"})
    site.page("/newer/", "", status=302, headers={"Location": site.url("/new/")})
    site.page("/new/", PAGE)
    check_ = check(site.url("/old/"))
    assert check_.status == "verified"
    fetch = SourceFetch.objects.get(source=check_.citation.source)
    assert fetch.final_url == site.url("/new/")
    assert fetch.redirects == [[301, site.url("/newer/")], [302, site.url("/new/")]]


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/", "http://[::1]/"]
)
def test_a_redirect_to_a_private_address_is_refused(site, target):
    site.page("/jump/", "", status=302, headers={"Location": target})
    check_ = check(site.url("/jump/"))
    assert check_.status == "unreachable"
    assert check_.detail.startswith("refused:") and "private or reserved" in check_.detail


def test_loopback_is_refused_unless_allowed_for_tests(site, settings):
    settings.CITEGRID_VERIFY_ALLOW_LOOPBACK = False
    check_ = check(site.page("/admin/", PAGE))
    assert check_.status == "unreachable" and check_.detail.startswith("refused:")
    assert site.server.log == []


def test_a_huge_body_is_cut_off_at_the_limit(site):
    filler = "<p>" + "Lorem ipsum dolor sit amet. " * 10_000 + "</p>"
    url = site.page("/huge/", f"<html><body><p>{QUOTE}</p>{filler}<p>The end.</p></body></html>")
    first = check(url)
    assert first.status == "verified"
    end = make_citation(source=first.citation.source, quote="The end.")
    call_command("verifykb", "--source", str(first.citation.source_id))
    check_ = CitationVerification.objects.get(citation=end)
    assert check_.status == "not_found"
    assert check_.detail == "only the first part of a very long page was read"


def test_an_endless_body_is_cut_off(site):
    def endless(request):
        head = f"<html><body><p>{QUOTE}</p>".encode()
        chunks = itertools.chain([head], itertools.repeat(b"x" * 1024))
        return Response(chunks, content_type="text/html")

    assert check(site.handler("/endless/", endless)).status == "verified"


def test_a_gzip_bomb_is_inflated_only_up_to_the_limit(site, monkeypatch):
    bomb = gzip.compress(f"<html><body><p>{QUOTE}</p>".encode() + b" " * (50 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    url = site.page("/bomb/", bomb, headers={"Content-Encoding": "gzip"})
    assert check(url).status == "verified"
    inflated = []

    class CountingInflater:
        def __init__(self, inflater):
            self.inflater = inflater

        def decompress(self, data, max_length):
            out = self.inflater.decompress(data, max_length)
            inflated.append(len(out))
            return out

        @property
        def unconsumed_tail(self):
            return self.inflater.unconsumed_tail

    real = fetching._inflater
    monkeypatch.setattr(fetching, "_inflater", lambda encoding: CountingInflater(real(encoding)))
    page = fetching.Fetcher().fetch(url)
    assert page.truncated and len(page.body) == 64 * 1024
    assert sum(inflated) <= 64 * 1024 + 1, "the bomb was inflated beyond the limit"


def test_plain_text_is_read(site):
    url = site.page("/notes.txt", f"Notes\n\n{QUOTE}\n", content_type="text/plain")
    assert check(url).status == "verified"


def test_a_pdf_is_not_checkable(site):
    url = site.page("/paper.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    check_ = check(url)
    assert check_.status == "not_checkable" and "PDF" in check_.detail


def test_a_wrong_charset_is_overridden_by_valid_utf8(site):
    quote = "Django’s admin — café-grade “quick” interface"
    body = f"<html><body><p>{quote}</p></body></html>".encode()
    url = site.page("/utf8/", body, content_type="text/html; charset=iso-8859-1")
    assert check(url, quote).method == "exact"


def test_a_missing_charset_falls_back_to_windows_1252(site):
    quote = "Le café est prêt – servez-vous"
    url = site.page("/latin/", f"<p>{quote}</p>".encode("cp1252"), content_type="text/html")
    assert check(url, quote).method == "exact"


def test_robots_txt_is_read_once_per_host_by_workers_starting_together(site):
    for n in range(4):
        make_citation(source=make_source(url=site.page(f"/together{n}/", PAGE)), quote=QUOTE)
    call_command("verifykb", "--concurrency", "4")
    assert len(site.requested("/robots.txt")) == 1
    assert set(CitationVerification.objects.values_list("status", flat=True)) == {"verified"}


def test_robots_txt_disallowing_the_path_is_honoured(site):
    site.robots = "User-agent: *\nDisallow: /private/\n"
    check_ = check(site.page("/private/page", PAGE))
    assert check_.status == "not_checkable" and "robots.txt" in check_.detail
    assert site.requested("/private/page") == []
    fetch = SourceFetch.objects.get(source=check_.citation.source)
    assert fetch.failing_since is None


def test_robots_txt_is_asked_again_for_where_a_redirect_leads(site):
    site.robots = "User-agent: *\nDisallow: /private/\n"
    site.page("/private/page/", PAGE)
    url = site.page("/moved/", "", status=302, headers={"Location": "/private/page/"})
    check_ = check(url)
    assert check_.status == "not_checkable"
    assert "robots.txt" in check_.detail
    assert site.requested("/private/page/") == []


def test_a_failed_check_keeps_the_last_passage_found_and_its_date(site):
    url = site.page("/admin/", PAGE)
    first = check(url)
    site.clear()
    site.page("/admin/", "Server error", status=500)
    call_command("verifykb", "--source", str(first.citation.source_id))
    later = CitationVerification.objects.get(pk=first.pk)
    assert later.status == "unreachable"
    assert (later.passage, later.verified_at) == (first.passage, first.verified_at)
    assert later.status_since == later.checked_at > first.checked_at


def _rows(model, dates):
    return {
        row.pop("id" if "id" in row else next(iter(row))): row
        for row in model.objects.values()
        if not [row.pop(name) for name in dates]
    }


def test_running_twice_changes_only_the_check_dates(site):
    first = check(site.page("/admin/", PAGE))
    fetched = SourceFetch.objects.get()
    checks = _rows(CitationVerification, ["checked_at", "verified_at"])
    fetches = _rows(SourceFetch, ["fetched_at", "reachable_at"])
    call_command("verifykb", "--source", str(first.citation.source_id))
    again = CitationVerification.objects.get(pk=first.pk)
    assert _rows(CitationVerification, ["checked_at", "verified_at"]) == checks
    assert _rows(SourceFetch, ["fetched_at", "reachable_at"]) == fetches
    assert again.checked_at == again.verified_at > first.checked_at
    refetched = SourceFetch.objects.get()
    assert refetched.fetched_at == refetched.reachable_at == again.checked_at > fetched.fetched_at
    assert again.status_since == first.status_since


@pytest.mark.parametrize("sources", [2, 6])
def test_checking_pages_found_as_before_costs_the_same_queries_at_any_size(
    site, sources, django_assert_num_queries
):
    """Saving a re-check must not cost a query per source or per citation: results found as
    before only have their dates set, one UPDATE per model and set of dates."""
    from knowledge.verification import run

    for n in range(sources):
        make_citation(source=make_source(url=site.page(f"/p{n}/", PAGE)), quote=QUOTE)
    gone_page = [PAGE]
    gone_url = site.handler("/gone/", lambda request: Response(gone_page[0], mimetype="text/html"))
    gone = make_citation(source=make_source(url=gone_url), quote=QUOTE)
    run.run(run.sources_to_check())
    gone_page[0] = "<p>Nothing to see here any more.</p>"
    # sources, their citations with checks (one prefetch); a transaction: the changed result
    # replaced (a DELETE and an INSERT per model: its fetch's hash changed too), the others'
    # dates set (two UPDATEs: verified checks and reachable fetches), and the one verification
    # lost recorded (one INSERT). On PostgreSQL the run also takes the sources' locks, asks
    # whether another run checked them meanwhile and lets them go: a statement each for up to
    # CLAIM_EVERY sources, not a statement per source.
    assert sources + 1 <= run.CLAIM_EVERY
    locking = 3 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(2 + 2 + 4 + 2 + 1 + locking):
        summary = run.run(run.sources_to_check())
    assert summary.counts == {"verified": sources, "not_found": 1}
    assert CitationVerification.objects.get(citation=gone).status == "not_found"
    assert list(VerificationChange.objects.values_list("citation", "old_status", "new_status")) == [
        (gone.pk, "verified", "not_found")
    ]
    # Everything found as before: dates only (three UPDATEs, the not-found check having one
    # date fewer to set), and no verification change at all.
    with django_assert_num_queries(2 + 2 + 3 + locking):
        run.run(run.sources_to_check())
    assert VerificationChange.objects.count() == 1


def test_only_crossing_the_verified_line_is_a_verification_change(site):
    """Lost, regained, and nothing for the first check or a change between two failures."""
    page = [PAGE]
    url = site.handler("/moving/", lambda request: Response(page[0], mimetype="text/html"))
    first = check(url)
    assert first.status == "verified"
    assert not VerificationChange.objects.exists()  # a first check loses nothing
    steps = [
        ("<p>Gone.</p>", "not_found"),
        ("<p>Still gone.</p>", "not_found"),
        (PAGE.replace("quick interface", "fast interface"), "reworded"),
        (PAGE, "verified"),
        (PAGE, "verified"),
    ]
    for body, status in steps:
        page[0] = body
        call_command("verifykb", "--source", str(first.citation.source_id))
        assert CitationVerification.objects.get(pk=first.pk).status == status
    changes = VerificationChange.objects.order_by("changed_at", "pk")
    assert [(c.old_status, c.new_status) for c in changes] == [
        ("verified", "not_found"),
        ("reworded", "verified"),
    ]
    checks_at = [c.changed_at for c in changes]
    assert checks_at[0] < checks_at[1]


def test_a_run_that_fails_half_way_keeps_what_it_finished_and_earlier_results(site, monkeypatch):
    good = make_citation(source=make_source(url=site.page("/one/", PAGE)), quote=QUOTE)
    other = make_citation(source=make_source(url=site.page("/two/", PAGE)), quote=QUOTE)
    call_command("verifykb")
    earlier = list(CitationVerification.objects.order_by("pk").values_list())
    site.clear()
    site.page("/one/", "<p>Nothing to see here any more.</p>")
    site.page("/two/", "<p>Nothing to see here any more.</p>")
    from knowledge.verification import run

    original = run._check_record

    def fail_on_second(citation_id, *args):
        if citation_id == other.pk:
            raise RuntimeError("the database went away")
        return original(citation_id, *args)

    monkeypatch.setattr(run, "_check_record", fail_on_second)
    monkeypatch.setattr(run, "SAVE_EVERY", 1)  # each source its own transaction
    with pytest.raises(RuntimeError):
        call_command("verifykb", "--concurrency", "1")
    statuses = dict(CitationVerification.objects.values_list("citation_id", "status"))
    assert statuses == {good.pk: "not_found", other.pk: "verified"}
    kept = CitationVerification.objects.get(citation=other)
    assert list(CitationVerification.objects.filter(pk=kept.pk).values_list()) == [
        row for row in earlier if row[0] == kept.pk
    ]


def test_a_source_without_url_has_no_link_to_check_until_a_snapshot_is_attached():
    from knowledge.models import SourceArchive

    citation = make_citation(source=make_source(url=""), quote=QUOTE)
    call_command("verifykb")
    check_ = CitationVerification.objects.get(citation=citation)
    assert (check_.status, check_.detail) == ("not_checkable", "no link to check")
    SourceArchive.objects.create(source=citation.source, text=f"Some text. {QUOTE} More.")
    call_command("verifykb")
    check_.refresh_from_db()
    assert check_.status == "verified"
    assert SourceFetch.objects.get(source=citation.source).origin == "curator-snapshot"


def test_a_citation_without_quote_is_not_checkable(site):
    assert check(site.page("/admin/", PAGE), "").status == "not_checkable"


def test_snapshot_dir_reads_the_file_named_after_the_url(tmp_path):
    found = make_citation(source=make_source(url="https://docs.example.org/en/5.2/faq/"))
    missing = make_citation(source=make_source(url="https://docs.example.org/other.html"))
    path = tmp_path / "docs.example.org/en/5.2/faq/index.txt"
    path.parent.mkdir(parents=True)
    path.write_text(f"FAQ\n\n{found.quote}\n", encoding="utf-8")
    call_command("verifykb", "--snapshot-dir", str(tmp_path))
    assert CitationVerification.objects.get(citation=found).status == "verified"
    assert not CitationVerification.objects.filter(citation=missing).exists()


def test_dry_run_saves_nothing(site, capsys):
    citation = make_citation(source=make_source(url=site.page("/admin/", PAGE)), quote=QUOTE)
    call_command("verifykb", "--dry-run")
    assert not CitationVerification.objects.exists() and not SourceFetch.objects.exists()
    assert "verified: 1" in capsys.readouterr().out
    assert citation.pk


def test_strict_fails_when_a_citation_is_not_verified(site):
    make_citation(source=make_source(url=site.page("/admin/", PAGE)), quote=QUOTE)
    call_command("verifykb", "--strict")
    make_citation(source=make_source(url=site.page("/gone/", "", status=404)))
    with pytest.raises(CommandError) as error:
        call_command("verifykb", "--strict")
    assert error.value.returncode == 1


def test_older_than_skips_sources_fetched_recently(site):
    citation = make_citation(source=make_source(url=site.page("/admin/", PAGE)), quote=QUOTE)
    call_command("verifykb")
    checked = CitationVerification.objects.get(citation=citation).checked_at
    call_command("verifykb", "--older-than", "1")
    assert CitationVerification.objects.get(citation=citation).checked_at == checked
    call_command("verifykb", "--older-than", "0")
    assert CitationVerification.objects.get(citation=citation).checked_at > checked


@pytest.mark.parametrize(
    "args, message",
    [
        (["--concurrency", "0"], "--concurrency"),
        (["--concurrency", "65"], "between 1 and 64"),
        (["--older-than", "-1"], "--older-than"),
        (["--snapshot-dir", "/nonexistent/dir"], "no such directory"),
        (["--source", "987654"], "no source"),
    ],
)
def test_bad_options_are_refused_with_a_clear_error_and_change_nothing(args, message):
    make_citation()
    with pytest.raises(CommandError, match=message):
        call_command("verifykb", *args)
    assert not CitationVerification.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_source_another_run_holds_is_skipped(site):
    from knowledge.verification import run

    locked = make_citation(source=make_source(url=site.page("/one/", PAGE)), quote=QUOTE)
    free = make_citation(source=make_source(url=site.page("/two/", PAGE)), quote=QUOTE)
    other_run = connections.create_connection("default")
    try:
        with other_run.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [run.LOCK_NAMESPACE, locked.source_id]
            )
        call_command("verifykb")
    finally:
        other_run.close()
    assert list(CitationVerification.objects.values_list("citation_id", flat=True)) == [free.pk]
    call_command("verifykb", "--source", str(locked.source_id))
    assert CitationVerification.objects.get(citation=locked).status == "verified"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_source_still_being_fetched_keeps_its_lock_when_an_earlier_batch_is_saved(
    site, monkeypatch
):
    from knowledge.verification import run

    monkeypatch.setattr(run, "SAVE_EVERY", 1)
    fast = make_citation(source=make_source(url=site.page("/fast/", PAGE)), quote=QUOTE)
    seen = {}

    def slow(request):
        # Another run's view of the locks, once the fast source's batch was saved.
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                for _ in range(100):
                    if _try_lock(cursor, fast.source_id):
                        break
                    time.sleep(0.05)
                seen["slow source free"] = _try_lock(cursor, slow_citation.source_id)
        finally:
            other.close()  # its locks go with it
        return Response(PAGE, content_type="text/html")

    slow_citation = make_citation(source=make_source(url=site.handler("/slow/", slow)), quote=QUOTE)
    summary = run.run(run.sources_to_check(), concurrency=2)
    assert summary.counts == {"verified": 2}
    assert seen == {"slow source free": False}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_source_another_run_checked_after_this_one_started_is_skipped_and_let_go(site):
    from knowledge.verification import run

    done = make_citation(source=make_source(url=site.page("/done/", PAGE)), quote=QUOTE)
    todo = make_citation(source=make_source(url=site.page("/todo/", PAGE)), quote=QUOTE)
    run.run(run.sources_to_check(pks=[done.source_id]))
    # Another run's save, as a run that starts now sees it: after its start.
    later = timezone.now() + timedelta(hours=1)
    SourceFetch.objects.filter(source=done.source).update(fetched_at=later)
    summary = run.run(run.sources_to_check())
    assert summary.skipped == {"checked by another run": 1}
    assert summary.counts == {"verified": 1}
    assert CitationVerification.objects.get(citation=todo).status == "verified"
    assert SourceFetch.objects.get(source=done.source).fetched_at == later
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            # Neither lock is kept: the skipped source's was let go at once.
            assert _try_lock(cursor, done.source_id) and _try_lock(cursor, todo.source_id)
    finally:
        other.close()


def _try_lock(cursor, source_id):
    from knowledge.verification import run

    cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [run.LOCK_NAMESPACE, source_id])
    return cursor.fetchone()[0]
