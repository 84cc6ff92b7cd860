"""Composer: the thread (further parts, each with its counters per network), its preview as a
chain of replies, and "Add to queue" (the next free posting slot, confirmed before it is
used)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.counter import count_of
from app.ui.components.network_logo import network_logo
from app.ui.components.preview import post_preview
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_media import ComposerMediaState
from app.ui.state.composer_model import MediaRef, Tab
from app.ui.state.composer_queue import ComposerQueueState
from app.ui.state.composer_thread import THREAD_NAMES, ComposerThreadState, ThreadPart
from app.ui.views.composer_checks import _problem, alt_button
from app.ui.views.composer_post import section

# --------------------------------------------------------------------------- thread editor


def _part_counter(tab: Tab, part: rx.Var, number: rx.Var) -> rx.Component:
    n = count_of(tab.platform, part, tab.url_length)
    over = n > tab.max_length
    return rx.badge(
        network_logo(tab.platform, "14px"),
        rx.el.span(n.to_string(), class_name="count"),
        rx.el.span(" / ", tab.max_length.to_string()),
        color_scheme=rx.cond(over, "red", rx.cond(n > tab.max_length * 0.9, "amber", "gray")),
        variant="soft",
        size="1",
        id="part-counter-" + number.to_string() + "-" + tab.platform,
        class_name="part-counter",
        data_over=rx.cond(over, "yes", ""),
        title=tab.platform_name + ": part " + number.to_string(),
    )


def _icon_button(icon: str, label: rx.Var | str, event, **props) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=12),
        size="1",
        variant="soft",
        color_scheme=props.pop("color_scheme", "gray"),
        on_click=event,
        aria_label=label,
        title=label,
        disabled=~ComposerState.can_edit,
        **props,
    )


def _part_media_tile(m: MediaRef, index: rx.Var, number: rx.Var) -> rx.Component:
    return rx.box(
        rx.cond(
            m.kind == "video",
            rx.el.video(src=m.url, preload="metadata", muted=True, class_name="thumb"),
            rx.image(src=m.url, alt=m.filename, class_name="thumb"),
        ),
        alt_button(m, index),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="solid",
            color_scheme="red",
            on_click=ComposerThreadState.remove_part_media(index, m.id),
            aria_label="Remove " + m.filename + " from part " + number.to_string(),
            disabled=~ComposerState.can_edit,
            class_name="remove-part-media",
            position="absolute",
            top="4px",
            right="4px",
        ),
        position="relative",
        width="72px",
        height="72px",
        border_radius="var(--radius-2)",
        overflow="hidden",
        class_name="part-media-tile",
        data_media_id=m.id,
        style={"& .thumb": {"width": "100%", "height": "100%", "object_fit": "cover"}},
    )


def _part_media(index: rx.Var, number: rx.Var) -> rx.Component:
    """The part's media: thumbnails (each with remove) and "Add media" from the library."""
    return rx.flex(
        rx.foreach(
            ComposerState.thread_media[index],
            lambda m: _part_media_tile(m, index, number),
        ),
        rx.button(
            rx.icon("image-plus", size=14),
            "Add media",
            variant="soft",
            size="1",
            on_click=ComposerMediaState.open_part_library(index),
            disabled=~ComposerState.can_edit,
            id="part-media-" + number.to_string(),
            class_name="add-part-media",
            title="Attach images or a video from the media library to part " + number.to_string(),
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        class_name="part-media",
    )


def _part(part: rx.Var, index: rx.Var) -> rx.Component:
    number = index + 2
    return rx.vstack(
        rx.hstack(
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
            width="100%",
            align="center",
            spacing="1",
        ),
        rx.text_area(
            value=part,
            on_change=ComposerThreadState.set_part(index),
            placeholder="Continue the thread…",
            aria_label="Thread part " + number.to_string(),
            id="thread-part-" + number.to_string(),
            disabled=~ComposerState.can_edit,
            size="3",
            resize="vertical",
            min_height="96px",
            width="100%",
            class_name="thread-part",
        ),
        _part_media(index, number),
        rx.flex(
            rx.foreach(ComposerThreadState.thread_tabs, lambda t: _part_counter(t, part, number)),
            spacing="2",
            wrap="wrap",
            class_name="part-counters",
        ),
        rx.vstack(  # what the networks refuse in this part, live (the network boxes say it too)
            rx.foreach(ComposerThreadState.part_problems[index], _problem),
            spacing="1",
            width="100%",
            id="part-problems-" + number.to_string(),
            class_name="part-problems",
            aria_live="polite",
        ),
        spacing="2",
        width="100%",
        class_name="thread-part-box",
        data_part=number,
    )


def thread() -> rx.Component:
    return section(
        "Thread",
        "messages-square",
        rx.cond(
            ComposerState.thread_parts.length() > 0,
            rx.vstack(
                rx.foreach(ComposerState.thread_parts, _part),
                spacing="4",
                width="100%",
                id="thread-parts",
            ),
            rx.text(
                f"Continue the post as a thread: each part is a reply to the one before on "
                f"{THREAD_NAMES}.",
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            ComposerThreadState.thread_note != "",
            rx.callout(
                ComposerThreadState.thread_note,
                icon="info",
                size="1",
                color_scheme="amber",
                id="thread-note",
                width="100%",
            ),
        ),
        rx.button(
            rx.icon("list-plus", size=14),
            "Add to thread",
            variant="soft",
            size="2",
            on_click=ComposerThreadState.add_part,
            disabled=~ComposerState.can_edit,
            id="add-part",
        ),
    )


# --------------------------------------------------------------------------- preview


def _reply(t: ThreadPart) -> rx.Component:
    return rx.vstack(
        rx.text(t.label, size="1", color_scheme="gray"),
        post_preview(t.preview),
        spacing="1",
        width="100%",
        padding_left="14px",
        border_left=f"2px solid {rx.color('gray', 6)}",
        class_name="thread-reply",
    )


def thread_preview() -> rx.Component:
    return rx.cond(
        ComposerThreadState.thread_previews.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.icon("messages-square", size=16, color=rx.color("gray", 10)),
                rx.heading("Thread replies", size="3"),
                align="center",
                spacing="2",
            ),
            rx.foreach(ComposerThreadState.thread_previews, _reply),
            spacing="3",
            width="100%",
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
        rx.hstack(
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
            rx.button(
                rx.icon("calendar-plus", size=14),
                "Schedule for ",
                ComposerQueueState.queue_label,
                on_click=ComposerQueueState.confirm_queue(TEXT.value),
                id="confirm-queue",
            ),
            justify="end",
            width="100%",
            spacing="2",
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
        rx.hstack(
            rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
            rx.link(
                rx.button(rx.icon("calendar-cog", size=14), "Set up posting schedule"),
                href="/settings/schedule",
                id="queue-setup",
            ),
            justify="end",
            width="100%",
            spacing="2",
        ),
        spacing="4",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add to queue"),
            rx.cond(ComposerQueueState.queue_at != "", found, missing),
            max_width="460px",
            id="queue-dialog",
        ),
        open=ComposerQueueState.queue_open,
        on_open_change=ComposerQueueState.set_queue_open,
    )


def queue_button() -> rx.Component:
    return rx.fragment(
        rx.button(
            rx.icon("list-end", size=14),
            "Add to queue",
            variant="soft",
            on_click=ComposerQueueState.open_queue,
            disabled=~ComposerState.can_edit,
            id="add-to-queue",
            title="Schedule at the selected accounts' next free posting slot",
        ),
        _queue_dialog(),
    )
