"""posting slots: weekly time slots per social account

Revision ID: 0003_posting_slots
Revises: 0002_ai_usage
Create Date: 2026-11-25 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_posting_slots"
down_revision: str | None = "0002_ai_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posting_schedules",
        sa.Column("social_account_id", sa.Uuid(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["social_account_id"], ["social_accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("social_account_id"),
    )
    op.create_table(
        "posting_slots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("social_account_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("local_time", sa.Time(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(["social_account_id"], ["social_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("social_account_id", "weekday", "local_time"),
    )
    op.create_index(
        op.f("ix_posting_slots_social_account_id"),
        "posting_slots",
        ["social_account_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_posting_slots_social_account_id"), table_name="posting_slots")
    op.drop_table("posting_slots")
    op.drop_table("posting_schedules")
