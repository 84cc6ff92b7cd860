"""Blocks of the admin settings pages (API keys, webhooks): a secret shown once, the "create"
card, and the list that waits for its first load."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import stack
from app.ui.components.forms import form_error
from app.ui.components.settings_nav import settings_page
from app.ui.state.auth import AuthState


def secret_once(
    secret: rx.Var,
    heading: rx.Component,
    note: rx.Component,
    on_dismiss: Any,
    *,
    noun: str,
    label: str,
    copied: str,
    callout_id: str = "",
) -> rx.Component:
    """A new secret, shown once: selectable, copyable, then dismissed. Its input is
    `new-<noun>` (named `label`), its buttons `copy-<noun>` and `dismiss-<noun>`, the callout
    `new-<noun>-callout` unless `callout_id` is given."""
    input_id = f"new-{noun}"
    return rx.cond(
        secret != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            stack(
                heading,
                rx.hstack(
                    rx.input(
                        value=secret,
                        read_only=True,
                        id=input_id,
                        font_family="monospace",
                        width="100%",
                        aria_label=label,
                        on_focus=rx.call_script(f"document.getElementById('{input_id}').select()"),
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=[rx.set_clipboard(secret), rx.toast(copied)],
                        id=f"copy-{noun}",
                    ),
                    rx.button(
                        "Done",
                        variant="soft",
                        color_scheme="gray",
                        on_click=on_dismiss,
                        id=f"dismiss-{noun}",
                    ),  # fmt: skip
                    width="100%",
                ),
                note,
                spacing="2",
            ),
            color_scheme="amber",
            id=callout_id or f"{input_id}-callout",
            width="100%",
        ),
    )


def create_card(
    heading: str, controls: list[rx.Component], *below: rx.Component, on_submit: Any
) -> rx.Component:
    """A card holding a one-line form (`controls`), with more below it; cleared on submit."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(heading, size="4"),
                rx.hstack(*controls, spacing="2", wrap="wrap"),
                *below,
                spacing="3",
            ),
            on_submit=on_submit,
            reset_on_submit=True,
        ),
        width="100%",
    )


def once_loaded(loading: rx.Var, body: rx.Component) -> rx.Component:
    """A spinner until the page's first load is done, then `body`."""
    return rx.cond(loading, rx.center(rx.spinner(), width="100%", padding="24px"), body)


def about_workspace(before: str, after: str) -> rx.Component:
    """The grey line under a settings page's tabs: "<before> <workspace><after>"."""
    return rx.text(
        before, rx.text.strong(AuthState.current_workspace_name), after, color_scheme="gray"
    )


def admin_settings(
    path: str, subject: str, rest: str, error: rx.Var, *body: rx.Component
) -> rx.Component:
    """A workspace admin's settings page: "<subject> <workspace><rest>", the error, and `body`
    for admins only."""
    return settings_page(
        path,
        about_workspace(subject, rest),
        form_error(error),
        rx.cond(AuthState.is_workspace_admin, stack(*body, spacing="4")),
    )
