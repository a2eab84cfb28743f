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
worker also keeps the most recently used ones in its own memory (the `local-*` LocMemCache
aliases in settings.py, bounded): a repeated hit then costs one small read from the shared
cache, the version, which must come from there so that an edit is seen by every worker on
the next request.

Text bodies are also stored gzip-compressed (once, when stored) and served so to clients that
accept it: the large matrix pages shrink many times over (`manage.py benchmark` measures
them). Cached pages hold no secret (no CSRF token, no session), so compression leaks nothing
(BREACH needs one).

Requests with a session or messages cookie skip all of this: a signed-in curator's page can
differ (and a message must show once), so it is rendered every time. When the shared cache
fails, this middleware steps aside and the page is rendered as if it did not exist
(comparisons/cache.py).
"""

import gzip
import hashlib
import re

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

from .cache import CacheUnavailable, content_version, shared_get, shared_set

NAMESPACE = "comparisons"
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

# Each worker's own copies (settings.py): page entries, and bodies by size, so that a few large
# matrix pages cannot push out every small one; LOCAL_BODY_LIMITS bounds what each may hold.
LOCAL_ENTRIES = "local-pages"
LOCAL_BODY_LIMITS = settings.CITEGRID_LOCAL_BODY_LIMITS  # [(alias, largest body kept)], small first


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        # Host validation (ALLOWED_HOSTS) must happen before a cached page can answer.
        address = (request.scheme, request.get_host(), request.get_full_path())
        try:
            # Read the version before the view reads the database: a page built from rows
            # older than this version must never be stored under it.
            version = content_version()
        except CacheUnavailable:
            return self.get_response(request)
        digest = hashlib.blake2b(repr((version, address)).encode(), digest_size=16).hexdigest()
        etag = "W/" + quote_etag(digest)
        page_key = f"citegrid:page:{digest}"
        gzip_ok = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
        response = self.from_cache(page_key, version, gzip_ok=gzip_ok)
        if response is None:
            response = self.get_response(request)
            if not self.shareable(response):
                return response
            if request.method == "GET" and not response.streaming:
                self.store(page_key, version, response)
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
    def shareable(response):
        return response.status_code == 200 and not response.cookies

    @staticmethod
    def store(page_key, version, response):
        body = response.content
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in SKIPPED_HEADERS
        ]
        content_type = response.headers.get("Content-Type", "")
        try:
            compressed_key = None
            if (
                len(body) >= GZIP_MIN_BYTES
                and content_type.startswith(COMPRESSIBLE_TYPES)
                and not response.has_header("Content-Encoding")
            ):
                compressed_key = _store_body(gzip.compress(body, GZIP_LEVEL, mtime=0))
            entry = (_store_body(body), compressed_key, headers)
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


def _local_bodies(body: bytes):
    """The per-worker cache that may keep `body`, or None when it is too large for any."""
    for alias, largest in LOCAL_BODY_LIMITS:
        if len(body) <= largest:
            return caches[alias]
    return None


def _store_body(body: bytes) -> str:
    key = f"citegrid:body:{hashlib.blake2b(body, digest_size=16).hexdigest()}"
    shared_set(key, body)
    local = _local_bodies(body)
    if local is not None:
        local.set(key, body)
    return key


def _load_body(key: str) -> bytes | None:
    for alias, _ in LOCAL_BODY_LIMITS:
        body = caches[alias].get(key)
        if body is not None:
            return body
    body = shared_get(key)
    if body is not None:
        local = _local_bodies(body)
        if local is not None:
            local.set(key, body)
    return body
