"""Settings → Notifications, the user's part: per event group, the bell and email (at once,
in the digest, or none); how often the digest comes."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import row
from app.ui.components.forms import choice_select
from app.ui.components.section import data_table, settings_card, title_meta
from app.ui.state.notify_prefs import EMAIL_LABELS, NotifyPrefsState


def _email_select(g: rx.Var) -> rx.Component:
    return choice_select(
        EMAIL_LABELS,
        "Email",
        {"class_name": "notify-email"},
        value=g["email"],
        on_change=lambda v: NotifyPrefsState.set_channel(g["group"], "email", v),
        size="1",
    )


def _row(g: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(title_meta(g["label"], g["about"])),
        rx.table.cell(
            rx.checkbox(
                checked=g["in_app"] == "yes",
                on_change=lambda c: NotifyPrefsState.set_channel(g["group"], "in_app", c),
                aria_label="In the bell",
                class_name="notify-in-app",
            )
        ),
        rx.table.cell(_email_select(g)),
        class_name="notify-pref-row",
        data_group=g["group"],
    )


def preferences() -> rx.Component:
    return settings_card(
        "What you hear about",
        data_table(
            ("Event", "Bell", "Email"), NotifyPrefsState.groups, _row, table_id="notify-prefs"
        ),
        row(
            rx.text("The digest comes", size="2"),
            choice_select(
                {"daily": "daily at 08:00 (your time zone)", "hourly": "every hour"},
                "Digest frequency",
                {"id": "notify-digest"},
                value=NotifyPrefsState.digest,
                on_change=NotifyPrefsState.set_digest,
                size="1",
            ),
        ),
        about="Your choices, for every workspace you are in. Failures email you at once "
        "unless you change it here.",
        id="notify-preferences",
    )
