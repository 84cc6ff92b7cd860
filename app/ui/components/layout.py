"""The signed-in shell: sidebar navigation, workspace switcher, user menu."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from app.ui.state.auth import AuthState

NAV = [
    ("Dashboard", "/", "layout-dashboard"),
    ("Calendar", "/calendar", "calendar-days"),
    ("Composer", "/composer", "square-pen"),
    ("Accounts", "/accounts", "users"),
    ("Media", "/media", "image"),
    ("Analytics", "/analytics", "chart-column"),
    ("Settings", "/settings/team", "settings"),
]


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label, size="3"), spacing="3", align="center"),
        href=href,
        id=f"nav-{label.lower()}",
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        padding="8px 12px",
        border_radius="var(--radius-3)",
        _hover={"background": "var(--gray-a3)"},
    )


def workspace_switcher() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Workspace", width="100%", id="workspace-switcher"),
        rx.select.content(
            rx.foreach(
                AuthState.workspaces,
                lambda w: rx.select.item(w["name"], value=w["id"]),
            )
        ),
        value=AuthState.workspace_id,
        on_change=AuthState.switch_workspace,
        size="2",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=AuthState.user_initials, size="1", radius="full"),
                rx.text(AuthState.user_email, size="2", id="user-email", trim="both"),
                variant="ghost",
                color_scheme="gray",
                id="user-menu",
            )
        ),
        rx.menu.content(
            rx.menu.item("Team settings", on_click=rx.redirect("/settings/team")),
            rx.cond(
                AuthState.is_instance_admin,
                rx.menu.item("Instance settings", on_click=rx.redirect("/settings/instance")),
            ),
            rx.menu.separator(),
            rx.menu.item("Log out", on_click=AuthState.logout, color="red", id="logout"),
        ),
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("megaphone", size=22, color=rx.color("accent", 9)),
            rx.heading("Herald", size="5"),
            align="center",
            spacing="2",
            padding_x="12px",
        ),
        workspace_switcher(),
        rx.vstack(*[_nav_link(*item) for item in NAV], spacing="1", width="100%"),
        rx.spacer(),
        rx.hstack(user_menu(), rx.color_mode.button(size="1"), justify="between", width="100%"),
        width="240px",
        min_width="240px",
        height="100vh",
        position="sticky",
        top="0",
        padding="16px 12px",
        spacing="4",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def shell(content: rx.Component, title: str) -> rx.Component:
    return rx.hstack(
        sidebar(),
        rx.box(
            rx.heading(title, size="7", margin_bottom="16px", id="page-title"),
            content,
            padding="24px 32px",
            width="100%",
            max_width="1200px",
        ),
        spacing="0",
        align="start",
        width="100%",
    )


def protected_page(route: str, title: str, on_load: list | None = None) -> Callable:
    """Register a signed-in page: shell around it, anonymous users sent to /login?next=…"""

    def decorator(render: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.cond(
                AuthState.user_email != "",
                shell(render(), title),
                rx.center(rx.spinner(size="3"), height="100vh"),
            )

        page.__name__ = render.__name__
        rx.page(
            route=route,
            title=f"{title} · Herald",
            on_load=[AuthState.require_auth, *(on_load or [])],
        )(page)
        return render

    return decorator
