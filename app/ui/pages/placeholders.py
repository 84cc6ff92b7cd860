"""Pages that later work fills in; each already sits behind sign-in in the shell."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import placeholder, protected_page


@protected_page("/composer", "Composer")
def composer() -> rx.Component:
    return placeholder("Write once, publish everywhere.", "square-pen")


@protected_page("/media", "Media")
def media() -> rx.Component:
    return placeholder("Your media library.", "image")


@protected_page("/analytics", "Analytics")
def analytics() -> rx.Component:
    return placeholder("How your posts performed.", "chart-column")


@protected_page("/settings/schedule", "Posting schedule")
def posting_schedule() -> rx.Component:
    from app.ui.components.settings_nav import settings_nav

    return rx.vstack(
        settings_nav("/settings/schedule"),
        placeholder("Time slots per account for “add to the next free slot”.", "clock"),
        spacing="4",
        width="100%",
    )
