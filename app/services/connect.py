"""Connecting social accounts with OAuth: start (authorize URL), callback (code → tokens →
account), disconnect. The `state` is bound to the user and workspace that started the flow and
kept in Redis for ten minutes, with the PKCE verifier where the platform takes one."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import uuid
from dataclasses import asdict, dataclass
from typing import Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.crypto import decrypt, encrypt, new_token
from app.models import (
    AccountStatus,
    DestinationStatus,
    PlatformApp,
    PostDestination,
    Role,
    SocialAccount,
    User,
    utcnow,
)
from app.net import outbound
from app.providers.base import (
    AccountInfo,
    AuthError,
    Provider,
    ProviderError,
    TokenSet,
    make_code_verifier,
)
from app.providers.options import option_specs
from app.providers.registry import UnknownPlatform, all_providers, get_provider, provider_class
from app.redis_client import redis
from app.services import account_posts, accounts, activity, checks, plans, schedule
from app.services import sandbox as sandbox_mode
from app.services.access import require_role
from app.services.errors import Forbidden, Gone, InvalidInput, NotFound, ServiceError

STATE_TTL = 600
log = logging.getLogger(__name__)


class PlatformFailed(ServiceError, status=502, code="platform_error"):
    """The platform refused or failed during the connection."""


def callback_url(platform: str) -> str:
    return f"{settings.base_url}/api/accounts/callback/{platform}"


def _bad_instance(message: str, code: str = "invalid_instance") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": "instance_url"})


def _instance(url: str | None) -> str:
    """A federated server's base URL, normalised (https unless it is this machine)."""
    raw = (url or "").strip().rstrip("/")
    if not raw:
        raise _bad_instance(
            "Enter the address of your server, e.g. mastodon.social.", "instance_required"
        )
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _bad_instance(f"{url!r} is not a server address.")
    base = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
    # Plain http only for a server the operator allowed (HERALD_OUTBOUND_ALLOW: a simulator).
    if parts.scheme == "http" and not outbound.listed(base):
        raise _bad_instance("The server must use https.")
    try:
        outbound.check(base)
    except outbound.OutboundRefused as exc:
        raise _bad_instance(
            f"{parts.hostname} is not a public server address.", "private_address"
        ) from exc
    except httpx.HTTPError as exc:
        raise _bad_instance(f"The server {parts.hostname} could not be found.") from exc
    return base


def _instance_app(
    platform: str, instance: str, provider: Provider, *, check: bool = True
) -> dict[str, str]:
    """Federated platforms register Herald once per server; the credentials are kept. When
    `check`, a registration the server no longer knows (the app was deleted or suspended, the
    server was rebuilt) is replaced by a new one, once."""
    known = accounts.platform_config(platform, instance)
    if known.get("client_id"):
        creds = {"client_id": known["client_id"], "client_secret": known["client_secret"]}
        checked = get_provider(platform, api_base=instance, client=provider.client, **creds)
        if not check or checked.registration_valid():
            return creds
        log.warning("%s no longer knows Herald's app; registering again", instance)
        _forget_instance_app(platform, instance)
    try:
        created = provider.register_app(
            client_name="Herald", redirect_uris=[callback_url(platform)], website=settings.base_url
        )
    except ProviderError as exc:
        raise PlatformFailed(f"{instance} refused to register Herald: {exc.message}") from exc
    with db.session() as s:
        s.add(
            PlatformApp(
                platform=platform,
                instance_url=instance,
                client_id=created["client_id"],
                client_secret=encrypt(created["client_secret"]),
            )
        )
    return {"client_id": created["client_id"], "client_secret": created["client_secret"]}


def _forget_instance_app(platform: str, instance: str) -> None:
    with db.session() as s:
        for app in s.exec(
            select(PlatformApp).where(
                PlatformApp.platform == platform, PlatformApp.instance_url == instance
            )
        ).all():
            s.delete(app)


def _provider(
    platform: str, instance: str | None, sandbox: bool = False, *, starting: bool = True
) -> tuple[Provider, str | None]:
    """The provider to connect with, and the account's own API base (federated or sandbox).
    A connection `starting` makes sure a federated server still knows Herald's app; the
    callback uses the app the user approved."""
    try:
        cls = provider_class(platform)
    except UnknownPlatform as exc:
        raise NotFound(f"Unknown platform {platform!r}.") from exc
    if sandbox:
        sandbox_mode.require()
        if cls.capabilities.per_instance:  # the simulated server registers Herald like any other
            base = sandbox_mode.base(platform)
            creds = _instance_app(
                platform, base, get_provider(platform, api_base=base), check=starting
            )
            return get_provider(platform, api_base=base, **creds), base
        config: dict[str, Any] = sandbox_mode.config(platform)
        return get_provider(platform, **config), config["api_base"]
    if cls.capabilities.per_instance:  # a server the user named: only the guarded client
        base = _instance(instance)
        client = accounts.guarded_client()
        provider = get_provider(platform, api_base=base, client=client)
        creds = _instance_app(platform, base, provider, check=starting)
        return get_provider(platform, api_base=base, client=client, **creds), base
    config = accounts.platform_config(platform)
    if not config.get("client_id"):
        raise InvalidInput(
            f"{cls.display_name} is not set up on this Herald: an instance admin must add its "
            "app credentials first.",
            code="platform_not_configured",
        )
    provider = get_provider(platform, **config)
    return provider, config.get("api_base")


def start(
    user: User,
    workspace_id: uuid.UUID,
    platform: str,
    instance_url: str | None,
    *,
    sandbox: bool = False,
) -> str:
    """The URL to send the user to; the platform comes back to the callback."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
    provider, instance = _provider(platform, instance_url, sandbox)
    if provider.capabilities.app_password:
        raise InvalidInput(
            f"{provider.display_name} connects with a handle and an app password.",
            code="app_password_platform",
        )
    state = new_token(24)
    verifier = make_code_verifier() if provider.capabilities.pkce else None
    record = {
        "user_id": str(user.id),
        "workspace_id": str(workspace_id),
        "platform": platform,
        "instance": instance,
        "sandbox": sandbox,
        "verifier": verifier,
    }
    redis().set(f"herald:oauth:{state}", json.dumps(record), ex=STATE_TTL)
    try:
        url = provider.authorize_url(
            state=state, redirect_uri=callback_url(platform), code_verifier=verifier
        )
    except ProviderError as exc:
        raise PlatformFailed(exc.message) from exc
    if sandbox:  # the browser never visits the simulator: Herald approves, the callback follows
        return sandbox_mode.approve(url, workspace_id, callback_url(platform))
    return url


def connect_sandbox(
    user: User, workspace_id: uuid.UUID, platform: str
) -> list[accounts.AccountView] | Pending:
    """The one-click sandbox connect of an OAuth network, all on the server: Herald approves
    the simulated consent (`start`) and completes the flow it started (`finish`, which checks
    the state and that the same user started it). No popup, no page load: well under 2 s."""
    callback = urlsplit(start(user, workspace_id, platform, None, sandbox=True))
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    return finish(user, platform, query.get("state", ""), query.get("code"), query.get("error"))


class Choice(BaseModel):
    """One account a login can publish as (a Page, an organization, a channel...)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    username: str
    avatar_url: str
    connected: bool = Field(description="Already connected to this workspace.")


class Pending(BaseModel):
    """A login that manages several accounts: the user picks which to connect."""

    model_config = ConfigDict(frozen=True)

    key: str
    platform: str
    platform_name: str
    choices: list[Choice]


def finish(
    user: User, platform: str, state: str, code: str | None, error: str | None = None
) -> list[accounts.AccountView] | Pending:
    """Complete the flow the same user started: exchange the code, then store the account, or
    ask which ones to connect when the login manages several."""
    stash, targets = _exchange(user, platform, state, code, error)
    if len(targets) == 1:
        return _save_targets(user, stash, [targets[0][0].platform_account_id])
    key = new_token(18)
    redis().set(f"herald:oauth:pick:{key}", encrypt(json.dumps(stash)), ex=STATE_TTL)
    return pending(user, key)


def _exchange(
    user: User, platform: str, state: str, code: str | None, error: str | None = None
) -> tuple[dict[str, Any], list[tuple[AccountInfo, TokenSet]]]:
    """The code of a flow the same user started, exchanged: the stash (what `_save_targets`
    stores) and the accounts the login can publish as."""
    raw = cast(bytes | None, redis().getdel(f"herald:oauth:{state}")) if state else None
    if raw is None:
        raise Gone("This connection attempt expired or was already used; start again.",
                   code="oauth_state_invalid")  # fmt: skip
    record = json.loads(raw)
    if record["user_id"] != str(user.id):
        raise Forbidden("This connection was started by someone else.", code="oauth_state_user")
    if record["platform"] != platform:
        raise InvalidInput("The platform does not match this connection.", code="oauth_mismatch")
    if error or not code:
        raise InvalidInput(
            f"The connection was not approved ({error or 'no code'}).", code="oauth_denied"
        )
    sandbox = bool(record.get("sandbox"))
    provider, instance = _provider(platform, record["instance"], sandbox, starting=False)
    try:
        token = provider.exchange_code(
            code=code, redirect_uri=callback_url(platform), code_verifier=record["verifier"]
        )
        targets = provider.publish_targets(token)
    except ProviderError as exc:
        if exc.code == "invalid_client" and provider.capabilities.per_instance and instance:
            # The server forgot Herald's app between the start and now: the next start
            # registers again; this code was issued to the old app and cannot be used.
            _forget_instance_app(platform, instance)
            raise PlatformFailed(
                f"{instance} no longer knows Herald's registration. Connect again: Herald "
                "registers itself anew."
            ) from exc
        raise PlatformFailed(f"{provider.display_name}: {exc.message}") from exc
    if not targets:
        raise InvalidInput(
            f"This {provider.display_name} login has nothing Herald can publish to "
            "(no page, channel or account you manage).",
            code="no_publish_targets",
        )
    stash = {
        "user_id": str(user.id),
        "workspace_id": record["workspace_id"],
        "platform": platform,
        "instance": instance,
        "sandbox": sandbox,
        "targets": [{"info": asdict(i), "token": _token_json(t)} for i, t in targets],
    }
    return stash, targets


def _token_json(token: TokenSet) -> dict[str, Any]:
    expires = token.expires_at.isoformat() if token.expires_at else None
    return asdict(token) | {"expires_at": expires}


def _token_of(data: dict[str, Any]) -> TokenSet:
    expires = data["expires_at"] and dt.datetime.fromisoformat(data["expires_at"])
    return TokenSet(**data | {"expires_at": expires or None})


def _stash(user: User, key: str) -> dict[str, Any]:
    raw = cast(bytes | str | None, redis().get(f"herald:oauth:pick:{key}")) if key else None
    if raw is None:
        raise Gone("This choice expired or was already made; connect again.",
                   code="oauth_pick_invalid")  # fmt: skip
    stash: dict[str, Any] = json.loads(decrypt(raw if isinstance(raw, str) else raw.decode()))
    if stash["user_id"] != str(user.id):
        raise NotFound("Nothing to choose here.")
    return stash


def _connected_ids(s: Session, workspace_id: uuid.UUID, platform: str) -> set[str]:
    """The platform account ids of the workspace's accounts on `platform` not revoked."""
    return set(
        s.exec(
            select(SocialAccount.platform_account_id).where(
                SocialAccount.workspace_id == workspace_id,
                SocialAccount.platform == platform,
                SocialAccount.status != AccountStatus.revoked,
            )
        ).all()
    )


def pending(user: User, key: str) -> Pending:
    """The accounts a multi-account login offers, for the user who connected it."""
    stash = _stash(user, key)
    workspace_id = uuid.UUID(stash["workspace_id"])
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        known = _connected_ids(s, workspace_id, stash["platform"])
    choices = []
    for target in stash["targets"]:
        info = target["info"]
        choices.append(
            Choice(
                id=info["platform_account_id"],
                name=info["name"],
                username=info["username"],
                avatar_url=(
                    sandbox_mode.avatar_url(
                        stash["platform"],
                        info["username"] or info["platform_account_id"],
                        info["name"],
                    )
                    if stash.get("sandbox")
                    else info.get("avatar_url") or ""
                ),
                connected=info["platform_account_id"] in known,
            )
        )
    name = provider_class(stash["platform"]).display_name
    return Pending(key=key, platform=stash["platform"], platform_name=name, choices=choices)


def choose(user: User, key: str, ids: list[str]) -> list[accounts.AccountView]:
    """Connect the chosen accounts of a multi-account login."""
    stash = _stash(user, key)
    saved = _save_targets(user, stash, ids)
    redis().delete(f"herald:oauth:pick:{key}")
    return saved


def _save_targets(user: User, stash: dict[str, Any], ids: list[str]) -> list[accounts.AccountView]:
    offered = {t["info"]["platform_account_id"]: t for t in stash["targets"]}
    unknown = [i for i in ids if i not in offered]
    if not ids or unknown:
        raise InvalidInput(
            f"Not offered by this login: {', '.join(unknown)}."
            if unknown
            else "Pick at least one of the offered accounts.",
            code="invalid_choice",
            details={"field": "ids"},
        )
    workspace_id = uuid.UUID(stash["workspace_id"])
    with db.session() as s:  # all chosen fit in the plan, or none is connected
        require_role(s, user, workspace_id, Role.admin)
        known = _connected_ids(s, workspace_id, stash["platform"])
        if not stash["sandbox"]:
            plans.check_accounts(s, workspace_id, len(set(ids) - known))
    return [
        accounts.save_account(
            user,
            workspace_id,
            stash["platform"],
            _token_of(offered[pid]["token"]),
            AccountInfo(**offered[pid]["info"]),
            api_base=stash["instance"],
            is_sandbox=stash["sandbox"],
        )
        for pid in dict.fromkeys(ids)
    ]


def login(
    user: User,
    workspace_id: uuid.UUID,
    platform: str,
    identifier: str,
    app_password: str,
    server: str | None = None,
    *,
    sandbox: bool = False,
) -> accounts.AccountView:
    """Connect a platform that signs in with a handle and an app password (Bluesky). In the
    sandbox, the simulator's own login is used when none is given."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
    try:
        cls = provider_class(platform)
    except UnknownPlatform as exc:
        raise NotFound(f"Unknown platform {platform!r}.") from exc
    if not cls.capabilities.app_password:
        raise InvalidInput(f"{cls.display_name} connects with OAuth.", code="oauth_platform")
    if sandbox:
        sandbox_mode.require()
        config: dict[str, Any] = sandbox_mode.config(platform)
        if not identifier:  # the workspace's own simulated account
            identifier, app_password = sandbox_mode.login_of(platform, workspace_id)
    else:
        config = {**accounts.platform_config(platform)}
        if server:  # a server the user named: only the guarded client
            config |= {"api_base": _instance(server), "client": accounts.guarded_client()}
    if not identifier.strip() or not app_password.strip():
        raise InvalidInput(
            "Enter your handle and an app password.",
            code="credentials_required",
            details={"field": "identifier" if not identifier.strip() else "app_password"},
        )
    provider = get_provider(platform, **config)
    try:
        token = provider.login(identifier.strip(), app_password.strip())
        info = provider.account_info(token)
    except AuthError as exc:
        raise InvalidInput(
            f"{cls.display_name} refused the handle or app password ({exc.message}).",
            code="platform_credentials",
        ) from exc
    except ProviderError as exc:
        raise PlatformFailed(f"{cls.display_name}: {exc.message}") from exc
    return accounts.save_account(
        user,
        workspace_id,
        platform,
        token,
        info,
        api_base=config.get("api_base"),
        is_sandbox=sandbox,
    )


def reconnect(user: User, workspace_id: uuid.UUID, account_id: uuid.UUID) -> str | None:
    """Connect an account again (its posts and history stay): the URL to send the user to, or
    None when it is done at once (any sandbox account; an account of a sandbox that was reset
    brings every account of the old sandbox back with it). For a sandbox login that manages
    several accounts, the URL is the Accounts page's choice of them (`/accounts/?pick=`). A real
    app-password account needs a new app password, entered on the Accounts page."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        account = accounts.workspace_account(s, workspace_id, account_id)
        platform, sandbox = account.platform, account.is_sandbox
        name, api_base = account.account_name or account.username, account.meta.get("api_base")
        stale = sandbox_mode.is_stale(account)
    if stale:  # the sandbox was reset: every account of the old sandbox, at once
        done = reconnect_sandbox(user, workspace_id)
        if account_id in done.failed:
            raise PlatformFailed(done.failed[account_id])
        return None
    cls = provider_class(platform)
    if cls.capabilities.app_password:
        if not sandbox:
            raise InvalidInput(
                f"Enter a new app password for {name} under Accounts to reconnect it.",
                code="app_password_needed",
            )
        login(user, workspace_id, platform, "", "", sandbox=True)
        return None
    if sandbox:  # all on the server, as the one-click connect (no popup, no page load)
        made = connect_sandbox(user, workspace_id, platform)
        return f"/accounts/?{urlencode({'pick': made.key})}" if isinstance(made, Pending) else None
    instance = api_base if cls.capabilities.per_instance else None
    return start(user, workspace_id, platform, instance)


class SandboxReconnect(BaseModel):
    """What `reconnect_sandbox` did: the accounts connected again, and why others were not."""

    model_config = ConfigDict(frozen=True)

    reconnected: list[accounts.AccountView]
    failed: dict[uuid.UUID, str]


@dataclass(frozen=True)
class _Stale:
    """A sandbox account whose simulator state is gone, as its new simulated account is found."""

    id: uuid.UUID
    platform_account_id: str
    username: str
    name: str


def reconnect_sandbox(user: User, workspace_id: uuid.UUID) -> SandboxReconnect:
    """Connect again, in one go, every sandbox account of the workspace whose simulator state
    is gone (sandbox.flag_stale). Each keeps its row, posts and history: the account the
    simulator offers the workspace now takes its place (the same id, else the same user name
    or name, else the only one offered), and its posts waiting for the reconnection go out now."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
    sandbox_mode.require()
    stale = sandbox_mode.flag_stale(workspace_id)
    olds: dict[str, list[_Stale]] = {}
    with db.session() as s:
        for account_id in stale:
            a = s.get(SocialAccount, account_id)
            if a is not None:
                olds.setdefault(a.platform, []).append(
                    _Stale(id=a.id, platform_account_id=a.platform_account_id,
                           username=a.username, name=a.account_name)
                )  # fmt: skip
    done: list[accounts.AccountView] = []
    failed: dict[uuid.UUID, str] = {}
    for platform, rows in olds.items():
        try:
            targets, api_base = _sandbox_targets(user, workspace_id, platform)
        except ServiceError as exc:
            failed.update({row.id: exc.message for row in rows})
            continue
        for row in rows:
            match = _same_account(row, targets, only=len(rows) == 1)
            if match is None:
                failed[row.id] = "The sandbox no longer offers this account."
                continue
            info, token = match
            _rekey(row.id, info.platform_account_id)
            done.append(
                accounts.save_account(
                    user, workspace_id, platform, token, info, api_base=api_base, is_sandbox=True
                )
            )
    _publish_waiting([v.id for v in done])
    return SandboxReconnect(reconnected=done, failed=failed)


def _sandbox_targets(
    user: User, workspace_id: uuid.UUID, platform: str
) -> tuple[list[tuple[AccountInfo, TokenSet]], str | None]:
    """The accounts the workspace's own simulated login offers now, with their tokens, as the
    one-click sandbox connect gets them (Herald approves the simulated consent itself)."""
    cls = provider_class(platform)
    if cls.capabilities.app_password:
        config: dict[str, Any] = sandbox_mode.config(platform)
        identifier, password = sandbox_mode.login_of(platform, workspace_id)
        provider = get_provider(platform, **config)
        try:
            token = provider.login(identifier, password)
            return [(provider.account_info(token), token)], config.get("api_base")
        except ProviderError as exc:
            raise PlatformFailed(f"{cls.display_name}: {exc.message}") from exc
    callback = urlsplit(start(user, workspace_id, platform, None, sandbox=True))
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    stash, targets = _exchange(
        user, platform, query.get("state", ""), query.get("code"), query.get("error")
    )
    return targets, stash["instance"]


def _same_account(
    old: _Stale, targets: list[tuple[AccountInfo, TokenSet]], *, only: bool
) -> tuple[AccountInfo, TokenSet] | None:
    for attr in ("platform_account_id", "username", "name"):
        for info, token in targets:
            if getattr(old, attr) and getattr(info, attr) == getattr(old, attr):
                return info, token
    return targets[0] if only and len(targets) == 1 else None


def _rekey(account_id: uuid.UUID, platform_account_id: str) -> None:
    """Give a stale sandbox account the id its simulated account has now (unless another row of
    the workspace already has it: that one is the connection then)."""
    with db.session() as s:
        account = s.get(SocialAccount, account_id, with_for_update=True)
        if account is None or account.platform_account_id == platform_account_id:
            return
        taken = s.exec(
            select(SocialAccount.id).where(
                SocialAccount.workspace_id == account.workspace_id,
                SocialAccount.platform == account.platform,
                SocialAccount.platform_account_id == platform_account_id,
            )
        ).first()
        if taken is None:
            account.platform_account_id = platform_account_id
            s.add(account)


def _publish_waiting(account_ids: list[uuid.UUID]) -> None:
    """Posts held for these accounts (queued for a later try) go out now."""
    if not account_ids:
        return
    now = utcnow()
    with db.session() as s:
        rows = s.exec(
            select(PostDestination).where(
                col(PostDestination.social_account_id).in_(account_ids),
                PostDestination.status == DestinationStatus.queued,
                col(PostDestination.next_attempt_at) > now,
            )
        ).all()
        for dest in rows:
            dest.next_attempt_at = now
            s.add(dest)
        due = [(d.id, now) for d in rows]
    schedule.schedule_publishes(due)


def disconnect(
    user: User, workspace_id: uuid.UUID, account_id: uuid.UUID, posts: str = "keep"
) -> account_posts.DisconnectReport:
    """Revoke the token where the platform allows it and forget it. The account row stays, so
    its history remains; connecting it again brings it back. The posts still waiting for it
    are kept (marked, and failed with that reason if still disconnected when due) or lose it
    (`posts="remove"`; a post left with no destination becomes a draft): see account_posts."""
    choice = account_posts.parse_choice(posts)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        account = accounts.workspace_account(s, workspace_id, account_id, lock=True)
        if account.access_token:
            # Revoking is a courtesy: the token is forgotten below either way.
            with contextlib.suppress(ProviderError):
                accounts.provider_for(account).revoke(accounts.token_of(account))
        account.access_token = ""
        account.refresh_token = None
        account.token_expires_at = None
        account.status = AccountStatus.revoked
        account.last_error = account_posts.DISCONNECTED
        account.status_changed_at = utcnow()
        s.add(account)
        activity.record(
            s,
            workspace_id,
            user,
            "account.disconnected",
            "account",
            account.id,
            f"{provider_class(account.platform).display_name} · {account.account_name}",
            {"platform": account.platform},
        )
        report, stale = account_posts.settle(s, account_id, choice)
    account_posts.unschedule(stale)
    return report


def waiting_posts(user: User, workspace_id: uuid.UUID, account_id: uuid.UUID) -> int:
    """How many scheduled posts still wait to go out on this account (what a disconnect
    would affect)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        accounts.workspace_account(s, workspace_id, account_id)  # or NotFound
        return account_posts.waiting_count(s, account_id)


def platforms() -> list[dict[str, Any]]:
    """Every connector with whether it is usable here, its limits, capabilities, how it counts
    text and its post options (labels, help, choices), all read from the provider."""
    out = []
    providers = all_providers()
    # One query for every OAuth network's client (not one per network).
    caps_of = {c.id: c.capabilities for c in providers}
    with_client = accounts.platforms_with_client(
        [p for p, caps in caps_of.items() if not (caps.per_instance or caps.app_password)]
    )
    for cls in providers:
        limits = cls.default_limits
        caps = cls.capabilities
        configured = caps.per_instance or caps.app_password or cls.id in with_client
        out.append(
            {
                "id": cls.id,
                "name": cls.display_name,
                "configured": configured,
                "sandbox": sandbox_mode.enabled(),
                "limits": {
                    "text": limits.max_text_length,
                    "media": limits.max_media,
                    "media_types": sorted(limits.media_types),
                    "max_bytes": dict(limits.max_bytes),
                    "max_image_side": cls.max_image_side,
                    "alt_text": cls.alt_text_limit,
                },
                # What a post needs there, in words (the composer shows the same sentence).
                "requirements": checks.requirements(cls.id),
                "capabilities": {
                    k: v for k, v in vars(cls.capabilities).items() if isinstance(v, bool)
                },
                "counting": cls.text_rules.NOTE,
                "options": [spec.as_dict() for spec in option_specs(cls.options_model)],
            }
        )
    return out
