"""Measure the matrix page against floors taken in the same process, on throwaway databases.

Six figures, each a ratio with its goal:

1. queries: SQL queries of the matrix page at 2 × 10 and at 20 × 300 (equal, at most 10);
2. cold: the 20 × 300 matrix rendered with nothing cached, through the whole WSGI handler and
   middleware, over a floor: one raw SQL query for the same cells and citations, its rows
   written as the page's bytes by the page's own markup writers (goal at most 3×);
3. warm: requests per second of the same page answered from the cache, over those of a view
   returning a fixed short page through the same middleware, each over a burst of requests
   (goal at least 0.7);
4. scale: a filtered view (5 frameworks × one category) with 100 × 3,000 stored, over the same
   view with 20 × 300 stored (goal at most 1.5×);
5. verify: verifykb's citations per second against a local page server, over those of fetching
   the same pages alone (goal at least 0.5), with its memory per 1,000 sources
   (devtools/benchmark_verify.py);
6. api: the API's matrix (/api/v1/matrix/, JSON) at 20 × 300, cold, over the cold page of the
   same view (goal at most 1×: answering a tool costs no more than rendering for a reader).

Beside them, a renderer table: the 20 × 300 rows, several-claims lists and footnotes drawn from
the same records by the page's Python writers, by Django's template engine and by Jinja2
(devtools/renderers.py), each with the cold figure the page would have with it.

The databases are temporary SQLite files made here, migrated once and seeded by
`seed_synthetic` in a child process; the developer's database and cache entries are never
touched (the cache gets a key prefix of its own, and nothing is cleared: "cold" means the
content version was bumped just before). Runs are interleaved, round by round, and medians are
compared, so a noisy machine slows every measurement alike.
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
from itertools import groupby
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
from comparisons.support import support_display
from comparisons.templatetags import matrix as markup
from knowledge.models import ClaimStatus, SourceKind, SupportLevel, VerificationStatus

from . import benchmark_verify, renderers
from .databases import Databases
from .urls import HELLO_PATH

HOST = "127.0.0.1"
API_MATRIX = "/api/v1/matrix/"
# Requests per warm and hello sample.
WARM_BURST = 20


@dataclass(frozen=True)
class Sizes:
    tiny: tuple[int, int] = (2, 10)
    medium: tuple[int, int] = (20, 300)
    large: tuple[int, int] = (100, 3000)
    filtered_frameworks: int = 5
    verified_sources: int = 200


QUICK_SIZES = Sizes(large=(30, 600), verified_sources=20)
COLD_GOAL = 3


@dataclass
class Figure:
    name: str
    ratio: float
    goal: str
    met: bool
    measured: dict

    def row(self) -> str:
        mark = "met" if self.met else "NOT MET"
        return f"{self.name:<8} {self.ratio:>8.3f}  {self.goal:<34} {mark}"


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

    def burst(self, url: str, requests: int) -> float:
        """The mean time of `requests` requests of `url` made one after another."""
        return sum(self.timed(url) for _ in range(requests)) / requests

    def queries(self, url: str) -> int:
        bump_content_version()
        with CaptureQueriesContext(connections["default"]) as captured:
            code, _ = self.get(url)
        if code != 200:
            raise RuntimeError(f"{url} answered {code} during the benchmark.")
        return len(captured)


# -- the floor --------------------------------------------------------------------------------

# Every feature × every framework, as the unfiltered page shows them: a cell without a
# published claim comes back once, with NULLs, and is shown as unknown.
FLOOR_SQL = """
SELECT f.id, f.name, f.slug, fw.id, fw.name, c.id, c.support, c.value, ci.quote, ci.locator, s.id,
       s.title, s.kind, v.status
FROM knowledge_feature f
CROSS JOIN knowledge_framework fw
LEFT JOIN knowledge_claim c
       ON c.feature_id = f.id AND c.framework_id = fw.id AND c.status = %s
LEFT JOIN knowledge_citation ci ON ci.claim_id = c.id
LEFT JOIN knowledge_source s ON s.id = ci.source_id
LEFT JOIN knowledge_citationverification v ON v.citation_id = ci.id
ORDER BY f.id, fw.name, c.id, ci.id
"""


def floor_html() -> str:
    """One raw query for every cell and published citation, written as the page's bytes.

    The least work that can produce the matrix's rows and footnotes: no ORM, no records, no
    template, and no choice of the shown claim among several, grouping by category or list of
    a cell's other claims. It writes with the page's own markup writers
    (comparisons/templatetags/matrix.py), called with the query's values, so the floor is
    the same bytes without a copy of the markup (tests/devtools/test_floor.py).
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(FLOOR_SQL, [ClaimStatus.PUBLISHED])
        rows = cursor.fetchall()
    kinds = {kind: str(label) for kind, label in SourceKind.choices}
    out, cells, notes = [], [], []
    sources, claims = {}, {}

    for (feature_id, name, slug), feature_rows in groupby(rows, key=lambda r: r[:3]):
        for (framework_id, framework_name, claim_id, support, value), cell_rows in groupby(
            feature_rows, key=lambda r: r[3:8]
        ):
            anchor = f"c{feature_id}-{framework_id}"
            if claim_id is None:
                cells.append(
                    markup.cell_html(anchor=anchor, mark=support_display(SupportLevel.UNKNOWN))
                )
                continue
            numbers = []
            verified = False  # only a cell with a claim can be unverified
            claim_url = f"/claims/{claim_id}/"
            for *_, quote, locator, source_id, title, kind, status in cell_rows:
                if source_id is None:
                    continue
                verified = verified or status == VerificationStatus.VERIFIED
                number = len(notes) + 1
                numbers.append(number)
                if source_id not in sources:
                    sources[source_id] = markup.source_link_html(
                        page=f"/sources/{source_id}/", title=title, kind_label=kinds[kind]
                    )
                if claim_id not in claims:
                    claims[claim_id] = markup.claim_link_html(
                        url=claim_url, framework=framework_name, feature=name
                    )
                notes.append(
                    markup.footnote_html(
                        number=number,
                        quote=quote,
                        locator=locator,
                        source_link=sources[source_id],
                        claim_link=claims[claim_id],
                        backref=anchor,
                    )
                )
            cells.append(
                markup.cell_html(
                    anchor=anchor,
                    mark=support_display(support),
                    url=claim_url,
                    value=value,
                    footnotes=numbers,
                    verified=verified,
                )
            )
        out.append(markup.row_html(url=f"/features/{slug}/", name=name, cells="".join(cells)))
        cells.clear()
    return "\n".join(out) + '<ol class="footnotes__list">' + "\n".join(notes) + "</ol>"


def floor_render() -> int:
    """The floor, timed: the length of its HTML, so the work cannot be optimised away."""
    return len(floor_html())


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# -- the run ----------------------------------------------------------------------------------


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
            # Every measured request comes from one address and most are renders.
            PAGE_RENDER_LIMIT=0,
            # The whole 20 × 300 page, as its floor writes every cell (a page now shows at
            # most 2,000 by default: comparisons/parts.py).
            MATRIX_PAGE_CELLS=10**9,
        ),
    ):
        databases = Databases(Path(directory))
        try:
            yield databases
        finally:
            databases.close()


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def run(*, quick: bool = False, rounds: int | None = None, log=print) -> dict:
    sizes = QUICK_SIZES if quick else Sizes()
    rounds = rounds or (3 if quick else 15)
    with _isolated() as databases:
        log("Building the databases…")
        databases.make("template")
        template = databases.file("template")
        for name in ("tiny", "medium", "large"):
            frameworks, features = getattr(sizes, name)
            databases.make(name, template=template)
            started = time.perf_counter()
            _seed_elsewhere(databases.file(name), frameworks, features)
            log(f"  {name}: {frameworks} × {features} in {time.perf_counter() - started:.1f} s")
        return _measure(databases, sizes, rounds, log)


def _seed_elsewhere(file: Path, frameworks: int, features: int) -> None:
    """Seed in a child process, as a deploy would: the measuring process then holds nothing of
    the seeder's million short-lived objects (seeded in-process, later requests on the large
    database were measurably slower than the same requests from a fresh process)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{file}"}
    env.pop("REDIS_URL", None)  # the child's version bumps stay in its own memory
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "seed_synthetic"]
    command += ["--frameworks", str(frameworks), "--features", str(features), "-v", "0"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"Seeding {file.name} failed:\n{done.stderr}")


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


def _measure(databases: Databases, sizes: Sizes, rounds: int, log) -> dict:
    site = Site()
    matrix = "/matrix/"
    filtered = _filtered_url(databases, sizes)

    databases.use("tiny")
    site.get(matrix)  # first request: URL resolvers, templates, connections
    queries_tiny = site.queries(matrix)
    databases.use("medium")
    site.get(matrix)
    queries_medium = site.queries(matrix)

    drawn = matrix_get(data=QueryDict()).matrix  # the 20 × 300 records, for the renderers
    candidates = renderers.renderers()
    samples = {name: [] for name in ("cold", "floor", "warm", "hello", "small", "large", "api")}
    samples |= {f"render_{name}": [] for name in candidates}
    log(f"Measuring, {rounds} interleaved rounds…")
    for _ in range(rounds):
        databases.use("medium")
        bump_content_version()
        samples["cold"].append(site.timed(matrix))
        bump_content_version()
        samples["api"].append(site.timed(API_MATRIX))
        samples["floor"].append(_timed(floor_render))
        for name, render in candidates.items():
            samples[f"render_{name}"].append(_timed(lambda render=render: render(drawn)))
        site.get(matrix)  # warm the cache for this version
        # Throughput, so each is a burst of requests (their mean time), in alternating order:
        # a single request straight after the cold renders above ran on caches those renders
        # had just flushed, and whichever of the two went first paid for it.
        pair = [("warm", matrix), ("hello", HELLO_PATH)]
        for name, url in pair if len(samples["warm"]) % 2 == 0 else reversed(pair):
            samples[name].append(site.burst(url, WARM_BURST))
        bump_content_version()
        samples["small"].append(site.timed(filtered))
        databases.use("large")
        bump_content_version()
        samples["large"].append(site.timed(filtered))

    verification = benchmark_verify.measure(
        databases, sources=sizes.verified_sources, rounds=min(rounds, 5), log=log
    )
    medians = {name: _median_ms(values) for name, values in samples.items()}
    cold_ratio = medians["cold"] / medians["floor"]
    warm_ratio = medians["hello"] / medians["warm"]  # rps ratio: (1/warm) / (1/hello)
    scale_ratio = medians["large"] / medians["small"]
    api_ratio = medians["api"] / medians["cold"]
    figures = [
        Figure(
            "queries",
            queries_medium / queries_tiny,
            "equal counts (ratio 1), each <= 10",
            queries_medium == queries_tiny and queries_medium <= 10,
            {
                f"{sizes.tiny[0]}x{sizes.tiny[1]}": queries_tiny,
                f"{sizes.medium[0]}x{sizes.medium[1]}": queries_medium,
            },
        ),  # fmt: skip
        Figure(
            "cold",
            cold_ratio,
            f"cold / floor <= {COLD_GOAL}",
            cold_ratio <= COLD_GOAL,
            {"cold_ms": medians["cold"], "floor_ms": medians["floor"]},
        ),
        Figure(
            "warm",
            warm_ratio,
            "warm rps / hello rps >= 0.7",
            warm_ratio >= 0.7,
            {
                "warm_ms": medians["warm"],
                "hello_ms": medians["hello"],
                "warm_rps": round(1000 / medians["warm"], 1),
                "hello_rps": round(1000 / medians["hello"], 1),
            },
        ),
        Figure(
            "scale",
            scale_ratio,
            "large / small <= 1.5",
            scale_ratio <= 1.5,
            {
                "url": filtered,
                f"{sizes.medium[0]}x{sizes.medium[1]}_ms": medians["small"],
                f"{sizes.large[0]}x{sizes.large[1]}_ms": medians["large"],
            },
        ),
        Figure(
            "verify",
            verification["ratio"],
            "verify / fetch alone (cit./s) >= 0.5",
            verification["met"],
            verification["measured"],
        ),  # fmt: skip
        Figure(
            "api",
            api_ratio,
            "api cold / page cold <= 1",
            api_ratio <= 1,
            {"api_ms": medians["api"], "page_ms": medians["cold"]},
        ),
    ]
    for figure in figures:
        figure.ratio = round(figure.ratio, 3)
    return {
        "rounds": rounds,
        "sizes": {
            name: list(value)
            for name, value in asdict(sizes).items()
            if name not in ("filtered_frameworks", "verified_sources")
        },
        "database": "sqlite (temporary files)",
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "all_met": all(figure.met for figure in figures),
        "figures": {figure.name: asdict(figure) for figure in figures},
        "renderers": _renderer_table(medians, candidates),
    }


def _renderer_table(medians: dict, candidates) -> dict:
    """Each renderer's time for the 20 × 300 rows, claims and footnotes, and the cold figure
    the page would have with it instead of the one it uses (the Python writers)."""
    table = {}
    for name in candidates:
        render_ms = medians[f"render_{name}"]
        cold_ms = medians["cold"] - medians["render_python"] + render_ms
        table[name] = {
            "render_ms": render_ms,
            "cold_ms": round(cold_ms, 3),
            "cold_ratio": round(cold_ms / medians["floor"], 3),
            "meets_cold_goal": cold_ms / medians["floor"] <= COLD_GOAL,
        }
    return table


def table(result: dict) -> str:
    lines = [f"{'figure':<8} {'ratio':>8}  {'goal':<34} result", "-" * 64]
    for data in result["figures"].values():
        lines.append(Figure(**data).row())
        lines.append(f"{'':<8} {data['measured']}")
    lines += ["", f"{'renderer':<8} {'render':>9} {'cold':>9} {'cold/floor':>10}  cold goal"]
    lines.append("-" * 64)
    for name, data in result["renderers"].items():
        mark = "met" if data["meets_cold_goal"] else "NOT MET"
        lines.append(
            f"{name:<8} {data['render_ms']:>7.1f}ms {data['cold_ms']:>7.1f}ms "
            f"{data['cold_ratio']:>10.3f}  {mark}"
        )
    return "\n".join(lines)
