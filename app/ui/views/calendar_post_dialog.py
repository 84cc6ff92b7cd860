"""Calendar: the post dialog — its text, destinations and actions (edit, retry, cancel,
delete with a confirmation)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row, soft_button, stack, text_box
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


def _action(kind: str, icon: str, label, on_click, color: str = "", busy=None) -> rx.Component:
    """The dialog's button `post-<kind>`, shown when the post allows it (`post["can_<kind>"]`):
    a soft one in `color`, else the main one; `busy` turns its spinner on."""
    props = {"on_click": on_click, "id": f"post-{kind}"}
    if busy is not None:
        props["loading"] = busy
    content = (rx.icon(icon, size=14), label)
    button = soft_button(*content, color=color, **props) if color else rx.button(*content, **props)
    return rx.cond(CalendarState.post[f"can_{kind}"].to(bool), button)


def _actions() -> rx.Component:
    post = CalendarState.post
    return rx.fragment(
        _delete_dialog(),
        rx.flex(
            rx.cond(
                CalendarState.can_edit,
                rx.fragment(
                    _action(
                        "edit",
                        "square-pen",
                        "Edit in composer",
                        rx.redirect(post["edit_href"].to(str)),
                    ),
                    _action(
                        "retry",
                        "rotate-cw",
                        "Retry failed",
                        CalendarState.retry_open_post,
                        "amber",
                        CalendarState.busy,
                    ),
                    _action(
                        "cancel",
                        "ban",
                        post["cancel_label"].to(str),
                        CalendarState.cancel_open_post,
                        "gray",
                        CalendarState.busy,
                    ),
                    _action("delete", "trash-2", "Delete", CalendarState.ask_delete(True), "red"),
                ),  # fmt: skip
            ),
            rx.spacer(),
            rx.dialog.close(soft_button("Close")),
            spacing="2",
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
                text_box(post["content"].to(str), "240px", id="post-content"),
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
