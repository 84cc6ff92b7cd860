"""Notifications from the engine, end to end: real worker and scheduler processes publish to
the Mastodon simulator. A failed post reaches its author by email (a real local SMTP server)
well within a minute and shows in the bell; a failing server is announced once per outage (and
its recovery once), not once per request."""

from __future__ import annotations

import datetime as dt
import time

from sqlmodel import select

from app import db
from app.models import ActivityEvent, Notification
from app.services import circuit, mail, notifications, posts
from tests.integration.engine import (
    mastodon_account,
    new_user,
    soon,
    wait_for,
    wait_settled,
)

SERVER = "mastodon@127.0.0.1"
SEED = 21
ENV = {
    "HERALD_NOTIFY_SWEEP_SECONDS": "2",
    "HERALD_BREAKER_THRESHOLD": "3",
    "HERALD_BREAKER_COOLDOWN_SECONDS": "2",
    "HERALD_BREAKER_MAX_COOLDOWN_SECONDS": "2",
    "HERALD_RETRY_BASE_SECONDS": "0.3",
}


def _events(verb: str) -> list[ActivityEvent]:
    with db.session() as s:
        return list(s.exec(select(ActivityEvent).where(ActivityEvent.verb == verb)).all())


def _schedule(user, wid, text: str, account_ids, at: dt.datetime) -> posts.PostView:
    data = posts.PostInput(content=text, account_ids=account_ids, scheduled_at=at)
    view, _ = posts.create_post(user, wid, data, mode="schedule")
    return view


def test_a_failed_post_is_emailed_within_a_minute_and_rings_the_bell(
    clean_db, server, engine, mailbox
):
    server.sim.reset()
    user, wid = new_user("owner@example.com")
    mail.save_smtp_settings(
        user,
        values={
            "host": mailbox.host,
            "port": mailbox.port,
            "from_addr": "Herald <herald@example.com>",
            "security": "none",
        },
    )
    account = mastodon_account(server, user, wid, "alice")
    wait_settled(_schedule(user, wid, "ok", [account.id], soon(0.5)).id)
    server.sim.set_knobs("mastodon", instance={"max_characters": 10})
    view = _schedule(user, wid, "This text is longer than ten characters", [account.id], soon(0.5))
    [dest] = wait_settled(view.id)
    failed_at = time.monotonic()
    assert dest.status.value == "failed"

    [got] = [
        m
        for m in mailbox.wait_for(user.email, 1, timeout=60)
        if m.subject.startswith("Post failed")
    ]
    assert time.monotonic() - failed_at < 60
    assert got.subject == "Post failed: “This text is longer than ten characters”"
    assert "character limit" in got.text.lower() and f"/composer?post={view.id}" in got.text
    page = notifications.list_notifications(user, wid)
    assert page.unread >= 1 and page.items[0].verb == "post.failed"
    # "published" is in-app only by default: the first post rang the bell, sent no email.
    assert [n.verb for n in page.items] == ["post.failed", "post.published"]
    assert all("published" not in m.subject for m in mailbox.to(user.email))


def test_an_outage_is_announced_once_and_its_recovery_once(clean_db, server, engine):
    server.sim.reset()
    user, wid = new_user()
    accounts = [mastodon_account(server, user, wid, n) for n in ("alice", "bob")]
    fault = server.sim.inject("mastodon", "500", path="/api/v1/statuses", count=None)
    due = soon(1)
    views = [
        _schedule(user, wid, f"Down {i}", [accounts[i % 2].id], due + dt.timedelta(seconds=i / 5))
        for i in range(6)
    ]
    wait_for(lambda: SERVER in circuit.summary(), 20, "the breaker of the failing server")
    time.sleep(5)  # probes fail meanwhile: still one outage
    assert len(_events("platform.outage")) == 1
    server.sim.clear_faults()
    wait_for(lambda: _events("platform.recovered"), 30, "the recovery event")
    for v in views:
        wait_settled(v.id, 30)
    assert len(_events("platform.outage")) == 1 and len(_events("platform.recovered")) == 1
    assert fault.fired >= 3
    with db.session() as s:
        verbs = [
            n.verb
            for n in s.exec(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)  # type: ignore[arg-type]
            ).all()
            if n.grp == "outages"
        ]
    assert verbs == ["platform.outage", "platform.recovered"]
    outage = notifications.list_notifications(user, wid).items
    assert any(n.title == "Mastodon (127.0.0.1) is not answering" for n in outage)
