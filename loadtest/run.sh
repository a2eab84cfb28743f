#!/usr/bin/env bash
# `make loadtest`: 60 s at 50 connections against gunicorn (4 workers) on 127.0.0.1, with
# PostgreSQL and Redis on 127.0.0.1, seeded with the shipped fixtures plus 20 × 300 synthetic;
# then the benchmark's herd, churn and crawler figures over 60 s each.
#
# Needs: wrk (Debian: `apt-get install wrk`), a PostgreSQL server on 127.0.0.1:5432 that lets
# LOADTEST_PGUSER create databases, and Redis on 127.0.0.1:6379. It only ever targets
# 127.0.0.1: the host is not configurable. It drops and recreates the database
# `citegrid_load` (never any other), and uses Redis database LOADTEST_REDIS_DB under its own key
# prefix. By hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=127.0.0.1
if [[ -n "${LOADTEST_HOST:-}" && "${LOADTEST_HOST}" != "$HOST" ]]; then
    echo "loadtest: refusing to target ${LOADTEST_HOST}; this load test only ever runs against $HOST." >&2
    exit 2
fi
PORT=${LOADTEST_PORT:-8087}
DURATION=${LOADTEST_DURATION:-60s}
CONNECTIONS=${LOADTEST_CONNECTIONS:-50}
PGUSER_=${LOADTEST_PGUSER:-postgres}
REDIS_DB=${LOADTEST_REDIS_DB:-15}
DB=citegrid_load
PY=.venv/bin/python

if ! command -v wrk >/dev/null 2>&1; then
    echo "loadtest: wrk is not installed. Install it with:  apt-get install wrk" >&2
    exit 2
fi
if ! [[ "$PORT" =~ ^[0-9]+$ ]]; then
    echo "loadtest: LOADTEST_PORT must be a number." >&2
    exit 2
fi
if curl -s -o /dev/null "http://$HOST:$PORT/" 2>/dev/null; then
    echo "loadtest: something already listens on $HOST:$PORT; set LOADTEST_PORT." >&2
    exit 2
fi

export DEBUG=0
export SECRET_KEY="loadtest-$(date +%s)-$RANDOM$RANDOM"
export ALLOWED_HOSTS=$HOST
export SECURE_SSL_REDIRECT=0
export DATABASE_URL="postgres://$PGUSER_@$HOST:5432/$DB"
export REDIS_URL="redis://$HOST:6379/$REDIS_DB"
export CACHE_KEY_PREFIX=citegrid-load
export LOG_LEVEL=ERROR
# Every request comes from 127.0.0.1: the cold pass alone renders ~280 pages for that one
# address, which the per-address limit on fresh renders would refuse.
export PAGE_RENDER_LIMIT=0

echo "== database $DB on $HOST (recreated), Redis db $REDIS_DB"
dropdb -h "$HOST" -U "$PGUSER_" --if-exists "$DB"
createdb -h "$HOST" -U "$PGUSER_" "$DB"
$PY manage.py migrate --noinput -v0
shopt -s nullglob
fixtures=(fixtures/*.json)
if ((${#fixtures[@]})); then
    $PY manage.py loadkb "${fixtures[@]}" -v0
fi
# --force: the shipped fixtures are real content, kept beside the synthetic rows.
# seed_synthetic is a development tool, installed under production settings only on request.
CITEGRID_DEVTOOLS=1 $PY manage.py seed_synthetic --frameworks 20 --features 300 --force
$PY manage.py collectstatic --noinput -v0

WORK=$(mktemp -d)
trap 'if [[ -n "${GUNICORN_PID:-}" ]]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
$PY loadtest/urls.py >"$WORK/urls.txt"
echo "== $(wc -l <"$WORK/urls.txt") URLs in the mix"

echo "== gunicorn, 4 workers, on $HOST:$PORT"
.venv/bin/gunicorn config.wsgi --workers 4 --bind "$HOST:$PORT" --log-level warning \
    --access-logfile - --access-logformat '%(s)s %(U)s' >"$WORK/access.log" 2>"$WORK/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 1 50); do
    if curl -s -o /dev/null "http://$HOST:$PORT/"; then break; fi
    sleep 0.2
done
curl -sf -o /dev/null "http://$HOST:$PORT/" || { cat "$WORK/gunicorn.log" >&2; exit 1; }

# Every distinct URL once first (4 at a time, one per worker): the cold renders, reported on
# their own; the timed run then measures the site as visitors meet it between edits.
echo "== warm-up: each distinct URL once, cold"
sort -u "$WORK/urls.txt" >"$WORK/distinct.txt"
started=$EPOCHREALTIME
xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code} %{time_total} {}\n' "http://$HOST:$PORT{}" \
    <"$WORK/distinct.txt" >"$WORK/warmup.txt"
elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
awk -v elapsed="$elapsed" '
    { n++; total += $2; if ($2 > max) { max = $2; slowest = $3 } if ($1 != 200) bad++ }
    END { printf "%d URLs in %.1f s; per URL mean %.0f ms, max %.0f ms (%s); non-200: %d\n",
          n, elapsed, 1000 * total / n, 1000 * max, slowest, bad }' "$WORK/warmup.txt"
if awk '$1 != 200 { bad = 1 } END { exit !bad }' "$WORK/warmup.txt"; then
    echo "loadtest: FAILED, non-200 answers during the warm-up:" >&2
    awk '$1 != 200' "$WORK/warmup.txt" | head -20 >&2
    exit 1
fi

echo "== wrk: $DURATION, $CONNECTIONS connections"
wrk --threads 2 --connections "$CONNECTIONS" --duration "$DURATION" --timeout 10s --latency \
    --script loadtest/mix.lua "http://$HOST:$PORT" -- "$WORK/urls.txt" | tee "$WORK/wrk.txt"

echo "== answers by status"
awk '{print $1}' "$WORK/access.log" | sort | uniq -c
if grep -q "^errors *0 " "$WORK/wrk.txt" && ! awk '$1 != 200 { bad = 1 } END { exit !bad }' "$WORK/access.log"; then
    echo "loadtest: the mix passed, zero errors."
else
    echo "loadtest: FAILED, see the errors above. Non-200 answers:" >&2
    awk '$1 != 200' "$WORK/access.log" | sort | uniq -c | sort -rn | head -20 >&2
    exit 1
fi
kill "$GUNICORN_PID" && wait "$GUNICORN_PID" 2>/dev/null || true
GUNICORN_PID=

# The benchmark's own herd, churn and crawler figures (devtools/benchmark_http.py), 60 s of
# load each, on throwaway copies of $DB (citegrid_load_bm<pid>_*, dropped after) and a key
# prefix of their own; with the site's own limit on fresh renders, which the mix above turns off.
echo "== herd, churn and crawler: manage.py benchmark --only herd,churn,crawler --load-seconds 60"
env -u PAGE_RENDER_LIMIT CITEGRID_DEVTOOLS=1 $PY manage.py benchmark \
    --only herd,churn,crawler --load-seconds 60 | tee "$WORK/figures.txt"
if tail -n 1 "$WORK/figures.txt" | $PY -c 'import json, sys; sys.exit(not json.load(sys.stdin)["all_met"])'; then
    echo "loadtest: passed, every goal met."
else
    echo "loadtest: FAILED, a goal above is not met." >&2
    exit 1
fi
