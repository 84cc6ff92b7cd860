"""comments on posts: post_comments (the team's internal thread, with @mentions)

Revision ID: 0012_post_comments
Revises: 0011_activity_webhooks
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_post_comments"
down_revision: str | None = "0011_activity_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "post_comments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "post_id", sa.Uuid(), sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "workspace_id",
            sa.Uuid(),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("edited_at", TS),
        sa.Column("deleted_at", TS),
    )
    op.create_index(
        "ix_post_comments_post_created", "post_comments", ["post_id", "created_at"]
    )
    op.create_index("ix_post_comments_workspace_id", "post_comments", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("post_comments")
