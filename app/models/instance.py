"""Instance-wide settings changed at runtime by the instance admin (Settings → Instance).

One row per key. Secret values (the AI API key) are stored encrypted with `app.crypto`;
`secret` marks them so nothing ever sends them back. Environment variables still win: see
`app.ai.config.AIConfig` for the AI settings.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class InstanceSetting(SQLModel, table=True):
    __tablename__ = "instance_settings"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="", max_length=5000)
    secret: bool = False
    updated_at: dt.datetime = ts_field(default_now=True)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
