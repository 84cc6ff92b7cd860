"""`make test`: install what the tests need that pip cannot (Chromium), lint (ruff, hadolint),
type-check (mypy, configured in pyproject.toml; incremental in .mypy_cache), then pytest (the
whole suite on two workers).

Exit status is pytest's (or the linter's when it fails first).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def ensure_chromium() -> None:
    if Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") is None:
        sys.exit("Chromium is missing and apt-get is not available: install /usr/bin/chromium")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)


def main() -> int:
    ensure_chromium()
    lints = [[str(BIN / "ruff"), "check", "."], [str(BIN / "ruff"), "format", "--check", "."]]
    lints.append([str(BIN / "mypy")])
    lints.append([str(BIN / "hadolint"), "Dockerfile"])
    for lint in lints:
        result = subprocess.run(lint, cwd=ROOT)
        if result.returncode:
            return result.returncode
    env = {
        **os.environ,
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # The whole suite runs on two pytest-xdist workers (a module's tests, and all that run the
    # web app, stay on one worker: see tests/conftest.py); named tests run in this process.
    args = sys.argv[1:] or ["tests", "-n", "2"]
    return subprocess.run([str(BIN / "pytest"), *args], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
