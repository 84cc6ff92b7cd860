"""Threads and "Add to queue" end to end: a thread given once for the post is stored for every
thread network, validated part by part, published by real worker processes as a reply chain on
the simulator, and a thread that stops part-way goes on from the failed part without posting
the others twice. "queue" schedules at the accounts' next free posting slot."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app import db
from app.models import AttemptOutcome, DestinationStatus, Post, PublishAttempt
from app.services import posts, slots
from app.services.errors import InvalidInput
from simulator import SimServer
from tests.integration.engine import (
    THREAD_ENV,
    X_APP,
    new_world,
    soon,
    wait_settled,
)

SEED = 23
TEST_ENV = X_APP  # the X app, for this process and the engine's
ENV = THREAD_ENV
TWEETS = "/2/tweets"


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    return new_world(server, x=("x", "alice"), mastodon=("mastodon", "alice"))


def create(world, text: str, thread: list[str], accounts=None, mode="schedule", at=None):
    data = posts.PostInput(
        content=text,
        account_ids=[a.id for a in (accounts or [world["x"]])],
        scheduled_at=at if at is not None or mode != "schedule" else soon(0.5),
        thread=thread,
    )
    view, _ = posts.create_post(world["user"], world["wid"], data, mode=mode)
    return view


def outcomes(destination_id) -> list[AttemptOutcome | None]:
    with db.session() as s:
        query = select(PublishAttempt).where(PublishAttempt.destination_id == destination_id)
        return [a.outcome for a in s.exec(query.order_by(PublishAttempt.id)).all()]


def test_thread_is_stored_for_each_thread_network_and_published_as_a_reply_chain(world):
    texts = ["1/3 Herald threads", "2/3 each part a reply", "3/3 in order"]
    view = create(world, texts[0], texts[1:], [world["x"], world["mastodon"]])
    assert [p.text for p in view.thread] == texts[1:]
    with db.session() as s:
        stored = s.get(Post, view.id)
        parts = [{"text": t, "media_ids": []} for t in texts[1:]]
        assert stored.platform_configs["x"]["thread"] == parts
        assert stored.platform_configs["mastodon"]["thread"] == parts
    dests = wait_settled(view.id, 30)
    assert {d.status for d in dests} == {DestinationStatus.published}
    tweets = world["sim"].posts("x")
    assert [t["text"] for t in tweets] == texts
    ids = [t["post_id"] for t in tweets]
    assert [t["in_reply_to_tweet_id"] for t in tweets] == [None, ids[0], ids[1]]
    toots = world["sim"].posts("mastodon")
    assert [t["text"] for t in toots] == texts
    x_dest = next(d for d in dests if d.social_account_id == world["x"].id)
    assert x_dest.platform_post_id == ids[0]  # the post is the thread's first part


def test_each_part_is_validated_as_its_network_counts(world):
    with pytest.raises(InvalidInput) as refused:
        create(world, "Short start", ["x" * 281, "fine"])
    assert refused.value.code == "validation_failed"
    [problems] = refused.value.details["destinations"].values()
    assert any("Thread part 2" in p for p in problems), problems
    with pytest.raises(InvalidInput) as blank:
        create(world, "Start", ["   "])
    assert blank.value.code == "invalid_thread" and "part 2 is empty" in blank.value.message
    assert world["sim"].posts() == []


def thread_despite_fault(world, fault: str, skip: int, texts: list[str]):
    """X answers its tweet after the first `skip` with `fault`; the thread `texts` is
    published all the same, each part once and in order: its destination and tweets."""
    world["sim"].inject("x", fault, path=TWEETS, method="POST", skip=skip)
    view = create(world, texts[0], texts[1:])
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.published, dest.error_message
    tweets = world["sim"].posts("x")
    assert [t["text"] for t in tweets] == texts  # each part once, in order
    return dest, tweets


def test_thread_stopped_after_part_two_goes_on_from_part_three(world):
    """X answers the third part with a 503 (it may or may not have posted it): the engine
    checks the account's posts, does not find part 3, and goes on from there. Parts 1 and 2
    are never sent again (X has no idempotency key: a repeat would be a duplicate)."""
    dest, tweets = thread_despite_fault(
        world, "503", 2, ["Part 1 of 3", "Part 2 of 3", "Part 3 of 3"]
    )
    ids = [t["post_id"] for t in tweets]
    assert tweets[2]["in_reply_to_tweet_id"] == ids[1]
    assert dest.platform_post_id == ids[0] and dest.permalink.endswith(ids[0])
    assert outcomes(dest.id)[0] == AttemptOutcome.unknown
    assert outcomes(dest.id)[-1] == AttemptOutcome.published


def test_part_that_went_out_despite_an_error_is_found_and_the_thread_goes_on(world):
    """X creates part 2 but answers 503: the engine finds part 2 on the account and goes on
    with part 3 in reply to it; no part is posted twice."""
    dest, tweets = thread_despite_fault(
        world, "503_after_accept", 1, ["Found 1/3", "Found 2/3", "Found 3/3"]
    )
    assert tweets[2]["in_reply_to_tweet_id"] == tweets[1]["post_id"]
    assert dest.platform_post_id == tweets[0]["post_id"]
    assert outcomes(dest.id)[:2] == [AttemptOutcome.unknown, AttemptOutcome.pending]


def test_thread_that_failed_for_good_is_retried_from_the_failed_part(world):
    """Part 2 is refused outright (X calls it a duplicate): the post fails with part 1 out.
    "Retry" posts only part 2, in reply to part 1."""
    world["sim"].inject("x", "duplicate", path=TWEETS, method="POST", skip=1)
    texts = ["Retry 1/2", "Retry 2/2"]
    view = create(world, texts[0], texts[1:])
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.failed
    assert [t["text"] for t in world["sim"].posts("x")] == texts[:1]
    posts.retry_failed(world["user"], world["wid"], view.id)
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.published, dest.error_message
    tweets = world["sim"].posts("x")
    assert [t["text"] for t in tweets] == texts
    assert tweets[1]["in_reply_to_tweet_id"] == tweets[0]["post_id"] == dest.platform_post_id


def test_add_to_queue_takes_the_next_free_slot_then_the_one_after(world):
    now = dt.datetime.now(dt.UTC)
    first, second = now + dt.timedelta(days=1), now + dt.timedelta(days=2)
    wanted = [(t.weekday(), t.strftime("%H:%M")) for t in (first, second)]
    slots.set_slots(world["user"], world["wid"], world["x"].id, wanted, timezone="UTC")
    one = create(world, "Queued first", [], mode="queue")
    two = create(world, "Queued second", ["and a reply"], mode="queue")
    assert one.status.value == "scheduled" and two.status.value == "scheduled"
    assert one.scheduled_at == first.replace(second=0, microsecond=0)
    assert two.scheduled_at == second.replace(second=0, microsecond=0)
    assert [p.text for p in two.thread] == ["and a reply"]


def test_add_to_queue_without_a_posting_schedule_says_where_to_set_one(world):
    with pytest.raises(InvalidInput) as refused:
        create(world, "Nowhere to go", [], mode="queue")
    assert refused.value.code == "no_free_slot"
    assert "Posting schedule" in refused.value.message
    with db.session() as s:
        assert s.exec(select(Post)).all() == []
