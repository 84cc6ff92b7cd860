"""The tabs across the top of every settings page."""

from __future__ import annotations

import reflex as rx

from app.ui.state.auth import AuthState

TABS = [
    ("Profile", "/settings/profile", "user"),
    ("Team", "/settings/team", "users"),
    ("Billing", "/settings/billing", "credit-card"),
    ("API keys", "/settings/keys", "key-round"),
    ("Posting schedule", "/settings/schedule", "clock"),
]
INSTANCE = ("Instance", "/settings/instance", "server")


def _tab(label: str, href: str, icon: str, active: str) -> rx.Component:
    current = href == active
    return rx.link(
        rx.hstack(rx.icon(icon, size=15), rx.text(label, size="2"), spacing="2", align="center"),
        href=href,
        id=f"settings-tab-{href.rsplit('/', 1)[1]}",
        underline="none",
        color=rx.color("accent", 11) if current else rx.color("gray", 12),
        weight="medium" if current else "regular",
        padding="8px 12px",
        border_bottom=f"2px solid {rx.color('accent', 9) if current else 'transparent'}",
        **({"aria_current": "page"} if current else {}),
        _hover={"background": rx.color("gray", 3)},
        white_space="nowrap",
    )


def settings_nav(active: str) -> rx.Component:
    """Settings sub-navigation; `active` is the current page's route. Instance settings show
    for instance admins only."""
    return rx.el.nav(
        rx.flex(
            *[_tab(*tab, active) for tab in TABS],
            rx.cond(AuthState.is_instance_admin, _tab(*INSTANCE, active)),
            wrap="wrap",
            gap="1",
            border_bottom=f"1px solid {rx.color('gray', 5)}",
            width="100%",
        ),
        aria_label="Settings",
        id="settings-nav",
        width="100%",
        margin_bottom="16px",
    )
