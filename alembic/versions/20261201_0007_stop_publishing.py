"""stop publishing: a destination can be asked to stop while a request is in flight; the engine
honours it when it records that request's outcome

Revision ID: 0007_stop_publishing
Revises: 0006_engine_liveness
Create Date: 2026-12-01 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_stop_publishing"
down_revision: str | None = "0006_engine_liveness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "post_destinations",
        sa.Column("stop_requested_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(FINISH)


def downgrade() -> None:
    op.execute(FINISH_0006)
    op.drop_column("post_destinations", "stop_requested_at")


# As in 0006, plus: a destination whose publishing was stopped never goes back to waiting or
# processing: what would have been a retry (or a next processing step) becomes `cancelled`.
# A published outcome stays published (it is on the network), and an unclear one stays
# `unknown`, so that the read-only check can still tell the user whether it went out.
FINISH = """
CREATE OR REPLACE FUNCTION herald_finish(
    p_id uuid, p_attempt bigint, p_now timestamptz, p_status text, p_outcome text,
    p_error text, p_http_status int, p_next timestamptz, p_attempts int, p_pending jsonb,
    p_post_id text, p_permalink text, p_drop boolean
) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    post uuid;
    stopped boolean;
    v_status text := p_status;
    v_error text := p_error;
BEGIN
    -- Rows are locked in the order the services lock them (the post, then its destinations):
    -- an edit or a stop and an outcome never wait on each other in a cycle.
    SELECT post_id INTO post FROM post_destinations WHERE id = p_id;
    PERFORM 1 FROM posts WHERE id = post FOR UPDATE;
    SELECT stop_requested_at IS NOT NULL INTO stopped FROM post_destinations WHERE id = p_id
    FOR UPDATE;
    IF stopped AND v_status IN ('pending', 'queued', 'processing') THEN
        v_status := 'cancelled';
        v_error := 'Stopped before it went out.';
    END IF;
    UPDATE post_destinations SET
        status = CAST(v_status AS destination_status), updated_at = p_now,
        next_attempt_at = CASE WHEN v_status = 'cancelled' THEN NULL ELSE p_next END,
        error_message = v_error, attempts = p_attempts,
        pending_state = coalesce(p_pending, pending_state),
        platform_post_id = coalesce(p_post_id, platform_post_id),
        permalink = coalesce(p_permalink, permalink),
        published_at = CASE WHEN v_status = 'published' THEN p_now ELSE published_at END,
        claimed_by = CASE WHEN v_status IN ('publishing', 'processing', 'unknown')
                          THEN claimed_by ELSE NULL END
    WHERE id = p_id;
    IF p_drop THEN
        DELETE FROM publish_attempts WHERE id = p_attempt;
    ELSE
        UPDATE publish_attempts SET finished_at = p_now,
            outcome = CAST(p_outcome AS attempt_outcome), error = p_error,
            http_status = p_http_status
        WHERE id = p_attempt;
    END IF;
    RETURN herald_derive_post_status(post);
END
$$;
"""

FINISH_0006 = """
CREATE OR REPLACE FUNCTION herald_finish(
    p_id uuid, p_attempt bigint, p_now timestamptz, p_status text, p_outcome text,
    p_error text, p_http_status int, p_next timestamptz, p_attempts int, p_pending jsonb,
    p_post_id text, p_permalink text, p_drop boolean
) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    post uuid;
    active boolean := p_status IN ('publishing', 'processing', 'unknown');
BEGIN
    UPDATE post_destinations SET
        status = CAST(p_status AS destination_status), updated_at = p_now,
        next_attempt_at = p_next, error_message = p_error, attempts = p_attempts,
        pending_state = coalesce(p_pending, pending_state),
        platform_post_id = coalesce(p_post_id, platform_post_id),
        permalink = coalesce(p_permalink, permalink),
        published_at = CASE WHEN p_status = 'published' THEN p_now ELSE published_at END,
        claimed_by = CASE WHEN active THEN claimed_by ELSE NULL END
    WHERE id = p_id RETURNING post_id INTO post;
    IF p_drop THEN
        DELETE FROM publish_attempts WHERE id = p_attempt;
    ELSE
        UPDATE publish_attempts SET finished_at = p_now,
            outcome = CAST(p_outcome AS attempt_outcome), error = p_error,
            http_status = p_http_status
        WHERE id = p_attempt;
    END IF;
    PERFORM 1 FROM posts WHERE id = post FOR UPDATE;
    RETURN herald_derive_post_status(post);
END
$$;
"""
