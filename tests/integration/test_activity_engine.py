"""The engine's part of the activity log and webhooks, end to end: worker and scheduler
processes publish to the Mastodon simulator; the outcome is recorded once by "Herald", and the
webhook delivery it queues is sent by the workers (the repeated sweep), signed."""

from __future__ import annotations

import hashlib
import hmac
import json

from app.models import PostStatus
from app.services import activity, connect, posts, webhooks
from tests.integration.engine import (
    engine_processes,
    mastodon_account,
    new_user,
    soon,
    wait_settled,
    workspace_events,
)
from tests.support.webhook_receiver import Receiver

SEED = 5


def test_a_publish_is_recorded_once_and_sent_by_the_workers(clean_db, server):
    server.sim.reset()
    user, wid = new_user()
    account = mastodon_account(server, user, wid, "alice")
    with Receiver() as receiver, engine_processes({"HERALD_WEBHOOK_SWEEP_SECONDS": "1"}):
        hook = webhooks.create_webhook(user, wid, receiver.url, ["post.published", "account.*"])
        data = posts.PostInput(content="Out by the engine", account_ids=[account.id])
        data.scheduled_at = soon()
        view, _ = posts.create_post(user, wid, data, mode="schedule")
        dests = wait_settled(view.id)
        assert [d.status.value for d in dests] == ["published"]
        assert posts.get_post(user, wid, view.id).status == PostStatus.published

        got = receiver.wait(1, timeout=20)[0]
        assert got.headers["herald-event"] == "post.published"
        t, v1 = (p.split("=", 1)[1] for p in got.headers["herald-signature"].split(","))
        mac = hmac.new(hook.secret.encode(), f"{t}.".encode() + got.body, hashlib.sha256)
        assert hmac.compare_digest(mac.hexdigest(), v1)
        event = json.loads(got.body)
        assert event["actor"] == {"id": None, "name": "Herald"}
        assert event["subject"]["id"] == str(view.id)
        [dest] = event["data"]["destinations"]
        assert dest["status"] == "published" and dest["permalink"]

        connect.disconnect(user, wid, account.id)
        later = receiver.wait(2, timeout=20)[1]
        assert later.headers["herald-event"] == "account.disconnected"

    rows = workspace_events(wid)
    verbs = [(r.verb, r.actor_label if r.actor_id is None else "user") for r in rows]
    assert verbs == [
        ("account.connected", "user"),
        ("webhook.created", "user"),
        ("post.created", "user"),
        ("post.published", "Herald"),  # once, however many attempts
        ("account.disconnected", "user"),
    ]
    page = activity.list_events(user, wid, verb="post", actor="herald")
    assert [e.verb for e in page.items] == ["post.published"]
    assert page.items[0].subject_label == "Out by the engine"
