"""Dashboard: the getting-started banners, the stat tiles and their period toggle."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import grid, row
from app.ui.components.stat import stat_card
from app.ui.state.dashboard import DashboardState


def stats() -> rx.Component:
    return rx.cond(
        DashboardState.loading,
        grid(
            *[rx.skeleton(rx.box(height="96px")) for _ in range(4)],
            columns={"initial": "2", "md": "4"},
        ),
        grid(
            rx.foreach(DashboardState.stats, stat_card),
            id="stats",
            columns={"initial": "2", "md": "4"},
        ),
    )


def period_toggle() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("7 days", value="7", id="period-7"),
        rx.segmented_control.item("30 days", value="30", id="period-30"),
        value=DashboardState.period,
        on_change=DashboardState.set_period,
        size="1",
        id="stats-period",
        aria_label="Stats period",
    )


def _banner(banner_id: str, icon: str, text: str, label: str, href: str, link_id: str):
    return rx.card(
        rx.flex(
            row(
                rx.icon(icon, size=20, color=rx.color("accent", 10)),
                rx.text(text, size="2"),
                spacing="3",
            ),
            rx.link(
                rx.button(rx.icon("arrow-right", size=14), label, size="2"),
                href=href,
                id=link_id,
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            spacing="3",
            align=rx.breakpoints(initial="start", sm="center"),
            justify="between",
            width="100%",
        ),
        id=banner_id,
        width="100%",
        background=rx.color("accent", 2),
        border=f"1px solid {rx.color('accent', 6)}",
    )


def getting_started() -> rx.Component:
    return rx.cond(
        ~DashboardState.loading,
        rx.cond(
            ~DashboardState.has_accounts,
            _banner("empty-accounts", "plug",
                    "No social accounts yet. Connect one to start scheduling posts.",
                    "Connect an account", "/accounts", "cta-connect"),
            rx.cond(
                ~DashboardState.has_posts,
                _banner("empty-posts", "sparkles",
                        "Your accounts are ready. What will you say first?",
                        "Write your first post", "/composer", "cta-compose"),
            ),
        ),
    )  # fmt: skip
