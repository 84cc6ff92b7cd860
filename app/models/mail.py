"""The email outbox (written in the transaction of the action that sends it, delivered by a
worker) and the single-use tokens that emails carry (password reset, email verification)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, SQLModel

from app.models.base import id_field, ts_field

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxEmail(SQLModel, table=True):
    """One email to send. `status`: pending (due at `next_attempt_at`), sending (a worker holds
    it until `locked_until`), sent, failed (permanent error or the retry budget is spent).
    The bodies are encrypted (`app.crypto`); those carrying a link that is a credential (reset,
    verify, invite) are emptied once the email is sent or failed."""

    __tablename__ = "email_outbox"

    id: uuid.UUID = id_field()
    kind: str = Field(max_length=40)  # reset | verify | invite | test | notification ...
    to_addr: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str = ""
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime = ts_field(default_now=True, index=True)
    locked_until: dt.datetime | None = ts_field()
    last_error: str = Field(default="", max_length=1000)
    created_at: dt.datetime = ts_field(default_now=True)
    sent_at: dt.datetime | None = ts_field()


class UserToken(SQLModel, table=True):
    """A single-use token mailed to a user; only its keyed hash is stored."""

    __tablename__ = "user_tokens"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    purpose: str = Field(max_length=16)  # reset | verify
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = ts_field(default_now=True)
    expires_at: dt.datetime = ts_field(nullable=False)
    used_at: dt.datetime | None = ts_field()
