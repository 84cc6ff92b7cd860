"""The engine on Bluesky, where a retry is made safe by the record key Herald derives from the
destination: an unclear createRecord is settled by reading that record, and a thread that
stopped part-way goes on from where it stopped. Real worker and scheduler processes,
PostgreSQL, Redis and the simulated PDS over HTTP (which answers a taken rkey with HTTP 500, as
the official PDS does: tests/realserver/test_bluesky_real.py)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from app import db
from app.models import AttemptOutcome, DestinationStatus, PublishAttempt
from app.providers.bluesky import rkey_for
from app.services import connect, posts
from simulator import SimServer
from tests.integration.engine import new_user, soon, wait_settled

CREATE = "/xrpc/com.atproto.repo.createRecord"
ENV = {"HERALD_MAX_ATTEMPTS": "4", "HERALD_BREAKER_THRESHOLD": "1000"}


SEED = 17


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    server.sim.reset()
    user, wid = new_user()
    acc = server.sim["bluesky"].ensure_account("alice.bsky.social")  # type: ignore[attr-defined]
    account = connect.login(
        user, wid, "bluesky", acc.handle, acc.password, server.url_for("bluesky")
    )
    return {"user": user, "wid": wid, "sim": server.sim, "account": account}


def schedule(world, text: str, thread: list[str] | None = None) -> posts.PostView:
    configs = {"bluesky": {"thread": thread}} if thread else {}
    data = posts.PostInput(
        content=text,
        account_ids=[world["account"].id],
        scheduled_at=soon(0.5),
        platform_configs=configs,
    )
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    return view


def outcomes(destination_id: uuid.UUID) -> list[AttemptOutcome]:
    with db.session() as s:
        query = select(PublishAttempt).where(PublishAttempt.destination_id == destination_id)
        return [a.outcome for a in s.exec(query.order_by(PublishAttempt.id)).all()]


def test_lost_answer_is_read_back_in_the_same_attempt(world):
    """The PDS creates the post but the answer never arrives (the worker times out): the
    provider reads the record under its rkey at once. One attempt, one post, published."""
    world["sim"].inject("bluesky", "timeout_after_accept", path=CREATE, hang_s=5)  # > 3 s
    [dest] = wait_settled(schedule(world, "Timed out, posted once").id, 30)
    assert dest.status == DestinationStatus.published
    [post] = world["sim"].posts("bluesky")
    assert dest.platform_post_id == post["uri"] and post["replays"] == 0
    assert post["uri"].endswith("/" + rkey_for(str(dest.idempotency_key)))
    assert outcomes(dest.id) == [AttemptOutcome.published]


def test_unconfirmed_post_is_found_by_the_retry_not_posted_again(world):
    """Created, answer lost, and the read-back fails too: the engine retries with the same key;
    the PDS answers the taken rkey with HTTP 500 and the record is read: published, once —
    where Herald used to retry until the budget was spent and mark a live post failed."""
    world["sim"].inject("bluesky", "drop_after_accept", path=CREATE)
    world["sim"].inject("bluesky", "503", path="/xrpc/com.atproto.repo.getRecord")
    [dest] = wait_settled(schedule(world, "Unclear, then found").id, 30)
    assert dest.status == DestinationStatus.published and dest.attempts == 2
    [post] = world["sim"].posts("bluesky")
    assert dest.platform_post_id == post["uri"] and post["replays"] == 1
    assert outcomes(dest.id) == [AttemptOutcome.transient, AttemptOutcome.published]


def test_thread_stopped_by_the_write_budget_resumes_at_the_part_that_failed(world):
    """Two records fit in the account's write window: parts 1 and 2 go out, part 3 is rate
    limited. After the reset the engine tries again from part 3: parts 1 and 2 (kept in the
    destination's thread progress) are only read back for their cids, never sent again, and
    part 3 is created in reply to part 2."""
    world["sim"].set_knobs(
        "bluesky", account="alice.bsky.social", quotas={"records": {"limit": 2, "window_s": 3}}
    )
    texts = ["Part 1/3", "Part 2/3", "Part 3/3"]
    [dest] = wait_settled(schedule(world, texts[0], texts[1:]).id, 30)
    assert dest.status == DestinationStatus.published, dest.error_message
    found = world["sim"].posts("bluesky")
    assert [p["text"] for p in found] == texts  # each part once
    assert [p["replays"] for p in found] == [0, 0, 0]  # no part was sent twice
    # The reset is whole seconds: a retry may come early (and be rate limited again).
    retries = len(outcomes(dest.id)) - 1
    assert retries >= 1
    assert dest.platform_post_id == found[0]["uri"]
    root = {"uri": found[0]["uri"], "cid": found[0]["cid"]}
    assert found[2]["reply"] == {
        "root": root,
        "parent": {"uri": found[1]["uri"], "cid": found[1]["cid"]},
    }
    assert outcomes(dest.id) == [AttemptOutcome.rate_limited] * retries + [AttemptOutcome.published]
    assert dest.attempts == 1  # waiting for a rate limit spends nothing
