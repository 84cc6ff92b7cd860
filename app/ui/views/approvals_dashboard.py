"""Dashboard: what waits for approval — every waiting post for admins, the user's own posts
waiting or sent back for editors. Shown only when there is something to show."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import LIST_ROW, excerpt, grow, muted, stack
from app.ui.components.buttons import row_button
from app.ui.components.section import section_card
from app.ui.state.approvals import ApprovalItem, ApprovalListState


def _item(p: ApprovalItem) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(p.when, size="2", weight="bold", white_space="nowrap"),
            rx.badge(
                rx.cond(p.state == "pending", "Awaiting approval", "Sent back"),
                color_scheme=rx.cond(p.state == "pending", "purple", "crimson"),
            ),
            spacing="1",
            min_width="136px",
            flex_shrink="0",
        ),
        grow(
            excerpt(p.content),
            rx.cond(p.author != "", muted("By ", p.author)),
            rx.cond(
                p.comment != "",
                rx.text("“", p.comment, "”", size="1", color_scheme="red", class_name="comment"),
            ),
        ),
        rx.link(row_button(rx.cond(ApprovalListState.can_approve, "Review", "Edit")), href=p.href),
        spacing="3",
        align="center",
        class_name="approval-item",
        data_post_id=p.id,
        data_state=p.state,
        **LIST_ROW,
    )


def _counts() -> rx.Component:
    s = ApprovalListState
    return rx.cond(
        s.can_approve,
        rx.badge(s.pending.to(str), " waiting", color_scheme="purple", id="approval-count"),
        rx.hstack(
            rx.badge(s.mine_pending.to(str), " waiting", color_scheme="purple"),
            rx.badge(s.mine_rejected.to(str), " sent back", color_scheme="crimson"),
            spacing="2",
            id="approval-count",
        ),
    )


def approvals_card() -> rx.Component:
    s = ApprovalListState
    return rx.cond(
        s.items.length() > 0,
        section_card(
            rx.cond(s.can_approve, "Awaiting approval", "Your posts awaiting approval"),
            "hourglass",
            stack(rx.foreach(s.items, _item), spacing="0"),
            "approvals",
            extra=_counts(),
        ),
    )
