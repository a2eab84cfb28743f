"""A database that cannot be reached: cached pages keep answering, the others answer 503 with
Retry-After in the site's layout (not the 500 page), and the site recovers when it is back."""

import logging
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client, override_settings

from tests.factories import make_claim, make_framework

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_unreachable():
    """No query can reach the database, as during an outage. On PostgreSQL the connection
    really goes to a port nothing listens on; SQLite's in-memory test database cannot be
    closed, so its cursor fails the way a missing file does."""
    if connection.vendor != "postgresql":
        import sqlite3

        def refuse(*args, **kwargs):
            raise sqlite3.OperationalError("unable to open database file")

        real = connection.create_cursor
        connection.create_cursor = refuse
        try:
            yield
        finally:
            connection.create_cursor = real
        return
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def visitor():
    return Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)


@override_settings(DEBUG=False)
def test_pages_that_need_the_database_answer_503_and_cached_ones_200(visitor):
    make_claim(framework=make_framework(name="Alpha", slug="alpha"))
    cached = visitor.get("/matrix/")
    assert cached.status_code == 200

    with database_unreachable():
        again = visitor.get("/matrix/")
        uncached = visitor.get("/frameworks/alpha/")
        listing = visitor.get("/frameworks/")

    assert again.status_code == 200 and again.content == cached.content
    for response in (uncached, listing):
        assert response.status_code == 503
        assert response["Retry-After"].isdigit()
        page = response.content.decode()
        assert "Back in a moment" in page and 'class="site-header"' in page
        assert "Content-Security-Policy" in response
    # Back: the same page renders again.
    assert visitor.get("/frameworks/alpha/").status_code == 200


@override_settings(DEBUG=False)
def test_other_errors_still_get_the_500_page(visitor, monkeypatch):
    make_framework(slug="alpha")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("django.template.loader.render_to_string", broken)
    response = visitor.get("/frameworks/alpha/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_postgresql_connections_give_up_and_cancel_slow_statements():
    options = connection.settings_dict.get("OPTIONS", {})
    if connection.vendor != "postgresql":
        assert options.get("transaction_mode") == "IMMEDIATE"
        return
    assert 0 < options["connect_timeout"] <= 10
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()
    assert timeout not in ("0", "0ms")


@override_settings(DEBUG=False)
def test_an_outage_logs_one_line_per_interval_not_a_traceback_per_request(visitor, caplog):
    from config.errors import DatabaseOutageLogFilter

    make_framework(slug="alpha")
    outage = DatabaseOutageLogFilter()
    logger = logging.getLogger("django.request")
    logger.addFilter(outage)
    try:
        with caplog.at_level(logging.ERROR, logger="django.request"), database_unreachable():
            for _ in range(5):
                assert visitor.get("/frameworks/alpha/").status_code == 503
    finally:
        logger.removeFilter(outage)
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert "the database is unavailable" in records[0].getMessage()
    assert records[0].exc_info is None
