"""The site's 500 handler: 503 with Retry-After when the database cannot be reached.

A database that is down or too slow (a refused or timed-out connection, a cancelled
statement) is a fault that passes, not a bug: the page says so in the site's layout and tells
clients and crawlers when to come back. Every other error gets the site's 500 page.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

from comparisons.site_views import server_error as site_server_error

RETRY_AFTER_SECONDS = 30


def server_error(request):
    # Django calls the handler while it handles the exception, so it is the current one.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # Rendered without the request, as the 500 page is: sessions need the database too.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return site_server_error(request)
