"""The running app (Reflex prod build, single port) plus a worker and the scheduler, and
Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def live_app() -> Iterator[str]:
    """Start `python -m app.cli web`, a worker and the scheduler; yield the base URL.

    Module-scoped: its worker must not outlive these tests and take other modules' jobs.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    base = f"http://localhost:{port}"
    env = {**os.environ, "HERALD_PORT": str(port)}
    env.pop("HERALD_BASE_URL", None)  # the default (localhost on our port) must work
    python = sys.executable
    procs = [
        _spawn([python, "-m", "app.cli", "web"], env, ARTIFACTS / "web.log"),
        _spawn([python, "-m", "app.cli", "worker"], env, ARTIFACTS / "worker.log"),
        _spawn([python, "-m", "app.cli", "scheduler"], env, ARTIFACTS / "scheduler.log"),
    ]
    try:
        deadline = time.monotonic() + 600  # first build installs the frontend's npm packages
        while True:
            if procs[0].poll() is not None:
                raise RuntimeError(f"web app exited: see {ARTIFACTS / 'web.log'}")
            try:
                if httpx.get(f"{base}/login", timeout=2, follow_redirects=True).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"web app not up after 600 s: see {ARTIFACTS / 'web.log'}")
            time.sleep(1)
        yield base
    finally:
        for proc in procs:
            _stop(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }
