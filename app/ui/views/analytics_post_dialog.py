"""Analytics: a post's dialog — its totals, text and, per destination, the metrics history."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import dialog_buttons, muted, soft_button, stack, text_box
from app.ui.components.charts import AXIS, GRID, tooltip
from app.ui.state.analytics import AnalyticsState
from app.ui.state.analytics_data import DestDetail


def _history_chart(d: DestDetail) -> rx.Component:
    return rx.cond(
        d.history.length() > 0,
        rx.box(
            rx.recharts.line_chart(
                GRID,
                rx.recharts.x_axis(data_key="at", **AXIS),
                rx.recharts.y_axis(y_axis_id="left", allow_decimals=False, width=48, **AXIS),
                rx.recharts.y_axis(
                    y_axis_id="right",
                    orientation="right",
                    allow_decimals=False,
                    width=56,
                    **AXIS,
                ),  # fmt: skip
                tooltip(),
                rx.recharts.legend(),
                *[
                    rx.recharts.line(
                        data_key=key,
                        name=label,
                        stroke=color,
                        y_axis_id=axis,
                        stroke_width=2,
                        dot={"stroke": color, "fill": color, "r": 2},
                        active_dot={"stroke": color, "fill": color, "r": 4},
                        type_="monotone",
                        is_animation_active=False,
                    )
                    for key, label, color, axis in (
                        ("likes", "Likes", "var(--pink-9)", "left"),
                        ("comments", "Comments", "var(--blue-9)", "left"),
                        ("shares", "Shares", "var(--grass-9)", "left"),
                        ("views", "Views (right axis)", "var(--amber-9)", "right"),
                    )
                ],
                data=d.history,
                height=220,
            ),
            width="100%",
            class_name="history-chart",
        ),
        muted("No metrics collected yet for this destination.", size="2"),
    )


def _destination(d: DestDetail) -> rx.Component:
    return rx.card(
        stack(
            rx.hstack(
                rx.text(d.platform_name, " · ", d.account, weight="bold", size="2"),
                rx.badge(d.status, variant="soft", radius="full"),
                rx.spacer(),
                rx.cond(
                    d.permalink != "",
                    rx.link(
                        "View post",
                        rx.icon("external-link", size=14),
                        href=d.permalink,
                        is_external=True,
                        size="2",
                        class_name="permalink",
                    ),
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            muted(rx.cond(d.published != "", "Published " + d.published + " · ", ""), d.latest),
            _history_chart(d),
            spacing="2",
        ),
        class_name="post-destination",
        data_platform=d.platform,
        width="100%",
    )


def post_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            stack(
                rx.dialog.title("Post metrics", margin="0"),
                rx.dialog.description(
                    AnalyticsState.detail_totals, size="2", color_scheme="gray", id="post-totals"
                ),
                rx.cond(
                    AnalyticsState.detail_content != "",
                    text_box(AnalyticsState.detail_content, "160px"),
                ),
                rx.cond(
                    AnalyticsState.detail_loading,
                    rx.center(rx.spinner(size="3"), height="160px", width="100%"),
                    stack(rx.foreach(AnalyticsState.detail_dests, _destination)),
                ),
                dialog_buttons(rx.dialog.close(soft_button("Close")), width="100%"),
            ),
            max_width="760px",
            id="post-dialog",
        ),
        open=AnalyticsState.detail_open,
        on_open_change=AnalyticsState.set_detail_open,
    )
