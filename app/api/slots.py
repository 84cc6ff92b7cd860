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
from app.services.slots import ScheduleView

router = APIRouter(prefix="/api", tags=["posting schedule"])


class SlotIO(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    time: str = Field(max_length=5, description="Wall time HH:MM", examples=["09:30"])


class ScheduleOut(BaseModel):
    account_id: uuid.UUID
    platform: str
    account_name: str
    timezone: str | None = Field(description="The account's own zone; null: the workspace's.")
    effective_timezone: str = Field(description="The zone the slots are read in.")
    slots: list[SlotIO]

    @classmethod
    def of(cls, v: ScheduleView) -> ScheduleOut:
        return cls(
            account_id=v.account_id,
            platform=v.platform,
            account_name=v.account_name,
            timezone=v.timezone,
            effective_timezone=v.effective_timezone,
            slots=[SlotIO(weekday=s.weekday, time=s.label) for s in v.slots],
        )


class ScheduleIn(BaseModel):
    timezone: str | None = Field(
        default=None, max_length=64, description="IANA zone; null: follow the workspace's."
    )
    slots: list[SlotIO] = Field(max_length=slots.MAX_SLOTS)


class NextSlotOut(BaseModel):
    at: dt.datetime | None = Field(
        description="The earliest time every account has a slot and none has a scheduled post "
        "then (UTC); null when there is none within a year."
    )


@router.get("/slots", response_model=list[ScheduleOut])
def list_schedules(wid: WorkspaceDep, user: CurrentUser) -> list[ScheduleOut]:
    """Every account of the workspace with its weekly slots (viewer+)."""
    return [ScheduleOut.of(v) for v in slots.list_schedules(user, wid)]


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


@router.get("/accounts/{account_id}/slots", response_model=ScheduleOut)
def get_slots(
    account_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> ScheduleOut:
    """One account's weekly slots (viewer+)."""
    return ScheduleOut.of(slots.get_schedule(user, wid, account_id))


@router.put("/accounts/{account_id}/slots", response_model=ScheduleOut)
def put_slots(
    account_id: uuid.UUID,
    body: ScheduleIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> ScheduleOut:
    """Replace one account's weekly slots and timezone (editor+)."""
    view = slots.set_slots(
        user, wid, account_id, [(s.weekday, s.time) for s in body.slots], body.timezone
    )
    return ScheduleOut.of(view)
