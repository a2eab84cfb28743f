# The two commands of the README. Both need only Python 3.11+ on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Local development: DEBUG on gives SQLite, a local-memory cache and a development key unless
# DATABASE_URL / REDIS_URL / SECRET_KEY say otherwise.
DEV_ENV := DEBUG=1
FIXTURES := $(sort $(wildcard fixtures/*.json))

.PHONY: run test lint pytest venv loadtest faultdrill

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "citegrid needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
ifneq ($(FIXTURES),)
	$(DEV_ENV) $(BIN)/python manage.py loadkb $(FIXTURES)
endif
	$(DEV_ENV) $(BIN)/python manage.py setup_roles
	@echo ""
	@echo "citegrid is starting on http://127.0.0.1:8000/"
	@echo "To get into the admin (http://127.0.0.1:8000/admin/), create a user in another terminal:"
	@echo "    DEBUG=1 $(BIN)/python manage.py createsuperuser"
	@echo ""
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: $(STAMP)
	$(DEV_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

# By hand, never in CI: 60 s at 50 connections against gunicorn on 127.0.0.1, then the
# benchmark's herd, churn and crawler figures over 60 s each (needs wrk:
# `apt-get install wrk`; PostgreSQL and Redis on 127.0.0.1). See loadtest/run.sh.
loadtest: $(STAMP)
	bash loadtest/run.sh

# By hand, never in CI: Redis and PostgreSQL made to fail under load on 127.0.0.1, about three
# minutes (needs wrk: `apt-get install -y wrk`, and redis-server). See loadtest/faultdrill.py.
faultdrill: $(STAMP)
	$(BIN)/python loadtest/faultdrill.py
