"""Production mode, as the environment variables of a deployment set it up.

Settings are computed from the environment at import, so each test runs Django in a
subprocess with DEBUG=0 and the production variables, never with the test run's own settings.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The test run's own variables would leak a development setup into "production" (the
# browser tests, for one, set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
DEVELOPMENT_VARIABLES = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}


def production_env(tmp_path, **overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in DEVELOPMENT_VARIABLES and not k.startswith("DJANGO_")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="citegrid.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_reports_no_issues(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_objects_to_a_weak_secret_key(tmp_path):
    """The control: the same command does report a deployment problem when there is one."""
    env = production_env(tmp_path, SECRET_KEY="short")
    result = _run(["manage.py", "check", "--deploy"], env)
    assert "security.W009" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory):
    """Responses of a production-configured citegrid to a few requests, through the whole
    middleware stack (see production_probe.py)."""
    tmp_path = tmp_path_factory.mktemp("production")
    result = _run(
        ["-m", "tests.security.production_probe", str(tmp_path / "static")],
        production_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_mode_is_really_on(production_responses):
    assert production_responses["settings"]["DEBUG"] is False


def test_plain_http_is_redirected_to_https(production_responses):
    response = production_responses["plain_http"]
    assert response["status"] == 301
    assert response["location"] == "https://citegrid.example/"


@pytest.mark.parametrize("name", ["home", "login", "missing", "logged_in"])
def test_security_headers_on_every_response(production_responses, name):
    headers = production_responses[name]["headers"]
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "default-src 'self'" in headers["content-security-policy"]


def test_public_pages_set_no_cookie_in_production(production_responses):
    assert production_responses["home"]["cookies"] == {}
    assert production_responses["missing"]["cookies"] == {}


def test_cookies_are_secure_and_http_only(production_responses):
    cookies = production_responses["logged_in"]["cookies"]
    assert set(cookies) >= {"sessionid", "csrftoken"}, "the admin login must have succeeded"
    for name, cookie in cookies.items():
        assert cookie["secure"], name
        assert cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name
