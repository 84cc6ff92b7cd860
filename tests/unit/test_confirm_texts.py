"""What the confirmations and their outcomes say: deleting a post, disconnecting an account."""

from __future__ import annotations

import datetime as dt
import uuid

from app.models import DestinationStatus, PostStatus
from app.services.account_posts import DisconnectReport
from app.services.posts import DestinationView, PostView
from app.ui.state.accounts import disconnect_message
from app.ui.state.calendar_events import delete_text

NOW = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)


def _post(*statuses: DestinationStatus) -> PostView:
    dests = [
        DestinationView(
            id=uuid.uuid4(),
            account_id=uuid.uuid4(),
            platform="x",
            account_name="a",
            status=s,
            platform_post_id=None,
            permalink=None,
            error_message=None,
            attempts=0,
            next_attempt_at=None,
            published_at=None,
            content_override=None,
        )
        for s in statuses
    ]
    return PostView(
        id=uuid.uuid4(), workspace_id=uuid.uuid4(), author_id=None, content="hi",
        scheduled_at=NOW, timezone="UTC", status=PostStatus.scheduled, platform_configs={},
        media_ids=[], destinations=dests, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_deleting_a_post_says_who_will_not_get_it_and_what_stays_online():
    text = delete_text(_post(DestinationStatus.pending, DestinationStatus.queued))
    assert text.startswith("It will not go out to the 2 accounts still waiting for it.")
    text = delete_text(_post(DestinationStatus.pending, DestinationStatus.published))
    assert "the 1 account still waiting" in text
    assert "The copy already published stays on the networks" in text
    text = delete_text(_post(DestinationStatus.published, DestinationStatus.published))
    assert "The 2 copies already published stay on the networks" in text
    assert delete_text(_post(DestinationStatus.cancelled)).startswith("Its history in Herald")


def test_disconnect_outcome_messages():
    aid = uuid.uuid4()
    removed = disconnect_message(
        DisconnectReport(account_id=aid, posts="remove", waiting=3, removed=3, kept=0, drafted=1)
    )
    assert removed == (
        "Disconnected. Removed it from 3 scheduled posts; 1 left without an account became drafts."
    )
    kept = disconnect_message(
        DisconnectReport(account_id=aid, posts="keep", waiting=1, removed=0, kept=1, drafted=0)
    )
    assert kept.startswith("Disconnected. 1 scheduled post still targets it")
    assert disconnect_message(
        DisconnectReport(account_id=aid, posts="keep", waiting=0, removed=0, kept=0, drafted=0)
    ) == ("Disconnected. Its history is kept.")
