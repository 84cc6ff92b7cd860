"""Workspaces, membership roles and invitations. Every function checks the acting user's role
through `app.services.access`."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.crypto import hash_token, new_token
from app.models import Invitation, Membership, Role, Tier, User, Workspace, utcnow
from app.services import activity, mail, mail_templates, plans
from app.services.access import (
    admin_session,
    effective_role,
    key_scope,
    membership,
    require_role,
    require_session,
    workspace_row,
)
from app.services.email_address import normalize_email
from app.services.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, parse_choice
from app.services.views import copy_view


class WorkspaceView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    name: str
    role: Role
    tier: str = Field(serialization_alias="subscription_tier")
    timezone: str
    is_personal: bool


class MemberView(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    email: str
    full_name: str
    role: Role
    joined_at: dt.datetime


class InviteView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    role: Role
    email: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    status: str  # pending | accepted | expired | revoked


class CreatedInvite(InviteView):
    """A new invite, with its link (which holds the token, so it is shown once)."""

    token: str = Field(exclude=True)
    link: str
    emailed: bool = Field(
        default=False,
        description="The invite was emailed to `email`; false: share the link by hand",
    )

    @property
    def invite(self) -> InviteView:
        """The invite alone, as the list shows it."""
        return InviteView(**self.model_dump(include=set(InviteView.model_fields)))


class InviteInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace_name: str
    role: Role
    invited_by: str
    expires_at: dt.datetime


def parse_role(value: str) -> Role:
    return parse_choice(Role, value, label="Role", field="role")


def _view(ws: Workspace, role: Role) -> WorkspaceView:
    return WorkspaceView(
        id=ws.id,
        name=ws.name,
        role=role,
        tier=ws.subscription_tier.value,
        timezone=ws.timezone,
        is_personal=ws.is_personal,
    )


def list_workspaces(user: User) -> list[WorkspaceView]:
    query = (
        select(Workspace, col(Membership.role))
        .join(Membership, col(Membership.workspace_id) == Workspace.id)
        .where(Membership.user_id == user.id)
        .order_by(col(Workspace.is_personal).desc(), col(Workspace.name))
    )
    scope = key_scope()
    if scope is not None:
        query = query.where(Workspace.id == scope.workspace_id)

    def read(s: Session) -> list[WorkspaceView]:
        return [_view(ws, effective_role(role)) for ws, role in s.exec(query).all()]

    # Every signed-in page asks (one statement: no transaction round trips, db.in_autocommit).
    return db.in_autocommit(read)


def get_workspace(user: User, workspace_id: uuid.UUID) -> WorkspaceView:
    with db.session() as s:
        m = membership(s, user, workspace_id)
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        return _view(ws, effective_role(m.role))


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(
            "Workspace name must be 1 to 100 characters.",
            code="invalid_name",
            details={"field": "name"},
        )
    return name


def create_workspace(user: User, name: str) -> WorkspaceView:
    require_session("create workspaces")
    name = _clean_name(name)
    with db.session() as s:
        ws = Workspace(name=name, owner_id=user.id, subscription_tier=Tier(settings.default_tier))
        s.add(ws)
        s.flush()
        s.add(Membership(workspace_id=ws.id, user_id=user.id, role=Role.admin))
        return _view(ws, Role.admin)


def rename_workspace(user: User, workspace_id: uuid.UUID, name: str) -> WorkspaceView:
    require_session("rename workspaces", workspace_id)
    name = _clean_name(name)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        ws.name = name
        s.add(ws)
        return _view(ws, Role.admin)


def list_members(user: User, workspace_id: uuid.UUID) -> list[MemberView]:
    with db.session() as s:
        membership(s, user, workspace_id)
        rows = s.exec(
            select(Membership, User)
            .join(User, col(User.id) == Membership.user_id)
            .where(Membership.workspace_id == workspace_id)
            .order_by(col(Membership.created_at))
        ).all()
        return [_member_view(u, m.role, m.created_at) for m, u in rows]


def _lock_admins(s: Session, workspace_id: uuid.UUID) -> list[Membership]:
    """Lock the workspace's admin rows so two demotions cannot both pass the last-admin check."""
    return list(
        s.exec(
            select(Membership)
            .where(Membership.workspace_id == workspace_id, Membership.role == Role.admin)
            .with_for_update()
        ).all()
    )


def _target(s: Session, workspace_id: uuid.UUID, member_id: uuid.UUID) -> Membership:
    m = s.exec(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == member_id
        )
    ).first()
    if m is None:
        raise NotFound("Member not found.")
    return m


def change_role(
    user: User, workspace_id: uuid.UUID, member_id: uuid.UUID, role: Role
) -> MemberView:
    with admin_session(user, workspace_id, "change members' roles") as s:
        admins = _lock_admins(s, workspace_id)
        target = _target(s, workspace_id, member_id)
        if target.role == Role.admin and role != Role.admin and len(admins) <= 1:
            raise Conflict(
                "A workspace needs at least one admin: promote someone else first.",
                code="last_admin",
            )
        previous = target.role
        target.role = role
        s.add(target)
        member = s.get(User, member_id)
        assert member is not None
        activity.record(
            s,
            workspace_id,
            user,
            "member.role_changed",
            "member",
            member.id,
            member.full_name or member.email,
            {"role": role.value, "previous_role": previous.value},
        )
        return _member_view(member, role, target.created_at)


def remove_member(user: User, workspace_id: uuid.UUID, member_id: uuid.UUID) -> None:
    """Admins remove anyone; any member may remove themself (leave)."""
    require_session("remove members", workspace_id)
    with db.session() as s:
        if member_id != user.id:
            require_role(s, user, workspace_id, Role.admin)
        else:
            membership(s, user, workspace_id)
        admins = _lock_admins(s, workspace_id)
        target = _target(s, workspace_id, member_id)
        if target.role == Role.admin and len(admins) <= 1:
            raise Conflict(
                "The last admin cannot be removed: promote someone else first.", code="last_admin"
            )
        member = s.get(User, member_id)
        s.delete(target)
        activity.record(
            s,
            workspace_id,
            user,
            "member.removed",
            "member",
            member_id,
            (member.full_name or member.email) if member else "",
            {"role": target.role.value, "left": member_id == user.id},
        )


def _invite_status(inv: Invitation, now: dt.datetime) -> str:
    if inv.accepted_at:
        return "accepted"
    if inv.revoked_at:
        return "revoked"
    if inv.expires_at <= now:
        return "expired"
    return "pending"


def _invite_view(inv: Invitation) -> InviteView:
    return copy_view(InviteView, inv, status=_invite_status(inv, utcnow()))


def _member_view(u: User, role: Role, joined_at: dt.datetime) -> MemberView:
    return MemberView(
        user_id=u.id, email=u.email, full_name=u.full_name, role=role, joined_at=joined_at
    )


def invite_link(token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/invite/{token}"


def create_invite(
    user: User, workspace_id: uuid.UUID, role: Role, email: str | None = None
) -> CreatedInvite:
    require_session("invite members", workspace_id)
    if email:
        email = normalize_email(email)
    from app.services import plans

    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        plans.check_invite(s, workspace_id)
        token = new_token()
        inv = Invitation(
            workspace_id=workspace_id,
            token_hash=hash_token(token),
            role=role,
            email=email or None,
            invited_by=user.id,
            expires_at=utcnow() + dt.timedelta(days=settings.invite_days),
        )
        s.add(inv)
        s.flush()
        activity.record(
            s,
            workspace_id,
            user,
            "invite.created",
            "invite",
            inv.id,
            email or "invite link",
            {"role": role.value, "expires_at": inv.expires_at},
        )
        link = invite_link(token)
        emailed = False
        if inv.email:
            ws = s.get(Workspace, workspace_id)
            assert ws is not None
            message = mail_templates.invite(
                user.full_name or user.email, ws.name, role.value, link, settings.invite_days
            )
            emailed = mail.send(s, inv.email, message, kind="invite") is not None
        return CreatedInvite(
            **_invite_view(inv).model_dump(), token=token, link=link, emailed=emailed
        )


def list_invites(user: User, workspace_id: uuid.UUID) -> list[InviteView]:
    """Invites still usable (pending), newest first."""
    with admin_session(user, workspace_id, "manage invites") as s:
        rows = s.exec(
            select(Invitation)
            .where(
                Invitation.workspace_id == workspace_id,
                col(Invitation.accepted_at).is_(None),
                col(Invitation.revoked_at).is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(col(Invitation.created_at).desc())
        ).all()
        return [_invite_view(i) for i in rows]


def revoke_invite(user: User, workspace_id: uuid.UUID, invite_id: uuid.UUID) -> None:
    with admin_session(user, workspace_id, "manage invites") as s:
        inv = workspace_row(s, Invitation, workspace_id, invite_id, "Invite not found.")
        if inv.accepted_at is None and inv.revoked_at is None:
            inv.revoked_at = utcnow()
            s.add(inv)
            activity.record(
                s,
                workspace_id,
                user,
                "invite.revoked",
                "invite",
                inv.id,
                inv.email or "invite link",
                {"role": inv.role.value},
            )


def usable_invite(s: Session, token: str, *, lock: bool) -> Invitation:
    """A pending invite by its token, or NotFound/Gone saying why it cannot be used."""
    query = select(Invitation).where(Invitation.token_hash == hash_token(token.strip()))
    inv = s.exec(query.with_for_update() if lock else query).first()
    if inv is None:
        raise NotFound("This invite link is not valid.", code="invite_invalid")
    status = _invite_status(inv, utcnow())
    if status == "accepted":
        raise Gone("This invite link has already been used.", code="invite_used")
    if status == "revoked":
        raise Gone("This invite link was revoked.", code="invite_revoked")
    if status == "expired":
        raise Gone("This invite link has expired. Ask for a new one.", code="invite_expired")
    return inv


def invite_info(token: str) -> InviteInfo:
    """What an invite link offers, for the page that asks to accept it."""
    with db.session() as s:
        inv = usable_invite(s, token, lock=False)
        ws = s.get(Workspace, inv.workspace_id)
        inviter = s.get(User, inv.invited_by) if inv.invited_by else None
        assert ws is not None
        name = (inviter.full_name or inviter.email) if inviter else "an admin"
        return InviteInfo(
            workspace_name=ws.name, role=inv.role, invited_by=name, expires_at=inv.expires_at
        )


def accept_invite(user: User, token: str) -> WorkspaceView:
    require_session("accept invites")
    if user.email_verified_at is None and mail.require_verified_email() and mail.configured():
        raise Forbidden(
            "Confirm your email address first: open the link we emailed you (Herald can send "
            "a new one), then open the invite again.",
            code="email_unverified",
        )
    with db.session() as s:
        inv = usable_invite(s, token, lock=True)
        if inv.email and inv.email != user.email:
            raise Forbidden(
                "This invite was sent to another email address.", code="invite_wrong_email"
            )
        existing = s.exec(
            select(Membership).where(
                Membership.workspace_id == inv.workspace_id, Membership.user_id == user.id
            )
        ).first()
        if existing:
            raise Conflict("You are already a member of this workspace.", code="already_member")
        plans.check_join(s, inv.workspace_id)
        s.add(Membership(workspace_id=inv.workspace_id, user_id=user.id, role=inv.role))
        inv.accepted_at = utcnow()
        inv.accepted_by = user.id
        s.add(inv)
        s.flush()
        label = user.full_name or user.email
        details = {"role": inv.role.value, "invite_id": str(inv.id)}
        activity.record(
            s, inv.workspace_id, user, "invite.accepted", "invite", inv.id, label, details
        )
        activity.record(
            s, inv.workspace_id, user, "member.added", "member", user.id, label, details
        )
        ws = s.get(Workspace, inv.workspace_id)
        assert ws is not None
        return _view(ws, inv.role)
