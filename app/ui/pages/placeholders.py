"""Pages that later work fills in; each already sits behind sign-in in the shell."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import placeholder, protected_page
from app.ui.state.auth import AuthState


@protected_page("/", "Dashboard")
def dashboard() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Signed in as ",
            rx.text.strong(AuthState.user_name),
            " · workspace ",
            rx.text.strong(AuthState.current_workspace_name, id="current-workspace"),
            " (",
            AuthState.current_role,
            ")",
        ),
        placeholder("Upcoming posts, recent results and accounts needing attention.", "inbox"),
        spacing="4",
        width="100%",
    )


@protected_page("/composer", "Composer")
def composer() -> rx.Component:
    return placeholder("Write once, publish everywhere.", "square-pen")


@protected_page("/media", "Media")
def media() -> rx.Component:
    return placeholder("Your media library.", "image")


@protected_page("/analytics", "Analytics")
def analytics() -> rx.Component:
    return placeholder("How your posts performed.", "chart-column")
