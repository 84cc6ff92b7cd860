"""Sandbox mode: every network answered by the platform simulator (`python -m simulator`).

A newcomer connects "Sandbox" accounts with no account anywhere, schedules, and watches the post
publish and appear in the sandbox feed. Sandbox accounts are ordinary accounts flagged
`is_sandbox`; only where their provider points differs (the simulator, with its sandbox apps).

The simulator is a demo, never a hole: it listens on loopback, its control and inspection
endpoints need the secret only Herald holds (HERALD_SANDBOX_SECRET), and the browser never
talks to it. Herald approves the simulated OAuth consent itself and hands the browser its own
callback; each workspace gets its own simulated account on every network (a name keyed with
the secret), and the feed shows a user only their workspace's sandbox posts.

The simulator `make run` starts keeps its state in the data folder. When that state is gone (the
file deleted, or of an older format) the simulator starts empty with a new state id: every
sandbox account connected in the old state is then "stale". Herald says so once on the Accounts
page, marks them expired with one clear message, holds their posts instead of failing them, and
reconnects them all in one click (`connect.reconnect_sandbox`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, update
from sqlmodel import col, select

from app import db
from app.config import settings
from app.models import AccountStatus, PostDestination, Role, SocialAccount, User, utcnow
from app.net.outbound import short_message
from app.services.access import require_role
from app.services.errors import InvalidInput, NotFound, ServiceError

if TYPE_CHECKING:
    from app.services.accounts import AccountFields  # accounts imports this module

_APPS_TTL = 60.0
_lock = threading.Lock()
_apps: tuple[str, float, dict[str, dict[str, str]]] = ("", 0.0, {})
# The simulator's state id is asked at most this often per process (the engine asks per post).
_STATE_TTL = 5.0
_state: tuple[str, float, str | None] = ("", 0.0, None)
# The simulator's control API is asked through one client per process: a client made per call
# loads the TLS trust store (about 50 ms) and opens a new connection each time, and the Accounts
# page asks on every load (`status`).
_clients: dict[int, httpx.Client] = {}

# What a post of such an account says while it waits, and what the account itself says (the
# Accounts page adds one notice with the one-click action above them all).
RESET_MESSAGE = (
    "The sandbox was reset: your sandbox accounts must be reconnected "
    "(Accounts → Reconnect sandbox accounts). This post waits until then."
)
ACCOUNT_MESSAGE = "The sandbox was reset: reconnect needed."


class SandboxUnavailable(ServiceError, status=503, code="sandbox_unavailable"): ...


def enabled() -> bool:
    return settings.sandbox_on and bool(settings.sandbox_url)


def require() -> None:
    if not enabled():
        raise InvalidInput(
            "Sandbox mode is off on this Herald (HERALD_SANDBOX).", code="sandbox_disabled"
        )


def base(platform: str) -> str:
    """The simulated platform's address, e.g. http://localhost:8900/x."""
    return f"{settings.sandbox_url}/{platform}"


def permalink(platform: str, post_id: str) -> str:
    """Where a sandbox post's "View on <network>" goes: the simulator's page of it, through
    Herald (`/api/sandbox/p/...`, at Herald's public address; the simulator stays private)."""
    return f"{settings.base_url}/api/sandbox/p/{quote(platform, safe='')}/{quote(post_id, safe='')}"


def avatar_url(platform: str, account: str, name: str = "") -> str:
    """A sandbox account's avatar: the simulator's SVG of its initials, through Herald."""
    query = f"?{urlencode({'name': name})}" if name else ""
    return (
        f"{settings.base_url}/api/sandbox/avatar/{quote(platform, safe='')}/"
        f"{quote(account or 'sandbox', safe='')}.svg{query}"
    )


def _http() -> httpx.Client:
    """This process's client for the simulator (a forked worker makes its own)."""
    client = _clients.get(os.getpid())
    if client is None:
        with _lock:
            client = _clients.setdefault(os.getpid(), httpx.Client(timeout=5))
    return client


def warm_up() -> None:
    """Make this process's simulator client now (web start-up) rather than on the first page
    that asks (the Accounts page, every load)."""
    if enabled():
        _http()


def _sim_get(path: str, params: dict[str, str] | None = None) -> httpx.Response:
    """A GET of one of the simulator's pages, with the secret (any status)."""
    headers = {"X-Sim-Secret": settings.resolved_sandbox_secret}
    try:
        return _http().get(f"{settings.sandbox_url}{path}", headers=headers, params=params)
    except httpx.HTTPError as exc:
        raise SandboxUnavailable(
            f"The sandbox simulator is not answering ({short_message(exc, 120)})."
        ) from exc


def post_page(user: User, platform: str, post_id: str) -> tuple[int, str]:
    """(status, HTML) of the simulator's page of a sandbox post that one of the user's
    workspaces published; a post of another workspace is a 404 like a missing one."""
    require()
    with db.session() as s:
        workspaces = s.exec(
            select(SocialAccount.workspace_id)
            .join(PostDestination, col(PostDestination.social_account_id) == SocialAccount.id)
            .where(
                SocialAccount.platform == platform,
                col(SocialAccount.is_sandbox).is_(True),
                PostDestination.platform_post_id == post_id,
            )
        ).all()
        mine = False
        for workspace_id in set(workspaces):
            try:
                require_role(s, user, workspace_id, Role.viewer)
            except ServiceError:
                continue
            mine = True
            break
    if not mine:
        raise NotFound("No such sandbox post.", code="not_found")
    response = _sim_get(f"/_sim/page/{quote(platform, safe='')}/{quote(post_id, safe='')}")
    if response.status_code not in (200, 404):
        raise SandboxUnavailable(f"The sandbox simulator answered HTTP {response.status_code}.")
    return response.status_code, response.text


_avatars: dict[tuple[str, str, str], str] = {}


def avatar_svg(platform: str, account: str, name: str = "") -> str:
    """The simulator's avatar of a sandbox account (SVG), kept once fetched."""
    key = (platform, account, name[:80])
    if key not in _avatars:
        path = f"/_sim/avatar/{quote(platform, safe='')}/{quote(account, safe='')}"
        response = _sim_get(path, {"name": key[2]} if key[2] else None)
        if response.status_code != 200:
            raise NotFound("No such sandbox network.", code="not_found")
        if len(_avatars) > 2000:
            _avatars.clear()
        _avatars[key] = response.text
    return _avatars[key]


def feed_url() -> str:
    """Herald's own page of the workspace's sandbox posts (the simulator stays private)."""
    return "/sandbox" if enabled() else ""


def _control(method: str, path: str, **kwargs: Any) -> Any:
    """A call to the simulator's control API, with the secret."""
    headers = {"X-Sim-Secret": settings.resolved_sandbox_secret}
    try:
        response = _http().request(
            method, f"{settings.sandbox_url}{path}", headers=headers, **kwargs
        )
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SandboxUnavailable(
            f"The sandbox simulator is not answering ({short_message(exc, 120)})."
        ) from exc


def account_name(workspace_id: uuid.UUID) -> str:
    """The workspace's own simulated account on every network: unguessable without the secret,
    15 letters and digits (what every simulated network accepts as a user name)."""
    key = settings.resolved_sandbox_secret.encode()
    return "sb" + hmac.new(key, workspace_id.bytes, hashlib.sha256).hexdigest()[:13]


def approve(authorize_url: str, workspace_id: uuid.UUID, callback: str) -> str:
    """Go through the simulated consent screen on the user's behalf, as the workspace's own
    simulated account; returns Herald's callback URL (with the code) for the browser."""
    sep = "&" if urlsplit(authorize_url).query else "?"
    url = f"{authorize_url}{sep}{urlencode({'sim_account': account_name(workspace_id)})}"
    try:
        response = httpx.get(url, timeout=10, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise SandboxUnavailable(
            f"The sandbox simulator is not answering ({short_message(exc, 120)})."
        ) from exc
    location: str = response.headers.get("location", "")
    if not response.is_redirect or not location.startswith(callback + "?"):
        raise SandboxUnavailable(
            f"The simulated sign-in did not come back to Herald (HTTP {response.status_code})."
        )
    return location


def login_of(platform: str, workspace_id: uuid.UUID) -> tuple[str, str]:
    """(handle, app password) of the workspace's own account on an app-password network."""
    made = _control("POST", f"/_sim/{platform}/accounts/{quote(account_name(workspace_id))}")
    return str(made.get("handle", "")), str(made.get("password", ""))


def posts(user: User, workspace_id: uuid.UUID, limit: int = 200) -> list[dict[str, Any]]:
    """The sandbox posts of this workspace, newest first: what its sandbox accounts published
    (by their ids) or its own simulated accounts received."""
    require()
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        published = s.exec(
            select(SocialAccount.platform, PostDestination.platform_post_id)
            .join(PostDestination, col(PostDestination.social_account_id) == SocialAccount.id)
            .where(
                SocialAccount.workspace_id == workspace_id,
                col(SocialAccount.is_sandbox).is_(True),
                col(PostDestination.platform_post_id).is_not(None),
            )
        ).all()
    ids = {(platform, str(pid)) for platform, pid in published}
    own = account_name(workspace_id)
    rows = _control("GET", "/_sim/posts").get("posts", [])
    mine = [
        p
        for p in rows
        if (p.get("platform"), str(p.get("post_id"))) in ids
        or str(p.get("account", "")).lower().startswith(own)
    ]
    keep = ("platform", "account", "post_id", "text", "received_at", "permalink", "replays")
    out = [
        {k: p.get(k) for k in keep}
        | {"media": len(p.get("media") or []), "permalink": permalink(p["platform"], p["post_id"])}
        for p in mine
    ]
    return out[::-1][:limit]


def apps() -> dict[str, dict[str, str]]:
    """Per platform: the simulator's endpoint paths and sandbox OAuth app, or login details."""
    global _apps
    with _lock:
        url, fetched, known = _apps
        if url == settings.sandbox_url and time.monotonic() - fetched < _APPS_TTL:
            return known
    fetched_apps: dict[str, dict[str, str]] = _control("GET", "/_sim/sandbox")
    with _lock:
        _apps = (settings.sandbox_url, time.monotonic(), fetched_apps)
    return fetched_apps


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


# --------------------------------------------------------------------------- a reset sandbox


def state_id(max_age: float = _STATE_TTL) -> str | None:
    """The simulator's current state id (GET /_sim/state); None when the simulator does not
    say (an older one). Raises SandboxUnavailable when it does not answer."""
    global _state
    with _lock:
        url, fetched, known = _state
        if url == settings.sandbox_url and time.monotonic() - fetched < max_age:
            return known
    headers = {"X-Sim-Secret": settings.resolved_sandbox_secret}
    try:
        response = _http().get(f"{settings.sandbox_url}/_sim/state", headers=headers)
        if response.status_code == 404:
            current = None
        else:
            response.raise_for_status()
            current = str(response.json()["state_id"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise SandboxUnavailable(
            f"The sandbox simulator is not answering ({short_message(exc, 120)})."
        ) from exc
    with _lock:
        _state = (settings.sandbox_url, time.monotonic(), current)
    return current


def current_state() -> str | None:
    """The state id to record on a sandbox account being connected (None if unknown)."""
    try:
        return state_id(0.0)
    except SandboxUnavailable:
        return None


def is_stale(account: AccountFields, *, fresh: bool = False) -> bool:
    """A sandbox account connected in a state of the simulator that is gone (asked afresh
    before saying so, or with `fresh`). Unknown (the simulator is down, or does not tell)
    counts as not stale: the usual errors apply."""
    if not account.is_sandbox or not enabled():
        return False
    try:
        if not fresh and state_id() == account.sandbox_state:
            return False
        current = state_id(0.0)
    except SandboxUnavailable:
        return False
    return current is not None and account.sandbox_state != current


def flag_stale(workspace_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Mark the workspace's (None: every workspace's) stale sandbox accounts expired with
    ACCOUNT_MESSAGE (once: an account already saying so is left alone); the ids of every
    stale account."""
    if not enabled():
        return []
    try:
        current = state_id(0.0)
    except SandboxUnavailable:
        return []
    if current is None:
        return []
    query = select(SocialAccount.id).where(
        col(SocialAccount.is_sandbox).is_(True),
        SocialAccount.status != AccountStatus.revoked,
        col(SocialAccount.sandbox_state).is_distinct_from(current),
    )
    if workspace_id is not None:
        query = query.where(SocialAccount.workspace_id == workspace_id)
    with db.session() as s:
        stale = list(s.exec(query).all())
        if stale:
            s.execute(
                update(SocialAccount)
                .where(
                    col(SocialAccount.id).in_(stale),
                    # Checked again on the row as it is now: an account reconnected since the
                    # SELECT above stays connected.
                    col(SocialAccount.sandbox_state).is_distinct_from(current),
                    or_(
                        col(SocialAccount.status) != AccountStatus.expired,
                        col(SocialAccount.last_error).is_distinct_from(ACCOUNT_MESSAGE),
                    ),
                )
                .values(
                    status=AccountStatus.expired,
                    last_error=ACCOUNT_MESSAGE,
                    status_changed_at=utcnow(),
                )
            )
    return stale


class SandboxStatus(BaseModel):
    """What the Accounts page says about the sandbox."""

    model_config = ConfigDict(frozen=True)

    enabled: bool
    reset: bool  # some sandbox accounts belong to a simulator state that is gone
    stale_accounts: list[uuid.UUID]
    message: str


def status(user: User, workspace_id: uuid.UUID) -> SandboxStatus:
    """Sandbox mode, and whether this workspace's sandbox accounts must be reconnected (they
    are marked so as a side effect, once)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
    stale = flag_stale(workspace_id)
    message = "The sandbox was reset; your sandbox accounts must be reconnected." if stale else ""
    return SandboxStatus(
        enabled=enabled(), reset=bool(stale), stale_accounts=stale, message=message
    )
