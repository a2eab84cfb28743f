"""The client's address, for django-axes' login throttling (AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request comes from the proxy's address, so five failed logins
from anyone would lock the admin for everyone. With TRUSTED_PROXY_COUNT=N, the address is
the Nth entry from the right of X-Forwarded-For: each trusted proxy appends the address it
saw, so that entry was written by our outermost proxy. Entries further left are whatever the
client sent and are never used; with no trusted proxy the header is ignored entirely.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import BadRequest


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    # Fewer entries than proxies: the request did not come through all of them.
    return _address(hops[-count]) if len(hops) >= count else remote


def _address(hop):
    """The IP address in an X-Forwarded-For entry: bare, or with a port as some proxies
    write it ("1.2.3.4:5678", "[2001:db8::1]:443"). Anything else is a 400: the login
    throttle stores the address, and the database refuses what is not one."""
    candidates = [hop]
    if hop.startswith("[") and "]" in hop:
        candidates.append(hop[1 : hop.index("]")])
    elif hop.count(":") == 1:
        candidates.append(hop.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    raise BadRequest("X-Forwarded-For does not end with a client address.")
