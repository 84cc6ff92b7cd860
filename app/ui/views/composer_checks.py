"""Composer: each selected network's live check (what it needs, what it would refuse right
now, what Herald converts for it), and the alt text dialog of an attached image."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import (
    close_button,
    controlled_dialog,
    dialog_buttons,
    item_list,
    muted,
    pin,
    stack,
    text_area,
)
from app.ui.components.preview import platform_mark
from app.ui.state.composer import ComposerState
from app.ui.state.composer_alt import ComposerAltState
from app.ui.state.composer_model import MediaRef, Tab, TabAccount


def _line(icon: str, color: str, text: rx.Var, class_name: str) -> rx.Component:
    """One line of a network's check: an icon in `color` before `text`."""
    return rx.hstack(
        rx.icon(icon, size=14, color=rx.color(color, 10), flex_shrink="0"),
        rx.text(text, size="1", color=rx.color(color, 11)),
        spacing="2",
        align="start",
        class_name=class_name,
    )


def problem_line(p: rx.Var) -> rx.Component:
    return _line("circle-alert", "red", p, "live-problem")


def _account_problems(t: Tab, a: TabAccount) -> rx.Component:
    return rx.cond(
        a.problems.length() > 0,
        stack(
            rx.cond(t.accounts.length() > 1, muted(a.name, weight="medium")),
            rx.foreach(a.problems, problem_line),
            spacing="1",
        ),
    )


def _note(n: rx.Var) -> rx.Component:
    return _line("wand-sparkles", "blue", n, "conversion-note")


def network_label(t: Tab, *extra: Any, **text: Any) -> rx.Component:
    """A network's logo and name (`text` props for the name), then `extra` (its badges)."""
    return rx.hstack(
        platform_mark(t.platform, "16px"),
        rx.text(t.platform_name, **text),
        *extra,
        align="center",
        spacing="2",
    )


def _network_check(t: Tab) -> rx.Component:
    ready = t.problem_count == 0
    return stack(
        network_label(
            t,
            rx.cond(
                t.blank & ready,
                rx.fragment(),
                rx.cond(
                    ready,
                    rx.badge(rx.icon("check", size=12), "Ready", color_scheme="green", size="1"),
                    rx.badge(
                        t.problem_count,
                        rx.cond(t.problem_count == 1, " problem", " problems"),
                        color_scheme="red",
                        size="1",
                    ),
                ),
            ),
            size="2",
            weight="medium",
        ),
        muted(t.needs, class_name="network-needs"),
        rx.foreach(t.accounts, lambda a: _account_problems(t, a)),
        rx.foreach(t.notes, _note),
        spacing="1",
        padding="8px 10px",
        border=rx.cond(
            ready, f"1px solid {rx.color('gray', 5)}", f"1px solid {rx.color('red', 7)}"
        ),
        border_radius="var(--radius-3)",
        id="check-" + t.platform,
        class_name="network-check",
        data_ready=rx.cond(t.blank & ready, "blank", rx.cond(ready, "yes", "no")),
    )


def network_checks() -> rx.Component:
    """One box per selected network, updated while the user types and attaches."""
    return item_list(
        ComposerState.tabs,
        _network_check,
        spacing="2",
        width="100%",
        id="network-checks",
        aria_live="polite",
    )


def alt_button(m: MediaRef, part: rx.Var | int = -1) -> rx.Component:
    """On an attached image: add or edit its alt text ("ALT" when it has one); `part`: the
    thread part's index for an image of a further part."""
    return rx.cond(
        m.kind == "image",
        rx.button(
            rx.cond(m.alt != "", rx.icon("check", size=10), rx.icon("plus", size=10)),
            "ALT",
            size="1",
            variant="solid",
            color_scheme=rx.cond(m.alt != "", "green", "gray"),
            on_click=ComposerAltState.open_alt(m.id, part),
            aria_label="Alt text for " + m.filename,
            title=rx.cond(m.alt != "", m.alt, "Add alt text"),
            class_name="alt-button",
            **pin(bottom="4px", left="4px"),
            padding="0 6px",
            height="20px",
            font_size="10px",
        ),
    )


def _alt_count() -> rx.Component:
    """How long the alt text is, out of the strictest network's limit (red past it)."""
    s = ComposerAltState
    color = rx.cond(s.alt_too_long, rx.color("red", 11), rx.color("gray", 10))
    return rx.text(s.alt_value.length(), " / ", s.alt_limit, size="1", color=color, id="alt-count")


def alt_dialog() -> rx.Component:
    s = ComposerAltState
    return controlled_dialog(
        "Alt text",
        rx.dialog.description(
            "Describe the image for people who use screen readers. ", s.alt_where, size="2"
        ),
        rx.hstack(
            rx.image(
                src=s.alt_item["url"],
                alt="",
                width="96px",
                height="96px",
                object_fit="cover",
                border_radius="var(--radius-2)",
                flex_shrink="0",
            ),
            stack(
                text_area(
                    "alt-text",
                    s.alt_value,
                    s.set_alt_value,
                    rows="4",
                    placeholder="A short description of what the image shows",
                    aria_label="Alt text",
                ),
                _alt_count(),
                spacing="1",
            ),
            spacing="3",
            align="start",
            margin_top="12px",
            width="100%",
        ),
        dialog_buttons(
            close_button(),
            rx.button("Save", on_click=s.save_alt, id="save-alt"),
            margin_top="16px",
        ),
        open=s.alt_open,
        on_open_change=s.set_alt_open,
        max_width="520px",
    )
