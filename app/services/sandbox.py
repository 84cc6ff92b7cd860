"""Sandbox mode: every network answered by the platform simulator (`python -m simulator`).

A newcomer connects "Sandbox" accounts with no account anywhere, schedules, and watches the post
publish and appear in the simulator's feed. Sandbox accounts are ordinary accounts flagged
`is_sandbox`; only where their provider points differs (the simulator, with its sandbox apps).
"""

from __future__ import annotations

import threading
import time

import httpx

from app.config import settings
from app.services.errors import InvalidInput, ServiceError

_APPS_TTL = 60.0
_lock = threading.Lock()
_apps: tuple[str, float, dict[str, dict[str, str]]] = ("", 0.0, {})


class SandboxUnavailable(ServiceError):
    status = 503
    code = "sandbox_unavailable"


def enabled() -> bool:
    return bool(settings.sandbox) and bool(settings.sandbox_url)


def require() -> None:
    if not enabled():
        raise InvalidInput(
            "Sandbox mode is off on this Herald (HERALD_SANDBOX).", code="sandbox_disabled"
        )


def base(platform: str) -> str:
    """The simulated platform's address, e.g. http://localhost:8900/x."""
    return f"{settings.sandbox_url}/{platform}"


def feed_url() -> str:
    return f"{settings.sandbox_url}/_sim/feed" if enabled() else ""


def apps() -> dict[str, dict[str, str]]:
    """Per platform: the simulator's endpoint paths and sandbox OAuth app, or login details."""
    global _apps
    with _lock:
        url, fetched, known = _apps
        if url == settings.sandbox_url and time.monotonic() - fetched < _APPS_TTL:
            return known
    try:
        response = httpx.get(f"{settings.sandbox_url}/_sim/sandbox", timeout=5)
        response.raise_for_status()
        known = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SandboxUnavailable(
            f"The sandbox simulator at {settings.sandbox_url} is not answering ({exc})."
        ) from exc
    with _lock:
        _apps = (settings.sandbox_url, time.monotonic(), known)
    return known


def config(platform: str) -> dict[str, str]:
    """Provider configuration of a sandbox account: every endpoint on the simulator (it says
    which paths serve the platform) and its sandbox app."""
    config = {"api_base": base(platform), "auth_base": base(platform)}
    for key, value in apps().get(platform, {}).items():
        if key.endswith("_base"):
            config[key] = settings.sandbox_url + value
        elif key in ("client_id", "client_secret"):
            config[key] = value
    return config
