"""Composer dialogs: the media library (pick files to attach) and "Generate with AI"."""

from __future__ import annotations

import reflex as rx

from app.ui.components.uploader import KEY_CLICK, upload_zone
from app.ui.state.composer import ComposerState
from app.ui.state.composer_ai import AI_TOPIC, ComposerAIState
from app.ui.state.composer_media import ComposerMediaState
from app.ui.state.composer_model import MediaRef
from app.ui.views.composer_networks import choice_item


def _library_item(m: MediaRef) -> rx.Component:
    picked = ComposerState.media_ids.contains(m.id)
    return rx.box(
        rx.cond(
            m.kind == "video",
            rx.el.video(src=m.url, preload="metadata", muted=True, class_name="thumb"),
            rx.image(src=m.url, alt=m.filename, class_name="thumb", loading="lazy"),
        ),
        rx.cond(
            picked,
            rx.box(
                rx.icon("check", size=14, color="white"),
                position="absolute",
                top="6px",
                right="6px",
                background=rx.color("accent", 9),
                border_radius="999px",
                padding="3px",
                line_height="0",
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


def library_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Media library"),
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
            rx.hstack(
                rx.segmented_control.root(
                    rx.segmented_control.item("All", value="all"),
                    rx.segmented_control.item("Images", value="image"),
                    rx.segmented_control.item("Videos", value="video"),
                    value=ComposerMediaState.library_kind,
                    on_change=ComposerMediaState.set_library_kind,
                    size="1",
                ),
                rx.spacer(),
                rx.link("Manage library", href="/media", size="2"),
                width="100%",
                align="center",
                margin_y="12px",
            ),
            rx.cond(
                ComposerMediaState.library_loading,
                rx.center(rx.spinner(), padding="32px"),
                rx.cond(
                    ComposerMediaState.library.length() > 0,
                    rx.grid(
                        rx.foreach(ComposerMediaState.library, _library_item),
                        columns=rx.breakpoints(initial="2", sm="4"),
                        spacing="2",
                        max_height="50vh",
                        overflow_y="auto",
                        id="library-grid",
                    ),
                    rx.center(
                        rx.text("No media yet: upload some below.", color_scheme="gray"),
                        padding="24px",
                    ),
                ),
            ),
            rx.box(
                upload_zone(ComposerMediaState, "library-upload", compact=True), margin_top="12px"
            ),
            rx.flex(
                rx.dialog.close(rx.button("Done", id="library-done")),
                justify="end",
                margin_top="12px",
            ),
            max_width="760px",
        ),
        open=ComposerMediaState.library_open,
        on_open_change=ComposerMediaState.set_library_open,
    )


def ai_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Generate with AI"),
            rx.dialog.description(
                "Describe the post; edit the caption before inserting it.", size="2"
            ),
            rx.vstack(
                rx.text("Topic", as_="label", html_for="ai-topic", size="2", weight="medium"),
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
                    rx.vstack(
                        rx.text("Tone", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="ai-tone", width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    ComposerAIState.tone_options,
                                    lambda t: rx.select.item(t.capitalize(), value=t),
                                )
                            ),
                            value=ComposerAIState.ai_tone,
                            on_change=ComposerAIState.set_ai_tone,
                        ),
                        spacing="1",
                        flex="1",
                    ),
                    rx.vstack(
                        rx.text("Platform", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="ai-platform", width="100%"),
                            rx.select.content(
                                rx.foreach(ComposerAIState.ai_platform_options, choice_item)
                            ),
                            value=ComposerAIState.ai_platform,
                            on_change=ComposerAIState.set_ai_platform,
                        ),
                        spacing="1",
                        flex="1",
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.button(
                    rx.icon("sparkles", size=14),
                    "Generate",
                    on_click=ComposerAIState.generate(AI_TOPIC.value),
                    loading=ComposerAIState.ai_busy,
                    color_scheme="violet",
                    id="ai-generate",
                ),
                rx.cond(
                    ComposerAIState.ai_error != "",
                    rx.callout(
                        ComposerAIState.ai_error,
                        icon="circle-alert",
                        color_scheme="red",
                        id="ai-error",
                        width="100%",
                    ),
                ),
                rx.cond(
                    (ComposerAIState.ai_caption != "") | (ComposerAIState.ai_hashtags != ""),
                    rx.vstack(
                        rx.text(
                            "Caption", as_="label", html_for="ai-caption", size="2", weight="medium"
                        ),
                        rx.text_area(
                            id="ai-caption",
                            value=ComposerAIState.ai_caption,
                            on_change=ComposerAIState.set_ai_caption,
                            rows="4",
                            width="100%",
                        ),
                        rx.text(
                            "Hashtags",
                            as_="label",
                            html_for="ai-hashtags",
                            size="2",
                            weight="medium",
                        ),
                        rx.input(
                            id="ai-hashtags",
                            value=ComposerAIState.ai_hashtags,
                            on_change=ComposerAIState.set_ai_hashtags,
                            width="100%",
                        ),
                        rx.text(ComposerAIState.ai_note, size="1", color_scheme="gray"),
                        spacing="2",
                        width="100%",
                    ),
                ),  # fmt: skip
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                rx.button(
                    "Insert into post",
                    on_click=ComposerAIState.insert_ai,
                    disabled=(ComposerAIState.ai_caption == "")
                    & (ComposerAIState.ai_hashtags == ""),
                    id="ai-insert",
                ),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
            max_width="560px",
        ),
        open=ComposerAIState.ai_open,
        on_open_change=ComposerAIState.set_ai_open,
    )
