"""/api/auth/* and /api/me."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

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
    """Create an account (and its personal workspace) and sign it in with a session cookie.
    After the first account, the instance's registration policy applies: open, invite-only
    (`invite_token` of a pending invite) or closed (403). Throttled per IP (429)."""
    check_same_origin(request)
    signed = auth.register(
        body.email, body.password, body.full_name, client_of(request), body.invite_token
    )
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


class PasswordResetIn(BaseModel):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1024)


@router.post("/auth/password-reset", status_code=204)
def password_reset(body: PasswordResetIn, request: Request) -> Response:
    """Set a new password with the token of a one-time reset link (`herald users
    reset-password`); every session of the user ends. Sign in afterwards."""
    check_same_origin(request)
    auth.reset_password(body.token, body.password)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(user: User = Depends(current_user)) -> MeOut:
    return _me(user)


class ProfileIn(BaseModel):
    full_name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64, description="IANA, e.g. Europe/Paris")


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class PasswordOut(BaseModel):
    other_sessions_ended: int


@router.patch("/me", response_model=MeOut)
def update_profile(body: ProfileIn, user: User = Depends(current_user)) -> MeOut:
    """Change your name and/or time zone."""
    return _me(auth.update_profile(user, body.full_name, body.timezone))


@router.post("/me/password", response_model=PasswordOut)
def change_password(
    body: PasswordIn, request: Request, user: User = Depends(current_user)
) -> PasswordOut:
    """Change your password; your other sessions are signed out (this one stays)."""
    check_same_origin(request)
    ended = auth.change_password(
        user, body.current_password, body.new_password, request.cookies.get(SESSION_COOKIE)
    )
    return PasswordOut(other_sessions_ended=ended)
