"""alt text per attached medium: post_media.alt_text (the image's description for that post)

Revision ID: 0016_media_alt_text
Revises: 0015_notifications
Create Date: 2026-12-02 09:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_media_alt_text"
down_revision: str | None = "0015_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("post_media", sa.Column("alt_text", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("post_media", "alt_text")
