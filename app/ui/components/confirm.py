"""The one confirmation dialog of destructive actions: what will happen, then the choice.

A page keeps one dialog per kind of action, opened by its state (a bool var, set with the
item's id and name when the user clicks the red button), instead of one dialog per row.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import dialog_buttons, soft_button


def confirm_button(
    label: str, on_click: Any, *, id: str, busy: Any = False, color: str = "red", **props
) -> rx.Component:
    """A choice of the dialog (the first one given is the main, destructive one)."""
    return rx.button(label, color_scheme=color, on_click=on_click, loading=busy, id=id, **props)


def confirm_dialog(
    *,
    open: Any,
    on_open_change: Any,
    title: Any,
    description: Any,
    confirm_label: str = "",
    on_confirm: Any = None,
    confirm_id: str = "confirm-action",
    busy: Any = False,
    cancel_label: str = "Cancel",
    choices: list[rx.Component] | None = None,
    body: rx.Component | None = None,
    dialog_id: str = "confirm-dialog",
) -> rx.Component:
    """A controlled alert dialog: `title`, `description` (text or a component), optional
    `body`, a Cancel button, then either one confirm button or several `choices`."""
    buttons = choices or [confirm_button(confirm_label, on_confirm, id=confirm_id, busy=busy)]
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(rx.text(description, size="2", as_="div"), as_child=True),
            body or rx.fragment(),
            rx.flex(
                rx.alert_dialog.cancel(soft_button(cancel_label, id=f"{dialog_id}-cancel")),
                *buttons,
                spacing="2",
                justify="end",
                wrap="wrap",
                margin_top="16px",
            ),
            id=dialog_id,
            max_width="540px",
        ),
        open=open,
        on_open_change=on_open_change,
    )


def ask_first(
    trigger: rx.Component,
    title: tuple,
    description: rx.Component,
    confirm_label: str,
    on_confirm: Any,
    confirm_id: str,
) -> rx.Component:
    """`trigger` opens an alert that asks again (`title` parts, a `rx.alert_dialog.description`):
    Cancel, or the red `confirm_label` button that runs `on_confirm`."""
    confirm = rx.button(confirm_label, color_scheme="red", on_click=on_confirm, id=confirm_id)
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(*title),
            description,
            dialog_buttons(
                rx.alert_dialog.cancel(soft_button("Cancel")),
                rx.alert_dialog.action(confirm),
                spacing="3",
                margin_top="16px",
            ),
        ),
    )
