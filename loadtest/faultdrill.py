"""`make faultdrill`: the site under load while its cache and database fail, on 127.0.0.1.

Starts a private redis-server, a TCP proxy in front of PostgreSQL (so the database can be
paused and cut off without touching the server), and gunicorn with gunicorn.conf.py (DEBUG
off); drives load with wrk (loadtest/faultdrill.lua) and injects one fault at a time, each
for FAULT_SECONDS with load before and after:

- Redis killed (then started again, empty), Redis paused (SIGSTOP), the database proxy paused
  (a stalled database), the database proxy killed (an outage), one gunicorn worker killed.

Two wrk runs share each fault: one on pages the cache holds, one whose requests carry a
messages cookie so that each skips the page cache and needs the database; during the stall a
third measures the cached pages' latency alone. Per fault it prints requests, status counts,
socket errors and the seconds until every request succeeds again, then the goals, each met or
not:

- 0 errors on public pages while Redis is killed or paused;
- cached pages answer with p99 <= 1 s while the database stalls;
- every error during a database outage is a 503;
- recovery within 2 s of the fault ending.

By hand, never in CI; bounded in time (about three minutes, killed after DRILL_DEADLINE).
Needs wrk (`apt-get install -y wrk`), redis-server, and a PostgreSQL server on 127.0.0.1 that
lets the user in FAULTDRILL_DATABASE_URL create the database named there (default
postgres://postgres@127.0.0.1:5432/citegrid_faultdrill; it is migrated and loaded with the
shipped fixtures, and never dropped). Ports: gunicorn 18170, the proxy 18171, Redis 6390.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"  # never anything else
WEB_PORT = 18170
PROXY_PORT = 18171
REDIS_PORT = 6390
FAULT_SECONDS = 10
BEFORE_SECONDS = 5
AFTER_SECONDS = 10
DRILL_DEADLINE = 600
ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CACHED_PATHS = ["/", "/matrix/", "/frameworks/", "/features/", "/sources/", "/comparisons/"]
UNCACHED_PATHS = ["/search/?q=django", "/frameworks/", "/sources/"]
GOAL_P99_SECONDS = 1.0
GOAL_RECOVERY_SECONDS = 2


# -- the TCP proxy (run as its own process, so it can be paused and killed) -----------------


async def _pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _proxy(listen_port, target_host, target_port):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            _pipe(client_reader, server_writer), _pipe(server_reader, client_writer)
        )

    server = await asyncio.start_server(handle, HOST, listen_port)
    async with server:
        await server.serve_forever()


# -- processes -------------------------------------------------------------------------------


class Drill:
    def __init__(self, database_url):
        self.database_url = database_url
        self.work = Path(os.environ.get("TMPDIR", "/tmp")) / f"citegrid-faultdrill-{os.getpid()}"
        self.work.mkdir(parents=True, exist_ok=True)
        self.redis = self.proxy = self.gunicorn = None
        target = urlsplit(database_url)
        self.target = (target.hostname or HOST, target.port or 5432)
        proxied = target._replace(netloc=f"{target.username or 'postgres'}@{HOST}:{PROXY_PORT}")
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "faultdrill-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": urlunsplit(proxied),
            "REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0",
            "CACHE_KEY_PREFIX": "citegrid-faultdrill",
            "GUNICORN_BIND": f"{HOST}:{WEB_PORT}",
            "LOG_LEVEL": "WARNING",
        }
        self.log = open(self.work / "gunicorn.log", "wb")  # noqa: SIM115 - open for the run

    def start_redis(self):
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", HOST, "--save", ""]
            + ["--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(REDIS_PORT)

    def start_proxy(self):
        self.proxy = subprocess.Popen(
            [sys.executable, __file__, "--proxy", str(PROXY_PORT), *map(str, self.target)]
        )
        _wait_for_port(PROXY_PORT)

    def start_gunicorn(self):
        self.gunicorn = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"]
            + ["config.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _status("/") == 200:
                return
            time.sleep(0.2)
        raise SystemExit("faultdrill: gunicorn did not answer on / within 30 s")

    def manage(self, *args):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def workers(self):
        path = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self):
        for process in (self.gunicorn, self.proxy, self.redis):
            if process is not None and process.poll() is None:
                try:
                    os.kill(process.pid, signal.SIGCONT)
                except ProcessLookupError:
                    continue
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.log.close()


def _wait_for_port(port, seconds=10):
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"faultdrill: nothing listens on {HOST}:{port}")


def _status(path):
    try:
        with urllib.request.urlopen(f"http://{HOST}:{WEB_PORT}{path}", timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _ensure_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"faultdrill: database name {name!r} is not a plain identifier")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


# -- load and measurement ----------------------------------------------------------------------


def _wrk(paths, *, connections, seconds, unique=False):
    env = {
        **os.environ,
        "FAULTDRILL_PATHS": ",".join(paths),
        "FAULTDRILL_UNIQUE": "1" if unique else "0",
    }
    threads = min(connections, 2)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "2s", "-s", str(ROOT / "loadtest" / "faultdrill.lua")]
    command += [f"http://{HOST}:{WEB_PORT}/"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _parse(output):
    result = {"requests": 0, "p99": 0.0, "errors": Counter(), "buckets": Counter()}
    for line in output.splitlines():
        words = line.split()
        if words[:2] == ["summary", "requests"]:
            result["requests"] = int(words[2])
            result["p99"] = int(words[4]) / 1e6
        elif words[:1] == ["errors"]:
            result["errors"] = Counter(dict(zip(words[1::2], map(int, words[2::2]), strict=True)))
        elif words[:1] == ["bucket"]:
            result["buckets"][int(words[1]), int(words[2])] += int(words[3])
    return result


def _recovery(runs, started, healed, ended):
    """Seconds from the fault's end to the start of the last second with a failed request or
    no answer at all (whole seconds, as wrk's clock gives them)."""
    last_bad = None
    for second in range(int(started), int(ended) - 1):
        for run in runs:
            statuses = {s: n for (t, s), n in run["buckets"].items() if t == second}
            if not statuses or any(status != 200 for status in statuses):
                last_bad = second
    if last_bad is None:
        return 0
    return max(0, last_bad + 1 - int(healed))


def run_fault(drill, name, inject, heal, *, stall=False, instant=False):
    started = time.time()
    seconds = BEFORE_SECONDS + FAULT_SECONDS + AFTER_SECONDS
    cached = _wrk(CACHED_PATHS, connections=12, seconds=seconds)
    uncached = _wrk(UNCACHED_PATHS, connections=2, seconds=seconds, unique=True)
    time.sleep(BEFORE_SECONDS)
    fault_at = time.time()
    inject()
    during = _wrk(CACHED_PATHS, connections=8, seconds=FAULT_SECONDS) if stall else None
    time.sleep(FAULT_SECONDS)
    heal()
    # An instant fault (a killed worker) ends when it is made: recovery counts from then.
    healed = fault_at if instant else time.time()
    runs = {"cached": _parse(cached.communicate(timeout=120)[0])}
    runs["uncached"] = _parse(uncached.communicate(timeout=120)[0])
    if during is not None:
        runs["cached, during"] = _parse(during.communicate(timeout=120)[0])
    ended = time.time()
    # Judge the time around the fault: from its start to the end of the load.
    window = [r for key, r in runs.items() if key != "cached, during"]
    return {
        "fault": name,
        "runs": runs,
        "fault_at": fault_at,
        "recovery": _recovery(window, fault_at, healed, ended),
        "started": started,
    }


def _statuses(run, since=None):
    counts = Counter()
    for (second, status), n in run["buckets"].items():
        if since is None or second >= int(since):
            counts[status] += n
    return counts


def _errors(run):
    return sum(run["errors"].values()) + sum(n for s, n in _statuses(run).items() if s != 200)


def report(results, log_path):
    print()
    print(f"{'fault':<26} {'load':<15} {'requests':>8}  statuses{'':<22} socket errors  recovery")
    print("-" * 100)
    for result in results:
        for key, run in result["runs"].items():
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(_statuses(run).items()))
            errors = ", ".join(f"{k} {v}" for k, v in run["errors"].items() if v) or "none"
            recovery = f"{result['recovery']} s" if key == "cached" else ""
            print(
                f"{result['fault']:<26} {key:<15} {run['requests']:>8}  {statuses:<30} "
                f"{errors:<14} {recovery}"
            )
    by_name = {result["fault"]: result for result in results}
    goals = []
    for name in ("Redis killed", "Redis paused"):
        errors = sum(_errors(run) for run in by_name[name]["runs"].values())
        goals.append((f"0 errors on public pages: {name}", errors == 0, f"{errors} errors"))
    during = by_name["database stalled"]["runs"]["cached, during"]
    goals.append(
        (
            f"cached pages p99 <= {GOAL_P99_SECONDS:g} s while the database stalls",
            during["p99"] <= GOAL_P99_SECONDS and _errors(during) == 0,
            f"p99 {during['p99']:.3f} s, {_errors(during)} errors",
        )
    )
    outage = by_name["database down"]["runs"]
    bad = sum(
        n for run in outage.values() for s, n in _statuses(run).items() if s not in (200, 503)
    )
    sockets = sum(sum(run["errors"].values()) for run in outage.values())
    goals.append(
        (
            "every error during a database outage is a 503",
            bad == 0 and sockets == 0,
            f"{bad} other statuses, {sockets} socket errors",
        )
    )
    slowest = max(result["recovery"] for result in results)
    goals.append(
        (
            f"recovery within {GOAL_RECOVERY_SECONDS} s of each fault's end",
            slowest <= GOAL_RECOVERY_SECONDS,
            "; ".join(f"{r['fault']} {r['recovery']} s" for r in results),
        )
    )
    log = log_path.read_text(errors="replace")
    print()
    print(f"{'goal':<58} result   measured")
    print("-" * 100)
    for goal, met, measured in goals:
        print(f"{goal:<58} {'met' if met else 'NOT MET':<8} {measured}")
    print(
        f"\ngunicorn's log: {len(log.splitlines())} lines, {log.count('Traceback')} tracebacks "
        f"({log_path})"
    )
    summary = {
        "goals": {goal: met for goal, met, _ in goals},
        "recovery_s": {r["fault"]: r["recovery"] for r in results},
    }
    print(json.dumps(summary))
    return all(met for _, met, _ in goals)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--proxy", nargs=3, metavar=("LISTEN", "HOST", "PORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.proxy:
        listen, target_host, target_port = args.proxy
        asyncio.run(_proxy(int(listen), target_host, int(target_port)))
        return 0
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            hint = "  apt-get install -y wrk" if tool == "wrk" else ""
            raise SystemExit(f"faultdrill: {tool} is not installed.{hint}")
    url = os.environ.get(
        "FAULTDRILL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/citegrid_faultdrill"
    )
    if urlsplit(url).hostname not in (HOST, "localhost"):
        raise SystemExit(f"faultdrill: refusing a database not on {HOST}")
    signal.signal(
        signal.SIGALRM, lambda *a: (_ for _ in ()).throw(SystemExit("faultdrill: deadline"))
    )
    signal.alarm(DRILL_DEADLINE)
    _ensure_database(url)
    drill = Drill(url)
    try:
        drill.start_redis()
        drill.start_proxy()
        print("== migrate, loadkb, collectstatic (through the proxy)", flush=True)
        drill.manage("migrate", "--noinput", "-v0")
        fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
        if fixtures:
            drill.manage("loadkb", *fixtures, "-v0")
        drill.manage("collectstatic", "--noinput", "-v0")
        drill.start_gunicorn()
        # Every worker and thread renders each page once (templates, URL resolvers and
        # connections warm), then the pages are cached for the drill.
        _wrk(CACHED_PATHS, connections=12, seconds=BEFORE_SECONDS, unique=True).communicate()
        for path in CACHED_PATHS * 2:
            _status(path)
        results = []

        def fault(name, inject, heal, **options):
            print(f"== {name} for {FAULT_SECONDS} s under load", flush=True)
            results.append(run_fault(drill, name, inject, heal, **options))
            deadline = time.monotonic() + 30
            while _status("/") != 200 and time.monotonic() < deadline:
                time.sleep(0.2)

        def kill_redis():
            drill.redis.kill()
            drill.redis.wait()

        fault("Redis killed", kill_redis, drill.start_redis)
        fault(
            "Redis paused",
            lambda: os.kill(drill.redis.pid, signal.SIGSTOP),
            lambda: os.kill(drill.redis.pid, signal.SIGCONT),
        )
        fault(
            "database stalled",
            lambda: os.kill(drill.proxy.pid, signal.SIGSTOP),
            lambda: os.kill(drill.proxy.pid, signal.SIGCONT),
            stall=True,
        )

        def kill_proxy():
            drill.proxy.kill()
            drill.proxy.wait()

        fault("database down", kill_proxy, drill.start_proxy)
        fault(
            "one worker killed",
            lambda: os.kill(drill.workers()[0], signal.SIGKILL),
            lambda: None,
            instant=True,
        )
        ok = report(results, drill.work / "gunicorn.log")
    finally:
        drill.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
