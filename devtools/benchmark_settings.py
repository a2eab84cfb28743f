"""Settings of the gunicorn the benchmark measures: production's (DEBUG off), with its URLconf.

`manage.py benchmark` starts gunicorn with gunicorn.conf.py and DJANGO_SETTINGS_MODULE set to
this module, so that the warm figure's hello view answers through the same middleware as the
pages. Only what plain HTTP on 127.0.0.1 needs differs from production: static files from the
finders (no collectstatic, no manifest), cookies not marked Secure, so the churn figure's
curator can sign in to the admin without TLS, and no four-eyes review (below).
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

ROOT_URLCONF = "devtools.urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The churn figure's curator changes a published claim once a second through the admin. Under
# four-eyes review that change would wait for a second curator's approval, which publishes
# the same rows: the page cache sees one published change either way, so one curator makes
# it, with review off.
CITEGRID_REVIEW_REQUIRED = False
