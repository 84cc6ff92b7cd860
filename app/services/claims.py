"""The rows a publishing claim reads (herald_claim's JSON, migration 0006) as typed records.

The hot path avoids ORM instances: building them costs more than the queries. Each record
keeps the columns publishing uses; the account and the media satisfy the protocols the
account and media services take (`accounts.AccountFields`, `media.StoredMedia`), as the ORM
rows do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from app.models import AccountStatus, DestinationStatus, PostStatus


def _when(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@dataclass(slots=True)
class ClaimedDestination:
    """The destination; `attempts` and `pending_state` change as the claim proceeds."""

    id: uuid.UUID
    status: DestinationStatus
    attempts: int
    created_at: dt.datetime
    claimed_at: dt.datetime  # by this claim
    next_attempt_at: dt.datetime | None
    give_up_at: dt.datetime | None
    error_message: str | None
    pending_state: dict[str, Any]
    content_override: str | None
    idempotency_key: str

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ClaimedDestination:
        return cls(
            id=uuid.UUID(row["id"]),
            status=DestinationStatus(row["status"]),
            attempts=row["attempts"],
            created_at=_at(row["created_at"]),
            claimed_at=_at(row["claimed_at"]),
            next_attempt_at=_when(row["next_attempt_at"]),
            give_up_at=_when(row["give_up_at"]),
            error_message=row["error_message"],
            pending_state=row["pending_state"],
            content_override=row["content_override"],
            idempotency_key=row["idempotency_key"],
        )


@dataclass(frozen=True, slots=True)
class ClaimedPost:
    id: uuid.UUID
    status: PostStatus
    content: str
    scheduled_at: dt.datetime | None
    platform_configs: dict[str, dict[str, Any]]

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ClaimedPost:
        return cls(
            id=uuid.UUID(row["id"]),
            status=PostStatus(row["status"]),
            content=row["content"],
            scheduled_at=_when(row["scheduled_at"]),
            platform_configs=row["platform_configs"],
        )


@dataclass(frozen=True, slots=True)
class ClaimedAccount:
    id: uuid.UUID
    workspace_id: uuid.UUID
    platform: str
    platform_account_id: str
    account_name: str
    username: str
    meta: dict[str, Any]
    access_token: str
    refresh_token: str | None
    token_expires_at: dt.datetime | None
    scopes: str
    status: AccountStatus
    last_error: str | None
    is_sandbox: bool
    sandbox_state: str | None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ClaimedAccount:
        return cls(
            id=uuid.UUID(row["id"]),
            workspace_id=uuid.UUID(row["workspace_id"]),
            platform=row["platform"],
            platform_account_id=row["platform_account_id"],
            account_name=row["account_name"],
            username=row["username"],
            meta=row["meta"],
            access_token=row["access_token"],
            refresh_token=row["refresh_token"],
            token_expires_at=_when(row["token_expires_at"]),
            scopes=row["scopes"],
            status=AccountStatus(row["status"]),
            last_error=row["last_error"],
            is_sandbox=row["is_sandbox"],
            sandbox_state=row["sandbox_state"],
        )


@dataclass(frozen=True, slots=True)
class ClaimedMedia:
    storage_key: str
    filename: str
    file_type: str
    file_size: int
    width: int | None
    height: int | None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ClaimedMedia:
        return cls(
            storage_key=row["storage_key"],
            filename=row["filename"],
            file_type=row["file_type"],
            file_size=row["file_size"],
            width=row["width"],
            height=row["height"],
        )
