"""Pages that later work fills in; each already sits behind sign-in in the shell."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import placeholder, protected_page


@protected_page("/analytics", "Analytics")
def analytics() -> rx.Component:
    return placeholder("How your posts performed.", "chart-column")
