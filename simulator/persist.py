"""The simulator's state on disk, so the sandbox of `make run` survives a restart.

One generic mechanism for every platform: a platform's state is whatever its `reset()` builds
(apps, accounts, tokens, posts, media, counters; `PlatformSim.state_attrs()`), plus the
simulator's post log, knobs and the platforms' instance settings. Injected faults and rate
windows are not kept (test controls; a restart clears them).

The snapshot is one JSON file (`<dir>/state.json`, mode 0600: it holds tokens) with a format
number, written atomically (temp file, fsync, rename) at most twice a second after requests
changed something, and once more at shutdown. Dataclasses are stored by class and field name;
objects referenced twice stay one object. A file of another format, or whose classes no longer
have the same fields, is not loaded: the simulator starts empty with a new state id and says
why (`Simulator.state()`), so Herald can tell its sandbox accounts belong to a state that is gone.

Tests and benchmarks keep the in-memory simulator: only `python -m simulator --state-dir` persists.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import dataclasses
import importlib
import json
import logging
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from simulator.state import Simulator

log = logging.getLogger("simulator.persist")

# Bump when the layout of the file changes (field changes of the classes are detected anyway).
FORMAT = 1
FILE = "state.json"
# Writes after a change wait this long, so a burst of requests is one write.
DEBOUNCE_S = 0.5
# Fields of the platforms' dataclasses that may hold time.monotonic() stamps (processing
# deadlines, code expiry). That clock restarts with the machine: after a reboot they are moved
# by the difference, so processed media stay processed. Epoch values (> 1e9) are left alone.
MONOTONIC_FIELDS = frozenset({"ready_at", "visible_at", "expires", "created"})
_EPOCH_FLOOR = 1e9
# Requests that only read the simulator's own controls don't schedule a write.
_READ_ONLY = ("/_sim/health", "/_sim/state", "/_sim/sandbox", "/_sim/feed", "/_sim/posts")


class IncompatibleState(ValueError):
    """The file was written by another format or by classes with other fields."""


# ----------------------------------------------------------------------------- encoding


class _Encoder:
    """Values to JSON: dataclasses by reference into one object table (shared stays shared)."""

    def __init__(self) -> None:
        self.objects: list[dict[str, Any] | None] = []
        self._memo: dict[int, int] = {}
        self._keep: list[Any] = []  # ids stay unique while encoding

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value) and "__t" not in value:
                return {k: self(v) for k, v in value.items()}
            return {"__t": "map", "v": [[self(k), self(v)] for k, v in value.items()]}
        if isinstance(value, tuple):
            return {"__t": "tuple", "v": [self(v) for v in value]}
        if isinstance(value, set | frozenset):
            kind = "set" if isinstance(value, set) else "frozenset"
            return {"__t": kind, "v": [self(v) for v in value]}
        if isinstance(value, bytes):
            return {"__t": "bytes", "v": base64.b64encode(value).decode()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"__t": "ref", "v": self._object(value)}
        if isinstance(value, datetime):
            return {"__t": "datetime", "v": value.isoformat()}
        # Live helpers (a running hash of an upload in progress...): restored as the
        # field's default.
        return {"__t": "lost"}

    def _object(self, obj: Any) -> int:
        key = id(obj)
        if key in self._memo:
            return self._memo[key]
        index = len(self.objects)
        self._memo[key] = index
        self._keep.append(obj)
        self.objects.append(None)
        cls = type(obj)
        self.objects[index] = {
            "cls": f"{cls.__module__}:{cls.__qualname__}",
            "f": {f.name: self(getattr(obj, f.name)) for f in dataclasses.fields(obj)},
        }
        return index


def _class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith("simulator."):
        raise IncompatibleState(f"not a simulator class: {name}")
    try:
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError) as exc:
        raise IncompatibleState(f"unknown class {name}") from exc
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise IncompatibleState(f"not a dataclass: {name}")
    return cls


def _default(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None if f.default is dataclasses.MISSING else f.default


class _Decoder:
    """JSON back to values; every object of the table is created first, then filled."""

    def __init__(self, table: list[dict[str, Any]], shift: float = 0.0) -> None:
        self.table = table
        self.objects: list[Any] = []
        for entry in table:
            cls = _class(entry["cls"])
            names = {f.name for f in dataclasses.fields(cls)}
            if names != set(entry["f"]):
                raise IncompatibleState(f"{entry['cls']} has other fields now")
            self.objects.append(cls.__new__(cls))
        for obj, entry in zip(self.objects, table, strict=True):
            for f in dataclasses.fields(obj):
                raw = entry["f"][f.name]
                value = _default(f) if _is_lost(raw) else self(raw)
                if shift and f.name in MONOTONIC_FIELDS and _clock_value(value):
                    value += shift
                object.__setattr__(obj, f.name, value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        kind = value.get("__t")
        if kind is None:
            return {k: self(v) for k, v in value.items()}
        items = value.get("v")
        if kind == "map":
            return {_hashable(self(k)): self(v) for k, v in items}
        if kind == "tuple":
            return tuple(self(v) for v in items)
        if kind in ("set", "frozenset"):
            made = {_hashable(self(v)) for v in items}
            return made if kind == "set" else frozenset(made)
        if kind == "bytes":
            return base64.b64decode(items)
        if kind == "ref":
            return self.objects[items]
        if kind == "datetime":
            return datetime.fromisoformat(items)
        if kind == "lost":
            return None
        raise IncompatibleState(f"unknown value kind {kind!r}")


def _clock_value(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool) and value < _EPOCH_FLOOR


def _is_lost(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("__t") == "lost"


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


# ----------------------------------------------------------------------------- snapshots


def snapshot(sim: Simulator) -> dict[str, Any]:
    """The whole persistent state as one JSON-able dict (call where nothing mutates it)."""
    enc = _Encoder()
    with sim.lock:
        data = {
            "format": FORMAT,
            "state_id": sim.state_id,
            "created_at": sim.state_created_at,
            "simulator": {"posts": enc(sim._posts), "knobs": enc(sim._knobs)},
            "platforms": {
                pid: {name: enc(getattr(p, name)) for name in p.state_attrs()}
                for pid, p in sim.platforms.items()
            },
        }
    data["objects"] = enc.objects
    return data


def _stamped(body: str) -> str:
    """The snapshot text with when it was written (both clocks: see _clock_shift)."""
    return body[:-1] + f',"saved_at":{time.time()!r},"saved_monotonic":{time.monotonic()!r}}}'


def restore(sim: Simulator, data: dict[str, Any]) -> None:
    """Load a snapshot into `sim`, all or nothing; IncompatibleState when it does not fit."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise IncompatibleState(f"format {found!r}, this simulator reads format {FORMAT}")
    try:
        dec = _Decoder(data["objects"], _clock_shift(data))
        platforms: dict[str, dict[str, Any]] = {}
        for pid, platform in sim.platforms.items():
            saved = data["platforms"][pid]
            if set(saved) != set(platform.state_attrs()):
                raise IncompatibleState(f"{pid} keeps other state now")
            platforms[pid] = {name: dec(value) for name, value in saved.items()}
        posts = dec(data["simulator"]["posts"])
        knobs = dec(data["simulator"]["knobs"])
        state_id, created = str(data["state_id"]), float(data["created_at"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, IncompatibleState):
            raise
        raise IncompatibleState(f"unreadable snapshot ({exc!r})") from exc
    now_wall, now_mono = time.time(), time.monotonic()
    for entry in posts:  # a monotonic stamp of another process means nothing here
        received = entry.get("received_at", "")
        try:
            at = datetime.fromisoformat(received.replace("Z", "+00:00")).timestamp()
        except (AttributeError, ValueError):
            at = now_wall
        entry["received_monotonic"] = now_mono - max(0.0, now_wall - at)
    with sim.lock:
        for pid, attrs in platforms.items():
            for name, value in attrs.items():
                setattr(sim.platforms[pid], name, value)
        sim._posts[:] = posts
        sim._knobs.clear()
        sim._knobs.update(knobs)
        sim.state_id, sim.state_created_at = state_id, created


def _clock_shift(data: dict[str, Any]) -> float:
    """How far the monotonic clock moved other than the wall clock since the save (a reboot
    restarts it); 0 when it ran on as usual."""
    saved_wall, saved_mono = data.get("saved_at"), data.get("saved_monotonic")
    if not isinstance(saved_wall, float | int) or not isinstance(saved_mono, float | int):
        return 0.0
    expected = saved_mono + (time.time() - saved_wall)
    shift = time.monotonic() - expected
    return shift if abs(shift) > 1.0 else 0.0


class StateFile:
    """`<directory>/state.json` of one simulator: `load()` at start, `wrap(app)` to save after
    changes (debounced), `close()` at shutdown (the last save)."""

    def __init__(self, sim: Simulator, directory: Path) -> None:
        self.sim = sim
        self.directory = Path(directory)
        self.path = self.directory / FILE
        self._pending = False
        self._last = ""
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sim-save")

    def load(self) -> dict[str, Any]:
        """Restore the saved state; a missing, unreadable or incompatible file starts empty
        (the old file is kept as state.json.old) with a new state id. Returns `sim.state()`."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        self.sim.persistent = True
        if not self.path.exists():
            self.sim.mark_fresh("no saved state (a first start, or the file was deleted)")
            self.save()
            return self.sim.state()
        try:
            restore(self.sim, json.loads(self.path.read_text()))
            self.sim.restored = True
        except (OSError, ValueError) as exc:  # JSONDecodeError and IncompatibleState too
            self.sim.reset()
            reason = str(exc) if isinstance(exc, IncompatibleState) else f"unreadable: {exc}"
            self.sim.mark_fresh(f"the saved sandbox state could not be used ({reason})")
            os.replace(self.path, self.path.with_name(FILE + ".old"))
            log.warning("sandbox state reset: %s", reason)
            self.save()
        return self.sim.state()

    def save(self) -> None:
        """Write the snapshot now (when it changed)."""
        self._write(json.dumps(snapshot(self.sim), separators=(",", ":")))

    def _write(self, body: str) -> None:
        if body == self._last:
            return
        text = _stamped(body)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.directory)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        dirfd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
        self._last = body

    def _flush(self) -> None:
        """On the event loop (no handler runs meanwhile): encode, then write in a thread."""
        self._pending = False
        try:
            text = json.dumps(snapshot(self.sim), separators=(",", ":"))
        except RuntimeError:  # changed meanwhile by a handler in a thread: try again shortly
            self._pending = True
            asyncio.get_running_loop().call_later(DEBOUNCE_S, self._flush)
            return
        self._writer.submit(self._write_logged, text)

    def _write_logged(self, text: str) -> None:
        try:
            self._write(text)
        except OSError as exc:
            log.error("could not save the sandbox state to %s: %s", self.path, exc)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The app, scheduling a save after every request that may have changed something."""

        async def saving(scope: Scope, receive: Receive, send: Send) -> None:
            try:
                await app(scope, receive, send)
            finally:
                changing = scope["type"] == "http" and scope.get("path") not in _READ_ONLY
                if changing and not self._pending:
                    self._pending = True
                    asyncio.get_running_loop().call_later(DEBOUNCE_S, self._flush)

        return saving

    def close(self) -> None:
        """The last save (after the server stopped)."""
        self._writer.shutdown(wait=True)
        self.save()
