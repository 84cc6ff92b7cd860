"""Registration (by the instance's policy, throttled per IP, strong passwords), login (throttled
so that nobody can lock out someone else), sessions and logout."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import math
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field
from redis.exceptions import RedisError
from sqlalchemy import delete, text, update
from sqlmodel import Session, col, select
from zxcvbn import zxcvbn

from app import db
from app.config import settings
from app.crypto import hash_token, new_token
from app.models import Membership, Role, Tier, User, UserSession, UserToken, Workspace, utcnow
from app.redis_client import redis
from app.services import mail, mail_templates, throttle
from app.services.access import require_session
from app.services.email_address import normalize_email
from app.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    ServiceError,
    TooManyRequests,
    Unauthenticated,
)
from app.services.instance_settings import registration
from app.services.workspaces import WorkspaceView, list_workspaces, usable_invite

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verified against on unknown emails so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password-000")

MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class Client:
    """Who is asking, for sessions and throttling."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str  # the raw session token; only its hash is stored


# zxcvbn score (0-4) a password needs: 3 = "safely unguessable" against online attacks and
# slow offline ones (argon2); it knows common and breached passwords, names and keyboard walks.
MIN_SCORE = 3


class Profile(BaseModel):
    """A user as they see themselves (`GET /api/me`)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    email: str
    full_name: str
    timezone: str
    time_format: str = Field(default="24h", description="24h or 12h: how the UI shows times.")
    timezone_confirmed: bool = Field(
        default=False, description="The person chose their time zone (or kept UTC knowingly)."
    )
    is_instance_admin: bool
    created_at: dt.datetime
    email_verified: bool = False


class Me(BaseModel):
    """The signed-in user and the workspaces they belong to."""

    model_config = ConfigDict(frozen=True)

    user: Profile
    workspaces: list[WorkspaceView]


def me(user: User) -> Me:
    profile = Profile(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        timezone=user.timezone,
        time_format=user.time_format,
        timezone_confirmed=user.timezone_confirmed,
        is_instance_admin=user.is_instance_admin,
        created_at=user.created_at,
        email_verified=user.email_verified_at is not None,
    )
    return Me(user=profile, workspaces=list_workspaces(user))


def check_password_strength(password: str, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse a password that is short or easy to guess, saying why and what would help."""
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(
            f"Password must be at most {MAX_PASSWORD} characters.",
            code="invalid_password",
            details={"field": "password"},
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"Password must be at least {MIN_PASSWORD} characters.",
            code="weak_password",
            details={"field": "password", "suggestions": []},
        )
    values = (*user_inputs, "herald")
    inputs = [*values, *(w for value in values for w in value.replace("@", " ").split())]
    result = zxcvbn(password[:72], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hints = [h for h in (feedback.get("warning"), *feedback.get("suggestions", [])) if h]
        raise InvalidInput(
            " ".join(["This password is too easy to guess.", *hints])
            if hints
            else "This password is too easy to guess: add a few uncommon words.",
            code="weak_password",
            details={"field": "password", "suggestions": feedback.get("suggestions", [])},
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _new_session(s: Session, user: User, client: Client) -> str:
    token = new_token()
    s.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=utcnow() + dt.timedelta(days=settings.session_days),
            user_agent=client.user_agent[:500],
            ip=client.ip[:64],
        )
    )
    return token


def register(
    email: str,
    password: str,
    full_name: str = "",
    client: Client = Client(),
    invite_token: str | None = None,
    *,
    timezone: str | None = None,
    time_format: str | None = None,
) -> SignedIn:
    """Create a user, their personal workspace and a session, all or nothing.

    `timezone` / `time_format`: what the sign-up form proposed from the browser (and the person
    kept or changed); a zone given here counts as chosen, so no sign-in prompt follows.

    The first user of the instance becomes its admin. After that, the instance's registration
    policy decides: open, invite-only (a valid invite link is needed) or closed. Attempts are
    throttled per IP.
    """
    throttle.take(
        f"register:{client.ip}",
        settings.register_per_ip_per_hour,
        "Too many sign-ups from your network.",
        "register_throttled",
    )
    zone = check_timezone(timezone) if timezone else None
    hours = check_time_format(time_format) if time_format else None
    with db.session() as s:
        user = create_user(s, email, password, full_name, policy=True, invite_token=invite_token)
        if zone is not None:
            user.timezone, user.timezone_confirmed = zone, True
        if hours is not None:
            user.time_format = hours
        s.add(user)
        token = _new_session(s, user, client)
        send_verification(s, user)
    return SignedIn(user=user, token=token)


def create_user(
    s: Session,
    email: str,
    password: str,
    full_name: str = "",
    *,
    admin: bool = False,
    policy: bool = False,
    invite_token: str | None = None,
) -> User:
    """A user and their personal workspace, in `s`; the instance's first user is its admin.
    `policy`: the registration policy applies (sign-ups do; the operator's shell does not)."""
    email = normalize_email(email)
    check_password_strength(password, (email, full_name))
    full_name = full_name.strip()[:200]
    # Serialise registrations so exactly one user can be "first" (the instance admin).
    s.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    first = s.exec(select(User.id).limit(1)).first() is None
    if policy and not first:  # who may join is checked before anything about accounts is said
        _check_policy(s, email, invite_token)
    if s.exec(select(User.id).where(User.email == email)).first():
        raise Conflict(
            "An account with this email already exists: sign in instead.",
            code="email_taken",
            details={"field": "email"},
        )
    user = User(
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        is_instance_admin=admin or first,
        last_login_at=utcnow(),
    )
    s.add(user)
    s.flush()
    label = full_name or email.split("@")[0]
    workspace = Workspace(
        name=f"{label}'s workspace"[:100],
        owner_id=user.id,
        is_personal=True,
        subscription_tier=Tier(settings.default_tier),
    )
    s.add(workspace)
    s.flush()
    s.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.admin))
    return user


def _check_policy(s: Session, email: str, invite_token: str | None) -> None:
    """The instance's registration policy (after the first user) allows this sign-up."""

    policy = registration().policy
    if policy == "closed":
        raise Forbidden(
            "This Herald does not take new sign-ups; ask its admin for an account.",
            code="registration_closed",
        )
    if policy == "invite":
        if not invite_token:
            raise Forbidden(
                "Sign-up on this Herald is by invitation: open the invite link you received.",
                code="invite_required",
            )
        invite = usable_invite(s, invite_token, lock=False)
        if invite.email and invite.email != email:
            raise Forbidden(
                "This invite was sent to another email address.", code="invite_wrong_email"
            )


def _pair_key(email: str, ip: str) -> str:
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    return f"herald:login-fail:pair:{digest}:{ip}"


def _ip_key(ip: str) -> str:
    return f"herald:login-fail:ip:{ip}"


def _check_throttle(email: str, ip: str) -> None:
    """Slow down guessing without letting anyone lock out someone else: failures count per
    (email, IP) pair, with delays that double after the free ones, and per IP over all emails.
    The right password from another IP is never held back by these failures."""
    try:
        r = redis()
        failures, last = cast(list[bytes | None], r.hmget(_pair_key(email, ip), ["n", "last"]))
        ip_failures = int(cast(bytes | None, r.get(_ip_key(ip))) or 0) if ip else 0
        ip_ttl = cast(int, r.ttl(_ip_key(ip))) if ip_failures else 0
    except RedisError:
        log.warning("login throttle unavailable: Redis unreachable")
        return
    if ip and ip_failures >= settings.login_max_failures_per_ip:
        wait = max(ip_ttl, 1)
        raise TooManyRequests(
            f"Too many failed sign-ins from your network. Try again in {wait // 60 + 1} minutes.",
            code="login_throttled",
            retry_after=wait,
        )
    extra = int(failures or 0) - settings.login_free_failures
    if extra >= 0 and last is not None:
        delay = min(2.0**extra, float(settings.login_max_delay_seconds))
        remaining = float(last) + delay - time.time()
        if remaining > 0:
            seconds = math.ceil(remaining)
            raise TooManyRequests(
                f"Too many failed sign-ins for this email. Try again in {seconds} seconds."
                if seconds < 90
                else f"Too many failed sign-ins for this email. Try again in "
                f"{math.ceil(seconds / 60)} minutes.",
                code="login_throttled",
                retry_after=seconds,
            )


def _record_failure(email: str, ip: str) -> None:
    try:
        pipe = redis().pipeline()
        key = _pair_key(email, ip)
        pipe.hincrby(key, "n", 1)
        pipe.hset(key, "last", f"{time.time():.3f}")
        pipe.expire(key, max(settings.login_window_seconds, settings.login_max_delay_seconds))
        if ip:
            pipe.incr(_ip_key(ip))
            pipe.expire(_ip_key(ip), settings.login_window_seconds, nx=True)
        pipe.execute()
    except RedisError:
        log.warning("login throttle unavailable: Redis unreachable")


def login(email: str, password: str, client: Client = Client()) -> SignedIn:
    email = email.strip().lower()
    _check_throttle(email, client.ip)
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).first()
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
            ok = user is not None and user.is_active
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None:
            _record_failure(email, client.ip)
            raise Unauthenticated(
                "Invalid email or password.",
                code="invalid_credentials",
                details={"field": "password"},
            )
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        s.add(user)
        token = _new_session(s, user, client)
    with contextlib.suppress(RedisError):
        redis().delete(_pair_key(email, client.ip))
    return SignedIn(user=user, token=token)


def logout(token: str) -> None:
    if not token:
        return
    with db.session() as s:
        row = s.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
        if row:
            s.delete(row)


def user_for_session(token: str | None) -> User | None:
    """The active user a session token belongs to, or None (unknown, expired, disabled)."""
    if not token:
        return None
    query = (
        select(User)
        .join(UserSession, col(UserSession.user_id) == User.id)
        .where(UserSession.token_hash == hash_token(token), UserSession.expires_at > utcnow())
    )

    def read(s: Session) -> User | None:
        row = s.exec(query).first()
        return row if row and row.is_active else None

    # Every UI event handler asks (one statement: no transaction round trips, db.in_autocommit).
    return db.in_autocommit(read)


def get_user(user_id: uuid.UUID) -> User | None:
    with db.session() as s:
        return s.get(User, user_id)


def check_timezone(value: str) -> str:
    """An IANA time zone name (e.g. Europe/Paris), or InvalidInput."""
    value = (value or "").strip()
    if value not in available_timezones():
        raise InvalidInput(
            f"Unknown time zone {value!r}: choose one from the list (e.g. Europe/Paris).",
            code="invalid_timezone",
            details={"field": "timezone"},
        )
    return value


TIME_FORMATS = ("24h", "12h")


def check_time_format(value: str) -> str:
    """`24h` or `12h`, or InvalidInput."""
    value = (value or "").strip().lower()
    if value not in TIME_FORMATS:
        raise InvalidInput(
            f"Unknown time format {value!r}: use 24h or 12h.",
            code="invalid_time_format",
            details={"field": "time_format"},
        )
    return value


@lru_cache(maxsize=1)
def available_timezones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def update_profile(
    user: User,
    full_name: str | None = None,
    timezone: str | None = None,
    time_format: str | None = None,
) -> User:
    """Change the signed-in person's name, time zone and/or time format (24h | 12h). A zone
    saved here counts as chosen: the sign-in prompt is not offered again."""
    require_session("change a profile")
    if full_name is not None:
        full_name = " ".join(full_name.split())
        if len(full_name) > 200:
            raise InvalidInput(
                "Name must be at most 200 characters.",
                code="invalid_name",
                details={"field": "full_name"},
            )
    if timezone is not None:
        timezone = check_timezone(timezone)
    if time_format is not None:
        time_format = check_time_format(time_format)
    with db.session() as s:
        row = _own_row(s, user)
        if full_name is not None:
            row.full_name = full_name
        if timezone is not None:
            row.timezone, row.timezone_confirmed = timezone, True
        if time_format is not None:
            row.time_format = time_format
        s.add(row)
        return row


def _own_row(s: Session, user: User) -> User:
    """The signed-in person's own row, read in this session."""
    row = s.get(User, user.id)
    if row is None:
        raise Unauthenticated("Sign in again.")
    return row


def answer_timezone_prompt(user: User, use: str | None) -> User:
    """The sign-in prompt "Your browser is in <zone>: use it?" was answered: `use` the zone
    named, or keep the current one (None). Either way it is not asked again."""
    require_session("change a profile")
    zone = check_timezone(use) if use is not None else None
    with db.session() as s:
        row = _own_row(s, user)
        if zone is not None:
            row.timezone = zone
        row.timezone_confirmed = True
        s.add(row)
        return row


def change_password(user: User, current: str, new: str, keep_session: str | None = None) -> int:
    """Set a new password after checking the current one. Every other session of the user is
    signed out (the one whose token is `keep_session` stays). Returns how many were ended."""
    require_session("change a password")
    with db.session() as s:
        row = s.exec(select(User).where(User.id == user.id).with_for_update()).first()
        if row is None:
            raise Unauthenticated("Sign in again.")
        try:
            _hasher.verify(row.password_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise InvalidInput(
                "The current password is not right.",
                code="wrong_password",
                details={"field": "current_password"},
            ) from None
        try:
            check_password_strength(new, (row.email, row.full_name))
        except InvalidInput as exc:
            exc.details = {**exc.details, "field": "new_password"}
            raise
        if new == current:
            raise InvalidInput(
                "The new password must differ from the current one.",
                code="same_password",
                details={"field": "new_password"},
            )
        row.password_hash = hash_password(new)
        s.add(row)
        _void_reset_links(s, row.id)
        keep = hash_token(keep_session) if keep_session else ""
        result = s.exec(
            delete(UserSession).where(
                col(UserSession.user_id) == user.id,
                col(UserSession.token_hash) != keep,
            )
        )
        return int(result.rowcount or 0)


# --- single-use links (a mailed password reset or email verification, or the operator's
# `herald users reset-password`): only a keyed hash of the token is stored.

RESET_HOURS = 24  # the operator's links; a mailed one lives settings.reset_link_minutes
_INVALID_RESET = "This reset link is invalid, expired or already used. Ask for a new one."


def issue_token(s: Session, user: User, purpose: str, lifetime: dt.timedelta) -> str:
    """A new single-use token for `user` (stored hashed in `s`); the raw token is returned."""
    token = new_token()
    s.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            expires_at=utcnow() + lifetime,
        )
    )
    return token


def _use_token(s: Session, token: str, purpose: str, invalid: ServiceError) -> User:
    """The active user of an unused, unexpired token (locked, then marked used), or `invalid`.
    Used only if the caller's transaction commits."""
    row = s.exec(
        select(UserToken)
        .where(UserToken.token_hash == hash_token((token or "").strip()))
        .with_for_update()
    ).first()
    now = utcnow()
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        raise invalid
    user = s.exec(select(User).where(User.id == row.user_id).with_for_update()).first()
    if user is None or not user.is_active:
        raise invalid
    row.used_at = now
    s.add(row)
    return user


def password_reset_token(s: Session, user: User, hours: int = RESET_HOURS) -> str:
    """A one-time reset token for the operator's link (`herald users reset-password`)."""
    return issue_token(s, user, "reset", dt.timedelta(hours=hours))


class ForgotAnswer(BaseModel):
    """The same whether or not an account uses the email."""

    model_config = ConfigDict(frozen=True)

    email_configured: bool = Field(
        description="false: this Herald cannot send email; the administrator resets passwords"
    )
    message: str


def request_password_reset(email: str, client: Client = Client()) -> ForgotAnswer:
    """ "Forgot password?": mail a one-time link (valid settings.reset_link_minutes) if an
    active account uses `email`. The answer never tells whether one does. Throttled per IP
    (429) and per email (quietly: no more mails than the budget)."""
    throttle.take(
        f"forgot:ip:{client.ip}",
        settings.forgot_per_ip_per_hour,
        "Too many password reset requests from your network.",
        "forgot_throttled",
    )
    if not mail.configured():
        return ForgotAnswer(
            email_configured=False,
            message="This Herald cannot send email. Ask its administrator to reset your password.",
        )
    email = normalize_email(email)
    answer = ForgotAnswer(
        email_configured=True,
        message="If an account uses this email, we sent it a link to choose a new password. "
        f"It works once, within {settings.reset_link_minutes} minutes.",
    )
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).first()
        if user is None or not user.is_active:
            return answer
        try:
            throttle.take(
                f"forgot:email:{hashlib.sha256(email.encode()).hexdigest()[:32]}",
                settings.forgot_per_email_per_hour,
                "",
                "forgot_throttled",
            )
        except TooManyRequests:
            log.info("password reset mail not sent: the email's hourly budget is spent")
            return answer
        token = issue_token(s, user, "reset", dt.timedelta(minutes=settings.reset_link_minutes))
        link = f"{settings.base_url}/reset-password?token={token}"
        mail.send(
            s,
            user.email,
            mail_templates.password_reset(user.full_name, link, settings.reset_link_minutes),
            kind="reset",
        )
    return answer


def reset_password(token: str, new: str, client: Client | None = None) -> SignedIn | None:
    """Set a new password with a reset link's token: every session of the user ends, the
    email's sign-in delays are lifted and the link (and any other reset link of the user)
    stops working. With `client`, that browser is signed in with a new session."""
    invalid = InvalidInput(_INVALID_RESET, code="invalid_reset_link")
    with db.session() as s:
        user = _use_token(s, token, "reset", invalid)
        set_password_in(s, user, new)
        if client is None:
            return None
        user.last_login_at = utcnow()
        return SignedIn(user=user, token=_new_session(s, user, client))


# --- email verification


def send_verification(s: Session, user: User) -> bool:
    """Mail `user` a link confirming their address (in `s`); False when email is off."""
    if not mail.configured():
        return False
    token = issue_token(s, user, "verify", dt.timedelta(hours=settings.verify_link_hours))
    link = f"{settings.base_url}/verify-email?token={token}"
    message = mail_templates.verify_email(user.full_name, link, settings.verify_link_hours)
    return mail.send(s, user.email, message, kind="verify") is not None


def resend_verification(user: User) -> bool:
    """Mail the signed-in user a new verification link (a few per hour); False when their
    address is verified already or email is off."""
    require_session("verify an email address")
    if user.email_verified_at is not None:
        return False
    throttle.take(f"verify:{user.id}", 5, "Too many verification emails.", "verify_throttled")
    with db.session() as s:
        row = s.get(User, user.id)
        if row is None:
            raise Unauthenticated("Sign in again.")
        return send_verification(s, row)


def verify_email(token: str) -> User:
    """Confirm the address a verification link was sent to."""
    invalid = InvalidInput(
        "This verification link is invalid, expired or already used. Sign in and ask for a "
        "new one.",
        code="invalid_verify_link",
    )
    with db.session() as s:
        user = _use_token(s, token, "verify", invalid)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
            s.add(user)
        return user


def _void_reset_links(s: Session, user_id: uuid.UUID) -> None:
    """A new password voids every reset link issued before it."""
    s.execute(
        update(UserToken)
        .where(
            col(UserToken.user_id) == user_id,
            col(UserToken.purpose) == "reset",
            col(UserToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )


def set_password_in(s: Session, user: User, new: str) -> int:
    """Check and store a new password, end all of the user's sessions, lift the email's
    sign-in delays (from every IP). Returns how many sessions ended."""
    check_password_strength(new, (user.email, user.full_name))
    user.password_hash = hash_password(new)
    s.add(user)
    _void_reset_links(s, user.id)
    ended = s.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    with contextlib.suppress(RedisError):
        r = redis()
        for key in r.scan_iter(_pair_key(user.email, "*"), count=200):
            r.delete(key)
    return int(ended.rowcount or 0)
