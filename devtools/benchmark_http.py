"""The benchmark's figures over real HTTP, against gunicorn as it runs in production.

gunicorn is started with gunicorn.conf.py (threaded workers) and production settings (DEBUG
off; devtools/benchmark_settings.py adds only the hello view and plain-HTTP cookies), on
127.0.0.1, on a throwaway database and a cache key prefix of its own. With a local-memory
cache (no `REDIS_URL`) it runs one worker, since such a cache is per process: several workers
would each keep their own content version, and an edit would retire the pages of one. Every
request asks for gzip, as browsers do. Load comes from wrk when it is installed (its own CPU
cost is small beside the server's, on the same cores); else from httpx threads, whose cost
narrows the ratios, and the output says which.

- warm: requests/s of the default matrix page answered from the cache, over those of the
  hello view through the same stack (goal at least 0.8); interleaved rounds, medians.
- herd: 16 simultaneous first visitors of the default matrix page of a fresh server with
  100 × 3,000 stored (0 errors, p99 at most 2 s, peak RSS of each worker at most 250 MB:
  VmHWM of /proc/<pid>/status).
- churn: requests/s of the warm matrix while a curator saves a claim of the page once a
  second through the admin's change form (the save a curator makes: the admin, its form and
  the invalidation as in production), over the same without edits (goal at least 0.7).
- crawler: p50 latency of ordinary visitors (warm pages) while a crawler asks for unique junk
  query strings from an address of its own, up to 80 a second, over their p50 without it
  (goal at most 2×).
- browser: devtools/benchmark_browser.py's load-event ratio in Chromium, when both exist.

`make loadtest` runs herd, churn and crawler over 60 s each through `benchmark --only`.
"""

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

from . import benchmark_browser
from .benchmark_curator import Curator
from .figures import Figure, skipped
from .urls import HELLO_PATH

HOST = "127.0.0.1"
MATRIX = "/matrix/"
LUA = Path(__file__).resolve().parent / "benchmark_load.lua"
HERD_VISITORS = 16
CONNECTIONS = 8  # the load's concurrent keep-alive connections
HEADERS = {"Accept-Encoding": "gzip"}
# The crawler: up to 80 requests/s, each for a URL never asked before. Paced, as a crawler is:
# a flood of any requests, cheap or not, would measure only that two cores can be saturated.
CRAWLER_CONNECTIONS = 4
CRAWLER_PAUSE_MS = 50


# -- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on a free port of 127.0.0.1, on the database `database_url`."""

    def __init__(self, *, database_url: str, cache_prefix: str, log_path: Path):
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.shared_cache = bool(settings.REDIS_URL)
        self.workers = int(os.environ.get("WEB_CONCURRENCY", "4")) if self.shared_cache else 1
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "devtools.benchmark_settings",
            "DEBUG": "0",
            "CITEGRID_DEVTOOLS": "1",
            "SECRET_KEY": "benchmark-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "CACHE_KEY_PREFIX": cache_prefix,
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "LOG_LEVEL": "ERROR",
            # Each simulated client has its own address (X-Forwarded-For), as behind a proxy,
            # so the limit on fresh renders per address works as in production.
            "TRUSTED_PROXY_COUNT": "1",
        }
        if self.shared_cache:
            env["REDIS_URL"] = settings.REDIS_URL
        self.log = open(log_path, "ab")  # noqa: SIM115 - open while the server runs
        command = [str(Path(settings.BASE_DIR) / ".venv" / "bin" / "gunicorn")]
        if not Path(command[0]).exists():
            command = [shutil.which("gunicorn") or "gunicorn"]
        self.process = subprocess.Popen(
            [*command, "-c", "gunicorn.conf.py", "config.wsgi:application"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + HELLO_PATH, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {self.base} (see {log_path}).")

    def describe(self) -> str:
        cache = "shared cache" if self.shared_cache else "local-memory cache: one process"
        return f"gunicorn, {self.workers} worker(s) × gthread ({cache})"

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(round(int(line.split()[1]) / 1024, 1))
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def canonical(self, path: str) -> str:
        """`path` as the site spells it (a filter URL may be redirected to its canonical
        order); the load must measure pages, not redirects."""
        answer = httpx.get(self.base + path, headers=HEADERS, timeout=60)
        if answer.status_code in (301, 302) and answer.headers["location"].startswith("/"):
            path = answer.headers["location"]
            answer = httpx.get(self.base + path, headers=HEADERS, timeout=60)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code} before the load.")
        return path


# -- load --------------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def client_name() -> str:
    return "wrk" if shutil.which("wrk") else "httpx threads (wrk not installed)"


def load(
    base, paths, *, seconds, connections=CONNECTIONS, junk=False, address="", pause_ms=0
) -> Load:
    """`connections` keep-alive connections asking for `paths` in turn for `seconds`, each
    waiting `pause_ms` between requests; with `junk`, each request adds a query parameter
    never seen before."""
    if shutil.which("wrk"):
        return _wrk(base, paths, seconds, connections, junk, address, pause_ms)
    return _httpx(base, paths, seconds, connections, junk, address, pause_ms)


def _wrk(base, paths, seconds, connections, junk, address, pause_ms) -> Load:
    env = {
        **os.environ,
        "BENCH_PATHS": ",".join(paths),
        "BENCH_JUNK": "1" if junk else "0",
        "BENCH_ADDRESS": address,
        "BENCH_DELAY_MS": str(pause_ms),
    }
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections)]
    command += ["-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(LUA), base]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    requests, duration_us, errors, p50, p99 = map(int, line.split()[1:])
    return Load(requests, duration_us / 1e6, errors, p50 / 1000, p99 / 1000)


def _httpx(base, paths, seconds, connections, junk, address, pause_ms) -> Load:
    latencies, errors = [], [0]
    lock = threading.Lock()
    headers = {**HEADERS, **({"X-Forwarded-For": address} if address else {})}
    started = time.perf_counter()
    deadline = started + seconds

    def visitor(number):
        mine, failed, count = [], 0, 0
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            while time.perf_counter() < deadline:
                count += 1
                path = paths[count % len(paths)]
                if junk:
                    path += ("&" if "?" in path else "?") + f"utm_junk={number}-{count}"
                t0 = time.perf_counter()
                try:
                    with client.stream("GET", path) as answer:
                        for _ in answer.iter_raw():
                            pass
                        failed += answer.status_code >= 400
                except httpx.HTTPError:
                    failed += 1
                mine.append(time.perf_counter() - t0)
                time.sleep(pause_ms / 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Load(len(latencies), elapsed, errors[0], statistics.median(latencies) * 1000, p99 * 1000)


def _interleaved(rounds, phases: dict, measure) -> dict[str, list]:
    """{phase: [measure(phase) per round]}, the phases' order alternating round by round."""
    samples = {name: [] for name in phases}
    names = list(phases)
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            samples[name].append(measure(phases[name]))
    return samples


def _medians(samples: dict[str, list[Load]], attribute: str) -> list[float]:
    """The median of `attribute` in each phase, in the phases' order."""
    return [statistics.median(getattr(s, attribute) for s in runs) for runs in samples.values()]


def _errors(samples: dict[str, list[Load]]) -> int:
    return sum(s.errors for runs in samples.values() for s in runs)


# -- the figures ----------------------------------------------------------------------------


def warm(server: Server, *, rounds: int, seconds: float) -> Figure:
    matrix = server.canonical(MATRIX)
    load(server.base, [matrix, HELLO_PATH], seconds=1)  # every worker and thread warm
    samples = _interleaved(
        rounds,
        {"matrix": [matrix], "hello": [HELLO_PATH]},
        lambda paths: load(server.base, paths, seconds=seconds),
    )
    matrix_rps, hello_rps = _medians(samples, "rps")
    ratio = matrix_rps / hello_rps
    errors = _errors(samples)
    return Figure(
        "warm",
        ratio,
        "warm matrix rps / hello rps, HTTP+gzip >= 0.8",
        ratio >= 0.8 and errors == 0,
        {
            "matrix_rps": round(matrix_rps, 1),
            "hello_rps": round(hello_rps, 1),
            "errors": errors,
            "rounds": rounds,
            "seconds_each": seconds,
            "connections": CONNECTIONS,
        },
    )


def herd(server: Server) -> Figure:
    """HERD_VISITORS first visitors at once; every worker has answered a request before."""
    load(server.base, [HELLO_PATH], seconds=1)
    barrier = threading.Barrier(HERD_VISITORS)
    answers = [None] * HERD_VISITORS

    def visitor(number):
        headers = {**HEADERS, "X-Forwarded-For": f"10.16.0.{number + 1}"}
        with httpx.Client(base_url=server.base, headers=headers, timeout=60) as client:
            barrier.wait()
            started = time.perf_counter()
            try:
                status = client.get(MATRIX).status_code
            except httpx.HTTPError as error:
                status = type(error).__name__
            answers[number] = (status, time.perf_counter() - started)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(HERD_VISITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(seconds for _, seconds in answers)
    p99 = times[-1]  # of 16 answers, the 99th percentile is the slowest
    errors = sum(1 for status, _ in answers if status != 200)
    peaks = server.peak_rss_mb()
    met = errors == 0 and p99 <= 2 and max(peaks) <= 250
    return Figure(
        "herd",
        p99,
        "16 cold visitors: 0 errors, p99 <= 2 s, RSS <= 250 MB",
        met,
        {
            "errors": errors,
            "statuses": sorted({str(status) for status, _ in answers}),
            "p50_s": round(statistics.median(times), 3),
            "p99_s": round(p99, 3),
            "peak_rss_mb_per_worker": peaks,
        },
    )


def churn(server: Server, curator: Curator, *, rounds: int, seconds: float) -> Figure:
    matrix = server.canonical(MATRIX)
    load(server.base, [matrix], seconds=1)
    stop = threading.Event()
    failures = []

    def edits():
        while not stop.wait(1.0):
            try:
                curator.save()
            except Exception as error:  # noqa: BLE001 - reported as the figure's failure
                failures.append(repr(error))
                return

    def measure(with_edits):
        if not with_edits:
            return load(server.base, [matrix], seconds=seconds)
        stop.clear()
        editor = threading.Thread(target=edits)
        editor.start()
        try:
            return load(server.base, [matrix], seconds=seconds)
        finally:
            stop.set()
            editor.join()

    saves_before = curator.saves
    samples = _interleaved(rounds, {"quiet": False, "edits": True}, measure)
    # The edits reached the page (invalidation as in production): the last one shows, once
    # the render that a stale answer stands in for has landed.
    shown = False
    for _ in range(20):
        if (
            curator.last_value
            and curator.last_value in httpx.get(server.base + matrix, timeout=60).text
        ):
            shown = True
            break
        time.sleep(0.25)
    quiet, edited = _medians(samples, "rps")
    quiet_p99, edits_p99 = _medians(samples, "p99_ms")
    ratio = edited / quiet
    errors = _errors(samples)
    return Figure(
        "churn",
        ratio,
        "rps with 1 claim edit/s / rps without >= 0.7",
        ratio >= 0.7 and errors == 0 and not failures and shown,
        {
            "quiet_rps": round(quiet, 1),
            "edits_rps": round(edited, 1),
            "edits_p99_ms": round(edits_p99, 1),
            "quiet_p99_ms": round(quiet_p99, 1),
            "edits": curator.saves - saves_before,
            "page_shows_last_edit": shown,
            "errors": errors,
            "edit_failures": failures[:1],
            "rounds": rounds,
            "seconds_each": seconds,
        },
    )


def crawler(server: Server, visitor_paths: list[str], *, rounds: int, seconds: float) -> Figure:
    paths = [server.canonical(path) for path in visitor_paths]
    load(server.base, paths, seconds=1)
    crawler_load = []

    def measure(crawled):
        if not crawled:
            return load(server.base, paths, seconds=seconds, connections=4, address="10.1.0.1")
        thread = threading.Thread(
            target=lambda: crawler_load.append(
                load(
                    server.base,
                    paths,
                    seconds=seconds,
                    connections=CRAWLER_CONNECTIONS,
                    junk=True,
                    address="10.66.0.1",
                    pause_ms=CRAWLER_PAUSE_MS,
                )
            )
        )
        thread.start()
        try:
            return load(server.base, paths, seconds=seconds, connections=4, address="10.1.0.1")
        finally:
            thread.join()

    samples = _interleaved(rounds, {"alone": False, "crawled": True}, measure)
    alone, crawled = _medians(samples, "p50_ms")
    ratio = crawled / alone
    errors = _errors(samples)
    return Figure(
        "crawler",
        ratio,
        "visitors' p50 with a junk crawler / without <= 2",
        ratio <= 2 and errors == 0,
        {
            "alone_p50_ms": round(alone, 2),
            "crawled_p50_ms": round(crawled, 2),
            "crawler_rps": round(statistics.median(s.rps for s in crawler_load), 1),
            "visitor_errors": errors,
            "rounds": rounds,
            "seconds_each": seconds,
        },
    )


BROWSER_GOAL = "load <= 2x bare table, DOM <= 3x, toggle < 50 ms"


def browser(server: Server, *, rounds: int) -> Figure:
    reason = benchmark_browser.skip_reason()
    if reason is not None:
        return skipped("browser", BROWSER_GOAL, reason)
    # In a thread of its own: Playwright's sync API refuses to run in a thread whose asyncio
    # loop is running (a caller's, or pytest-playwright's once browser tests have run).
    with ThreadPoolExecutor(max_workers=1) as executor:
        measured = executor.submit(
            benchmark_browser.measure, server.base, matrix_path=MATRIX, rounds=rounds
        ).result()
    met = measured["load_ratio"] <= 2 and measured["dom_ratio"] <= 3 and measured["toggle_ms"] < 50
    return Figure(
        "browser", measured["load_ratio"], BROWSER_GOAL, met, json.loads(json.dumps(measured))
    )
