"""Notifications from activity events: who gets them (members only, never the actor), what
their preferences do, the bell's REST API, immediate and digest emails through a real local
SMTP server, and Slack/Discord channels against a real local HTTP receiver."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import uuid

import pytest
from sqlmodel import select

from app import db
from app.models import Membership, Notification, Post, Role, User
from app.services import activity, mail, notifications, notify_channels, outages
from tests.integration.engine import new_user
from tests.integration.helpers import error_of, registered
from tests.support.mailbox import Mailbox
from tests.support.webhook_receiver import Receiver
from workers import jobs

pytestmark = pytest.mark.usefixtures("clean_db")
MIGRATION = "alembic/versions/20261202_0015_notifications.py"


def _join(wid: uuid.UUID, role: Role, email: str | None = None) -> User:
    user, _ = new_user(email)
    with db.session() as s:
        s.add(Membership(workspace_id=wid, user_id=user.id, role=role))
    return user


def _post(wid: uuid.UUID, author: User, content: str = "Launch day") -> uuid.UUID:
    with db.session() as s:
        p = Post(workspace_id=wid, author_id=author.id, content=content)
        s.add(p)
        s.flush()
        return p.id


def _event(wid, actor, verb, stype, sid, label="", details=None) -> None:
    with db.session() as s:
        activity.record(s, wid, actor, verb, stype, sid, label, details or {})


def _rows(user: User | None = None) -> list[Notification]:
    with db.session() as s:
        q = select(Notification).order_by(Notification.id)  # type: ignore[arg-type]
        if user is not None:
            q = q.where(Notification.user_id == user.id)
        return list(s.exec(q).all())


def _smtp(admin: User, box: Mailbox) -> None:
    mail.save_smtp_settings(
        admin,
        values={
            "host": box.host,
            "port": box.port,
            "from_addr": "Herald <herald@example.com>",
            "security": "none",
        },
    )


FAILED = {
    "destinations": [
        {"platform": "mastodon", "account": "alice", "status": "failed", "error": "Too long"}
    ]
}


def test_recipients_are_members_by_role_never_the_actor():
    admin, wid = new_user()
    author = _join(wid, Role.editor)
    viewer = _join(wid, Role.viewer)
    outsider, _ = new_user()
    post = _post(wid, author)

    _event(wid, None, "post.failed", "post", post, "Launch day", FAILED)
    assert {n.user_id for n in _rows()} == {admin.id, author.id}
    assert all(n.grp == "post_failed" and n.email_state == "immediate" for n in _rows())

    # A comment mentioning the viewer and an outsider: the member only, not the author (actor).
    mentions = [str(viewer.id), str(outsider.id), str(author.id)]
    _event(wid, author, "comment.added", "post", post, "Launch day", {"mentions": mentions})
    [mention] = [n for n in _rows() if n.verb == "comment.added"]
    assert mention.user_id == viewer.id

    # Approval asked: admins; approved: the author named in details.
    _event(wid, author, "approval.requested", "post", post, "Launch day")
    _event(wid, admin, "approval.approved", "post", post, "Launch day",
           {"author_id": str(author.id)})  # fmt: skip
    asked = [n.user_id for n in _rows() if n.verb == "approval.requested"]
    approved = [n.user_id for n in _rows() if n.verb == "approval.approved"]
    assert asked == [admin.id] and approved == [author.id]

    # Events without a notification group (an edit) notify nobody.
    before = len(_rows())
    _event(wid, author, "post.edited", "post", post, "Launch day")
    assert len(_rows()) == before

    # What the bell shows: rendered from the event.
    page = notifications.list_notifications(author, wid)
    titles = [n.title for n in page.items]
    assert titles[0].endswith("approved your post “Launch day”")
    assert "Post failed: “Launch day”" in titles and page.unread == 2
    failed = next(n for n in page.items if n.verb == "post.failed")
    assert failed.body == "Mastodon · alice: Too long" and failed.link == f"/composer?post={post}"


def test_preferences_are_honoured_and_validated():
    admin, wid = new_user()
    author = _join(wid, Role.editor)
    post = _post(wid, author)
    prefs = notifications.get_preferences(author)
    assert prefs.groups == notifications.DEFAULTS and prefs.digest == "daily"

    notifications.save_preferences(author, {"post_failed": {"in_app": False, "email": "off"}})
    notifications.save_preferences(admin, {"post_failed": {"email": "digest"}}, "hourly")
    _event(wid, None, "post.failed", "post", post, "x", FAILED)
    [row] = _rows()
    assert row.user_id == admin.id and row.in_app and row.email_state == "digest"

    # In-app off but email on: a row that only the email sweep sees.
    notifications.save_preferences(
        author, {"post_published": {"in_app": False, "email": "immediate"}}
    )
    _event(wid, None, "post.published", "post", post, "x")
    [pub] = [n for n in _rows(author) if n.verb == "post.published"]
    assert not pub.in_app and pub.email_state == "immediate"
    assert notifications.list_notifications(author, wid).items == []

    with pytest.raises(Exception, match="Unknown group"):
        notifications.save_preferences(author, {"nope": {"in_app": True}})
    with pytest.raises(Exception, match="must be one of"):
        notifications.save_preferences(author, {"mentions": {"email": "sometimes"}})
    assert notifications.get_preferences(author).groups["mentions"]["email"] == "immediate"


def test_defaults_in_the_migration_match_the_service():
    spec = importlib.util.spec_from_file_location("m0015", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads(module.DEFAULTS) == notifications.DEFAULTS


def test_bell_api_lists_marks_read_and_takes_preferences():
    email = f"bell-{uuid.uuid4().hex[:6]}@example.com"
    c, me = registered(email, "Bell")
    wid = uuid.UUID(me["workspaces"][0]["id"])
    c.headers["X-Workspace-Id"] = str(wid)
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).one()
    author = _join(wid, Role.editor)
    post = _post(wid, author)
    for _ in range(3):
        _event(wid, None, "post.failed", "post", post, "Launch day", FAILED)

    page = c.get("/api/notifications").json()
    assert page["unread"] == 3 and len(page["items"]) == 3
    assert c.get("/api/notifications/unread").json() == {"unread": 3}
    first = page["items"][0]
    assert first["verb"] == "post.failed" and first["read"] is False
    assert c.post(f"/api/notifications/{first['id']}/read").json() == {"unread": 2}
    assert len(c.get("/api/notifications?unread=true").json()["items"]) == 2
    assert c.post("/api/notifications/read-all").json() == {"unread": 0}
    assert c.get("/api/notifications").json()["unread"] == 0

    # Someone else's notification is not found.
    [theirs] = [n for n in _rows(author)][:1]
    r = c.post(f"/api/notifications/{theirs.id}/read")
    assert r.status_code == 404

    r = c.put("/api/notifications/preferences",
              json={"groups": {"outages": {"email": "off"}}, "digest": "hourly"})  # fmt: skip
    assert r.status_code == 200 and r.json()["groups"]["outages"] == {
        "in_app": True,
        "email": "off",
    }
    assert r.json()["digest"] == "hourly" and r.json()["labels"]["post_failed"] == "Failed posts"
    bad = c.put("/api/notifications/preferences", json={"groups": {"everything": {}}})
    assert bad.status_code == 422 and "Unknown group" in error_of(bad)["message"]
    bad = c.put("/api/notifications/preferences", json={"digest": "weekly"})
    assert bad.status_code == 422
    assert notifications.get_preferences(user).digest == "hourly"  # nothing lost


def test_failure_email_arrives_immediately_and_the_rest_in_a_digest(mailbox):
    admin, wid = new_user(f"admin-{uuid.uuid4().hex[:6]}@example.com")
    _smtp(admin, mailbox)
    author = _join(wid, Role.editor, f"author-{uuid.uuid4().hex[:6]}@example.com")
    post = _post(wid, author, "Black Friday thread")
    notifications.save_preferences(admin, {"post_published": {"email": "digest"}}, "hourly")

    _event(wid, None, "post.failed", "post", post, "Black Friday thread", FAILED)
    assert jobs.send_notifications()["immediate"] == 2
    jobs.sweep_mail()
    [got] = [m for m in mailbox.wait_for(author.email, 2) if "Post failed" in m.subject]
    assert got.subject == "Post failed: “Black Friday thread”"
    assert "Mastodon · alice: Too long" in got.text and f"/composer?post={post}" in got.text
    assert any("Post failed" in m.subject for m in mailbox.wait_for(admin.email))
    assert jobs.send_notifications()["immediate"] == 0  # sent once
    assert "/settings/notifications" in got.text

    # A burst (three failures before the next sweep): one email listing them.
    for _ in range(3):
        _event(wid, None, "post.failed", "post", post, "Black Friday thread", FAILED)
    assert jobs.send_notifications()["immediate"] == 2  # one per recipient
    jobs.sweep_mail()
    burst = [m for m in mailbox.wait_for(author.email, 3) if m.subject.startswith("3 Herald")]
    assert burst[0].subject == "3 Herald notifications: Post failed: “Black Friday thread”"
    assert burst[0].text.count("- Post failed") == 3

    # Digest: two published posts wait for the next top of the hour.
    _event(wid, None, "post.published", "post", post, "One")
    _event(wid, None, "post.published", "post", post, "Two")
    assert notifications.send_digests() == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1, minutes=1)
    assert notifications.send_digests(later) == 1
    assert notifications.send_digests(later) == 0
    jobs.sweep_mail()
    digest = [m for m in mailbox.wait_for(admin.email, 3) if "digest" in m.subject]
    assert digest[0].subject == "Herald digest: 2 notifications"
    assert "Post published: “One”" in digest[0].text and "Post published: “Two”" in digest[0].text


def test_daily_digest_waits_for_eight_in_the_users_zone():
    oldest = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)  # 10:30 in Berlin
    berlin_8 = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)
    assert not notifications.digest_due(
        oldest, "daily", "Europe/Berlin", berlin_8 - dt.timedelta(minutes=1)
    )
    assert notifications.digest_due(oldest, "daily", "Europe/Berlin", berlin_8)
    assert notifications.digest_due(oldest, "hourly", "UTC", oldest.replace(hour=10, minute=0))


@pytest.mark.parametrize("kind,key", [("slack", "text"), ("discord", "content")])
def test_chat_channel_gets_a_message(kind, key):
    admin, wid = new_user()
    author = _join(wid, Role.editor)
    post = _post(wid, author, "Holiday sale")
    with Receiver() as receiver:
        ch = notify_channels.add_channel(admin, wid, kind, receiver.url + "/hook")
        assert ch.groups == ["post_failed", "accounts", "outages"]
        assert ch.url_hint.startswith("http://127.0.0.1:") and "/hook" not in ch.url_hint
        _event(wid, None, "post.published", "post", post, "Holiday sale")  # not subscribed
        _event(wid, None, "post.failed", "post", post, "Holiday sale", FAILED)
        receiver.answers = [503]  # the first try fails: retried with backoff
        jobs.deliver_webhooks()
        from app.models import WebhookDelivery

        with db.session() as s:
            d = s.exec(select(WebhookDelivery)).one()
            d.next_attempt_at = dt.datetime.now(dt.UTC)
            s.add(d)
        jobs.deliver_webhooks()
        got = receiver.wait(2)
        message = json.loads(got[1].body)
        assert list(message) == [key]
        assert message[key].startswith("Post failed: “Holiday sale”\nMastodon · alice: Too long")
        assert f"/composer?post={post}" in message[key]
        assert len(receiver.received) == 2
    assert notify_channels.list_channels(admin, wid)[0].kind == kind
    with pytest.raises(Exception, match="Slack or Discord"):
        notify_channels.add_channel(admin, wid, "teams", "https://example.com/x")
    editor_err = pytest.raises(Exception)
    with editor_err:
        notify_channels.add_channel(author, wid, kind, "https://example.com/x")


def test_platform_outage_is_recorded_once_per_workspace_with_an_account_there():
    from tests.integration.engine import environ  # noqa: F401

    admin, wid = new_user()
    other, other_wid = new_user()
    from app.models import SocialAccount

    with db.session() as s:
        s.add(SocialAccount(workspace_id=wid, platform="x", platform_account_id="1",
                            account_name="herald"))  # fmt: skip
    assert outages.record_change("opened:x", "HTTP 503") == 1
    assert outages.record_change("opened:account:123") == 0
    assert outages.record_change("closed:x") == 1
    rows = _rows(admin)
    assert [n.verb for n in rows] == ["platform.outage", "platform.recovered"]
    assert _rows(other) == []
    page = notifications.list_notifications(admin, wid)
    assert page.items[1].title == "X is not answering" and "HTTP 503" in page.items[1].body


def test_account_expiring_reaches_admins_and_whoever_connected_it():
    from app.models import AccountStatus, SocialAccount
    from app.services import accounts

    admin, wid = new_user()
    editor = _join(wid, Role.editor)
    other_admin = _join(wid, Role.admin)
    viewer = _join(wid, Role.viewer)
    with db.session() as s:
        a = SocialAccount(workspace_id=wid, platform="bluesky", platform_account_id="b1",
                          account_name="Shop", connected_by=editor.id)  # fmt: skip
        s.add(a)
        s.flush()
        account_id = a.id
    seen = dt.datetime.now(dt.UTC)
    accounts.mark_broken(account_id, AccountStatus.expiring, "Access ends on 2026-12-09.",
                         seen_since=seen)  # fmt: skip
    rows = _rows()
    assert {n.user_id for n in rows} == {admin.id, editor.id, other_admin.id}
    assert {n.verb for n in rows} == {"account.expiring"}
    assert viewer.id not in {n.user_id for n in rows}
    [item] = notifications.list_notifications(editor, wid).items
    assert item.title == "Bluesky · Shop: access ends soon" and item.link == "/accounts"
    assert item.body == "Access ends on 2026-12-09."

    # The editor reconnects it: the admins hear of it, the editor (the actor) does not.
    _event(wid, editor, "account.reconnected", "account", account_id, "bluesky · Shop")
    told = {n.user_id for n in _rows() if n.verb == "account.reconnected"}
    assert told == {admin.id, other_admin.id}


def test_channels_api_for_admins_only():
    c, me = registered(f"chan-{uuid.uuid4().hex[:6]}@example.com", "Chan")
    wid = uuid.UUID(me["workspaces"][0]["id"])
    c.headers["X-Workspace-Id"] = str(wid)
    with Receiver() as receiver:
        body = {"kind": "discord", "url": receiver.url + "/d", "groups": ["mentions"]}
        r = c.post("/api/notifications/channels", json=body)
        assert r.status_code == 201, r.text
        ch = r.json()
        assert ch["kind"] == "discord" and ch["groups"] == ["mentions"] and ch["active"]
        assert c.get("/api/webhooks").json() == []  # not a signed-event webhook
        assert [x["id"] for x in c.get("/api/notifications/channels").json()] == [ch["id"]]
        assert c.post(f"/api/notifications/channels/{ch['id']}/test").status_code == 202
        jobs.deliver_webhooks()
        [got] = receiver.wait(1)
        assert json.loads(got.body) == {
            "content": "Herald: this channel receives your workspace's notifications."
        }
        r = c.patch(f"/api/notifications/channels/{ch['id']}", json={"groups": ["outages"]})
        assert r.json()["groups"] == ["outages"]
        r = c.patch(f"/api/notifications/channels/{ch['id']}", json={"active": False})
        assert r.json()["active"] is False

    bad = c.post("/api/notifications/channels", json={"kind": "slack", "url": "not a url"})
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_url"
    bad = c.post("/api/notifications/channels", json={"kind": "irc", "url": "https://x.y/z"})
    assert bad.status_code == 422
    bad = c.post("/api/notifications/channels",
                 json={"kind": "slack", "url": "https://example.com/h", "groups": []})  # fmt: skip
    assert bad.status_code == 422 and "at least one" in error_of(bad)["message"]

    editor_client, _ = registered(f"ed-{uuid.uuid4().hex[:6]}@example.com", "Ed")
    with db.session() as s:
        ed = s.exec(select(User).where(User.full_name == "Ed")).one()
        s.add(Membership(workspace_id=wid, user_id=ed.id, role=Role.editor))
    editor_client.headers["X-Workspace-Id"] = str(wid)
    assert editor_client.get("/api/notifications/channels").status_code == 403
    assert c.delete(f"/api/notifications/channels/{ch['id']}").status_code == 204
    assert c.get("/api/notifications/channels").json() == []


def test_old_notifications_are_pruned_once_their_email_is_gone():
    admin, wid = new_user()
    author = _join(wid, Role.editor)
    post = _post(wid, author)
    _event(wid, None, "post.failed", "post", post, "Launch day", FAILED)
    mine = [n.id for n in _rows() if n.user_id in (admin.id, author.id)]
    assert len(mine) == 2
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=91)
    # Their emails are still to be sent: kept, however old.
    notifications.prune(later)
    assert {n.id for n in _rows()} >= set(mine)
    with db.session() as s:
        for n in s.exec(select(Notification).where(Notification.id.in_(mine))):  # type: ignore[union-attr]
            n.email_state = None
    # Within the 90 days: kept; past them: deleted; the activity log keeps the event.
    notifications.prune(later - dt.timedelta(days=2))
    assert {n.id for n in _rows()} >= set(mine)
    notifications.prune(later)
    assert not {n.id for n in _rows()} & set(mine)
    assert activity.list_events(admin, wid).items[0].verb == "post.failed"
