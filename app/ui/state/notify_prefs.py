"""Settings → Notifications: the user's channels per event group and digest frequency (saved
on change), and the workspace's Slack/Discord channels (admins)."""

from __future__ import annotations

import uuid

import reflex as rx

from app.services import notifications, notify_channels
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, guarded_event, setter, shows_errors, signed_in, toggled

EMAIL_LABELS = {"immediate": "Email at once", "digest": "Email digest", "off": "No email"}


# The chat channels' handlers: errors shown inline and as toasts; nothing when signed out.
channel_event = guarded_event(inline="channel_error", quiet=True)


class NotifyPrefsState(AuthState):
    groups: list[dict[str, str]] = []
    digest: str = "daily"
    channels: list[dict[str, str]] = []
    channel_groups: list[str] = list(notify_channels.DEFAULT_GROUPS)
    error: str = ""
    channel_error: str = ""
    loading: bool = True
    confirm_open: bool = False
    confirm_id: str = ""
    confirm_name: str = ""

    def _show(self, prefs: notifications.Preferences) -> None:
        self.groups = [
            {
                "group": g,
                "label": label,
                "about": about,
                "in_app": "yes" if prefs.groups[g]["in_app"] else "",
                "email": str(prefs.groups[g]["email"]),
            }
            for g, (label, about) in notifications.GROUPS.items()
        ]
        self.digest = prefs.digest

    def _channels(self, me: SignedIn) -> None:
        if not self.is_workspace_admin:
            self.channels = []
            return
        labels = {g: label for g, (label, _) in notifications.GROUPS.items()}
        self.channels = [
            {
                "id": str(c.id),
                "kind": "Slack" if c.kind == "slack" else "Discord",
                "url": c.url_hint,
                "groups": ", ".join(labels[g] for g in c.groups),
                "active": "yes" if c.active else "",
                "reason": c.disabled_reason or "",
            }
            for c in notify_channels.list_channels(me.user, me.wid)
        ]

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def load(self, me: SignedIn):
        self.error = self.channel_error = ""
        self._show(notifications.get_preferences(me.user))
        self._channels(me)
        self.loading = False

    @rx.event
    @shows_errors(inline="error")
    @signed_in(quiet=True)
    def set_channel(self, me: SignedIn, group: str, channel: str, value: bool | str):
        """A group's `channel`: "in_app" (on or off) or "email" (one of EMAIL_LABELS)."""
        self._show(notifications.save_preferences(me.user, {group: {channel: value}}))
        return rx.toast.success("Saved.")

    @rx.event
    @shows_errors(inline="error")
    @signed_in(quiet=True)
    def set_digest(self, me: SignedIn, value: str):
        self._show(notifications.save_preferences(me.user, digest=value))
        return rx.toast.success("Saved.")

    @rx.event
    def toggle_channel_group(self, group: str, checked: bool):
        self.channel_groups = toggled(self.channel_groups, group, checked)

    @channel_event
    def add_channel(self, me: SignedIn, form: dict):
        notify_channels.add_channel(
            me.user, me.wid, form.get("kind", "slack"), form.get("url", ""),
            list(self.channel_groups),
        )  # fmt: skip
        self.channel_error = ""
        self.channel_groups = list(notify_channels.DEFAULT_GROUPS)
        self._channels(me)
        return rx.toast.success("Channel added. Send a test message to check it.")

    @channel_event
    def test_channel(self, me: SignedIn, channel_id: str):
        notify_channels.send_test(me.user, me.wid, uuid.UUID(channel_id))
        return rx.toast.success("Test message queued.")

    @channel_event
    def set_channel_active(self, me: SignedIn, channel_id: str, active: bool):
        notify_channels.set_active(me.user, me.wid, uuid.UUID(channel_id), active)
        self._channels(me)

    @rx.event
    def ask_remove(self, channel_id: str, name: str):
        self.confirm_id, self.confirm_name, self.confirm_open = channel_id, name, True

    set_confirm_open = setter("confirm_open", bool)

    @channel_event
    def remove_channel(self, me: SignedIn):
        self.confirm_open = False
        notify_channels.remove_channel(me.user, me.wid, uuid.UUID(self.confirm_id))
        self._channels(me)
        return rx.toast.success("Channel removed.")
