"""No thundering herd: one worker renders a given page at a time; the others serve the page's
previous rendering or wait for the new one, and all of it steps aside when the cache fails."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comparisons import cache as content_cache
from comparisons import selectors
from comparisons.cache import RenderLock
from comparisons.middleware import page_digest
from tests.factories import make_claim

VISITORS = 8


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def renders(monkeypatch):
    """Counts the matrix renders, each made slow enough that the visitors' requests overlap."""
    count = []
    build = selectors.matrix_get

    def slow_matrix_get(**kwargs):
        count.append(1)
        time.sleep(0.3)
        return build(**kwargs)

    monkeypatch.setattr(selectors, "matrix_get", slow_matrix_get)
    return count


class Answers:
    """Counts visitors' answers; once armed, a render waits until every other visitor has had
    one, so that none can arrive after the new page is stored however threads are scheduled."""

    def __init__(self):
        self.done = threading.Semaphore(0)
        self.armed = False

    def release(self):
        self.done.release()

    def wait_for_the_others(self, seconds=10):
        # One deadline for all of them: should the others wait for this render instead (the
        # bug the test is there to catch), it fails after seconds, not seconds per visitor.
        if self.armed:
            deadline = time.monotonic() + seconds
            for _ in range(VISITORS - 1):
                if not self.done.acquire(timeout=max(0, deadline - time.monotonic())):
                    return


@pytest.fixture
def answered(monkeypatch, renders):
    answers = Answers()
    build = selectors.matrix_get

    def held_matrix_get(**kwargs):
        answers.wait_for_the_others()
        return build(**kwargs)

    monkeypatch.setattr(selectors, "matrix_get", held_matrix_get)
    return answers


def _visit_at_once(url, n=VISITORS, answered=None):
    """`n` visitors, each with its own connection (as gunicorn's threads), asking for `url` at
    the same moment; their responses. Each answer is counted on `answered` if given."""
    start = threading.Barrier(n)
    responses = [None] * n

    def visit(i):
        try:
            start.wait()
            responses[i] = Client(HTTP_HOST="127.0.0.1").get(url)
            if answered is not None:
                answered.release()
        finally:
            connection.close()

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.django_db(transaction=True)
def test_simultaneous_visitors_of_a_cold_page_cause_one_render(renders):
    make_claim(value="Herdvalue")

    responses = _visit_at_once("/matrix/")

    assert len(renders) == 1
    assert [r.status_code for r in responses] == [200] * VISITORS
    assert len({r.content for r in responses}) == 1
    assert b"Herdvalue" in responses[0].content
    assert len({r["ETag"] for r in responses}) == 1


@pytest.mark.django_db(transaction=True)
def test_after_an_edit_one_visitor_renders_and_the_others_get_the_previous_page(renders, answered):
    claim = make_claim(value="Oldvalue")
    old = Client(HTTP_HOST="127.0.0.1").get("/matrix/")
    claim.value = "Newvalue"
    claim.save()  # bumps the content version: the cached page is retired
    renders.clear()
    answered.armed = True

    responses = _visit_at_once("/matrix/", answered=answered)

    assert len(renders) == 1
    assert [r.status_code for r in responses] == [200] * VISITORS
    new = [r for r in responses if b"Newvalue" in r.content]
    stale = [r for r in responses if r.content == old.content]
    assert len(new) == 1 and len(stale) == VISITORS - 1
    assert {r["ETag"] for r in stale} == {old["ETag"]} != {new[0]["ETag"]}
    # Once the render is stored, everybody gets the new page.
    assert b"Newvalue" in Client(HTTP_HOST="127.0.0.1").get("/matrix/").content


@pytest.mark.django_db(transaction=True)
def test_without_the_cache_every_visitor_renders_and_none_fails(renders):
    make_claim(value="Herdvalue")
    content_cache.breaker.retry_at = time.monotonic() + 60  # as after a cache failure

    responses = _visit_at_once("/matrix/", n=4)

    assert len(renders) == 4
    assert [r.status_code for r in responses] == [200] * 4


def _hold_the_lock(url):
    """Take the render lock of `url` as another worker rendering it would."""
    version = content_cache.content_version()
    address = ("http", "127.0.0.1", url)
    lock = RenderLock(f"citegrid:rendering:{page_digest(version, address)}")
    assert lock.acquire()
    return lock


@pytest.mark.django_db
def test_while_another_worker_renders_the_previous_page_is_served_without_a_query(
    client, django_assert_num_queries
):
    claim = make_claim(value="Oldvalue")
    old = client.get("/matrix/")
    claim.value = "Newvalue"
    claim.save()
    content_cache.bump_content_version()  # the test's transaction never commits
    lock = _hold_the_lock("/matrix/")

    with django_assert_num_queries(0):
        response = client.get("/matrix/")

    assert response.content == old.content
    assert response["ETag"] == old["ETag"]
    lock.release()
    assert b"Newvalue" in client.get("/matrix/").content


@pytest.mark.django_db
def test_with_no_previous_page_a_visitor_waits_then_renders_itself(
    client, settings, django_assert_num_queries
):
    """The worker holding the lock may have died: after the wait the page renders anyway,
    with the queries of an ordinary render."""
    make_claim(value="Herdvalue")
    settings.PAGE_RENDER_WAIT_SECONDS = 0.3
    # A curator's render (a messages cookie skips the page cache): the same view, not stored.
    with CaptureQueriesContext(connection) as render:
        Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE="messages=x").get("/matrix/")
    _hold_the_lock("/matrix/")

    started = time.monotonic()
    with django_assert_num_queries(len(render)):
        response = client.get("/matrix/")

    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert b"Herdvalue" in response.content


@pytest.mark.django_db
def test_a_lock_left_by_a_worker_that_stored_nothing_is_not_waited_out(client, settings):
    """An error page is never stored: once the lock is gone the visitor renders at once."""
    make_claim(value="Herdvalue")
    settings.PAGE_RENDER_WAIT_SECONDS = 30
    lock = _hold_the_lock("/matrix/")
    threading.Timer(0.2, lock.release).start()

    started = time.monotonic()
    response = client.get("/matrix/")

    assert response.status_code == 200
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_the_lock_expires(settings):
    settings.PAGE_RENDER_LOCK_SECONDS = 1
    first, second = RenderLock("citegrid:rendering:test"), RenderLock("citegrid:rendering:test")

    assert first.acquire()
    assert not second.acquire()
    time.sleep(1.2)
    assert second.acquire()


@pytest.mark.django_db
def test_a_page_stored_while_the_lock_was_taken_is_served_not_rendered_again(
    renders, monkeypatch, client
):
    """The worker holding the lock stores the page between this visitor's cache miss and its
    own acquire: the visitor serves that page instead of rendering it a second time."""
    make_claim(value="Racedvalue")
    acquire = RenderLock.acquire

    def acquire_after_another_render(lock):
        monkeypatch.setattr(RenderLock, "acquire", acquire)
        # The other worker's whole request, lock and all, finishing at this very moment.
        Client(HTTP_HOST="127.0.0.1").get("/matrix/")
        return acquire(lock)

    monkeypatch.setattr(RenderLock, "acquire", acquire_after_another_render)
    response = client.get("/matrix/")
    assert response.status_code == 200
    assert b"Racedvalue" in response.content
    assert len(renders) == 1
