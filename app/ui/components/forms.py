"""Small form building blocks shared by pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import row, soft_button, stack


def field(label: str, name: str, type_: str = "text", **props) -> rx.Component:
    return stack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
        rx.input(name=name, id=name, type=type_, size="3", width="100%", **props),
        spacing="1",
    )


def form_error(message: rx.Var, id: str = "form-error", **props) -> rx.Component:
    """A red alert with `message`, shown while it is not empty."""
    return rx.cond(
        message != "",
        rx.callout(
            message, icon="triangle-alert", color_scheme="red", role="alert", id=id, **props
        ),
    )


def labelled_input(label: str, input_id: str, width: str = "14rem", **props) -> rx.Component:
    """A settings input with its label above it."""
    return rx.vstack(
        rx.text(label, as_="label", html_for=input_id, size="2"),
        rx.input(id=input_id, width=width, **props),
        spacing="1",
    )


def env_input(
    settings: rx.Var, label: str, name: str, input_id: str, width: str = "14rem", **props
) -> rx.Component:
    """A `labelled_input` for the setting `name`, disabled while the environment sets it
    (`settings["<name>_env"]` is "yes")."""
    env = settings[f"{name}_env"] == "yes"
    return labelled_input(label, input_id, width, name=name, disabled=env, **props)


def submit_button(label: str, loading: rx.Var) -> rx.Component:
    """The full-width submit button of the sign-in, sign-up and password forms."""
    return rx.button(label, type="submit", size="3", width="100%", loading=loading, id="submit")


def data_item(label: str, value: rx.Component, source: rx.Component | None = None):
    """A row of a data list: a label, a value and where the value comes from."""
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(rx.hstack(value, source or rx.fragment(), spacing="2", wrap="wrap")),
    )


def settings_form(
    inputs: list[rx.Component],
    save: rx.Component,
    stored: rx.Var,
    remove: rx.Component,
    on_submit: object,
    **props,
) -> rx.Component:
    """A row of inputs, then "Save" and, while a secret is stored (`stored`), its removal."""
    return rx.form(
        rx.vstack(
            rx.hstack(*inputs, spacing="3", wrap="wrap", align="end"),
            rx.hstack(save, rx.cond(stored, remove), spacing="2"),
            spacing="3",
        ),
        on_submit=on_submit,
        **props,
    )


def check_chip(label: Any, **box: Any) -> rx.Component:
    """One of a row of small labelled checkboxes (the events of a webhook, the groups of a
    chat channel); `box` props (checked, on_change, a class) go to the checkbox."""
    return rx.el.label(row(rx.checkbox(**box), rx.text(label, size="1"), spacing="1"))


def choice_select(
    choices: dict[str, str], label: str, trigger: dict | None = None, **props
) -> rx.Component:
    """A select of fixed `choices` ({value: text}) named `label` (for screen readers);
    `trigger` props (an id, a class) mark its button, `props` go to the select."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, **(trigger or {})),
        rx.select.content(*[rx.select.item(text, value=v) for v, text in choices.items()]),
        **props,
    )


def remove_button(label: str, on_click: object, **props) -> rx.Component:
    return soft_button(label, type="button", on_click=on_click, **props, color="red")
