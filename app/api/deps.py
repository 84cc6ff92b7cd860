"""Request authentication: the session cookie (browser), a Bearer session token, or a Bearer
API key (`hk_…`, see app.services.api_keys)."""

from __future__ import annotations

import contextlib
import ipaddress
import uuid
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.config import settings
from app.models import User
from app.services import api_keys, auth
from app.services.access import KeyScope, use_key_scope
from app.services.errors import Forbidden, InvalidInput, NotFound, Unauthenticated

SESSION_COOKIE = "herald_session"
_SAFE = {"GET", "HEAD", "OPTIONS"}


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for item in settings.trusted_proxies.split(","):
        with contextlib.suppress(ValueError):
            if item.strip() and ip in ipaddress.ip_network(item.strip(), strict=False):
                return True
    return False


def client_ip(request: Request) -> str:
    """The client's address: the connecting one, or behind trusted reverse proxies
    (HERALD_TRUSTED_PROXIES) the last X-Forwarded-For hop none of them added."""
    ip = request.client.host if request.client else ""
    if not _trusted(ip):
        return ip
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop[:64]
    return hops[0][:64] if hops else ip


def client_of(request: Request) -> auth.Client:
    return auth.Client(ip=client_ip(request), user_agent=request.headers.get("user-agent", ""))


def _bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def check_same_origin(request: Request) -> None:
    """Cookie-authenticated mutations must come from our own pages (CSRF defence)."""
    if request.method in _SAFE:
        return
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return  # non-browser clients send neither; browsers always send Origin on POST
    parts = urlsplit(origin)
    allowed = {urlsplit(o).netloc for o in settings.allowed_origins}
    allowed.add(request.headers.get("host", ""))
    if parts.netloc not in allowed:
        raise Forbidden("Cross-site request refused.", code="cross_site")


async def current_user(request: Request) -> User:
    """The acting user. With an API key: its creator, restricted to the key's workspace and
    role for the rest of the request (`use_key_scope`).

    This dependency is async on purpose: a ContextVar set here, in the request's task, is
    seen by the route and the services it calls (sync routes run in the threadpool with a copy
    of this context); one set in a sync dependency would stay in that dependency's thread.
    """
    token = _bearer(request)
    use_key_scope(None)
    request.state.key_scope = None
    if token.startswith(api_keys.PREFIX):
        found = await run_in_threadpool(api_keys.authenticate, token)
        if found is None:
            raise Unauthenticated(
                "This API key is not valid (unknown, revoked or expired).", code="invalid_api_key"
            )
        user, scope = found
        use_key_scope(scope)
        request.state.key_scope = scope
        return user
    if not token:
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            check_same_origin(request)
    signed_in = await run_in_threadpool(auth.user_for_session, token)
    if signed_in is None:
        raise Unauthenticated("Sign in to continue.")
    return signed_in


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


async def workspace_of(
    request: Request,
    x_workspace_id: uuid.UUID | None = Header(default=None),
    workspace_id: uuid.UUID | None = Query(default=None),
    _user: User = Depends(current_user),
) -> uuid.UUID:
    """The workspace a request acts in: `X-Workspace-Id` header or `workspace_id` query.

    With an API key it defaults to the key's workspace, and any other one is not found.
    """
    wid = x_workspace_id or workspace_id
    scope: KeyScope | None = getattr(request.state, "key_scope", None)
    if scope is not None:
        if wid is not None and wid != scope.workspace_id:
            raise NotFound("Workspace not found.")
        return scope.workspace_id
    if wid is None:
        raise InvalidInput(
            "Say which workspace: X-Workspace-Id header or workspace_id query parameter.",
            code="workspace_required",
        )
    return wid


# Route parameters: `user: CurrentUser`, `wid: WorkspaceDep`.
CurrentUser = Annotated[User, Depends(current_user)]
WorkspaceDep = Annotated[uuid.UUID, Depends(workspace_of)]
