"""One verification run: each source read once, each of its citations checked, results saved.

Sources are taken one at a time under a lock (a PostgreSQL advisory lock keyed by the source),
so runs on several machines against one database share the work instead of doing it twice: a
source locked by another run is skipped, and so is one that another run finished after this
run started. SQLite has no such lock; run one verifykb at a time there.

Pages are fetched in a pool of threads; everything that touches the database happens in the
calling thread, and each source's results are saved in one transaction. A run that stops
half-way (interrupted, or an error) has saved the sources it finished and nothing of the
others, so running it again with `--older-than` picks up where it stopped.
"""

import hashlib
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from knowledge.models import Citation, Source

from . import extraction, matching, snapshots
from .fetching import Fetcher, Page
from .models import (
    FOUND_STATUSES,
    CitationVerification,
    SourceFetch,
    TextOrigin,
    VerificationStatus,
)

# An arbitrary constant that keeps our advisory locks apart from anyone else's.
LOCK_NAMESPACE = 0x0C17E
NO_LINK = "no link to check"


@dataclass
class Result:
    """What a check found for one citation."""

    status: str
    detail: str = ""
    match: matching.Match | None = None
    passage: matching.Passage | None = None


@dataclass
class SourceOutcome:
    """What reading one source gave: its fetch record's fields and each citation's result."""

    source: Source
    fetch: dict
    results: dict[int, Result]
    # True when the text was read, False when the link failed, None when neither applies (no
    # link, or robots.txt asked us not to look).
    reachable: bool | None = True


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    sources_checked: int = 0
    skipped: Counter = field(default_factory=Counter)

    @property
    def not_verified(self) -> int:
        return sum(n for status, n in self.counts.items() if status != VerificationStatus.VERIFIED)


def sources_to_check(*, pks=None, older_than_days=None):
    """The sources a run covers, in a stable order, with what checking them needs."""
    sources = Source.objects.select_related("last_fetch", "archive").prefetch_related(
        Prefetch("citations", queryset=Citation.objects.only("id", "quote", "source_id"))
    )
    if pks:
        sources = sources.filter(pk__in=pks)
    if older_than_days is not None:
        cutoff = timezone.now() - timedelta(days=older_than_days)
        sources = sources.exclude(last_fetch__fetched_at__gte=cutoff)
    return sources.order_by("pk")


# -- Reading a source's text ------------------------------------------------------------------


def _fetch_fields(page: Page | None, origin: str, text_hash: str = "", error: str = "") -> dict:
    """Every field of a SourceFetch that one reading sets, so none keeps an older value."""
    page = page or Page(url="")
    return {
        "origin": origin,
        "final_url": page.final_url,
        "redirects": page.redirects,
        "http_status": page.status,
        "content_type": page.content_type[:100],
        "content_hash": text_hash,
        "error": (error or page.error)[:300],
    }


def _results_for_text(source, text: str) -> dict[int, Result]:
    results = {}
    for citation in source.citations.all():
        if not citation.quote.strip():
            results[citation.pk] = Result(VerificationStatus.NOT_CHECKABLE, "no quote to look for")
            continue
        found = matching.find(citation.quote, text)
        if found is None:
            results[citation.pk] = Result(VerificationStatus.NOT_FOUND)
            continue
        status = (
            VerificationStatus.REWORDED if found.method == "fuzzy" else VerificationStatus.VERIFIED
        )
        results[citation.pk] = Result(
            status, match=found, passage=matching.passage_in_context(text, found)
        )
    return results


def _same_for_all(source, status, detail) -> dict[int, Result]:
    return {citation.pk: Result(status, detail) for citation in source.citations.all()}


def outcome_from_text(source, text: str, origin: str, page: Page | None = None) -> SourceOutcome:
    text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    results = _results_for_text(source, text)
    return SourceOutcome(source, _fetch_fields(page, origin, text_hash), results)


def outcome_from_page(source, page: Page) -> SourceOutcome:
    fields = _fetch_fields(page, TextOrigin.NETWORK)
    if page.disallowed:
        results = _same_for_all(source, VerificationStatus.NOT_CHECKABLE, page.error)
        return SourceOutcome(source, fields, results, reachable=None)
    if not page.ok:
        results = _same_for_all(source, VerificationStatus.UNREACHABLE, page.error)
        return SourceOutcome(source, fields, results, reachable=False)
    try:
        text = extraction.page_text(page.body, page.content_type, page.charset).text
    except extraction.NotCheckable as why:
        fields["content_hash"] = page.content_hash
        results = _same_for_all(source, VerificationStatus.NOT_CHECKABLE, str(why))
        return SourceOutcome(source, fields, results)
    outcome = outcome_from_text(source, text, TextOrigin.NETWORK, page)
    if page.truncated:
        for result in outcome.results.values():
            if result.status == VerificationStatus.NOT_FOUND:
                result.detail = "only the first part of a very long page was read"
    return outcome


def outcome_without_network(source, snapshot_dir: Path | None) -> SourceOutcome | None:
    """The outcome for a source read from a file or from nowhere; None when it needs a fetch,
    and None (with nothing to record) when a snapshot directory has no file for it."""
    if not source.url:
        archive = getattr(source, "archive", None)
        if archive is None or not archive.text.strip():
            return SourceOutcome(
                source,
                _fetch_fields(None, TextOrigin.NONE, error=NO_LINK),
                _same_for_all(source, VerificationStatus.NOT_CHECKABLE, NO_LINK),
                reachable=None,
            )
        return outcome_from_text(source, archive.text, TextOrigin.CURATOR_SNAPSHOT)
    if snapshot_dir is None:
        return None
    found = snapshots.snapshot_file(snapshot_dir, source.url)
    if found is None:
        return None
    path, kind = found
    body = path.read_bytes()
    text = extraction.decode(body)
    if kind == "html":
        text = extraction.html_text(text)
    outcome = outcome_from_text(source, text, TextOrigin.SNAPSHOT_DIR)
    outcome.fetch["final_url"] = source.url
    return outcome


# -- Saving -----------------------------------------------------------------------------------


def _save_fetch(outcome: SourceOutcome, now) -> None:
    source = outcome.source
    record = SourceFetch.objects.filter(source=source).first() or SourceFetch(source=source)
    for name, value in outcome.fetch.items():
        setattr(record, name, value)
    record.fetched_at = now
    if outcome.reachable:
        record.reachable_at = now
        record.failing_since = None
    elif outcome.reachable is False and record.failing_since is None:
        record.failing_since = now
    record.save()


def _save_result(citation_id: int, result: Result, existing, now) -> None:
    check = existing or CitationVerification(citation_id=citation_id)
    if check.status != result.status or check.status_since is None:
        check.status_since = now
    check.status = result.status
    check.detail = result.detail[:300]
    check.checked_at = now
    if result.status in FOUND_STATUSES:
        # Only a success replaces the passage: after a failure the last one found stays, with
        # the date it was found on.
        check.verified_at = now
        check.method = result.match.method
        check.score = result.match.score
        check.passage = result.passage.passage
        check.context_before = result.passage.before
        check.context_after = result.passage.after
    check.save()


def save_outcome(outcome: SourceOutcome, *, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        existing = {
            check.citation_id: check
            for check in CitationVerification.objects.filter(citation_id__in=outcome.results)
        }
        _save_fetch(outcome, now)
        for citation_id, result in outcome.results.items():
            _save_result(citation_id, result, existing.get(citation_id), now)


# -- Locks ------------------------------------------------------------------------------------


def _lock(source_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, source_id])
        return cursor.fetchone()[0]


def _unlock(source_id: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, source_id])


def _done_since(source, started) -> bool:
    return SourceFetch.objects.filter(source=source, fetched_at__gte=started).exists()


# -- The run ----------------------------------------------------------------------------------


def run(
    sources,
    *,
    fetcher: Fetcher | None = None,
    snapshot_dir: Path | None = None,
    concurrency: int = 4,
    dry_run: bool = False,
    progress=None,
) -> Summary:
    """Check every source of `sources` (from sources_to_check) and return a Summary.

    `progress`, if given, is called once per source finished or skipped.
    """
    summary = Summary()
    started = timezone.now()
    tick = progress or (lambda: None)
    own_fetcher = fetcher is None and snapshot_dir is None
    fetcher = fetcher or (Fetcher() if own_fetcher else None)

    def finish(outcome: SourceOutcome) -> None:
        summary.sources_checked += 1
        summary.counts.update(result.status for result in outcome.results.values())
        if not dry_run:
            save_outcome(outcome)

    def claim(source) -> bool:
        if dry_run:
            return True
        if not _lock(source.pk):
            summary.skipped["checked by another run"] += 1
            return False
        if _done_since(source, started):
            _unlock(source.pk)
            summary.skipped["checked by another run"] += 1
            return False
        return True

    def release(source) -> None:
        if not dry_run:
            _unlock(source.pk)

    pool = ThreadPoolExecutor(max_workers=max(1, concurrency)) if fetcher else None
    pending = {}
    try:
        for source in sources.iterator(chunk_size=200):
            if not claim(source):
                tick()
                continue
            try:
                outcome = outcome_without_network(source, snapshot_dir)
            except BaseException:
                release(source)
                raise
            if outcome is not None or fetcher is None:
                try:
                    if outcome is None:
                        summary.skipped["no snapshot file"] += 1
                    else:
                        finish(outcome)
                finally:
                    release(source)
                tick()
                continue
            pending[pool.submit(fetcher.fetch, source.url)] = source
            if len(pending) >= 2 * concurrency:
                _collect(pending, finish, release, tick)
        while pending:
            _collect(pending, finish, release, tick)
    finally:
        for future, source in pending.items():
            future.cancel()
            release(source)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if own_fetcher:
            fetcher.close()
    return summary


def _collect(pending, finish, release, tick):
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in done:
        source = pending.pop(future)
        try:
            finish(outcome_from_page(source, future.result()))
        finally:
            release(source)
        tick()
