"""Live post previews: one component, styled per network from each provider's `look`: badge,
colours, avatar, name, handle, text with links, hashtags and mentions highlighted, a media grid
and the network's action row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from app.providers.base import Look
from app.providers.registry import all_providers
from app.ui.components.blocks import muted, stack
from app.ui.components.network_logo import network_logo

LOOKS: dict[str, Look] = {p.id: p.look for p in all_providers()}


def by_network(platform: rx.Var, pick: Callable[[Look], Any], default: Any) -> Any:
    """A value chosen in the browser per network, read from each provider's look."""
    return rx.match(platform, *[(k, pick(look)) for k, look in LOOKS.items()], default)


def platform_mark(platform: rx.Var, size: str = "18px") -> rx.Component:
    """The network's logo badge (see network_logo)."""
    return network_logo(platform, size)


def _segment(s: rx.Var, platform: rx.Var) -> rx.Component:
    color = by_network(platform, lambda look: look.link_color, "var(--accent-11)")
    return rx.match(
        s.kind,
        ("link", rx.el.span(s.text, color=color, class_name="pv-link")),
        ("tag", rx.el.span(s.text, color=color, class_name="pv-tag")),
        ("mention", rx.el.span(s.text, color=color, class_name="pv-mention")),
        rx.el.span(s.text),
    )


def _media_cell(m: rx.Var) -> rx.Component:
    return rx.cond(
        m.kind == "video",
        rx.el.video(src=m.url, preload="metadata", muted=True, class_name="pv-media"),
        rx.image(
            src=m.url,
            alt=rx.cond(m.alt != "", m.alt, m.filename),
            class_name="pv-media",
            loading="lazy",
        ),
    )


def _media_grid(p: rx.Var) -> rx.Component:
    n = p.media.length()
    return rx.cond(
        n > 0,
        rx.grid(
            rx.foreach(p.media, _media_cell),
            columns=rx.cond(n > 1, "2", "1"),
            gap="2px",
            width="100%",
            border_radius=by_network(p.platform, lambda look: look.media_radius, "12px"),
            overflow="hidden",
            class_name="pv-grid",
            style={
                "& .pv-media": {
                    "width": "100%",
                    "height": rx.cond(n > 1, "120px", "220px"),
                    "object_fit": "cover",
                    "display": "block",
                    "background": "var(--gray-4)",
                }
            },
        ),
    )


def _video_frame(p: rx.Var) -> rx.Component:
    """A video network's player: the video, else its thumbnail or a placeholder, in the
    network's shape (16:9 or 9:16)."""
    tall = p.frame == "9:16"
    return rx.box(
        rx.cond(
            p.video != "",
            rx.el.video(src=p.video, poster=p.poster, preload="metadata", muted=True,
                        class_name="pv-video"),
            rx.cond(
                p.poster != "",
                rx.image(src=p.poster, alt="Video thumbnail", class_name="pv-video"),
                rx.vstack(
                    rx.icon("film", size=28),
                    rx.text("Add a video", size="2"),
                    align="center", justify="center", height="100%", spacing="2",
                    color="var(--gray-9)", class_name="pv-video-missing",
                ),
            ),
        ),
        rx.cond(
            (p.video != "") | (p.poster != ""),
            rx.center(
                rx.icon("play", size=20, color="white"),
                position="absolute", top="50%", left="50%", transform="translate(-50%, -50%)",
                width="44px", height="44px", border_radius="999px",
                background="rgba(0,0,0,0.55)", pointer_events="none",
            ),
        ),
        position="relative",
        width=rx.cond(tall, "60%", "100%"),
        margin_x="auto",
        aspect_ratio=rx.cond(tall, "9 / 16", "16 / 9"),
        background="var(--gray-5)",
        border_radius=by_network(p.platform, lambda look: look.media_radius, "12px"),
        overflow="hidden",
        class_name="pv-frame",
        data_frame=p.frame,
        style={"& .pv-video": {"width": "100%", "height": "100%", "object_fit": "cover",
                               "display": "block"}},
    )  # fmt: skip


def _flag(platform: rx.Var, pick: Callable[[Look], bool]) -> rx.Var:
    """True in the browser for the networks whose look has `pick`."""
    return by_network(platform, lambda look: pick(look), False).to(bool)


def _actions(look: Look) -> rx.Component:
    return rx.hstack(*[rx.icon(n, size=14) for n in look.actions], spacing="4")


def _avatar_radius(look: Look) -> str:
    return "medium" if look.square_avatar else "full"


def _call_to_action(look: Look) -> rx.Component:
    return rx.badge(look.call_to_action, color_scheme="red", variant="solid", radius="full")


def post_preview(p: rx.Var) -> rx.Component:
    header = rx.hstack(
        rx.avatar(
            src=p.avatar,
            fallback=p.name.to(str)[:2],
            size="2",
            radius=by_network(p.platform, _avatar_radius, "full"),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(p.name, size="2", weight="bold", trim="both"),
                rx.cond(
                    _flag(p.platform, lambda look: look.show_handle),
                    muted(p.handle, trim="both", size="2"),
                ),
                spacing="1",
                align="baseline",
            ),
            muted(by_network(p.platform, lambda look: look.subtitle, "now"), trim="both"),
            spacing="1",
            align="start",
            min_width="0",
        ),
        rx.spacer(),
        platform_mark(p.platform),
        align="center",
        width="100%",
    )
    body = rx.box(
        rx.cond(p.empty, rx.el.span("Your post text appears here.", color="var(--gray-9)")),
        rx.foreach(p.segments, lambda s: _segment(s, p.platform)),
        white_space="pre-wrap",
        overflow_wrap="anywhere",
        font_size=by_network(p.platform, lambda look: look.text_size, "14px"),
        line_height="1.45",
        max_height="240px",
        overflow="hidden",
        class_name="pv-text",
    )
    title = rx.cond(
        p.title != "",
        rx.text(p.title, weight="bold", size="3", class_name="pv-title"),
    )
    visual = rx.cond(p.frame != "", _video_frame(p), _media_grid(p))
    visual_first = stack(header, visual, title, body, spacing="2")
    text_first = stack(header, body, _media_grid(p), spacing="2")
    return rx.card(
        rx.cond(_flag(p.platform, lambda look: look.media_first), visual_first, text_first),
        rx.hstack(
            rx.match(
                p.platform,
                *[(k, _actions(look)) for k, look in LOOKS.items()],
                rx.hstack(rx.icon("heart", size=14), spacing="4"),
            ),
            rx.spacer(),
            rx.match(
                p.platform,
                *[(k, _call_to_action(look)) for k, look in LOOKS.items() if look.call_to_action],
                rx.fragment(),
            ),
            muted(p.platform_name),
            width="100%",
            margin_top="8px",
            align="center",
            color=rx.color("gray", 10),
        ),
        width="100%",
        class_name="post-preview",
        data_platform=p.platform,
        data_account_id=p.account_id,
        style={
            "border_left": by_network(
                p.platform, lambda look: f"3px solid {look.color}", "3px solid var(--gray-7)"
            ),
            "background": rx.cond(
                _flag(p.platform, lambda look: look.tinted), "var(--gray-2)", "var(--color-panel)"
            ),
        },
    )
