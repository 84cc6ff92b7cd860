"""pending (presigned, not yet confirmed) media uploads

Revision ID: 0005_media_uploads
Revises: 0004_instance_settings
Create Date: 2026-11-26 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_media_uploads"
down_revision: str | None = "0004_instance_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_uploads",
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("storage_key"),
    )
    op.create_index("ix_media_uploads_workspace_id", "media_uploads", ["workspace_id"])
    op.create_index("ix_media_uploads_expires_at", "media_uploads", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_media_uploads_expires_at", table_name="media_uploads")
    op.drop_index("ix_media_uploads_workspace_id", table_name="media_uploads")
    op.drop_table("media_uploads")
