"""A helper process that ends under a test is reported with how it ended and its last words."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.processes import ended, spawn, stop


def test_a_running_process_has_not_ended(tmp_path: Path) -> None:
    log = tmp_path / "sleeper.log"
    proc = spawn([sys.executable, "-c", "import time; time.sleep(30)"], log)
    try:
        assert ended(proc, log) is None
    finally:
        stop(proc)


def test_an_exit_code_and_a_signal_are_told_apart_with_the_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    code = "print('last words', flush=True); raise SystemExit(3)"
    exited = spawn([sys.executable, "-c", code], log)
    exited.wait(30)
    why = ended(exited, log)
    assert why is not None and "(exit code 3)" in why and why.endswith("last words\n")

    aborted = spawn(
        [sys.executable, "-c", "import os; print('abort', flush=True); os.abort()"], log
    )
    aborted.wait(30)
    why = ended(aborted, log)
    assert why is not None and "(killed by signal 6)" in why and why.endswith("abort\n")
