"""/media: the workspace's media library: upload, filter, media_details, delete."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import stack
from app.ui.components.layout import protected_page
from app.ui.components.section import empty_card
from app.ui.components.uploader import upload_zone
from app.ui.state.media import MediaState
from app.ui.views.media_details import delete_confirm, media_details
from app.ui.views.media_filters import media_filters
from app.ui.views.media_library import media_skeleton, media_tile

UPLOAD_ID = "media-upload"


@protected_page("/media", "Media", on_load=[MediaState.load])
def media_page() -> rx.Component:
    return stack(
        rx.cond(MediaState.can_edit, upload_zone(MediaState, UPLOAD_ID)),
        media_filters(),
        rx.hstack(
            rx.text(MediaState.summary, size="2", color_scheme="gray", id="media-summary"),
            width="100%",
        ),
        rx.grid(
            rx.cond(
                MediaState.loading & (MediaState.items.length() == 0),
                media_skeleton(),
                rx.cond(
                    MediaState.items.length() > 0,
                    rx.grid(
                        rx.foreach(MediaState.items, media_tile),
                        columns=rx.breakpoints(initial="2", sm="3", lg="4"),
                        spacing="3",
                        width="100%",
                        id="media-grid",
                    ),
                    empty_card(
                        "image",
                        rx.cond(
                            MediaState.filtered,
                            rx.text("No media match these filters.", color_scheme="gray"),
                            rx.text("No media yet: drop images or videos above.",
                                    color_scheme="gray"),
                        ),
                        shade=9,
                        padding="32px",
                        id="media-empty",
                    ),
                ),
            ),
            rx.cond(MediaState.selected_id != "", media_details()),
            columns=rx.cond(
                MediaState.selected_id != "",
                rx.breakpoints(initial="1", md="minmax(0, 2fr) minmax(0, 1fr)"),
                "1",
            ),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        delete_confirm(),
        spacing="4",
    )  # fmt: skip
