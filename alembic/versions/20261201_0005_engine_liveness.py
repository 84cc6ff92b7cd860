"""engine: worker processes (liveness and held claims), destination give-up time

Revision ID: 0005_engine_liveness
Revises: 0004_instance_settings
Create Date: 2026-12-01 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_engine_liveness"
down_revision: str | None = "0004_instance_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_processes",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("holding", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.add_column(
        "post_destinations", sa.Column("give_up_at", sa.DateTime(timezone=True), nullable=True)
    )
    # Destinations already waiting get the default deadline from their post's time.
    op.execute(
        "UPDATE post_destinations d SET give_up_at = p.scheduled_at + interval '6 hours' "
        "FROM posts p WHERE p.id = d.post_id AND d.status IN ('pending', 'queued', 'publishing', "
        "'processing', 'unknown') AND p.scheduled_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("post_destinations", "give_up_at")
    op.drop_table("worker_processes")
