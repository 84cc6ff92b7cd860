"""Live post previews: one component, styled per network (X, Facebook, Instagram, LinkedIn,
YouTube, TikTok, Threads, Bluesky, Mastodon, Pinterest): avatar, name, handle, text with links,
hashtags and mentions highlighted, and a media grid."""

from __future__ import annotations

import reflex as rx

from app.ui.state.calendar import PLATFORM_COLORS

MARKS = {
    "x": "X",
    "bluesky": "B",
    "mastodon": "M",
    "threads": "@",
    "linkedin": "in",
    "facebook": "f",
    "instagram": "IG",
    "youtube": "YT",
    "tiktok": "T",
    "pinterest": "P",
}
# The action row under each post (lucide icons, no emoji font needed).
ACTIONS = {
    "x": ["message-circle", "repeat", "heart", "bookmark"],
    "facebook": ["thumbs-up", "message-circle", "share-2"],
    "linkedin": ["thumbs-up", "message-circle", "repeat", "send"],
    "instagram": ["heart", "message-circle", "send", "bookmark"],
    "threads": ["heart", "message-circle", "repeat", "send"],
    "bluesky": ["message-circle", "repeat", "heart"],
    "mastodon": ["reply", "repeat", "star", "bookmark"],
    "youtube": ["thumbs-up", "thumbs-down", "share-2"],
    "tiktok": ["heart", "message-circle", "bookmark", "share-2"],
    "pinterest": ["share-2", "heart"],
}
# Link/hashtag colour per network (readable in light and dark).
LINK_COLORS = {
    "x": "#1d9bf0",
    "bluesky": "#1083fe",
    "mastodon": "#8c8dff",
    "threads": "#0095f6",
    "linkedin": "#0a66c2",
    "facebook": "#1877f2",
    "instagram": "#4f5bd5",
    "youtube": "#3ea6ff",
    "tiktok": "#fe2c55",
    "pinterest": "#e60023",
}
# Networks that show media before the text (visual-first).
MEDIA_FIRST = ("instagram", "pinterest", "youtube", "tiktok")


def platform_mark(platform: rx.Var, size: str = "18px") -> rx.Component:
    return rx.box(
        rx.match(platform, *MARKS.items(), "•"),
        background=rx.match(platform, *PLATFORM_COLORS.items(), "#64748b"),
        color="white",
        width=size,
        height=size,
        min_width=size,
        border_radius="999px",
        display="inline-flex",
        align_items="center",
        justify_content="center",
        font_size="10px",
        font_weight="700",
        line_height="1",
        aria_hidden="true",
        class_name="platform-mark",
    )


def _segment(s: rx.Var, platform: rx.Var) -> rx.Component:
    color = rx.match(platform, *LINK_COLORS.items(), "var(--accent-11)")
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
        rx.image(src=m.url, alt=m.filename, class_name="pv-media", loading="lazy"),
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
            border_radius=rx.match(
                p.platform, ("instagram", "0"), ("tiktok", "10px"), ("pinterest", "16px"), "12px"
            ),
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


def post_preview(p: rx.Var) -> rx.Component:
    header = rx.hstack(
        rx.avatar(
            src=p.avatar,
            fallback=p.name.to(str)[:2],
            size="2",
            radius=rx.match(p.platform, ("linkedin", "medium"), ("facebook", "full"), "full"),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(p.name, size="2", weight="bold", trim="both"),
                rx.cond(
                    (p.platform == "x")
                    | (p.platform == "threads")
                    | (p.platform == "bluesky")
                    | (p.platform == "mastodon"),
                    rx.text(p.handle, size="2", color_scheme="gray", trim="both"),
                ),
                spacing="1",
                align="baseline",
            ),
            rx.text(
                rx.match(
                    p.platform,
                    ("linkedin", "Now · Public"),
                    ("facebook", "Just now · Public"),
                    ("youtube", "Scheduled upload"),
                    ("pinterest", "Pin"),
                    ("tiktok", "Video"),
                    ("instagram", "Instagram"),
                    "now",
                ),
                size="1",
                color_scheme="gray",
                trim="both",
            ),
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
        font_size=rx.match(p.platform, ("x", "15px"), ("threads", "15px"), "14px"),
        line_height="1.45",
        max_height="240px",
        overflow="hidden",
        class_name="pv-text",
    )
    title = rx.cond(
        p.title != "",
        rx.text(p.title, weight="bold", size="3", class_name="pv-title"),
    )
    visual_first = rx.vstack(header, _media_grid(p), title, body, spacing="2", width="100%")
    text_first = rx.vstack(header, body, _media_grid(p), spacing="2", width="100%")
    return rx.card(
        rx.cond(
            (p.platform == "instagram") | (p.platform == "pinterest") | (p.platform == "youtube")
            | (p.platform == "tiktok"),
            visual_first,
            text_first,
        ),
        rx.hstack(
            rx.match(
                p.platform,
                *[
                    (k, rx.hstack(*[rx.icon(n, size=14) for n in v], spacing="4"))
                    for k, v in ACTIONS.items()
                ],
                rx.hstack(rx.icon("heart", size=14), spacing="4"),
            ),
            rx.spacer(),
            rx.cond(
                p.platform == "pinterest",
                rx.badge("Save", color_scheme="red", variant="solid", radius="full"),
            ),
            rx.text(p.platform_name, size="1", color_scheme="gray"),
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
            "border_left": rx.match(
                p.platform, *[(k, f"3px solid {v}") for k, v in PLATFORM_COLORS.items()],
                "3px solid var(--gray-7)",
            ),
            "background": rx.cond(p.platform == "tiktok", "var(--gray-2)", "var(--color-panel)"),
        },
    )  # fmt: skip
