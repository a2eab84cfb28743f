"""Cookies are client input: refuse the hostile ones, ignore the ones the site never set.

- A NUL in any cookie value (`sessionid="abcdefgh\\000ijkl"` decodes to one) gets 400: no
  cookie the site sets holds one, and PostgreSQL refuses it in a query with an error that
  would otherwise be a 500 on every admin page.
- A session or CSRF cookie that is not in the form Django gives them is dropped before any
  middleware reads it, as if it had not been sent: a session key of the wrong form names no
  session, and answering it by deleting or replacing the cookie would make a public page set
  a cookie (and skip the page cache) for anyone who sends garbage.
"""

import re

from django.conf import settings
from django.core.exceptions import BadRequest

# django.contrib.sessions makes keys of 32 lowercase letters and digits; the signed-cookie
# engine stores the session itself in the cookie, so its values are left alone.
KEYED_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
}
SESSION_KEY = re.compile(r"[a-z0-9]{32}")
# The CSRF secret (32 characters) or, as older Django versions set it, a masked token (64).
CSRF_TOKEN = re.compile(r"[a-zA-Z0-9]{32}|[a-zA-Z0-9]{64}")


class CookieGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.formats = {settings.CSRF_COOKIE_NAME: CSRF_TOKEN}
        if settings.SESSION_ENGINE in KEYED_SESSION_ENGINES:
            self.formats[settings.SESSION_COOKIE_NAME] = SESSION_KEY

    def __call__(self, request):
        cookies = request.COOKIES
        if any("\x00" in name or "\x00" in value for name, value in cookies.items()):
            # None of them is read while the 400 is made (its view sets up a CSRF token, and
            # would answer the bad one with a new cookie).
            cookies.clear()
            raise BadRequest("A cookie contains a NUL character.")
        for name, form in self.formats.items():
            if name in cookies and not form.fullmatch(cookies[name]):
                del cookies[name]
        return self.get_response(request)
