"""Accounts page: connected accounts of the workspace, connect (OAuth) and disconnect."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import reflex as rx

from app.providers.registry import provider_class
from app.services import account_posts, accounts, connect, sandbox
from app.ui.format import platform_name
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, setter, shows_errors, signed_in, toggled

# The platform's page opens in a popup; its callback lands on /accounts inside the popup,
# which hands the result (?connected=, ?pick=, ?error=) to the opener and closes. Without
# a popup (blocked), the same tab goes and comes back.
POPUP_HANDOFF = """
if (window.opener && window.opener !== window && window.name === 'herald-connect'
    && location.search) {
  try {
    window.opener.location.assign(location.pathname + location.search);
    window.close();
  } catch (e) {}
}
"""


def open_popup(url: str) -> rx.event.EventSpec:
    return rx.call_script(
        f"(function (u) {{ var w = window.open(u, 'herald-connect', 'width=640,height=760'); "
        f"if (!w) {{ window.location.assign(u); }} }})({json.dumps(url)})"
    )


class AccountsState(AuthState):
    accounts: list[dict[str, str]] = []
    platforms: list[dict[str, str]] = []
    instance_url: str = ""
    error: str = ""
    sandbox_feed: str = ""
    # Set when the sandbox was reset since its accounts were connected (one notice).
    sandbox_reset: str = ""
    # A login that manages several accounts: which of them to connect.
    pick_key: str = ""
    pick_platform: str = ""
    choices: list[dict[str, str]] = []
    chosen: list[str] = []

    @rx.event
    @shows_errors(inline="error", toast=False)
    @signed_in
    def load(self, me: SignedIn):
        # Inside the connection popup: hand the result to the page that opened it, and close.
        yield rx.call_script(POPUP_HANDOFF)
        query = self.router.url.query_parameters
        self.error = query.get("error", "")
        connected = query.get("connected", "")
        self._refresh(me.user, me.wid)
        self.pick_key = ""
        if query.get("pick"):
            found = connect.pending(me.user, query["pick"])
            self.pick_key, self.pick_platform = found.key, found.platform_name
            self.choices = [
                {"id": c.id, "name": c.name, "username": c.username, "avatar": c.avatar_url,
                 "connected": "yes" if c.connected else ""}
                for c in found.choices
            ]  # fmt: skip
            self.chosen = [c.id for c in found.choices if not c.connected]
        if connected:
            yield rx.toast.success(f"Connected {connected}.")

    @rx.event
    def toggle_choice(self, choice_id: str, checked: bool):
        self.chosen = toggled(self.chosen, choice_id, checked)

    @rx.event
    def cancel_pick(self):
        self.pick_key = ""
        return rx.redirect("/accounts/")

    @rx.event
    @shows_errors
    @signed_in
    def confirm_pick(self, me: SignedIn):
        saved = connect.choose(me.user, self.pick_key, self.chosen)
        self.pick_key = ""
        self._refresh(me.user, me.wid)
        names = ", ".join(a.name or a.username for a in saved)
        return [rx.redirect("/accounts/"), rx.toast.success(f"Connected {names}.")]

    def _refresh(self, user, wid: uuid.UUID) -> None:
        # First: a reset sandbox marks its accounts (listed below with the reason).
        self.sandbox_reset = sandbox.status(user, wid).message if sandbox.enabled() else ""
        self.accounts = [
            {
                "id": str(a.id),
                "platform": a.platform,
                "platform_name": platform_name(a.platform),
                "name": a.name or a.username,
                "username": a.username,
                "avatar": a.avatar_url,
                "status": a.status.value,
                "error": a.last_error or "",
                "sandbox": "yes" if a.is_sandbox else "",
                "oauth": "" if provider_class(a.platform).capabilities.app_password else "yes",
                "waiting": self._kept_note(user, wid, a),
            }
            for a in accounts.list_accounts(user, wid)
        ]
        self.sandbox_feed = sandbox.feed_url()
        self.platforms = [
            {
                "id": p["id"],
                "name": p["name"],
                "configured": "yes" if p["configured"] else "",
                "federated": "yes" if p["capabilities"].get("per_instance") else "",
                "app_password": "yes" if p["capabilities"].get("app_password") else "",
                "sandbox": "yes" if p["sandbox"] else "",
            }
            for p in connect.platforms()
        ]

    @staticmethod
    def _kept_note(user, wid: uuid.UUID, a: accounts.AccountView) -> str:
        """A disconnected account that scheduled posts still target: say so on its card."""
        if a.last_error != account_posts.DISCONNECTED:
            return ""
        n = connect.waiting_posts(user, wid, a.id)
        if not n:
            return ""
        verb = "waits" if n == 1 else "wait"
        return f"{posts_text(n)} still {verb} for it: reconnect it before they are due."

    set_instance_url = setter("instance_url")

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def start(self, me: SignedIn, platform: str, sandbox: bool = False):
        if sandbox and provider_class(platform).capabilities.app_password:
            account = connect.login(me.user, me.wid, platform, "", "", sandbox=True)
            self.error = ""
            self._refresh(me.user, me.wid)
            return rx.toast.success(f"Connected sandbox account {account.name}.")
        if sandbox:  # all on the server: no popup, no page load (connect.connect_sandbox)
            done = connect.connect_sandbox(me.user, me.wid, platform)
            self.error = ""
            if isinstance(done, connect.Pending):
                return rx.redirect("/accounts/?" + urlencode({"pick": done.key}))
            names = ", ".join(a.name or a.username for a in done)
            return rx.redirect("/accounts/?" + urlencode({"connected": names}))
        return open_popup(connect.start(me.user, me.wid, platform, self.instance_url or None))

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def reconnect(self, me: SignedIn, account_id: str):
        url = connect.reconnect(me.user, me.wid, uuid.UUID(account_id))
        if url is None:
            self._refresh(me.user, me.wid)
            return rx.toast.success("Reconnected.")
        if url.startswith("/"):  # a sandbox login managing several accounts: which of them
            return rx.redirect(url)
        return open_popup(url)

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def reconnect_sandbox(self, me: SignedIn):
        """The sandbox was reset: connect every sandbox account again, in one click."""
        done = connect.reconnect_sandbox(me.user, me.wid)
        self._refresh(me.user, me.wid)
        if done.failed:
            self.error = "Some sandbox accounts could not be reconnected: " + "; ".join(
                sorted(set(done.failed.values()))
            )
            return rx.toast.error(self.error)
        self.error = ""
        return rx.toast.success(f"Reconnected {len(done.reconnected)} sandbox account(s).")

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def login(self, me: SignedIn, form: dict):
        """Platforms without OAuth: a handle and an app password (Bluesky)."""
        account = connect.login(
            me.user, me.wid, form.get("platform", ""), form.get("identifier", ""),
            form.get("app_password", ""),
        )  # fmt: skip
        self.error = ""
        self._refresh(me.user, me.wid)
        return rx.toast.success(f"Connected {account.name or account.username}.")

    # The disconnect dialog: which account, and how many scheduled posts still wait for it.
    disconnect_id: str = ""
    disconnect_name: str = ""
    disconnect_waiting: int = 0

    @rx.event
    @shows_errors
    @signed_in
    def ask_disconnect(self, me: SignedIn, account_id: str, name: str):
        self.disconnect_waiting = connect.waiting_posts(me.user, me.wid, uuid.UUID(account_id))
        self.disconnect_id, self.disconnect_name = account_id, name

    @rx.event
    def close_disconnect(self, is_open: bool = False):
        if not is_open:
            self.disconnect_id = ""

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def disconnect(self, me: SignedIn, posts: str = "keep"):
        account_id, self.disconnect_id = self.disconnect_id, ""
        try:
            report = connect.disconnect(me.user, me.wid, uuid.UUID(account_id), posts)
        except ValueError:
            self.error = "Account not found."
            return rx.toast.error(self.error)
        self._refresh(me.user, me.wid)
        return rx.toast.success(disconnect_message(report))


def posts_text(count: int) -> str:
    return f"{count} scheduled post" + ("" if count == 1 else "s")


def disconnect_message(report: account_posts.DisconnectReport) -> str:
    """What the disconnect did, for the toast."""
    if report.removed:
        drafted = f"; {report.drafted} left without an account became drafts" * bool(report.drafted)
        return f"Disconnected. Removed it from {posts_text(report.removed)}{drafted}."
    if report.kept:
        verb = "targets" if report.kept == 1 else "target"
        return (
            f"Disconnected. {posts_text(report.kept)} still {verb} it: reconnect it before "
            "they are due, or they fail."
        )
    return "Disconnected. Its history is kept."
