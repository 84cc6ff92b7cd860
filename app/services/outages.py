"""What a workspace sees of platform outages: the open circuit breakers that touch its accounts,
and how many of its posts wait behind each (the dashboard and calendar banners, the REST API)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from sqlalchemy import text

from app import db
from app.models import Role, User
from app.providers.registry import UnknownPlatform, provider_class
from app.services import activity, circuit
from app.services.access import require_role
from app.services.views import copy_view

# Epoch seconds inside Herald, an ISO-8601 instant in the API.
Epoch = Annotated[
    float, PlainSerializer(lambda v: dt.datetime.fromtimestamp(v, dt.UTC), return_type=dt.datetime)
]


class Outage(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: str = Field(description="`x`, `mastodon@<server>` or `account:<id>`.")
    platform: str
    name: str  # what the user reads: "X", "Mastodon (mastodon.social)", "X · @alice"
    state: str = Field(description="`open` (waiting out the cool-down) or `probing`.")
    since: Epoch
    next_probe_at: Epoch
    last_error: str
    waiting: int = Field(description="Destinations of this workspace waiting for it.")


def _display(platform: str) -> str:
    try:
        return provider_class(platform).display_name
    except UnknownPlatform:
        return platform


_ACCOUNTS = text(
    """
    SELECT a.id, a.platform, coalesce(nullif(a.account_name, ''), a.username) AS name,
           coalesce(a.meta->>'api_base', '') AS api_base
    FROM social_accounts a WHERE a.workspace_id = :wid
    """
)
_WAITING = text(
    """
    SELECT d.pending_state->>'waiting_for' AS scope, count(*) AS n
    FROM post_destinations d JOIN social_accounts a ON a.id = d.social_account_id
    WHERE a.workspace_id = :wid AND d.status = 'queued' AND d.pending_state ? 'waiting_for'
    GROUP BY 1
    """
)


def for_workspace(user: User, workspace_id: uuid.UUID) -> list[Outage]:
    """Open breakers of the platforms, servers and accounts this workspace publishes to."""
    breakers = circuit.open_breakers()  # one Redis call; nothing else when all is well
    if not breakers:
        with db.session() as s:
            require_role(s, user, workspace_id, Role.viewer)
        return []
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        conn = s.connection()
        mine = conn.execute(_ACCOUNTS, {"wid": workspace_id}).all()
        waiting: dict[str, int] = dict(conn.execute(_WAITING, {"wid": workspace_id}).all())
    names: dict[str, str] = {}
    for a in mine:
        federated = provider_class(a.platform).capabilities.per_instance
        outer, own = circuit.scopes(a.platform, str(a.id), a.api_base, federated)
        host = outer.partition("@")[2]
        names[outer] = f"{_display(a.platform)} ({host})" if host else _display(a.platform)
        names[own] = f"{_display(a.platform)} · {a.name}"
    return [
        copy_view(
            Outage,
            b,
            name=names[b.scope],
            since=b.opened_at,
            next_probe_at=b.open_until,
            waiting=int(waiting.get(b.scope, 0)),
        )
        for b in breakers
        if b.scope in names
    ]


_PLATFORM_ACCOUNTS = text(
    """
    SELECT DISTINCT a.workspace_id, coalesce(a.meta->>'api_base', '') AS api_base
    FROM social_accounts a WHERE a.platform = :platform AND a.status <> 'revoked'
    """
)


def record_change(change: str, last_error: str = "") -> int:
    """A platform's (or federated server's) breaker opened or closed ("opened:<scope>" /
    "closed:<scope>", once per outage): a `platform.outage` / `platform.recovered` activity
    event in every workspace with an account there (its admins are notified). An account's own
    breaker is that account's business, not an outage. Returns the workspaces told."""
    what, _, scope = change.partition(":")
    if scope.startswith("account:") or what not in ("opened", "closed"):
        return 0
    platform, _, host = scope.partition("@")
    try:
        federated = provider_class(platform).capabilities.per_instance
    except UnknownPlatform:
        return 0
    verb = "platform.outage" if what == "opened" else "platform.recovered"
    name = f"{_display(platform)} ({host})" if host else _display(platform)
    with db.session() as s:
        rows = s.connection().execute(_PLATFORM_ACCOUNTS, {"platform": platform}).all()
        told = {
            r.workspace_id
            for r in rows
            if circuit.scopes(platform, "", r.api_base, federated)[0] == scope
        }
        for wid in sorted(told, key=str):
            activity.record(
                s, wid, None, verb, "platform", scope, name,
                {"platform": platform, "scope": scope, "error": last_error},
            )  # fmt: skip
    return len(told)
