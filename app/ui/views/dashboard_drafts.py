"""Dashboard: the "Drafts" card (draft posts and the user's unsaved new post)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import (
    LIST_ROW,
    excerpt,
    ghost_button,
    ghost_icon,
    muted,
    plain_link,
    row,
    stack,
)
from app.ui.components.confirm import confirm_dialog
from app.ui.components.section import empty_note, section_card, skeleton_rows
from app.ui.state.auth import AuthState
from app.ui.state.dashboard_drafts import DashboardDraftsState, DraftRow

_EDITOR = (AuthState.current_role == "editor") | (AuthState.current_role == "admin")


def _draft(d: DraftRow) -> rx.Component:
    return rx.flex(
        plain_link(
            rx.vstack(
                excerpt(d.content),
                muted(
                    d.networks,
                    " · edited ",
                    d.edited,
                    rx.cond(d.author != "", rx.el.span(" by ", d.author)),
                ),  # fmt: skip
                spacing="1",
                min_width="0",
            ),
            href="/composer?post=" + d.id,
            class_name="open-draft",
        ),
        rx.cond(
            _EDITOR,
            ghost_icon(
                "trash-2",
                "Delete draft",
                color="red",
                size="1",
                on_click=DashboardDraftsState.ask_delete(d.id, d.content),
                class_name="delete-draft",
            ),
        ),
        spacing="3",
        align="center",
        class_name="draft-row",
        data_post_id=d.id,
        **LIST_ROW,
    )


def _unsaved() -> rx.Component:
    return rx.flex(
        plain_link(
            rx.vstack(
                row(
                    rx.badge("Unsaved", color_scheme="amber", variant="soft", radius="full"),
                    muted("only you · ", DashboardDraftsState.unsaved_when),
                ),
                rx.text(DashboardDraftsState.unsaved, size="2"),
                spacing="1",
                min_width="0",
            ),
            href="/composer",
            id="resume-unsaved",
        ),
        ghost_button(
            "Discard", size="1", on_click=DashboardDraftsState.discard_unsaved, id="discard-unsaved"
        ),
        spacing="3",
        align="center",
        id="unsaved-draft",
        **LIST_ROW,
    )


def drafts_card() -> rx.Component:
    body = rx.cond(
        ~DashboardDraftsState.drafts_loaded,
        skeleton_rows(2),
        stack(
            rx.cond(DashboardDraftsState.unsaved != "", _unsaved()),
            rx.foreach(DashboardDraftsState.drafts, _draft),
            rx.cond(
                (DashboardDraftsState.total == 0) & (DashboardDraftsState.unsaved == ""),
                empty_note("file-pen-line", "No drafts. Half-written posts are kept here."),
            ),
            rx.cond(
                DashboardDraftsState.total > DashboardDraftsState.drafts.length(),
                muted(
                    DashboardDraftsState.total - DashboardDraftsState.drafts.length(),
                    " more in the calendar",
                ),
            ),
            spacing="0",
        ),
    )
    extra = row(
        rx.badge(DashboardDraftsState.total, variant="soft", radius="full", id="drafts-count"),
        rx.link("Calendar", href="/calendar?status=draft", size="2"),
    )
    return rx.fragment(
        section_card("Drafts", "file-pen-line", body, "drafts", extra),
        confirm_dialog(
            open=DashboardDraftsState.delete_id != "",
            on_open_change=DashboardDraftsState.set_delete_open,
            title="Delete this draft?",
            description=rx.text(
                "“",
                DashboardDraftsState.delete_label,
                "” is removed from Herald for everyone in the workspace. This cannot be undone.",
            ),  # fmt: skip
            confirm_label="Delete draft",
            on_confirm=DashboardDraftsState.delete_draft,
            confirm_id="confirm-delete-draft",
            dialog_id="delete-draft-dialog",
        ),
    )
