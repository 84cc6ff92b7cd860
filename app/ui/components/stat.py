"""A figure card (label, big value, hint) as on the dashboard and analytics pages."""

from __future__ import annotations

import dataclasses

import reflex as rx

from app.ui.components.blocks import muted, row

# The icons a stat may name. Each is imported by name: an icon picked from a state var at run
# time would make Reflex load lucide's dynamic loader, which lists all ~1,600 icons.
ICONS = ("circle-check", "circle-alert", "clock", "heart", "users", "send", "percent", "eye")


@dataclasses.dataclass
class Stat:
    key: str = ""
    label: str = ""
    value: str = "0"
    hint: str = ""
    icon: str = ""
    color: str = "gray"


def stat_card(s: Stat) -> rx.Component:
    return rx.card(
        rx.vstack(
            row(
                rx.match(
                    s.icon,
                    *[
                        (name, rx.icon(name, size=16, color=rx.color(s.color, 10)))
                        for name in ICONS
                    ],
                    rx.fragment(),
                ),
                muted(s.label, weight="medium", size="2"),
            ),
            rx.text(s.value, size="7", weight="bold", id="stat-" + s.key, class_name="stat-value"),
            muted(s.hint),
            spacing="1",
        ),
        data_stat=s.key,
        class_name="stat-card",
        width="100%",
    )
