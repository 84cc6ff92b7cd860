"""/ : the dashboard — what needs attention first, then what is coming and what went out."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.outage import OutageState, outage_banner
from app.ui.components.stat import stat_card
from app.ui.state.auth import AuthState
from app.ui.state.dashboard import BrokenCard, Card, Chip, DashboardState

# Live status: how often an open dashboard asks whether anything changed (one cheap query).
POLL_MS = 3000

STATUS_COLORS = {
    "draft": "gray",
    "scheduled": "blue",
    "pending": "blue",
    "queued": "blue",
    "publishing": "amber",
    "processing": "amber",
    "unknown": "orange",
    "published": "green",
    "partially_published": "orange",
    "failed": "red",
    "cancelled": "gray",
    "connected": "green",
    "expiring": "amber",
    "expired": "red",
    "revoked": "gray",
    "error": "red",
}
STATUS_LABELS = {"partially_published": "partly published", "pending": "scheduled"}


def status_badge(status: rx.Var, class_name: str = "") -> rx.Component:
    return rx.badge(
        rx.match(status, *STATUS_LABELS.items(), status),
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        radius="full",
        class_name=f"status-badge {class_name}".strip(),
        data_status=status,
    )


def account_avatar(name: rx.Var, avatar: rx.Var, label: rx.Var, size: str = "2") -> rx.Component:
    return rx.tooltip(
        rx.avatar(
            src=avatar,
            fallback=name.to(str)[:2],
            size=size,
            radius="full",
            aria_label=label,
            class_name="account-avatar",
        ),
        content=label,
    )


def _chip_avatar(c: Chip, size: str = "2") -> rx.Component:
    return account_avatar(c.name, c.avatar, c.platform_name + " · " + c.name, size)


def _section(title: str, icon: str, body: rx.Component, section_id: str, extra=None):
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color("accent", 10)),
                rx.heading(title, size="4", as_="h2"),
                rx.spacer(),
                *([extra] if extra is not None else []),
                align="center",
                width="100%",
            ),
            body,
            spacing="3",
            width="100%",
        ),
        id=section_id,
        width="100%",
    )


def _skeleton_rows(n: int = 3) -> rx.Component:
    return rx.vstack(
        *[rx.skeleton(rx.box(height="44px", width="100%")) for _ in range(n)],
        spacing="3",
        width="100%",
        class_name="dashboard-skeleton",
    )


def _empty(icon: str, text: str, *action: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.icon(icon, size=28, color=rx.color("gray", 8)),
        rx.text(text, color_scheme="gray", size="2", align="center"),
        *action,
        align="center",
        spacing="2",
        padding_y="16px",
        width="100%",
    )


# --------------------------------------------------------------------------- stats


def _stats() -> rx.Component:
    return rx.cond(
        DashboardState.loading,
        rx.grid(
            *[rx.skeleton(rx.box(height="96px")) for _ in range(4)],
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            rx.foreach(DashboardState.stats, stat_card),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
            id="stats",
        ),
    )


def _period_toggle() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("7 days", value="7", id="period-7"),
        rx.segmented_control.item("30 days", value="30", id="period-30"),
        value=DashboardState.period,
        on_change=DashboardState.set_period,
        size="1",
        id="stats-period",
        aria_label="Stats period",
    )


# --------------------------------------------------------------------------- attention


def _failed_destination(c: Chip) -> rx.Component:
    return rx.hstack(
        _chip_avatar(c),
        rx.vstack(
            rx.text(c.platform_name, " · ", c.name, size="2", weight="medium"),
            rx.text(c.error, size="2", color_scheme="red", class_name="failure-error"),
            rx.cond(
                (c.account_status == "expired") | (c.account_status == "revoked"),
                rx.text("Reconnect this account first (below).", size="1", color_scheme="gray"),
            ),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
    )


def _failure(p: Card) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    status_badge(p.status),
                    rx.text(p.when, size="1", color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
                rx.text(p.content, size="2", class_name="post-excerpt"),
                rx.vstack(rx.foreach(p.chips, _failed_destination), spacing="2", width="100%"),
                spacing="2",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                DashboardState.can_edit,
                rx.button(
                    rx.icon("rotate-cw", size=14),
                    "Retry",
                    on_click=DashboardState.retry(p.id),
                    loading=DashboardState.retrying == p.id,
                    size="2",
                    color_scheme="red",
                    variant="soft",
                    id="retry-" + p.id,
                    class_name="retry-button",
                ),
                rx.text("An editor can retry this.", size="1", color_scheme="gray"),
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="3",
            align=rx.breakpoints(initial="stretch", sm="start"),
            width="100%",
        ),
        class_name="failure-card",
        data_post_id=p.id,
        padding="12px",
        border_radius="var(--radius-3)",
        border=f"1px solid {rx.color('red', 6)}",
        background=rx.color("red", 2),
        width="100%",
    )


def _broken_account(a: BrokenCard) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.hstack(
                account_avatar(a.name, a.avatar, a.platform_name + " · " + a.name, size="3"),
                rx.vstack(
                    rx.hstack(
                        rx.text(a.name, weight="bold", size="2"),
                        status_badge(a.status, class_name="account-status"),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text(a.platform_name, " · ", a.username, size="1", color_scheme="gray"),
                    rx.cond(
                        a.error != "",
                        rx.text(a.error, size="2", color_scheme="red", class_name="account-error"),
                    ),
                    rx.cond(
                        a.since != "", rx.text("Since ", a.since, size="1", color_scheme="gray")
                    ),
                    spacing="1",
                    min_width="0",
                ),
                align="start",
                spacing="3",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                AuthState.is_workspace_admin,
                rx.button(
                    rx.icon("plug-zap", size=14),
                    "Reconnect",
                    on_click=DashboardState.reconnect(a.id),
                    loading=DashboardState.reconnecting == a.id,
                    size="2",
                    variant="soft",
                    color_scheme="amber",
                    id="reconnect-" + a.id,
                    class_name="reconnect-button",
                ),
                rx.text("An admin can reconnect it.", size="1", color_scheme="gray"),
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="3",
            align=rx.breakpoints(initial="stretch", sm="center"),
            width="100%",
        ),
        class_name="broken-account",
        data_platform=a.platform,
        data_status=a.status,
        padding="12px",
        border_radius="var(--radius-3)",
        border=f"1px solid {rx.color('amber', 6)}",
        background=rx.color("amber", 2),
        width="100%",
    )


def _attention() -> rx.Component:
    return rx.cond(
        DashboardState.needs_attention & ~DashboardState.loading,
        _section(
            "Needs attention",
            "triangle-alert",
            rx.vstack(
                rx.cond(
                    DashboardState.failures.length() > 0,
                    rx.vstack(
                        rx.text("Failed posts", size="2", weight="medium"),
                        rx.foreach(DashboardState.failures, _failure),
                        spacing="2",
                        width="100%",
                        id="failures",
                    ),
                ),
                rx.cond(
                    DashboardState.broken.length() > 0,
                    rx.vstack(
                        rx.text("Accounts", size="2", weight="medium"),
                        rx.foreach(DashboardState.broken, _broken_account),
                        spacing="2",
                        width="100%",
                        id="broken-accounts",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            "attention",
        ),
    )


# --------------------------------------------------------------------------- lists


def _destination_chip(c: Chip) -> rx.Component:
    return rx.hstack(
        _chip_avatar(c, "1"),
        rx.text(c.platform_name, size="1", color_scheme="gray"),
        align="center",
        spacing="1",
        class_name="destination-chip",
    )


def _upcoming_post(p: Card) -> rx.Component:
    return rx.flex(
        rx.flex(
            rx.text(p.when, size="2", weight="bold", white_space="nowrap"),
            status_badge(p.status),
            direction=rx.breakpoints(initial="row", sm="column"),
            gap="2",
            align=rx.breakpoints(initial="center", sm="start"),
            min_width="136px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(p.content, size="2", class_name="post-excerpt"),
            rx.flex(rx.foreach(p.chips, _destination_chip), gap="3", wrap="wrap"),
            spacing="2",
            min_width="0",
            flex="1",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="upcoming-post",
        data_post_id=p.id,
        data_status=p.status,
    )


def _permalink(c: Chip) -> rx.Component:
    return rx.hstack(
        _chip_avatar(c),
        rx.cond(
            c.permalink != "",
            rx.link(
                rx.hstack(
                    rx.text("View on ", c.platform_name, size="1"),
                    rx.icon("external-link", size=12),
                    align="center",
                    spacing="1",
                ),
                href=c.permalink,
                is_external=True,
                class_name="permalink",
            ),
            rx.text(c.platform_name, size="1", color_scheme="gray"),
        ),
        align="center",
        spacing="2",
    )


def _recent_post(p: Card) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            status_badge(p.status),
            rx.text(p.when, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        rx.text(p.content, size="2", class_name="post-excerpt"),
        rx.flex(rx.foreach(p.chips, _permalink), gap="3", wrap="wrap"),
        spacing="2",
        width="100%",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="recent-post",
        data_post_id=p.id,
    )


def _compose_link(label: str) -> rx.Component:
    return rx.cond(
        DashboardState.can_edit & DashboardState.has_accounts,
        rx.link(rx.button(rx.icon("square-pen", size=14), label, size="2"), href="/composer"),
    )


def _upcoming() -> rx.Component:
    return _section(
        "Upcoming",
        "calendar-clock",
        rx.cond(
            DashboardState.loading,
            _skeleton_rows(),
            rx.cond(
                DashboardState.upcoming.length() > 0,
                rx.vstack(
                    rx.foreach(DashboardState.upcoming, _upcoming_post), spacing="0", width="100%"
                ),  # fmt: skip
                _empty(
                    "calendar",
                    "Nothing scheduled for the next 7 days.",
                    _compose_link("Write a post"),
                ),  # fmt: skip
            ),
        ),
        "upcoming",
        rx.link("Calendar", href="/calendar", size="2"),
    )


def _recent() -> rx.Component:
    return _section(
        "Recently published",
        "send",
        rx.cond(
            DashboardState.loading,
            _skeleton_rows(),
            rx.cond(
                DashboardState.recent.length() > 0,
                rx.vstack(
                    rx.foreach(DashboardState.recent, _recent_post), spacing="0", width="100%"
                ),  # fmt: skip
                _empty("inbox", "Nothing published yet."),
            ),
        ),
        "recent",
        rx.link("Analytics", href="/analytics", size="2"),
    )


# --------------------------------------------------------------------------- empty workspace


def _banner(banner_id: str, icon: str, text: str, label: str, href: str, link_id: str):
    return rx.card(
        rx.flex(
            rx.hstack(
                rx.icon(icon, size=20, color=rx.color("accent", 10)),
                rx.text(text, size="2"),
                align="center",
                spacing="3",
            ),
            rx.link(
                rx.button(rx.icon("arrow-right", size=14), label, size="2"),
                href=href,
                id=link_id,
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="3",
            align=rx.breakpoints(initial="start", sm="center"),
            justify="between",
            width="100%",
        ),
        id=banner_id,
        width="100%",
        background=rx.color("accent", 2),
        border=f"1px solid {rx.color('accent', 6)}",
    )


def _getting_started() -> rx.Component:
    return rx.cond(
        ~DashboardState.loading,
        rx.cond(
            ~DashboardState.has_accounts,
            _banner("empty-accounts", "plug",
                    "No social accounts yet. Connect one to start scheduling posts.",
                    "Connect an account", "/accounts", "cta-connect"),
            rx.cond(
                ~DashboardState.has_posts,
                _banner("empty-posts", "sparkles",
                        "Your accounts are ready. What will you say first?",
                        "Write your first post", "/composer", "cta-compose"),
            ),
        ),
    )  # fmt: skip


def _live() -> rx.Component:
    """A hidden ticking clock: its change event polls the dashboard while the page is open
    (it stops when the page is left or closed)."""
    return rx.box(
        rx.moment(interval=POLL_MS, format="HH:mm:ss", on_change=DashboardState.tick),
        display="none",
        aria_hidden="true",
    )


@protected_page("/", "Dashboard", on_load=[DashboardState.load, OutageState.refresh])
def dashboard() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.text(
                "Signed in as ",
                rx.text.strong(AuthState.user_name),
                " · workspace ",
                rx.text.strong(AuthState.current_workspace_name, id="current-workspace"),
                " (",
                AuthState.current_role,
                ")",
                size="2",
                color_scheme="gray",
            ),
            _period_toggle(),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="2",
            justify="between",
            align=rx.breakpoints(initial="start", sm="center"),
            width="100%",
        ),
        rx.vstack(
            form_error(DashboardState.error),
            outage_banner(),
            _getting_started(),
            _stats(),
            _attention(),
            rx.grid(
                _upcoming(),
                _recent(),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                DashboardState.updated != "",
                rx.text(
                    "Updated ",
                    DashboardState.updated,
                    " · live",
                    size="1",
                    color_scheme="gray",
                    id="dashboard-updated",
                ),  # fmt: skip
            ),
            _live(),
            spacing="4",
            width="100%",
            id="dashboard",
            data_loading=DashboardState.loading.to(str),
        ),
        spacing="4",
        width="100%",
    )
