"""API keys: Bearer credentials for automation, scoped to one workspace and capped at a role.

A key is `hk_<random>`, shown once when created. The database keeps only its keyed hash
(`app.crypto.hash_token`) and a short visible prefix that lets people tell keys apart. The
key's role lives in `scopes` as `role:<admin|editor|viewer>`.

A key acts as the member who created it, restricted to the key's workspace and to
min(key role, the member's current role) — see `app.services.access.KeyScope`. It stops
working when it is revoked, expires, or its creator leaves the workspace or is disabled.
Keys cannot manage keys, members, invites or workspaces (those need a signed-in person).
"""

from __future__ import annotations

import datetime as dt
import hmac
import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlmodel import col, select

from app import db
from app.crypto import hash_token, new_token
from app.models import ApiKey, Membership, Role, User, utcnow
from app.services.access import (
    RANK,
    KeyScope,
    admin_session,
    require_role,
    require_session,
    workspace_row,
)
from app.services.errors import Forbidden, InvalidInput
from app.services.views import copy_view

PREFIX = "hk_"
# Characters of the key kept in clear to identify it ("hk_" + 8).
VISIBLE = 11
# last_used_at is written at most this often per key (a busy key must not write every request).
TOUCH_EVERY = dt.timedelta(minutes=1)
MAX_NAME = 100


class KeyView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    role: Role
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    created_by: uuid.UUID | None


class CreatedKey(KeyView):
    """A new key with its secret: returned once, never stored (Herald keeps only a hash)."""

    secret: str = Field(
        serialization_alias="key",
        description="The full key. Shown this once: Herald keeps only a hash.",
    )

    @property
    def key(self) -> KeyView:
        """The key alone, as the list shows it."""
        return KeyView(**self.model_dump(include=set(KeyView.model_fields)))


def _role_of(scopes: list[str]) -> Role:
    for scope in scopes:
        if scope.startswith("role:"):
            try:
                return Role(scope[5:])
            except ValueError:
                break
    return Role.viewer  # an unreadable scope grants the least


def _view(key: ApiKey) -> KeyView:
    return copy_view(KeyView, key, role=_role_of(key.scopes))


def create_key(
    user: User,
    workspace_id: uuid.UUID,
    name: str,
    role: Role,
    expires_at: dt.datetime | None = None,
) -> CreatedKey:
    """A new key (admins only), with a role no higher than the creator's."""
    require_session("create API keys", workspace_id)
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            f"Key name must be 1 to {MAX_NAME} characters.",
            code="invalid_name",
            details={"field": "name"},
        )
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput(
                "expires_at needs a UTC offset (ISO-8601, e.g. 2026-12-31T00:00:00Z).",
                code="invalid_time",
                details={"field": "expires_at"},
            )
        if expires_at <= utcnow():
            raise InvalidInput(
                "expires_at must be in the future.",
                code="invalid_time",
                details={"field": "expires_at"},
            )
    with db.session() as s:
        member = require_role(s, user, workspace_id, Role.admin)
        if RANK[role] > RANK[member.role]:
            raise Forbidden("A key cannot have a higher role than its creator.")
        secret = PREFIX + new_token(32)
        key = ApiKey(
            workspace_id=workspace_id,
            created_by=user.id,
            name=name,
            prefix=secret[:VISIBLE],
            key_hash=hash_token(secret),
            scopes=[f"role:{role.value}"],
            expires_at=expires_at,
        )
        s.add(key)
        s.flush()
        return CreatedKey(**_view(key).model_dump(), secret=secret)


def list_keys(user: User, workspace_id: uuid.UUID) -> list[KeyView]:
    """The workspace's live keys (not revoked), newest first. Never includes a secret."""
    with admin_session(user, workspace_id, "list API keys") as s:
        rows = s.exec(
            select(ApiKey)
            .where(ApiKey.workspace_id == workspace_id, col(ApiKey.revoked_at).is_(None))
            .order_by(col(ApiKey.created_at).desc())
        ).all()
        return [_view(k) for k in rows]


def revoke_key(user: User, workspace_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Revoke a key at once (admins only). Revoking twice is harmless."""
    with admin_session(user, workspace_id, "revoke API keys") as s:
        key = workspace_row(s, ApiKey, workspace_id, key_id, "API key not found.")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            s.add(key)


# The key, its creator and their membership of the key's workspace in one statement, which
# the request's role checks then use (see KeyScope.member). Every API request asks, so it runs
# on the driver's cursor (db.read_rows): loading three ORM entities cost several times the
# statement.
_USER_COLUMNS = tuple(c.name for c in User.__table__.columns)  # type: ignore[attr-defined]
_KEY_LOOKUP = (
    "SELECT k.id, k.workspace_id, k.key_hash, k.scopes, k.revoked_at, k.expires_at, "
    "k.last_used_at, m.id, m.role, m.created_at, "
    + ", ".join(f"u.{name}" for name in _USER_COLUMNS)
    + " FROM api_keys k JOIN users u ON u.id = k.created_by JOIN memberships m "
    "ON m.user_id = u.id AND m.workspace_id = k.workspace_id WHERE k.key_hash = %(digest)s"
)


def authenticate(secret: str) -> tuple[User, KeyScope] | None:
    """The acting user and scope of a live key, or None (unknown, revoked, expired, or its
    creator is no longer an active member of the key's workspace)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = hash_token(secret)
    now = utcnow()
    rows = db.read_rows(_KEY_LOOKUP, {"digest": digest})
    if not rows:
        return None
    row = rows[0]
    key_id, workspace_id, key_hash, scopes, revoked_at, expires_at, last_used_at = row[:7]
    member_id, role, member_since = row[7:10]
    owner = dict(zip(_USER_COLUMNS, row[10:], strict=True))
    # The index found the row; compare again in constant time all the same.
    if not hmac.compare_digest(key_hash, digest):
        return None
    if revoked_at is not None or not owner["is_active"]:
        return None
    if expires_at is not None and expires_at <= now:
        return None
    if last_used_at is None or last_used_at < now - TOUCH_EVERY:
        db.in_autocommit(
            lambda s: s.execute(
                update(ApiKey)
                .where(
                    col(ApiKey.id) == key_id,
                    (col(ApiKey.last_used_at).is_(None))
                    | (col(ApiKey.last_used_at) < now - TOUCH_EVERY),
                )
                .values(last_used_at=now)
            )
        )
    # A detached copy that never carries instance-admin powers: keys act in one workspace.
    acting = User(**{**owner, "is_instance_admin": False})
    member = Membership(
        id=member_id,
        workspace_id=workspace_id,
        user_id=acting.id,
        role=Role(role),
        created_at=member_since,
    )
    return acting, KeyScope(key_id, workspace_id, _role_of(scopes), member)
