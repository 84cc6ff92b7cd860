"""The engine when the world stays broken or slow: every path ends within the attempt budget or
at the deadline, never hammering a platform and never sending a post twice; slow uploads never
hold up short posts. Real worker and scheduler processes, Redis, PostgreSQL and the simulator
over HTTP; each test checks what the platform received."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest

from app.config import settings
from app.models import (
    AttemptOutcome,
    DestinationStatus,
    Media,
    PostStatus,
)
from app.services import dashboard, posts
from simulator import SimServer
from tests.integration.engine import (
    X_APP,
    attempts,
    destinations,
    mastodon_account,
    new_world,
    post_status,
    soon,
    wait_settled,
)
from tests.integration.thread_media import stored_media
from tests.support.media_files import mp4

BUDGET = 4
# Breakers off (tested in test_engine_breaker.py): these tests follow one destination's budget.
ENV = {
    **X_APP,
    "HERALD_MAX_ATTEMPTS": str(BUDGET),
    "HERALD_RETRY_BASE_SECONDS": "1",
    "HERALD_RETRY_MAX_SECONDS": "8",
    "HERALD_VERIFY_DELAY_SECONDS": "0.3",
    "HERALD_BREAKER_THRESHOLD": "1000",
}


SEED = 11


TEST_ENV = X_APP


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    return new_world(server, mastodon=("mastodon", "alice"), x=("x", "xavier"))


def schedule(world, text: str, account, at: dt.datetime | None = None, **kw) -> posts.PostView:
    data = posts.PostInput(
        content=text, account_ids=[account.id], scheduled_at=at or soon(0.5), **kw
    )
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    return view


def received(world, platform: str, text: str) -> list[dict]:
    return [p for p in world["sim"].posts(platform) if p["text"] == text]


def test_persistent_500_fails_after_exactly_the_budget_with_growing_gaps(world):
    """X has no idempotency key: each 500 is checked on the account before the next try, and
    the tries come further and further apart until the budget is spent."""
    fault = world["sim"].inject("x", "500", path="/2/tweets", method="POST", count=None)
    view = schedule(world, "X keeps failing", world["x"])
    [dest] = wait_settled(view.id, 60)
    assert dest.status == DestinationStatus.failed
    assert dest.attempts == BUDGET
    assert dest.error_message.startswith(f"Gave up after {BUDGET} attempts:")
    assert fault.fired == BUDGET  # exactly the budget reached X, nothing more
    assert received(world, "x", "X keeps failing") == []
    sends = [a for a in attempts(view.id) if a.outcome == AttemptOutcome.unknown]
    assert len(sends) == BUDGET and all(a.http_status == 500 for a in sends)
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(sends)]
    assert all(later > earlier * 0.8 for earlier, later in itertools.pairwise(gaps)), gaps
    assert gaps[-1] > 1.8 * gaps[0], gaps
    # The user sees it: the post failed and waits under "Needs attention".
    assert post_status(view.id) == PostStatus.failed
    overview = dashboard.overview(world["user"], world["wid"])
    assert view.id in [p.id for p in overview.failures]


def test_persistent_500_on_an_idempotent_platform_backs_off_then_fails(world):
    """Mastodon de-duplicates by idempotency key, so a 500 is retried directly — with growing
    delays, and only as often as the budget allows."""
    fault = world["sim"].inject("mastodon", "500", path="/api/v1/statuses", count=None)
    view = schedule(world, "Mastodon keeps failing", world["mastodon"])
    [dest] = wait_settled(view.id, 60)
    assert dest.status == DestinationStatus.failed and dest.attempts == BUDGET
    assert dest.error_message.startswith(f"Gave up after {BUDGET} attempts:")
    assert fault.fired == BUDGET
    outcomes = [a.outcome for a in attempts(view.id)]
    assert outcomes == [AttemptOutcome.transient] * BUDGET


def test_unconfirmable_timeout_fails_without_a_second_post(world):
    """X creates the post but never answers, and reading the account times out too: Herald
    cannot know, so it stops with "could not confirm" and never sends the post again."""
    world["sim"].inject("x", "timeout_after_accept", count=None, hang_s=5)  # > 3 s timeout
    view = schedule(world, "Did it go out?", world["x"])
    [dest] = wait_settled(view.id, 90)
    assert dest.status == DestinationStatus.failed
    assert dest.error_message.startswith("Could not confirm whether the post went out")
    assert dest.attempts <= BUDGET
    assert len(received(world, "x", "Did it go out?")) == 1  # the first one, never a second
    sends = [a for a in attempts(view.id) if (a.error or "").startswith("Outcome unknown")]
    assert len(sends) >= 1


def test_429_storm_never_spends_attempts_and_stops_at_the_deadline(world, monkeypatch):
    # The deadline is fixed when the post is scheduled (by this process).
    monkeypatch.setattr(settings, "give_up_after_seconds", 6)
    fault = world["sim"].inject(
        "mastodon", "429", path="/api/v1/statuses", count=None, reset_in_s=1
    )
    due = soon(0.5)
    view = schedule(world, "Rate limited all day", world["mastodon"], due)
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.failed
    assert dest.attempts == 0  # waiting for a rate limit spends nothing
    assert "deadline" in dest.error_message
    outcomes = {a.outcome for a in attempts(view.id)}
    assert outcomes == {AttemptOutcome.rate_limited}
    assert fault.fired >= 3  # it did keep asking, at the platform's pace
    assert received(world, "mastodon", "Rate limited all day") == []
    ended = max(a.finished_at for a in attempts(view.id))
    assert dt.timedelta(seconds=4) < ended - due < dt.timedelta(seconds=12)


def _video(wid: uuid.UUID) -> Media:
    return stored_media(wid, mp4(), "clip.mp4", "video/mp4", width=320, height=240, duration=4.0)


def test_slow_video_uploads_do_not_delay_text_posts(world, server):
    """8 slow video posts, then 40 text posts a moment later, 8 jobs in flight per worker: the
    video lane takes at most 2 slots, so every text post is out before the first video (each
    takes at least two 2-second requests); without lanes the videos would hold every slot and
    the text posts would wait for them."""
    bob = mastodon_account(server, world["user"], world["wid"], "bob")
    world["sim"].set_knobs("mastodon", account="bob", latency_ms=2000)
    videos_due = soon(2.5)
    due = videos_due + dt.timedelta(seconds=0.5)
    videos = [
        schedule(world, f"Video {i}", bob, videos_due, media_ids=[_video(world["wid"]).id])
        for i in range(8)
    ]
    texts = [schedule(world, f"Text {i}", world["mastodon"], due) for i in range(40)]
    for view in texts:
        [dest] = wait_settled(view.id, 30)
        assert dest.status == DestinationStatus.published
    for view in videos:
        [dest] = wait_settled(view.id, 90)
        assert dest.status == DestinationStatus.published

    def received_at(text: str) -> dt.datetime:
        [post] = received(world, "mastodon", text)  # exactly once
        return dt.datetime.fromisoformat(post["received_at"])

    texts_at = [received_at(f"Text {i}") for i in range(40)]
    videos_at = [received_at(f"Video {i}") for i in range(8)]
    assert max(texts_at) < min(videos_at), (max(texts_at) - due, min(videos_at) - due)
    assert len(destinations(videos[0].id)) == 1
