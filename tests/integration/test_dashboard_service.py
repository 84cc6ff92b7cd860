"""The dashboard's numbers and lists from known rows in PostgreSQL: exact counts per window,
latest metrics snapshot only, workspace isolation, roles."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app import db
from app.models import (
    AccountStatus,
    DestinationStatus,
    Membership,
    Post,
    PostDestination,
    PostMetric,
    PostStatus,
    Role,
)
from app.services import auth, dashboard
from app.services.errors import NotFound
from app.services.workspaces import list_workspaces
from tests.integration.helpers import account_row

NOW = dt.datetime(2030, 6, 15, 12, 0, tzinfo=dt.UTC)


def ago(**kw) -> dt.datetime:
    return NOW - dt.timedelta(**kw)


def ahead(**kw) -> dt.datetime:
    return NOW + dt.timedelta(**kw)


def _user(tag: str):
    signed = auth.register(f"{tag}-{uuid.uuid4().hex[:6]}@example.com", "a long password!")
    return signed.user, list_workspaces(signed.user)[0].id


def _account(wid, platform: str, name: str, status=AccountStatus.connected, **kw) -> uuid.UUID:
    return account_row(
        wid,
        platform,
        name,
        platform_account_id=f"{platform}-{name}",
        username=name.lower(),
        avatar_url=f"https://example.com/{name}.png",
        status=status,
        **kw,
    )


def _post(wid, content: str, status: PostStatus, at: dt.datetime | None, dests=()) -> uuid.UUID:
    """dests: (account_id, DestinationStatus, published_at, updated_at, extra fields)."""
    with db.session() as s:
        p = Post(workspace_id=wid, content=content, status=status, scheduled_at=at)
        s.add(p)
        s.flush()
        for account_id, dstatus, published_at, updated_at, *extra in dests:
            s.add(
                PostDestination(
                    post_id=p.id,
                    social_account_id=account_id,
                    status=dstatus,
                    published_at=published_at,
                    updated_at=updated_at or NOW,
                    **(extra[0] if extra else {}),
                )
            )
        return p.id


def _dest_id(post_id, account_id) -> uuid.UUID:
    from sqlmodel import select

    with db.session() as s:
        return s.exec(
            select(PostDestination.id).where(
                PostDestination.post_id == post_id,
                PostDestination.social_account_id == account_id,
            )
        ).one()


def _metric(dest_id, at: dt.datetime, **counts) -> None:
    with db.session() as s:
        s.add(PostMetric(destination_id=dest_id, collected_at=at, **counts))


@pytest.fixture
def world(clean_db):
    user, wid = _user("dash")
    x = _account(wid, "x", "Xavier")
    masto = _account(wid, "mastodon", "Mona", meta={"api_base": "https://mastodon.example"})
    _account(wid, "bluesky", "Bea", AccountStatus.expired, last_error="Reconnect needed: 401")
    _account(wid, "linkedin", "Lin", AccountStatus.expiring, last_error="Access ends soon")
    _account(wid, "threads", "Theo", AccountStatus.revoked, last_error="Disconnected")
    P, F, S = DestinationStatus.published, DestinationStatus.failed, DestinationStatus.pending

    ids = {
        # Published 2 days ago on both accounts; metrics collected twice (latest counts).
        "p2": _post(wid, "two days ago", PostStatus.published, ago(days=2),
                    [(x, P, ago(days=2), ago(days=2), {"permalink": "https://x.test/1"}),
                     (masto, P, ago(days=2, hours=-1), ago(days=2), {"permalink": "https://m/1"})]),
        # Published 10 days ago: only in the 30-day window.
        "p10": _post(wid, "ten days ago", PostStatus.published, ago(days=10),
                     [(x, P, ago(days=10), ago(days=10))]),
        # Published 40 days ago: in no window, but still "recent" (latest list).
        "p40": _post(wid, "forty days ago", PostStatus.published, ago(days=40),
                     [(x, P, ago(days=40), ago(days=40))]),
        # Partially published yesterday: one failed (within 7 days), one published.
        "part": _post(wid, "half", PostStatus.partially_published, ago(days=1),
                      [(x, P, ago(days=1), ago(days=1)),
                       (masto, F, None, ago(days=1), {"error_message": "Validation failed: dup"})]),
        # Failed 20 days ago: only in the 30-day window.
        "f20": _post(wid, "old failure", PostStatus.failed, ago(days=20),
                     [(x, F, None, ago(days=20), {"error_message": "Too long"})]),
        # A cancelled post with a failed destination is not shown as a failure.
        "cancelled": _post(wid, "cancelled", PostStatus.cancelled, ago(days=3),
                           [(x, F, None, ago(days=3), {"error_message": "nope"})]),
        # Upcoming: in 1 hour, in 3 days, in 9 days (next 30 only); a draft is not upcoming.
        "u1": _post(wid, "in an hour", PostStatus.scheduled, ahead(hours=1),
                    [(x, S, None, None), (masto, S, None, None)]),
        "u3": _post(wid, "in three days", PostStatus.scheduled, ahead(days=3),
                    [(masto, S, None, None)]),
        "u9": _post(wid, "in nine days", PostStatus.scheduled, ahead(days=9), [(x, S, None, None)]),
        "draft": _post(wid, "a draft", PostStatus.draft, None),
    }  # fmt: skip
    d_x2, d_m2 = _dest_id(ids["p2"], x), _dest_id(ids["p2"], masto)
    _metric(d_x2, ago(days=1), likes=1, comments=1, shares=1, views=10)
    _metric(d_x2, ago(hours=1), likes=5, comments=2, shares=1, views=100, impressions=150)
    _metric(d_m2, ago(hours=2), likes=3, views=7, clicks=4)
    _metric(_dest_id(ids["p10"], x), ago(days=5), likes=10, comments=10, shares=10, views=1000)
    _metric(_dest_id(ids["p40"], x), ago(days=30), likes=99, views=9999)  # outside every window
    return user, wid, ids, {"x": x, "mastodon": masto}


def test_stats_count_each_window_exactly(world):
    user, wid, _ids, _acc = world
    view = dashboard.overview(user, wid, now=NOW)
    week, month = view.stats[7], view.stats[30]
    # p2 and part published within 7 days; p10 too within 30.
    assert (week.published, month.published) == (2, 3)
    # part failed within 7 days; f20 within 30; the cancelled post is not counted.
    assert (week.failed, month.failed) == (1, 2)
    # u1, u3 within the next 7 days; u9 within 30.
    assert (week.scheduled, month.scheduled) == (2, 3)
    # Latest snapshot per destination: x (5,2,1,100,150,0) + mastodon (3,0,0,7,0,4).
    assert (week.likes, week.comments, week.shares, week.views) == (8, 2, 1, 107)
    assert (week.impressions, week.clicks, week.engagement) == (150, 4, 11)
    assert (month.likes, month.comments, month.shares, month.views) == (18, 12, 11, 1107)
    assert month.engagement == 41
    assert view.post_count == 10
    assert view.account_count == 4  # the disconnected (revoked) one is not counted


def test_lists_upcoming_recent_failures_and_broken_accounts(world):
    user, wid, ids, acc = world
    view = dashboard.overview(user, wid, now=NOW)

    assert [p.id for p in view.upcoming] == [ids["u1"], ids["u3"]]
    first = view.upcoming[0]
    assert [d.account.platform for d in first.destinations] == ["mastodon", "x"]
    assert first.destinations[1].account.avatar_url == "https://example.com/Xavier.png"

    assert [p.id for p in view.recent] == [ids["part"], ids["p2"], ids["p10"], ids["p40"]]
    assert [d.status for d in view.recent[0].destinations] == [DestinationStatus.published]
    assert {d.permalink for d in view.recent[1].destinations} == {
        "https://x.test/1",
        "https://m/1",
    }
    assert view.recent[1].published_at == ago(days=2, hours=-1)

    assert [p.id for p in view.failures] == [ids["part"], ids["f20"]]
    (failed,) = view.failures[0].destinations
    assert failed.account.id == acc["mastodon"]
    assert failed.error_message == "Validation failed: dup"

    broken = {(b.platform, b.status) for b in view.broken_accounts}
    assert broken == {
        ("bluesky", AccountStatus.expired),
        ("linkedin", AccountStatus.expiring),
        ("threads", AccountStatus.revoked),
    }
    bea = next(b for b in view.broken_accounts if b.platform == "bluesky")
    assert bea.last_error == "Reconnect needed: 401"


def test_an_empty_workspace_has_zeros(clean_db):
    user, wid = _user("empty")
    view = dashboard.overview(user, wid, now=NOW)
    assert view.upcoming == view.recent == view.failures == view.broken_accounts == []
    assert (view.account_count, view.post_count) == (0, 0)
    assert view.stats[7] == dashboard.Stats(days=7) and view.stats[30] == dashboard.Stats(days=30)


def test_other_workspaces_see_nothing_and_viewers_see_all(world):
    user, wid, _ids, _acc = world
    stranger, other = _user("stranger")
    assert dashboard.overview(stranger, other, now=NOW).post_count == 0
    with pytest.raises(NotFound):
        dashboard.overview(stranger, wid, now=NOW)
    with db.session() as s:
        s.add(Membership(workspace_id=wid, user_id=stranger.id, role=Role.viewer))
    assert dashboard.overview(stranger, wid, now=NOW).stats[30].published == 3


def test_fingerprint_moves_when_a_destination_changes(world):
    user, wid, ids, acc = world
    before = dashboard.fingerprint(user, wid)
    assert dashboard.fingerprint(user, wid) == before
    with db.session() as s:
        dest = s.get(PostDestination, _dest_id(ids["u1"], acc["x"]))
        dest.status = DestinationStatus.publishing
        dest.updated_at = NOW + dt.timedelta(days=1)
        s.add(dest)
    assert dashboard.fingerprint(user, wid) != before
