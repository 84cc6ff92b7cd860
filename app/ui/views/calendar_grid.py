"""Calendar: the FullCalendar grid itself, in the Radix theme's colours."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import CENTRED
from app.ui.components.fullcalendar import fullcalendar
from app.ui.components.network_logo import GLYPH_MASK
from app.ui.state.calendar import CalendarState

# FullCalendar's look, mapped onto the Radix theme (light and dark follow it).
CALENDAR_STYLE = {
    "--fc-border-color": "var(--gray-a5)",
    "--fc-page-bg-color": "var(--color-panel-solid)",
    "--fc-neutral-bg-color": "var(--gray-a2)",
    "--fc-neutral-text-color": "var(--gray-11)",
    "--fc-list-event-hover-bg-color": "var(--gray-a3)",
    "--fc-today-bg-color": "var(--accent-a3)",
    "--fc-now-indicator-color": "var(--red-9)",
    "--fc-highlight-color": "var(--accent-a4)",
    "--fc-button-text-color": "var(--accent-contrast)",
    "--fc-button-bg-color": "var(--accent-9)",
    "--fc-button-border-color": "var(--accent-9)",
    "--fc-button-hover-bg-color": "var(--accent-10)",
    "--fc-button-hover-border-color": "var(--accent-10)",
    "--fc-button-active-bg-color": "var(--accent-11)",
    "--fc-button-active-border-color": "var(--accent-11)",
    "--fc-event-text-color": "#ffffff",
    "color": "var(--gray-12)",
    "font_size": "14px",
    "width": "100%",
    "& .fc .fc-toolbar": {"flex_wrap": "wrap", "gap": "8px"},
    "& .fc .fc-toolbar-title": {"font_size": "1.25rem", "font_weight": "600"},
    "& .fc .fc-button": {"text_transform": "none", "box_shadow": "none"},
    "& .fc .fc-button:focus-visible": {"outline": "2px solid var(--accent-8)"},
    "& .fc .fc-col-header-cell-cushion, & .fc .fc-daygrid-day-number": {
        "color": "var(--gray-11)",
        "text_decoration": "none",
    },
    "& .fc .fc-popover": {"background": "var(--color-panel-solid)", "z_index": "5"},
    "& .fc .fc-list-day-cushion": {"background": "var(--gray-a2)"},
    "& .fc-event": {"cursor": "pointer", "border_width": "2px"},
    "& .fc-event:focus-visible": {"outline": "2px solid var(--accent-8)", "outline_offset": "1px"},
    # A busy day's "+N more" (it opens the day), drawn like FullCalendar's own more-link.
    "& .fc-event.herald-more": {"background": "transparent", "border_color": "transparent"},
    "& .herald-ev-more-link": {"color": "var(--gray-11)", "font_weight": "600"},
    "& .fc-event.herald-more:hover .herald-ev-more-link": {"text_decoration": "underline"},
    "& .herald-ev": {
        "display": "flex",
        "align_items": "center",
        "gap": "4px",
        "overflow": "hidden",
        "white_space": "nowrap",
        "padding": "0 2px",
        "min_width": "0",
    },
    "& .herald-ev-time": {"font_weight": "600", "flex_shrink": "0"},
    "& .herald-ev-avatars": {"display": "inline-flex", "gap": "1px", "flex_shrink": "0"},
    "& .herald-ev-avatar, & .herald-ev-chip": {
        "width": "15px",
        "height": "15px",
        "border_radius": "50%",
        "border": "1px solid rgba(255,255,255,0.8)",
        "flex_shrink": "0",
    },
    "& .herald-ev-avatar": {"object_fit": "cover", "background": "#fff"},
    "& .herald-ev-chip": {
        **CENTRED,
        "font_size": "9px",
        "font_weight": "700",
        "color": "#fff",
    },
    "& .herald-ev-glyph": {
        "display": "block",
        "width": "9px",
        "height": "9px",
        "background": "#fff",
        **GLYPH_MASK,
    },
    "& .herald-ev-avwrap": {"position": "relative", "display": "inline-flex", "flex_shrink": "0"},
    "& .herald-ev-badge": {
        "position": "absolute",
        "right": "-2px",
        "bottom": "-2px",
        "width": "9px",
        "height": "9px",
        "border_radius": "50%",
        **CENTRED,
    },
    "& .herald-ev-badge .herald-ev-glyph": {"width": "6px", "height": "6px"},
    "& .herald-ev-more": {"font_size": "10px", "opacity": "0.9"},
    "& .herald-ev-title": {"overflow": "hidden", "text_overflow": "ellipsis"},
    "& .herald-ev-comments": {
        "display": "inline-flex",
        "align_items": "center",
        "gap": "2px",
        "font_size": "10px",
        "flex_shrink": "0",
        "margin_left": "auto",
    },
    "& .herald-sr": {
        "position": "absolute",
        "width": "1px",
        "height": "1px",
        "overflow": "hidden",
        "clip": "rect(0 0 0 0)",
        "white_space": "nowrap",
    },
    "& .fc-list-event .herald-ev": {"color": "var(--gray-12)"},
    "& .herald-status-cancelled .herald-ev-title": {"text_decoration": "line-through"},
    "& .herald-status-draft": {"border_style": "dashed", "opacity": "0.85"},
    "& .herald-status-failed": {"box_shadow": "inset 3px 0 0 0 #7f1d1d"},
}


def calendar_grid() -> rx.Component:
    return rx.box(
        fullcalendar(
            events=CalendarState.events,
            content_data=CalendarState.chips,
            time_zone=CalendarState.user_timezone,
            editable=CalendarState.can_edit,
            event_duration_editable=False,
            event_interactive=True,
            event_display="block",
            event_time_format=CalendarState.clock_format,
            slot_label_format=CalendarState.clock_format,
            day_max_events=True,
            now_indicator=True,
            nav_links=True,
            scroll_time="08:00:00",
            height="max(640px, calc(100vh - 260px))",
            dates_set=CalendarState.range_changed,
            event_drop=CalendarState.moved,
            event_click=CalendarState.open_post,
            date_click=CalendarState.date_clicked,
        ),
        id="calendar",
        style=CALENDAR_STYLE,
    )
