"""The signed-in shell: sidebar navigation, workspace switcher, user menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from app.ui.components.blocks import EDGE, ONE_LINE, ghost_button, ghost_icon, notice, row, stack
from app.ui.components.buttons import row_button
from app.ui.components.notify_bell import bell
from app.ui.components.screen import narrow_only, wide_only
from app.ui.components.workspace_dialog import new_workspace_button, new_workspace_dialog
from app.ui.components.zone_prompt import zone_prompt
from app.ui.state.auth import PAGE_LOADS, AuthState
from app.ui.state.notify import NotifyState

NAV = [
    ("Dashboard", "/", "layout-dashboard"),
    ("Calendar", "/calendar", "calendar-days"),
    ("Composer", "/composer", "square-pen"),
    ("Accounts", "/accounts", "users"),
    ("Media", "/media", "image"),
    ("Analytics", "/analytics", "chart-column"),
    ("Activity", "/activity", "history"),
    ("Settings", "/settings/team", "settings"),
]


FOCUS_RING = {"outline": f"2px solid {rx.color('accent', 8)}", "outline_offset": "2px"}
# The sidebar and the drawer: a grey panel with a line on its right.
PANEL = {"background": rx.color("gray", 2), "border_right": EDGE}
STICKY = {"position": "sticky", "top": "0"}
# Round-cornered padded boxes: the navigation links, the skip link.
PADDED = {"padding": "8px 12px", "border_radius": "var(--radius-3)"}


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        row(rx.icon(icon, size=18), rx.text(label, size="3"), spacing="3"),
        href=href,
        id=f"nav-{label.lower()}",
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        _hover={"background": "var(--gray-a3)"},
        _focus_visible=FOCUS_RING,
        **PADDED,
    )


def workspace_switcher() -> rx.Component:
    """The current workspace, the others to switch to, and a button to create one."""
    return row(
        rx.box(_workspace_select(), flex="1", min_width="0"),
        new_workspace_button(class_name="new-workspace"),
        width="100%",
    )


def _workspace_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Workspace", width="100%", id="workspace-switcher"),
        rx.select.content(
            rx.foreach(
                AuthState.workspaces,
                lambda w: rx.select.item(w["name"], value=w["id"]),
            )
        ),
        value=AuthState.workspace_id,
        on_change=[AuthState.switch_workspace, NotifyState.poll],
        size="2",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            ghost_button(
                rx.avatar(fallback=AuthState.user_initials, size="1", radius="full"),
                rx.text(AuthState.user_email, size="2", id="user-email", **ONE_LINE),
                id="user-menu",
                max_width="170px",
                overflow="hidden",
            )
        ),
        rx.menu.content(
            rx.menu.item("Profile", on_click=rx.redirect("/settings/profile")),
            rx.menu.item("Team settings", on_click=rx.redirect("/settings/team")),
            rx.cond(
                AuthState.is_instance_admin,
                rx.menu.item("Instance settings", on_click=rx.redirect("/settings/instance")),
            ),
            rx.menu.separator(),
            rx.menu.item("Log out", on_click=AuthState.logout, color="red", id="logout"),
        ),
    )


def _brand() -> rx.Component:
    return row(
        rx.icon("megaphone", size=22, color=rx.color("accent", 9)),
        rx.heading("Herald", size="5"),
        padding_x="12px",
    )


def _brand_line(end: rx.Component) -> rx.Component:
    """The brand on the left, `end` (the bell, the drawer's close button) on the right."""
    return rx.hstack(_brand(), end, justify="between", align="center", width="100%")


def _nav_body() -> rx.Component:
    """Workspace switcher, navigation, user menu: the sidebar's and the drawer's content."""
    return stack(
        workspace_switcher(),
        rx.el.nav(
            stack(*[_nav_link(*item) for item in NAV], spacing="1"),
            aria_label="Main",
            width="100%",
        ),
        rx.spacer(),
        rx.hstack(user_menu(), rx.color_mode.button(size="1"), justify="between", width="100%"),
        height="100%",
        spacing="4",
    )


def _nav_panel(end: rx.Component, **props) -> rx.Component:
    """The brand line (`end` on its right) over the navigation: the sidebar, the drawer."""
    return rx.vstack(_brand_line(end), _nav_body(), spacing="4", padding="16px 12px", **props)


def sidebar() -> rx.Component:
    return _nav_panel(bell(), width="240px", min_width="240px", height="100vh", **STICKY, **PANEL)


def topbar() -> rx.Component:
    """Narrow screens: brand and a menu button; the menu is a drawer from the left."""
    return rx.hstack(
        rx.drawer.root(
            rx.drawer.trigger(ghost_icon("menu", "Open menu", 20, id="nav-toggle")),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    _nav_panel(
                        rx.drawer.close(ghost_icon("x", "Close menu", 18, id="nav-close")),
                        width="100%",
                        height="100%",
                        box_sizing="border-box",
                    ),
                    id="nav-drawer",
                    aria_label="Menu",
                    top="0",
                    left="0",
                    height="100%",
                    width="min(280px, 85vw)",
                    z_index="50",
                    **PANEL,
                )
            ),
            direction="left",
        ),
        _brand(),
        rx.spacer(),
        bell(id="notify-bell-mobile"),
        rx.color_mode.button(size="1"),
        align="center",
        width="100%",
        padding="8px 12px",
        z_index="30",
        **STICKY,
        border_bottom=EDGE,
        background=rx.color("gray", 2),
    )


def skip_link() -> rx.Component:
    return rx.el.a(
        "Skip to content",
        href="#main-content",
        id="skip-link",
        # The SPA router does not move focus on fragment links: do it here.
        on_click=rx.call_script("document.getElementById('main-content')?.focus()"),
        position="absolute",
        left="-9999px",
        top="8px",
        z_index="100",
        background=rx.color("accent", 9),
        color="white",
        _focus={"left": "8px", **FOCUS_RING},
        **PADDED,
    )


def shell(content: rx.Component, title: str) -> rx.Component:
    return rx.box(
        skip_link(),
        new_workspace_dialog(),
        rx.flex(
            # Below the `md` breakpoint the sidebar gives way to a top bar whose menu opens a
            # drawer.
            wide_only(sidebar()),
            narrow_only(topbar()),
            rx.el.main(
                notice(
                    AuthState.email_unverified,
                    rx.text("Please confirm your email address: open the link we sent you."),
                    row_button(
                        "Resend the email",
                        on_click=AuthState.resend_verification,
                        id="resend-verification",
                    ),
                    icon="mail",
                    color="amber",
                    id="verify-banner",
                    margin_bottom="16px",
                ),
                zone_prompt(),
                rx.heading(title, size="7", margin_bottom="16px", id="page-title"),
                content,
                id="main-content",
                data_loaded=AuthState.loaded_path,
                tab_index=-1,
                padding=rx.breakpoints(initial="16px", md="24px 32px"),
                width="100%",
                max_width="1200px",
                min_width="0",
                outline="none",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            align=rx.breakpoints(initial="stretch", md="start"),
            width="100%",
        ),
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
        # Reflex writes a page's compiled components into a module named after the page
        # function's module: the page's own, so each route loads only the libraries it uses
        # (not the calendar's and the charts' on every page).
        page.__module__ = render.__module__
        page.__qualname__ = render.__qualname__
        rx.page(
            route=route,
            title=f"{title} · Herald",
            on_load=AuthState.open_page(route),
        )(page)
        PAGE_LOADS[route] = list(on_load or [])
        return render

    return decorator


def public_page(route: str, title: str, *on_load: Any) -> Callable:
    """Register a page open to anyone (no shell), titled "<title> · Herald"."""
    return rx.page(
        route=route,
        title=f"{title} · Herald",
        on_load=list(on_load) if len(on_load) > 1 else on_load[0],
    )
