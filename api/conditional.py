"""ETags and Cache-Control for the API and the embeds, with Django's own `condition`.

Every answer depends only on the stored knowledge and the URL, so its ETag is derived from the
content version (comparisons.cache, bumped by every committed write) and the address: a
matching If-None-Match gets 304 before the view reads anything from the database. If the
cache holding the version is down, there is simply no ETag: the answer is still given.
"""

import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from comparisons.cache import content_version

logger = logging.getLogger(__name__)

# JSON: short, so a reader sees an edit within a minute even without revalidating.
API_MAX_AGE = 60
# Badges are pasted into READMEs, fetched through image proxies that revalidate rarely: a
# day, and the ETag makes each revalidation a cheap 304.
BADGE_MAX_AGE = 60 * 60 * 24


def _etag(request, *args, **kwargs) -> str | None:
    try:
        version = content_version()
    except Exception:  # the cache is down: answer without an ETag rather than fail
        logger.warning("No ETag: the content version is unavailable", exc_info=True)
        return None
    address = (version, request.scheme, request.get_host(), request.get_full_path())
    return hashlib.blake2b(repr(address).encode(), digest_size=16).hexdigest()


def conditional(*, max_age: int = API_MAX_AGE) -> Callable:
    """Decorate a view: ETag and 304 by `condition`, then `Cache-Control: public, max-age`."""

    def decorate(view):
        checked = condition(etag_func=_etag)(view)

        def wrapped(request, *args, **kwargs):
            response = checked(request, *args, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=max_age)
                patch_vary_headers(response, ("Accept-Encoding",))
            return response

        # wraps() keeps what DRF and drf-spectacular read off a view: cls, initkwargs, actions.
        return wraps(view)(wrapped)

    return decorate
