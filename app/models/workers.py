"""Live worker processes, as they report themselves (the engine's proof that a claim is held)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, Column, Uuid
from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class WorkerProcess(SQLModel, table=True):
    """One worker process: who it is and which destinations it holds right now.

    `seen_at` is when `holding` was read from the process (its own clock), so a claim made
    before `seen_at` and missing from `holding` is provably no longer held by it.
    """

    __tablename__ = "worker_processes"

    id: str = Field(primary_key=True, max_length=200)
    host: str = Field(max_length=200)
    pid: int
    started_at: dt.datetime = ts_field(default_now=True)
    seen_at: dt.datetime = ts_field(default_now=True)
    holding: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(Uuid()), nullable=False, server_default="{}")
    )
