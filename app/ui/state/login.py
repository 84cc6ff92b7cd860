"""Sign-in and registration forms. Both post to the REST API, which sets the HttpOnly cookie."""

from __future__ import annotations

import json
import re

import reflex as rx

from app.services import auth, instance_settings, mail, users
from app.ui.state.auth import BROWSER_HOURS, BROWSER_TZ, AuthState, clean_path, safe_next
from app.ui.state.handlers import setter, shows_errors

_INVITE = re.compile(r"^/invite/([A-Za-z0-9_-]{8,200})/?$")


def _post_json_script(url: str, body: dict, next_url: str) -> str:
    """POST JSON to our API; on success load `next_url` (a full load, so the new cookie rides the
    websocket handshake); on failure hand the API's error message back to the callback."""
    return f"""(async () => {{
  const r = await fetch({json.dumps(url)}, {{method: 'POST', credentials: 'same-origin',
    headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(json.dumps(body))}}});
  if (r.ok) {{ window.location.assign({json.dumps(next_url)}); return {{ok: true}}; }}
  try {{ const j = await r.json(); return {{ok: false, message: j.error.message,
    field: (j.error.details && j.error.details.field) || ''}}; }}
  catch (e) {{ return {{ok: false, message: 'Request failed (HTTP ' + r.status + ').'}}; }}
}})().catch(e => ({{ok: false, message: 'Network error: ' + e}}))"""


def _post_json_answer_script(url: str, body: dict) -> str:
    """POST JSON to our API and hand the answer (or the API's error) to the callback."""
    return f"""(async () => {{
  const r = await fetch({json.dumps(url)}, {{method: 'POST', credentials: 'same-origin',
    headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(json.dumps(body))}}});
  let j = {{}}; try {{ j = await r.json(); }} catch (e) {{}}
  if (r.ok) {{ return {{ok: true, message: j.message || '',
    email_configured: j.email_configured !== false}}; }}
  return {{ok: false, message: (j.error && j.error.message) || ('Request failed (HTTP ' +
    r.status + ').'), field: (j.error && j.error.details && j.error.details.field) || ''}};
}})().catch(e => ({{ok: false, message: 'Network error: ' + e}}))"""


class LoginState(AuthState):
    error: str = ""
    error_field: str = ""
    busy: bool = False
    signup_notice: str = ""
    # Sign-up: the zone and time format proposed from the browser, which the person may change.
    reg_timezone: str = "UTC"
    reg_time_format: str = "24h"
    timezones: list[str] = []

    @rx.event
    def detect_browser(self):
        """on_load of /register and /setup: propose the browser's zone and 12/24-hour habit."""
        if not self.timezones:
            self.timezones = sorted(auth.available_timezones())
        return rx.call_script(
            f"[{BROWSER_TZ}, {BROWSER_HOURS}]", callback=LoginState.browser_detected
        )

    @rx.event
    def browser_detected(self, found: list):
        zone, hours = (list(found) + ["", ""])[:2] if isinstance(found, list) else ("", "")
        if zone in auth.available_timezones():
            self.reg_timezone = zone
        if hours in auth.TIME_FORMATS:
            self.reg_time_format = hours

    set_reg_timezone = setter("reg_timezone")
    set_reg_time_format = setter("reg_time_format")

    def _next(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next", "/"))

    def _invite_token(self) -> str:
        """The invite this sign-up comes from (the invite page sends people here with
        next=/invite/<token>)."""
        match = _INVITE.match(self._next())
        return match.group(1) if match else ""

    @rx.event
    def redirect_if_signed_in(self):
        self.error = ""
        self.busy = False
        if self._user() is not None:
            return rx.redirect(self._next(), replace=True)
        anyone = users.any_user()
        if not anyone and clean_path(self.router.url.path) == "/login":
            return rx.redirect("/setup", replace=True)  # a fresh instance: its admin first
        policy = instance_settings.registration().policy if anyone else "open"
        if not anyone:
            self.signup_notice = "This Herald is new: the account you create now is its admin."
        elif policy == "closed":
            self.signup_notice = "This Herald does not take new sign-ups; ask its admin."
        elif policy == "invite" and not self._invite_token():
            self.signup_notice = (
                "Sign-up on this Herald is by invitation: open the invite link you received."
            )
        else:
            self.signup_notice = ""

    @rx.event
    def clear_form(self):
        """on_load of /reset-password and /forgot-password: no error or spinner left over."""
        self.error, self.error_field, self.busy = "", "", False

    def setup_guard(self):
        """/setup is for a fresh instance only: once someone exists, it is the sign-in page."""
        self.error = ""
        self.busy = False
        if users.any_user():
            return rx.redirect("/login", replace=True)

    def _fail(self, message: str, field: str = ""):
        self.error = message
        self.error_field = field
        self.busy = False

    @rx.event
    def on_result(self, result: dict):
        if not result.get("ok"):
            self._fail(result.get("message") or "Something went wrong.", result.get("field", ""))

    @rx.event
    def submit_login(self, form: dict):
        email, password = form.get("email", "").strip(), form.get("password", "")
        if not email or not password:
            return self._fail(
                "Enter your email and password.", "email" if not email else "password"
            )
        self.busy, self.error = True, ""
        script = _post_json_script(
            "/api/auth/login", {"email": email, "password": password}, self._next()
        )
        return rx.call_script(script, callback=LoginState.on_result)

    @rx.event
    def submit_register(self, form: dict):
        email, password = form.get("email", "").strip(), form.get("password", "")
        if password != form.get("confirm", ""):
            return self._fail("The two passwords do not match.", "confirm")
        self.busy, self.error = True, ""
        zone = self.reg_timezone.strip()
        if zone not in auth.available_timezones():
            return self._fail(
                f"Unknown time zone {zone!r}: choose one from the list (e.g. America/New_York).",
                "timezone",
            )
        body = {
            "email": email,
            "password": password,
            "full_name": form.get("full_name", ""),
            "timezone": zone,
            "time_format": self.reg_time_format,
        }
        if self._invite_token():
            body["invite_token"] = self._invite_token()
        script = _post_json_script("/api/auth/register", body, self._next())
        return rx.call_script(script, callback=LoginState.on_result)

    @rx.event
    def submit_reset(self, form: dict):
        """/reset-password?token=…: a link mailed by "Forgot password?" or printed by `herald
        users reset-password`. The API sets the password and signs this browser in."""
        password = form.get("password", "")
        if password != form.get("confirm", ""):
            return self._fail("The two passwords do not match.", "confirm")
        token = self.router.url.query_parameters.get("token", "")
        self.busy, self.error = True, ""
        script = _post_json_script(
            "/api/auth/reset-password", {"token": token, "password": password}, "/"
        )
        return rx.call_script(script, callback=LoginState.on_result)


class ForgotState(AuthState):
    """/forgot-password: ask for the email, always give the same answer."""

    email_configured: bool = True
    answer: str = ""
    error: str = ""
    busy: bool = False

    @rx.event
    def load(self):
        self.answer, self.error, self.busy = "", "", False
        self.email_configured = mail.configured()

    @rx.event
    def submit(self, form: dict):
        email = form.get("email", "").strip()
        if not email:
            self.error = "Enter the email address of your account."
            return
        self.busy, self.error = True, ""
        script = _post_json_answer_script("/api/auth/forgot-password", {"email": email})
        return rx.call_script(script, callback=ForgotState.on_answer)

    @rx.event
    def on_answer(self, result: dict):
        self.busy = False
        if not result.get("ok"):
            self.error = result.get("message") or "Something went wrong."
            return
        self.email_configured = bool(result.get("email_configured", True))
        self.answer = result.get("message") or ""


class VerifyState(AuthState):
    """/verify-email?token=…: confirm the address the link was mailed to."""

    verified: bool = False
    message: str = ""

    @rx.event
    @shows_errors(inline="message", toast=False)
    def load(self):
        self.verified = False
        user = auth.verify_email(self.router.url.query_parameters.get("token", ""))
        self.verified, self.message = True, f"{user.email} is confirmed. Thank you!"
