"""/api/analytics over HTTP: per-post metrics with history and exact aggregates computed from
stored metrics (rows inserted as fixture data), filters, tenant isolation and range checks."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from app import db
from app.models import AccountMetric, PostMetric
from app.services import posts
from app.services.auth import user_for_session
from tests.integration.helpers import account_row, client, error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


def at(day: int, hour: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=dt.UTC)


RANGE = {"from": "2025-03-01T01:00:00+01:00", "to": "2025-03-08T00:00:00Z"}


def _account(wid: uuid.UUID, platform: str, name: str) -> uuid.UUID:
    return account_row(wid, platform, name)


def _post(user, wid, content: str, accounts: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """A post created through the service; returns account id → destination id."""
    view, _ = posts.create_post(
        user, wid, posts.PostInput(content=content, account_ids=accounts), mode="draft"
    )
    return {d.account_id: d.id for d in view.destinations}


def _published(dest: uuid.UUID, when: dt.datetime, status: str = "published") -> None:
    with db.engine().begin() as conn:
        conn.execute(
            text(
                "UPDATE post_destinations SET status = CAST(:st AS destination_status), "
                "published_at = :at, platform_post_id = :pid, permalink = :link WHERE id = :id"
            ),
            {"st": status, "at": when, "pid": f"p-{dest}", "link": f"https://x.test/{dest}",
             "id": dest},
        )  # fmt: skip


def _metric(dest: uuid.UUID, when: dt.datetime, **values: int) -> None:
    with db.session() as s:
        s.add(PostMetric(destination_id=dest, collected_at=when, **values))


def _followers(account: uuid.UUID, when: dt.datetime, followers: int) -> None:
    with db.session() as s:
        s.add(AccountMetric(social_account_id=account, collected_at=when, followers=followers))


@pytest.fixture
def data():
    c, me = registered("owner@example.com")
    wid = uuid.UUID(me["workspaces"][0]["id"])
    c.headers["X-Workspace-Id"] = str(wid)
    user = user_for_session(c.cookies["herald_session"])
    alice = _account(wid, "mastodon", "alice")
    bob = _account(wid, "mastodon", "bob")
    carol = _account(wid, "bluesky", "carol")

    p1 = _post(user, wid, "Launch day", [alice, carol])
    _published(p1[alice], at(2, 10))
    _published(p1[carol], at(2, 10))
    _metric(p1[alice], at(2, 11), likes=1, views=10)
    _metric(p1[alice], at(3), likes=10, comments=2, shares=3, views=100, impressions=150, clicks=4)
    _metric(p1[carol], at(2, 12), likes=4, comments=1)
    p2 = _post(user, wid, "Second", [bob])
    _published(p2[bob], at(5, 12))
    _metric(p2[bob], at(6), likes=20, comments=5, shares=5, views=300)
    p3 = _post(user, wid, "Before the range", [alice])
    _published(p3[alice], at(20, month=2))
    _metric(p3[alice], at(1), likes=100, views=1)
    p4 = _post(user, wid, "No metrics yet", [alice])
    _published(p4[alice], at(7, 23))
    p5 = _post(user, wid, "Failed", [bob])
    _published(p5[bob], at(4), status="failed")
    _metric(p5[bob], at(4, 1), likes=50)

    _followers(alice, at(25, month=2), 100)
    _followers(alice, at(2, 8), 110)
    _followers(alice, at(2, 20), 112)
    _followers(alice, at(5), 120)
    _followers(alice, at(9), 999)  # after the range
    _followers(bob, at(3), 50)
    _followers(bob, at(6), 45)
    _followers(carol, at(1), 200)
    return {
        "client": c,
        "wid": str(wid),
        "alice": str(alice),
        "bob": str(bob),
        "carol": str(carol),
        "p1": str(_post_id(p1[alice])),
        "dests": {"p1_alice": str(p1[alice]), "p1_carol": str(p1[carol]),
                  "p2_bob": str(p2[bob]), "p4_alice": str(p4[alice])},
    }  # fmt: skip


def _post_id(dest: uuid.UUID) -> uuid.UUID:
    with db.engine().connect() as conn:
        return conn.execute(
            text("SELECT post_id FROM post_destinations WHERE id = :id"), {"id": dest}
        ).scalar_one()


def series(*values: int, first: int = 1) -> list[dict]:
    return [{"date": f"2025-03-{first + i:02d}", "value": v} for i, v in enumerate(values)]


def test_post_analytics_latest_and_history_per_destination(data):
    r = data["client"].get(f"/api/analytics/posts/{data['p1']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "draft"  # the post row itself was left as created
    by_platform = {d["platform"]: d for d in body["destinations"]}
    alice = by_platform["mastodon"]
    assert alice["account_name"] == "alice" and alice["status"] == "published"
    assert alice["permalink"] == f"https://x.test/{data['dests']['p1_alice']}"
    assert alice["published_at"] == "2025-03-02T10:00:00Z"
    assert [h["likes"] for h in alice["history"]] == [1, 10]
    assert alice["history"][0]["collected_at"] == "2025-03-02T11:00:00Z"
    assert alice["latest"] == {
        "collected_at": "2025-03-03T00:00:00Z", "likes": 10, "comments": 2, "shares": 3,
        "views": 100, "impressions": 150, "clicks": 4, "engagement": 15,
    }  # fmt: skip
    assert by_platform["bluesky"]["latest"]["engagement"] == 5
    assert body["totals"] == {
        "likes": 14, "comments": 3, "shares": 3, "views": 100, "impressions": 150,
        "clicks": 4, "engagement": 20,
    }  # fmt: skip


def test_aggregate_per_account_platform_and_total(data):
    r = data["client"].get("/api/analytics/aggregate", params=RANGE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["from"] == "2025-03-01T00:00:00Z" and body["to"] == "2025-03-08T00:00:00Z"
    assert body["timezone"] == "UTC"

    acc = {a["account_name"]: a for a in body["accounts"]}
    alice, bob, carol = acc["alice"], acc["bob"], acc["carol"]
    assert alice["followers"] == {
        "latest": 120, "change": 20, "series": series(100, 112, 112, 112, 120, 120, 120),
    }  # fmt: skip
    assert alice["posts_published"] == 2  # "Launch day" and "No metrics yet"
    assert (alice["likes"], alice["comments"], alice["shares"]) == (10, 2, 3)
    assert (alice["views"], alice["impressions"], alice["clicks"]) == (100, 150, 4)
    assert alice["engagement"] == 15
    assert alice["engagement_rate"] == 0.15 and alice["engagement_rate_basis"] == "views"
    assert [(t["content"], t["engagement"]) for t in alice["top_posts"]] == [
        ("Launch day", 15),
        ("No metrics yet", 0),
    ]
    assert alice["top_posts"][0]["destination_id"] == data["dests"]["p1_alice"]

    assert bob["followers"] == {"latest": 45, "change": -5, "series": series(50, 50, 50, 45, 45,
                                                                             first=3)}  # fmt: skip
    assert (bob["posts_published"], bob["engagement"], bob["engagement_rate"]) == (1, 30, 0.1)

    # No views on Bluesky: the rate is per follower.
    assert carol["followers"] == {"latest": 200, "change": 0, "series": series(*[200] * 7)}
    assert carol["engagement"] == 5 and carol["views"] == 0
    assert carol["engagement_rate"] == 0.025 and carol["engagement_rate_basis"] == "followers"

    plat = {p["platform"]: p for p in body["platforms"]}
    mastodon = plat["mastodon"]
    assert mastodon["accounts"] == 2 and mastodon["posts_published"] == 3
    assert mastodon["followers"] == {
        "latest": 165, "change": 15, "series": series(100, 112, 162, 162, 170, 165, 165),
    }  # fmt: skip
    assert mastodon["engagement"] == 45 and mastodon["engagement_rate"] == 0.1125
    assert plat["bluesky"]["engagement"] == 5 and plat["bluesky"]["accounts"] == 1

    totals = body["totals"]
    assert totals["posts_published"] == 4 and totals["engagement"] == 50
    assert totals["engagement_rate"] == 0.125 and totals["engagement_rate_basis"] == "views"
    assert totals["followers"] == {
        "latest": 365, "change": 15, "series": series(300, 312, 362, 362, 370, 365, 365),
    }  # fmt: skip
    assert [(t["platform"], t["engagement"]) for t in totals["top_posts"]] == [
        ("mastodon", 30),
        ("mastodon", 15),
        ("bluesky", 5),
        ("mastodon", 0),
    ]


def test_aggregate_filters(data):
    c = data["client"]
    only_bob = c.get("/api/analytics/aggregate", params={**RANGE, "account_id": data["bob"]})
    assert only_bob.status_code == 200
    body = only_bob.json()
    assert [a["account_name"] for a in body["accounts"]] == ["bob"]
    assert body["totals"]["engagement"] == 30 and body["totals"]["followers"]["latest"] == 45
    bluesky = c.get("/api/analytics/aggregate", params={**RANGE, "platform": "bluesky"}).json()
    assert [p["platform"] for p in bluesky["platforms"]] == ["bluesky"]
    assert bluesky["totals"]["engagement"] == 5
    none = c.get("/api/analytics/aggregate", params={**RANGE, "platform": "x"}).json()
    assert none["accounts"] == [] and none["totals"]["posts_published"] == 0
    assert none["totals"]["engagement_rate"] is None
    assert none["totals"]["followers"] == {"latest": None, "change": None, "series": []}
    r = c.get("/api/analytics/aggregate", params={**RANGE, "platform": "myspace"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_platform"
    # A later range: the earlier posts drop out, followers carry on from the last value.
    later = c.get(
        "/api/analytics/aggregate",
        params={"from": "2025-03-08T00:00:00Z", "to": "2025-03-10T00:00:00Z"},
    ).json()
    alice = next(a for a in later["accounts"] if a["account_name"] == "alice")
    assert alice["posts_published"] == 0
    assert alice["followers"] == {"latest": 999, "change": 879, "series": series(120, 999, first=8)}


def test_ranges_are_validated(data):
    c = data["client"]
    bad = [
        {"from": "2025-03-08T00:00:00Z", "to": "2025-03-01T00:00:00Z"},
        {"from": "2025-03-01T00:00:00Z", "to": "2025-03-01T00:00:00Z"},
        {"from": "2024-01-01T00:00:00Z", "to": "2025-03-01T00:00:00Z"},
        {"from": "9999-12-31T23:00:00-12:00"},
        {"from": "0001-01-01T00:00:00+12:00", "to": "0001-01-02T00:00:00Z"},
        {"to": "0001-01-02T00:00:00Z"},
    ]
    for params in bad:
        r = c.get("/api/analytics/aggregate", params=params)
        assert r.status_code == 422, params
        assert error_of(r)["code"] == "invalid_range"
    r = c.get("/api/analytics/aggregate", params={"from": "yesterday"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_input"
    full_year = {"from": "2024-03-01T00:00:00Z", "to": "2025-03-02T00:00:00Z"}  # 366 days
    assert c.get("/api/analytics/aggregate", params=full_year).status_code == 200
    default = c.get("/api/analytics/aggregate")
    assert default.status_code == 200
    span = dt.datetime.fromisoformat(default.json()["to"]) - dt.datetime.fromisoformat(
        default.json()["from"]
    )
    assert span == dt.timedelta(days=30)


def test_tenant_isolation_and_roles(data):
    other, other_me = registered("other@example.com")
    other.headers["X-Workspace-Id"] = other_me["workspaces"][0]["id"]
    r = other.get(f"/api/analytics/posts/{data['p1']}")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    other.headers["X-Workspace-Id"] = data["wid"]
    assert other.get(f"/api/analytics/posts/{data['p1']}").status_code == 404
    assert other.get("/api/analytics/aggregate", params=RANGE).status_code == 404
    other.headers["X-Workspace-Id"] = other_me["workspaces"][0]["id"]
    r = other.get("/api/analytics/aggregate", params={**RANGE, "account_id": data["alice"]})
    assert r.status_code == 404
    c = data["client"]
    assert c.get(f"/api/analytics/posts/{uuid.uuid4()}").status_code == 404
    assert client().get("/api/analytics/aggregate").status_code == 401

    # A viewer API key reads analytics (served from stored metrics, nothing is written).
    key = c.post("/api/keys", json={"name": "dashboard", "role": "viewer"}).json()["key"]
    bot = client()
    bot.headers["Authorization"] = f"Bearer {key}"
    r = bot.get("/api/analytics/aggregate", params=RANGE)
    assert r.status_code == 200 and r.json()["totals"]["engagement"] == 50
    assert bot.get(f"/api/analytics/posts/{data['p1']}").json()["totals"]["engagement"] == 20
