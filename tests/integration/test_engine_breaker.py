"""Outages are recognised, not hammered: a circuit breaker per platform (or federated server)
and per account. Real worker and scheduler processes, Redis, PostgreSQL and the simulator over
HTTP: a Mastodon server that answers 500 to every post is left alone after a few failures, gets
one probe per cool-down, and everything that waited goes out once it answers again — while X,
a platform that works, is not slowed down."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from app.models import DestinationStatus
from app.redis_client import redis
from app.services import circuit, health, outages, posts
from simulator import SimServer
from tests.integration import helpers
from tests.integration.engine import (
    X_APP,
    destinations,
    mastodon_account,
    new_user,
    new_world,
    soon,
    wait_for,
    wait_settled,
)

COOLDOWN = 2.0
ENV = {
    **X_APP,
    "HERALD_BREAKER_THRESHOLD": "3",
    "HERALD_BREAKER_COOLDOWN_SECONDS": str(COOLDOWN),
    "HERALD_BREAKER_MAX_COOLDOWN_SECONDS": str(COOLDOWN),
    "HERALD_RETRY_BASE_SECONDS": "0.3",
    "HERALD_MAX_ATTEMPTS": "5",
}
SERVER = "mastodon@127.0.0.1"


SEED = 13


TEST_ENV = X_APP


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    world = new_world(server, x=("x", "xavier"))
    names = ("alice", "bob", "carol")
    world["mastodon"] = [mastodon_account(server, world["user"], world["wid"], n) for n in names]
    return world


def schedule(world, text: str, account, at: dt.datetime) -> posts.PostView:
    data = posts.PostInput(content=text, account_ids=[account.id], scheduled_at=at)
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    return view


def test_a_failing_server_is_left_alone_then_everything_waiting_goes_out(world):
    fault = world["sim"].inject("mastodon", "500", path="/api/v1/statuses", count=None)
    due = soon(1)
    waiting = [
        schedule(
            world, f"Mastodon {i}", world["mastodon"][i % 3], due + dt.timedelta(seconds=i / 5)
        )
        for i in range(9)
    ]
    on_x = [schedule(world, f"X {i}", world["x"], due + dt.timedelta(seconds=1)) for i in range(3)]

    wait_for(lambda: SERVER in circuit.summary(), 15, "the breaker of the failing server")
    # Other platforms are unaffected: X's posts go out on time meanwhile.
    for view in on_x:
        [dest] = wait_settled(view.id, 10)
        assert dest.status == DestinationStatus.published
        assert dest.attempts == 1 and not (dest.error_message or "")
    for i in range(3):
        [got] = [p for p in world["sim"].posts("x") if p["text"] == f"X {i}"]
        late = dt.datetime.fromisoformat(got["received_at"]) - (due + dt.timedelta(seconds=1))
        # Never held back by a breaker (lateness figures under load: bench.outage).
        assert late < dt.timedelta(seconds=5), late

    # Visible: /api/health, the workspace's outages (REST), the waiting destinations.
    # A platform's outage is not Herald's (the workers report again a few seconds after
    # clean_db emptied their table).
    report = wait_for(lambda: (r := health.status())["ok"] and r, 10, "a healthy Herald")
    assert SERVER in report["platforms"]["failing"]
    [outage] = [o for o in outages.for_workspace(world["user"], world["wid"]) if o.scope == SERVER]
    assert outage.name == "Mastodon (127.0.0.1)" and outage.last_error
    wait_for(
        lambda: any(
            d.status == DestinationStatus.queued and (d.error_message or "").startswith("Waiting")
            for v in waiting
            for d in destinations(v.id)
        ),
        10,
        "destinations waiting for the server",
    )
    # While it is open, at most one probe per cool-down reaches the server.
    before, started = fault.fired, time.monotonic()
    time.sleep(3 * COOLDOWN)
    probes = fault.fired - before
    assert probes <= (time.monotonic() - started) / COOLDOWN + 1, probes

    world["sim"].clear_faults()
    recovered = time.monotonic()
    for view in waiting:
        [dest] = wait_settled(view.id, 30)
        assert dest.status == DestinationStatus.published, dest.error_message
        assert dest.attempts <= 5
    assert time.monotonic() - recovered < 3 * COOLDOWN + 5
    for i in range(9):
        assert len([p for p in world["sim"].posts("mastodon") if p["text"] == f"Mastodon {i}"]) == 1
    assert SERVER not in circuit.summary()
    assert outages.for_workspace(world["user"], world["wid"]) == []


def test_one_accounts_failures_do_not_stop_the_others(world):
    """Failures of a single account open that account's breaker, not its server's."""
    alice, bob, _ = world["mastodon"]
    world["sim"].inject("mastodon", "500", path="/api/v1/statuses", count=None, account="alice")
    due = soon(1)
    failing = [schedule(world, f"Alice {i}", alice, due) for i in range(3)]
    fine = [schedule(world, f"Bob {i}", bob, due + dt.timedelta(seconds=i / 2)) for i in range(6)]
    for view in fine:
        [dest] = wait_settled(view.id, 15)
        assert dest.status == DestinationStatus.published
    wait_for(lambda: f"account:{alice.id}" in circuit.summary(), 15, "alice's breaker")
    assert SERVER not in circuit.summary()
    world["sim"].clear_faults()
    for view in failing:
        [dest] = wait_settled(view.id, 30)
        assert dest.status == DestinationStatus.published


def test_outages_are_in_the_rest_api(world):
    """GET /api/platforms/outages names what this workspace waits for (and nothing of others')."""
    scopes = circuit.scopes("mastodon", str(world["mastodon"][0].id), "http://127.0.0.1:1/x", True)
    for _ in range(3):  # three failures from two accounts open the server's breaker
        circuit.record(scopes, False, message="Mastodon answered HTTP 500")
        circuit.record([scopes[0], f"account:{world['mastodon'][1].id}"], False, message="500")
    client = helpers.client()
    signed = client.post(
        "/api/auth/login", json={"email": world["user"].email, "password": "a long password!"}
    )
    assert signed.status_code == 200, signed.text
    found = client.get("/api/platforms/outages", headers={"X-Workspace-Id": str(world["wid"])})
    assert found.status_code == 200, found.text
    scopes_seen = {o["scope"] for o in found.json()}
    assert SERVER in scopes_seen
    other_user, other_wid = new_user()
    assert outages.for_workspace(other_user, other_wid) == []  # no Mastodon account there
    circuit.reset()
    assert redis().scard(circuit.INDEX) == 0
