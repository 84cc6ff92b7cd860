"""Composer: the thread (further parts, each with its counters per network), its preview as a
chain of replies, and "Add to queue" (the next free posting slot, confirmed before it is
used)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import (
    action_button,
    close_button,
    controlled_dialog,
    dialog_buttons,
    icon_title,
    item_list,
    muted,
    pin,
    shown_callout,
    small_icon_button,
    soft_action,
    stack,
    text_area,
    toolbar,
    wrap_row,
)
from app.ui.components.counter import count_of
from app.ui.components.preview import post_preview
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_media import ComposerMediaState
from app.ui.state.composer_model import MediaRef, Tab
from app.ui.state.composer_queue import ComposerQueueState
from app.ui.state.composer_thread import THREAD_NAMES, ComposerThreadState, ThreadPart
from app.ui.views.composer_checks import alt_button, problem_line
from app.ui.views.composer_post import count_badge, media_tile, section

# --------------------------------------------------------------------------- thread editor


def _part_counter(tab: Tab, part: rx.Var, number: rx.Var) -> rx.Component:
    return count_badge(
        tab,
        count_of(tab.platform, part, tab.url_length),
        size="1",
        id="part-counter-" + number.to_string() + "-" + tab.platform,
        class_name="part-counter",
        title=tab.platform_name + ": part " + number.to_string(),
    )


def _icon_button(icon: str, label: rx.Var | str, event, **props) -> rx.Component:
    return small_icon_button(
        icon, label, event, title=label, disabled=~ComposerState.can_edit, **props
    )


def _part_media_tile(m: MediaRef, index: rx.Var, number: rx.Var) -> rx.Component:
    return media_tile(
        m,
        alt_button(m, index),
        small_icon_button(
            "x",
            "Remove " + m.filename + " from part " + number.to_string(),
            ComposerThreadState.remove_part_media(index, m.id),
            "solid",
            "red",
            disabled=~ComposerState.can_edit,
            class_name="remove-part-media",
            **pin(top="4px", right="4px"),
        ),
        size="72px",
        border_radius="var(--radius-2)",
        class_name="part-media-tile",
    )


def _part_media(index: rx.Var, number: rx.Var) -> rx.Component:
    """The part's media: thumbnails (each with remove) and "Add media" from the library."""
    return wrap_row(
        rx.foreach(
            ComposerState.thread_media[index],
            lambda m: _part_media_tile(m, index, number),
        ),
        soft_action(
            "image-plus",
            "Add media",
            size="1",
            on_click=ComposerMediaState.open_part_library(index),
            disabled=~ComposerState.can_edit,
            id="part-media-" + number.to_string(),
            class_name="add-part-media",
            title="Attach images or a video from the media library to part " + number.to_string(),
        ),
        align="center",
        class_name="part-media",
    )


def _part(part: rx.Var, index: rx.Var) -> rx.Component:
    number = index + 2
    return stack(
        toolbar(
            rx.box(width="2px", height="16px", background=rx.color("gray", 6)),
            rx.text("Part ", number.to_string(), size="2", weight="medium"),
            rx.spacer(),
            _icon_button(
                "arrow-up",
                "Move part " + number.to_string() + " up",
                ComposerThreadState.move_part(index, -1),
            ),
            _icon_button(
                "arrow-down",
                "Move part " + number.to_string() + " down",
                ComposerThreadState.move_part(index, 1),
            ),
            _icon_button(
                "trash-2",
                "Remove part " + number.to_string(),
                ComposerThreadState.remove_part(index),
                color_scheme="red",
                class_name="remove-part",
            ),
            spacing="1",
        ),
        text_area(
            "thread-part-" + number.to_string(),
            part,
            ComposerThreadState.set_part(index),
            placeholder="Continue the thread…",
            aria_label="Thread part " + number.to_string(),
            disabled=~ComposerState.can_edit,
            size="3",
            resize="vertical",
            min_height="96px",
            class_name="thread-part",
        ),
        _part_media(index, number),
        wrap_row(
            rx.foreach(ComposerThreadState.thread_tabs, lambda t: _part_counter(t, part, number)),
            class_name="part-counters",
        ),
        stack(  # what the networks refuse in this part, live (the network boxes say it too)
            rx.foreach(ComposerThreadState.part_problems[index], problem_line),
            spacing="1",
            id="part-problems-" + number.to_string(),
            class_name="part-problems",
            aria_live="polite",
        ),
        spacing="2",
        class_name="thread-part-box",
        data_part=number,
    )


def thread() -> rx.Component:
    return section(
        "Thread",
        "messages-square",
        item_list(
            ComposerState.thread_parts,
            _part,
            empty=muted(
                f"Continue the post as a thread: each part is a reply to the one before on "
                f"{THREAD_NAMES}.",
                size="2",
            ),
            spacing="4",
            width="100%",
            id="thread-parts",
        ),
        shown_callout(ComposerThreadState.thread_note, "info", "amber", size="1", id="thread-note"),
        soft_action(
            "list-plus",
            "Add to thread",
            size="2",
            on_click=ComposerThreadState.add_part,
            disabled=~ComposerState.can_edit,
            id="add-part",
        ),
    )


# --------------------------------------------------------------------------- preview


def _reply(t: ThreadPart) -> rx.Component:
    return stack(
        rx.text(t.label, size="1", color_scheme="gray"),
        post_preview(t.preview),
        spacing="1",
        padding_left="14px",
        border_left=f"2px solid {rx.color('gray', 6)}",
        class_name="thread-reply",
    )


def thread_preview() -> rx.Component:
    return rx.cond(
        ComposerThreadState.thread_previews.length() > 0,
        stack(
            icon_title("messages-square", rx.heading("Thread replies", size="3")),
            rx.foreach(ComposerThreadState.thread_previews, _reply),
            spacing="3",
            id="thread-previews",
        ),
    )


# --------------------------------------------------------------------------- add to queue


def _queue_dialog() -> rx.Component:
    found = rx.vstack(
        rx.text(
            "The next free posting slot of the selected accounts: ",
            rx.text.strong(ComposerQueueState.queue_label, id="queue-slot"),
            size="2",
        ),
        dialog_buttons(
            close_button(),
            action_button(
                "calendar-plus",
                "Schedule for ",
                ComposerQueueState.queue_label,
                on_click=ComposerQueueState.confirm_queue(TEXT.value),
                id="confirm-queue",
            ),
            width="100%",
        ),
        spacing="4",
    )
    missing = rx.vstack(
        rx.text(
            "The selected accounts have no free posting slot: set their posting times first, "
            "or pick a date and time.",
            size="2",
            id="queue-none",
        ),
        dialog_buttons(
            close_button("Close"),
            rx.link(
                action_button("calendar-cog", "Set up posting schedule"),
                href="/settings/schedule",
                id="queue-setup",
            ),
            width="100%",
        ),
        spacing="4",
    )
    return controlled_dialog(
        "Add to queue",
        rx.cond(ComposerQueueState.queue_at != "", found, missing),
        open=ComposerQueueState.queue_open,
        on_open_change=ComposerQueueState.set_queue_open,
        max_width="460px",
        id="queue-dialog",
    )


def queue_button() -> rx.Component:
    return rx.fragment(
        soft_action(
            "list-end",
            "Add to queue",
            on_click=ComposerQueueState.open_queue,
            disabled=~ComposerState.can_edit,
            id="add-to-queue",
            title="Schedule at the selected accounts' next free posting slot",
        ),
        _queue_dialog(),
    )
