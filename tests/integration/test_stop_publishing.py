"""Stop publishing: a post can be stopped whatever it is doing — waiting, retrying, with an
unclear outcome, or with a request in flight — and a stopped destination is never sent again.
Real worker and scheduler processes, Redis, PostgreSQL and the simulator over HTTP."""

from __future__ import annotations

import time

import pytest

from app.models import DestinationStatus, PostStatus
from app.services import posts
from app.services.errors import Conflict, NotFound
from simulator import SimServer
from tests.integration.engine import (
    X_APP,
    destinations,
    new_world,
    soon,
    wait_for,
    wait_settled,
)

ENV = {**X_APP, "HERALD_RETRY_BASE_SECONDS": "3", "HERALD_BREAKER_THRESHOLD": "1000"}


SEED = 19


TEST_ENV = X_APP


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    return new_world(server, mastodon=("mastodon", "alice"), x=("x", "xavier"))


def schedule(world, text: str, account) -> posts.PostView:
    data = posts.PostInput(content=text, account_ids=[account.id], scheduled_at=soon(0.3))
    return posts.create_post(world["user"], world["wid"], data, mode="schedule")[0]


def status_is(view, status: DestinationStatus):
    return lambda: destinations(view.id)[0].status == status


def received(world, platform: str, text: str) -> list[dict]:
    return [p for p in world["sim"].posts(platform) if p["text"] == text]


def stop(world, view) -> posts.PostView:
    return posts.cancel_post(world["user"], world["wid"], view.id)


def test_stopped_in_flight_the_platform_took_it_so_it_is_published(world):
    world["sim"].set_knobs("mastodon", latency_ms=2000)
    view = schedule(world, "Already on its way", world["mastodon"])
    wait_for(status_is(view, DestinationStatus.publishing), 10, "the request in flight")
    stopped = stop(world, view)
    [dest] = stopped.destinations
    assert dest.status == DestinationStatus.publishing and dest.stop_requested_at
    # While the request is in flight, the post can be neither edited nor deleted.
    data = posts.PostInput(content="Too late", account_ids=[world["mastodon"].id])
    with pytest.raises(Conflict):
        posts.update_post(world["user"], world["wid"], view.id, data, mode="draft")
    with pytest.raises(Conflict, match="being sent right now"):
        posts.delete_post(world["user"], world["wid"], view.id)
    world["sim"].set_knobs("mastodon", latency_ms=0)
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.published and dest.permalink  # it went out
    assert len(received(world, "mastodon", "Already on its way")) == 1
    # Now it can be deleted; the copy on Mastodon stays.
    posts.delete_post(world["user"], world["wid"], view.id)
    with pytest.raises(NotFound):
        posts.get_post(world["user"], world["wid"], view.id)


def test_stopped_in_flight_a_failed_attempt_is_not_retried(world):
    world["sim"].set_knobs("mastodon", latency_ms=1500)
    fault = world["sim"].inject("mastodon", "503", path="/api/v1/statuses", count=None)
    view = schedule(world, "Stop retrying me", world["mastodon"])
    wait_for(status_is(view, DestinationStatus.publishing), 10, "the request in flight")
    stop(world, view)
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.cancelled
    assert dest.error_message == "Stopped before it went out."
    assert posts.get_post(world["user"], world["wid"], view.id).status == PostStatus.cancelled
    time.sleep(4)  # longer than the retry backoff: nothing more is sent
    assert fault.fired == 1
    assert received(world, "mastodon", "Stop retrying me") == []


def test_a_destination_waiting_to_retry_is_cancelled_at_once(world):
    fault = world["sim"].inject("mastodon", "503", path="/api/v1/statuses", count=1)
    view = schedule(world, "Waiting for a retry", world["mastodon"])
    wait_for(status_is(view, DestinationStatus.queued), 10, "the retry to be scheduled")
    stopped = stop(world, view)
    assert [d.status for d in stopped.destinations] == [DestinationStatus.cancelled]
    assert stopped.status == PostStatus.cancelled
    time.sleep(4)
    assert fault.fired == 1 and received(world, "mastodon", "Waiting for a retry") == []


def test_an_unclear_outcome_is_still_checked_but_never_sent_again(world):
    """X created nothing but answered 503: the destination is `unknown`. Stopped then, Herald
    still reads the account (it is not there) and cancels instead of sending it again."""
    world["sim"].inject("x", "503", path="/2/tweets", method="POST", count=None)
    view = schedule(world, "Unclear, then stopped", world["x"])
    wait_for(status_is(view, DestinationStatus.unknown), 10, "an unclear outcome")
    stopped = stop(world, view)
    assert stopped.destinations[0].stop_requested_at is not None
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.cancelled
    posts_sent = [a for a in world["sim"].posts("x") if a["text"] == "Unclear, then stopped"]
    assert posts_sent == []


def test_an_unclear_outcome_that_went_out_is_reported_with_its_link(world):
    world["sim"].inject("x", "timeout_after_accept", path="/2/tweets", count=1, hang_s=5)
    view = schedule(world, "It did go out", world["x"])
    wait_for(status_is(view, DestinationStatus.unknown), 15, "an unclear outcome")
    stop(world, view)
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.published and dest.permalink
    assert len(received(world, "x", "It did go out")) == 1


def test_a_post_with_nothing_left_to_stop_says_so(world):
    view = schedule(world, "Published before the stop", world["mastodon"])
    wait_settled(view.id)
    with pytest.raises(Conflict, match="nothing left to stop"):
        stop(world, view)
    # Deleting it is fine: it stays on Mastodon.
    posts.delete_post(world["user"], world["wid"], view.id)
    assert len(received(world, "mastodon", "Published before the stop")) == 1
