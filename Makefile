# Herald. `make run` is all a newcomer needs (Python 3.11; nothing else).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(PY) -m app.cli

.PHONY: venv run services migrate worker scheduler web test test-bluesky-real lint clean

# The venv is (re)installed only when pyproject.toml changed since the last install.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Everything: embedded PostgreSQL + Redis (unless HERALD_DATABASE_URL / HERALD_REDIS_URL are set),
# migrations, web app, workers and scheduler. Ctrl-C stops it all.
run: venv
	$(CLI) run

# Only the embedded PostgreSQL + Redis; prints the `export` lines for the targets below.
services: venv
	$(CLI) services

migrate: venv
	$(CLI) migrate

worker: venv
	$(CLI) worker

scheduler: venv
	$(CLI) scheduler

web: venv
	$(CLI) web

test:
	$(MAKE) venv
	.venv/bin/python -m tests.run

# The Bluesky provider and the engine against the official AT Protocol network (@atproto/dev-env,
# pinned in tests/realserver/atproto/). The first run installs it into ~/.cache/herald/atproto
# (HERALD_ATPROTO_CACHE): about 5 minutes; later runs reuse it.
test-bluesky-real: venv
	$(PY) -m tests.realserver.atproto
	$(PY) -m tests.run tests/realserver/test_bluesky_real.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Build output and caches; keeps the venv and ./data (your database).
clean:
	rm -rf .web .states .ruff_cache .pytest_cache test-artifacts *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
