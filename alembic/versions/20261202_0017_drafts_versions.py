"""nothing typed is lost: composer_drafts (each user's autosaved working copy of the composer,
per workspace and per post being edited) and posts.version (bumped on every edit, so a stale
edit is refused instead of silently overwriting a teammate's newer one)

Revision ID: 0017_drafts_versions
Revises: 0016_media_alt_text
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017_drafts_versions"
down_revision: str | None = "0016_media_alt_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "posts", sa.Column("version", sa.Integer(), nullable=False, server_default="1")
    )
    op.create_table(
        "composer_drafts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "workspace_id",
            sa.Uuid(),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("post_id", sa.Uuid(), sa.ForeignKey("posts.id", ondelete="CASCADE")),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("base_version", sa.Integer()),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "workspace_id", "slot", name="uq_composer_drafts_slot"),
    )
    op.create_index("ix_composer_drafts_post_id", "composer_drafts", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_composer_drafts_post_id", table_name="composer_drafts")
    op.drop_table("composer_drafts")
    op.drop_column("posts", "version")
