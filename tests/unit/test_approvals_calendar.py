"""The calendar shows a post waiting for approval (or sent back) in its own colour and label,
and never lets it be dragged (it is not scheduled)."""

from __future__ import annotations

from app.models import PostApproval, PostStatus
from app.ui.state.calendar_events import STATUS_COLORS, STATUS_LABELS, event_of, shown_status
from tests.unit.test_calendar_events import _post, _render


def test_waiting_and_rejected_posts_have_their_own_status_colour_and_label():
    post, avatars = _post("Please approve", status=PostStatus.draft)
    waiting = post.model_copy(update={"approval": PostApproval.pending})
    rejected = post.model_copy(update={"approval": PostApproval.rejected})
    assert shown_status(waiting) == "awaiting_approval"
    assert shown_status(rejected) == "rejected"
    assert shown_status(post) == "draft"
    chips: list[str] = []
    ev = event_of(waiting, avatars, "status", True, chips)
    assert ev["classNames"] == ["herald-status-awaiting_approval"]
    assert ev["backgroundColor"] == STATUS_COLORS["awaiting_approval"]
    assert ev["editable"] is False
    html = _render(ev, chips)
    assert chips[0] in html and '<span class="herald-sr">Awaiting approval: </span>' in html
    assert STATUS_LABELS["rejected"] == "Rejected"


def test_an_approved_scheduled_post_looks_like_any_scheduled_post():
    post, avatars = _post("Approved")
    approved = post.model_copy(update={"approval": PostApproval.approved})
    assert shown_status(approved) == "scheduled"
    assert event_of(approved, avatars, "status", True, [])["editable"] is True
