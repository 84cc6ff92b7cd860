"""Approvals: the banner that says where a post stands with the approvers, with Approve / Reject
for admins (the calendar's post dialog and the composer)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import (
    action_button,
    button_row,
    error_text,
    muted,
    panel_callout,
    soft_action,
    soft_button,
    stack,
    text_area,
)
from app.ui.state.approvals import ApprovalMixin
from app.ui.state.approvals_calendar import CalendarApprovalState
from app.ui.state.approvals_composer import ComposerApprovalState
from app.ui.state.calendar import CalendarState


def _form(*rows: rx.Component) -> rx.Component:
    """A step of the decision, in the banner: what it asks, then its buttons."""
    return stack(*rows, spacing="2")


def _reject_form(state: type[ApprovalMixin]) -> rx.Component:
    return _form(
        rx.text("What needs to change?", as_="label", html_for="reject-comment", size="2"),
        text_area(
            "reject-comment",
            state.ap_comment_draft,
            state.ap_set_comment,
            placeholder="Shown to the author, e.g. “Add the link to the launch page.”",
        ),
        error_text(state.ap_reject_error, id="reject-error"),
        button_row(
            rx.button(
                "Send back", color_scheme="red", on_click=state.ap_reject, id="reject-confirm"
            ),
            soft_button("Keep waiting", on_click=state.ap_open_reject(False)),
        ),
    )


def _new_time_form(state: type[ApprovalMixin]) -> rx.Component:
    return _form(
        rx.text(state.ap_passed, size="2", color_scheme="amber", id="approval-passed"),
        button_row(
            rx.input(type="date", value=state.ap_date, on_change=state.ap_set_date, id="ap-date"),
            rx.input(type="time", value=state.ap_time, on_change=state.ap_set_time, id="ap-time"),
            rx.button("Approve for this time", on_click=state.ap_approve_at, id="approve-at"),
            rx.button(
                "Approve and publish now",
                variant="soft",
                on_click=state.ap_approve_now,
                id="approve-now",
            ),
        ),
    )


def _decide(state: type[ApprovalMixin], post_id: rx.Var) -> rx.Component:
    mine = state.ap_for == post_id
    return stack(
        rx.cond(
            mine & state.ap_reject_open,
            _reject_form(state),
            rx.cond(
                mine & (state.ap_passed != ""),
                _new_time_form(state),
                button_row(
                    action_button(
                        "check",
                        "Approve",
                        color_scheme="green",
                        on_click=state.ap_approve,
                        loading=state.ap_busy,
                        id="approve-post",
                    ),
                    soft_action(
                        "undo-2",
                        "Reject…",
                        color_scheme="red",
                        on_click=state.ap_open_reject(True),
                        id="reject-post",
                    ),
                ),
            ),
        ),
    )


def _banner(approval: rx.Var, when: str, icon: str, color: str, body: rx.Component):
    """The banner of a post whose approval is `when`."""
    return rx.cond(
        approval == when,
        panel_callout(icon, body, color=color, id="approval-banner", data_approval=when),
    )


def approval_banner(
    state: type[ApprovalMixin],
    approval: rx.Var,
    comment: rx.Var,
    can_decide: rx.Var,
    post_id: rx.Var,
    approved_note: rx.Var | None = None,
) -> rx.Component:
    """Where the post stands; Approve / Reject when `can_decide`."""
    pending = stack(
        rx.callout.text(
            rx.text.strong("Awaiting approval. "),
            "An admin approves it before it is scheduled; it is not published until then.",
        ),
        rx.cond(can_decide, _decide(state, post_id)),
        spacing="2",
    )
    rejected = rx.callout.text(
        rx.text.strong("Sent back by an admin: "),
        rx.text.span(comment, id="approval-comment"),
        " Edit it and schedule it again to ask for approval again.",
    )
    return rx.fragment(
        _banner(approval, "pending", "hourglass", "purple", pending),
        _banner(approval, "rejected", "message-square-warning", "red", rejected),
        _banner(approval, "approved", "badge-check", "green", rx.callout.text(approved_note))
        if approved_note is not None
        else rx.fragment(),
    )


def calendar_approval() -> rx.Component:
    post = CalendarState.post
    return approval_banner(
        CalendarApprovalState,
        post["approval"].to(str),
        post["approval_comment"].to(str),
        post["can_decide"].to(bool),
        CalendarState.open_post_id,
    )


def composer_approval() -> rx.Component:
    s = ComposerApprovalState
    return rx.fragment(
        approval_banner(
            s,
            s.approval,
            s.approval_comment,
            s.can_decide,
            s.post_id,
            approved_note=rx.cond(
                s.submits,
                "Approved. Changing it sends it back for approval.",
                "Approved.",
            ),
        ),
        rx.cond(
            s.submits & (s.approval != "pending"),
            muted(
                "Posts in this workspace are approved by an admin before they are scheduled.",
                size="2",
                id="approval-required-note",
            ),
        ),
    )
