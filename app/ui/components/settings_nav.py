"""The settings sub-navigation shown on every settings page."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import row, stack
from app.ui.components.layout import FOCUS_RING
from app.ui.state.auth import AuthState

# (label, route, icon, instance admins only)
TABS = [
    ("Profile", "/settings/profile", "user-round", False),
    ("Notifications", "/settings/notifications", "bell", False),
    ("Workspace", "/settings/workspace", "building-2", False),
    ("Team", "/settings/team", "users", False),
    ("Billing", "/settings/billing", "credit-card", False),
    ("API keys", "/settings/keys", "key-round", False),
    ("Webhooks", "/settings/webhooks", "webhook", False),
    ("Posting schedule", "/settings/schedule", "clock", False),
    ("Instance", "/settings/instance", "server", True),
]


def _tab(label: str, href: str, icon: str, active: bool) -> rx.Component:
    slug = href.rsplit("/", 1)[1]
    state = (
        {
            "aria-current": "page",
            "weight": "medium",
            "border_bottom": f"2px solid {rx.color('accent', 9)}",
        }
        if active
        else {
            "color_scheme": "gray",
            "high_contrast": True,
            "border_bottom": "2px solid transparent",
        }
    )
    return rx.link(
        row(rx.icon(icon, size=15), rx.text(label, size="2")),
        href=href,
        id=f"settings-tab-{slug}",
        underline="none",
        padding="6px 10px",
        white_space="nowrap",
        _hover={"background": "var(--gray-a3)"},
        _focus_visible=FOCUS_RING,
        **state,
    )


def settings_nav(active: str) -> rx.Component:
    """Tabs for the settings pages; `active` is the current route (e.g. "/settings/keys")."""
    tabs = []
    for label, href, icon, admin_only in TABS:
        tab = _tab(label, href, icon, href == active)
        tabs.append(rx.cond(AuthState.is_instance_admin, tab) if admin_only else tab)
    return rx.el.nav(
        rx.hstack(*tabs, spacing="1", wrap="nowrap"),
        aria_label="Settings",
        id="settings-nav",
        width="100%",
        overflow_x="auto",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        margin_bottom="8px",
    )


def settings_page(active: str, *body: rx.Component, **props) -> rx.Component:
    """A settings page: the tabs (`active` marked), then `body`, stacked."""
    return stack(settings_nav(active), *body, **props, spacing="4")
