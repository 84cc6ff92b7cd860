"""The signed-in user and current workspace, read from the HttpOnly session cookie.

The browser signs in through /api/auth/login, which sets the cookie, then reloads the page;
the websocket handshake then carries the cookie and the handlers below read it from there.
"""

from __future__ import annotations

import posixpath
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlsplit, urlunsplit

import reflex as rx

from app.api.deps import SESSION_COOKIE
from app.models import User
from app.services import auth, mail, users, workspaces
from app.ui.state.handlers import SignedIn, shows_errors, signed_in


def clean_path(path: str) -> str:
    """Prod URLs carry a trailing slash (`/calendar/`); compare and redirect without it."""
    return path.rstrip("/") or "/"


def safe_next(value: str, default: str = "/") -> str:
    """A redirect target after signing in: a same-origin relative path, normalised (dot
    segments resolved), else `default`. Refused: anything with a scheme or host, `//` or a
    backslash anywhere (browsers read `/\\evil` as `//evil`), control characters and spaces
    (browsers drop tabs and newlines: `/\t/evil` becomes `//evil`)."""
    if (
        not value.startswith("/")
        or "\\" in value
        or any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or c.isspace() for c in value)
    ):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    path = posixpath.normpath(parts.path) + ("/" if parts.path.endswith("/") else "")
    path = "/" if path == "//" else path
    if path.startswith("//"):
        return default
    return urlunsplit(("", "", path, parts.query, parts.fragment))


class AuthState(rx.State):
    user_email: str = ""
    user_name: str = ""
    user_timezone: str = "UTC"
    is_instance_admin: bool = False
    # The instance asks for confirmed addresses, email is on and this user has not confirmed
    # theirs yet (a banner offers a new link).
    email_unverified: bool = False
    workspaces: list[dict[str, str]] = []
    workspace_id: str = rx.LocalStorage("", name="herald_ws", sync=True)
    # The page whose on_load events have all run (the shell shows it as `data-loaded`): tests
    # and bench.ui wait for it instead of guessing from page-specific content.
    loaded_path: str = ""

    def _session_token(self) -> str:
        jar = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except Exception:
            return ""
        morsel = jar.get(SESSION_COOKIE)
        return morsel.value if morsel else ""

    def _user(self) -> User | None:
        return auth.user_for_session(self._session_token())

    def _workspace_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.workspace_id)
        except ValueError:
            return None

    def _login_redirect(self):
        target = clean_path(self.router.url.path)
        query = self.router.url.query
        nxt = target + (f"?{query}" if query else "")
        return rx.redirect(f"/login?next={nxt}", replace=True)

    def _load_user(self, user: User) -> None:
        self.user_email = user.email
        self.user_name = user.full_name or user.email.split("@")[0]
        self.user_timezone = user.timezone
        self.is_instance_admin = user.is_instance_admin
        self.email_unverified = (
            user.email_verified_at is None and mail.require_verified_email() and mail.configured()
        )
        views = workspaces.list_workspaces(user)
        self.workspaces = [
            {"id": str(w.id), "name": w.name, "role": w.role.value, "tier": w.tier} for w in views
        ]
        if views and self.workspace_id not in {w["id"] for w in self.workspaces}:
            self.workspace_id = self.workspaces[0]["id"]

    @rx.var
    def current_workspace_name(self) -> str:
        for w in self.workspaces:
            if w["id"] == self.workspace_id:
                return w["name"]
        return ""

    @rx.var
    def current_role(self) -> str:
        for w in self.workspaces:
            if w["id"] == self.workspace_id:
                return w["role"]
        return ""

    @rx.var
    def is_workspace_admin(self) -> bool:
        return self.current_role == "admin"

    @rx.var
    def user_initials(self) -> str:
        parts = [p for p in self.user_name.replace(".", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @rx.event
    def require_auth(self):
        """on_load guard of every signed-in page."""
        user = self._user()
        if user is None:
            self.user_email = ""
            if not users.any_user():  # a fresh instance: create its admin first
                return rx.redirect("/setup", replace=True)
            return self._login_redirect()
        self._load_user(user)

    @rx.event
    def page_loaded(self):
        """The last on_load event of every signed-in page."""
        self.loaded_path = clean_path(self.router.url.path)

    @rx.event
    def switch_workspace(self, workspace_id: str):
        if workspace_id in {w["id"] for w in self.workspaces}:
            self.workspace_id = workspace_id
            return rx.redirect(clean_path(self.router.url.path))

    @rx.event
    @shows_errors
    @signed_in(workspace=False)
    def resend_verification(self, me: SignedIn):
        if not auth.resend_verification(me.user):
            self.email_unverified = False
            return rx.toast.info("Nothing to send: your email is confirmed, or email is off.")
        return rx.toast.success(f"We sent a new link to {me.user.email}.")

    @rx.event
    def logout(self):
        return rx.call_script(
            "fetch('/api/auth/logout', {method: 'POST', credentials: 'same-origin'})"
            ".finally(() => window.location.assign('/login'))"
        )
