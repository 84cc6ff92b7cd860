"""/notifications (everything the bell holds) and Settings → Notifications (preferences and,
for admins, Slack/Discord channels)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import row, stack
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.notify_bell import notification_row
from app.ui.components.settings_blocks import once_loaded
from app.ui.components.settings_nav import settings_page
from app.ui.state.notify import NotifyState
from app.ui.state.notify_prefs import NotifyPrefsState
from app.ui.views.notify_channels import channels
from app.ui.views.notify_prefs import preferences


@protected_page("/notifications", "Notifications", on_load=[NotifyState.load_page])
def notifications_page() -> rx.Component:
    return stack(
        row(
            rx.text(
                NotifyState.unread.to_string() + " unread", color_scheme="gray", id="notify-unread"
            ),
            rx.spacer(),
            rx.button(
                "Mark all read",
                variant="soft",
                on_click=NotifyState.read_all,
                disabled=NotifyState.unread == 0,
                id="notify-read-all",
            ),
            rx.link("Preferences", href="/settings/notifications"),
            width="100%",
            spacing="3",
        ),
        once_loaded(
            NotifyState.loading,
            rx.cond(
                NotifyState.items.length() > 0,
                stack(
                    rx.foreach(NotifyState.items, lambda n: notification_row(n, compact=False)),
                    id="notify-list",
                    spacing="1",
                ),
                rx.text("No notifications yet.", color_scheme="gray"),
            ),
        ),
        rx.cond(
            NotifyState.next_before > 0,
            rx.button("Older", variant="soft", on_click=NotifyState.load_more, id="notify-more"),
        ),
    )


@protected_page("/settings/notifications", "Notifications", on_load=[NotifyPrefsState.load])
def notification_settings_page() -> rx.Component:
    return settings_page(
        "/settings/notifications",
        form_error(NotifyPrefsState.error),
        once_loaded(
            NotifyPrefsState.loading,
            stack(preferences(), channels(), spacing="4"),
        ),
    )
