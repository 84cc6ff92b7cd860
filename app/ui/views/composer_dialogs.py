"""Composer dialogs: the media library (pick files to attach) and "Generate with AI"."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import (
    action_button,
    close_button,
    controlled_dialog,
    corner_badge,
    dialog_buttons,
    field_label,
    item_list,
    kind_filter,
    labelled,
    muted,
    shown_callout,
    text_area,
    toolbar,
)
from app.ui.components.uploader import KEY_CLICK, upload_zone
from app.ui.state.composer import ComposerState
from app.ui.state.composer_ai import AI_TOPIC, ComposerAIState
from app.ui.state.composer_media import ComposerMediaState
from app.ui.state.composer_model import MediaRef
from app.ui.views.composer_networks import choice_item
from app.ui.views.composer_post import media_thumb


def _library_item(m: MediaRef) -> rx.Component:
    picked = ComposerState.media_ids.contains(m.id)
    return rx.box(
        media_thumb(m, loading="lazy"),
        rx.cond(
            picked,
            corner_badge(
                rx.icon("check", size=14, color="white"),
                rx.color("accent", 9),
                "3px",
                top="6px",
                right="6px",
            ),
        ),
        rx.text(m.filename, size="1", trim="both", class_name="name"),
        role="button",
        tab_index=0,
        aria_pressed=rx.cond(picked, "true", "false"),
        on_click=ComposerMediaState.pick_media(m.id),
        custom_attrs={**KEY_CLICK},  # a copy: Reflex writes aria-/data- props into it
        position="relative",
        cursor="pointer",
        border=rx.cond(
            picked, f"2px solid {rx.color('accent', 9)}", f"2px solid {rx.color('gray', 4)}"
        ),
        border_radius="var(--radius-3)",
        overflow="hidden",
        class_name="library-item",
        data_media_id=m.id,
        style={
            "& .thumb": {"width": "100%", "height": "110px", "object_fit": "cover",
                         "display": "block", "background": "var(--gray-3)"},
            "& .name": {"padding": "4px 6px", "display": "block", "white_space": "nowrap",
                        "overflow": "hidden", "text_overflow": "ellipsis"},
        },
    )  # fmt: skip


def _library_grid() -> rx.Component:
    return rx.cond(
        ComposerMediaState.library_loading,
        rx.center(rx.spinner(), padding="32px"),
        item_list(
            ComposerMediaState.library,
            _library_item,
            layout=rx.grid,
            empty=rx.center(
                rx.text("No media yet: upload some below.", color_scheme="gray"), padding="24px"
            ),
            columns=rx.breakpoints(initial="2", sm="4"),
            spacing="2",
            max_height="50vh",
            overflow_y="auto",
            id="library-grid",
        ),
    )


def library_dialog() -> rx.Component:
    return controlled_dialog(
        "Media library",
        rx.dialog.description(
            rx.cond(
                ComposerState.media_part >= 0,
                "For part " + (ComposerState.media_part + 2).to_string() + " of the thread: ",
                "",
            ),
            "Pick files to attach; pick again to remove.",
            size="2",
            id="library-for",
        ),
        toolbar(
            kind_filter(
                ComposerMediaState.library_kind, ComposerMediaState.set_library_kind, size="1"
            ),
            rx.spacer(),
            rx.link("Manage library", href="/media", size="2"),
            margin_y="12px",
        ),
        _library_grid(),
        rx.box(upload_zone(ComposerMediaState, "library-upload", compact=True), margin_top="12px"),
        dialog_buttons(rx.dialog.close(rx.button("Done", id="library-done")), margin_top="12px"),
        open=ComposerMediaState.library_open,
        on_open_change=ComposerMediaState.set_library_open,
        max_width="760px",
    )


def _ai_select(label: str, trigger_id: str, items: rx.Component, **select: Any) -> rx.Component:
    """A select of the AI dialog (tone, platform) under its label."""
    trigger = rx.select.trigger(id=trigger_id, width="100%")
    return labelled(label, rx.select.root(trigger, rx.select.content(items), **select), flex="1")


def _ai_result() -> rx.Component:
    """The generated caption and hashtags, editable before they are inserted."""
    s = ComposerAIState
    return rx.vstack(
        field_label("Caption", "ai-caption"),
        text_area("ai-caption", s.ai_caption, s.set_ai_caption, rows="4"),
        field_label("Hashtags", "ai-hashtags"),
        rx.input(id="ai-hashtags", value=s.ai_hashtags, on_change=s.set_ai_hashtags, width="100%"),
        muted(s.ai_note),
        spacing="2",
        width="100%",
    )


def ai_dialog() -> rx.Component:
    s = ComposerAIState
    return controlled_dialog(
        "Generate with AI",
        rx.dialog.description("Describe the post; edit the caption before inserting it.", size="2"),
        rx.vstack(
            field_label("Topic", "ai-topic"),
            rx.text_area(
                id="ai-topic",
                # Uncontrolled (no debounce): every keystroke is in AI_TOPIC at once.
                default_value=AI_TOPIC.value,
                on_change=AI_TOPIC.set_value,
                placeholder="e.g. Our spring sale starts Monday, 20% off everything",
                rows="2",
                width="100%",
            ),
            rx.flex(
                _ai_select(
                    "Tone",
                    "ai-tone",
                    rx.foreach(s.tone_options, lambda t: rx.select.item(t.capitalize(), value=t)),
                    value=s.ai_tone,
                    on_change=s.set_ai_tone,
                ),
                _ai_select(
                    "Platform",
                    "ai-platform",
                    rx.foreach(s.ai_platform_options, choice_item),
                    value=s.ai_platform,
                    on_change=s.set_ai_platform,
                ),
                spacing="3",
                width="100%",
            ),
            action_button(
                "sparkles",
                "Generate",
                on_click=s.generate(AI_TOPIC.value),
                loading=s.ai_busy,
                color_scheme="violet",
                id="ai-generate",
            ),
            shown_callout(s.ai_error, "circle-alert", "red", id="ai-error"),
            rx.cond((s.ai_caption != "") | (s.ai_hashtags != ""), _ai_result()),
            spacing="3",
            width="100%",
            margin_top="12px",
        ),
        dialog_buttons(
            close_button("Close"),
            rx.button(
                "Insert into post",
                on_click=s.insert_ai,
                disabled=(s.ai_caption == "") & (s.ai_hashtags == ""),
                id="ai-insert",
            ),
            margin_top="16px",
        ),
        open=s.ai_open,
        on_open_change=s.set_ai_open,
        max_width="560px",
    )
