"""Conditional requests and a shared page cache for the public comparison pages.

For an anonymous GET or HEAD of a page in the `comparisons` namespace, the answer depends only
on the stored content and the URL. So before the view runs (before any database read):

- the ETag is derived from the content version, scheme, host and full path;
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
LocMemCache alias, bodies in LocalBodies below; both bounded): a repeated hit then costs one
small read from the shared cache, the version, which must come from there so that an edit is
seen by every worker on the next request.

Text bodies are also gzip-compressed (once, when rendered) and served so to clients that
accept it, the first visitor as well as later ones, and also when the shared cache is down:
the large matrix pages shrink many times over (`manage.py benchmark` measures them). Cached
pages hold no secret (no CSRF token, no session), so compression leaks nothing (BREACH needs
one).

Requests with a session or messages cookie skip all of this: a signed-in curator's page can
differ (and a message must show once), so it is rendered every time. When the shared cache
fails, this middleware steps aside and the page is rendered as if it did not exist
(comparisons/cache.py).
"""

import gzip
import hashlib
import re
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

from .cache import CacheUnavailable, content_version, shared_get, shared_set
from .canonical import canonical_path

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
# The fastest level: the compression runs inside the cold request that stores the page, and
# higher levels cost several times as long for a little less (see `manage.py benchmark`).
GZIP_LEVEL = 1
GZIP_MIN_BYTES = 512
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml")

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
        if request.method not in SAFE_METHODS and self.public(request):
            # Every public page is read-only (require_safe); say so before the CSRF check
            # answers a cookieless POST with its 403 page.
            return HttpResponseNotAllowed(SAFE_METHODS)
        if not self.applies(request) or canonical_path(request) is not None:
            # A filtered page spelled another way is redirected by its view, never stored:
            # the cache keys on canonical URLs only.
            return self.get_response(request)
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
        digest = hashlib.blake2b(repr((version, address)).encode(), digest_size=16).hexdigest()
        etag = "W/" + quote_etag(digest)
        page_key = f"citegrid:page:{digest}"
        response = self.from_cache(page_key, version, gzip_ok=gzip_ok)
        if response is None:
            response = self.get_response(request)
            if not self.shareable(response):
                return response
            compressed = _gzipped(response)
            if request.method == "GET" and not response.streaming:
                self.store(page_key, version, response, compressed)
            if gzip_ok:
                # The first visitor gets the same bytes as every later one.
                _served_compressed(response, compressed)
        self.validated(response, etag)
        return get_conditional_response(request, etag=etag, response=response) or response

    @staticmethod
    def validated(response, etag):
        response.headers["ETag"] = etag
        patch_cache_control(response, **CACHE_CONTROL)
        # A shared cache must not hand this anonymous page to a signed-in curator, nor a
        # compressed one to a client that cannot read it.
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))

    @staticmethod
    def public(request, *, cached_only=False):
        """Whether the URL is a public page (one the page cache serves, if `cached_only`)."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if match.namespace == NAMESPACE:
            return True
        return not cached_only and match.url_name in PUBLIC_URL_NAMES

    @classmethod
    def applies(cls, request):
        if request.method not in SAFE_METHODS:
            return False
        if any(name in request.COOKIES for name in PERSONAL_COOKIES):
            return False
        return cls.public(request, cached_only=True)

    @staticmethod
    def shareable(response):
        return response.status_code == 200 and not response.cookies

    @staticmethod
    def store(page_key, version, response, compressed):
        """Store `response` (its body, and `compressed`, its gzip body or None)."""
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in SKIPPED_HEADERS
        ]
        try:
            compressed_key = None if compressed is None else _store_body(compressed)
            entry = (_store_body(response.content), compressed_key, headers)
            shared_set(page_key, entry, version=version)
        except CacheUnavailable:
            return
        caches[LOCAL_ENTRIES].set(page_key, entry, version=version)

    @staticmethod
    def from_cache(page_key, version, *, gzip_ok):
        entry = caches[LOCAL_ENTRIES].get(page_key, version=version)
        try:
            if entry is None:
                entry = shared_get(page_key, version=version)
                if entry is None:
                    return None
                caches[LOCAL_ENTRIES].set(page_key, entry, version=version)
            body_key, compressed_key, headers = entry
            compressed = gzip_ok and compressed_key is not None
            body = _load_body(compressed_key if compressed else body_key)
        except CacheUnavailable:
            return None
        if body is None:
            return None
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
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


def _served_compressed(response, compressed: bytes | None) -> None:
    if compressed is None:
        return
    response.content = compressed
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(compressed))


def _store_body(body: bytes) -> str:
    key = f"citegrid:body:{hashlib.blake2b(body, digest_size=16).hexdigest()}"
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
