"""/api/auth/* and /api/me."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.api.deps import (
    SESSION_COOKIE,
    CurrentUser,
    check_same_origin,
    clear_session_cookie,
    client_of,
    set_session_cookie,
)
from app.api.schemas import LoginIn, RegisterIn
from app.services import auth

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/register", status_code=201, response_model=auth.Me)
def register(body: RegisterIn, request: Request, response: Response) -> auth.Me:
    """Create an account (and its personal workspace) and sign it in with a session cookie.
    After the first account, the instance's registration policy applies: open, invite-only
    (`invite_token` of a pending invite) or closed (403). Throttled per IP (429)."""
    check_same_origin(request)
    signed = auth.register(
        body.email,
        body.password,
        body.full_name,
        client_of(request),
        body.invite_token,
        timezone=body.timezone,
        time_format=body.time_format,
    )
    set_session_cookie(response, signed.token)
    return auth.me(signed.user)


@router.post("/auth/login", response_model=auth.Me)
def login(body: LoginIn, request: Request, response: Response) -> auth.Me:
    check_same_origin(request)
    signed = auth.login(body.email, body.password, client_of(request))
    set_session_cookie(response, signed.token)
    return auth.me(signed.user)


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
    """Set a new password with the token of a one-time reset link; every session of the user
    ends. Sign in afterwards (or use POST /api/auth/reset-password, which signs you in)."""
    check_same_origin(request)
    auth.reset_password(body.token, body.password)
    return Response(status_code=204)


class ForgotIn(BaseModel):
    email: str = Field(max_length=320)


@router.post("/auth/forgot-password", status_code=202, response_model=auth.ForgotAnswer)
def forgot_password(body: ForgotIn, request: Request) -> auth.ForgotAnswer:
    """Mail a one-time link (1 h) to choose a new password, if an account uses this email.
    The answer is the same whether or not one does. Throttled per IP (429) and per email."""
    check_same_origin(request)
    return auth.request_password_reset(body.email, client_of(request))


@router.post("/auth/reset-password", response_model=auth.Me)
def reset_password(body: PasswordResetIn, request: Request, response: Response) -> auth.Me:
    """Set a new password with the token of a reset link (mailed, or from the operator):
    the link stops working, every other session ends, sign-in delays on the email are lifted,
    and this client is signed in (session cookie)."""
    check_same_origin(request)
    signed = auth.reset_password(body.token, body.password, client_of(request))
    assert signed is not None
    set_session_cookie(response, signed.token)
    return auth.me(signed.user)


class VerifyIn(BaseModel):
    token: str = Field(max_length=200)


class VerifyOut(BaseModel):
    email: str
    verified: bool


class ResendOut(BaseModel):
    emailed: bool = Field(description="false: already verified, or this Herald sends no email")


@router.post("/auth/verify-email", response_model=VerifyOut)
def verify_email(body: VerifyIn, request: Request) -> VerifyOut:
    """Confirm an email address with the token of the verification link."""
    check_same_origin(request)
    user = auth.verify_email(body.token)
    return VerifyOut(email=user.email, verified=True)


@router.post("/me/verification-email", status_code=202, response_model=ResendOut)
def resend_verification(request: Request, user: CurrentUser) -> ResendOut:
    """Mail yourself a new link confirming your email address."""
    check_same_origin(request)
    return ResendOut(emailed=auth.resend_verification(user))


@router.get("/me", response_model=auth.Me)
def me(user: CurrentUser) -> auth.Me:
    return auth.me(user)


class ProfileIn(BaseModel):
    full_name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64, description="IANA, e.g. Europe/Paris")
    time_format: str | None = Field(
        default=None, max_length=16, description="How the UI shows times: `24h` or `12h`."
    )


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class PasswordOut(BaseModel):
    other_sessions_ended: int


@router.patch("/me", response_model=auth.Me)
def update_profile(body: ProfileIn, user: CurrentUser) -> auth.Me:
    """Change your name, time zone and/or time format (the UI's; API times stay ISO-8601 with
    an offset)."""
    return auth.me(auth.update_profile(user, body.full_name, body.timezone, body.time_format))


@router.post("/me/password", response_model=PasswordOut)
def change_password(body: PasswordIn, request: Request, user: CurrentUser) -> PasswordOut:
    """Change your password; your other sessions are signed out (this one stays)."""
    check_same_origin(request)
    ended = auth.change_password(
        user, body.current_password, body.new_password, request.cookies.get(SESSION_COOKIE)
    )
    return PasswordOut(other_sessions_ended=ended)
