"""Plan tiers (free, pro, business) and their limits, checked where the action happens.

Plans are off unless `HERALD_BILLING=on`: a self-hosted instance has no limits and shows no
prices (the tier stays stored, so turning billing on later picks it up). With billing on,
Herald still has no payment integration: the tier is a workspace setting (Settings → Billing). A
workspace admin picks it, as on Buffer; an operator who sells plans outside Herald sets
`HERALD_PLAN_CHANGES=instance_admin` so that only the instance admin can change tiers (they
must be a member of the workspace, like everyone else). New workspaces start on
`HERALD_DEFAULT_TIER` (free unless configured).

The limits and where they are enforced:
- connected social accounts: `accounts.save_account` (a reconnect of an account already
  connected is always allowed; bringing a disconnected one back counts as a new one);
- members: `workspaces.create_invite` (members + pending invites) and `accept_invite`;
- scheduled posts per month: `posts.create_post` / `update_post` (not drafts), counted by the
  month (workspace time zone) the post is due in, cancelled posts excluded;
- AI captions per month: `ai.generate_caption`, from `ai_usage` (successful generations);
- media storage: `media.presign` and `media.confirm` (bytes of the workspace's media plus the
  declared sizes of uploads not confirmed yet).

Going over a limit raises `PlanLimit` (HTTP 402, code `plan_limit`) naming the limit and the
plan to upgrade to. A downgrade is refused while the workspace holds more than the new tier
allows of a standing quantity (accounts, members, storage); monthly counts over the new limit
are allowed, with a warning (new posts/captions wait for next month).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app import db
from app.config import settings
from app.models import (
    AccountStatus,
    AIUsage,
    Invitation,
    Media,
    MediaUpload,
    Membership,
    Post,
    PostStatus,
    Role,
    SocialAccount,
    Tier,
    User,
    Workspace,
    utcnow,
)
from app.services.access import require_role, require_session
from app.services.errors import Conflict, Forbidden, ServiceError, parse_choice

GB = 1024**3
MB = 1024**2


class PlanLimit(ServiceError, status=402, code="plan_limit"):
    """An action would take the workspace over its plan's limit."""


class Limits(BaseModel):
    """None means unlimited."""

    model_config = ConfigDict(frozen=True)

    accounts: int | None = Field(description="null: unlimited")
    members: int | None
    posts_per_month: int | None
    ai_captions_per_month: int | None
    storage_bytes: int | None

    def get(self, name: str) -> int | None:
        value: int | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class TierInfo:
    id: Tier
    name: str
    price: str
    blurb: str
    limits: Limits


TIERS: dict[Tier, TierInfo] = {
    Tier.free: TierInfo(
        Tier.free,
        "Free",
        "$0",
        "For trying Herald out on a few channels.",
        Limits(
            accounts=3,
            members=1,
            posts_per_month=30,
            ai_captions_per_month=20,
            storage_bytes=1 * GB,
        ),
    ),
    Tier.pro: TierInfo(
        Tier.pro,
        "Pro",
        "$15 / month",
        "For creators and small teams posting every day.",
        Limits(
            accounts=10,
            members=5,
            posts_per_month=1000,
            ai_captions_per_month=500,
            storage_bytes=25 * GB,
        ),
    ),
    Tier.business: TierInfo(
        Tier.business,
        "Business",
        "$65 / month",
        "For agencies and teams: no caps on channels, people or posts.",
        Limits(
            accounts=None,
            members=None,
            posts_per_month=None,
            ai_captions_per_month=5000,
            storage_bytes=500 * GB,
        ),
    ),
}
ORDER = [Tier.free, Tier.pro, Tier.business]

# Limit name → how people call it.
LABELS = {
    "accounts": "connected social accounts",
    "members": "members",
    "posts_per_month": "scheduled posts per month",
    "ai_captions_per_month": "AI captions per month",
    "storage_bytes": "media storage",
}
# Quantities a workspace holds (a downgrade below them is refused), vs monthly counters.
STANDING = ("accounts", "members", "storage_bytes")


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    accounts: int
    members: int
    pending_invites: int
    posts_per_month: int
    ai_captions_per_month: int
    storage_bytes: int

    def get(self, name: str) -> int:
        value: int = getattr(self, name)
        return value


class PlanView(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace_id: uuid.UUID = Field(exclude=True)
    tier: Tier
    name: str
    limits: Limits
    usage: Usage
    period_start: dt.datetime
    period_end: dt.datetime
    can_change: bool
    warnings: list[str]
    billing: bool = Field(
        description="Whether plans apply on this instance (HERALD_BILLING); when false every "
        "limit is null (unlimited) and the plan cannot be changed.",
    )


UNLIMITED = Limits(
    accounts=None,
    members=None,
    posts_per_month=None,
    ai_captions_per_month=None,
    storage_bytes=None,
)


def billing_on() -> bool:
    """Whether plans (tiers, limits, prices) apply on this instance (`HERALD_BILLING`)."""
    return settings.billing == "on"


def limits_of(tier: Tier) -> Limits:
    """The limits that apply to a workspace on `tier`: none while billing is off."""
    return TIERS[tier].limits if billing_on() else UNLIMITED


def parse_tier(value: str) -> Tier:
    return parse_choice(Tier, value, label="Plan", field="tier")


def default_tier() -> Tier:
    return parse_tier(settings.default_tier)


def label(name: str, amount: int | None = None) -> str:
    """The limit's name, singular for one ("1 member")."""
    text = LABELS[name]
    if amount == 1 and name in ("accounts", "members"):
        return text[:-1]
    return text


def format_amount(name: str, value: int | None) -> str:
    if value is None:
        return "unlimited"
    if name == "storage_bytes":
        return f"{value / GB:g} GB" if value >= GB else f"{value / MB:.0f} MB"
    return f"{value:,}"


def _upgrade_hint(tier: Tier, name: str, needed: int) -> str:
    for candidate in ORDER[ORDER.index(tier) + 1 :]:
        limit = TIERS[candidate].limits.get(name)
        if limit is None or limit >= needed:
            return f"Upgrade to {TIERS[candidate].name} in Settings → Billing for more."
    return "This is the highest plan's limit."


def _tz(ws: Workspace) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(ws.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def month_of(ws: Workspace, at: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (in the workspace's time zone) holding `at` (default: now)."""
    local = (at or utcnow()).astimezone(_tz(ws))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _count(s: Session, query: SelectOfScalar[int]) -> int:
    return int(s.exec(query).one() or 0)


def _accounts(s: Session, wid: uuid.UUID) -> int:
    return _count(
        s,
        select(func.count()).where(
            SocialAccount.workspace_id == wid,
            SocialAccount.status != AccountStatus.revoked,
            col(SocialAccount.is_sandbox).is_(False),
        ),
    )


def _members(s: Session, wid: uuid.UUID) -> int:
    return _count(s, select(func.count()).where(Membership.workspace_id == wid))


def _pending_invites(s: Session, wid: uuid.UUID) -> int:
    return _count(
        s,
        select(func.count()).where(
            Invitation.workspace_id == wid,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > utcnow(),
        ),
    )


def _posts(
    s: Session,
    wid: uuid.UUID,
    start: dt.datetime,
    end: dt.datetime,
    exclude: uuid.UUID | None = None,
) -> int:
    query = select(func.count()).where(
        Post.workspace_id == wid,
        col(Post.status).not_in([PostStatus.draft, PostStatus.cancelled]),
        col(Post.scheduled_at) >= start,
        col(Post.scheduled_at) < end,
    )
    if exclude is not None:
        query = query.where(Post.id != exclude)
    return _count(s, query)


def _captions(s: Session, wid: uuid.UUID, start: dt.datetime, end: dt.datetime) -> int:
    return _count(
        s,
        select(func.count()).where(
            AIUsage.workspace_id == wid,
            AIUsage.outcome == "ok",
            AIUsage.created_at >= start,
            AIUsage.created_at < end,
        ),
    )


def _storage(s: Session, wid: uuid.UUID) -> int:
    """Bytes of the workspace's media plus those reserved by uploads not confirmed yet."""
    stored = _count(
        s, select(func.coalesce(func.sum(Media.file_size), 0)).where(Media.workspace_id == wid)
    )
    pending = _count(
        s,
        select(func.coalesce(func.sum(MediaUpload.size), 0)).where(MediaUpload.workspace_id == wid),
    )
    return stored + pending


def _usage(s: Session, ws: Workspace) -> Usage:
    start, end = month_of(ws)
    return Usage(
        accounts=_accounts(s, ws.id),
        members=_members(s, ws.id),
        pending_invites=_pending_invites(s, ws.id),
        posts_per_month=_posts(s, ws.id, start, end),
        ai_captions_per_month=_captions(s, ws.id, start, end),
        storage_bytes=_storage(s, ws.id),
    )


def _lock(s: Session, wid: uuid.UUID) -> Workspace:
    """The workspace row, locked: checks of one workspace's limits run one at a time, so two
    concurrent actions cannot both take the last unit."""
    ws = s.exec(select(Workspace).where(Workspace.id == wid).with_for_update()).first()
    assert ws is not None
    return ws


def _refuse(ws: Workspace, name: str, used: int, adding: int, what: str = "") -> PlanLimit:
    info = TIERS[ws.subscription_tier]
    limit = info.limits.get(name)
    assert limit is not None
    amount = format_amount(name, limit)
    used_text = format_amount(name, used)
    what = what or f"This would take {LABELS[name]} to {format_amount(name, used + adding)}"
    return PlanLimit(
        f"The {info.name} plan allows {amount} {label(name, limit)}"
        + (f" (this workspace has {used_text})" if name != "storage_bytes" else "")
        + f". {what}. {_upgrade_hint(ws.subscription_tier, name, used + adding)}",
        details={
            "limit": name,
            "tier": ws.subscription_tier.value,
            "allowed": limit,
            "used": used,
            "requested": adding,
        },
    )


def check_accounts(s: Session, wid: uuid.UUID, adding: int = 1) -> None:
    if adding <= 0:
        return
    ws = _lock(s, wid)
    limit = limits_of(ws.subscription_tier).accounts
    used = _accounts(s, wid)
    if limit is not None and used + adding > limit:
        raise _refuse(ws, "accounts", used, adding, "Disconnect one or upgrade to connect more")


def check_invite(s: Session, wid: uuid.UUID) -> None:
    """Room for one more person: members plus invites still pending."""
    ws = _lock(s, wid)
    limit = limits_of(ws.subscription_tier).members
    used = _members(s, wid) + _pending_invites(s, wid)
    if limit is not None and used + 1 > limit:
        raise _refuse(
            ws,
            "members",
            _members(s, wid),
            1,
            "Members and pending invites count; revoke an invite or upgrade to invite more",
        )


def check_join(s: Session, wid: uuid.UUID) -> None:
    ws = _lock(s, wid)
    limit = limits_of(ws.subscription_tier).members
    used = _members(s, wid)
    if limit is not None and used + 1 > limit:
        raise _refuse(ws, "members", used, 1, "Ask an admin of the workspace to upgrade")


def check_post(
    s: Session, wid: uuid.UUID, due: dt.datetime | None, exclude: uuid.UUID | None = None
) -> None:
    """Room for one more scheduled (or published-now) post in the month it is due."""
    tier = s.exec(select(col(Workspace.subscription_tier)).where(Workspace.id == wid)).one()
    if limits_of(tier).posts_per_month is None:
        return  # unlimited: no count, no lock (posts of a workspace are created concurrently)
    ws = _lock(s, wid)
    limit = limits_of(ws.subscription_tier).posts_per_month
    if limit is None:
        return
    start, end = month_of(ws, due)
    used = _posts(s, wid, start, end, exclude)
    if used + 1 > limit:
        month = start.strftime("%B %Y")
        raise _refuse(
            ws,
            "posts_per_month",
            used,
            1,
            f"{month} already has {used}; save it as a draft or pick another month",
        )


def check_caption(s: Session, wid: uuid.UUID) -> None:
    ws = _lock(s, wid)
    limit = limits_of(ws.subscription_tier).ai_captions_per_month
    if limit is None:
        return
    start, end = month_of(ws)
    used = _captions(s, wid, start, end)
    if used + 1 > limit:
        raise _refuse(
            ws, "ai_captions_per_month", used, 1, "Captions come back on the 1st of next month"
        )


def check_storage(s: Session, wid: uuid.UUID, adding: int) -> None:
    ws = _lock(s, wid)
    limit = limits_of(ws.subscription_tier).storage_bytes
    used = _storage(s, wid)
    if limit is not None and used + adding > limit:
        raise _refuse(
            ws,
            "storage_bytes",
            used,
            adding,
            f"{format_amount('storage_bytes', used)} is used and this file needs "
            f"{format_amount('storage_bytes', adding)}; delete media or upgrade",
        )


def _may_change(user: User, member: Membership) -> bool:
    if settings.plan_changes == "instance_admin":
        return user.is_instance_admin
    return member.role == Role.admin


def _plan_view(
    s: Session, ws: Workspace, can_change: bool, warnings: list[str] | None = None
) -> PlanView:
    info = TIERS[ws.subscription_tier]
    start, end = month_of(ws)
    return PlanView(
        workspace_id=ws.id,
        tier=ws.subscription_tier,
        name=info.name if billing_on() else "Self-hosted",
        limits=limits_of(ws.subscription_tier),
        usage=_usage(s, ws),
        period_start=start,
        period_end=end,
        can_change=can_change and billing_on(),
        warnings=list(warnings or []),
        billing=billing_on(),
    )


def get_plan(user: User, workspace_id: uuid.UUID) -> PlanView:
    """The workspace's tier, its limits and the usage (any member)."""
    with db.session() as s:
        member = require_role(s, user, workspace_id, Role.viewer)
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        return _plan_view(s, ws, _may_change(user, member))


def usage(user: User, workspace_id: uuid.UUID) -> Usage:
    return get_plan(user, workspace_id).usage


def change_tier(user: User, workspace_id: uuid.UUID, tier: Tier) -> PlanView:
    """Switch the workspace's plan (see the module docstring for who may)."""
    require_session("change the plan")
    if not billing_on():
        raise Conflict(
            "Plans are off on this Herald (self-hosted: no limits). The operator turns them on "
            "with HERALD_BILLING=on.",
            code="billing_off",
        )
    with db.session() as s:
        member = require_role(s, user, workspace_id, Role.viewer)
        if not _may_change(user, member):
            who = (
                "the instance admin"
                if settings.plan_changes == "instance_admin"
                else "a workspace admin"
            )
            raise Forbidden(f"Only {who} can change the plan.")
        ws = _lock(s, workspace_id)
        current = _usage(s, ws)
        limits = TIERS[tier].limits
        over = [
            name
            for name in STANDING
            if (cap := limits.get(name)) is not None and current.get(name) > cap
        ]
        if over:
            parts = [
                f"{format_amount(n, current.get(n))} {label(n, current.get(n))} (allowed "
                f"{format_amount(n, limits.get(n))})"
                for n in over
            ]
            raise PlanLimit(
                f"This workspace is over the {TIERS[tier].name} plan's limits: "
                + "; ".join(parts)
                + ". Remove what is over, then switch.",
                code="plan_limit",
                details={"limits": over, "tier": tier.value},
            )
        warnings = [
            f"{format_amount(n, current.get(n))} {LABELS[n]} used this month is over the "
            f"{TIERS[tier].name} limit of {format_amount(n, limits.get(n))}: new ones wait "
            "until next month."
            for n in ("posts_per_month", "ai_captions_per_month")
            if (cap := limits.get(n)) is not None and current.get(n) > cap
        ]
        ws.subscription_tier = tier
        s.add(ws)
        s.flush()
        return _plan_view(s, ws, True, warnings)
