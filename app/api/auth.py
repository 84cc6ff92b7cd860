"""/api/auth/* and /api/me."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import (
    SESSION_COOKIE,
    check_same_origin,
    clear_session_cookie,
    client_of,
    current_user,
    set_session_cookie,
)
from app.api.schemas import LoginIn, MeOut, RegisterIn, UserOut, WorkspaceOut
from app.models import User
from app.services import auth, workspaces

router = APIRouter(prefix="/api", tags=["auth"])


def _me(user: User) -> MeOut:
    return MeOut(
        user=UserOut.of(user),
        workspaces=[WorkspaceOut.of(w) for w in workspaces.list_workspaces(user)],
    )


@router.post("/auth/register", status_code=201, response_model=MeOut)
def register(body: RegisterIn, request: Request, response: Response) -> MeOut:
    """Create an account (and its personal workspace) and sign it in with a session cookie."""
    check_same_origin(request)
    signed = auth.register(body.email, body.password, body.full_name, client_of(request))
    set_session_cookie(response, signed.token)
    return _me(signed.user)


@router.post("/auth/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response) -> MeOut:
    check_same_origin(request)
    signed = auth.login(body.email, body.password, client_of(request))
    set_session_cookie(response, signed.token)
    return _me(signed.user)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response) -> Response:
    check_same_origin(request)
    auth.logout(request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@router.get("/me", response_model=MeOut)
def me(user: User = Depends(current_user)) -> MeOut:
    return _me(user)
