"""Media: the library grid, one tile per file (and its loading media_skeleton)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import stack
from app.ui.components.uploader import KEY_CLICK
from app.ui.state.media import MediaCard, MediaState


def media_tile(m: MediaCard) -> rx.Component:
    active = MediaState.selected_id == m.id
    return rx.box(
        rx.box(
            rx.cond(
                m.kind == "video",
                rx.el.video(src=m.url + "#t=0.1", preload="metadata", muted=True,
                            class_name="thumb"),
                rx.image(src=m.url, alt=m.filename, class_name="thumb", loading="lazy"),
            ),
            rx.cond(
                m.kind == "video",
                rx.box(
                    rx.icon("play", size=12, color="white"),
                    position="absolute", bottom="6px", left="6px", padding="4px",
                    background="rgba(0,0,0,.6)", border_radius="999px", line_height="0",
                ),
            ),
            position="relative",
        ),
        stack(
            rx.text(m.filename, size="1", weight="medium", class_name="name"),
            rx.text(m.size, " · ", m.kind, size="1", color_scheme="gray"),
            spacing="0",
            padding="6px 8px",
        ),
        role="button",
        tab_index=0,
        aria_pressed=rx.cond(active, "true", "false"),
        aria_label=m.filename,
        on_click=MediaState.select(m.id),
        custom_attrs={**KEY_CLICK},  # a copy: Reflex writes aria-/data- props into it
        cursor="pointer",
        border=rx.cond(active, f"2px solid {rx.color('accent', 9)}",
                       f"1px solid {rx.color('gray', 5)}"),
        border_radius="var(--radius-3)",
        overflow="hidden",
        background=rx.color("gray", 2),
        class_name="media-tile",
        data_media_id=m.id,
        data_kind=m.kind,
        _hover={"border_color": rx.color("accent", 8)},
        _focus_visible={"outline": f"2px solid {rx.color('accent', 8)}"},
        style={
            "& .thumb": {"width": "100%", "aspect_ratio": "1 / 1", "object_fit": "cover",
                         "display": "block", "background": "var(--gray-4)"},
            "& .name": {"white_space": "nowrap", "overflow": "hidden",
                        "text_overflow": "ellipsis", "max_width": "100%"},
        },
    )  # fmt: skip


def media_skeleton() -> rx.Component:
    return rx.grid(
        *[rx.skeleton(rx.box(height="170px"), loading=True) for _ in range(8)],
        columns=rx.breakpoints(initial="2", sm="3", lg="4"),
        spacing="3",
        width="100%",
    )
