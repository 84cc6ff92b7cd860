"""/media: the workspace's media library: upload, filter, details, delete."""

from __future__ import annotations

import reflex as rx

from app.ui.components.confirm import confirm_dialog
from app.ui.components.layout import protected_page
from app.ui.components.uploader import KEY_CLICK, upload_zone
from app.ui.state.media import MediaCard, MediaState

UPLOAD_ID = "media-upload"


def _tile(m: MediaCard) -> rx.Component:
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
        rx.vstack(
            rx.text(m.filename, size="1", weight="medium", class_name="name"),
            rx.text(m.size, " · ", m.kind, size="1", color_scheme="gray"),
            spacing="0",
            padding="6px 8px",
            width="100%",
        ),
        role="button",
        tab_index=0,
        aria_pressed=rx.cond(active, "true", "false"),
        aria_label=m.filename,
        on_click=MediaState.select(m.id),
        custom_attrs=KEY_CLICK,
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


def _filters() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("All", value="all"),
            rx.segmented_control.item("Images", value="image"),
            rx.segmented_control.item("Videos", value="video"),
            value=MediaState.kind,
            on_change=MediaState.set_kind,
            id="filter-kind",
        ),
        rx.select.root(
            rx.select.trigger(id="filter-size", aria_label="Size"),
            rx.select.content(
                rx.select.item("Any size", value="all"),
                rx.select.item("Under 1 MB", value="small"),
                rx.select.item("1–10 MB", value="medium"),
                rx.select.item("Over 10 MB", value="large"),
            ),
            value=MediaState.size,
            on_change=MediaState.set_size,
        ),
        rx.hstack(
            rx.text("From", size="2", as_="label", html_for="filter-from"),
            rx.input(type="date", id="filter-from", value=MediaState.date_from,
                     on_change=MediaState.set_date_from),
            rx.text("to", size="2", as_="label", html_for="filter-to"),
            rx.input(type="date", id="filter-to", value=MediaState.date_to,
                     on_change=MediaState.set_date_to),
            align="center",
            spacing="2",
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="File name",
            value=MediaState.query,
            on_change=MediaState.set_query.debounce(300),
            id="filter-q",
        ),
        rx.cond(
            MediaState.filtered,
            rx.button("Clear filters", variant="ghost", size="2", on_click=MediaState.clear_filters,
                      id="clear-filters"),
        ),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )  # fmt: skip


def _row(label: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.data_list.item(
            rx.data_list.label(label),
            rx.data_list.value(rx.text(value, id=id_, size="2", style={"word_break": "break-all"})),
        ),
    )


def _details() -> rx.Component:
    m = MediaState.selected
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Details", size="3"),
                rx.spacer(),
                rx.icon_button(rx.icon("x", size=14), variant="ghost", size="1",
                               on_click=MediaState.close_details, aria_label="Close details"),
                width="100%",
                align="center",
            ),
            rx.cond(
                m.kind == "video",
                rx.el.video(src=m.url, controls=True, preload="metadata",
                            style={"width": "100%", "max_height": "260px",
                                   "border_radius": "var(--radius-2)", "background": "black"}),
                rx.image(src=m.url, alt=m.filename, width="100%", max_height="260px",
                         object_fit="contain", border_radius="var(--radius-2)",
                         background=rx.color("gray", 3)),
            ),
            rx.text(m.filename, weight="bold", size="2", id="detail-name",
                    style={"word_break": "break-all"}),
            rx.data_list.root(
                _row("Type", m.file_type, "detail-type"),
                _row("Size", m.size, "detail-size"),
                _row("Dimensions", m.dimensions, "detail-dimensions"),
                _row("Duration", m.duration, "detail-duration"),
                _row("Uploaded", m.created, "detail-created"),
                _row("SHA-256", m.checksum, "detail-checksum"),
                size="1",
                orientation="vertical",
            ),
            rx.cond(
                MediaState.error != "",
                rx.callout(MediaState.error, icon="triangle-alert", color_scheme="red",
                           size="1", id="media-error", width="100%"),
            ),
            rx.hstack(
                rx.link(rx.button(rx.icon("external-link", size=14), "Open", variant="soft",
                                  size="2"), href=m.url, is_external=True),
                rx.cond(
                    MediaState.can_edit,
                    rx.button(rx.icon("trash-2", size=14), "Delete", color_scheme="red",
                              variant="soft", size="2", on_click=MediaState.ask_delete(True),
                              id="delete-media"),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="media-details",
    )  # fmt: skip


def _confirm() -> rx.Component:
    return confirm_dialog(
        open=MediaState.confirm_delete,
        on_open_change=MediaState.ask_delete,
        title="Delete this file?",
        description=rx.text(
            MediaState.selected.filename,
            " is removed from the library and from storage. Drafts and past posts "
            "using it lose the attachment. This cannot be undone.",
        ),
        cancel_label="Keep it",
        confirm_label="Delete",
        on_confirm=MediaState.delete_selected,
        busy=MediaState.deleting,
        confirm_id="confirm-delete",
        dialog_id="media-delete-dialog",
    )


def _skeleton() -> rx.Component:
    return rx.grid(
        *[rx.skeleton(rx.box(height="170px"), loading=True) for _ in range(8)],
        columns=rx.breakpoints(initial="2", sm="3", lg="4"),
        spacing="3",
        width="100%",
    )


@protected_page("/media", "Media", on_load=[MediaState.load])
def media_page() -> rx.Component:
    return rx.vstack(
        rx.cond(MediaState.can_edit, upload_zone(MediaState, UPLOAD_ID)),
        _filters(),
        rx.hstack(
            rx.text(MediaState.summary, size="2", color_scheme="gray", id="media-summary"),
            width="100%",
        ),
        rx.grid(
            rx.cond(
                MediaState.loading & (MediaState.items.length() == 0),
                _skeleton(),
                rx.cond(
                    MediaState.items.length() > 0,
                    rx.grid(
                        rx.foreach(MediaState.items, _tile),
                        columns=rx.breakpoints(initial="2", sm="3", lg="4"),
                        spacing="3",
                        width="100%",
                        id="media-grid",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.icon("image", size=32, color=rx.color("gray", 9)),
                            rx.cond(
                                MediaState.filtered,
                                rx.text("No media match these filters.", color_scheme="gray"),
                                rx.text("No media yet: drop images or videos above.",
                                        color_scheme="gray"),
                            ),
                            align="center",
                            padding="32px",
                        ),
                        width="100%",
                        id="media-empty",
                    ),
                ),
            ),
            rx.cond(MediaState.selected_id != "", _details()),
            columns=rx.cond(
                MediaState.selected_id != "",
                rx.breakpoints(initial="1", md="minmax(0, 2fr) minmax(0, 1fr)"),
                "1",
            ),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        _confirm(),
        spacing="4",
        width="100%",
    )  # fmt: skip
