"""Conditional requests and a shared page cache for the public comparison pages.

For an anonymous GET or HEAD of a page in the `comparisons` namespace, the answer depends only
on the stored content and the URL. So before the view runs (before any database read):

- the ETag is derived from the content version, scheme, host and full path; a matching
  If-None-Match gets 304 at once;
- a GET is answered from the cache when the same page was rendered under the same version.

A 200 that sets no cookie is stored with its headers (inner middleware such as
X-Frame-Options add headers on the way out, which a cache hit must repeat). Bodies are stored
under the hash of their bytes, so any number of URLs that render the same page (ignored query
parameters, say) share one copy.

Bodies are immutable under their hash, and page entries under their key (which carries the
version), so each worker also keeps the most recently used ones in its own memory (bounded): a
repeated hit then costs one small cache read, the version, which must come from the shared
cache so that an edit is seen by every worker on the next request.

Text bodies are also stored gzip-compressed (once, when stored) and served so to clients that
accept it: a 20 × 300 matrix is ~13 MB of HTML and ~0.8 MB compressed. Cached pages hold no
secret (no CSRF token, no session), so compression leaks nothing (BREACH needs one).

Requests with a session or messages cookie skip all of this: a signed-in curator's page can
differ (and a message must show once), so it is rendered every time.
"""

import gzip
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag

from .cache import ENTRY_TIMEOUT, content_version, versioned_key
from .canonical import canonical_path

NAMESPACE = "comparisons"
# The request's cookies that can change what a page shows.
PERSONAL_COOKIES = (
    settings.SESSION_COOKIE_NAME,
    getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
)
# Headers a cache hit must not repeat: computed per response, or set by outer middleware.
SKIPPED_HEADERS = {"set-cookie", "etag", "cache-control", "content-security-policy"}
CACHE_CONTROL = {"max_age": 0, "must_revalidate": True}
# Level 1: a 13 MB matrix compresses in ~55 ms to ~0.8 MB; level 5 takes ~130 ms for ~0.65 MB,
# and the compression runs inside the cold request that stores the page.
GZIP_LEVEL = 1
GZIP_MIN_BYTES = 512
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml")
# Bytes of page bodies each worker keeps in memory.
LOCAL_BODY_BYTES = 64 * 1024 * 1024
# Page entries (a few hundred bytes each) each worker keeps in memory.
LOCAL_PAGE_ENTRIES = 20_000


class _LocalLRU:
    """A bounded, least-recently-used map, safe across threads; `size` weighs each value."""

    def __init__(self, limit: int, size: Callable[[Any], int]):
        self.limit = limit
        self.weigh = size
        self.size = 0
        self.values: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        weight = self.weigh(value)
        if weight > self.limit:
            return
        with self.lock:
            if key in self.values:
                return
            self.values[key] = value
            self.size += weight
            while self.size > self.limit:
                _, evicted = self.values.popitem(last=False)
                self.size -= self.weigh(evicted)


_local_bodies = _LocalLRU(LOCAL_BODY_BYTES, size=len)
# Page entries are immutable too: their key carries the content version and the URL.
_local_entries = _LocalLRU(LOCAL_PAGE_ENTRIES, size=lambda entry: 1)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request) or canonical_path(request) is not None:
            # A filtered page spelled another way is redirected by its view, never stored:
            # the cache keys on canonical URLs only.
            return self.get_response(request)
        # Host validation (ALLOWED_HOSTS) must happen before a cached page can answer.
        address = (request.scheme, request.get_host(), request.get_full_path())
        # Read the version before the view reads the database: a page built from rows older
        # than this version must never be stored under it.
        version = content_version()
        etag = "W/" + quote_etag(
            hashlib.blake2b(repr((version, address)).encode(), digest_size=16).hexdigest()
        )
        if self.matches(request, etag):
            return self.validated(HttpResponseNotModified(), etag)
        page_key = versioned_key("page", *address, version=version)
        response = None
        if request.method == "GET":
            gzip_ok = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
            response = self.from_cache(page_key, gzip_ok=gzip_ok)
        if response is None:
            response = self.get_response(request)
            if not self.shareable(response):
                return response
            if request.method == "GET" and not response.streaming:
                self.store(page_key, response)
        return self.validated(response, etag)

    @staticmethod
    def validated(response, etag):
        response.headers["ETag"] = etag
        patch_cache_control(response, **CACHE_CONTROL)
        # A shared cache must not hand this anonymous page to a signed-in curator, nor a
        # compressed one to a client that cannot read it.
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        return response

    @staticmethod
    def applies(request):
        if request.method not in ("GET", "HEAD"):
            return False
        if any(name in request.COOKIES for name in PERSONAL_COOKIES):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.namespace == NAMESPACE

    @staticmethod
    def matches(request, etag):
        header = request.headers.get("If-None-Match")
        if not header:
            return False
        # Weak comparison (RFC 9110 § 13.1.2), as for every GET.
        wanted = {tag.removeprefix("W/") for tag in parse_etags(header)}
        return "*" in wanted or etag.removeprefix("W/") in wanted

    @staticmethod
    def shareable(response):
        return response.status_code == 200 and not response.cookies

    @staticmethod
    def store(page_key, response):
        body = response.content
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in SKIPPED_HEADERS
        ]
        compressed_key = None
        content_type = response.headers.get("Content-Type", "")
        if (
            len(body) >= GZIP_MIN_BYTES
            and content_type.startswith(COMPRESSIBLE_TYPES)
            and not response.has_header("Content-Encoding")
        ):
            compressed_key = _store_body(gzip.compress(body, GZIP_LEVEL, mtime=0))
        entry = (_store_body(body), compressed_key, headers)
        cache.set(page_key, entry, ENTRY_TIMEOUT)
        _local_entries.put(page_key, entry)

    @staticmethod
    def from_cache(page_key, *, gzip_ok):
        entry = _local_entries.get(page_key)
        if entry is None:
            entry = cache.get(page_key)
            if entry is None:
                return None
            _local_entries.put(page_key, entry)
        body_key, compressed_key, headers = entry
        compressed = gzip_ok and compressed_key is not None
        body = _load_body(compressed_key if compressed else body_key)
        if body is None:
            return None
        response = HttpResponse(body)
        for name, value in headers:
            response.headers[name] = value
        if compressed:
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Content-Length"] = str(len(body))
        return response


def _store_body(body: bytes) -> str:
    key = f"citegrid:body:{hashlib.blake2b(body, digest_size=16).hexdigest()}"
    cache.set(key, body, ENTRY_TIMEOUT)
    _local_bodies.put(key, body)
    return key


def _load_body(key: str) -> bytes | None:
    body = _local_bodies.get(key)
    if body is None:
        body = cache.get(key)
        if body is not None:
            _local_bodies.put(key, body)
    return body
