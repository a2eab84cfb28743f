"""A limit on the pages one client address may have rendered afresh.

A cache hit costs next to nothing; a cache miss renders the page, which for a large matrix
costs a worker a good fraction of a second. Canonical URLs (comparisons/canonical.py) leave
a crawler only the real filter combinations to try, but those are many: so each client
address (config/client_ip.py: the one axes' login throttle uses, proxies taken into account)
may cause at most PAGE_RENDER_LIMIT renders per PAGE_RENDER_WINDOW seconds, and is answered
429 with Retry-After beyond that until the window ends. Cache hits and 304s never count.

The count is one integer per address and window in the shared cache (so all workers share
it), expiring with its window. Like the page cache it steps aside when the cache fails: a
client is never refused because the count cannot be kept. The same counter
(`window_retry_after`) limits the suggestions one address may send (suggestions/views.py).
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template import loader

from config.client_ip import client_ip

from .cache import CacheUnavailable, breaker


def retry_after(request) -> int | None:
    """Count one render for the client of `request`: None if it may have it, else the
    seconds until it may have another."""
    return window_retry_after(
        "renders",
        client_ip(request),
        limit=settings.PAGE_RENDER_LIMIT,
        window=settings.PAGE_RENDER_WINDOW,
    )


def window_retry_after(name: str, subject: str, *, limit: int, window: int) -> int | None:
    """Count one `name` (renders, suggestions) for `subject` (a client address, or its hash)
    in the current window of `window` seconds: None while the count is at most `limit` (or
    `limit` is 0, off), else the seconds until the window ends."""
    if not limit:
        return None
    now = time.time()
    start = math.floor(now / window) * window
    key = f"citegrid:{name}:{subject}:{start}"
    try:
        if breaker.call(cache.add, key, 1, timeout=window):
            return None
        count = breaker.call(cache.incr, key, expected=ValueError)
    except (CacheUnavailable, ValueError):
        # ValueError: the count expired between the two calls; the new window starts afresh.
        return None
    if count <= limit:
        return None
    return max(1, math.ceil(start + window - now))


def too_many_renders(seconds: int) -> HttpResponse:
    """The 429 page, in the site's layout (rendered without the request, as the 503 page is:
    it is answered before sessions and auth)."""
    response = HttpResponse(loader.get_template("429.html").render(), status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
