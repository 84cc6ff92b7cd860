"""Media: the details panel of the selected file, and its delete confirmation."""

from __future__ import annotations

import reflex as rx

from app.ui.components.confirm import confirm_dialog
from app.ui.state.media import MediaState


def _row(label: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.data_list.item(
            rx.data_list.label(label),
            rx.data_list.value(rx.text(value, id=id_, size="2", style={"word_break": "break-all"})),
        ),
    )


def media_details() -> rx.Component:
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


def delete_confirm() -> rx.Component:
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
