"""Posting schedules over HTTP and through the service: weekly slots per account, the next
free slot across DST changes (wall time in the zone), conflicts with scheduled posts, tenant
isolation and roles."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from app import db
from app.models import PostingSlot
from app.services import posts, slots
from app.services.auth import user_for_session
from app.services.errors import Forbidden, NotFound
from tests.integration.helpers import account_row, client, error_of, registered, signed_up

pytestmark = pytest.mark.usefixtures("clean_db")

UTC = dt.UTC
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _account(wid: str, platform: str, name: str) -> str:
    return str(account_row(wid, platform, name))


def _workspace_zone(wid: str, zone: str) -> None:
    with db.engine().begin() as conn:
        conn.execute(text("UPDATE workspaces SET timezone = :tz WHERE id = :id"),
                     {"tz": zone, "id": wid})  # fmt: skip


def _invite(c, wid: str, role: str) -> str:
    r = c.post(f"/api/workspaces/{wid}/invites", json={"role": role})
    assert r.status_code == 201, r.text
    return r.json()["link"].rsplit("/", 1)[1]


@pytest.fixture
def ws():
    c, wid, user = signed_up("owner@example.com", "Owner")
    return {
        "client": c,
        "wid": wid,
        "user": user,
        "alice": _account(wid, "x", "alice"),
        "bob": _account(wid, "bluesky", "bob"),
    }


def _put(c, account: str, slot_list: list[tuple[int, str]], timezone: str | None = None):
    body = {"timezone": timezone, "slots": [{"weekday": d, "time": t} for d, t in slot_list]}
    return c.put(f"/api/accounts/{account}/slots", json=body)


def _next(c, accounts: list[str], after: str | None = None):
    params: dict = {"account_ids": ",".join(accounts)}
    if after:
        params["after"] = after
    return c.get("/api/slots/next", params=params)


def test_set_and_read_slots(ws):
    c = ws["client"]
    r = _put(c, ws["alice"], [(0, "09:00"), (4, "17:30"), (0, "9:00"), (2, "12:30")], BERLIN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timezone"] == BERLIN and body["effective_timezone"] == BERLIN
    assert body["slots"] == [  # sorted, the duplicate merged
        {"weekday": 0, "time": "09:00"},
        {"weekday": 2, "time": "12:30"},
        {"weekday": 4, "time": "17:30"},
    ]
    assert c.get(f"/api/accounts/{ws['alice']}/slots").json() == body
    # Replacing is whole: the new list and zone (null: follow the workspace's).
    _workspace_zone(ws["wid"], NEW_YORK)
    r = _put(c, ws["alice"], [(6, "10:00")])
    assert r.json()["timezone"] is None and r.json()["effective_timezone"] == NEW_YORK
    assert r.json()["slots"] == [{"weekday": 6, "time": "10:00"}]
    listed = {s["account_id"]: s for s in c.get("/api/slots").json()}
    assert listed[ws["alice"]]["slots"] == [{"weekday": 6, "time": "10:00"}]
    assert listed[ws["bob"]]["slots"] == [] and listed[ws["bob"]]["effective_timezone"] == NEW_YORK


@pytest.mark.parametrize(
    ("slot", "timezone", "message"),
    [
        ((0, "25:00"), None, "HH:MM"),
        ((0, "9h"), None, "HH:MM"),
        ((7, "09:00"), None, "less than or equal to 6"),
        ((0, "09:00"), "Mars/Olympus", "Unknown timezone"),
    ],
)
def test_bad_slots_are_refused_and_nothing_changes(ws, slot, timezone, message):
    c = ws["client"]
    assert _put(c, ws["alice"], [(1, "08:00")]).status_code == 200
    r = _put(c, ws["alice"], [(2, "10:00"), slot], timezone)
    assert r.status_code == 422 and message in error_of(r)["message"], r.text
    assert c.get(f"/api/accounts/{ws['alice']}/slots").json()["slots"] == [
        {"weekday": 1, "time": "08:00"}
    ]
    too_many = [(d, f"{h:02d}:00") for d in range(7) for h in range(15)]
    assert _put(c, ws["alice"], too_many).status_code == 422


def test_dst_weeks_keep_the_wall_time(ws):
    """Europe/Berlin springs forward on 2030-03-31 and falls back on 2030-10-27."""
    c = ws["client"]
    _put(c, ws["alice"], [(0, "09:00"), (6, "02:30")], BERLIN)
    # Before the change: Monday 09:00 CET = 08:00 UTC.
    assert _next(c, [ws["alice"]], "2030-03-25T00:00:00Z").json()["at"] == "2030-03-25T08:00:00Z"
    # Sunday 02:30 does not exist on the 31st (02:00 → 03:00): skipped; Monday 09:00 CEST is
    # 07:00 UTC.
    assert _next(c, [ws["alice"]], "2030-03-30T12:00:00Z").json()["at"] == "2030-04-01T07:00:00Z"
    # The Sunday after, 02:30 exists again (CEST, 00:30 UTC).
    assert _next(c, [ws["alice"]], "2030-04-02T00:00:00Z").json()["at"] == "2030-04-07T00:30:00Z"
    # Falling back, 02:30 happens twice: the first (CEST, 00:30 UTC) only.
    assert _next(c, [ws["alice"]], "2030-10-27T00:00:00Z").json()["at"] == "2030-10-27T00:30:00Z"
    assert _next(c, [ws["alice"]], "2030-10-27T00:31:00Z").json()["at"] == "2030-10-28T08:00:00Z"
    # The service gives aware UTC datetimes.
    found = slots.next_free_slot(ws["user"], uuid.UUID(ws["wid"]), [uuid.UUID(ws["alice"])],
                                 utc(2030, 3, 25))  # fmt: skip
    assert found == utc(2030, 3, 25, 8) and found.tzinfo is not None


def test_common_slot_of_accounts_in_different_zones(ws):
    """Berlin 15:00 and New York 09:00 are the same instant, except in the weeks between the
    US change (2030-03-10) and the European one (2030-03-31)."""
    c = ws["client"]
    _workspace_zone(ws["wid"], NEW_YORK)
    _put(c, ws["alice"], [(0, "15:00")], BERLIN)
    _put(c, ws["bob"], [(0, "09:00")])  # the workspace's zone
    both = [ws["alice"], ws["bob"]]
    assert _next(c, both, "2030-03-04T00:00:00Z").json()["at"] == "2030-03-04T14:00:00Z"
    assert _next(c, both, "2030-03-05T00:00:00Z").json()["at"] == "2030-04-01T13:00:00Z"
    # Repeated parameters work as well as a comma-separated list.
    r = c.get("/api/slots/next", params=[("account_ids", a) for a in both] +
              [("after", "2030-03-04T00:00:00Z")])  # fmt: skip
    assert r.json()["at"] == "2030-03-04T14:00:00Z"
    # An account without slots: no common slot.
    third = _account(ws["wid"], "linkedin", "carol")
    assert _next(c, [*both, third], "2030-03-04T00:00:00Z").json() == {"at": None}
    # Slots that never meet.
    _put(c, ws["bob"], [(1, "09:00")])
    assert _next(c, both).json() == {"at": None}


def test_scheduled_posts_take_their_slot(ws):
    c, user, wid = ws["client"], ws["user"], uuid.UUID(ws["wid"])
    alice, bob = uuid.UUID(ws["alice"]), uuid.UUID(ws["bob"])
    _put(c, ws["alice"], [(0, "09:00"), (2, "09:00")], "UTC")
    _put(c, ws["bob"], [(0, "09:00"), (2, "09:00")], "UTC")
    after = "2030-03-04T00:00:00Z"  # a Monday
    both = [ws["alice"], ws["bob"]]
    assert _next(c, both, after).json()["at"] == "2030-03-04T09:00:00Z"

    # Bob has a post at Monday 09:00:20: that minute is taken for both together, not for Alice.
    taken, _ = posts.create_post(
        user, wid, posts.PostInput("Busy", [bob], utc(2030, 3, 4, 9, 0, 20), "UTC")
    )
    assert _next(c, both, after).json()["at"] == "2030-03-06T09:00:00Z"
    assert _next(c, [ws["alice"]], after).json()["at"] == "2030-03-04T09:00:00Z"
    # A draft or a cancelled post takes no slot.
    posts.create_post(user, wid, posts.PostInput("Draft", [alice], utc(2030, 3, 6, 9), "UTC"),
                      mode="draft")  # fmt: skip
    assert _next(c, both, after).json()["at"] == "2030-03-06T09:00:00Z"
    posts.cancel_post(user, wid, taken.id)
    assert _next(c, both, after).json()["at"] == "2030-03-04T09:00:00Z"
    # Alice's scheduled post in the next slot moves the answer on a week... until the next one.
    posts.create_post(user, wid, posts.PostInput("A", [alice], utc(2030, 3, 4, 9), "UTC"))
    posts.create_post(user, wid, posts.PostInput("B", [alice, bob], utc(2030, 3, 6, 9), "UTC"))
    assert _next(c, both, after).json()["at"] == "2030-03-11T09:00:00Z"
    # Without `after`: a future time, on a slot (Monday or Wednesday 09:00 UTC).
    now = dt.datetime.now(UTC)
    found = dt.datetime.fromisoformat(_next(c, both).json()["at"])
    assert found > now and found.weekday() in (0, 2) and (found.hour, found.minute) == (9, 0)
    # `after` in the past means now.
    assert _next(c, both, "2001-01-01T00:00:00Z").json()["at"] == found.isoformat().replace(
        "+00:00", "Z"
    )


def test_next_slot_input_errors(ws):
    c = ws["client"]
    r = c.get("/api/slots/next", params={"account_ids": ""})
    assert r.status_code == 422 and error_of(r)["code"] == "missing_accounts"
    r = c.get("/api/slots/next", params={"account_ids": "not-an-id"})
    assert r.status_code == 422 and "account ids" in error_of(r)["message"]
    r = c.get("/api/slots/next", params={"account_ids": str(uuid.uuid4())})
    assert r.status_code == 404


def test_tenant_isolation_and_roles(ws):
    c, wid = ws["client"], ws["wid"]
    _put(c, ws["alice"], [(0, "09:00")], "UTC")
    other, other_me = registered("other@example.com", "Other")
    # Someone else's account is not found, from their own workspace or from this one.
    other.headers["X-Workspace-Id"] = other_me["workspaces"][0]["id"]
    assert other.get(f"/api/accounts/{ws['alice']}/slots").status_code == 404
    assert _put(other, ws["alice"], [(1, "10:00")]).status_code == 404
    assert _next(other, [ws["alice"]]).status_code == 404
    other.headers["X-Workspace-Id"] = wid
    assert other.get(f"/api/accounts/{ws['alice']}/slots").status_code == 404
    assert other.get("/api/slots").status_code == 404
    assert client().get("/api/slots").status_code == 401

    # A viewer reads schedules and asks for the next slot, but cannot change them.
    viewer, _ = registered("viewer@example.com", "Viewer")
    assert viewer.post("/api/invites/accept", json={"token": _invite(c, wid, "viewer")}).is_success
    viewer.headers["X-Workspace-Id"] = wid
    assert viewer.get(f"/api/accounts/{ws['alice']}/slots").status_code == 200
    assert _next(viewer, [ws["alice"]]).status_code == 200
    r = _put(viewer, ws["alice"], [(1, "10:00")])
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    # An editor may.
    editor, _ = registered("editor@example.com", "Editor")
    assert editor.post("/api/invites/accept", json={"token": _invite(c, wid, "editor")}).is_success
    editor.headers["X-Workspace-Id"] = wid
    assert _put(editor, ws["alice"], [(1, "10:00")]).status_code == 200
    # A viewer API key reads; it cannot write.
    key = c.post("/api/keys", json={"name": "ro", "role": "viewer"}).json()["key"]
    bot = client()
    bot.headers["Authorization"] = f"Bearer {key}"
    assert bot.get(f"/api/accounts/{ws['alice']}/slots").json()["slots"] == [
        {"weekday": 1, "time": "10:00"}
    ]
    assert _put(bot, ws["alice"], [(2, "10:00")]).status_code == 403

    # The service refuses the same way (the UI calls it directly).
    viewer_user = user_for_session(viewer.cookies["herald_session"])
    with pytest.raises(Forbidden):
        slots.set_slots(viewer_user, uuid.UUID(wid), uuid.UUID(ws["alice"]), [(0, "08:00")])
    other_user = user_for_session(other.cookies["herald_session"])
    with pytest.raises(NotFound):
        slots.get_schedule(other_user, uuid.UUID(wid), uuid.UUID(ws["alice"]))


def test_slots_go_with_their_account(ws):
    _put(ws["client"], ws["alice"], [(0, "09:00")], "UTC")
    with db.engine().begin() as conn:
        conn.execute(text("DELETE FROM social_accounts WHERE id = :id"), {"id": ws["alice"]})
    with db.session() as s:
        assert s.exec(select(PostingSlot)).all() == []


def test_occurrences_are_wall_times():
    zone = zoneinfo.ZoneInfo(NEW_YORK)
    week = [slots.Slot(d, dt.time(9)) for d in range(7)]
    got = list(slots.occurrences(week, zone, utc(2030, 3, 8), utc(2030, 3, 12)))
    # 09:00 EST = 14:00 UTC until Sunday the 10th, then 09:00 EDT = 13:00 UTC.
    assert got == [utc(2030, 3, 8, 14), utc(2030, 3, 9, 14), utc(2030, 3, 10, 13),
                   utc(2030, 3, 11, 13)]  # fmt: skip
