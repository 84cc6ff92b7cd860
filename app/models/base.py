"""Column helpers shared by the tables: UUID keys, timestamptz, JSONB, PostgreSQL enums."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def ts_field(*, nullable: bool = True, index: bool = False, default_now: bool = False) -> Any:
    """A `timestamptz` column (always stored in UTC)."""
    kwargs: dict[str, Any] = {"sa_type": DateTime(timezone=True), "index": index}
    if default_now:
        return Field(default_factory=utcnow, nullable=False, **kwargs)
    return Field(default=None, nullable=nullable, **kwargs)


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_type=JSONB, nullable=False)


def enum_field(
    enum_cls: type[enum.Enum],
    column: str,
    default: enum.Enum | None,
    *,
    type_name: str | None = None,
    index: bool = False,
) -> Any:
    """A native PostgreSQL enum column storing the members' values; nullable when no default."""
    sa_enum = SAEnum(
        enum_cls, name=type_name or column, values_callable=lambda e: [m.value for m in e]
    )
    return Field(
        default=default,
        sa_column=Column(column, sa_enum, nullable=default is None, index=index),
    )
