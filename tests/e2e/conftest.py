"""The running app (Reflex prod build, single port) plus a worker and the scheduler, and
Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from simulator import SimServer, Simulator
from tests.support.fake_openai import FakeOpenAI
from tests.support.processes import ended, free_port, spawn, stop, wait_http

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Assertions wait for the UI this long: generous, because CI shares 2 cores with the app, a
# worker pool, the scheduler and the browser.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    """The platform simulator, which the app uses as X (sandbox app credentials). Its controls
    need the sandbox secret, as under `make run` (the app derives the same one from the run's
    secret key)."""
    from app.config import settings

    with SimServer(Simulator(seed=11), secret=settings.resolved_sandbox_secret) as server:
        yield server


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible server over HTTP, for the composer's AI captions (configured the
    way an instance admin does it, under Settings → Instance)."""
    with FakeOpenAI() as server:
        yield server


_LIVE: list[tuple[subprocess.Popen, Path]] = []  # live_app's processes and their logs


@pytest.fixture(scope="module")
def live_app(sim: SimServer) -> Iterator[str]:
    """Start `python -m app.cli web`, a worker and the scheduler; yield the base URL.

    Module-scoped: its worker must not outlive these tests and take other modules' jobs.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    base = f"http://localhost:{port}"
    env = {
        **os.environ,
        "HERALD_PORT": str(port),
        "HERALD_X_CLIENT_ID": "herald-sandbox",
        "HERALD_X_CLIENT_SECRET": "herald-sandbox-secret",
        "HERALD_X_API_BASE": sim.url_for("x"),
        "HERALD_X_AUTH_BASE": sim.url_for("x"),
        "HERALD_BLUESKY_API_BASE": sim.url_for("bluesky"),
        "HERALD_SANDBOX": "1",
        "HERALD_SANDBOX_URL": sim.url,
    }
    env.pop("HERALD_BASE_URL", None)  # the default (localhost on our port) must work
    logs = [ARTIFACTS / f"{name}.log" for name in ("web", "worker", "scheduler")]
    _LIVE[:] = [(spawn([sys.executable, "-m", "app.cli", log.stem], log, env), log) for log in logs]
    try:
        # The first build installs the frontend's npm packages (wait_http's long default).
        wait_http(f"{base}/login", *_LIVE[0])
        yield base
    finally:
        for proc, _ in _LIVE:
            stop(proc)
        _LIVE.clear()


@pytest.fixture(autouse=True)
def live_app_alive(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test using live_app starts and ends with its processes up; if one has ended, the test
    says which and why (its log's tail) rather than failing on a refused connection."""

    def check() -> None:
        for proc, log in _LIVE if "live_app" in request.fixturenames else []:
            if why := ended(proc, log):
                pytest.fail(why, pytrace=False)

    check()
    yield
    check()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """The `page` fixture's browser writes 24-hour times (en-GB): sign-up proposes the
    browser's clock, and the suite's assertions read 14:30. A test wanting the 12-hour clock
    opens its own context with locale="en-US" (tests/e2e/test_time_zone.py)."""
    return {**browser_context_args, "locale": "en-GB"}
