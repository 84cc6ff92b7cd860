"""The small soft buttons of list rows and card headers (Switch, Deliveries; Revoke, Remove)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def row_button(*children: Any, **props: Any) -> rx.Component:
    """A small soft button; `props` as for `rx.button` (color_scheme="red" for a removal)."""
    return rx.button(*children, size="1", variant="soft", **props)


def danger_button(label: Any, on_click: Any, **props: Any) -> rx.Component:
    """A row's small red button (Remove, Delete, Revoke, Disconnect)."""
    return row_button(label, color_scheme="red", on_click=on_click, **props)
