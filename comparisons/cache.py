"""The content version, and cache keys that carry it, so nothing stale is ever served.

Every committed write to knowledge content bumps one integer in the shared cache (Redis in
production, so all gunicorn workers see it; see comparisons/invalidation.py). Keys of cached
payloads, fragments and pages include that integer: after a bump the old entries are never
read again and simply expire. Nothing is deleted, so there is no race between a write and a
reader that fetched the old version a moment before.
"""

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

VERSION_KEY = "citegrid:content-version"
# Pages and fragments expire anyway, so entries orphaned by a bump do not pile up.
ENTRY_TIMEOUT = 60 * 60


def content_version() -> int:
    """The current content version; starts a fresh one if the cache lost it."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version() -> None:
    """Move to a new version: every key made with the old one is dead from now on."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # Not in the cache (first write, or evicted): start afresh; if another worker won the
        # race to add it, increment theirs so this write still leads to a new version.
        if not cache.add(VERSION_KEY, _fresh_version(), timeout=None):
            cache.incr(VERSION_KEY)


def _fresh_version() -> int:
    # Never reuse a number an evicted counter may have had: entries made under it could
    # still be in the cache. Microseconds since the epoch always lie ahead of old counters.
    return time.time_ns() // 1000


def versioned_key(kind: str, *parts: Any, version: int | None = None) -> str:
    """A cache key for `kind` built from `parts` under the current (or given) version."""
    if version is None:
        version = content_version()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"citegrid:{kind}:v{version}:{digest}"


def cached(kind: str, parts: tuple, build: Callable[[], Any]) -> Any:
    """Return the cached value for (kind, parts) under the current version, building on a miss.

    `build` must return something picklable that depends only on stored content and `parts`
    (no request, no user, no CSP nonce): it is shared by every visitor.
    """
    key = versioned_key(kind, *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ENTRY_TIMEOUT)
    return value
