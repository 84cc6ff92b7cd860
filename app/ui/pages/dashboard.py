"""/ : the dashboard — what needs attention first, then what is coming and what went out."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import grid, muted, stack
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.outage import outage_banner
from app.ui.components.poll import live_poll
from app.ui.state.approvals import ApprovalListState
from app.ui.state.auth import AuthState
from app.ui.state.dashboard import DashboardState
from app.ui.state.dashboard_drafts import DashboardDraftsState
from app.ui.views.approvals_dashboard import approvals_card
from app.ui.views.dashboard_attention import attention
from app.ui.views.dashboard_drafts import drafts_card
from app.ui.views.dashboard_lists import recent, upcoming
from app.ui.views.dashboard_overview import getting_started, period_toggle, stats

# Live status: how often an open dashboard asks whether anything changed (one cheap query).
POLL_MS = 3000
APPROVALS_POLL_MS = 10000


@protected_page(
    "/",
    "Dashboard",
    on_load=[
        DashboardState.load,
        ApprovalListState.load,
        DashboardDraftsState.load_drafts,
    ],
)
def dashboard() -> rx.Component:
    return stack(
        rx.flex(
            muted(
                "Signed in as ",
                rx.text.strong(AuthState.user_name),
                " · workspace ",
                rx.text.strong(AuthState.current_workspace_name, id="current-workspace"),
                " (",
                AuthState.current_role,
                ")",
                size="2",
            ),
            period_toggle(),
            direction=rx.breakpoints(initial="column", sm="row"),
            spacing="2",
            justify="between",
            align=rx.breakpoints(initial="start", sm="center"),
            width="100%",
        ),
        stack(
            form_error(DashboardState.error),
            outage_banner(),
            getting_started(),
            stats(),
            attention(),
            approvals_card(),
            grid(
                upcoming(),
                recent(),
                drafts_card(),
                columns={"initial": "1", "lg": "2"},
                spacing="4",
            ),
            rx.cond(
                DashboardState.updated != "",
                muted(
                    "Updated ", DashboardState.updated, " · live", id="dashboard-updated"
                ),  # fmt: skip
            ),
            live_poll(POLL_MS, DashboardState.tick),
            live_poll(APPROVALS_POLL_MS, ApprovalListState.load),
            spacing="4",
            id="dashboard",
            data_loading=DashboardState.loading.to(str),
        ),
        spacing="4",
    )
