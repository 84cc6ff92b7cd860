"""What notifications say: every verb of every group renders a title, and the chat message
of a delivery payload carries the title, the body and an absolute link."""

from __future__ import annotations

import uuid

from app.config import settings
from app.services import notifications


def test_every_grouped_verb_has_its_own_title():
    post = str(uuid.uuid4())
    details = {
        "destinations": [
            {"platform": "x", "account": "shop", "status": "failed", "error": "Duplicate"},
            {"platform": "bluesky", "account": "shop", "status": "published"},
        ],
        "author_id": str(uuid.uuid4()),
        "text": "Looks good",
        "error": "HTTP 503",
        "reason": "10 failures",
    }
    titles = set()
    for verbs in notifications.GROUP_VERBS.values():
        for verb in verbs:
            kind = verb.split(".")[0]
            stype = {"comment": "post", "approval": "post"}.get(kind, kind)
            m = notifications.render(verb, stype, post, "x · Shop", "Alice", details)
            assert m.title and verb not in m.title, verb
            titles.add(m.title)
    assert len(titles) == sum(len(v) for v in notifications.GROUP_VERBS.values())
    failed = notifications.render("post.partially_published", "post", post, "Hi", "Herald", details)
    assert (
        failed.body == "Failed on X · shop: Duplicate" and failed.link == f"/composer?post={post}"
    )
    account = notifications.render("account.expired", "account", post, "x · Shop", "Herald", {})
    assert account.title == "X · Shop needs reconnecting"


def test_chat_text_is_title_body_and_absolute_link(monkeypatch):
    monkeypatch.setattr(settings, "base_url", "https://herald.example.com")
    post = str(uuid.uuid4())
    payload = {
        "type": "approval.rejected",
        "actor": {"id": None, "name": "Bea"},
        "subject": {"type": "post", "id": post, "label": "Sale"},
        "data": {"author_id": "u", "note": "Wrong price"},
    }
    assert notifications.chat_text(payload) == (
        f"Bea rejected your post “Sale”\nWrong price\nhttps://herald.example.com/composer?post={post}"
    )
