"""The auto-posting engine end to end: REST/services → PostgreSQL → rq-scheduler → RQ worker
processes → the Mastodon simulator over HTTP. Each test checks what the platform received."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import httpx
import pytest
from redis import Redis
from sqlmodel import select

from app import db
from app.config import settings
from app.models import (
    AccountStatus,
    AttemptOutcome,
    DestinationStatus,
    Post,
    PostDestination,
    PostStatus,
    SocialAccount,
)
from app.services import posts
from app.services.errors import Conflict, InvalidInput
from simulator import SimServer
from tests.integration.engine import (
    attempts,
    destinations,
    mastodon_account,
    new_world,
    post_status,
    published_on_time,
    schedule,
    soon,
    wait_for,
    wait_settled,
)
from tests.integration.thread_media import stored_media

SEED = 3


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    return new_world(server, account=("mastodon", "alice"))


def sim_posts(world, text: str | None = None) -> list[dict]:
    found = world["sim"].posts("mastodon")
    return [p for p in found if text is None or p["text"] == text]


def test_scheduled_post_is_published_on_time_exactly_once(world):
    _, dest, received = published_on_time(world, "mastodon", "On time, exactly once", 2)
    assert dest.permalink
    assert dest.idempotency_key and received["idempotency_key"] == str(dest.idempotency_key)
    wait_settled(schedule(world, "x", soon(0.5)).id)
    assert len(sim_posts(world, "On time, exactly once")) == 1


def test_publish_now_and_a_thread(world):
    data = posts.PostInput(
        content="Part one",
        account_ids=[world["account"].id],
        platform_configs={"mastodon": {"thread": ["Part two"], "visibility": "unlisted"}},
    )
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="now")
    [dest] = wait_settled(view.id, 10)
    assert dest.status == DestinationStatus.published
    one, two = sim_posts(world, "Part one"), sim_posts(world, "Part two")
    assert len(one) == len(two) == 1
    assert two[0]["in_reply_to_id"] == one[0]["post_id"]
    assert one[0]["visibility"] == "unlisted"


def test_rate_limited_waits_for_the_platforms_reset_time(world):
    world["sim"].inject("mastodon", "429", path="/api/v1/statuses", reset_in_s=3)
    started = time.time()
    view = schedule(world, "After the window resets", soon(0.5))
    [dest] = wait_settled(view.id, 20)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, "After the window resets")
    waited = dt.datetime.fromisoformat(received["received_at"]).timestamp() - started
    assert waited >= 3.0, "retried before the platform's X-RateLimit-Reset"
    outcomes = [a.outcome for a in attempts(view.id)]
    assert outcomes == [AttemptOutcome.rate_limited, AttemptOutcome.published]
    assert dest.attempts == 1  # a rate-limit wait is not a failed attempt


@pytest.mark.parametrize("kind", ["503", "503_after_accept", "timeout_after_accept"])
def test_server_errors_and_timeouts_never_duplicate(world, kind):
    world["sim"].inject("mastodon", kind, path="/api/v1/statuses", hang_s=10)
    view = schedule(world, f"Resilient {kind}", soon(0.5))
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.published
    assert len(sim_posts(world, f"Resilient {kind}")) == 1
    outcomes = [a.outcome for a in attempts(view.id)]
    assert outcomes[0] == AttemptOutcome.transient and outcomes[-1] == AttemptOutcome.published


def test_platform_refusal_fails_with_its_message(world):
    view = schedule(world, "ok", soon(0.5))
    wait_settled(view.id)
    world["sim"].set_knobs("mastodon", instance={"max_characters": 10})
    # Validation read the instance's limits earlier (500), so the platform is the one refusing.
    view = schedule(world, "This text is longer than ten characters", soon(0.5))
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.failed
    assert "character limit" in dest.error_message.lower()
    assert post_status(view.id) == PostStatus.failed
    assert [a.outcome for a in attempts(view.id)] == [AttemptOutcome.failed]


def test_revoked_token_marks_the_account_expired_once(world):
    world["sim"].inject("mastodon", "401", path="/api/v1/statuses", count=None)
    first = schedule(world, "Needs a valid token", soon(0.5))
    second = schedule(world, "Also needs one", soon(0.6))
    for view in (first, second):
        [dest] = wait_settled(view.id)
        assert dest.status == DestinationStatus.failed
        assert "reconnect" in dest.error_message.lower()
    with db.session() as s:
        account = s.get(SocialAccount, world["account"].id)
    assert account.status == AccountStatus.expired and account.last_error
    assert sim_posts(world) == []
    world["sim"].clear_faults()
    with pytest.raises(Conflict, match="Reconnect"):
        posts.retry_failed(world["user"], world["wid"], first.id)


def test_partial_failure_then_retry_only_the_failed_destination(world, server):
    bob = mastodon_account(server, world["user"], world["wid"], "bob")
    world["sim"].inject("mastodon", "503", path="/api/v1/statuses", count=None, account="bob")
    view = schedule(world, "Two accounts", soon(0.5), account_ids=[world["account"].id, bob.id])
    dests = wait_settled(view.id, 40)
    by_account = {d.social_account_id: d for d in dests}
    assert by_account[world["account"].id].status == DestinationStatus.published
    assert by_account[bob.id].status == DestinationStatus.failed
    assert "Gave up after" in by_account[bob.id].error_message
    assert post_status(view.id) == PostStatus.partially_published

    world["sim"].clear_faults()
    posts.retry_failed(world["user"], world["wid"], view.id)
    dests = wait_settled(view.id)
    assert all(d.status == DestinationStatus.published for d in dests)
    assert post_status(view.id) == PostStatus.published
    assert len(sim_posts(world, "Two accounts")) == 2  # one per account, none twice


def test_flushed_redis_loses_nothing(world):
    views = [schedule(world, f"Survives a flush {i}", soon(3 + i * 0.2)) for i in range(3)]
    Redis.from_url(settings.redis_url).flushdb()
    for view in views:
        [dest] = wait_settled(view.id, 30)
        assert dest.status == DestinationStatus.published
    for i in range(3):
        assert len(sim_posts(world, f"Survives a flush {i}")) == 1


def test_worker_killed_mid_publish_publishes_exactly_once(world):
    world["sim"].set_knobs("mastodon", latency_ms=2500)
    view = schedule(world, "Killed mid-publish", soon(0.5))

    def claimed():
        [dest] = destinations(view.id)
        return dest.claimed_by if dest.status == DestinationStatus.publishing else None

    claimed_by = wait_for(claimed, 10, "a worker to claim the destination")
    pid = int(str(claimed_by).rsplit("/", 1)[1])  # host/namespace/pid
    time.sleep(0.5)  # the request is on its way to the platform
    os.kill(pid, signal.SIGKILL)
    world["sim"].set_knobs("mastodon", latency_ms=0)
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.published
    assert len(sim_posts(world, "Killed mid-publish")) == 1
    outcomes = [a.outcome for a in attempts(view.id)]
    assert outcomes[0] == AttemptOutcome.unknown and outcomes[-1] == AttemptOutcome.published
    assert "stopped during the attempt" in attempts(view.id)[0].error


def test_edit_reschedules_and_cancel_removes_the_job(world):
    view = schedule(world, "Original text", soon(2))
    later = soon(3.5)
    data = posts.PostInput(
        content="Edited text", account_ids=[world["account"].id], scheduled_at=later
    )
    posts.update_post(world["user"], world["wid"], view.id, data, mode="schedule")
    cancelled = schedule(world, "Never published", soon(2))
    posts.cancel_post(world["user"], world["wid"], cancelled.id)
    [dest] = wait_settled(view.id, 20)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, "Edited text")
    assert dt.datetime.fromisoformat(received["received_at"]) >= later
    assert sim_posts(world, "Original text") == []
    time.sleep(1)
    assert sim_posts(world, "Never published") == []
    assert post_status(cancelled.id) == PostStatus.cancelled


def test_edit_while_publishing_is_refused(world):
    world["sim"].set_knobs("mastodon", latency_ms=2000)
    view = schedule(world, "Busy", soon(0.3))
    wait_for(
        lambda: destinations(view.id)[0].status == DestinationStatus.publishing, 10, "publishing"
    )
    data = posts.PostInput(
        content="Too late", account_ids=[world["account"].id], scheduled_at=soon(60)
    )
    with pytest.raises(Conflict, match="being published"):
        posts.update_post(world["user"], world["wid"], view.id, data, mode="schedule")
    world["sim"].set_knobs("mastodon", latency_ms=0)
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.published
    assert [p["text"] for p in sim_posts(world)] == ["Busy"]


def test_overdue_posts_are_missed_not_published_late(world):
    view = schedule(world, "Hours late", soon(60))
    two_hours_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    with db.session() as s:  # as if every worker had been down since it was due
        post = s.get(Post, view.id)
        post.scheduled_at = two_hours_ago
        s.add(post)
        dest = s.get(PostDestination, view.destinations[0].id)
        dest.next_attempt_at = two_hours_ago
        s.add(dest)
    from app.services import schedule as sched

    sched.schedule_publish(destinations(view.id)[0].id, dt.datetime.now(dt.UTC))
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.failed
    assert dest.error_message.startswith("Missed")
    assert sim_posts(world, "Hours late") == []


def test_validation_happens_before_scheduling(world):
    with pytest.raises(InvalidInput) as err:
        schedule(world, "x" * 501)
    assert err.value.code == "validation_failed"
    problems = err.value.details["destinations"][str(world["account"].id)]
    assert "501 characters" in problems[0]
    long_url = "https://example.com/" + "a" * 600
    view = schedule(world, f"A long link counts as 23: {long_url}")
    assert view.status == PostStatus.scheduled
    with pytest.raises(InvalidInput, match="in the past"):
        schedule(world, "late", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with db.session() as s:
        assert len(s.exec(select(Post)).all()) == 1  # nothing half-created


def test_dst_boundary_in_a_non_utc_timezone(world):
    user, wid = world["user"], world["wid"]

    def berlin(content: str, wall: dt.datetime) -> posts.PostInput:
        return posts.PostInput(
            content=content,
            account_ids=[world["account"].id],
            timezone="Europe/Berlin",
            scheduled_at=wall,
        )

    gap = berlin("gap", dt.datetime(2031, 3, 30, 2, 30))
    with pytest.raises(InvalidInput, match="does not exist"):
        posts.create_post(user, wid, gap, mode="schedule")
    spring = berlin("after spring forward", dt.datetime(2031, 3, 30, 3, 30))
    view, _ = posts.create_post(user, wid, spring, mode="schedule")
    assert view.scheduled_at == dt.datetime(2031, 3, 30, 1, 30, tzinfo=dt.UTC)
    autumn = berlin("ambiguous autumn hour", dt.datetime(2031, 10, 26, 2, 30))
    view, _ = posts.create_post(user, wid, autumn, mode="schedule")
    assert view.scheduled_at == dt.datetime(2031, 10, 26, 0, 30, tzinfo=dt.UTC)  # first 02:30
    # A day-by-day series at 09:00 Berlin keeps its wall time across the change.
    local = [dt.datetime(2031, 3, 29, 9, 0), dt.datetime(2031, 3, 30, 9, 0)]
    utc_hours = []
    for when in local:
        data = berlin(f"9am {when:%d}", when)
        utc_hours.append(posts.create_post(user, wid, data, mode="schedule")[0].scheduled_at.hour)
    assert utc_hours == [8, 7]


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_slow_media_processing_goes_pending_then_finalizes(world):
    """The platform processes the upload longer than the publish step waits: the destination
    becomes `processing`, a separate check job polls, and finalize publishes it once."""
    media = stored_media(world["wid"], PNG, "dot.png", width=1, height=1)
    world["sim"].set_knobs("mastodon", media_processing_ms=12_000)
    view = schedule(world, "With a slow picture", soon(0.3), media_ids=[media.id])
    wait_for(
        lambda: destinations(view.id)[0].status == DestinationStatus.processing, 20, "processing"
    )
    assert post_status(view.id) == PostStatus.publishing
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, "With a slow picture")
    assert len(received["media"]) == 1
    outcomes = [a.outcome for a in attempts(view.id)]
    assert outcomes[0] == AttemptOutcome.pending and outcomes[-1] == AttemptOutcome.published


def test_metrics_sync_stores_post_and_account_counters(world, server):
    from app.models import AccountMetric, PostMetric
    from app.services import metrics

    view = schedule(world, "Counting likes", soon(0.3))
    [dest] = wait_settled(view.id)
    counters = {"favourites_count": 7, "reblogs_count": 3, "replies_count": 2}
    sim_api = f"{server.url}/_sim/mastodon"
    httpx.post(f"{sim_api}/statuses/{dest.platform_post_id}", json=counters).raise_for_status()
    httpx.post(f"{sim_api}/accounts/alice", json={"followers_count": 42}).raise_for_status()
    counts = metrics.sync()
    assert counts == {"posts": 1, "accounts": 1, "errors": 0}
    with db.session() as s:  # the latest rows (the scheduled sync job may also have run)
        post_row = s.exec(select(PostMetric).order_by(PostMetric.id.desc())).first()
        account_row = s.exec(select(AccountMetric).order_by(AccountMetric.id.desc())).first()
    assert (post_row.likes, post_row.shares, post_row.comments) == (7, 3, 2)
    assert post_row.destination_id == dest.id
    assert account_row.followers == 42 and account_row.posts_count >= 1
