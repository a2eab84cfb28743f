"""The content version, and a shared cache that steps aside when it fails.

Every committed write to knowledge content bumps one integer in the shared cache (Redis in
production, so all gunicorn workers see it; see comparisons/invalidation.py). Cached pages are
stored under that integer as the cache's own `version=`: after a bump the old entries are
never read again and simply expire. Nothing is deleted, so there is no race between a write
and a reader that fetched the old version a moment before.

Each worker keeps the version it read for CONTENT_VERSION_MEMO_MS (100 ms): a round trip to
Redis per request cost a cache hit as much as all its other work. So an edit shows on another
worker within that time, as a page retired by an edit shows its previous rendering for the time
one render takes (stale-while-revalidate), and at once on the worker that made it, whose bump
forgets its memo (unless one of its requests read the old version just before and puts it
back: then within the same time). A memo may only lag: a page rendered from newer rows under
an older version is harmless, the reverse (which the middleware guards against) cannot come
of it.

The pages never need the cache, so a cache that is down, paused or full must not break them.
Every operation here goes through one circuit breaker per process: the first error raises
CacheUnavailable (callers render without the cache) and opens the breaker, which then answers
CacheUnavailable at once, without touching the cache, for CACHE_RETRY_SECONDS; after that one
request tries again. So a dead cache costs one timeout per interval and one log line, not a
timeout and a traceback per request. A bump that fails is retried in the background until it
lands, so pages cached before an edit made during an outage are not served after it.
"""

import contextlib
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

VERSION_KEY = "citegrid:content-version"
# Pages and their bodies expire anyway, so entries orphaned by a bump do not pile up.
ENTRY_TIMEOUT = 60 * 60


class CacheUnavailable(Exception):
    """The shared cache failed just now, or recently: do without it."""


class CircuitBreaker:
    """Lets calls through while they work; after a failure, refuses them for `interval`
    seconds, then lets one call through to try again."""

    def __init__(self, interval: float):
        self.interval = interval
        self.retry_at = 0.0  # 0: closed (calls go through)
        self.logged_at = -float("inf")
        self.lock = threading.Lock()

    def call(self, operation, *args, expected=(), **kwargs):
        """`operation(*args, **kwargs)`; errors in `expected` are answers, not failures."""
        with self.lock:
            now = time.monotonic()
            if now < self.retry_at:
                raise CacheUnavailable("the cache failed recently")
            trial = self.retry_at != 0.0
            if trial:
                # This call is the one try; the others keep stepping aside meanwhile.
                self.retry_at = now + self.interval
        try:
            result = operation(*args, **kwargs)
        except expected:
            self._closed_after(trial)
            raise
        except Exception as error:
            # Any error at all: down (refused), paused (timeout), full (OOM), or a bug in the
            # backend. A page must render whatever it is.
            self._trip(error)
            raise CacheUnavailable(str(error)) from error
        self._closed_after(trial)
        return result

    def _closed_after(self, trial):
        if trial:
            with self.lock:
                self.retry_at = 0.0
            logger.warning("The cache answers again; pages are cached again.")

    def _trip(self, error):
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + self.interval
            due = now - self.logged_at >= self.interval
            if due:
                self.logged_at = now
        if due:
            logger.warning(
                "The cache failed (%s: %s); pages are rendered without it, next try in %g s.",
                type(error).__name__,
                error,
                self.interval,
            )

    def reset(self):
        with self.lock:
            self.retry_at = 0.0
            self.logged_at = -float("inf")


breaker = CircuitBreaker(settings.CACHE_RETRY_SECONDS)


def shared_get(key: str, *, version: int | None = None) -> Any:
    return breaker.call(cache.get, key, version=version)


def shared_set(key: str, value: Any, *, version: int | None = None) -> None:
    breaker.call(cache.set, key, value, ENTRY_TIMEOUT, version=version)


class RenderLock:
    """A short lock in the shared cache: one worker at a time renders a given page.

    `cache.add` is atomic in Redis (SET NX) and in LocMemCache. The lock expires after
    PAGE_RENDER_LOCK_SECONDS, so a worker killed mid-render holds nobody up for long; a
    render that outlasts it may meet one other render of the same page, no more. Without
    the cache there is no lock, and every request renders, as it would with no cache.
    """

    def __init__(self, key: str):
        self.key = key
        self.held = False

    def acquire(self) -> bool:
        """Whether this request may render: it holds the lock, or there is no cache to hold
        one in."""
        try:
            self.held = breaker.call(
                cache.add, self.key, 1, timeout=settings.PAGE_RENDER_LOCK_SECONDS
            )
        except CacheUnavailable:
            return True
        return self.held

    def taken(self) -> bool:
        """Whether some worker holds the lock (False when the cache cannot say)."""
        try:
            return shared_get(self.key) is not None
        except CacheUnavailable:
            return False

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        with contextlib.suppress(CacheUnavailable):  # else it expires
            breaker.call(cache.delete, self.key)


# (version, when it was read: time.monotonic()) or None; replaced whole, so threads need no lock.
_memo: tuple[int, float] | None = None


def content_version() -> int:
    """The current content version, as read within the last CONTENT_VERSION_MEMO_MS; starts
    a fresh one if the cache lost it.

    Raises CacheUnavailable when the cache cannot say.
    """
    global _memo
    memo, now = _memo, time.monotonic()
    if memo is not None and now - memo[1] < settings.CONTENT_VERSION_MEMO_MS / 1000:
        return memo[0]
    version = shared_get(VERSION_KEY)
    if version is None:
        breaker.call(cache.add, VERSION_KEY, _fresh_version(), timeout=None)
        version = shared_get(VERSION_KEY)
        if version is None:
            raise CacheUnavailable("the cache keeps no version")
    _memo = (version, now)
    return version


def forget_content_version() -> None:
    """Read the version from the shared cache next time (after a bump, or a test's reset)."""
    global _memo
    _memo = None


def bump_content_version() -> None:
    """Move to a new version: every entry stored under the old one is dead from now on.

    Never fails: when the cache is unavailable the bump is retried in the background until
    it lands (a save must not fail because the cache is down).
    """
    try:
        _bump()
    except CacheUnavailable:
        _retry_bump_later()
    finally:
        forget_content_version()


def _bump() -> None:
    try:
        breaker.call(cache.incr, VERSION_KEY, expected=ValueError)
    except ValueError:
        # Not in the cache (first write, or evicted): start afresh; if another worker won the
        # race to add it, increment theirs so this write still leads to a new version.
        if not breaker.call(cache.add, VERSION_KEY, _fresh_version(), timeout=None):
            breaker.call(cache.incr, VERSION_KEY, expected=ValueError)


_pending = threading.Lock()


def _retry_bump_later() -> None:
    # One retrying thread per process is enough: one bump after the outage kills every entry
    # stored before it, however many writes were made meanwhile.
    if not _pending.acquire(blocking=False):
        return

    def retry():
        try:
            while True:
                time.sleep(settings.CACHE_RETRY_SECONDS)
                try:
                    _bump()
                    forget_content_version()
                    return
                except CacheUnavailable:
                    continue
        finally:
            _pending.release()

    threading.Thread(target=retry, name="citegrid-bump-retry", daemon=True).start()


def _fresh_version() -> int:
    # Never reuse a number an evicted counter may have had: entries made under it could
    # still be in the cache. Microseconds since the epoch always lie ahead of old counters.
    return time.time_ns() // 1000
