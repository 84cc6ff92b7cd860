"""Request authentication: the session cookie (browser) or a Bearer session token."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from fastapi import Header, Query, Request, Response

from app.config import settings
from app.models import User
from app.services import auth
from app.services.errors import Forbidden, InvalidInput, Unauthenticated

SESSION_COOKIE = "herald_session"
_SAFE = {"GET", "HEAD", "OPTIONS"}


def client_of(request: Request) -> auth.Client:
    ip = request.client.host if request.client else ""
    return auth.Client(ip=ip, user_agent=request.headers.get("user-agent", ""))


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
    allowed = {urlsplit(settings.base_url).netloc, request.headers.get("host", "")}
    if parts.netloc not in allowed:
        raise Forbidden("Cross-site request refused.", code="cross_site")


def current_user(request: Request) -> User:
    token = _bearer(request)
    if not token:
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            check_same_origin(request)
    user = auth.user_for_session(token)
    if user is None:
        raise Unauthenticated("Sign in to continue.")
    return user


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


def workspace_of(
    x_workspace_id: uuid.UUID | None = Header(default=None),
    workspace_id: uuid.UUID | None = Query(default=None),
) -> uuid.UUID:
    """The workspace a request acts in: `X-Workspace-Id` header or `workspace_id` query."""
    wid = x_workspace_id or workspace_id
    if wid is None:
        raise InvalidInput(
            "Say which workspace: X-Workspace-Id header or workspace_id query parameter.",
            code="workspace_required",
        )
    return wid
