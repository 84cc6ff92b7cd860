"""Posting schedules: weekly time slots per account, and the next free slot.

Slots are wall times (weekday 0 = Monday … 6 = Sunday, "HH:MM") in the account's timezone, or
the workspace's when the account has none; see app.services.slots for the exact rules.
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import slots
from app.services.errors import InvalidInput
from app.services.slots import ScheduleView, SlotTime

router = APIRouter(prefix="/api", tags=["posting schedule"])


class ScheduleIn(BaseModel):
    timezone: str | None = Field(
        default=None, max_length=64, description="IANA zone; null: follow the workspace's."
    )
    slots: list[SlotTime] = Field(max_length=slots.MAX_SLOTS)


class NextSlotOut(BaseModel):
    at: dt.datetime | None = Field(
        description="The earliest time every account has a slot and none has a scheduled post "
        "then (UTC); null when there is none within a year."
    )


@router.get("/slots", response_model=list[ScheduleView])
def list_schedules(wid: WorkspaceDep, user: CurrentUser) -> list[ScheduleView]:
    """Every account of the workspace with its weekly slots (viewer+)."""
    return slots.list_schedules(user, wid)


@router.get("/slots/next", response_model=NextSlotOut)
def next_slot(
    wid: WorkspaceDep,
    user: CurrentUser,
    account_ids: list[str] = Query(
        description="Account ids: repeat the parameter or separate them with commas."
    ),
    after: dt.datetime | None = Query(
        default=None, description="ISO-8601; default now (times without an offset are UTC)."
    ),
) -> NextSlotOut:
    """The next free slot common to all the accounts (viewer+)."""
    try:
        ids = [uuid.UUID(part) for raw in account_ids for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInput(
            "account_ids must be account ids.", details={"field": "account_ids"}
        ) from exc
    return NextSlotOut(at=slots.next_free_slot(user, wid, ids, after))


@router.get("/accounts/{account_id}/slots", response_model=ScheduleView)
def get_slots(
    account_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> ScheduleView:
    """One account's weekly slots (viewer+)."""
    return slots.get_schedule(user, wid, account_id)


@router.put("/accounts/{account_id}/slots", response_model=ScheduleView)
def put_slots(
    account_id: uuid.UUID,
    body: ScheduleIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> ScheduleView:
    """Replace one account's weekly slots and timezone (editor+)."""
    return slots.set_slots(
        user, wid, account_id, [(s.weekday, s.time) for s in body.slots], body.timezone
    )
