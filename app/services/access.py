"""Who may do what: roles in a workspace, API-key scopes, instance admins.

A workspace the user does not belong to is reported as not found, never as forbidden, so
nobody can probe for other tenants' ids.

API keys act as the user who created them, restricted by a `KeyScope` that the HTTP layer
sets for the request (see `use_key_scope`): every role check goes through `membership` /
`require_role`, which is where the restriction is applied, so there is one code path for
sessions, keys, the UI and the workers (which never set a scope).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlmodel import Session, select

from app import db
from app.models import Membership, Role, User
from app.services.errors import Forbidden, NotFound

RANK = {Role.viewer: 0, Role.editor: 1, Role.admin: 2}


class _WorkspaceRow(Protocol):
    workspace_id: uuid.UUID


RowT = TypeVar("RowT", bound=_WorkspaceRow)


@dataclass(frozen=True)
class KeyScope:
    """What the API key authenticating the current request allows: one workspace, one role.

    `member` is the key creator's membership of that workspace, read with the key in the same
    request (so role checks need no query of their own); None makes `membership` read it.
    """

    key_id: uuid.UUID
    workspace_id: uuid.UUID
    role: Role
    member: Membership | None = None


# Set by the HTTP layer for each request (None for a signed-in session). A ContextVar is per
# request task (and copied into the threadpool that runs sync routes), so nothing leaks
# between requests; code that never sets it (UI, workers, tests of services) is unrestricted.
_key_scope: ContextVar[KeyScope | None] = ContextVar("herald_api_key_scope", default=None)


def use_key_scope(scope: KeyScope | None) -> None:
    """Restrict the rest of this request (context) to an API key's workspace and role."""
    _key_scope.set(scope)


def key_scope() -> KeyScope | None:
    return _key_scope.get()


def require_session(action: str, workspace_id: uuid.UUID | None = None) -> None:
    """Refuse `action` to API keys: managing members, invites, keys and workspaces needs a
    person signed in (keys are for automating posts, media and analytics). A key naming a
    workspace other than its own gets the 404 of any other tenant's resource first."""
    scope = _key_scope.get()
    if scope is None:
        return
    if workspace_id is not None and workspace_id != scope.workspace_id:
        raise NotFound("Workspace not found.")
    raise Forbidden(f"API keys cannot {action}; sign in to do it.", code="session_required")


def effective_role(role: Role) -> Role:
    """The membership role, capped by the API key's role when a key authenticates."""
    scope = _key_scope.get()
    if scope is not None and RANK[scope.role] < RANK[role]:
        return scope.role
    return role


def membership(s: Session, user: User, workspace_id: uuid.UUID) -> Membership:
    scope = _key_scope.get()
    if scope is not None and scope.workspace_id != workspace_id:
        raise NotFound("Workspace not found.")  # a key sees nothing outside its workspace
    if scope is not None and scope.member is not None and scope.member.user_id == user.id:
        return scope.member
    m = s.exec(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user.id
        )
    ).first()
    if m is None:
        raise NotFound("Workspace not found.")
    return m


def require_role(s: Session, user: User, workspace_id: uuid.UUID, role: Role) -> Membership:
    """The user's membership, if their role is at least `role`; otherwise 404/403.

    With an API key the workspace must be the key's and the role is min(membership, key).
    """
    m = membership(s, user, workspace_id)
    if RANK[effective_role(m.role)] < RANK[role]:
        raise Forbidden(f"This needs the {role.value} role in this workspace.")
    return m


@contextmanager
def admin_session(user: User, workspace_id: uuid.UUID, action: str) -> Iterator[Session]:
    """A DB session (as `db.session`) for a workspace admin signed in in person (not with an
    API key, see `require_session`) to `action`."""
    require_session(action, workspace_id)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        yield s


def workspace_row(
    s: Session,
    model: type[RowT],
    workspace_id: uuid.UUID,
    row_id: uuid.UUID,
    missing: str,
    *,
    lock: bool = False,
) -> RowT:
    """The `model` row `row_id` of this workspace (locked FOR UPDATE with `lock`); a row that
    does not exist or belongs to another workspace is NotFound(`missing`)."""
    row = s.get(model, row_id, with_for_update=lock)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(missing)
    return row


def require_instance_admin(user: User, what: str = "manage this instance") -> None:
    if not user.is_instance_admin:
        raise Forbidden(f"Only the instance admin can {what}.", code="instance_admin_only")
