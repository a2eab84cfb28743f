"""Settings for citegrid, read from the environment.

With nothing set, citegrid refuses to start: DEBUG is off by default and production needs a
SECRET_KEY. `make run` and `make test` set DEBUG=1, which gives a local SQLite database, a
local-memory cache and a development key. See README.md for the production variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string, or set DEBUG=1 for local development (make run does)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin with a site that answers hostile input with a 400, not a 500.
    "knowledge.admin_site.CitegridAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "taggit",
    "simple_history",
    "csp",
    "axes",
    "knowledge",
    "comparisons",
    # Readers' suggested corrections and the curators' moderation queue (README: How a
    # correction flows from a reader to a published claim).
    "suggestions",
    # The public read API (/api/v1/), its schema, docs page and the embeds (README: Public API).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "api",
]
# The benchmark and synthetic seeding (devtools/): for development and tests, or a
# production-like run that seeds (the load test sets CITEGRID_DEVTOOLS=1).
if DEBUG or env_bool("CITEGRID_DEVTOOLS"):
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # django-csp's middleware with the admin-only allowance below (config/csp.py). First, so
    # that every response carries the policy: the HTTPS redirect and static files too.
    "config.csp.SiteCSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for the API and badges only (CORS_URLS_REGEX), answered before the page cache.
    "corsheaders.middleware.CorsMiddleware",
    # Refuses a NUL in a cookie; drops session and CSRF cookies the site cannot have set.
    "config.cookies.CookieGuardMiddleware",
    # Answers 304s and cached public pages before sessions, auth and the view run.
    "comparisons.middleware.PublicPageCacheMiddleware",
    # A 404 whose path names a renamed slug becomes a 301 to today's slug.
    "comparisons.renames.RenamedSlugMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes wants to be last: it turns a lockout signalled during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
_database = DATABASES["default"]
if _database["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must not hold a worker for long: give up connecting
    # after DB_CONNECT_TIMEOUT seconds, and have the server cancel any statement that runs
    # longer than DB_STATEMENT_TIMEOUT_MS (a lock wait included). The page then answers 503.
    _database.setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3),
            "options": f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 15000)}",
        }
    )
elif _database["ENGINE"] == "django.db.backends.sqlite3":
    # Every transaction takes SQLite's write lock when it begins, so writers run one at a time:
    # two curators' checks of the citation rule cannot interleave (PostgreSQL locks the claim
    # row instead; see knowledge/services.py).
    _database.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The pages never need the cache, so waiting for one that does not answer is pure loss: give
# up connecting or reading after this many seconds, then leave it alone for
# CACHE_RETRY_SECONDS (comparisons/cache.py).
CACHE_SOCKET_TIMEOUT = float(os.environ.get("CACHE_SOCKET_TIMEOUT") or 0.25)
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5)
# Each worker reads the content version from the shared cache at most once per this many
# milliseconds (comparisons/cache.py): an edit reaches every worker within it, and the page
# cache's hits skip a round trip to Redis that cost as much as the rest of a hit. 0 reads it
# on every request; at most a second, so that an edit always shows within one.
CONTENT_VERSION_MEMO_MS = env_int("CONTENT_VERSION_MEMO_MS", 100)
if not 0 <= CONTENT_VERSION_MEMO_MS <= 1000:
    raise ImproperlyConfigured("CONTENT_VERSION_MEMO_MS must be between 0 and 1000.")
# Each client address may have this many public pages rendered afresh (page-cache misses) per
# window of this many seconds, then gets 429 until the window ends (comparisons/render_limit.py);
# 0 turns the limit off.
PAGE_RENDER_LIMIT = env_int("PAGE_RENDER_LIMIT", 60)
PAGE_RENDER_WINDOW = env_int("PAGE_RENDER_WINDOW", 60)
# Each client address may send this many suggested corrections per window of this many
# seconds (suggestions/views.py); beyond that it gets 429 and nothing is stored. 0 turns it off.
SUGGESTION_LIMIT = env_int("SUGGESTION_LIMIT", 5)
SUGGESTION_WINDOW = env_int("SUGGESTION_WINDOW", 60 * 60)
if SUGGESTION_LIMIT < 0 or SUGGESTION_WINDOW < 1:
    raise ImproperlyConfigured(
        "SUGGESTION_LIMIT must be 0 (off) or more and SUGGESTION_WINDOW 1 second or more."
    )
# A reader's e-mail is kept while their suggestion waits and for this many days after a curator
# decided it (time to reply), then erased by `manage.py forget_suggestion_emails` (run daily).
SUGGESTION_EMAIL_DAYS = env_int("SUGGESTION_EMAIL_DAYS", 90)
if SUGGESTION_EMAIL_DAYS < 1:
    raise ImproperlyConfigured("SUGGESTION_EMAIL_DAYS must be 1 day or more.")
# No matrix page shows more cells (rows × columns) than this: a larger matrix is split into
# parts of whole categories, each with its own URL (comparisons/parts.py).
MATRIX_PAGE_CELLS = env_int("MATRIX_PAGE_CELLS", 2000)
if MATRIX_PAGE_CELLS < 1:
    raise ImproperlyConfigured("MATRIX_PAGE_CELLS must be 1 or more.")
# One worker at a time renders a given page; a lock it holds expires after this many seconds
# (a render takes well under one), and the others serve the page's previous rendering or wait
# at most this long for the new one before they render it too (comparisons/middleware.py).
PAGE_RENDER_LOCK_SECONDS = 10
PAGE_RENDER_WAIT_SECONDS = 3.0
if PAGE_RENDER_LIMIT < 0 or PAGE_RENDER_WINDOW < 1:
    raise ImproperlyConfigured(
        "PAGE_RENDER_LIMIT must be 0 (off) or more and PAGE_RENDER_WINDOW 1 second or more."
    )
if REDIS_URL:
    # django-redis: Django's own RedisCache builds a client per operation, which costs about
    # as much as the round trip itself; django-redis keeps one (README, "Caching", measures).
    _shared_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "citegrid"),
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
        },
    }
else:
    _shared_cache = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "citegrid",
        "TIMEOUT": 60 * 60 * 24,
    }


CACHES = {
    "default": _shared_cache,
    # Each worker keeps recent page entries (a few hundred bytes each) in its own memory
    # (comparisons/middleware.py); CULL_FREQUENCY 2: when full, the least recent half goes.
    "local-pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "citegrid-pages",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 2},
    },
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Five failed logins for one username, or from one address, lock that one out for a while.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Behind N reverse proxies, the client address is taken from X-Forwarded-For as the outermost
# proxy wrote it (config/client_ip.py); 0 (no proxy) uses REMOTE_ADDR and ignores the header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `make run` serve static files without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

# Content-Security-Policy: everything from our own origin; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Added to the policy under /admin/ only. django-simple-history's history page carries one
# inline style attribute, style="border-top: 0"; 'unsafe-hashes' with its hash allows exactly
# that string in a style attribute and nothing else (no <style>, no other attribute value).
# Scripts stay 'self' everywhere: Django 5.2's admin runs no inline script.
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {
    "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if env_bool("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A database outage fails every request alike: one line per interval, not a traceback
    # per request (config/errors.py).
    "filters": {"database_outage": {"()": "config.errors.DatabaseOutageLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["database_outage"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The public read API (api/): anonymous and read-only, throttled per client address.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AddressRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"address": os.environ.get("API_RATE_LIMIT", "600/minute")},
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "citegrid API",
    "DESCRIPTION": "Published frameworks, features, sources and sourced claims, read-only.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/v1|badge)/"
CORS_ALLOW_METHODS = ["GET", "HEAD"]

# Four-eyes review: a claim is published only when a curator other than the one who last
# changed it approves it (knowledge/services.py). Off, any curator publishes any claim.
CITEGRID_REVIEW_REQUIRED = env_bool("CITEGRID_REVIEW_REQUIRED", True)

# How long a source may go unvisited before checkkb calls it stale.
CITEGRID_SOURCE_STALE_DAYS = 365

# Quote verification (`manage.py verifykb`, knowledge/verification/): limits of one fetch, the
# pause between two requests to one host, and how long a citation may go unverified before
# checkkb warns about it.
CITEGRID_VERIFY_CONNECT_TIMEOUT = env_int("CITEGRID_VERIFY_CONNECT_TIMEOUT", 10)
CITEGRID_VERIFY_TOTAL_TIMEOUT = env_int("CITEGRID_VERIFY_TOTAL_TIMEOUT", 30)
CITEGRID_VERIFY_MAX_BYTES = env_int("CITEGRID_VERIFY_MAX_BYTES", 5 * 1024 * 1024)
CITEGRID_VERIFY_HOST_DELAY = env_int("CITEGRID_VERIFY_HOST_DELAY_MS", 1000) / 1000
CITEGRID_VERIFY_STALE_DAYS = env_int("CITEGRID_VERIFY_STALE_DAYS", 30)
# For the test suite only: lets the fetcher reach 127.0.0.1 (and no other private address),
# where the tests serve their pages. Never set it on a server: it opens the SSRF guard.
CITEGRID_VERIFY_ALLOW_LOOPBACK = env_bool("CITEGRID_VERIFY_ALLOW_LOOPBACK")
