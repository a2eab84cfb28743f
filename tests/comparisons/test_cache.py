"""The content version, its bumps on commit, and pages that show an edit on the next request."""

import gzip

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls.resolvers import URLResolver

from comparisons import cache as content_cache
from comparisons import middleware
from comparisons.invalidation import writes_content
from comparisons.middleware import LocalBodies, _load_body, _store_body, local_bodies
from comparisons.models import Comparison
from knowledge.models import Claim, ClaimStatus, Framework, Source, SupportLevel
from tests.factories import make_citation, make_claim, make_framework


def version():
    return content_cache.content_version()


# -- the version ------------------------------------------------------------------------------


def test_the_version_is_stable_until_bumped():
    first = version()
    assert version() == first
    content_cache.bump_content_version()
    assert version() == first + 1


def test_a_lost_version_restarts_above_any_number_it_had():
    """An evicted counter must not restart at a number whose pages may still be cached."""
    old = version()
    cache.delete(content_cache.VERSION_KEY)
    content_cache.bump_content_version()
    assert version() > old + 1


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('INSERT INTO "knowledge_claim" ("key") VALUES (%s)', True),
        ('UPDATE "knowledge_source" SET "title" = %s', True),
        ('DELETE FROM "knowledge_citation" WHERE "id" IN (%s)', True),
        ('  update "comparisons_comparison" set "title" = %s', True),
        ('INSERT INTO "taggit_tag" ("name", "slug") VALUES (%s, %s)', True),
        ('INSERT INTO "knowledge_taggedfeature" ("tag_id") VALUES (%s)', True),
        ('INSERT INTO "comparisons_comparison_categories" ("x") VALUES (%s)', True),
        ('SELECT * FROM "knowledge_claim"', False),
        ('UPDATE "django_session" SET "expire_date" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('INSERT INTO "django_admin_log" ("object_id") VALUES (%s)', False),
        ('TRUNCATE "knowledge_claim", "knowledge_citation";', True),
    ],
)
def test_writes_to_content_tables_are_recognised(sql, expected):
    assert writes_content(sql) is expected


# -- bumps on commit --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_bumps_once_more_at_commit():
    """Inside a transaction the writer bumps at once (so it never reads its own stale page)
    and again at commit: the commit-time bump is the one other workers rely on."""
    framework = make_framework()
    before = version()
    with transaction.atomic():
        Framework.objects.filter(pk=framework.pk).update(summary="one")
        Framework.objects.filter(pk=framework.pk).update(summary="two")
        during = version()
    assert during == before + 1
    assert version() == before + 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_gets_no_commit_time_bump():
    framework = make_framework()
    before = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Framework.objects.filter(pk=framework.pk).update(summary="never")
        raise RuntimeError
    assert version() == before + 1  # only the harmless in-transaction bump


@pytest.mark.django_db(transaction=True)
def test_reads_and_writes_outside_content_do_not_bump():
    make_framework()
    before = version()
    list(Claim.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM knowledge_framework")
    Client().get("/admin/login/")  # may write a session or an axes row: not content
    assert version() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda f: f.save(), id="save"),
        pytest.param(
            lambda f: Framework.objects.filter(pk=f.pk).update(licence="MIT"), id="update"
        ),
        pytest.param(lambda f: f.delete(), id="delete"),
        pytest.param(lambda f: f.tags.add("async"), id="tags"),
        pytest.param(
            lambda f: Framework.objects.bulk_create([Framework(name="Bulk", slug="bulk")]),
            id="bulk_create",
        ),
        pytest.param(
            lambda f: Comparison.objects.create(title="A vs B", slug="a-b").frameworks.add(f),
            id="comparison",
        ),
    ],
)
def test_every_kind_of_committed_write_bumps(write):
    framework = make_framework()
    before = version()
    write(framework)
    assert version() > before


@pytest.mark.django_db(transaction=True)
def test_loaddata_raw_saves_bump(tmp_path):
    fixture = tmp_path / "source.json"
    fixture.write_text(
        '[{"model": "knowledge.source", "fields": {"title": "Loaded", '
        '"url": "https://example.org/loaded", "kind": "article", '
        '"created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}}]'
    )
    before = version()
    call_command("loaddata", str(fixture), verbosity=0)
    assert version() > before


@pytest.mark.django_db
def test_on_commit_callback_is_what_bumps_for_other_workers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        framework = make_framework()
        Framework.objects.filter(pk=framework.pk).update(summary="x")
    # One per transaction, however many writes it holds.
    assert [callback.__name__ for callback in callbacks] == ["bump_content_version"]
    before = version()
    callbacks[0]()
    assert version() == before + 1


# -- pages show an edit on the next request ---------------------------------------------------


@pytest.fixture
def cell(db):
    framework = make_framework(name="Alpha", slug="alpha")
    claim = make_claim(framework=framework, support=SupportLevel.YES, value="Firstvalue")
    citation = claim.citations.get()
    return claim, citation


def matrix_page(client):
    response = client.get("/matrix/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def anonymous():
    return Client(HTTP_HOST="127.0.0.1")


def assert_cached(client):
    """Two identical requests in a row: the second is a cache hit, built by no query."""
    first = matrix_page(client)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "comparisons.selectors.matrix_get",
            lambda **kwargs: pytest.fail("a cached page was rendered again"),
        )
        assert matrix_page(client) == first
    return first


@pytest.mark.django_db(transaction=True)
def test_a_claim_edit_shows_on_the_next_request(cell, anonymous):
    claim, _ = cell
    assert "Firstvalue" in assert_cached(anonymous)
    claim.value = "Secondvalue"
    claim.save()
    page = matrix_page(anonymous)
    assert "Secondvalue" in page and "Firstvalue" not in page


@pytest.mark.django_db(transaction=True)
def test_an_added_citation_shows_on_the_next_request(cell, anonymous):
    claim, _ = cell
    assert "Freshquote" not in assert_cached(anonymous)
    make_citation(claim=claim, quote="Freshquote from a new source")
    assert "Freshquote" in matrix_page(anonymous)


@pytest.mark.django_db(transaction=True)
def test_a_renamed_source_shows_on_the_next_request(cell, anonymous):
    _, citation = cell
    assert_cached(anonymous)
    Source.objects.filter(pk=citation.source_id).update(title="Renamedsource title")
    assert "Renamedsource title" in matrix_page(anonymous)


@pytest.mark.django_db(transaction=True)
def test_a_retracted_claim_disappears_on_the_next_request(cell, anonymous):
    claim, _ = cell
    assert claim.get_absolute_url() in assert_cached(anonymous)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.RETRACTED)
    page = matrix_page(anonymous)
    assert claim.get_absolute_url() not in page and "Firstvalue" not in page


@pytest.mark.django_db(transaction=True)
def test_cached_pages_carry_no_csp_nonce(cell, anonymous):
    """Cached HTML is shared by every visitor: a per-request nonce in it would be reused."""
    matrix_page(anonymous)
    bodies = [
        cache.get(key)
        for key in _cache_keys()
        if key.startswith("citegrid:body:")  # the stored page bodies
    ]
    assert bodies, "the matrix page was not cached"
    for body in bodies:
        if body[:2] == b"\x1f\x8b":  # the compressed copy of a page
            body = gzip.decompress(body)
        assert b"<html" in body
        assert b"nonce" not in body.lower()


def _cache_keys():
    if hasattr(cache, "keys"):  # django-redis
        return list(cache.keys("citegrid:*"))
    # Local memory: keys are "prefix:version:key".
    return [key.split(":", 2)[2] for key in cache._cache]


@pytest.mark.django_db(transaction=True)
def test_a_raw_sql_write_shows_on_the_next_request(cell, anonymous):
    assert_cached(anonymous)
    # A write outside Django's ORM is still a committed change to a content table.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Claim._meta.db_table} SET value = %s WHERE id = %s", ["Rawvalue", cell[0].pk]
        )
    assert "Rawvalue" in matrix_page(anonymous)


def test_each_worker_keeps_recent_bodies_within_its_byte_limit():
    bodies = LocalBodies(limit=10)
    bodies.put("a", b"12345")
    bodies.put("b", b"12345")
    assert bodies.get("a") == b"12345"  # now the most recently used
    bodies.put("c", b"123")
    assert bodies.get("b") is None
    assert bodies.get("a") == b"12345" and bodies.get("c") == b"123"
    bodies.put("huge", b"x" * 11)
    assert bodies.get("huge") is None
    assert bodies.size <= 10


def test_a_body_no_longer_kept_by_the_worker_comes_from_the_shared_cache():
    key = _store_body(b"page" * 1000)
    local_bodies.bodies.clear()
    local_bodies.size = 0
    assert _load_body(key) == b"page" * 1000
    assert local_bodies.get(key) == b"page" * 1000


def test_each_worker_keeps_recent_page_entries_in_a_bounded_locmemcache():
    local = settings.CACHES["local-pages"]
    assert local["BACKEND"].endswith("LocMemCache")
    assert local["OPTIONS"]["MAX_ENTRIES"] <= 20_000


@pytest.mark.django_db(transaction=True)
def test_writes_under_manual_transaction_management_still_bump():
    framework = make_framework()
    before = version()
    transaction.set_autocommit(False)
    try:
        Framework.objects.filter(pk=framework.pk).update(summary="manual")
        transaction.commit()
    finally:
        transaction.set_autocommit(True)
    assert version() > before


def _shared_reads(monkeypatch) -> list:
    reads = []
    real_get = cache.get

    def counted_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counted_get)
    return reads


def test_a_repeated_hit_reads_at_most_the_version_from_the_shared_cache(
    cell, anonymous, monkeypatch
):
    """The page entry and body under a versioned key never change, so a worker that has served
    the page once answers it again from its own memory; the version it asks the shared cache
    for once per CONTENT_VERSION_MEMO_MS, not per request."""
    matrix_page(anonymous)
    matrix_page(anonymous)
    reads = _shared_reads(monkeypatch)
    matrix_page(anonymous)
    assert reads == []
    content_cache.forget_content_version()  # as when the memo has run out
    matrix_page(anonymous)
    assert reads == [content_cache.VERSION_KEY]


def test_another_workers_edit_shows_once_this_workers_memo_of_the_version_runs_out(
    cell, anonymous, monkeypatch
):
    first = anonymous.get("/matrix/")["ETag"]
    # Another worker's bump: the shared version moves on, this worker's memo does not know.
    cache.incr(content_cache.VERSION_KEY)
    assert anonymous.get("/matrix/")["ETag"] == first
    memo = settings.CONTENT_VERSION_MEMO_MS / 1000
    later = content_cache.time.monotonic() + memo
    monkeypatch.setattr(content_cache.time, "monotonic", lambda: later)
    assert anonymous.get("/matrix/")["ETag"] != first
    assert 0 < settings.CONTENT_VERSION_MEMO_MS <= 1000


@pytest.mark.django_db
def test_a_cache_hit_resolves_its_url_at_most_once(cell, anonymous, monkeypatch):
    """Once to know it is a public page (the view that would resolve it again does not run),
    and a path the worker has resolved before not at all."""
    matrix_page(anonymous)
    middleware._public_match.cache_clear()
    calls = []
    real = URLResolver.resolve

    def counted(resolver, path):
        calls.append(path)
        return real(resolver, path)

    monkeypatch.setattr(URLResolver, "resolve", counted)
    matrix_page(anonymous)
    assert calls.count("/matrix/") == 1
    matrix_page(anonymous)
    assert calls.count("/matrix/") == 1


@pytest.mark.django_db
def test_a_long_path_is_resolved_every_time_and_not_remembered(anonymous):
    """Every path a client makes up would be a key: long ones are not kept."""
    path = "/frameworks/" + "x" * middleware.REMEMBERED_PATH_LENGTH + "/"
    middleware._public_match.cache_clear()
    assert anonymous.get(path).status_code == 404
    assert middleware._public_match.cache_info().currsize == 0
    assert anonymous.get("/frameworks/").status_code == 200
    assert middleware._public_match.cache_info().currsize == 1
