"""A post's comments thread: the team's internal discussion, with @mentions highlighted, an
@-suggestion list while typing, Ctrl/Cmd+Enter to post, edit and delete of one's own.

`comments_thread(post_id)` is used by the calendar's post dialog and the composer; it loads
the thread of `post_id` when it appears (keyed by the id, so another post reloads it).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.function import FunctionStringVar

from app.services.comments import MAX_BODY
from app.ui.components.blocks import (
    action_button,
    error_text,
    icon_title,
    item_list,
    muted,
    stack,
    toolbar,
)
from app.ui.components.buttons import row_button
from app.ui.components.poll import live_poll
from app.ui.components.section import section_card
from app.ui.state.comments import DRAFT, CommentRow, CommentsState, Part, Suggestion

POLL_MS = 10_000
# Ctrl/Cmd+Enter in a comment box submits its form, without a round trip per key.
SUBMIT_ON_CTRL_ENTER = FunctionStringVar.create(
    "((key, info) => { if (key === 'Enter' && (info.ctrl_key || info.meta_key)) {"
    " window.event?.preventDefault(); document.activeElement?.form?.requestSubmit(); } })"
)
BOX_STYLE = {
    "width": "100%",
    "min_height": "64px",
    "resize": "vertical",
    "padding": "8px 10px",
    "font_size": "14px",
    "line_height": "1.45",
    "font_family": "inherit",
    "color": "var(--gray-12)",
    "background": "var(--color-surface)",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)",
    "outline": "none",
}


def _part(p: Part) -> rx.Component:
    return rx.cond(
        p.mention,
        rx.text.span(p.text, class_name="comment-mention", weight="medium", color_scheme="iris",
                     background=rx.color("iris", 3), border_radius="4px", padding="0 2px"),
        rx.text.span(p.text),
    )  # fmt: skip


def _owner_actions(c: CommentRow) -> rx.Component:
    return rx.hstack(
        rx.cond(
            c.can_edit,
            rx.link(
                "Edit",
                size="1",
                href="#",
                class_name="comment-edit",
                on_click=CommentsState.start_edit(c.id).prevent_default,
            ),
        ),  # fmt: skip
        rx.cond(
            c.can_delete,
            rx.cond(
                CommentsState.c_confirm == c.id,
                rx.hstack(
                    rx.text("Delete this comment?", size="1"),
                    rx.button(
                        "Delete",
                        size="1",
                        color_scheme="red",
                        class_name="comment-delete-yes",
                        on_click=CommentsState.delete(c.id),
                    ),
                    row_button("Keep", color_scheme="gray", on_click=CommentsState.keep),
                    spacing="1",
                    align="center",
                ),
                rx.link(
                    "Delete",
                    size="1",
                    href="#",
                    color_scheme="red",
                    class_name="comment-delete",
                    on_click=CommentsState.ask_delete(c.id).prevent_default,
                ),
            ),
        ),  # fmt: skip
        spacing="2",
        align="center",
    )


def _edit_form(c: CommentRow) -> rx.Component:
    return rx.form(
        rx.el.textarea(name="body", default_value=CommentsState.c_edit_text, style=BOX_STYLE,
                       aria_label="Edit comment", class_name="comment-edit-input",
                       on_key_down=SUBMIT_ON_CTRL_ENTER, max_length=MAX_BODY * 2),
        error_text(CommentsState.c_edit_error, size="1"),
        rx.hstack(
            rx.button("Save", size="1", type="submit", class_name="comment-save"),
            row_button("Cancel", color_scheme="gray", type="button",
                       on_click=CommentsState.cancel_edit),
            spacing="2",
        ),
        on_submit=CommentsState.save_edit,
        width="100%",
        key=c.id,
    )  # fmt: skip


def _comment(c: CommentRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=c.initials, size="2", radius="full"),
        stack(
            rx.hstack(
                rx.text(c.author, size="2", weight="bold", class_name="comment-author"),
                muted(c.when, title=c.when_full),
                rx.cond(c.edited, muted("(edited)")),
                rx.spacer(),
                _owner_actions(c),
                align="baseline",
                spacing="2",
                width="100%",
            ),
            rx.cond(
                CommentsState.c_editing == c.id,
                _edit_form(c),
                rx.text(
                    rx.foreach(c.parts, _part),
                    size="2",
                    white_space="pre-wrap",
                    class_name="comment-body",
                    overflow_wrap="anywhere",
                ),
            ),  # fmt: skip
            spacing="1",
            min_width="0",
        ),
        align="start",
        spacing="2",
        width="100%",
        class_name="comment",
        data_comment_id=c.id,
    )


def _suggestion(s: Suggestion) -> rx.Component:
    return row_button(
        "@", s.handle,
        rx.text.span(s.email, color_scheme="gray", size="1"),
        color_scheme="gray", type="button",
        class_name="mention-suggestion",
        on_click=CommentsState.pick(s.handle),
    )  # fmt: skip


def _composer() -> rx.Component:
    return rx.form(
        rx.el.label("Comment", html_for="comment-input", class_name="rt-sr-only", hidden=True),
        rx.el.textarea(
            id="comment-input",
            name="body",
            value=DRAFT.value,
            on_change=[DRAFT.set_value, CommentsState.set_draft.debounce(200)],
            on_key_down=SUBMIT_ON_CTRL_ENTER,
            placeholder="Write a comment… @ mentions a teammate",
            aria_label="Comment",
            max_length=MAX_BODY * 2,
            style=BOX_STYLE,
        ),
        item_list(
            CommentsState.c_suggestions,
            _suggestion,
            layout=rx.flex,
            spacing="1",
            wrap="wrap",
            id="mention-suggestions",
        ),
        error_text(CommentsState.c_error, size="1", id="comment-error"),
        toolbar(
            muted("Ctrl+Enter (⌘+Enter) posts · only your team sees comments"),
            rx.spacer(),
            action_button(
                "send",
                "Comment",
                size="1",
                type="submit",
                loading=CommentsState.c_busy,
                id="comment-submit",
            ),
        ),
        on_submit=CommentsState.submit,
        width="100%",
        style={"display": "flex", "flex_direction": "column", "gap": "6px"},
    )


def _count() -> rx.Component:
    return rx.badge(CommentsState.c_count, color_scheme="gray", id="comment-count")


def comments_thread(post_id: rx.Var | str, heading: bool = True) -> rx.Component:
    """The thread of `post_id`: comments oldest first, then the box to write one (under a
    small heading unless the caller gives it one)."""
    title = icon_title("message-square", rx.text("Comments", size="2", weight="bold"), _count())
    return stack(
        *([title] if heading else []),
        live_poll(POLL_MS, CommentsState.refresh),
        rx.cond(
            CommentsState.c_loaded,
            item_list(
                CommentsState.c_rows,
                _comment,
                empty=muted(
                    "No comments yet. Ask a question, suggest a change, @mention someone.",
                    id="comment-empty",
                ),
                spacing="3",
                width="100%",
                max_height="320px",
                overflow_y="auto",
                id="comment-list",
            ),
            rx.cond(CommentsState.c_error == "", rx.spinner(size="2")),
        ),  # fmt: skip
        _composer(),
        spacing="2",
        id="comments",
        key=post_id,
        on_mount=CommentsState.show(post_id),
    )


def comments_card(post_id: rx.Var | str) -> rx.Component:
    """The thread as a section card (the composer's panel for a saved post)."""
    thread = comments_thread(post_id, heading=False)
    return section_card("Comments", "message-square", thread, "composer-comments", _count())
