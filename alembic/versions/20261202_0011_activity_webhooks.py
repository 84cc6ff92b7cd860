"""activity log and outgoing webhooks: activity_events, webhooks, webhook_deliveries; the post
status derivation records a post's outcome (published, partially published, failed) once, in the
engine's own transaction, with the webhook outbox rows it calls for

Revision ID: 0011_activity_webhooks
Revises: 0009_email_outbox
Create Date: 2026-12-02 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_activity_webhooks"
down_revision: str | None = "0009_email_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Uuid(),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("actor_label", sa.String(320), nullable=False),
        sa.Column("verb", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("subject_label", sa.String(200), nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_activity_events_ws_created", "activity_events", ["workspace_id", "created_at"]
    )
    op.create_index(
        "ix_activity_events_ws_subject", "activity_events", ["workspace_id", "subject_id"]
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Uuid(),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("secret", sa.String(500), nullable=False),
        sa.Column("events", postgresql.JSONB(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("disabled_reason", sa.String(500)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_webhooks_workspace_id", "webhooks", ["workspace_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "webhook_id",
            sa.Uuid(),
            sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_id", sa.BigInteger()),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("response_code", sa.Integer()),
        sa.Column("response_excerpt", sa.String(500), nullable=False),
        sa.Column("error", sa.String(500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("deadline_at", sa.DateTime(timezone=True)),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_hook", "webhook_deliveries", ["webhook_id", "created_at"]
    )
    op.execute(RECORD)
    op.execute(DERIVE)


def downgrade() -> None:
    op.execute(DERIVE_0006)
    op.execute("DROP FUNCTION IF EXISTS herald_record_activity")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_table("activity_events")


# One activity event, and one outbox row per active webhook of the workspace subscribed to its
# verb ("post.published", "post.*" or "*"). Returns the number of deliveries queued. Called by
# the services inside the action's transaction and by herald_derive_post_status (the engine).
RECORD = """
CREATE OR REPLACE FUNCTION herald_record_activity(
    p_ws uuid, p_actor uuid, p_actor_label text, p_verb text, p_subject_type text,
    p_subject_id text, p_subject_label text, p_details jsonb, p_now timestamptz
) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ev bigint;
    n int;
BEGIN
    INSERT INTO activity_events (workspace_id, actor_id, actor_label, verb, subject_type,
        subject_id, subject_label, details, created_at)
    VALUES (p_ws, p_actor, left(p_actor_label, 320), p_verb, p_subject_type,
        coalesce(p_subject_id, ''), left(coalesce(p_subject_label, ''), 200),
        coalesce(p_details, '{}'), p_now)
    RETURNING id INTO ev;
    INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, payload, status,
        response_excerpt, error, attempts, created_at, next_attempt_at)
    SELECT gen_random_uuid(), w.id, ev, p_verb,
        jsonb_build_object(
            'id', 'evt_' || ev, 'type', p_verb, 'created_at', p_now,
            'workspace_id', p_ws,
            'actor', jsonb_build_object('id', p_actor, 'name', p_actor_label),
            'subject', jsonb_build_object('type', p_subject_type, 'id', p_subject_id,
                                          'label', p_subject_label),
            'data', coalesce(p_details, '{}')),
        'pending', '', '', 0, p_now, p_now
    FROM webhooks w
    WHERE w.workspace_id = p_ws AND w.active
      AND (w.events ? p_verb OR w.events ? '*' OR w.events ? (split_part(p_verb, '.', 1) || '.*'));
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
"""

# As in 0006, plus: when the post reaches an outcome (published, partially published, failed)
# it did not have, that outcome is recorded as an activity of "Herald" (once per outcome, not
# per attempt), with what happened on each destination.
DERIVE = """
CREATE OR REPLACE FUNCTION herald_derive_post_status(p_post uuid) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_old text;
    v_new text;
    v_ws uuid;
    v_label text;
BEGIN
    SELECT status::text, workspace_id, left(content, 80) INTO v_old, v_ws, v_label
    FROM posts WHERE id = p_post;
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
    RETURNING p.status::text INTO v_new;
    IF v_new IS DISTINCT FROM v_old
       AND v_new IN ('published', 'partially_published', 'failed') THEN
        PERFORM herald_record_activity(v_ws, NULL, 'Herald', 'post.' || v_new, 'post',
            p_post::text, v_label,
            jsonb_build_object('destinations', (
                SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'id', d.id, 'account_id', a.id, 'platform', a.platform,
                    'account', a.account_name, 'status', d.status, 'attempts', d.attempts,
                    'permalink', d.permalink, 'error', d.error_message)
                    ORDER BY a.platform, a.account_name), '[]')
                FROM post_destinations d JOIN social_accounts a ON a.id = d.social_account_id
                WHERE d.post_id = p_post)),
            now());
    END IF;
    RETURN v_new;
END
$$;
"""

DERIVE_0006 = """
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
