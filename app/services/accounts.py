"""Connected social accounts: storing tokens (encrypted), handing them to providers, refreshing
them under a per-account lock, and marking accounts broken only on a positive auth error."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
import uuid
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field
from redis.exceptions import LockError
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.crypto import decrypt, encrypt
from app.models import AccountStatus, PlatformApp, Role, SocialAccount, User, utcnow
from app.net import outbound
from app.observability import metrics
from app.providers.base import (
    USER_AGENT,
    AccountInfo,
    AuthError,
    Provider,
    ProviderError,
    TokenSet,
)
from app.providers.registry import get_provider, provider_class
from app.redis_client import redis
from app.services import account_posts, activity, plans, sandbox
from app.services.access import require_role, workspace_row
from app.services.views import copy_view

log = logging.getLogger(__name__)


class AccountFields(Protocol):
    """What tokens and providers read of an account: a SocialAccount, or the publishing
    engine's lighter record of one (`claims.ClaimedAccount`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def platform(self) -> str: ...
    @property
    def platform_account_id(self) -> str: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def token_expires_at(self) -> dt.datetime | None: ...
    @property
    def scopes(self) -> str: ...
    @property
    def is_sandbox(self) -> bool: ...
    @property
    def sandbox_state(self) -> str | None: ...


A = TypeVar("A", bound=AccountFields)

# Refresh tokens this long before they expire.
_clients: dict[str, httpx.Client] = {}
_providers: dict[tuple[str, str, bool], tuple[Provider, float]] = {}
PROVIDER_TTL = 60.0
_lock = threading.Lock()


class AccountView(BaseModel):
    """A connected account as the API and the pages show it (never its tokens)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    workspace_id: uuid.UUID = Field(exclude=True)
    platform: str
    platform_account_id: str
    name: str
    username: str
    avatar_url: str
    status: AccountStatus
    last_error: str | None
    token_expires_at: dt.datetime | None
    is_sandbox: bool


def avatar_of(a: SocialAccount) -> str:
    """The stored avatar; a sandbox account connected before the simulator drew avatars gets
    its drawn one (no blank circle)."""
    if a.is_sandbox and "/api/sandbox/avatar/" not in (a.avatar_url or ""):
        return sandbox.avatar_url(a.platform, a.username or a.platform_account_id, a.account_name)
    return a.avatar_url


def view(a: SocialAccount) -> AccountView:
    return copy_view(AccountView, a, name=a.account_name, avatar_url=avatar_of(a))


def platform_config(platform: str, instance_url: str = "") -> dict[str, str]:
    """How this instance talks to a platform: its OAuth client (env `HERALD_<PLATFORM>_CLIENT_ID`
    / `_CLIENT_SECRET` first, else the stored platform app — per server for federated platforms)
    and, from env, other endpoints (`HERALD_<PLATFORM>_API_BASE`, `_AUTH_BASE`: e.g. the
    simulator)."""
    prefix = f"HERALD_{platform.upper()}_"
    config = {
        key: os.environ[prefix + name]
        for key, name in (("api_base", "API_BASE"), ("auth_base", "AUTH_BASE"))
        if os.environ.get(prefix + name)
    }
    client_id = os.environ.get(prefix + "CLIENT_ID")
    if client_id:
        secret = os.environ.get(prefix + "CLIENT_SECRET", "")
        return {**config, "client_id": client_id, "client_secret": secret}
    with db.session() as s:
        app = s.exec(
            select(PlatformApp).where(
                PlatformApp.platform == platform, PlatformApp.instance_url == instance_url
            )
        ).first()
    if app is not None:
        secret = decrypt(app.client_secret) if app.client_secret else ""
        config |= {"client_id": app.client_id, "client_secret": secret}
    return config


def platforms_with_client(platforms: list[str]) -> set[str]:
    """Those of `platforms` with an OAuth client on this instance (what
    `platform_config(p)["client_id"]` gives, for the instance-wide app), in one query."""
    found = {p for p in platforms if os.environ.get(f"HERALD_{p.upper()}_CLIENT_ID")}
    rest = [p for p in platforms if p not in found]
    if rest:
        with db.session() as s:
            rows = s.exec(
                select(PlatformApp.platform, PlatformApp.client_id).where(
                    col(PlatformApp.platform).in_(rest), PlatformApp.instance_url == ""
                )
            ).all()
        found |= {platform for platform, client_id in rows if client_id}
    return found


# Requests a process's shared clients send at once: every job in flight may be sending one.
CONNECTIONS = settings.worker_concurrency + 8
# Connection pools of a process's shared clients (each thread uses one; see outbound.ThreadShards).
POOLS = 8


def guarded_client(connections: int = 20, shards: int = 1) -> httpx.Client:
    """An HTTP client for servers users choose (app.net.outbound)."""
    return outbound.client(
        headers={"User-Agent": USER_AGENT}, connections=connections, shards=shards
    )


def _client(kind: str) -> httpx.Client:
    """The process's shared client of a kind ("platform" or "guarded"); call under _lock."""
    if kind not in _clients:
        if kind == "guarded":
            _clients[kind] = guarded_client(CONNECTIONS, POOLS)
        else:
            read = settings.http_timeout_seconds
            timeout = httpx.Timeout(connect=5, read=read, write=60, pool=10)
            limits = httpx.Limits(
                max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS
            )
            pools = outbound.ThreadShards(
                lambda: httpx.HTTPTransport(verify=outbound.ssl_context(True), limits=limits),
                POOLS,
            )
            _clients[kind] = httpx.Client(
                timeout=timeout, transport=pools, headers={"User-Agent": USER_AGENT}
            )
    return _clients[kind]


def provider_for(account: AccountFields) -> Provider:
    """A provider for this account's platform and server, shared within the process (it keeps
    an HTTP connection pool and, for federated platforms, the server's limits)."""
    api_base = account.meta.get("api_base") or ""
    key = (account.platform, api_base, account.is_sandbox)
    with _lock:
        provider, built = _providers.get(key, (None, 0.0))
        # Rebuilt now and then, so changed app credentials reach every process.
        if provider is None or time.monotonic() - built > PROVIDER_TTL:
            federated = provider_class(account.platform).capabilities.per_instance
            configured = (
                sandbox.config(account.platform)
                if account.is_sandbox and not federated
                else platform_config(account.platform, api_base)
            )
            # A server the user named (a Mastodon instance, a Bluesky PDS) is reached only
            # through the guarded client; the platforms' own and the operator's endpoints not.
            chosen = bool(api_base) and not account.is_sandbox
            chosen = chosen and api_base != configured.get("api_base")
            config: dict[str, Any] = {"client": _client("guarded" if chosen else "platform")}
            config |= configured
            if api_base:
                config["api_base"] = api_base
            provider = get_provider(account.platform, **config)
            _providers[key] = (provider, time.monotonic())
        return provider


def token_of(account: AccountFields) -> TokenSet:
    meta = account.meta or {}
    return TokenSet(
        access_token=decrypt(account.access_token),
        refresh_token=decrypt(account.refresh_token) if account.refresh_token else None,
        expires_at=account.token_expires_at,
        scope=account.scopes,
        # What the provider stored at connect time (AccountInfo.metadata: user ids, author URNs,
        # page ids...) and the account's id on the platform.
        extra={
            "account_id": account.platform_account_id,
            **{k: v for k, v in meta.items() if k != "api_base"},
        },
    )


def _store_token(account: SocialAccount, token: TokenSet) -> None:
    account.access_token = encrypt(token.access_token)
    # A refresh never overwrites a refresh token with an empty value.
    if token.refresh_token:
        account.refresh_token = encrypt(token.refresh_token)
    account.token_expires_at = token.expires_at
    if token.scope:
        account.scopes = token.scope


def save_account(
    user: User,
    workspace_id: uuid.UUID,
    platform: str,
    token: TokenSet,
    info: AccountInfo,
    *,
    api_base: str | None = None,
    is_sandbox: bool = False,
) -> AccountView:
    """Store a newly connected account, or reconnect an existing one (keeping its posts)."""
    provider_class(platform)  # unknown platforms are refused before anything is written
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        account = s.exec(
            select(SocialAccount).where(
                SocialAccount.workspace_id == workspace_id,
                SocialAccount.platform == platform,
                SocialAccount.platform_account_id == info.platform_account_id,
            )
        ).first()
        reconnect = account is not None and account.status != AccountStatus.revoked
        if not is_sandbox and (account is None or account.status == AccountStatus.revoked):
            # A reconnect of a connected (or expired, broken) account is always allowed; a new
            # one, or a disconnected one brought back, needs room in the plan. Sandbox
            # accounts are a demo of the simulator and never count.
            plans.check_accounts(s, workspace_id)
        account = account or SocialAccount(
            workspace_id=workspace_id,
            platform=platform,
            platform_account_id=info.platform_account_id,
            connected_by=user.id,
        )
        account.account_name = info.name
        account.username = info.username
        account.avatar_url = (
            sandbox.avatar_url(platform, info.username or info.platform_account_id, info.name)
            if is_sandbox
            else info.avatar_url or ""
        )
        account.meta = {
            **account.meta,
            **info.metadata,
            **({"api_base": api_base} if api_base else {}),
        }
        account.is_sandbox = is_sandbox
        # Which state of the simulator knows this account (a reset one no longer does).
        account.sandbox_state = sandbox.current_state() if is_sandbox else None
        _store_token(account, token)
        account.status = AccountStatus.connected
        account.last_error = None
        account.status_changed_at = utcnow()
        account.updated_at = utcnow()
        s.add(account)
        s.flush()
        activity.record(
            s,
            workspace_id,
            user,
            "account.reconnected" if reconnect else "account.connected",
            "account",
            account.id,
            f"{provider_class(platform).display_name} · {account.account_name}",
            {"platform": platform, "reconnect": reconnect, "sandbox": is_sandbox},
        )
        account_posts.clear_kept_note(s, account.id)
        return view(account)


def _record_expired(s: Session, account: SocialAccount) -> None:
    """The engine found an account's access refused (or ending soon): an activity of "Herald"."""
    activity.record(
        s,
        account.workspace_id,
        None,
        "account.expiring" if account.status == AccountStatus.expiring else "account.expired",
        "account",
        account.id,
        f"{provider_class(account.platform).display_name} · {account.account_name}",
        {"status": account.status.value, "error": account.last_error},
    )


def workspace_accounts(s: Session, workspace_id: uuid.UUID) -> list[SocialAccount]:
    """Every account of the workspace (disconnected ones too), by platform and name."""
    return list(
        s.exec(
            select(SocialAccount)
            .where(SocialAccount.workspace_id == workspace_id)
            .order_by(SocialAccount.platform, SocialAccount.account_name)
        ).all()
    )


def list_accounts(user: User, workspace_id: uuid.UUID) -> list[AccountView]:
    def read(s: Session) -> list[AccountView]:
        require_role(s, user, workspace_id, Role.viewer)
        return [view(a) for a in workspace_accounts(s, workspace_id)]

    # The calendar and accounts pages ask on every load: reads only, no transaction needed.
    return db.in_autocommit(read)


def workspace_account(
    s: Session, workspace_id: uuid.UUID, account_id: uuid.UUID, lock: bool = False
) -> SocialAccount:
    """The workspace's account `account_id` (locked FOR UPDATE with `lock`), or NotFound."""
    return workspace_row(
        s, SocialAccount, workspace_id, account_id, "Account not found.", lock=lock
    )


def get_account(user: User, workspace_id: uuid.UUID, account_id: uuid.UUID) -> AccountView:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return view(workspace_account(s, workspace_id, account_id))


def mark_broken(
    account_id: uuid.UUID, status: AccountStatus, message: str, *, seen_since: dt.datetime
) -> None:
    """Record a positively identified auth failure once (the first change is the notice).

    `seen_since` is when what failed read the account (a publish's claim, a sweep's read): an
    account whose status changed after that (reconnected meanwhile) keeps its newer state."""
    with db.session() as s:
        account = s.get(SocialAccount, account_id, with_for_update=True)
        if account is None or account.status == status:
            return
        if account.status_changed_at is not None and account.status_changed_at > seen_since:
            return
        account.status = status
        account.last_error = message
        account.status_changed_at = utcnow()
        s.add(account)
        _record_expired(s, account)
    log.warning("account %s is now %s: %s", account_id, status.value, message)


class RefreshBusy(Exception):
    """Another process holds this account's refresh lock; try again shortly."""


def fresh_token(account: A, *, force: bool = False) -> tuple[A | SocialAccount, TokenSet]:
    """The account and a usable token, refreshed first when it expires soon (or when `force`):
    then the account is the row as re-read. Refreshing happens under a per-account Redis lock,
    so rotating refresh tokens are used once. Raises AuthError when the platform positively
    refuses the refresh (the account is marked expired), TransientError when it could not be
    reached, RefreshBusy under contention.
    """
    account_id = account.id
    token = token_of(account)
    provider = provider_for(account)
    ahead = provider.refresh_ahead
    if not (force or _expiring(token, ahead)) or not provider.capabilities.refresh_tokens:
        return account, token
    lock = redis().lock(f"herald:lock:refresh:{account_id}", timeout=60, blocking_timeout=20)
    if not lock.acquire():
        raise RefreshBusy(str(account_id))
    try:
        with db.session() as s:  # re-read: another process may have refreshed meanwhile
            row = s.get(SocialAccount, account_id, with_for_update=True)
            assert row is not None
            if row.status in (AccountStatus.expired, AccountStatus.revoked):
                # Already refused once: don't ask the platform again, don't notify again.
                raise AuthError(row.last_error or "Reconnect needed", refresh_may_help=False)
            current = token_of(row)
            if current.access_token != token.access_token and not _expiring(current, ahead):
                return row, current
            try:
                new = provider.refresh(current)
            except AuthError as exc:
                metrics.record_token_refresh_failure(row.platform)
                row.status = AccountStatus.expired
                row.last_error = f"Reconnect needed: {exc.message}"
                row.status_changed_at = utcnow()
                s.add(row)
                _record_expired(s, row)
                s.commit()
                raise
            except ProviderError:
                metrics.record_token_refresh_failure(row.platform)
                raise
            _store_token(row, new)
            row.last_refreshed_at = utcnow()
            if row.status in (AccountStatus.expiring, AccountStatus.error):
                row.status = AccountStatus.connected
                row.last_error = None
            s.add(row)
            return row, token_of(row)
    finally:
        with contextlib.suppress(LockError):  # it expired meanwhile; nothing else to do
            lock.release()


def _expiring(token: TokenSet, ahead: dt.timedelta) -> bool:
    return token.expires_at is not None and token.expires_at - utcnow() < ahead


# Accounts whose token cannot be refreshed turn "expiring" this long before it runs out.
NOTICE_AHEAD = dt.timedelta(days=7)
LONGEST_AHEAD = dt.timedelta(days=30)


def refresh_due_accounts(limit: int = 500) -> dict[str, int]:
    """The token sweep: refresh every connected account whose token expires within its
    platform's lead time; flag those that cannot be refreshed as expiring (one notice), and
    as expired once the token has run out."""
    read_at = utcnow()
    horizon = read_at + max(LONGEST_AHEAD, NOTICE_AHEAD)
    with db.session() as s:
        due = s.exec(
            select(SocialAccount)
            .where(
                col(SocialAccount.status).in_([AccountStatus.connected, AccountStatus.expiring]),
                col(SocialAccount.token_expires_at).is_not(None),
                col(SocialAccount.token_expires_at) < horizon,
            )
            .order_by(col(SocialAccount.token_expires_at))
            .limit(limit)
        ).all()
    counts = {"refreshed": 0, "failed": 0}
    for account in due:
        provider = provider_for(account)
        expires_at = account.token_expires_at
        assert expires_at is not None  # selected so
        left = expires_at - utcnow()
        if not provider.capabilities.refresh_tokens:
            if left <= dt.timedelta(0):
                mark_broken(
                    account.id,
                    AccountStatus.expired,
                    "The access expired: reconnect.",
                    seen_since=read_at,
                )
            elif left < NOTICE_AHEAD:
                day = expires_at.date().isoformat()
                mark_broken(
                    account.id,
                    AccountStatus.expiring,
                    f"Access ends on {day}: reconnect before then to keep publishing.",
                    seen_since=read_at,
                )
            continue
        # Two sweeps of slack, so one failed sweep still leaves time for the next.
        slack = 2 * dt.timedelta(seconds=settings.token_refresh_seconds)
        if left >= provider.refresh_ahead + slack:
            continue
        try:
            fresh_token(account, force=True)
            counts["refreshed"] += 1
        except (ProviderError, RefreshBusy) as exc:
            counts["failed"] += 1
            log.info("refresh of %s failed: %r", account.id, exc)
    return counts
