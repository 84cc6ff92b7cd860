"""The signed-in user and current workspace, read from the HttpOnly session cookie.

The browser signs in through /api/auth/login, which sets the cookie, then reloads the page;
the websocket handshake then carries the cookie and the handlers below read it from there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import posixpath
import uuid
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import reflex as rx

from app.api.deps import SESSION_COOKIE
from app.models import User
from app.observability.sentry import reflex_exception_handler
from app.services import auth, mail, users, workspaces
from app.ui import format
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


# The user a page's loads act as: read once per page load (`AuthState.open_page`), not once
# per load. Set only inside that one event's task, so it never outlives it.
_ACTING: ContextVar[User | None] = ContextVar("herald_acting_user", default=None)
# Each signed-in page's own on_load handlers, by route (`layout.protected_page` fills it).
PAGE_LOADS: dict[str, list[Any]] = {}


@contextlib.contextmanager
def _acting_as(user: User) -> Iterator[None]:
    reset = _ACTING.set(user)
    try:
        yield
    finally:
        # A page load abandoned mid-way (the user went elsewhere) is closed later by the event
        # loop, in another context: there is nothing of this one to undo there.
        with contextlib.suppress(ValueError):
            _ACTING.reset(reset)


# The browser's IANA zone (America/New_York), read by a script.
BROWSER_TZ = "Intl.DateTimeFormat().resolvedOptions().timeZone"
# "12h" when the browser's locale writes times with AM/PM, else "24h".
BROWSER_HOURS = (
    "(['h11', 'h12'].includes(new Intl.DateTimeFormat(undefined, {hour: 'numeric'})"
    ".resolvedOptions().hourCycle) ? '12h' : '24h')"
)


class AuthState(rx.State):
    user_email: str = ""
    user_name: str = ""
    user_timezone: str = "UTC"
    # "24h" or "12h": pass it to app.ui.format as `hours=`.
    user_time_format: str = "24h"
    # The browser's zone, offered once to a user still on UTC (app/ui/components/zone_prompt.py).
    browser_zone: str = ""
    is_instance_admin: bool = False
    # The instance asks for confirmed addresses, email is on and this user has not confirmed
    # theirs yet (a banner offers a new link).
    email_unverified: bool = False
    workspaces: list[dict[str, str]] = []
    workspace_id: str = rx.LocalStorage("", name="herald_ws", sync=True)
    # The page whose on_load events have all run (the shell shows it as `data-loaded`): tests
    # and bench.ui wait for it instead of guessing from page-specific content.
    loaded_path: str = ""
    # The browser told its zone already (it does not change within a tab): not asked again.
    _zone_known: bool = False

    def _session_token(self) -> str:
        jar = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except Exception:
            return ""
        morsel = jar.get(SESSION_COOKIE)
        return morsel.value if morsel else ""

    def _user(self) -> User | None:
        return _ACTING.get() or auth.user_for_session(self._session_token())

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
        # Runs on every navigation: only what changed is assigned, since every assignment
        # marks the var dirty, recomputes the computed vars of other pages' states that read
        # it and sends them all to the browser again.
        unverified = (
            user.email_verified_at is None and mail.require_verified_email() and mail.configured()
        )
        views = workspaces.list_workspaces(user)
        fresh: dict[str, Any] = {
            "user_email": user.email,
            "user_name": user.full_name or user.email.split("@")[0],
            "user_timezone": user.timezone,
            "user_time_format": user.time_format,
            "is_instance_admin": user.is_instance_admin,
            "email_unverified": unverified,
            "workspaces": [
                {"id": str(w.id), "name": w.name, "role": w.role.value, "tier": w.tier}
                for w in views
            ],
        }
        for name, value in fresh.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
        if views and self.workspace_id not in {w["id"] for w in self.workspaces}:
            self.workspace_id = self.workspaces[0]["id"]

    @rx.var
    def user_zone_name(self) -> str:
        """The user's zone as people say it, now: `New York (EST)`."""
        return format.zone_name(self.user_timezone)

    @rx.var
    def user_zone_full(self) -> str:
        """The zone's IANA name with its abbreviation now: `America/New_York (EST)`."""
        abbr = dt.datetime.now(format.zone(self.user_timezone)).tzname() or ""
        named = self.user_timezone or "UTC"
        return named if abbr in ("", named) else f"{named} ({abbr})"

    @rx.var
    def clock_format(self) -> dict[str, Any]:
        """FullCalendar's (Intl) time format for the user's 12h/24h choice."""
        if self.user_time_format == "12h":
            return {"hour": "numeric", "minute": "2-digit", "hour12": True}
        return {"hour": "2-digit", "minute": "2-digit", "hour12": False}

    def _current_workspace(self, key: str) -> str:
        """`key` ("name", "role") of the workspace open, or ""."""
        for w in self.workspaces:
            if w["id"] == self.workspace_id:
                return w[key]
        return ""

    @rx.var
    def current_workspace_name(self) -> str:
        return self._current_workspace("name")

    @rx.var
    def current_role(self) -> str:
        return self._current_workspace("role")

    @rx.var
    def is_workspace_admin(self) -> bool:
        return self.current_role == "admin"

    @rx.var
    def user_initials(self) -> str:
        parts = [p for p in self.user_name.replace(".", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @rx.event
    async def open_page(self, route: str) -> AsyncIterator[Any]:
        """The one on_load event of every signed-in page: the guard (anyone not signed in goes
        to /login, or to /setup on a fresh instance), the page's own loads in order, then
        `loaded_path`. One event rather than one per load: the states are read once, the
        session is looked up once, and the browser gets one update instead of several."""
        user = self._user()
        if user is None:
            self.user_email = ""
            if not users.any_user():  # a fresh instance: create its admin first
                yield rx.redirect("/setup", replace=True)
            else:
                yield self._login_redirect()
            return
        self._load_user(user)
        with _acting_as(user):
            for handler in PAGE_LOADS.get(route, ()):
                async for step in _run_load(await self.get_state(handler.state), handler):
                    yield step
        self.loaded_path = clean_path(self.router.url.path)
        if not (user.timezone_confirmed or user.timezone != "UTC" or self._zone_known):
            # Until the browser answered (not on every page: a round trip and one more event).
            yield rx.call_script(BROWSER_TZ, callback=AuthState.offer_browser_zone)

    @rx.event
    def offer_browser_zone(self, value: str):
        """The browser's zone, if it is a real one other than the user's: the prompt shows."""
        value = value if isinstance(value, str) else ""
        self._zone_known = True
        if value in auth.available_timezones() and value != self.user_timezone:
            self.browser_zone = value

    @rx.event
    @shows_errors
    @signed_in(workspace=False)
    def answer_zone_prompt(self, me: SignedIn, use: bool):
        """Use the browser's zone, or keep the current one; asked once either way."""
        zone = self.browser_zone if use else None
        self.browser_zone = ""
        saved = auth.answer_timezone_prompt(me.user, zone)
        self.user_timezone = saved.timezone
        if use:
            return [
                rx.toast.success(f"Times are now shown in {saved.timezone}."),
                rx.redirect(clean_path(self.router.url.path)),
            ]
        return rx.toast.info("Kept UTC. Change it any time in Settings → Profile.")

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


async def _run_load(state: Any, handler: Any) -> AsyncIterator[Any]:
    """One page load handler run inside `open_page`: what it yields or returns is passed on,
    as Reflex would pass it on. An unexpected error is reported as Reflex reports any
    handler's, and the page's other loads still run."""
    try:
        result = handler.fn(state)
        if inspect.isawaitable(result):
            result = await result
        while inspect.isgenerator(result):
            try:
                yield next(result)
            except StopIteration as done:  # its return value, as Reflex passes it on too
                result = done.value
        if result is not None:
            yield result
    except Exception as exc:  # noqa: BLE001 - reported like any handler's error
        yield reflex_exception_handler(exc)
