"""The client's address, for django-axes' login throttling (AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request comes from the proxy's address, so five failed logins
from anyone would lock the admin for everyone. With TRUSTED_PROXY_COUNT=N, the address is
the Nth entry from the right of X-Forwarded-For: each trusted proxy appends the address it
saw, so that entry was written by our outermost proxy. Entries further left are whatever the
client sent and are never used; with no trusted proxy the header is ignored entirely.
"""

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    # Fewer entries than proxies: the request did not come through all of them.
    return hops[-count] if len(hops) >= count else remote
