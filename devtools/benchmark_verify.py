"""The benchmark's verification figure: verifykb's throughput over the time to fetch alone.

A child process serves N generated documentation pages from 127.0.0.1 (Python's own
`http.server`, so its work is not counted in this process's memory); a throwaway database holds
one source per page with two citations each. The floor fetches every page with the same HTTP
client and the same per-host limit of two requests at a time, reading the bodies and nothing
else; the run does everything verifykb does (robots.txt, the guard, extraction, matching, saving
each source's results). The figure is citations per second of the run over those of the floor
(goal at least 0.5). Memory per 1,000 sources is the peak Python allocation of one more run
(tracemalloc), scaled.

Loopback is allowed, and the polite delay set to zero, only inside this measurement: the pages
are our own.
"""

import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.test import override_settings

CITATIONS_PER_SOURCE = 2
FILLER = (
    "<p>Django's URL dispatcher maps paths to views; middleware wraps every request, and "
    "the template engine renders the response with the context the view gives it.</p>"
)


def _quote(n: int, k: int) -> str:
    return f"Page {n} states fact number {k}: the framework ships feature {n}-{k} out of the box."


def _write_pages(directory: Path, count: int) -> None:
    for n in range(count):
        quotes = "".join(f"<p>{_quote(n, k)}</p>" for k in range(CITATIONS_PER_SOURCE))
        body = f"<html><body><h1>Page {n}</h1>{FILLER * 40}{quotes}{FILLER * 40}</body></html>"
        (directory / f"page-{n}.html").write_text(body, encoding="utf-8")


@contextmanager
def _page_server(directory: Path):
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        port = re.search(r"port (\d+)", line)
        if port is None:
            raise RuntimeError(f"The page server did not start: {line!r}")
        yield f"http://127.0.0.1:{port.group(1)}"
    finally:
        process.terminate()
        process.wait()


def _seed(base: str, count: int) -> None:
    from knowledge.models import Category, Citation, Claim, Feature, Framework, Source

    category = Category.objects.create(name="Verification", slug="verification")
    framework = Framework.objects.create(name="Verified", slug="verified")
    features = Feature.objects.bulk_create(
        Feature(name=f"Checked {n}", slug=f"checked-{n}", category=category) for n in range(count)
    )
    claims = Claim.objects.bulk_create(
        Claim(framework=framework, feature=feature, key=f"k{k}")
        for feature in features
        for k in range(CITATIONS_PER_SOURCE)
    )
    sources = Source.objects.bulk_create(
        Source(title=f"Page {n}", url=f"{base}/page-{n}.html") for n in range(count)
    )
    Citation.objects.bulk_create(
        Citation(claim=claims[n * CITATIONS_PER_SOURCE + k], source=source, quote=_quote(n, k))
        for n, source in enumerate(sources)
        for k in range(CITATIONS_PER_SOURCE)
    )


def _fetch_floor(base: str, count: int) -> None:
    with httpx.Client() as client:

        def fetch(n):
            return len(client.get(f"{base}/page-{n}.html").content)

        with ThreadPoolExecutor(max_workers=2) as pool:
            sizes = list(pool.map(fetch, range(count)))
    if not all(sizes):
        raise RuntimeError("The page server sent an empty page during the benchmark.")


def _verify_run(count: int):
    from knowledge.verification import run

    summary = run.run(run.sources_to_check(), concurrency=2)
    if summary.counts["verified"] != count * CITATIONS_PER_SOURCE:
        raise RuntimeError(f"verifykb did not verify every benchmark quote: {summary.counts}")


def measure(databases, *, sources: int, rounds: int, log) -> dict:
    """{"ratio", "met", "measured"} of the verification figure, on a database of its own."""
    with tempfile.TemporaryDirectory(prefix="citegrid-pages-") as directory:
        _write_pages(Path(directory), sources)
        with (
            _page_server(Path(directory)) as base,
            override_settings(CITEGRID_VERIFY_ALLOW_LOOPBACK=True, CITEGRID_VERIFY_HOST_DELAY=0),
        ):
            databases.make("verify", template="template")
            _seed(base, sources)
            log(f"Measuring verification: {sources} pages, {rounds} rounds…")
            floors, runs = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                _fetch_floor(base, sources)
                floors.append(time.perf_counter() - started)
                started = time.perf_counter()
                _verify_run(sources)
                runs.append(time.perf_counter() - started)
            tracemalloc.start()
            try:
                _verify_run(sources)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    floor, verify = sorted(floors)[len(floors) // 2], sorted(runs)[len(runs) // 2]
    citations = sources * CITATIONS_PER_SOURCE
    ratio = floor / verify  # citations per second of the run over those of the floor
    return {
        "ratio": ratio,
        "met": ratio >= 0.5,
        "measured": {
            "sources": sources,
            "citations": citations,
            "verify_ms": round(verify * 1000, 1),
            "fetch_floor_ms": round(floor * 1000, 1),
            "citations_per_s": round(citations / verify, 1),
            "floor_citations_per_s": round(citations / floor, 1),
            "peak_mb_per_1000_sources": round(peak / sources * 1000 / 2**20, 1),
        },
    }
