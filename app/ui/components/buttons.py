"""The small soft button of list rows and card headers (Switch, Revoke, Deliveries, …)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def row_button(*children: Any, **props: Any) -> rx.Component:
    """A small soft button; `props` as for `rx.button` (color_scheme="red" for a removal)."""
    return rx.button(*children, size="1", variant="soft", **props)
