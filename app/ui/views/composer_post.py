"""Composer: the accounts to publish to, and the post itself (text with a counter per
network, AI button, attached media)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import (
    corner_badge,
    item_list,
    muted,
    pin,
    small_icon_button,
    soft_action,
    stack,
    toolbar,
    wrap_row,
)
from app.ui.components.counter import count_note, count_of, is_strict
from app.ui.components.preview import platform_mark
from app.ui.components.section import section_card
from app.ui.components.uploader import upload_zone
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_ai import ComposerAIState
from app.ui.state.composer_media import UPLOAD_ID, ComposerMediaState
from app.ui.state.composer_model import AccountRow, MediaRef, Tab
from app.ui.views.composer_checks import alt_button


def section(title: str, icon: str, *children: rx.Component) -> rx.Component:
    """A composer card: the shared section card holding `children` one under the other."""
    body = stack(*children, spacing="3")
    return section_card(title, icon, body, "composer-" + title.lower().replace(" ", "-"))


# --------------------------------------------------------------------------- accounts


def _account_chip(a: AccountRow) -> rx.Component:
    chip = rx.button(
        rx.box(
            rx.avatar(src=a.avatar, fallback=a.name.to(str)[:2], size="2", radius="full"),
            corner_badge(
                platform_mark(a.platform, "15px"),
                "var(--color-panel-solid)",
                "1px",
                bottom="-3px",
                right="-3px",
            ),
            position="relative",
            line_height="0",
        ),
        rx.vstack(
            rx.text(a.name, size="2", weight="medium", trim="both"),
            rx.text(a.platform_name, size="1", color_scheme="gray", trim="both"),
            spacing="1",
            align="start",
        ),
        rx.cond(a.selected, rx.icon("check", size=14)),
        variant=rx.cond(a.selected, "soft", "outline"),
        color_scheme=rx.cond(a.selected, "accent", "gray"),
        size="3",
        on_click=ComposerState.toggle_account(a.id),
        disabled=a.disabled & ~a.selected,
        aria_pressed=rx.cond(a.selected, "true", "false"),
        id="account-" + a.id,
        class_name="account-chip",
        data_platform=a.platform,
        data_selected=rx.cond(a.selected, "yes", ""),
        style={"height": "auto", "padding": "6px 10px", "justify_content": "start"},
    )
    return rx.cond(
        a.hint != "",
        rx.tooltip(rx.box(chip, class_name="account-hint-wrap"), content=a.hint),
        chip,
    )


def accounts() -> rx.Component:
    return section(
        "Publish to",
        "users",
        item_list(
            ComposerState.account_rows,
            _account_chip,
            layout=wrap_row,
            empty=rx.hstack(
                muted("No accounts connected yet.", size="2"),
                rx.link("Connect one", href="/accounts", size="2"),
                spacing="2",
            ),
            id="account-picker",
        ),
        rx.foreach(
            ComposerState.account_rows,
            lambda a: rx.cond(
                a.disabled,
                muted(
                    a.platform_name, " · ", a.name, ": ", a.hint, class_name="account-disabled-hint"
                ),
            ),
        ),
    )


# --------------------------------------------------------------------------- text and media


def count_badge(tab: Tab, n: rx.Var, *extra: Any, **props: Any) -> rx.Component:
    """The count `n` of a text against `tab`'s network limit: amber near it, red over it."""
    over = n > tab.max_length
    return rx.badge(
        platform_mark(tab.platform, "14px"),
        rx.el.span(n.to_string(), class_name="count"),
        rx.el.span(" / ", tab.max_length.to_string()),
        *extra,
        color_scheme=rx.cond(over, "red", rx.cond(n > tab.max_length * 0.9, "amber", "gray")),
        variant="soft",
        data_over=rx.cond(over, "yes", ""),
        **props,
    )


def _counter(tab: Tab) -> rx.Component:
    return count_badge(
        tab,
        count_of(tab.platform, TEXT.value, tab.url_length),
        # Where the network documents no counting rule Herald counts strictly, and says so.
        rx.cond(is_strict(tab.platform), rx.el.span("*", class_name="count-strict")),
        size="2",
        id="counter-" + tab.platform,
        class_name="platform-counter",
        title=tab.platform_name + ": " + count_note(tab.platform),
    )


TEXTAREA_STYLE = {
    "width": "100%",
    "min_height": "180px",
    "resize": "vertical",
    "padding": "12px",
    "font_size": "15px",
    "line_height": "1.5",
    "font_family": "inherit",
    "color": "var(--gray-12)",
    "background": "var(--color-surface)",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-3)",
    "outline": "none",
    "&:focus": {"border_color": "var(--accent-8)", "box_shadow": "0 0 0 1px var(--accent-8)"},
    "&::placeholder": {"color": "var(--gray-a10)"},
}


def media_thumb(m: MediaRef, **image: Any) -> rx.Component:
    """An attached file's picture: a video's first frame, or the image (`image` props)."""
    return rx.cond(
        m.kind == "video",
        rx.el.video(src=m.url, preload="metadata", muted=True, class_name="thumb"),
        rx.image(src=m.url, alt=m.filename, class_name="thumb", **image),
    )


def media_tile(m: MediaRef, *overlays: Any, size: str, **props: Any) -> rx.Component:
    """A square thumbnail of an attached file with `overlays` (its buttons) over it."""
    return rx.box(
        media_thumb(m),
        *overlays,
        position="relative",
        width=size,
        height=size,
        overflow="hidden",
        data_media_id=m.id,
        style={"& .thumb": {"width": "100%", "height": "100%", "object_fit": "cover"}},
        **props,
    )


def _media_tile(m: MediaRef) -> rx.Component:
    s = ComposerMediaState
    return media_tile(
        m,
        alt_button(m),
        rx.hstack(
            small_icon_button("chevron-left", "Move earlier", s.move_media(m.id, -1), "solid"),
            small_icon_button("chevron-right", "Move later", s.move_media(m.id, 1), "solid"),
            small_icon_button(
                "x",
                "Remove " + m.filename,
                s.remove_media(m.id),
                "solid",
                "red",
                class_name="remove-media",
            ),
            **pin(top="4px", right="4px"),
            spacing="1",
        ),
        size="96px",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 3),
        class_name="attached-media",
        title=m.filename + " · " + m.detail,
    )


def editor() -> rx.Component:
    return section(
        "Post",
        "pencil-line",
        rx.el.label("Text", html_for="composer-text", class_name="rt-sr-only", hidden=True),
        rx.el.textarea(
            id="composer-text",
            value=TEXT.value,
            on_change=[TEXT.set_value, ComposerState.set_text.debounce(250)],
            placeholder="What do you want to share?",
            aria_label="Post text",
            disabled=~ComposerState.can_edit,
            style=TEXTAREA_STYLE,
        ),
        toolbar(
            wrap_row(rx.foreach(ComposerState.tabs, _counter), id="counters"),
            rx.spacer(),
            soft_action(
                "sparkles",
                "Generate with AI",
                color_scheme="violet",
                size="2",
                on_click=ComposerAIState.open_ai,
                id="open-ai",
                disabled=~ComposerState.can_edit,
            ),
            wrap="wrap",
        ),
        rx.cond(
            ComposerState.tabs.length() == 0,
            muted("Choose accounts above to see each network's character count."),
        ),
        rx.divider(),
        toolbar(
            rx.text("Media", weight="medium", size="2"),
            rx.spacer(),
            soft_action(
                "images",
                "From library",
                size="1",
                on_click=ComposerMediaState.open_library,
                id="open-library",
            ),
        ),
        item_list(ComposerState.media_items, _media_tile, layout=wrap_row, id="attached-media"),
        upload_zone(ComposerMediaState, UPLOAD_ID, compact=True),
    )
