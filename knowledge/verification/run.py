"""One verification run: each source read once, each of its citations checked, results saved.

Sources are taken under a lock (a PostgreSQL advisory lock keyed by the source), so runs on
several machines against one database share the work instead of doing it twice: a source locked
by another run is skipped, and so is one that another run finished after this run started.
They are taken CLAIM_EVERY at a time, in one statement for their locks and one for what other
runs finished: a statement per source cost the run more time than reading its page. SQLite has
no such lock; run one verifykb at a time there.

Pages are fetched, and their quotes looked for, in a pool of threads (a worker reads its page
and keeps only the results, so a page's body is let go as soon as it is read); everything that
touches the database happens in the calling thread. Results are saved SAVE_EVERY sources per
transaction (one commit per source cost more than reading a local page), so a source is saved
whole or not at all. A source's lock is held until its results are saved. A run that stops
half-way keeps the batches it saved and loses at most the batch it was in, whose sources keep
their earlier results; running it again with `--older-than` picks up there.
"""

import contextlib
import hashlib
from collections import Counter, defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
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
    VerificationChange,
    VerificationStatus,
    verification_crossed,
)

# An arbitrary constant that keeps our advisory locks apart from anyone else's.
LOCK_NAMESPACE = 0x0C17E
SAVE_EVERY = 25  # sources saved per transaction
CLAIM_EVERY = 25  # sources whose locks are taken in one statement
# Sources handed to the pool ahead of the one being saved, per worker: enough that the workers
# keep fetching while this thread saves a batch (a batch takes as long as reading several local
# pages), few enough that a run holds few locks it is not using yet (these, and what is left
# of the CLAIM_EVERY sources it took last).
QUEUED_PER_WORKER = 8
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
    # Each source comes with its last fetch and its citations with their last checks, so that
    # saving a source's results reads nothing more.
    citations = Citation.objects.select_related("verification").only(
        "id", "quote", "source_id", "verification"
    )
    sources = Source.objects.select_related("last_fetch", "archive").prefetch_related(
        Prefetch("citations", queryset=citations)
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


def _fetch_record(outcome: SourceOutcome, now) -> SourceFetch:
    source = outcome.source
    record = getattr(source, "last_fetch", None) or SourceFetch(source=source)
    for name, value in outcome.fetch.items():
        setattr(record, name, value)
    record.fetched_at = now
    if outcome.reachable:
        record.reachable_at = now
        record.failing_since = None
    elif outcome.reachable is False and record.failing_since is None:
        record.failing_since = now
    return record


def _check_record(citation_id: int, result: Result, existing, now) -> CitationVerification:
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
    return check


def _replace(model, records, key: str) -> None:
    """Store `records` in place of the rows they update, under the same primary keys: two
    statements for a whole batch, where an UPDATE per row (or Django's bulk_update) cost more
    than fetching the page."""
    model.objects.filter(**{f"{key}__in": [getattr(r, key) for r in records]}).delete()
    model.objects.bulk_create(records)


def _values(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}


class _Batch:
    """One model's rows in a batch. A row new or changed is replaced whole; a row whose only
    changes are dates set to this run's time (a page checked again and found as before, what
    most of a nightly run finds) gets one UPDATE per set of such dates instead: building and
    inserting the rows again was most of the time a run spent on a page of its own."""

    def __init__(self, model, key: str, now):
        self.model, self.key, self.now = model, key, now
        self.replaced = []
        self.touched = defaultdict(list)  # names of the dates set -> primary keys

    def add(self, record, before: dict | None) -> None:
        changed = (
            [] if before is None else [n for n, v in before.items() if getattr(record, n) != v]
        )
        if before is None or any(getattr(record, name) != self.now for name in changed):
            self.replaced.append(record)
        elif changed:
            self.touched[tuple(changed)].append(record.pk)

    def save(self) -> None:
        if self.replaced:
            _replace(self.model, self.replaced, self.key)
        for names, pks in self.touched.items():
            self.model.objects.filter(pk__in=pks).update(**dict.fromkeys(names, self.now))


def save_outcomes(outcomes: list[SourceOutcome], *, now=None) -> None:
    """Save the sources' fetches and their citations' checks, all or nothing."""
    now = now or timezone.now()
    fetches = _Batch(SourceFetch, "source_id", now)
    checks = _Batch(CitationVerification, "citation_id", now)
    # The few checks that crossed the line between verified and not, for /changes/: one
    # INSERT per batch that has any, nothing for re-checks that found what the last one did.
    crossed = []
    for outcome in outcomes:
        last = getattr(outcome.source, "last_fetch", None)
        before = _values(last) if last is not None else None
        fetches.add(_fetch_record(outcome, now), before)
        existing = {c.pk: getattr(c, "verification", None) for c in outcome.source.citations.all()}
        for citation_id, result in outcome.results.items():
            check = existing.get(citation_id)
            before = _values(check) if check is not None else None
            if before is not None and verification_crossed(before["status"], result.status):
                crossed.append(
                    VerificationChange(
                        citation_id=citation_id,
                        changed_at=now,
                        old_status=before["status"],
                        new_status=result.status,
                    )
                )
            checks.add(_check_record(citation_id, result, check, now), before)
    with transaction.atomic():
        fetches.save()
        checks.save()
        if crossed:
            VerificationChange.objects.bulk_create(crossed)


# -- Locks ------------------------------------------------------------------------------------


def _locked(source_ids: list[int]) -> set[int]:
    """Those of `source_ids` whose locks this run took (all of them on SQLite)."""
    if connection.vendor != "postgresql":
        return set(source_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM unnest(%s::int[]) AS id WHERE pg_try_advisory_lock(%s, id)",
            [source_ids, LOCK_NAMESPACE],
        )
        return {row[0] for row in cursor.fetchall()}


def _unlock(source_ids) -> None:
    source_ids = list(source_ids)
    if connection.vendor != "postgresql" or not source_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_unlock(%s, id) FROM unnest(%s::int[]) AS id",
            [LOCK_NAMESPACE, source_ids],
        )


def _done_since(source_ids: set[int], started) -> set[int]:
    """Those of `source_ids` that another run checked after `started`."""
    if connection.vendor != "postgresql" or not source_ids:
        return set()  # no other run to have done it: SQLite runs one at a time
    done = SourceFetch.objects.filter(source_id__in=source_ids, fetched_at__gte=started)
    return set(done.values_list("source_id", flat=True))


# -- The run ----------------------------------------------------------------------------------


class _Run:
    """The state of one run: what it counted, and the sources it holds but has not saved."""

    def __init__(self, *, dry_run: bool, progress):
        self.dry_run = dry_run
        self.tick = progress or (lambda: None)
        self.summary = Summary()
        self.started = timezone.now()
        self.unsaved: list[SourceOutcome] = []
        self.held: set[int] = set()  # locked by this run, not finished yet
        self.finished: list[int] = []  # locked, finished, let go once their batch is saved

    def claimed(self, sources: list) -> list:
        """Those of `sources` this run takes: their locks, except where another run holds one
        or checked the source since this run started (their locks are taken before that is
        read, so a source another run saved and let go is seen as done)."""
        if self.dry_run:
            return sources
        locked = _locked([source.pk for source in sources])
        done = _done_since(locked, self.started)
        _unlock(done)
        taken = []
        for source in sources:
            if source.pk in locked and source.pk not in done:
                self.held.add(source.pk)
                taken.append(source)
            else:
                self.summary.skipped["checked by another run"] += 1
                self.tick()
        return taken

    def done(self, source, outcome: SourceOutcome | None, *, skipped: str = "") -> None:
        if source.pk in self.held:
            self.held.discard(source.pk)
            self.finished.append(source.pk)
        if outcome is None:
            self.summary.skipped[skipped] += 1
        else:
            self.summary.sources_checked += 1
            self.summary.counts.update(result.status for result in outcome.results.values())
            if not self.dry_run:
                self.unsaved.append(outcome)
        self.tick()
        if len(self.unsaved) >= SAVE_EVERY:
            self.flush()

    def flush(self) -> None:
        """Save what is finished in one transaction, then let go of the finished sources'
        locks; sources still being fetched keep theirs, or another run could take them."""
        try:
            if self.unsaved:
                save_outcomes(self.unsaved)
        finally:
            self.unsaved = []
            _unlock(self.finished)
            self.finished = []

    def let_go(self) -> None:
        """Release the locks of sources this run will not finish (it stopped)."""
        _unlock(self.held)
        self.held = set()


def read_page(fetcher: Fetcher, source) -> SourceOutcome:
    """Fetch a source's page and check its citations: a worker's whole job (it reads the
    citations prefetched with the source, and nothing from the database)."""
    return outcome_from_page(source, fetcher.fetch(source.url))


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
    state = _Run(dry_run=dry_run, progress=progress)
    own_fetcher = fetcher is None and snapshot_dir is None
    fetcher = fetcher or (Fetcher() if own_fetcher else None)
    workers = max(1, concurrency)
    pool = ThreadPoolExecutor(max_workers=workers) if fetcher else None
    pending = {}
    completed = False
    try:
        rows = sources.iterator(chunk_size=200)
        while chunk := list(islice(rows, CLAIM_EVERY)):
            for source in state.claimed(chunk):
                outcome = outcome_without_network(source, snapshot_dir)
                if outcome is not None or fetcher is None:
                    state.done(source, outcome, skipped="no snapshot file")
                    continue
                pending[pool.submit(read_page, fetcher, source)] = source
                if len(pending) >= QUEUED_PER_WORKER * workers:
                    _collect(pending, state)
        while pending:
            _collect(pending, state)
        completed = True
    finally:
        for future in pending:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if own_fetcher:
            fetcher.close()
        if completed:
            state.flush()
        else:
            # Stopped (an error, Ctrl-C): save what finished if we can; the locks go either way.
            with contextlib.suppress(Exception):
                state.flush()
            state.let_go()
    return state.summary


def _collect(pending, state: _Run) -> None:
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in done:
        state.done(pending.pop(future), future.result())
