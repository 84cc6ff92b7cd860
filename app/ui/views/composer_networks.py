"""Composer: per network, a tab with each account (its own text, its problems) and the
network's options, a form drawn from the provider's options model."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import (
    EDGE,
    inline_label,
    item_list,
    labelled,
    muted,
    shown_callout,
    stack,
    text_area,
    toolbar,
)
from app.ui.state.composer import ComposerState
from app.ui.state.composer_model import Choice, OptionField, Tab, TabAccount
from app.ui.views.composer_checks import network_checks, network_label
from app.ui.views.composer_post import section


def choice_item(c: Choice) -> rx.Component:
    return rx.select.item(c.label, value=c.value)


def _field(f: OptionField) -> rx.Component:
    field_id = "opt-" + f.platform + "-" + f.name
    help_text = rx.cond(f.help != "", muted(f.help))

    def set_option(v: rx.Var) -> rx.event.EventSpec:
        return ComposerState.set_option(f.platform, f.name, v)

    def field(control: rx.Component) -> rx.Component:
        return labelled(f.label, control, help_text, html_for=field_id, width="100%")

    return rx.match(
        f.kind,
        (
            "bool",
            inline_label(
                rx.switch(checked=f.checked, on_change=set_option, id=field_id),
                rx.text(f.label, size="2"),
            ),
        ),
        (
            "select",
            field(
                rx.cond(
                    f.choices.length() > 0,
                    rx.select.root(
                        rx.select.trigger(id=field_id, width="100%", placeholder="Choose…"),
                        rx.select.content(rx.foreach(f.choices, choice_item)),
                        value=f.value,
                        on_change=set_option,
                    ),
                    muted("Nothing to choose from yet."),
                )
            ),
        ),
        (
            "textarea",
            field(text_area(field_id, f.value, set_option, rows="2")),
        ),
        field(rx.input(id=field_id, value=f.value, on_change=set_option, width="100%")),
    )


def _tab_account(a: TabAccount) -> rx.Component:
    return stack(
        toolbar(
            rx.avatar(src=a.avatar, fallback=a.name.to(str)[:2], size="1", radius="full"),
            rx.text(a.name, size="2", weight="medium"),
            rx.spacer(),
            inline_label(
                muted("Custom text"),
                rx.switch(
                    checked=a.customized,
                    on_change=lambda v: ComposerState.toggle_custom(a.id, v),
                    size="1",
                    id="custom-" + a.id,
                ),
            ),
        ),
        rx.cond(
            a.customized,
            text_area(
                "override-" + a.id,
                a.override,
                lambda v: ComposerState.set_override(a.id, v),
                rows="4",
                placeholder="Text for this account only",
            ),
        ),
        rx.foreach(
            a.problems,
            lambda p: rx.callout(
                p,
                icon="circle-alert",
                color_scheme="red",
                size="1",
                class_name="destination-problem",
                width="100%",
            ),
        ),
        spacing="2",
        padding="10px",
        border=EDGE,
        border_radius="var(--radius-3)",
        class_name="tab-account",
        data_account_id=a.id,
    )


def _tab_trigger(t: Tab) -> rx.Component:
    problems = rx.badge(
        t.problem_count, color_scheme="red", variant="solid", radius="full", size="1"
    )
    return rx.tabs.trigger(
        network_label(t, rx.cond(t.problem_count > 0, problems)),
        value=t.platform,
        id="tab-" + t.platform,
        data_problems=t.problem_count,
    )


def _tab_content(t: Tab) -> rx.Component:
    return rx.tabs.content(
        stack(
            rx.cond(
                t.problem_count > 0,
                rx.callout(
                    rx.text(
                        t.platform_name, " will not accept this post yet: see below.", size="2"
                    ),
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                ),
            ),
            shown_callout(t.message, "info", "amber", size="1"),
            rx.foreach(t.accounts, _tab_account),
            item_list(
                t.fields,
                _field,
                layout=rx.grid,
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            spacing="3",
            padding_top="12px",
            id="panel-" + t.platform,
            class_name="network-panel",
        ),
        value=t.platform,
    )


def networks() -> rx.Component:
    return rx.cond(
        ComposerState.tabs.length() > 0,
        section(
            "Per network",
            "sliders-horizontal",
            network_checks(),
            rx.tabs.root(
                rx.tabs.list(rx.foreach(ComposerState.tabs, _tab_trigger), wrap="wrap"),
                rx.foreach(ComposerState.tabs, _tab_content),
                value=ComposerState.active_tab,
                on_change=ComposerState.set_tab,
                width="100%",
            ),
            rx.cond(
                ComposerState.active_tab == "all",
                muted(
                    "Pick a network to change its options or write a different text for one "
                    "account."
                ),
            ),
        ),
    )
