"""What the analytics page needs beyond /api/analytics: every post published in the range
(per-post charts), a cheap change fingerprint, and "Sync now" for one workspace only (admin),
run by a real RQ worker against the simulator."""

from __future__ import annotations

import uuid

import pytest
from rq import SimpleWorker
from sqlmodel import select

from app import db
from app.config import settings
from app.models import AccountMetric, SocialAccount
from app.redis_client import redis
from app.services import analytics, metrics, schedule
from app.services.auth import user_for_session
from app.services.errors import Forbidden
from tests.integration.helpers import account_row, registered
from tests.integration.test_analytics_api import _followers, _metric, _post, _published, at

pytestmark = pytest.mark.usefixtures("clean_db")


SEED = 5


@pytest.fixture
def sandbox_on(server, monkeypatch):
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", server.url)


def _person(email: str):
    c, me = registered(email)
    wid = me["workspaces"][0]["id"]
    c.headers["X-Workspace-Id"] = wid
    return c, user_for_session(c.cookies["herald_session"]), uuid.UUID(wid)


def _account(wid: uuid.UUID, name: str) -> uuid.UUID:
    return account_row(wid, "x", name, platform_account_id=name)


def test_aggregate_lists_every_post_of_the_range_oldest_first():
    _, user, wid = _person("owner@example.com")
    alice = _account(wid, "alice")
    first, second, third, outside = (
        _post(user, wid, text, [alice]) for text in ("First", "Second", "Third", "Outside")
    )
    _published(first[alice], at(2, 10))
    _published(second[alice], at(3, 10))
    _published(third[alice], at(4, 10))
    _published(outside[alice], at(20))
    _metric(first[alice], at(2, 11), likes=3)
    _metric(first[alice], at(3, 11), likes=5, comments=1, views=50)
    _metric(third[alice], at(5), shares=2)
    agg = analytics.aggregate(user, wid, start=at(1), end=at(8))
    assert [(p.content, p.engagement, p.views) for p in agg.posts] == [
        ("First", 6, 50),
        ("Second", 0, 0),
        ("Third", 2, 0),
    ]
    assert [p.content for p in agg.totals.top_posts] == ["First", "Third", "Second"]


def test_fingerprint_moves_with_new_metrics_and_publications():
    _, user, wid = _person("owner@example.com")
    _, other_user, other_wid = _person("other@example.com")
    alice = _account(wid, "alice")
    assert analytics.has_metrics(user, wid) is False
    before = analytics.fingerprint(user, wid)
    dests = _post(user, wid, "Hello", [alice])
    _published(dests[alice], at(2))
    published = analytics.fingerprint(user, wid)
    assert published != before
    _metric(dests[alice], at(3), likes=1)
    assert analytics.fingerprint(user, wid) != published
    assert analytics.has_metrics(user, wid) is True
    # Another workspace's numbers do not move this one's.
    mine = analytics.fingerprint(user, wid)
    bob = _account(other_wid, "bob")
    _followers(bob, at(3), 10)
    assert analytics.fingerprint(user, wid) == mine
    assert analytics.has_metrics(other_user, other_wid) is True


def test_sync_now_covers_one_workspace_and_needs_an_admin(sandbox_on):
    c, user, wid = _person("owner@example.com")
    other_c, _, other_wid = _person("other@example.com")
    for client in (c, other_c):
        r = client.post("/api/accounts/login/bluesky", json={"sandbox": True})
        assert r.status_code == 201, r.text
    assert metrics.sync(workspace_id=wid) == {"posts": 0, "accounts": 1, "errors": 0}
    with db.session() as s:
        rows = s.exec(select(AccountMetric, SocialAccount.workspace_id).join(SocialAccount)).all()
    assert [w for _, w in rows] == [wid]

    # An editor may not; an admin queues one job, and not a second while it waits.
    token = c.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"}).json()["link"]
    editor_c, editor, _ = _person("editor@example.com")
    editor_c.post("/api/invites/accept", json={"token": token.rsplit("/", 1)[1]})
    with pytest.raises(Forbidden):
        metrics.request_sync(editor, wid)
    assert metrics.request_sync(user, wid) is True
    assert metrics.request_sync(user, wid) is False
    queue = schedule.queue(schedule.DEFAULT_QUEUE)
    assert metrics.sync_job_id(wid) in queue.job_ids

    SimpleWorker([queue], connection=redis()).work(burst=True)
    with db.session() as s:
        rows = s.exec(select(AccountMetric, SocialAccount.workspace_id).join(SocialAccount)).all()
    assert sorted(str(w) for _, w in rows) == [str(wid), str(wid)]
    assert other_wid not in {w for _, w in rows}
    # Done: the next click queues again.
    assert metrics.request_sync(user, wid) is True
