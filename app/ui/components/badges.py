"""Status badges and account avatars, as the dashboard and its lists show them."""

from __future__ import annotations

from typing import Any

import reflex as rx

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


def chip_avatar(chip: Any, size: str = "2") -> rx.Component:
    """A destination's account (`name`, `avatar`, `platform_name`), labelled "X · name"."""
    return account_avatar(chip.name, chip.avatar, chip.platform_name + " · " + chip.name, size)
