"""Dashboard: "Needs attention" — failed posts to retry and broken accounts to reconnect."""

from __future__ import annotations

import reflex as rx

from app.ui.components.badges import account_avatar, chip_avatar, status_badge
from app.ui.components.blocks import excerpt, grow, muted, row, stack
from app.ui.components.network_logo import network_logo
from app.ui.components.section import section_card
from app.ui.state.auth import AuthState
from app.ui.state.dashboard import BrokenCard, Card, Chip, DashboardState


def _alert_row(
    main: rx.Component,
    allowed: rx.Var,
    action: rx.Component,
    note: str,
    color: str,
    align: str = "start",
    **props,
) -> rx.Component:
    """A tinted row: what is wrong, and the fix (or who may apply it)."""
    return rx.box(
        rx.flex(
            main,
            rx.cond(allowed, action, muted(note)),
            direction=rx.breakpoints(initial="column", sm="row"),
            spacing="3",
            align=rx.breakpoints(initial="stretch", sm=align),
            width="100%",
        ),
        padding="12px",
        border_radius="var(--radius-3)",
        border=f"1px solid {rx.color(color, 6)}",
        background=rx.color(color, 2),
        width="100%",
        **props,
    )


# The one-click fixes: icon, label, colour.
FIXES = {"retry": ("rotate-cw", "Retry", "red"), "reconnect": ("plug-zap", "Reconnect", "amber")}


def _fix(kind: str, on_click, busy: rx.Var, item_id: rx.Var) -> rx.Component:
    """The one-click fix of a row (retry a post, reconnect an account)."""
    icon, label, color = FIXES[kind]
    return rx.button(
        rx.icon(icon, size=14), label, on_click=on_click, loading=busy, size="2",
        color_scheme=color, variant="soft", id=f"{kind}-" + item_id, class_name=f"{kind}-button",
    )  # fmt: skip


def _failed_destination(c: Chip) -> rx.Component:
    return rx.hstack(
        chip_avatar(c),
        rx.vstack(
            row(
                network_logo(c.platform, "16px"),
                rx.text(c.platform_name, " · ", c.name, size="2", weight="medium"),
                spacing="1",
            ),
            rx.text(c.error, size="2", color_scheme="red", class_name="failure-error"),
            rx.cond(
                (c.account_status == "expired") | (c.account_status == "revoked"),
                muted("Reconnect this account first (below)."),
            ),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
    )


def _failure(p: Card) -> rx.Component:
    return _alert_row(
        grow(
            row(status_badge(p.status), muted(p.when)),
            excerpt(p.content),
            stack(rx.foreach(p.chips, _failed_destination), spacing="2"),
            spacing="2",
        ),
        DashboardState.can_edit,
        _fix("retry", DashboardState.retry(p.id), DashboardState.retrying == p.id, p.id),
        "An editor can retry this.",
        "red",
        class_name="failure-card",
        data_post_id=p.id,
    )


def _broken_account(a: BrokenCard) -> rx.Component:
    return _alert_row(
        rx.hstack(
            account_avatar(a.name, a.avatar, a.platform_name + " · " + a.name, size="3"),
            rx.vstack(
                row(
                    rx.text(a.name, weight="bold", size="2"),
                    status_badge(a.status, class_name="account-status"),
                    wrap="wrap",
                ),
                row(
                    network_logo(a.platform, "14px"),
                    muted(a.platform_name, " · ", a.username),
                    spacing="1",
                ),
                rx.cond(
                    a.error != "",
                    rx.text(a.error, size="2", color_scheme="red", class_name="account-error"),
                ),
                rx.cond(a.since != "", muted("Since ", a.since)),
                spacing="1",
                min_width="0",
            ),
            align="start",
            spacing="3",
            flex="1",
            min_width="0",
        ),
        AuthState.is_workspace_admin,
        _fix(
            "reconnect", DashboardState.reconnect(a.id), DashboardState.reconnecting == a.id, a.id
        ),
        "An admin can reconnect it.",
        "amber",
        align="center",
        class_name="broken-account",
        data_platform=a.platform,
        data_status=a.status,
    )


def _group(title: str, items: rx.Var, render, group_id: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        stack(
            rx.text(title, size="2", weight="medium"),
            rx.foreach(items, render),
            id=group_id,
            spacing="2",
        ),
    )


def attention() -> rx.Component:
    return rx.cond(
        DashboardState.needs_attention & ~DashboardState.loading,
        section_card(
            "Needs attention",
            "triangle-alert",
            stack(
                _group("Failed posts", DashboardState.failures, _failure, "failures"),
                _group("Accounts", DashboardState.broken, _broken_account, "broken-accounts"),
                spacing="4",
            ),
            "attention",
        ),
    )
