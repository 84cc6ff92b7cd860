"""/composer: write a post once, tune it per network, preview it, schedule or publish it.

`/composer?post=<id>` edits a post; `/composer?at=<ISO datetime>` starts one at that time.
The sections live in app/ui/views/composer_*.py.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import icon_title, muted, toolbar
from app.ui.components.counter import counter_script
from app.ui.components.layout import protected_page
from app.ui.components.poll import live_poll
from app.ui.components.preview import post_preview
from app.ui.state.approvals_composer import ComposerApprovalState
from app.ui.state.composer import ComposerState
from app.ui.state.composer_ai import ComposerAIState
from app.ui.state.composer_autosave import ComposerAutosaveState
from app.ui.state.composer_media import ComposerMediaState
from app.ui.state.composer_schedule import ComposerScheduleState
from app.ui.views.approvals_panel import composer_approval
from app.ui.views.composer_autosave import ROOT_ID, autosave_script, indicator, notices
from app.ui.views.composer_checks import alt_dialog
from app.ui.views.composer_dialogs import ai_dialog, library_dialog
from app.ui.views.composer_networks import networks
from app.ui.views.composer_post import accounts, editor
from app.ui.views.composer_thread import thread, thread_preview
from app.ui.views.composer_when import when
from app.ui.views.post_comments import comments_card

STATUS_COLORS = {
    "draft": "gray",
    "scheduled": "blue",
    "publishing": "amber",
    "published": "green",
    "partially_published": "yellow",
    "failed": "red",
    "cancelled": "gray",
}
# Live status of the post being edited: how often the open page re-reads it.
POLL_MS = 4000


def _header() -> rx.Component:
    return toolbar(
        muted(ComposerState.page_heading, size="3", id="composer-mode"),
        rx.cond(
            ComposerState.post_status != "",
            rx.badge(
                ComposerState.post_status,
                color_scheme=rx.match(ComposerState.post_status, *STATUS_COLORS.items(), "gray"),
                id="post-status",
            ),
        ),
        rx.cond(ComposerState.post_id != "", live_poll(POLL_MS, ComposerState.refresh_status)),
        rx.cond(
            (ComposerState.post_status == "published")
            | (ComposerState.post_status == "publishing"),
            muted("This post is out (or going out) and can no longer be edited.", size="2"),
        ),
        rx.spacer(),
        indicator(),
        spacing="2",
        margin_top="-8px",
    )


def _previews() -> rx.Component:
    return rx.vstack(
        icon_title("eye", rx.heading("Preview", size="3")),
        rx.cond(
            ComposerState.previews.length() > 0,
            rx.vstack(
                rx.foreach(ComposerState.previews, post_preview),
                thread_preview(),
                spacing="3",
                width="100%",
                id="previews",
            ),
            rx.card(
                muted("Choose accounts to see how the post will look on each network.", size="2"),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        min_width="0",
        position=rx.breakpoints(initial="static", md="sticky"),
        top="16px",
    )


@protected_page(
    "/composer",
    "Composer",
    on_load=[
        ComposerState.load,
        ComposerScheduleState.load_when,
        ComposerMediaState.reset_media,
        ComposerAIState.close_ai,
        ComposerApprovalState.load_approval,
        ComposerAutosaveState.restore,
    ],
)
def composer() -> rx.Component:
    return rx.vstack(
        counter_script(),
        autosave_script(),
        _header(),
        composer_approval(),
        notices(),
        rx.cond(
            ComposerState.loading,
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
            rx.grid(
                rx.vstack(
                    accounts(),
                    editor(),
                    thread(),
                    networks(),
                    when(),
                    rx.cond(ComposerState.post_id != "", comments_card(ComposerState.post_id)),
                    spacing="4",
                    width="100%",
                    min_width="0",
                ),
                _previews(),
                columns=rx.breakpoints(initial="1", md="minmax(0, 3fr) minmax(0, 2fr)"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
        ),  # fmt: skip
        library_dialog(),
        ai_dialog(),
        alt_dialog(),
        spacing="4",
        width="100%",
        id=ROOT_ID,
    )
