"""Herald's components as child processes (tests and benchmarks): each in its own process
group, logging to a file, stopped with SIGTERM and then SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `argv` in the project root with os.environ (plus `env`), appending to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Stop the process and everything in its group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


def ended(proc: subprocess.Popen, log: Path) -> str | None:
    """None while `proc` runs; once it has ended, how (exit code or signal) and its log's tail,
    so that a test failing for it says why instead of "connection refused"."""
    code = proc.poll()
    if code is None:
        return None
    how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    return f"the process logging to {log} has ended ({how}); the log ends:\n{tail(log)}"


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    """Wait until `url` answers 200 (after redirects) while `proc` lives (a first web start
    may build the frontend, hence the long default)."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if why := ended(proc, log):
            raise AssertionError(why)
        try:
            if httpx.get(url, timeout=2, follow_redirects=True).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s: see {log}")
