"""/calendar: posts on a month/week/day/list calendar; drag to reschedule, click to open."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.outage import outage_banner
from app.ui.components.poll import live_poll
from app.ui.state.calendar import CalendarState
from app.ui.views.calendar_grid import calendar_grid
from app.ui.views.calendar_post_dialog import post_dialog
from app.ui.views.calendar_toolbar import legend, toolbar

# Live status: how often the open page re-reads the visible posts.
REFRESH_MS = 4000


@protected_page("/calendar", "Calendar", on_load=[CalendarState.load])
def calendar() -> rx.Component:
    return rx.vstack(
        toolbar(),
        legend(),
        outage_banner(),
        form_error(CalendarState.error),
        calendar_grid(),
        post_dialog(),
        # Live status while the page is open: a timer re-reads the visible posts.
        live_poll(REFRESH_MS, CalendarState.tick),
        spacing="3",
        width="100%",
    )
