"""engine: worker processes (liveness and held claims), destination give-up time, and the
engine's hot statements as functions (one round trip per claim and per outcome)

Revision ID: 0006_engine_liveness
Revises: 0005_media_uploads
Create Date: 2026-12-01 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_engine_liveness"
down_revision: str | None = "0005_media_uploads"
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


    op.execute(DERIVE)
    op.execute(CLAIM)
    op.execute(FINISH)


def downgrade() -> None:
    for fn in ("herald_finish", "herald_claim", "herald_derive_post_status"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
    op.drop_column("post_destinations", "give_up_at")
    op.drop_table("worker_processes")


# A post's status follows its destinations. Called with the post row locked (destinations of one
# post finish concurrently), and VOLATILE, so its query sees every outcome committed before.
DERIVE = """
CREATE OR REPLACE FUNCTION herald_derive_post_status(p_post uuid) RETURNS text
LANGUAGE sql VOLATILE AS $$
    WITH d AS (
        SELECT coalesce(array_agg(status::text), '{}') AS st
        FROM post_destinations WHERE post_id = p_post
    )
    UPDATE posts p SET updated_at = now(), status = CAST(CASE
        WHEN cardinality(st) = 0 THEN 'scheduled'
        WHEN st && ARRAY['publishing', 'processing', 'unknown'] THEN 'publishing'
        WHEN st && ARRAY['pending', 'queued'] THEN
            CASE WHEN st && ARRAY['published', 'failed'] THEN 'publishing' ELSE 'scheduled' END
        WHEN cardinality(array_remove(st, 'cancelled')) = 0 THEN 'cancelled'
        WHEN NOT st && ARRAY['failed'] THEN 'published'
        WHEN st && ARRAY['published'] THEN 'partially_published'
        ELSE 'failed' END AS post_status)
    FROM d WHERE p.id = p_post AND p.status NOT IN ('draft', 'cancelled')
    RETURNING p.status::text
$$;
"""

# Claim a due destination: move it to `publishing`, open an attempt, and return what publishing
# needs (destination, post, account, media) as one JSON object, or NULL if it is not ours. The
# read after the claim is a new statement, so it sees an edit that committed while we waited.
CLAIM = """
CREATE OR REPLACE FUNCTION herald_claim(
    p_id uuid, p_expected text[], p_now timestamptz, p_soon timestamptz, p_worker text,
    p_needs_due boolean, p_spend int
) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    d post_destinations;
    attempt bigint;
BEGIN
    UPDATE post_destinations
    SET status = 'publishing', claimed_at = p_now, claimed_by = p_worker,
        attempts = attempts + p_spend, updated_at = p_now
    WHERE id = p_id AND status = ANY(CAST(p_expected AS destination_status[]))
      AND (next_attempt_at <= p_soon OR (next_attempt_at IS NULL AND NOT p_needs_due))
    RETURNING * INTO d;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO publish_attempts (destination_id, started_at, worker)
    VALUES (p_id, p_now, p_worker) RETURNING id INTO attempt;
    -- Show the post as publishing; skipped (never waited for) when its row is locked: whoever
    -- holds it sets the status, and the claim must not wait on an edit.
    UPDATE posts SET status = 'publishing' WHERE id IN (
        SELECT id FROM posts WHERE id = d.post_id AND status = 'scheduled'
        FOR UPDATE SKIP LOCKED);
    RETURN (
        SELECT jsonb_build_object(
            'destination', to_jsonb(d), 'attempt_id', attempt, 'post', to_jsonb(p),
            'account', to_jsonb(a),
            'media', (SELECT coalesce(jsonb_agg(to_jsonb(m.*) ORDER BY pm.position), '[]')
                      FROM post_media pm JOIN media m ON m.id = pm.media_id
                      WHERE pm.post_id = p.id))
        FROM posts p JOIN social_accounts a ON a.id = d.social_account_id
        WHERE p.id = d.post_id);
END
$$;
"""

# Record an attempt's outcome on the destination and the attempt row (or drop the row of a claim
# that only waited), then, with the post row locked, derive the post's status.
FINISH = """
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
