"""The site against a real Redis that fails: a private redis-server, started here on a port of
its own (6391-6399), killed and paused (SIGSTOP) while pages are requested and content saved.

Pages must render without the cache, saves must not fail, a dead or paused cache is asked once
per interval (not once per request), and once it answers again an edit made during the outage
shows on the next request.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from comparisons import cache as content_cache
from knowledge.models import Claim
from tests.factories import make_claim

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)

PORTS = range(6391, 6400)


def _free_port():
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 6391-6399 for a private redis-server")


class PrivateRedis:
    def __init__(self):
        self.port = _free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()

    @contextmanager
    def paused(self):
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def redis_server():
    server = PrivateRedis()
    server.start()
    caches = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{server.port}/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
    }
    with override_settings(CACHES={**settings.CACHES, "default": caches}):
        content_cache.breaker.reset()
        yield server
    content_cache.breaker.reset()
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)
        server.kill()


@pytest.fixture
def visitor():
    return Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)


@pytest.fixture
def reached(monkeypatch):
    """The cache operations that reached Redis (through django-redis' client)."""
    calls = []
    client = cache.client

    for name in ("get", "set", "add", "incr"):
        real = getattr(client, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(client, name, counted)
    return calls


def test_one_redis_client_serves_every_operation(redis_server):
    client = cache.client.get_client(write=False)
    assert cache.client.get_client(write=True) is client
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert cache.incr("answer") == 43


def _page(visitor, url="/matrix/"):
    response = visitor.get(url)
    assert response.status_code == 200, response.status_code
    return response


@pytest.mark.django_db(transaction=True)
def test_a_killed_cache_leaves_pages_and_saves_working(redis_server, visitor, caplog, reached):
    claim = make_claim(value="Beforevalue")
    assert "ETag" in _page(visitor)  # cached, under the version Redis holds
    redis_server.kill()
    reached.clear()

    with caplog.at_level(logging.WARNING, logger="comparisons.cache"):
        for _ in range(5):
            assert "Beforevalue" in _page(visitor).content.decode()
        # A save during the outage succeeds; its version bump is retried later.
        claim.value = "Duringvalue"
        claim.save()
        page = _page(visitor)
    assert "Duringvalue" in page.content.decode() and "ETag" not in page

    # One try reached the dead cache; every later request stepped aside without one.
    assert len(reached) == 1
    failures = [r for r in caplog.records if "The cache failed" in r.getMessage()]
    assert len(failures) == 1 and not any(r.exc_info for r in caplog.records)

    # Redis is back (empty, as after a restart): the next try finds it, pages are cached again.
    redis_server.start()
    content_cache.breaker.retry_at = time.monotonic()  # the interval is over
    assert "Duringvalue" in _page(visitor).content.decode()
    assert "ETag" in _page(visitor)


@pytest.mark.django_db(transaction=True)
def test_a_paused_cache_costs_one_timeout_then_is_left_alone(redis_server, visitor, reached):
    claim = make_claim(value="Beforevalue")
    _page(visitor)
    with redis_server.paused():
        reached.clear()
        # Once the worker's memo of the content version has run out, it asks the cache again.
        content_cache.forget_content_version()
        first = _page(visitor)
        for _ in range(5):
            _page(visitor)
        Claim.objects.filter(pk=claim.pk).update(value="Pausedvalue")
        page = _page(visitor)
        # The one try timed out (a socket timeout, not a hang); nothing else was sent.
        assert len(reached) == 1
    assert "ETag" not in first and "Pausedvalue" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_bump_lost_during_an_outage_lands_once_the_cache_is_back(
    redis_server, visitor, monkeypatch
):
    """A page cached before an edit made while Redis was paused must not be served after it."""
    monkeypatch.setattr(settings, "CACHE_RETRY_SECONDS", 0.2)
    monkeypatch.setattr(content_cache.breaker, "interval", 0.2)
    claim = make_claim(value="Oldvalue")
    assert "Oldvalue" in _page(visitor).content.decode()  # cached under version v
    before = content_cache.content_version()
    with redis_server.paused():
        Claim.objects.filter(pk=claim.pk).update(value="Newvalue")  # its bump fails
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            if content_cache.content_version() > before:
                break
        except content_cache.CacheUnavailable:
            continue
    page = _page(visitor).content.decode()
    assert "Newvalue" in page and "Oldvalue" not in page
