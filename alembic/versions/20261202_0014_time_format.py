"""the user's own time: users.time_format (24h | 12h) and users.timezone_confirmed (the user
chose their zone, at sign-up, on the sign-in prompt or in Profile: the prompt is asked once)

Revision ID: 0014_time_format
Revises: 0013_approvals
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_time_format"
down_revision: str | None = "0013_approvals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("time_format", sa.String(3), nullable=False, server_default="24h"),
    )
    op.add_column(
        "users",
        sa.Column("timezone_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # Someone who already left UTC chose their zone: no prompt for them.
    op.execute("UPDATE users SET timezone_confirmed = true WHERE timezone <> 'UTC'")


def downgrade() -> None:
    op.drop_column("users", "timezone_confirmed")
    op.drop_column("users", "time_format")
