"""sandbox state: which state of the sandbox simulator a sandbox account was connected in

Revision ID: 0008_sandbox_state
Revises: 0007_stop_publishing
Create Date: 2026-12-02 03:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_sandbox_state"
down_revision: str | None = "0007_stop_publishing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The simulator's state id at connect time; another id now means the sandbox was reset
    # and the account must be connected again. NULL: not a sandbox account, or connected
    # before the simulator kept its state (such accounts are gone after a restart anyway).
    op.add_column(
        "social_accounts", sa.Column("sandbox_state", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("social_accounts", "sandbox_state")
