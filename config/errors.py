"""The site's 500 handler: 503 with Retry-After when the database cannot be reached.

A database that is down or too slow (a refused or timed-out connection, a cancelled
statement) is a fault that passes, not a bug: the page says so in the site's layout and tells
clients and crawlers when to come back. Every other error gets the site's 500 page.
"""

import logging
import sys
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

from comparisons.site_views import server_error as site_server_error

RETRY_AFTER_SECONDS = 30
# While the database is away every request that needs it fails alike: log one of them per
# this many seconds, without its traceback, rather than a traceback per request.
OUTAGE_LOG_INTERVAL = 5


def _database_unavailable(error):
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request):
    # Django calls the handler while it handles the exception, so it is the current one.
    if _database_unavailable(sys.exc_info()[1]):
        # Rendered without the request, as the 500 page is: sessions need the database too.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return site_server_error(request)


class DatabaseOutageLogFilter(logging.Filter):
    """On django.request's records: one line per OUTAGE_LOG_INTERVAL for requests that failed
    because the database is unavailable; every other record passes unchanged."""

    def __init__(self, name=""):
        super().__init__(name)
        self.logged_at = -float("inf")
        self.muted = 0
        self.lock = threading.Lock()

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if not _database_unavailable(error):
            return True
        with self.lock:
            now = time.monotonic()
            if now - self.logged_at < OUTAGE_LOG_INTERVAL:
                self.muted += 1
                return False
            muted, self.muted, self.logged_at = self.muted, 0, now
        message = record.getMessage()
        record.msg = "%s (the database is unavailable: %s; %d more like it muted)"
        record.args = (message, str(error).splitlines()[0], muted)
        record.exc_info = record.exc_text = None
        return True
