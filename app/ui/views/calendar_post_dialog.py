"""Calendar: the post dialog — its text, destinations and actions (edit, retry, cancel,
delete with a confirmation)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row, soft_button, stack
from app.ui.components.confirm import confirm_dialog
from app.ui.state.calendar import CalendarState
from app.ui.views.approvals_panel import calendar_approval
from app.ui.views.post_comments import comments_thread

DEST_COLORS = {
    "published": "green",
    "failed": "red",
    "publishing": "amber",
    "processing": "amber",
    "unknown": "orange",
    "cancelled": "gray",
    "pending": "blue",
    "queued": "blue",
}


def _destination(d: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.avatar(
            src=d["avatar"], fallback=d["platform_name"].to(str)[:1], size="2", radius="full"
        ),
        rx.vstack(
            rx.text(d["platform_name"], " · ", d["account"], size="2", weight="medium"),
            rx.cond(
                d["permalink"] != "",
                rx.link(
                    "View on ",
                    d["platform_name"],
                    href=d["permalink"],
                    is_external=True,
                    size="1",
                    class_name="dest-permalink",
                ),
            ),
            rx.cond(
                d["published_at"] != "",
                muted("Published ", d["published_at"]),
            ),
            rx.cond(
                d["error"] != "",
                rx.text(d["error"], size="1", color_scheme="red", class_name="dest-error"),
            ),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.badge(
            d["status"],
            color_scheme=rx.match(d["status"], *DEST_COLORS.items(), "gray"),
            class_name="dest-status",
        ),
        align="center",
        width="100%",
        class_name="post-destination",
        data_platform=d["platform"],
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        open=CalendarState.confirm_delete,
        on_open_change=CalendarState.ask_delete,
        title="Delete this post?",
        description=CalendarState.post["delete_text"].to(str),
        cancel_label="Keep it",
        confirm_label="Delete",
        on_confirm=CalendarState.delete_open_post,
        busy=CalendarState.busy,
        confirm_id="post-delete-confirm",
        dialog_id="post-delete-dialog",
    )


def _action(post_flag: str, icon: str, label, **props) -> rx.Component:
    """A button of the dialog, shown when the post allows it (`post[post_flag]`)."""
    return rx.cond(
        CalendarState.post[post_flag].to(bool),
        rx.button(rx.icon(icon, size=14), label, **props),
    )


def _actions() -> rx.Component:
    post = CalendarState.post
    return rx.fragment(
        _delete_dialog(),
        rx.flex(
            rx.cond(
                CalendarState.can_edit,
                rx.fragment(
                    _action(
                        "can_edit",
                        "square-pen",
                        "Edit in composer",
                        on_click=rx.redirect(post["edit_href"].to(str)),
                        id="post-edit",
                    ),
                    _action(
                        "can_retry",
                        "rotate-cw",
                        "Retry failed",
                        variant="soft",
                        color_scheme="amber",
                        on_click=CalendarState.retry_open_post,
                        loading=CalendarState.busy,
                        id="post-retry",
                    ),
                    _action(
                        "can_cancel",
                        "ban",
                        post["cancel_label"].to(str),
                        variant="soft",
                        color_scheme="gray",
                        on_click=CalendarState.cancel_open_post,
                        loading=CalendarState.busy,
                        id="post-cancel",
                    ),
                    _action(
                        "can_delete",
                        "trash-2",
                        "Delete",
                        variant="soft",
                        color_scheme="red",
                        on_click=CalendarState.ask_delete(True),
                        id="post-delete",
                    ),
                ),  # fmt: skip
            ),
            rx.spacer(),
            rx.dialog.close(soft_button("Close")),
            gap="2",
            wrap="wrap",
            width="100%",
        ),
    )


def post_dialog() -> rx.Component:
    post = CalendarState.post
    return rx.dialog.root(
        rx.dialog.content(
            stack(
                row(
                    rx.dialog.title("Post", margin="0"),
                    rx.badge(
                        post["status_label"].to(str),
                        color_scheme=rx.match(
                            post["status"].to(str),
                            ("published", "green"),
                            ("failed", "red"),
                            ("publishing", "amber"),
                            ("partially_published", "orange"),
                            ("cancelled", "gray"),
                            ("draft", "gray"),
                            ("awaiting_approval", "purple"),
                            ("rejected", "crimson"),
                            "blue",
                        ),
                        id="post-status",
                    ),
                    spacing="3",
                ),
                rx.dialog.description(
                    row(
                        rx.icon("clock", size=14),
                        rx.text(post["when"].to(str), id="post-when"),
                        spacing="1",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.text(post["content"].to(str), white_space="pre-wrap", size="2"),
                    padding="12px",
                    border_radius="var(--radius-3)",
                    background=rx.color("gray", 2),
                    border=f"1px solid {rx.color('gray', 5)}",
                    width="100%",
                    max_height="240px",
                    overflow_y="auto",
                    id="post-content",
                ),
                rx.text("Destinations", size="2", weight="bold"),
                stack(rx.foreach(CalendarState.destinations, _destination), id="post-destinations"),
                calendar_approval(),
                rx.divider(),
                comments_thread(CalendarState.open_post_id),
                rx.divider(),
                _actions(),
            ),
            max_width="560px",
            id="post-dialog",
        ),
        open=CalendarState.open_post_id != "",
        on_open_change=CalendarState.set_dialog_open,
    )
