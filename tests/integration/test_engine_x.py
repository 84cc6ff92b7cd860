"""The auto-posting engine end to end on X: services → PostgreSQL → rq-scheduler → RQ worker
processes → the X simulator over HTTP. X has rotating refresh tokens and no idempotency key, so
these tests cover token refresh (ahead of expiry, on a 401, refused) and the `find_recent`
verification of unclear outcomes. Each test checks what X received."""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
import time

import pytest
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq_scheduler import Scheduler

from app import db
from app.crypto import decrypt
from app.models import (
    AccountStatus,
    AttemptOutcome,
    DestinationStatus,
    PostStatus,
    SocialAccount,
)
from app.providers.base import AuthError, PublishRequest, TokenSet
from app.redis_client import redis
from app.services import accounts
from app.services import schedule as sched
from simulator import SimServer
from simulator.x import E_DUPLICATE
from tests.integration.engine import (
    X_APP,
    attempts,
    destinations,
    new_user,
    post_status,
    published_on_time,
    schedule,
    soon,
    wait_for,
    wait_settled,
    x_provider,
)
from tests.integration.engine import x_account as connect_x

HOUR = dt.timedelta(hours=1)


SEED = 5


TEST_ENV = X_APP


@pytest.fixture
def world(clean_db, server: SimServer, engine, monkeypatch):
    server.sim.reset()
    refreshes = spy_refresh_grants(server, monkeypatch)
    first_sweep_done()
    user, wid = new_user()
    world = {"user": user, "wid": wid, "sim": server.sim, "server": server}
    world["account"], world["issued"] = x_account(world, "alice")
    world["refreshes"] = refreshes
    return world


def spy_refresh_grants(server: SimServer, monkeypatch) -> list[tuple[str, int]]:
    """(refresh token presented, HTTP status) of every refresh grant X's token endpoint got."""
    xsim = server.sim["x"]
    seen: list[tuple[str, int]] = []
    grant = xsim._refresh_grant

    def spy(app, form):
        response = grant(app, form)
        seen.append((form.get("refresh_token"), response.status_code))
        return response

    monkeypatch.setattr(xsim, "_refresh_grant", spy)
    return seen


def first_sweep_done() -> None:
    """clean_db flushed Redis, so the scheduler re-creates the token refresh sweep and runs it at
    once: let it finish before accounts exist, or it would refresh the tokens a test means the
    publish job to refresh."""

    def finished():
        # Once enqueued, a repeated job is due again only an interval later (300 s).
        due = redis().zscore(Scheduler.scheduled_jobs_key, "repeat-refresh-tokens")
        if due is None or due < time.time() + 1:
            return False
        try:
            job = Job.fetch("repeat-refresh-tokens", connection=redis())
        except NoSuchJobError:
            return False
        return job.get_status() == "finished"

    wait_for(finished, 10, "the first token refresh sweep")


def x_account(world, username: str, expires_in: float = 7200):
    return connect_x(world["server"], world["user"], world["wid"], username, expires_in)


def sim_posts(world, text: str | None = None) -> list[dict]:
    found = world["sim"].posts("x")
    return [p for p in found if text is None or p["text"] == text]


def stored(account_id) -> SocialAccount:
    with db.session() as s:
        return s.get(SocialAccount, account_id)


def assert_rotated(row: SocialAccount, issued: dict) -> tuple[str, str]:
    """The row holds a new access and refresh token, encrypted; returns them (plaintext)."""
    access, refresh = decrypt(row.access_token), decrypt(row.refresh_token)
    assert access != issued["access_token"] and refresh != issued["refresh_token"]
    for plain in (access, refresh, issued["access_token"], issued["refresh_token"]):
        assert plain not in row.access_token and plain not in row.refresh_token
    assert row.token_expires_at > dt.datetime.now(dt.UTC) + HOUR  # X's new token: 2 h
    assert row.status == AccountStatus.connected and row.last_error is None
    return access, refresh


def test_scheduled_post_is_published_on_x_exactly_once(world):
    _, dest, received = published_on_time(world, "x", "Hello X, exactly once", 1.5)
    assert received["account"] == "alice"
    assert dest.permalink.endswith(f"/status/{received['post_id']}")
    assert world["refreshes"] == []  # a token good for 2 h is used as it is
    assert decrypt(stored(world["account"].id).access_token) == world["issued"]["access_token"]


def test_token_expiring_soon_is_refreshed_and_rotated_before_publishing(world):
    bob, issued = x_account(world, "bob", expires_in=120)  # inside REFRESH_AHEAD (10 min)
    view = schedule(world, "Fresh token first", soon(0.5), account_ids=[bob.id])
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, "Fresh token first")
    assert received["account"] == "bob" and dest.platform_post_id == received["post_id"]
    # One refresh, with the refresh token Herald was given, accepted by X.
    assert world["refreshes"] == [(issued["refresh_token"], 200)]
    row = stored(bob.id)
    access, _ = assert_rotated(row, issued)
    [attempt] = attempts(view.id)
    assert attempt.outcome == AttemptOutcome.published
    # The publish job refreshed (not the sweep): during its attempt.
    assert attempt.started_at <= row.last_refreshed_at <= attempt.finished_at
    # The new token works; X refuses the rotated-out refresh token.
    provider = x_provider(world["server"])
    assert provider.account_info(TokenSet(access)).username == "bob"
    with pytest.raises(AuthError) as refused:
        provider.refresh(TokenSet(issued["access_token"], issued["refresh_token"]))
    assert refused.value.status == 400 and not refused.value.refresh_may_help
    assert world["refreshes"][-1] == (issued["refresh_token"], 400)


def test_token_expired_at_x_is_refreshed_on_401_and_published_once(world):
    issued = world["issued"]
    world["sim"]["x"].expire_token(issued["access_token"])  # Herald still thinks it is valid
    view = schedule(world, "Published after a 401", soon(0.5))
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, "Published after a 401")
    assert dest.platform_post_id == received["post_id"]
    assert world["refreshes"] == [(issued["refresh_token"], 200)]
    row = stored(world["account"].id)
    assert_rotated(row, issued)
    [attempt] = attempts(view.id)  # the refresh and the second call are one attempt
    assert attempt.outcome == AttemptOutcome.published and attempt.error is None
    assert attempt.started_at <= row.last_refreshed_at <= attempt.finished_at
    assert dest.attempts == 1


def test_refused_refresh_marks_the_account_expired_with_one_notice(world):
    issued, xsim = world["issued"], world["sim"]["x"]
    xsim.revoke_family(xsim.tokens[issued["access_token"]].family)  # access revoked at X
    first = schedule(world, "Needs a working grant", soon(0.5))
    second = schedule(world, "Also needs one", soon(2))
    [dest] = wait_settled(first.id)
    assert dest.status == DestinationStatus.failed
    assert "Value passed for the token was invalid" in dest.error_message
    assert "Reconnect the account" in dest.error_message
    row = stored(world["account"].id)
    assert row.status == AccountStatus.expired
    assert row.last_error == "Reconnect needed: Value passed for the token was invalid."
    noticed = row.status_changed_at
    assert world["refreshes"] == [(issued["refresh_token"], 400)]
    [attempt] = attempts(first.id)
    assert attempt.outcome == AttemptOutcome.auth_error

    [dest] = wait_settled(second.id)
    assert dest.status == DestinationStatus.failed
    assert dest.error_message == "The account is expired: reconnect it, then retry."
    assert [a.outcome for a in attempts(second.id)] == [AttemptOutcome.auth_error]
    assert len(world["refreshes"]) == 1  # no second refresh for a known-broken account
    row = stored(world["account"].id)
    assert row.status_changed_at == noticed and row.status == AccountStatus.expired
    # A refused refresh never overwrites the stored tokens.
    assert decrypt(row.refresh_token) == issued["refresh_token"]
    assert sim_posts(world) == []
    assert post_status(first.id) == post_status(second.id) == PostStatus.failed


def test_refresh_sweep_renews_expiring_tokens_without_a_post(world):
    bob, issued = x_account(world, "bob", expires_in=600)
    assert accounts.refresh_due_accounts() == {"refreshed": 1, "failed": 0}  # alice: 2 h left
    assert world["refreshes"] == [(issued["refresh_token"], 200)]
    access, _ = assert_rotated(stored(bob.id), issued)
    assert stored(bob.id).last_refreshed_at is not None
    assert stored(world["account"].id).last_refreshed_at is None
    assert x_provider(world["server"]).account_info(TokenSet(access)).username == "bob"
    assert sim_posts(world) == []


def test_scheduled_refresh_job_renews_tokens_in_a_worker(world):
    carol, issued = x_account(world, "carol", expires_in=300)
    sched.scheduler().cancel("repeat-refresh-tokens")  # the scheduler re-creates it, due now
    wait_for(lambda: stored(carol.id).last_refreshed_at, 10, "the sweep to refresh carol")
    assert world["refreshes"] == [(issued["refresh_token"], 200)]
    assert_rotated(stored(carol.id), issued)
    assert sim_posts(world) == []


@pytest.mark.parametrize(
    ("kind", "outcomes"),
    [
        # X created the post, the answer never came: find_recent finds it, no second request.
        ("timeout_after_accept", ["unknown", "published"]),
        # X created nothing: find_recent finds nothing, so one retry is safe.
        ("503", ["unknown", "skipped", "published"]),
    ],
)
def test_unclear_outcome_on_x_is_verified_before_any_retry(world, kind, outcomes):
    text = f"Unclear answer {kind}"
    world["sim"].inject("x", kind, path="/2/tweets", hang_s=5)  # hang: > the 3 s timeout
    view = schedule(world, text, soon(0.5))
    unknown = wait_for(
        lambda: [d for d in destinations(view.id) if d.status == DestinationStatus.unknown],
        10,
        "the destination to be unknown",
    )
    assert unknown[0].error_message.startswith("Outcome unknown, checking the platform")
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, text)
    assert dest.platform_post_id == received["post_id"]
    found = attempts(view.id)
    assert [a.outcome.value for a in found] == outcomes
    waited = found[1].started_at - found[0].finished_at
    settle = float(os.environ["HERALD_VERIFY_DELAY_SECONDS"])
    assert waited >= dt.timedelta(seconds=settle - 0.1), waited
    if kind == "503":
        assert found[0].http_status == 503
        assert found[1].error == "Not found on the platform after an unclear answer; trying again."
    else:
        assert "did not answer in time" in found[0].error


def test_duplicate_text_is_refused_by_x_and_not_retried(world):
    text = "Said it once already"
    token = TokenSet(world["issued"]["access_token"])
    direct = x_provider(world["server"]).publish(token, PublishRequest(text=text))
    view = schedule(world, text, soon(0.5))
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.failed
    assert dest.error_message == E_DUPLICATE  # X's own words
    assert dest.platform_post_id is None
    [received] = sim_posts(world, text)
    assert received["post_id"] == direct.platform_post_id
    [attempt] = attempts(view.id)
    assert attempt.outcome == AttemptOutcome.failed and attempt.http_status == 403
    assert post_status(view.id) == PostStatus.failed


def test_rate_limited_by_x_waits_for_its_reset_time(world):
    reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2.5)
    world["sim"].inject("x", "429", path="/2/tweets", reset_at=reset.isoformat())
    view = schedule(world, "After X's window resets", soon(0.5))
    [dest] = wait_settled(view.id, 20)
    assert dest.status == DestinationStatus.published
    [received] = sim_posts(world, "After X's window resets")
    announced = math.ceil(reset.timestamp())  # x-rate-limit-reset: epoch seconds
    sent = dt.datetime.fromisoformat(received["received_at"]).timestamp()
    assert announced <= sent < announced + 3, (sent, announced)
    found = attempts(view.id)
    assert [a.outcome for a in found] == [AttemptOutcome.rate_limited, AttemptOutcome.published]
    assert found[0].http_status == 429
    assert dest.attempts == 1  # a rate-limit wait is not a failed attempt


@pytest.mark.parametrize(
    ("when", "outcomes"),
    [
        # X is slow: the worker dies while X processes the request (longer than Herald's own
        # timeout). X creates it anyway; the check waits until the request cannot be in progress
        # any more, finds it and never sends it again.
        ("in_flight", ["unknown", "published"]),
        # X creates the post, then holds its answer: the worker dies waiting for it.
        ("after_accept", ["unknown", "published"]),
    ],
)
def test_worker_killed_mid_publish_on_x_publishes_exactly_once(world, when, outcomes):
    text = f"Killed mid-publish {when}"
    if when == "in_flight":
        world["sim"].set_knobs("x", latency_ms=4500)
    else:
        world["sim"].inject("x", "timeout_after_accept", path="/2/tweets", hang_s=10)
    at = soon(0.5)
    view = schedule(world, text, at)

    def claimed():
        [dest] = destinations(view.id)
        return dest.claimed_by if dest.status == DestinationStatus.publishing else None

    claimed_by = wait_for(claimed, 10, "a worker to claim the destination")
    if when == "in_flight":
        time.sleep(max(0.0, (at - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)  # on its way
        assert sim_posts(world, text) == []
    else:
        wait_for(lambda: sim_posts(world, text), 10, "X to accept the post")
    os.kill(int(str(claimed_by).rsplit("/", 1)[1]), signal.SIGKILL)  # within its 3 s timeout
    world["sim"].set_knobs("x", latency_ms=0)
    [dest] = wait_settled(view.id, 30)
    assert dest.status == DestinationStatus.published
    time.sleep(max(0.0, (at - dt.datetime.now(dt.UTC)).total_seconds() + 5))  # X has answered
    [received] = sim_posts(world, text)
    assert dest.platform_post_id == received["post_id"]
    found = attempts(view.id)
    assert [a.outcome.value for a in found] == outcomes
    assert "stopped during the attempt" in found[0].error
