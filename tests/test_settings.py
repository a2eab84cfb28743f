import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_without_secret_key_starts():
    result = _check({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_a_number_that_is_not_one_is_a_clear_configuration_error():
    result = _check({"DEBUG": "1", "TRUSTED_PROXY_COUNT": "one"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TRUSTED_PROXY_COUNT='one' is not a whole number" in result.stderr


def _setting(name, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", name}}
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_review_is_required_unless_turned_off():
    assert _setting("CITEGRID_REVIEW_REQUIRED", {}).stdout.strip() == "True"
    off = _setting("CITEGRID_REVIEW_REQUIRED", {"CITEGRID_REVIEW_REQUIRED": "0"})
    assert off.stdout.strip() == "False", off.stderr
    wrong = _setting("CITEGRID_REVIEW_REQUIRED", {"CITEGRID_REVIEW_REQUIRED": "maybe"})
    assert wrong.returncode != 0 and "is not a boolean" in wrong.stderr


def test_the_email_retention_needs_at_least_a_day():
    assert _setting("SUGGESTION_EMAIL_DAYS", {}).stdout.strip() == "90"
    assert _setting("SUGGESTION_EMAIL_DAYS", {"SUGGESTION_EMAIL_DAYS": "7"}).stdout.strip() == "7"
    result = _check({"DEBUG": "1", "SUGGESTION_EMAIL_DAYS": "0"})
    assert result.returncode != 0
    assert "SUGGESTION_EMAIL_DAYS must be 1 day or more." in result.stderr


def test_the_memo_of_the_content_version_is_at_most_a_second():
    assert _setting("CONTENT_VERSION_MEMO_MS", {}).stdout.strip() == "100"
    off = _setting("CONTENT_VERSION_MEMO_MS", {"CONTENT_VERSION_MEMO_MS": "0"})
    assert off.stdout.strip() == "0", off.stderr
    for wrong in ("1001", "-1"):
        result = _check({"DEBUG": "1", "CONTENT_VERSION_MEMO_MS": wrong})
        assert result.returncode != 0
        assert "CONTENT_VERSION_MEMO_MS must be between 0 and 1000." in result.stderr
