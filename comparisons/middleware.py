"""Conditional requests and a shared page cache for the public comparison pages.

For an anonymous GET or HEAD of a page in the `comparisons` namespace, the answer depends only
on the stored content and the URL. So before the view runs (before any database read):

- the ETag is derived from the content version, the day, scheme, host and full path (the
  day: pages read today's date, such as the changes page's default range or which `as_of`
  days have ended, so each page is rendered anew once a day even when nothing is edited);
- a GET is answered from the cache when the same page was rendered under the same version,
  and a request whose If-None-Match matches it gets 304 (Django's get_conditional_response,
  what its `condition` decorator and ConditionalGetMiddleware use); a page not in the cache
  is rendered first, so a URL that answers 404 never answers 304.

A 200 that sets no cookie is stored with its headers (inner middleware such as
X-Frame-Options add headers on the way out, which a cache hit must repeat). Bodies are stored
under the hash of their bytes, so any number of URLs that render the same page (ignored query
parameters, say) share one copy.

Bodies are immutable under their hash, and page entries under their key and version, so each
worker also keeps the most recently used ones in its own memory (entries in the `local-pages`
LocMemCache alias, bodies in LocalBodies below; both bounded): a repeated hit then costs no
read from the shared cache but the version, which each worker reads from there once per
CONTENT_VERSION_MEMO_MS, so that another worker's edit shows within that time
(comparisons/cache.py).

Text bodies are also gzip-compressed (once, when rendered) and served so to clients that
accept it, the first visitor as well as later ones, and also when the shared cache is down:
the large matrix pages shrink many times over (`manage.py benchmark` measures them). Cached
pages hold no secret (no CSRF token, no session), so compression leaks nothing (BREACH needs
one).

A page missing from the cache is rendered by one worker at a time (RenderLock, a short lock
in the shared cache): the others serve the URL's latest rendering, kept under any version
(stale-while-revalidate), or wait briefly for the new one, then render it themselves. Every
render is counted against its client address's limit (comparisons/render_limit.py), and a
URL not spelled canonically is redirected first (comparisons/canonical.py), so neither a
crawler nor an edit can make every worker render at once.

Requests with a session or messages cookie skip all of this: a signed-in curator's page can
differ (and a message must show once), so it is rendered every time. When the shared cache
fails, this middleware steps aside and the page is rendered as if it did not exist
(comparisons/cache.py).
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

# ISA-L's gzip (python-isal): the same format as the standard library's, written several times
# faster at its fastest level, and this compression runs inside every cold render.
from isal import igzip

from .cache import CacheUnavailable, RenderLock, content_version, shared_get, shared_set
from .canonical import canonical_path
from .render_limit import retry_after, too_many_renders

NAMESPACE = "comparisons"
# Read-only pages outside the namespace (config/urls.py).
PUBLIC_URL_NAMES = {"sitemap", "robots-txt"}
SAFE_METHODS = ("GET", "HEAD")
# The request's cookies that can change what a page shows.
PERSONAL_COOKIES = (
    settings.SESSION_COOKIE_NAME,
    getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
)
# Headers a cache hit must not repeat: computed per response, or set by outer middleware.
SKIPPED_HEADERS = {"set-cookie", "etag", "cache-control", "content-security-policy"}
CACHE_CONTROL = {"max_age": 0, "must_revalidate": True}
# ISA-L's fastest level but for 0, which writes larger bodies in the same time: the compression
# runs inside the cold request that stores the page.
GZIP_LEVEL = 1
GZIP_MIN_BYTES = 512
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml")

# How often a request waiting for another worker's rendering looks for it.
WAIT_STEP_SECONDS = 0.05

# Each worker's own copies of page entries: Django's LocMemCache (settings.py).
LOCAL_ENTRIES = "local-pages"
# Bytes of page bodies each worker keeps in memory.
LOCAL_BODY_BYTES = 64 * 1024 * 1024


class LocalBodies:
    """The page bodies a worker keeps in its own memory: least recently used go first once
    they weigh more than `limit` bytes; safe across threads.

    Not a LocMemCache alias, as the page entries are: LocMemCache pickles every value, so
    each hit would copy the whole body (megabytes for a matrix), which `manage.py benchmark`
    measured at half the warm goal. A body is immutable under its hash, so this hands out
    the stored bytes themselves, and it bounds bytes where LocMemCache bounds entries.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.bodies: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            body = self.bodies.get(key)
            if body is not None:
                self.bodies.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self.lock:
            if key in self.bodies:
                return
            self.bodies[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _, evicted = self.bodies.popitem(last=False)
                self.size -= len(evicted)


local_bodies = LocalBodies(LOCAL_BODY_BYTES)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Resolved once here and handed on: a cache hit resolves the URL no other time.
        match = self.public_match(request)
        if request.method not in SAFE_METHODS and match is not None:
            # Every public page is read-only (require_safe); say so before the CSRF check
            # answers a cookieless POST with its 403 page.
            return HttpResponseNotAllowed(SAFE_METHODS)
        if not self.applies(request, match):
            return self.get_response(request)
        canonical = canonical_path(request, match=match)
        if canonical is not None:
            # A page spelled another way (junk parameters, another order) is redirected
            # before anything is rendered or stored: the cache keys on canonical URLs only.
            return HttpResponsePermanentRedirect(canonical)
        # Host validation (ALLOWED_HOSTS) must happen before a cached page can answer.
        address = (request.scheme, request.get_host(), request.get_full_path())
        gzip_ok = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
        try:
            # Read the version before the view reads the database: a page built from rows
            # older than this version must never be stored under it.
            version = content_version()
        except CacheUnavailable:
            response = self.get_response(request)
            if self.shareable(response):
                patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
                if gzip_ok:
                    _served_compressed(response, _gzipped(response))
            return response
        digest = page_digest(version, address)
        page = Page(
            key=f"citegrid:page:{digest}",
            version=version,
            etag="W/" + quote_etag(digest),
            latest_key="citegrid:latest:" + _hashed(repr(address).encode()),
            gzip_ok=gzip_ok,
        )
        response = self.from_cache(page.key, version, gzip_ok=gzip_ok)
        if response is not None:
            return self.answer(request, response, page.etag)
        if request.method != "GET":
            # A HEAD is never stored, so nobody would wait for it: it renders alone.
            return self.rendered(request, page)
        lock = RenderLock(f"citegrid:rendering:{digest}")
        if not lock.acquire():
            # Another worker renders this page right now: serve the rendering before it, or
            # wait for this one, rather than render it once more.
            stale = self.latest(page)
            if stale is not None:
                return self.answer(request, *stale)
            response = self.awaited(page, lock)
            if response is not None:
                return self.answer(request, response, page.etag)
        try:
            # The worker that held the lock may have stored the page between the miss above
            # and this worker taking the lock: then there is nothing left to render.
            response = self.from_cache(page.key, version, gzip_ok=gzip_ok)
            if response is not None:
                return self.answer(request, response, page.etag)
            return self.rendered(request, page)
        finally:
            lock.release()

    def rendered(self, request, page):
        """The page rendered by the view (and stored), unless the client has had too many."""
        wait = retry_after(request)
        if wait is not None:
            stale = self.latest(page)
            return self.answer(request, *stale) if stale else too_many_renders(wait)
        response = self.get_response(request)
        if not self.shareable(response):
            return response
        compressed = _gzipped(response)
        if request.method == "GET" and not response.streaming:
            self.store(page, response, compressed)
        if page.gzip_ok:
            # The first visitor gets the same bytes as every later one.
            _served_compressed(response, compressed)
        return self.answer(request, response, page.etag)

    def answer(self, request, response, etag):
        self.validated(response, etag)
        return get_conditional_response(request, etag=etag, response=response) or response

    def awaited(self, page, lock):
        """The page once the worker that renders it has stored it, or None when it gives up,
        fails to store it (an error page is not stored) or PAGE_RENDER_WAIT_SECONDS pass."""
        deadline = time.monotonic() + settings.PAGE_RENDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP_SECONDS)
            response = self.from_cache(page.key, page.version, gzip_ok=page.gzip_ok)
            if response is not None:
                return response
            if not lock.taken():
                return self.from_cache(page.key, page.version, gzip_ok=page.gzip_ok)
        return None

    def latest(self, page):
        """The latest rendering of the page's URL under any version, with its own ETag, or
        None."""
        try:
            latest = shared_get(page.latest_key)
        except CacheUnavailable:
            return None
        if latest is None:
            return None
        etag, entry = latest
        response = _entry_response(entry, gzip_ok=page.gzip_ok)
        return None if response is None else (response, etag)

    @staticmethod
    def validated(response, etag):
        response.headers["ETag"] = etag
        patch_cache_control(response, **CACHE_CONTROL)
        # A shared cache must not hand this anonymous page to a signed-in curator, nor a
        # compressed one to a client that cannot read it.
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))

    @staticmethod
    def public_match(request):
        """The ResolverMatch of the URL when it is a public page, else None."""
        resolver, path = get_resolver(get_urlconf()), request.path_info
        if len(path) > REMEMBERED_PATH_LENGTH:
            return _public_match.__wrapped__(resolver, path)
        return _public_match(resolver, path)

    @staticmethod
    def applies(request, match):
        """Whether the page cache serves this request (`match`: its public_match)."""
        if request.method not in SAFE_METHODS or match is None:
            return False
        if any(name in request.COOKIES for name in PERSONAL_COOKIES):
            return False
        return match.namespace == NAMESPACE

    @staticmethod
    def shareable(response):
        return response.status_code == 200 and not response.cookies

    @staticmethod
    def store(page, response, compressed):
        """Store `response` (its body, and `compressed`, its gzip body or None) as the page,
        and as the latest rendering of its URL."""
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in SKIPPED_HEADERS
        ]
        try:
            # A compressed page keeps only its gzip body: the few clients that cannot read it
            # get it decompressed (`_entry_response`), and the plain body, several times
            # larger, is neither hashed, sent to the shared cache nor held there.
            if compressed is None:
                entry = (_store_body(response.content), None, headers)
            else:
                entry = (None, _store_body(compressed), headers)
            shared_set(page.key, entry, version=page.version)
            shared_set(page.latest_key, (page.etag, entry))
        except CacheUnavailable:
            return
        caches[LOCAL_ENTRIES].set(page.key, entry, version=page.version)

    @staticmethod
    def from_cache(page_key, version, *, gzip_ok):
        entry = caches[LOCAL_ENTRIES].get(page_key, version=version)
        if entry is None:
            try:
                entry = shared_get(page_key, version=version)
            except CacheUnavailable:
                return None
            if entry is None:
                return None
            caches[LOCAL_ENTRIES].set(page_key, entry, version=version)
        return _entry_response(entry, gzip_ok=gzip_ok)


# Resolving a matrix URL walked the URLconf's includes, raising and catching Resolver404 in
# each that did not match: on a cache hit it cost as much as the rest of the hit's own work.
# Keyed by the resolver too, which Django makes anew when the URLconf changes. Only read
# here (its namespace, name and arguments), so one match can serve many requests; bounded in
# entries and in their length, since every path a client makes up is a key.
REMEMBERED_PATHS = 4096
REMEMBERED_PATH_LENGTH = 300


@lru_cache(maxsize=REMEMBERED_PATHS)
def _public_match(resolver, path: str):
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    if match.namespace == NAMESPACE or match.url_name in PUBLIC_URL_NAMES:
        return match
    return None


def page_digest(version: int, address: tuple[str, str, str]) -> str:
    """The key of one URL's page (`address`: scheme, host, full path) under one content
    version, today."""
    return _hashed(repr((version, timezone.localdate().isoformat(), address)).encode())


@dataclass(frozen=True, slots=True)
class Page:
    """One URL's cached page under one content version."""

    key: str
    version: int
    etag: str
    # The URL's latest rendering under any version (stale-while-revalidate).
    latest_key: str
    gzip_ok: bool


def _entry_response(entry, *, gzip_ok):
    """The response stored as `entry` (its plain body's key, or None when only its gzip body
    is kept; its gzip body's key, or None), or None when its body is gone."""
    body_key, compressed_key, headers = entry
    compressed = gzip_ok and compressed_key is not None
    inflated = not compressed and body_key is None  # a plain answer from the gzip body
    try:
        body = _load_body(compressed_key if compressed or inflated else body_key)
    except CacheUnavailable:
        return None
    if body is None:
        return None
    if inflated:
        body = igzip.decompress(body)
    response = HttpResponse(body)
    for name, value in headers:
        response.headers[name] = value
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(body))
    return response


def _gzipped(response) -> bytes | None:
    """The gzip body of a shareable `response`, or None when it is not worth compressing.

    Only for the anonymous, cookieless 200s the page cache stores: they hold no secret (no
    CSRF token, no session), so compression leaks nothing (BREACH needs one). A page with a
    CSRF token sets its cookie and is not shareable; signed-in requests never come here.
    """
    if response.streaming or response.has_header("Content-Encoding"):
        return None
    body = response.content
    content_type = response.headers.get("Content-Type", "")
    if len(body) < GZIP_MIN_BYTES or not content_type.startswith(COMPRESSIBLE_TYPES):
        return None
    return igzip.compress(body, GZIP_LEVEL, mtime=0)


def _served_compressed(response, compressed: bytes | None) -> None:
    if compressed is None:
        return
    response.content = compressed
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(compressed))


def _hashed(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _store_body(body: bytes) -> str:
    key = f"citegrid:body:{_hashed(body)}"
    shared_set(key, body)
    local_bodies.put(key, body)
    return key


def _load_body(key: str) -> bytes | None:
    body = local_bodies.get(key)
    if body is None:
        body = shared_get(key)
        if body is not None:
            local_bodies.put(key, body)
    return body
