"""Recharts pieces in the theme's colours: axes, grid, tooltip, the chart frame and its
empty state."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted

AXIS = {"stroke": rx.color("gray", 9), "font_size": 12}
GRID = rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke=rx.color("gray", 5))


def tooltip() -> rx.Component:
    return rx.recharts.graphing_tooltip(
        content_style={
            "background": rx.color("gray", 1),
            "borderColor": rx.color("gray", 6),
            "borderRadius": "8px",
            "color": rx.color("gray", 12),
        },
        label_style={"color": rx.color("gray", 11)},
        cursor={"fill": rx.color("gray", 3)},
    )


def chart_frame(chart: rx.Component, class_name: str = "chart") -> rx.Component:
    return rx.box(chart, width="100%", class_name=class_name)


def no_data(text: str) -> rx.Component:
    return rx.center(
        muted(text, align="center", size="2"),
        height="160px",
        width="100%",
        class_name="chart-empty",
    )
