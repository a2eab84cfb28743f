"""gunicorn's settings for citegrid: `gunicorn -c gunicorn.conf.py config.wsgi:application`.

Threaded workers (gthread), so that a request waiting on a stalled database holds one thread,
not a whole worker: the other threads keep answering pages from the cache, which need no
database. Requests that do need it give up on their own (settings.py: DB_CONNECT_TIMEOUT,
DB_STATEMENT_TIMEOUT_MS) and answer 503 with Retry-After. Every number can be set from the
environment; `make faultdrill` runs the site with this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
# Each thread holds its own database connection (CONN_MAX_AGE): workers × threads of them.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker whose main loop stops answering for this long is restarted; busy threads do not
# stop the main loop, so this only catches a worker that is truly stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# Connections queued beyond the threads: wrk and browsers keep theirs open.
worker_connections = 1000
