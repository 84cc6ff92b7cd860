"""Posting schedules: weekly time slots per social account, and the next free slot.

A slot is a weekday (0 = Monday … 6 = Sunday) and a wall-clock time (minutes) read in the
account's own timezone, or the workspace's timezone when the account has none. Wall time
means "Mondays 09:00" stays 09:00 local across DST changes (its UTC instant moves by an hour).
- A slot whose wall time does not exist on a given day (the clocks jump over it) is skipped
  that day; a wall time that happens twice (the clocks go back) is taken at its first
  occurrence only.

Next free slot (`next_free_slot`), for a list of accounts: the earliest instant t ≥ max(now,
`after`) such that
- EVERY selected account has a slot at t (each read in its own zone), and
- NONE of them is already busy at t: busy means the account is a destination (not cancelled
  or failed) of a post of the workspace that is scheduled or publishing with `scheduled_at`
  in the same minute as t.
Searched up to SEARCH_DAYS ahead; None when there is no such time (an account without slots,
accounts whose slots never coincide, or everything taken).

Roles: reading a schedule is viewer+, changing one is editor+; accounts of another workspace
are not found.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from sqlalchemy import text
from sqlmodel import Session, col, delete, select

from app import db
from app.models import PostingSchedule, PostingSlot, Role, SocialAccount, User, Workspace, utcnow
from app.services.access import require_role
from app.services.accounts import workspace_account, workspace_accounts
from app.services.errors import InvalidInput, NotFound

MAX_SLOTS = 100  # per account and week
MAX_ACCOUNTS = 50  # per next_free_slot question
SEARCH_DAYS = 366
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MINUTE = dt.timedelta(minutes=1)

# Ready-made weeks the settings page offers: name -> (label, weekdays, times).
PRESETS: dict[str, tuple[str, tuple[int, ...], tuple[str, ...]]] = {
    "weekdays": ("Weekdays 9:00, 12:30, 17:00", (0, 1, 2, 3, 4), ("09:00", "12:30", "17:00")),
    "everyday": ("Every day 10:00 and 18:00", (0, 1, 2, 3, 4, 5, 6), ("10:00", "18:00")),
    "weekends": ("Weekends 11:00", (5, 6), ("11:00",)),
}


@dataclass(frozen=True, order=True)
class Slot:
    weekday: int
    time: dt.time

    @property
    def label(self) -> str:
        return f"{self.time:%H:%M}"


class SlotTime(BaseModel):
    """A slot as the API reads and writes it."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    time: str = Field(max_length=5, description="Wall time HH:MM", examples=["09:30"])


def _slot_time(slot: Slot) -> SlotTime:
    return SlotTime(weekday=slot.weekday, time=slot.label)


class ScheduleView(BaseModel):
    model_config = ConfigDict(frozen=True)

    account_id: uuid.UUID
    platform: str
    account_name: str
    timezone: str | None = Field(description="The account's own zone; null: the workspace's.")
    effective_timezone: str = Field(description="The zone the slots are read in.")
    slots: list[Annotated[Slot, PlainSerializer(_slot_time, return_type=SlotTime)]]


# --------------------------------------------------------------------------- parsing


def _invalid(message: str, field: str = "slots", code: str = "invalid_slot") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def parse_time(value: Any) -> dt.time:
    """'HH:MM' (or a time) → a time on the minute."""
    if isinstance(value, dt.time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise _invalid("Slot times are wall-clock times on the minute, like 09:30.")
        return value
    match = _TIME.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise _invalid(f"{value!r} is not a time: write it as HH:MM, like 09:30.")
    return dt.time(int(match[1]), int(match[2]))


def parse_slot(value: Any) -> Slot:
    """A Slot from a Slot, a (weekday, time) pair or a {"weekday", "time"} mapping."""
    weekday: object
    time: object
    if isinstance(value, Slot):
        weekday, time = value.weekday, value.time
    elif isinstance(value, dict):
        weekday, time = value.get("weekday"), value.get("time")
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        weekday, time = value
    else:
        raise _invalid("A slot is a weekday (0 = Monday … 6 = Sunday) and a time (HH:MM).")
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise _invalid(f"{weekday!r} is not a weekday: use 0 (Monday) to 6 (Sunday).")
    return Slot(weekday, parse_time(time))


def check_timezone(name: str | None) -> str | None:
    if name is None or name == "":
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise _invalid(f"Unknown timezone {name!r}.", "timezone", "invalid_timezone") from exc
    return name


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# --------------------------------------------------------------------------- reading


def _workspace_zone(s: Session, workspace_id: uuid.UUID) -> str:
    ws = s.get(Workspace, workspace_id)
    return (ws.timezone if ws else None) or "UTC"


def _views(
    s: Session, workspace_id: uuid.UUID, accounts: list[SocialAccount]
) -> list[ScheduleView]:
    ids = [a.id for a in accounts]
    if not ids:
        return []
    own = {
        p.social_account_id: p.timezone
        for p in s.exec(
            select(PostingSchedule).where(col(PostingSchedule.social_account_id).in_(ids))
        ).all()
    }
    slots: dict[uuid.UUID, list[Slot]] = defaultdict(list)
    for row in s.exec(
        select(PostingSlot)
        .where(col(PostingSlot.social_account_id).in_(ids))
        .order_by(col(PostingSlot.weekday), col(PostingSlot.local_time))
    ).all():
        slots[row.social_account_id].append(Slot(row.weekday, row.local_time))
    ws_zone = _workspace_zone(s, workspace_id)
    return [
        ScheduleView(
            account_id=a.id,
            platform=a.platform,
            account_name=a.account_name or a.username,
            timezone=own.get(a.id),
            effective_timezone=own.get(a.id) or ws_zone,
            slots=slots[a.id],
        )
        for a in accounts
    ]


def get_schedule(user: User, workspace_id: uuid.UUID, account_id: uuid.UUID) -> ScheduleView:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return _views(s, workspace_id, [workspace_account(s, workspace_id, account_id)])[0]


def list_schedules(user: User, workspace_id: uuid.UUID) -> list[ScheduleView]:
    """Every account of the workspace with its slots (none yet: an empty list)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return _views(s, workspace_id, workspace_accounts(s, workspace_id))


# --------------------------------------------------------------------------- writing


def set_slots(
    user: User,
    workspace_id: uuid.UUID,
    account_id: uuid.UUID,
    slots: Iterable[Any],
    timezone: str | None = None,
) -> ScheduleView:
    """Replace an account's weekly slots (duplicates merged) and its timezone (None: follow
    the workspace's). Editor+."""
    parsed = sorted(set(parse_slot(v) for v in slots))
    if len(parsed) > MAX_SLOTS:
        raise _invalid(f"At most {MAX_SLOTS} slots per account and week.")
    timezone = check_timezone(timezone)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        account = workspace_account(s, workspace_id, account_id, lock=True)  # serialises writers
        s.exec(delete(PostingSlot).where(col(PostingSlot.social_account_id) == account.id))
        for slot in parsed:
            s.add(PostingSlot(social_account_id=account.id, weekday=slot.weekday,
                              local_time=slot.time))  # fmt: skip
        settings = s.get(PostingSchedule, account.id) or PostingSchedule(
            social_account_id=account.id
        )
        settings.timezone = timezone
        settings.updated_by = user.id
        settings.updated_at = utcnow()
        s.add(settings)
        s.flush()
        return _views(s, workspace_id, [account])[0]


# --------------------------------------------------------------------------- next free slot


def occurrences(
    slots: Iterable[Slot], zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> Iterator[dt.datetime]:
    """The slots' instants (aware UTC) in [start, end), in order: wall times in `zone`;
    skipped wall times are left out, repeated ones taken once (the first)."""
    by_day: dict[int, list[dt.time]] = defaultdict(list)
    for slot in sorted(set(slots)):
        by_day[slot.weekday].append(slot.time)
    if not by_day:
        return
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        for time in by_day.get(day.weekday(), ()):
            local = dt.datetime.combine(day, time, tzinfo=zone)  # fold=0: the first one
            instant = local.astimezone(dt.UTC)
            if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
                continue  # does not exist that day (the clocks jump over it)
            if start <= instant < end:
                yield instant
        day += dt.timedelta(days=1)


def has_slot(slots: set[Slot], zone: zoneinfo.ZoneInfo, instant: dt.datetime) -> bool:
    local = instant.astimezone(zone)
    if local.fold or local.second or local.microsecond:
        return False
    return Slot(local.weekday(), local.time().replace(tzinfo=None)) in slots


def first_common_free(
    schedules: list[tuple[set[Slot], zoneinfo.ZoneInfo]],
    busy: list[set[dt.datetime]],
    start: dt.datetime,
    end: dt.datetime,
) -> dt.datetime | None:
    """The earliest instant in [start, end) at which every schedule has a slot and no
    account is busy (busy: per account, the UTC minutes already taken)."""
    if not schedules or any(not slots for slots, _ in schedules):
        return None
    # Walk the smallest schedule; the others must contain each candidate.
    lead = min(range(len(schedules)), key=lambda i: len(schedules[i][0]))
    for instant in occurrences(schedules[lead][0], schedules[lead][1], start, end):
        if all(has_slot(sl, zone, instant) for sl, zone in schedules) and not any(
            instant in taken for taken in busy
        ):
            return instant
    return None


def _busy(
    s: Session,
    workspace_id: uuid.UUID,
    ids: list[uuid.UUID],
    start: dt.datetime,
    end: dt.datetime,
) -> dict[uuid.UUID, set[dt.datetime]]:
    """Per account: the minutes (UTC, floored) at which it has a scheduled post."""
    rows = s.execute(
        text(
            "SELECT d.social_account_id, date_trunc('minute', p.scheduled_at) "
            "FROM posts p JOIN post_destinations d ON d.post_id = p.id "
            "WHERE p.workspace_id = :wid AND d.social_account_id = ANY(:ids) "
            "AND p.status IN ('scheduled', 'publishing') "
            "AND d.status NOT IN ('cancelled', 'failed') "
            "AND p.scheduled_at >= :start AND p.scheduled_at < :end"
        ),
        {"wid": workspace_id, "ids": ids, "start": start - MINUTE, "end": end + MINUTE},
    ).all()
    out: dict[uuid.UUID, set[dt.datetime]] = defaultdict(set)
    for account, minute in rows:
        out[account].add(minute.astimezone(dt.UTC))
    return out


def next_free_slot(
    user: User,
    workspace_id: uuid.UUID,
    account_ids: list[uuid.UUID],
    after: dt.datetime | None = None,
) -> dt.datetime | None:
    """The earliest common free slot of these accounts (see the module docstring), as an
    aware UTC datetime, or None. `after` without an offset is read as UTC. Viewer+."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        raise _invalid("Choose at least one account.", "account_ids", "missing_accounts")
    if len(ids) > MAX_ACCOUNTS:
        message = f"At most {MAX_ACCOUNTS} accounts at once."
        raise _invalid(message, "account_ids", "too_many_accounts")
    now = utcnow()
    if after is not None and after.tzinfo is None:
        after = after.replace(tzinfo=dt.UTC)
    start = max(now, after.astimezone(dt.UTC)) if after is not None else now
    if start.second or start.microsecond:  # slots are on the minute: the next whole minute
        start = start.replace(second=0, microsecond=0) + MINUTE
    end = start + dt.timedelta(days=SEARCH_DAYS)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        found = {
            a.id: a
            for a in s.exec(
                select(SocialAccount).where(
                    col(SocialAccount.id).in_(ids), SocialAccount.workspace_id == workspace_id
                )
            ).all()
        }
        if len(found) != len(ids):
            raise NotFound("Account not found.", details={"field": "account_ids"})
        views = {v.account_id: v for v in _views(s, workspace_id, [found[i] for i in ids])}
        busy = _busy(s, workspace_id, ids, start, end)
    schedules = [(set(views[i].slots), _zone(views[i].effective_timezone)) for i in ids]
    return first_common_free(schedules, [busy.get(i, set()) for i in ids], start, end)
