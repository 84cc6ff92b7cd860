"""Settings → Instance → Users (instance admins only): everyone on this Herald, who administers
it, and disabling people (their sessions end, sign-in is refused, their API keys stop)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.models import Membership, User, UserSession
from app.services import auth
from app.services.access import require_instance_admin, require_session
from app.services.email_address import normalize_email
from app.services.errors import Conflict, NotFound


class UserView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    email: str
    full_name: str
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    workspaces: int
    is_instance_admin: bool
    is_active: bool


def any_user() -> bool:
    """Whether anyone has signed up yet (the first one becomes the instance admin)."""
    with db.session() as s:
        return s.exec(select(User.id).limit(1)).first() is not None


def _views(s: Session, users: list[User]) -> list[UserView]:
    ids = [u.id for u in users]
    counts = dict(
        s.exec(
            select(Membership.user_id, func.count())
            .where(col(Membership.user_id).in_(ids))
            .group_by(col(Membership.user_id))
        ).all()
    )
    return [
        UserView(
            id=u.id,
            email=u.email,
            full_name=u.full_name,
            created_at=u.created_at,
            last_login_at=u.last_login_at,
            workspaces=int(counts.get(u.id, 0)),
            is_instance_admin=u.is_instance_admin,
            is_active=u.is_active,
        )
        for u in users
    ]


def list_users(user: User) -> list[UserView]:
    require_instance_admin(user, "list users")
    with db.session() as s:
        rows = list(s.exec(select(User).order_by(col(User.created_at))).all())
        return _views(s, rows)


def _target(s: Session, user_id: uuid.UUID) -> User:
    # One change of admins at a time, so two demotions cannot both pass the last-admin check.
    s.execute(text("SELECT pg_advisory_xact_lock(4242002)"))
    target = s.get(User, user_id)
    if target is None:
        raise NotFound("User not found.")
    return target


def _active_admins(s: Session) -> int:
    return int(
        s.exec(
            select(func.count()).where(
                User.is_instance_admin == True,  # noqa: E712
                User.is_active == True,  # noqa: E712
            )
        ).one()
    )


def set_instance_admin(user: User, user_id: uuid.UUID, is_admin: bool) -> UserView:
    """Promote someone to instance admin, or demote one (never the last active one)."""
    require_session("change instance admins")
    require_instance_admin(user, "change instance admins")
    with db.session() as s:
        target = _target(s, user_id)
        last = target.is_instance_admin and target.is_active and _active_admins(s) <= 1
        if not is_admin and last:
            raise Conflict(
                "This is the last instance admin: promote someone else first.",
                code="last_instance_admin",
            )
        if is_admin and not target.is_active:
            raise Conflict("Enable this user before making them an admin.", code="user_disabled")
        target.is_instance_admin = is_admin
        s.add(target)
        s.flush()
        return _views(s, [target])[0]


def set_disabled(user: User, user_id: uuid.UUID, disabled: bool) -> UserView:
    """Disable someone (their sessions end now; sign-in and their API keys are refused) or
    enable them again. Nobody disables themself, and the last admin stays."""
    require_session("disable users")
    require_instance_admin(user, "disable users")
    if disabled and user_id == user.id:
        raise Conflict("You cannot disable yourself.", code="disable_self")
    with db.session() as s:
        target = _target(s, user_id)
        if disabled and target.is_instance_admin and target.is_active and _active_admins(s) <= 1:
            raise Conflict(
                "The last instance admin cannot be disabled.", code="last_instance_admin"
            )
        target.is_active = not disabled
        s.add(target)
        if disabled:
            s.execute(delete(UserSession).where(col(UserSession.user_id) == target.id))
        s.flush()
        return _views(s, [target])[0]


# --- the operator's shell (`herald users ...`): no signed-in user; whoever runs it holds the
# database credentials, which is the authority here.


def all_users() -> list[UserView]:
    with db.session() as s:
        return _views(s, list(s.exec(select(User).order_by(col(User.created_at))).all()))


def _by_email(s: Session, email: str) -> User:
    user = s.exec(
        select(User).where(User.email == normalize_email(email)).with_for_update()
    ).first()
    if user is None:
        raise NotFound(f"No user with the email {email}.")
    return user


def create_admin(email: str, password: str, full_name: str = "") -> tuple[User, bool]:
    """A new instance admin, or an existing user made one (and enabled again): True when new."""
    with db.session() as s:
        existing = s.exec(select(User).where(User.email == normalize_email(email))).first()
        if existing is not None:
            existing.is_instance_admin = True
            existing.is_active = True
            s.add(existing)
            return existing, False
        return auth.create_user(s, email, password, full_name, admin=True), True


def set_password(email: str, password: str) -> int:
    """Set a user's password; their sessions end. Returns how many sessions ended."""
    with db.session() as s:
        return auth.set_password_in(s, _by_email(s, email), password)


def reset_link(email: str) -> str:
    """A one-time link (24 h) where the user sets a new password."""
    with db.session() as s:
        token = auth.password_reset_token(s, _by_email(s, email))
    return f"{settings.base_url}/reset-password?token={token}"
