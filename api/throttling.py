"""The per-address rate limit of the API: DRF's throttle, with two changes.

- The address is `config.client_ip.client_ip`, the one login throttling uses, so behind
  TRUSTED_PROXY_COUNT proxies each client has its own budget and a forged X-Forwarded-For
  buys nothing.
- It fails open: the history lives in the default cache, and a cache that is down must not
  take the API down with it, so the request is then let through (and logged).

The rate is read from settings on each request (DRF binds it at import), so
`override_settings(REST_FRAMEWORK=…)` in tests and the environment's API_RATE_LIMIT both hold.
"""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.client_ip import client_ip

logger = logging.getLogger(__name__)


class AddressRateThrottle(SimpleRateThrottle):
    scope = "address"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache failure: redis errors, timeouts, pickling
            logger.warning("API rate limit skipped: the cache is unavailable", exc_info=True)
            return True
