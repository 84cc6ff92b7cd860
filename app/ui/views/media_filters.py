"""Media: the filters (kind, size, dates, name)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import kind_filter
from app.ui.components.forms import choice_select
from app.ui.state.media import MediaState


def media_filters() -> rx.Component:
    return rx.flex(
        kind_filter(MediaState.kind, MediaState.set_kind, id="filter-kind"),
        choice_select(
            {"all": "Any size", "small": "Under 1 MB", "medium": "1–10 MB", "large": "Over 10 MB"},
            "Size",
            {"id": "filter-size"},
            value=MediaState.size,
            on_change=lambda v: MediaState.set_filter("size", v),
        ),
        rx.hstack(
            rx.text("From", size="2", as_="label", html_for="filter-from"),
            rx.input(type="date", id="filter-from", value=MediaState.date_from,
                     on_change=lambda v: MediaState.set_filter("date_from", v)),
            rx.text("to", size="2", as_="label", html_for="filter-to"),
            rx.input(type="date", id="filter-to", value=MediaState.date_to,
                     on_change=lambda v: MediaState.set_filter("date_to", v)),
            align="center",
            spacing="2",
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="File name",
            value=MediaState.query,
            on_change=lambda v: MediaState.set_filter("query", v).debounce(300),
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
