"""The user's own time over HTTP and in the services: the zone and 12/24-hour format chosen at
sign-up or in the profile (bad values refused with the field named, nothing half-saved), the
one-time sign-in prompt, and a time typed in the user's zone stored as UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app import db
from app.models import User
from app.services import auth
from app.services.errors import InvalidInput
from tests.integration.helpers import PASSWORD, client, error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


def _sign_up(email: str, **extra: str):
    body = {"email": email, "password": PASSWORD, "full_name": "Nora", **extra}
    return client().post("/api/auth/register", json=body)


def _row(email: str) -> User | None:
    with db.session() as s:
        return s.exec(select(User).where(User.email == email)).first()


def test_sign_up_takes_the_zone_and_format_the_form_proposed():
    r = _sign_up("ny@example.com", timezone="America/New_York", time_format="12h")
    assert r.status_code == 201, r.text
    user = r.json()["user"]
    assert (user["timezone"], user["time_format"], user["timezone_confirmed"]) == (
        "America/New_York", "12h", True,
    )  # fmt: skip
    # Without them (an API client): UTC, 24-hour, and the zone still to be confirmed.
    r = _sign_up("plain@example.com")
    user = r.json()["user"]
    assert (user["timezone"], user["time_format"], user["timezone_confirmed"]) == (
        "UTC", "24h", False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"timezone": "America/Gotham"}, "timezone"), ({"time_format": "13h"}, "time_format")],
)
def test_sign_up_refuses_a_bad_zone_or_format_and_creates_nothing(extra: dict, field: str):
    _sign_up("first@example.com")  # the instance's admin, so the next one is a plain sign-up
    r = _sign_up("bad@example.com", **extra)
    assert r.status_code == 422, r.text
    assert error_of(r)["details"] == {"field": field}
    assert _row("bad@example.com") is None


def test_profile_saves_the_format_and_validates_it():
    c, _ = registered("pat@example.com", "Pat")
    r = c.patch("/api/me", json={"time_format": "12h"})
    assert r.status_code == 200 and r.json()["user"]["time_format"] == "12h"
    r = c.patch("/api/me", json={"time_format": "am/pm"})
    assert r.status_code == 422 and error_of(r)["details"] == {"field": "time_format"}
    # A bad zone next to a good format saves neither.
    r = c.patch("/api/me", json={"timezone": "Mars/Olympus", "time_format": "24h"})
    assert r.status_code == 422 and error_of(r)["details"] == {"field": "timezone"}
    row = _row("pat@example.com")
    assert row is not None and (row.timezone, row.time_format) == ("UTC", "12h")
    # Saving a zone in the profile counts as choosing it: no sign-in prompt afterwards.
    assert row.timezone_confirmed is False
    r = c.patch("/api/me", json={"timezone": "Asia/Tokyo"})
    assert r.json()["user"]["timezone_confirmed"] is True


def test_the_sign_in_prompt_is_answered_once_either_way():
    use = auth.register("use@example.com", PASSWORD).user
    keep = auth.register("keep@example.com", PASSWORD).user
    with pytest.raises(InvalidInput):
        auth.answer_timezone_prompt(use, "Nowhere/Land")
    row = _row("use@example.com")
    assert row is not None and row.timezone_confirmed is False
    saved = auth.answer_timezone_prompt(use, "America/Chicago")
    assert (saved.timezone, saved.timezone_confirmed) == ("America/Chicago", True)
    saved = auth.answer_timezone_prompt(keep, None)
    assert (saved.timezone, saved.timezone_confirmed) == ("UTC", True)


def test_nine_in_new_york_is_stored_as_fourteen_utc_in_winter_and_thirteen_in_summer():
    """What the composer sends: the wall time typed and the user's zone."""
    from app.services import posts, workspaces

    user = auth.register("nine@example.com", PASSWORD, timezone="America/New_York").user
    wid = workspaces.list_workspaces(user)[0].id
    for day, utc_hour in ((dt.date(2031, 1, 15), 14), (dt.date(2031, 7, 15), 13)):
        data = posts.PostInput(
            content="Good morning",
            account_ids=[],
            scheduled_at=dt.datetime.combine(day, dt.time(9)),
            timezone=user.timezone,
        )
        view, _ = posts.create_post(user, wid, data, mode="draft")
        assert view.scheduled_at == dt.datetime.combine(day, dt.time(utc_hour), dt.UTC)
