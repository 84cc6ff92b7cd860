"""Dashboard: the "Upcoming" and "Recently published" lists."""

from __future__ import annotations

import reflex as rx

from app.ui.components.badges import chip_avatar, status_badge
from app.ui.components.blocks import LIST_ROW, excerpt, grow, muted, row, stack
from app.ui.components.network_logo import network_logo
from app.ui.components.section import empty_note, section_card, skeleton_rows
from app.ui.state.dashboard import Card, Chip, DashboardState


def _destination_chip(c: Chip) -> rx.Component:
    return row(
        chip_avatar(c, "1"),
        network_logo(c.platform, "14px"),
        muted(c.platform_name),
        spacing="1",
        class_name="destination-chip",
    )


def _comment_count(p: Card) -> rx.Component:
    """How many comments the post has; opens its thread in the calendar's post dialog."""
    return rx.cond(
        p.comments > 0,
        rx.link(
            rx.badge(rx.icon("message-square", size=11), p.comments, variant="soft",
                     color_scheme="gray"),
            href="/calendar?post=" + p.id,
            class_name="comment-count",
            title="Comments",
        ),
    )  # fmt: skip


def _upcoming_post(p: Card) -> rx.Component:
    return rx.flex(
        rx.flex(
            rx.text(p.when, size="2", weight="bold", white_space="nowrap"),
            status_badge(p.status),
            _comment_count(p),
            direction=rx.breakpoints(initial="row", sm="column"),
            spacing="2",
            align=rx.breakpoints(initial="center", sm="start"),
            min_width="136px",
            flex_shrink="0",
        ),
        grow(
            excerpt(p.content),
            rx.flex(rx.foreach(p.chips, _destination_chip), spacing="3", wrap="wrap"),
            spacing="2",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="3",
        class_name="upcoming-post",
        data_post_id=p.id,
        data_status=p.status,
        **LIST_ROW,
    )


def _permalink(c: Chip) -> rx.Component:
    return row(
        chip_avatar(c),
        network_logo(c.platform, "14px"),
        rx.cond(
            c.permalink != "",
            rx.link(
                row(
                    rx.text("View on ", c.platform_name, size="1"),
                    rx.icon("external-link", size=12),
                    spacing="1",
                ),
                href=c.permalink,
                is_external=True,
                class_name="permalink",
            ),
            muted(c.platform_name),
        ),
    )


def _recent_post(p: Card) -> rx.Component:
    return rx.vstack(
        row(status_badge(p.status), muted(p.when), _comment_count(p)),
        excerpt(p.content),
        rx.flex(rx.foreach(p.chips, _permalink), spacing="3", wrap="wrap"),
        spacing="2",
        class_name="recent-post",
        data_post_id=p.id,
        **LIST_ROW,
    )


def _post_list(
    title: str, icon: str, items: rx.Var, render, empty: rx.Component, list_id: str, link
) -> rx.Component:
    return section_card(
        title,
        icon,
        rx.cond(
            DashboardState.loading,
            skeleton_rows(class_name="dashboard-skeleton"),
            rx.cond(
                items.length() > 0,
                stack(rx.foreach(items, render), spacing="0"),
                empty,
            ),
        ),
        list_id,
        link,
    )


def upcoming() -> rx.Component:
    write = rx.cond(
        DashboardState.can_edit & DashboardState.has_accounts,
        rx.link(rx.button(rx.icon("square-pen", size=14), "Write a post", size="2"),
                href="/composer"),
    )  # fmt: skip
    return _post_list(
        "Upcoming", "calendar-clock", DashboardState.upcoming, _upcoming_post,
        empty_note("calendar", "Nothing scheduled for the next 7 days.", write),
        "upcoming", rx.link("Calendar", href="/calendar", size="2"),
    )  # fmt: skip


def recent() -> rx.Component:
    return _post_list(
        "Recently published", "send", DashboardState.recent, _recent_post,
        empty_note("inbox", "Nothing published yet."),
        "recent", rx.link("Analytics", href="/analytics", size="2"),
    )  # fmt: skip
