"""post approvals: the workspace setting `require_approval`, a post's approval state, and the
engine's guard (a destination of a post waiting for approval, or rejected, is never claimed)

Revision ID: 0013_approvals
Revises: 0012_post_comments
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_approvals"
down_revision: str | None = "0012_post_comments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPROVAL = postgresql.ENUM("none", "pending", "approved", "rejected", name="post_approval")


def upgrade() -> None:
    op.add_column(
        "workspaces",
        sa.Column("require_approval", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    APPROVAL.create(op.get_bind(), checkfirst=True)
    op.add_column(
        "posts",
        sa.Column(
            "approval",
            postgresql.ENUM(name="post_approval", create_type=False),
            server_default="none",
            nullable=False,
        ),
    )
    op.add_column("posts", sa.Column("approval_requested_by", sa.Uuid(), nullable=True))
    op.add_column(
        "posts", sa.Column("approval_requested_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("posts", sa.Column("approval_decided_by", sa.Uuid(), nullable=True))
    op.add_column(
        "posts", sa.Column("approval_decided_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("posts", sa.Column("approval_comment", sa.String(), nullable=True))
    for column in ("approval_requested_by", "approval_decided_by"):
        op.create_foreign_key(
            f"posts_{column}_fkey", "posts", "users", [column], ["id"], ondelete="SET NULL"
        )
    op.execute(GUARD)
    op.execute(GUARD_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS herald_approval_guard ON post_destinations")
    op.execute("DROP FUNCTION IF EXISTS herald_approval_guard()")
    for column in ("approval_requested_by", "approval_decided_by"):
        op.drop_constraint(f"posts_{column}_fkey", "posts", type_="foreignkey")
    for column in (
        "approval_comment",
        "approval_decided_at",
        "approval_decided_by",
        "approval_requested_at",
        "approval_requested_by",
        "approval",
    ):
        op.drop_column("posts", column)
    APPROVAL.drop(op.get_bind(), checkfirst=True)
    op.drop_column("workspaces", "require_approval")


# The engine's guard, in the database so that every way into `publishing` passes it (the claim
# function `herald_claim`, whatever later migrations make of it): a destination whose post waits
# for approval or was rejected is left as it is, so the claim's UPDATE matches no row and the
# claim reports "not ours to publish". A job left in the queue for such a post does nothing.
GUARD = """
CREATE OR REPLACE FUNCTION herald_approval_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM posts p WHERE p.id = NEW.post_id
               AND p.approval IN ('pending', 'rejected')) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
"""

GUARD_TRIGGER = """
CREATE TRIGGER herald_approval_guard BEFORE UPDATE OF status ON post_destinations
FOR EACH ROW WHEN (NEW.status = 'publishing' AND OLD.status IN ('pending', 'queued'))
EXECUTE FUNCTION herald_approval_guard();
"""
