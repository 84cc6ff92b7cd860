"""/analytics: how the posts performed — followers over time, engagement per post and per
platform, top posts (each opening its own metrics history), over a date range."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import grid, muted, stack
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.poll import live_poll
from app.ui.components.section import empty_card
from app.ui.state.analytics import AnalyticsState
from app.ui.views.analytics_charts import followers_chart, platforms_chart, posts_chart, stats
from app.ui.views.analytics_post_dialog import post_dialog
from app.ui.views.analytics_toolbar import sync_button, toolbar
from app.ui.views.analytics_top_posts import top_posts

# While the page is open: ask every few seconds whether new metrics arrived (one cheap query).
POLL_MS = 5000


def _empty_metrics() -> rx.Component:
    return empty_card(
        "chart-no-axes-column",
        rx.heading("No metrics yet", size="4", as_="h2"),
        muted(
            "Herald reads followers, likes, comments, shares and views from each platform "
            "every hour, for the connected accounts and the posts published in the last "
            "30 days. They appear here after the first sync.",
            align="center",
            max_width="520px",
            size="2",
        ),
        rx.cond(
            AnalyticsState.has_accounts,
            sync_button("sync-now-empty"),
            rx.link(rx.button("Connect an account"), href="/accounts", id="cta-connect"),
        ),
        spacing="3",
        padding="32px",
        id="empty-metrics",
    )


def _body() -> rx.Component:
    return stack(
        rx.cond(
            AnalyticsState.range_label != "",
            muted(AnalyticsState.range_label, id="range-label", size="2"),
        ),
        stats(),
        followers_chart(),
        grid(posts_chart(), platforms_chart(), columns={"initial": "1", "lg": "2"}, spacing="4"),
        top_posts(),
        spacing="4",
    )


@protected_page("/analytics", "Analytics", on_load=[AnalyticsState.load])
def analytics() -> rx.Component:
    return stack(
        live_poll(POLL_MS, AnalyticsState.tick),
        post_dialog(),
        form_error(AnalyticsState.error),
        rx.cond(
            AnalyticsState.loading,
            stack(
                rx.skeleton(rx.box(height="40px", width="100%")),
                rx.skeleton(rx.box(height="96px", width="100%")),
                rx.skeleton(rx.box(height="300px", width="100%")),
            ),
            rx.cond(
                AnalyticsState.has_metrics,
                stack(
                    toolbar(),
                    form_error(AnalyticsState.range_error, "range-error", width="100%"),
                    _body(),
                    spacing="4",
                ),
                _empty_metrics(),
            ),
        ),
        id="analytics",
        data_loading=AnalyticsState.loading.to(str),
        spacing="4",
    )
