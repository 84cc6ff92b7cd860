"""The two time settings, as sign-up and Settings → Profile ask them: the zone (typed, with the
IANA names as suggestions) and the 12/24-hour format."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack


def zone_input(value: rx.Var, on_change: object, zones: rx.Var, hint: str) -> rx.Component:
    """A `Time zone` input (id `timezone`) suggesting every IANA zone name."""
    return stack(
        rx.text("Time zone", as_="label", html_for="timezone", size="2", weight="medium"),
        rx.input(
            id="timezone",
            name="timezone",
            value=value,
            on_change=on_change,
            placeholder="Type to search, e.g. New York",
            custom_attrs={"list": "timezone-options", "autoComplete": "off"},
            size="3",
            width="100%",
        ),
        rx.el.datalist(rx.foreach(zones, lambda z: rx.el.option(value=z)), id="timezone-options"),
        muted(hint),
        spacing="1",
    )


def _choice(value: str, label: str, example: str) -> rx.Component:
    return rx.text(
        rx.flex(
            rx.radio_group.item(value=value, id=f"time-format-{value}"),
            label,
            rx.text(example, color_scheme="gray"),
            spacing="2",
            align="center",
        ),
        as_="label",
        size="2",
    )


def hours_choice(value: rx.Var, on_change: object) -> rx.Component:
    """`24-hour · 14:30` or `12-hour · 2:30 PM` (ids `time-format-24h` / `time-format-12h`)."""
    return stack(
        rx.text("Time format", size="2", weight="medium"),
        rx.radio_group.root(
            rx.hstack(
                _choice("24h", "24-hour", "14:30"),
                _choice("12h", "12-hour", "2:30 PM"),
                spacing="5",
                wrap="wrap",
            ),
            value=value,
            on_change=on_change,
            name="time_format",
            id="time-format",
        ),
        spacing="1",
    )
