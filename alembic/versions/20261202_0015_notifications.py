"""notifications: one row per recipient of an activity event (written by the database in the
event's transaction), each user's notification preferences, and chat webhooks (Slack, Discord)
as a kind of webhook

Revision ID: 0015_notifications
Revises: 0014_time_format
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_notifications"
down_revision: str | None = "0014_time_format"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhooks",
        sa.Column("kind", sa.String(16), nullable=False, server_default="herald"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "workspace_id",
            sa.Uuid(),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id",
            sa.BigInteger(),
            sa.ForeignKey("activity_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("verb", sa.String(64), nullable=False),
        sa.Column("grp", sa.String(32), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email_state", sa.String(16)),
        sa.Column("emailed_at", sa.DateTime(timezone=True)),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_notifications_user_ws", "notifications", ["user_id", "workspace_id", "id"]
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["user_id", "workspace_id"],
        postgresql_where=sa.text("in_app AND read_at IS NULL"),
    )
    op.create_index(
        "ix_notifications_email_due",
        "notifications",
        ["email_state", "created_at"],
        postgresql_where=sa.text("email_state IS NOT NULL"),
    )
    op.create_table(
        "notification_settings",
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("prefs", postgresql.JSONB(), nullable=False),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(NOTIFY)
    op.execute(RECORD)


def downgrade() -> None:
    op.execute(RECORD_0011)
    op.execute("DROP FUNCTION IF EXISTS herald_notify")
    op.drop_table("notification_settings")
    op.drop_table("notifications")
    op.drop_column("webhooks", "kind")


# The defaults of app.services.notifications.DEFAULTS (a test keeps the two equal).
DEFAULTS = (
    '{"post_failed": {"in_app": true, "email": "immediate"},'
    ' "post_published": {"in_app": true, "email": "off"},'
    ' "accounts": {"in_app": true, "email": "immediate"},'
    ' "approvals": {"in_app": true, "email": "immediate"},'
    ' "mentions": {"in_app": true, "email": "immediate"},'
    ' "outages": {"in_app": true, "email": "digest"}}'
)

# Who hears of an event, and how (their preferences for its group). Recipients are members of
# the workspace, never the actor: post outcomes -> the author and the admins; account events ->
# the admins and whoever connected it; approval requested -> the admins; approved/rejected ->
# details.author_id; comment.added/edited -> details.mentions (an edit lists only the newly
# mentioned); outages, failing webhooks -> the admins.
# Every lookup is by primary key or by the workspace's memberships (a handful of rows).
NOTIFY = f"""
CREATE OR REPLACE FUNCTION herald_notify(
    p_ev bigint, p_ws uuid, p_actor uuid, p_verb text, p_subject_id text, p_details jsonb,
    p_now timestamptz
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_group text;
    v_subject uuid;
    v_admins boolean := false;
    v_extra uuid[] := '{{}}';
BEGIN
    v_group := CASE
        WHEN p_verb IN ('post.failed', 'post.partially_published') THEN 'post_failed'
        WHEN p_verb = 'post.published' THEN 'post_published'
        WHEN p_verb IN ('account.expiring', 'account.expired', 'account.reconnected')
            THEN 'accounts'
        WHEN p_verb IN ('approval.requested', 'approval.approved', 'approval.rejected')
            THEN 'approvals'
        WHEN p_verb IN ('comment.added', 'comment.edited') THEN 'mentions'
        WHEN p_verb IN ('platform.outage', 'platform.recovered', 'webhook.disabled')
            THEN 'outages'
    END;
    IF v_group IS NULL THEN
        RETURN;
    END IF;
    IF p_subject_id ~* '^[0-9a-f]{{8}}(-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}}$' THEN
        v_subject := p_subject_id::uuid;
    END IF;
    IF v_group IN ('post_failed', 'post_published') THEN
        v_admins := true;
        v_extra := ARRAY(SELECT author_id FROM posts WHERE id = v_subject);
    ELSIF v_group = 'accounts' THEN
        v_admins := true;
        v_extra := ARRAY(SELECT connected_by FROM social_accounts WHERE id = v_subject);
    ELSIF p_verb = 'approval.requested' OR v_group = 'outages' THEN
        v_admins := true;
    ELSIF v_group = 'approvals' THEN
        v_extra := ARRAY(SELECT m.user_id FROM memberships m
            WHERE m.workspace_id = p_ws AND m.user_id::text = p_details->>'author_id');
    ELSIF v_group = 'mentions' THEN
        v_extra := ARRAY(SELECT m.user_id FROM memberships m
            WHERE m.workspace_id = p_ws AND jsonb_typeof(p_details->'mentions') = 'array'
              AND p_details->'mentions' ? m.user_id::text);
    END IF;
    INSERT INTO notifications (user_id, workspace_id, event_id, verb, grp, in_app,
        email_state, created_at)
    SELECT m.user_id, p_ws, p_ev, p_verb, v_group,
        coalesce((x.pr->>'in_app')::boolean, false),
        CASE WHEN x.pr->>'email' IN ('immediate', 'digest') THEN x.pr->>'email' END,
        p_now
    FROM memberships m
    LEFT JOIN notification_settings ns ON ns.user_id = m.user_id
    CROSS JOIN LATERAL (SELECT coalesce(ns.prefs->v_group,
        CAST('{DEFAULTS}' AS jsonb)->v_group) AS pr) x
    WHERE m.workspace_id = p_ws
      AND ((v_admins AND m.role = 'admin') OR m.user_id = ANY(v_extra))
      AND m.user_id IS DISTINCT FROM p_actor
      AND (coalesce((x.pr->>'in_app')::boolean, false)
           OR x.pr->>'email' IN ('immediate', 'digest'));
END
$$;
"""

# As in 0011, plus the notifications of the event (herald_notify), in the same transaction.
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
    PERFORM herald_notify(ev, p_ws, p_actor, p_verb, coalesce(p_subject_id, ''),
        coalesce(p_details, '{}'), p_now);
    RETURN n;
END
$$;
"""

RECORD_0011 = """
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
