"""Settings → Notifications, the admins' part: Slack and Discord incoming webhooks that get
the workspace's failures (or whatever groups are picked), with a test message."""

from __future__ import annotations

import reflex as rx

from app.services.notifications import GROUPS
from app.ui.components.blocks import grow, muted, named_input, stack
from app.ui.components.buttons import danger_button, row_button
from app.ui.components.confirm import confirm_dialog
from app.ui.components.forms import check_chip, choice_select, form_error
from app.ui.components.section import settings_card
from app.ui.state.auth import AuthState
from app.ui.state.notify_prefs import NotifyPrefsState


def _group_box(group: str, label: str) -> rx.Component:
    return check_chip(
        label,
        checked=NotifyPrefsState.channel_groups.contains(group),
        on_change=lambda c: NotifyPrefsState.toggle_channel_group(group, c),
        class_name="channel-group",
        data_group=group,
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                choice_select(
                    {"slack": "Slack", "discord": "Discord"},
                    "Chat app",
                    {"id": "channel-kind"},
                    name="kind",
                    default_value="slack",
                ),
                named_input(
                    "url",
                    "channel-url",
                    "Incoming webhook URL",
                    "https://hooks.slack.com/services/…",
                    "26rem",
                ),
                rx.button("Add channel", type="submit", id="add-channel"),
                spacing="2",
                wrap="wrap",
            ),
            rx.flex(
                *[_group_box(g, label) for g, (label, _) in GROUPS.items()],
                wrap="wrap",
                spacing="4",
            ),
            spacing="2",
        ),
        on_submit=NotifyPrefsState.add_channel,
        reset_on_submit=True,
    )


def _channel(c: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.badge(c["kind"]),
        grow(
            rx.code(c["url"], size="1"),
            muted(c["groups"]),
            rx.cond(c["reason"] != "", rx.text(c["reason"], size="1", color_scheme="red")),
        ),
        rx.switch(
            checked=c["active"] == "yes",
            on_change=lambda v: NotifyPrefsState.set_channel_active(c["id"], v),
            aria_label="On",
        ),
        row_button("Test", on_click=NotifyPrefsState.test_channel(c["id"])),
        danger_button("Remove", NotifyPrefsState.ask_remove(c["id"], c["kind"])),
        width="100%",
        align="center",
        class_name="notify-channel",
    )


def channels() -> rx.Component:
    return rx.cond(
        AuthState.is_workspace_admin,
        settings_card(
            "Team chat",
            form_error(NotifyPrefsState.channel_error),
            _add_form(),
            stack(
                rx.foreach(NotifyPrefsState.channels, _channel),
                id="notify-channels",
            ),
            confirm_dialog(
                open=NotifyPrefsState.confirm_open,
                on_open_change=NotifyPrefsState.set_confirm_open,
                title="Remove this channel?",
                description=NotifyPrefsState.confirm_name
                + " stops receiving Herald's notifications.",
                confirm_label="Remove",
                on_confirm=NotifyPrefsState.remove_channel,
                confirm_id="confirm-remove-channel",
            ),
            about="Post the workspace's notifications to a Slack or Discord channel: create "
            "an incoming webhook there and paste its URL.",
        ),
    )
