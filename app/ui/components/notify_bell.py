"""The bell in the app shell: unread count (live: a cheap poll), a popover with the latest
notifications (click one: marked read, then opened), "Mark all read" and a link to them all."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import dot, ghost_button, ghost_icon, grow, muted, pin, stack
from app.ui.components.poll import live_poll
from app.ui.state.notify import POLL_MS, NotifyState


def notification_row(n: rx.Var, compact: bool = True) -> rx.Component:
    """One notification: unread dot, title, body, when; click opens it."""
    return rx.hstack(
        dot(rx.cond(n["read"] == "yes", "transparent", rx.color("accent", 9)), margin_top="6px"),
        grow(
            rx.text(n["title"], size="2", weight=rx.cond(n["read"] == "yes", "regular", "bold")),
            rx.cond(
                n["body"] != "",
                muted(
                    n["body"],
                    white_space="pre-line",
                    **({"max_height": "3.2em", "overflow": "hidden"} if compact else {}),
                ),
            ),
            muted(n["when"]),
            align="start",
        ),
        rx.cond(
            n["read"] == "yes",
            rx.fragment(),
            ghost_icon(
                "check",
                "Mark read",
                color=None,
                size="1",
                class_name="notify-mark-read",
                on_click=NotifyState.mark_read(n["id"]).stop_propagation,
            ),
        ),
        on_click=NotifyState.open_item(n["id"], n["link"]),
        cursor="pointer",
        padding="8px",
        border_radius="var(--radius-3)",
        _hover={"background": "var(--gray-a3)"},
        width="100%",
        align="start",
        class_name="notify-item",
        data_read=n["read"],
        data_verb=n["verb"],
    )


def _count_badge() -> rx.Component:
    return rx.cond(
        NotifyState.unread > 0,
        rx.badge(
            rx.cond(NotifyState.unread > 99, "99+", NotifyState.unread.to_string()),
            color_scheme="red",
            variant="solid",
            radius="full",
            size="1",
            **pin(top="-6px", right="-8px"),
            class_name="notify-count",
            pointer_events="none",
        ),
    )


def _panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Notifications", weight="bold"),
            rx.spacer(),
            ghost_button(
                "Mark all read",
                size="1",
                on_click=NotifyState.read_all,
                disabled=NotifyState.unread == 0,
                class_name="notify-read-all",
                color=None,
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            NotifyState.items.length() > 0,
            stack(
                rx.foreach(NotifyState.items, lambda n: notification_row(n)),
                max_height="60vh",
                overflow_y="auto",
                spacing="0",
            ),
            muted("Nothing new. Failures, approvals and mentions show up here.", size="2"),
        ),
        rx.link("See all notifications", href="/notifications", size="2"),
        spacing="2",
        width="min(380px, 90vw)",
    )


def bell(id: str = "notify-bell") -> rx.Component:
    """The bell, which runs the live count (one per page: the sidebar's or the top bar's, see
    app/ui/components/screen.py). Its clock's first change, as the page mounts, reads the
    count: no separate on_mount event delays the page's load."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.box(
                ghost_icon("bell", "Notifications", 18, id=id),
                _count_badge(),
                live_poll(POLL_MS, NotifyState.poll),
                position="relative",
            )
        ),
        rx.popover.content(_panel(), id=f"{id}-panel", side="bottom", align="start"),
        on_open_change=NotifyState.opened,
    )
