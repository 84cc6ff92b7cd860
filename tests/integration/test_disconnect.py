"""Disconnecting an account with posts still waiting for it: the two choices really do what they
say (remove: the account leaves those posts, a post left with nothing becomes a draft; keep:
the posts stay, marked, and fail with "account disconnected" when due unless it is connected
again), over REST and through the engine (real worker and scheduler processes, Redis,
PostgreSQL and the simulator over HTTP)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.models import AttemptOutcome, DestinationStatus, PostStatus
from app.services import account_posts, connect, posts, schedule
from app.services.auth import user_for_session
from app.services.errors import InvalidInput
from simulator import SimServer
from tests.integration.engine import (
    destinations,
    engine_processes,
    mastodon_account,
    new_user,
    soon,
    wait_settled,
)
from tests.integration.helpers import error_of, registered

SEED = 23


@pytest.fixture
def team(clean_db, server: SimServer):
    client, me = registered("owner@example.com", "Owner")
    wid = uuid.UUID(me["workspaces"][0]["id"])
    user = user_for_session(client.cookies["herald_session"])
    client.headers["X-Workspace-Id"] = str(wid)
    alice = mastodon_account(server, user, wid, "alice")
    bob = mastodon_account(server, user, wid, "bob")
    return {"client": client, "user": user, "wid": wid, "alice": alice, "bob": bob}


def _post(team, text: str, accounts: list, mode: str = "schedule", hours: float = 2):
    when = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    data = posts.PostInput(content=text, account_ids=[a.id for a in accounts], scheduled_at=when)
    return posts.create_post(team["user"], team["wid"], data, mode=mode)[0]


def _job_ids(view) -> list[str]:
    return [schedule.publish_job_id(d.id, view.scheduled_at) for d in view.destinations]


def test_remove_takes_the_account_off_waiting_posts_and_drafts_the_empty_ones(team):
    only_alice = _post(team, "Only Alice", [team["alice"]])
    both = _post(team, "Both", [team["alice"], team["bob"]])
    draft = _post(team, "A draft", [team["alice"]], mode="draft")
    only_bob = _post(team, "Only Bob", [team["bob"]])
    client, alice = team["client"], team["alice"].id
    jobs = _job_ids(only_alice) + _job_ids(both)
    assert schedule.scheduled_ids(jobs) == set(jobs)

    assert client.get(f"/api/accounts/{alice}/waiting").json() == {"scheduled_posts": 2}
    bad = client.delete(f"/api/accounts/{alice}", params={"posts": "later"})
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_choice"
    r = client.delete(f"/api/accounts/{alice}", params={"posts": "remove"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "account_id": str(alice),
        "posts": "remove",
        "waiting": 2,
        "removed": 2,
        "kept": 0,
        "drafted": 1,
    }
    get = lambda v: posts.get_post(team["user"], team["wid"], v.id)  # noqa: E731
    emptied = get(only_alice)
    assert emptied.status == PostStatus.draft and emptied.destinations == []
    assert emptied.content == "Only Alice" and emptied.scheduled_at == only_alice.scheduled_at
    left = get(both)
    assert left.status == PostStatus.scheduled
    assert [d.account_id for d in left.destinations] == [team["bob"].id]
    assert [d.account_id for d in get(draft).destinations] == [alice]  # drafts are not touched
    assert get(only_bob).status == PostStatus.scheduled
    # The removed destinations' publish jobs are gone; Bob's stays.
    bob_job = schedule.publish_job_id(left.destinations[0].id, left.scheduled_at)
    assert schedule.scheduled_ids([*jobs, bob_job]) == {bob_job}
    assert client.get(f"/api/accounts/{alice}/waiting").json() == {"scheduled_posts": 0}


def test_keep_marks_the_waiting_posts_and_a_reconnect_clears_the_mark(team, server):
    view = _post(team, "Keep me", [team["alice"], team["bob"]])
    r = team["client"].delete(f"/api/accounts/{team['alice'].id}")  # default: keep
    assert r.status_code == 200
    assert r.json()["posts"] == "keep" and r.json()["kept"] == 1 and r.json()["removed"] == 0
    by_account = {d.social_account_id: d for d in destinations(view.id)}
    kept = by_account[team["alice"].id]
    assert kept.status == DestinationStatus.pending
    assert kept.error_message == account_posts.KEPT_NOTE
    assert by_account[team["bob"].id].error_message is None
    assert schedule.scheduled_ids(_job_ids(view)) == set(_job_ids(view))  # still scheduled
    # New posts cannot target it meanwhile, and say why.
    with pytest.raises(InvalidInput, match="The account was disconnected: reconnect it first"):
        _post(team, "Too soon", [team["alice"]])
    mastodon_account(server, team["user"], team["wid"], "alice")  # connected again
    by_account = {d.social_account_id: d for d in destinations(view.id)}
    assert by_account[team["alice"].id].error_message is None


def test_only_admins_disconnect_and_other_workspaces_are_not_found(team):
    other, me = registered("other@example.com")
    other.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    assert other.delete(f"/api/accounts/{team['alice'].id}").status_code == 404
    assert other.get(f"/api/accounts/{team['alice'].id}/waiting").status_code == 404


@pytest.fixture(scope="module")
def engine(server: SimServer):
    with engine_processes({"HERALD_BREAKER_THRESHOLD": "1000"}) as procs:
        yield procs


def test_kept_posts_fail_with_account_disconnected_when_due(clean_db, server, engine):
    server.sim.reset()
    user, wid = new_user()
    alice = mastodon_account(server, user, wid, "alice")
    data = posts.PostInput(
        content="Nobody to send me", account_ids=[alice.id], scheduled_at=soon(3)
    )
    view = posts.create_post(user, wid, data, mode="schedule")[0]
    report = connect.disconnect(user, wid, alice.id)  # keep
    assert report.kept == 1
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.failed
    assert dest.error_message == account_posts.FAILED_NOTE
    assert posts.get_post(user, wid, view.id).status == PostStatus.failed
    [attempt] = posts.list_attempts(user, wid, view.id)
    assert attempt.outcome == AttemptOutcome.auth_error
    assert [p for p in server.sim.posts("mastodon") if p["text"] == "Nobody to send me"] == []
