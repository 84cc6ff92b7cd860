"""Analytics: the stat tiles, followers over time, engagement per post and per platform."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import grid, muted
from app.ui.components.charts import AXIS, GRID, chart_frame, no_data, tooltip
from app.ui.components.section import section_card
from app.ui.components.stat import stat_card
from app.ui.state.analytics import AnalyticsState


def stats() -> rx.Component:
    return grid(
        rx.foreach(AnalyticsState.stats, stat_card),
        id="stats",
        columns={"initial": "2", "md": "3", "lg": "5"},
    )


def _y_axis() -> rx.Component:
    return rx.recharts.y_axis(allow_decimals=False, width=56, **AXIS)


def _follower_line(line: rx.Var) -> rx.Component:
    return rx.recharts.line(
        data_key=line["key"], name=line["name"], stroke=line["color"], stroke_width=2,
        dot=False, connect_nulls=True, type_="monotone", is_animation_active=False,
    )  # fmt: skip


def _chart_card(
    title: str,
    icon: str,
    rows: rx.Var,
    chart: Any,
    x_axis: rx.Component,
    *series: Any,
    empty: str,
    card_id: str,
    extra: Any = None,
) -> rx.Component:
    """A card with a 280px `chart` (recharts' line or bar chart) of `rows`: the grid, `x_axis`,
    the y axis, the tooltip and `series`; `empty` says why there is none."""
    return section_card(
        title,
        icon,
        rx.cond(
            rows.length() > 0,
            chart_frame(chart(GRID, x_axis, _y_axis(), tooltip(), *series, data=rows, height=280)),
            no_data(empty),
        ),
        card_id,
        extra,
    )


def followers_chart() -> rx.Component:
    return _chart_card(
        "Followers",
        "users",
        AnalyticsState.follower_rows,
        rx.recharts.line_chart,
        rx.recharts.x_axis(data_key="date", **AXIS),
        rx.recharts.legend(),
        rx.foreach(AnalyticsState.follower_lines, _follower_line),
        empty="No follower counts in this range yet.",
        card_id="chart-followers",
    )


def _stacked(key: str, name: str, fill: str) -> rx.Component:
    return rx.recharts.bar(
        data_key=key, name=name, stack_id="e", fill=fill, is_animation_active=False
    )


def posts_chart() -> rx.Component:
    return _chart_card(
        "Engagement per post",
        "chart-column",
        AnalyticsState.post_rows,
        rx.recharts.bar_chart,
        rx.recharts.x_axis(data_key="label", hide=True),
        rx.recharts.legend(),
        _stacked("likes", "Likes", "var(--pink-9)"),
        _stacked("comments", "Comments", "var(--blue-9)"),
        _stacked("shares", "Shares", "var(--grass-9)"),
        empty="No posts published in this range.",
        card_id="chart-posts",
        extra=muted("latest 30 posts of the range"),
    )


def platforms_chart() -> rx.Component:
    return _chart_card(
        "Engagement per platform",
        "layers",
        AnalyticsState.platform_rows,
        rx.recharts.bar_chart,
        rx.recharts.x_axis(data_key="platform", **AXIS),
        rx.recharts.bar(
            rx.foreach(AnalyticsState.platform_rows, lambda r: rx.recharts.cell(fill=r["fill"])),
            data_key="engagement",
            name="Engagement",
            is_animation_active=False,
            radius=[4, 4, 0, 0],
        ),
        empty="No accounts match these filters.",
        card_id="chart-platforms",
    )
