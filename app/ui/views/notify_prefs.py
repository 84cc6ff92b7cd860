"""Settings → Notifications, the user's part: per event group, the bell and email (at once,
in the digest, or none); how often the digest comes."""

from __future__ import annotations

import reflex as rx

from app.ui.components.section import data_table, settings_card, title_meta
from app.ui.state.notify_prefs import EMAIL_LABELS, NotifyPrefsState


def _email_select(g: rx.Var) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Email", class_name="notify-email"),
        rx.select.content(*[rx.select.item(label, value=v) for v, label in EMAIL_LABELS.items()]),
        value=g["email"],
        on_change=lambda v: NotifyPrefsState.set_email(g["group"], v),
        size="1",
    )


def _row(g: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(title_meta(g["label"], g["about"])),
        rx.table.cell(
            rx.checkbox(
                checked=g["in_app"] == "yes",
                on_change=lambda c: NotifyPrefsState.set_in_app(g["group"], c),
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
        rx.hstack(
            rx.text("The digest comes", size="2"),
            rx.select.root(
                rx.select.trigger(id="notify-digest", aria_label="Digest frequency"),
                rx.select.content(
                    rx.select.item("daily at 08:00 (your time zone)", value="daily"),
                    rx.select.item("every hour", value="hourly"),
                ),
                value=NotifyPrefsState.digest,
                on_change=NotifyPrefsState.set_digest,
                size="1",
            ),
            align="center",
            spacing="2",
        ),
        about="Your choices, for every workspace you are in. Failures email you at once "
        "unless you change it here.",
        id="notify-preferences",
    )
