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
