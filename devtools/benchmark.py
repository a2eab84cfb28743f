"""Measure the matrix page against floors taken in the same run, on throwaway databases.

Ten figures, each with its goal. In this process, through Django's WSGI handler and every
middleware:

1. queries: SQL queries of the matrix page at 2 × 10 and at 20 × 300 (equal, at most 10);
2. cold: the whole 20 × 300 matrix rendered with nothing cached, over a floor that writes
   the page's matrix part byte for byte from plain lists read beforehand, with no query
   (devtools/benchmark_floor.py; goal at most 3×);
3. scale: with 100 × 3,000 stored over 20 × 300 stored, cold, for a filtered view
   (5 frameworks × one category) and for the unfiltered default page (at most 1.5× each);
4. verify: verifykb's citations per second against a local page server, over those of
   fetching the same pages alone (at least 0.5; devtools/benchmark_verify.py);
5. api: the API's matrix at 20 × 300, cold, over the cold page (at most 1×).

Over real HTTP, against gunicorn with production settings (devtools/benchmark_http.py):
warm (at least 0.8 of a hello view's requests/s), herd, churn, crawler and browser.

Beside them, a renderer table: the 20 × 300 rows, several-claims lists and footnotes drawn from
the same records by the page's Python writers, by Django's template engine and by Jinja2
(devtools/renderers.py), each with the cold figure the page would have with it.

It runs on the database and cache the settings name (`DATABASE_URL`, `REDIS_URL`) and prints
which: throwaway databases of that kind (devtools/databases.py), seeded by `seed_synthetic` in
a child process, and a cache key prefix of its own, whose keys it deletes at the end; the
developer's data are never touched and the cache is never flushed ("cold" means the content
version was bumped just before). Runs are interleaved, round by round, and medians compared,
so a noisy machine slows every measurement alike.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.http import QueryDict
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from comparisons.cache import bump_content_version
from comparisons.selectors import matrix_get

from . import benchmark_http as http
from . import benchmark_verify, renderers
from .benchmark_floor import floor_data, floor_render
from .databases import Databases
from .figures import Figure

HOST = "127.0.0.1"
API_MATRIX = "/api/v1/matrix/"
IN_PROCESS = ("queries", "cold", "scale", "verify", "api")
OVER_HTTP = ("warm", "herd", "churn", "crawler", "browser")
FIGURES = IN_PROCESS + OVER_HTTP
# The whole 20 × 300 matrix on one page, as the cold figure's floor writes every cell (a
# public page shows at most MATRIX_PAGE_CELLS, 2,000 by default: comparisons/parts.py).
WHOLE_PAGE = {"MATRIX_PAGE_CELLS": 10**9}


@dataclass(frozen=True)
class Sizes:
    tiny: tuple[int, int] = (2, 10)
    medium: tuple[int, int] = (20, 300)
    large: tuple[int, int] = (100, 3000)
    filtered_frameworks: int = 5
    verified_sources: int = 200


QUICK_SIZES = Sizes(large=(30, 600), verified_sources=20)
COLD_GOAL = 3


# -- requests ---------------------------------------------------------------------------------


class Site:
    """Requests through Django's real WSGI handler: every middleware, the URLconf, the view."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.factory = RequestFactory()

    def get(self, url: str) -> tuple[int, bytes]:
        path_info, _, query = url.partition("?")
        environ = self.factory._base_environ(
            PATH_INFO=path_info, QUERY_STRING=query, REQUEST_METHOD="GET", HTTP_HOST=HOST
        )
        status = []
        body = b"".join(self.handler(environ, lambda s, headers, exc_info=None: status.append(s)))
        return int(status[0].split()[0]), body

    def timed(self, url: str) -> float:
        started = time.perf_counter()
        code, _ = self.get(url)
        elapsed = time.perf_counter() - started
        if code != 200:
            raise RuntimeError(f"{url} answered {code} during the benchmark.")
        return elapsed

    def cold(self, url: str) -> float:
        bump_content_version()
        return self.timed(url)

    def queries(self, url: str) -> int:
        bump_content_version()
        with CaptureQueriesContext(connections["default"]) as captured:
            code, _ = self.get(url)
        if code != 200:
            raise RuntimeError(f"{url} answered {code} during the benchmark.")
        return len(captured)


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# -- the run ----------------------------------------------------------------------------------


def cache_description() -> str:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if settings.REDIS_URL:
        return f"redis ({backend}) at {settings.REDIS_URL.rsplit('@', 1)[-1]}, own key prefix"
    return f"local memory ({backend})"


@contextmanager
def _isolated():
    """Settings for measuring: no SQL logging, our URLconf, our own cache key space."""
    prefix = f"citegrid-benchmark-{time.time_ns()}"
    cache_config = {**settings.CACHES["default"], "KEY_PREFIX": prefix}
    if cache_config["BACKEND"].endswith("LocMemCache"):
        cache_config["LOCATION"] = prefix
    with (
        tempfile.TemporaryDirectory(prefix="citegrid-benchmark-") as directory,
        override_settings(
            DEBUG=False,
            ROOT_URLCONF="devtools.urls",
            ALLOWED_HOSTS=[HOST],
            SECURE_SSL_REDIRECT=False,
            CACHES={**settings.CACHES, "default": cache_config},
            # Every in-process request comes from one address and most are renders.
            PAGE_RENDER_LIMIT=0,
        ),
    ):
        databases = Databases(Path(directory))
        try:
            yield databases, prefix, Path(directory)
        finally:
            databases.close()
            _delete_keys(prefix)


def _delete_keys(prefix: str) -> None:
    """Our keys in a shared Redis, and only ours: every one starts with the run's prefix."""
    if not settings.REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for keys in _batches(client.scan_iter(match=f"{prefix}*", count=1000), 500):
            client.delete(*keys)
    finally:
        client.close()


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def run(
    *,
    quick: bool = False,
    rounds: int | None = None,
    only: tuple[str, ...] = FIGURES,
    load_seconds: float | None = None,
    log=print,
) -> dict:
    sizes = QUICK_SIZES if quick else Sizes()
    rounds = rounds or (3 if quick else 15)
    load_seconds = load_seconds or (4 if quick else 40)
    with _isolated() as (databases, prefix, directory):
        log(f"Database: {databases.describe()}; cache: {cache_description()}")
        log("Building the databases…")
        databases.make("template")
        for name in ("tiny", "medium", "large"):
            frameworks, features = getattr(sizes, name)
            databases.make(name, template="template")
            started = time.perf_counter()
            _seed_elsewhere(databases.url(name), frameworks, features)
            databases.analyze(name)
            log(f"  {name}: {frameworks} × {features} in {time.perf_counter() - started:.1f} s")
        filtered = _filtered_url(databases, sizes)
        figures, medians = {}, {}
        if set(only) & set(IN_PROCESS):
            measured, medians = _measure(databases, sizes, rounds, filtered, log)
            figures |= {name: figure for name, figure in measured.items() if name in only}
        if set(only) & set(OVER_HTTP):
            figures |= _over_http(
                databases, prefix, directory, filtered, quick, load_seconds, only, log
            )
        for figure in figures.values():
            if figure.ratio is not None:
                figure.ratio = round(figure.ratio, 3)
        return {
            "rounds": rounds,
            "sizes": {
                name: list(value)
                for name, value in asdict(sizes).items()
                if name not in ("filtered_frameworks", "verified_sources")
            },
            "database": databases.describe(),
            "cache": cache_description(),
            "client": http.client_name(),
            "all_met": all(f.met for f in figures.values() if f.met is not None),
            "figures": {name: asdict(figures[name]) for name in FIGURES if name in figures},
            "renderers": _renderer_table(medians) if medians else {},
        }


def _seed_elsewhere(database_url: str, frameworks: int, features: int) -> None:
    """Seed in a child process, as a deploy would: the measuring process then holds nothing of
    the seeder's million short-lived objects (seeded in-process, later requests on the large
    database were measurably slower than the same requests from a fresh process)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)  # the child's version bumps stay in its own memory
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "seed_synthetic"]
    command += ["--frameworks", str(frameworks), "--features", str(features), "-v", "0"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"Seeding {database_url} failed:\n{done.stderr}")


def _filtered_url(databases: Databases, sizes: Sizes) -> str:
    """5 frameworks × the first category: the same slugs exist at both sizes (same seed)."""
    from knowledge.models import Category, Framework

    databases.use("medium")
    slugs = list(
        Framework.objects.order_by("slug").values_list("slug", flat=True)[
            : sizes.filtered_frameworks
        ]
    )
    category = Category.objects.order_by("order").values_list("slug", flat=True)[0]
    databases.use("large")
    assert Framework.objects.filter(slug__in=slugs).count() == len(slugs)
    assert Category.objects.filter(slug=category).exists()
    query = urlencode([("framework", slug) for slug in slugs] + [("category", category)])
    return f"/matrix/?{query}"


def _measure(databases: Databases, sizes: Sizes, rounds: int, filtered: str, log):
    site = Site()
    matrix = "/matrix/"

    databases.use("tiny")
    site.get(matrix)  # first request: URL resolvers, templates, connections
    with override_settings(**WHOLE_PAGE):
        queries_tiny = site.queries(matrix)
        databases.use("medium")
        site.get(matrix)
        queries_medium = site.queries(matrix)
        floor = floor_data()  # read before any timing: the floor only writes
        drawn = matrix_get(data=QueryDict()).matrix  # the 20 × 300 records, for the renderers
    candidates = renderers.renderers()
    names = ("cold", "floor", "api", "filtered_small", "filtered_large")
    samples = {name: [] for name in (*names, "default_small", "default_large")}
    samples |= {f"render_{name}": [] for name in candidates}
    log(f"Measuring in process, {rounds} interleaved rounds…")
    for _ in range(rounds):
        databases.use("medium")
        with override_settings(**WHOLE_PAGE):
            samples["cold"].append(site.cold(matrix))
            samples["api"].append(site.cold(API_MATRIX))
        samples["floor"].append(_timed(lambda: floor_render(floor)))
        for name, render in candidates.items():
            samples[f"render_{name}"].append(_timed(lambda render=render: render(drawn)))
        samples["filtered_small"].append(site.cold(filtered))
        samples["default_small"].append(site.cold(matrix))
        databases.use("large")
        samples["filtered_large"].append(site.cold(filtered))
        samples["default_large"].append(site.cold(matrix))

    verification = benchmark_verify.measure(
        databases, sources=sizes.verified_sources, rounds=min(rounds, 5), log=log
    )
    medians = {name: _median_ms(values) for name, values in samples.items()}
    cold_ratio = medians["cold"] / medians["floor"]
    scales = {
        kind: medians[f"{kind}_large"] / medians[f"{kind}_small"]
        for kind in ("filtered", "default")
    }
    api_ratio = medians["api"] / medians["cold"]
    medium, large = (f"{w}x{h}" for w, h in (sizes.medium, sizes.large))
    figures = [
        Figure(
            "queries",
            queries_medium / queries_tiny,
            "equal counts (ratio 1), each <= 10",
            queries_medium == queries_tiny and queries_medium <= 10,
            {f"{sizes.tiny[0]}x{sizes.tiny[1]}": queries_tiny, medium: queries_medium},
        ),
        Figure(
            "cold",
            cold_ratio,
            f"cold / byte-identical floor <= {COLD_GOAL}",
            cold_ratio <= COLD_GOAL,
            {"cold_ms": medians["cold"], "floor_ms": medians["floor"]},
        ),
        Figure(
            "scale",
            max(scales.values()),
            "large / small <= 1.5, filtered and default",
            max(scales.values()) <= 1.5,
            {
                "filtered_url": filtered,
                f"filtered_{medium}_ms": medians["filtered_small"],
                f"filtered_{large}_ms": medians["filtered_large"],
                "filtered_ratio": round(scales["filtered"], 3),
                f"default_{medium}_ms": medians["default_small"],
                f"default_{large}_ms": medians["default_large"],
                "default_ratio": round(scales["default"], 3),
            },
        ),
        Figure(
            "verify",
            verification["ratio"],
            "verify / fetch alone (cit./s) >= 0.5",
            verification["met"],
            verification["measured"],
        ),
        Figure(
            "api",
            api_ratio,
            "api cold / page cold <= 1",
            api_ratio <= 1,
            {"api_ms": medians["api"], "page_ms": medians["cold"]},
        ),
    ]
    return {figure.name: figure for figure in figures}, medians


def _over_http(databases, prefix, directory, filtered, quick, load_seconds, only, log) -> dict:
    """The HTTP figures: herd on a fresh server with the large database, then the others on
    one with the medium database."""
    figures = {}
    log_path = directory / "gunicorn.log"
    rounds = 1 if quick else 3
    seconds = max(1, round(load_seconds / (2 * rounds)))  # wrk counts whole seconds
    log(f"Over HTTP ({http.client_name()}); gunicorn's log: {log_path}")
    if "herd" in only:
        server = http.Server(
            database_url=databases.url("large"), cache_prefix=f"{prefix}-herd", log_path=log_path
        )
        try:
            log(f"  herd: {server.describe()}, large database")
            figures["herd"] = http.herd(server)
        finally:
            server.stop()
    if not set(only) & {"warm", "churn", "crawler", "browser"}:
        return figures
    curator = _curator(databases)
    server = http.Server(
        database_url=databases.url("medium"), cache_prefix=f"{prefix}-http", log_path=log_path
    )
    try:
        log(f"  warm, churn, crawler, browser: {server.describe()}, medium database")
        if "warm" in only:
            warm_rounds = 2 if quick else 5
            figures["warm"] = http.warm(server, rounds=warm_rounds, seconds=1 if quick else 3)
        if "churn" in only:
            editor = http.Curator(server.base, **curator)
            try:
                figures["churn"] = http.churn(server, editor, rounds=rounds, seconds=seconds)
            finally:
                editor.close()
        if "crawler" in only:
            paths = ["/matrix/", filtered, "/frameworks/"]
            figures["crawler"] = http.crawler(server, paths, rounds=rounds, seconds=seconds)
        if "browser" in only:
            figures["browser"] = http.browser(server, rounds=1 if quick else 5)
    finally:
        server.stop()
    return figures


def _curator(databases: Databases) -> dict:
    """A superuser in the medium database, and a claim the default matrix page shows."""
    import secrets

    from django.contrib.auth import get_user_model

    databases.use("medium")
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser("benchmark-curator", password=password)
    matrix = matrix_get(data=QueryDict()).matrix
    cells = (c for s in matrix.sections for g in s.groups for r in g.rows for c in r.cells)
    claim = next(cell.claim for cell in cells if cell.claim is not None)
    return {"username": "benchmark-curator", "password": password, "claim_id": claim.id}


def _renderer_table(medians: dict) -> dict:
    """Each renderer's time for the 20 × 300 rows, claims and footnotes, and the cold figure
    the page would have with it instead of the one it uses (the Python writers)."""
    table = {}
    for key, render_ms in medians.items():
        if not key.startswith("render_"):
            continue
        cold_ms = medians["cold"] - medians["render_python"] + render_ms
        table[key.removeprefix("render_")] = {
            "render_ms": render_ms,
            "cold_ms": round(cold_ms, 3),
            "cold_ratio": round(cold_ms / medians["floor"], 3),
            "meets_cold_goal": cold_ms / medians["floor"] <= COLD_GOAL,
        }
    return table


def table(result: dict) -> str:
    lines = [
        f"database: {result['database']}",
        f"cache:    {result['cache']}",
        f"client:   {result['client']}",
        "",
        f"{'figure':<8} {'ratio':>8}  {'goal':<44} result",
        "-" * 76,
    ]
    for data in result["figures"].values():
        lines.append(Figure(**data).row())
        lines.append(f"{'':<8} {data['measured']}")
    if result["renderers"]:
        lines += ["", f"{'renderer':<8} {'render':>9} {'cold':>9} {'cold/floor':>10}  cold goal"]
        lines.append("-" * 64)
    for name, data in result["renderers"].items():
        mark = "met" if data["meets_cold_goal"] else "NOT MET"
        lines.append(
            f"{name:<8} {data['render_ms']:>7.1f}ms {data['cold_ms']:>7.1f}ms "
            f"{data['cold_ratio']:>10.3f}  {mark}"
        )
    return "\n".join(lines)
