"""The comments UI's pure helpers: a comment's text cut at its mentions (for highlighting),
avatar initials, and the comment count a calendar event shows."""

from __future__ import annotations

import datetime as dt
import uuid

from app.services.comments import CommentView, MentionView, initials
from app.ui.state.comments import Part, parts_of


def _view(body: str, spans: list[tuple[int, int]]) -> CommentView:
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    return CommentView(
        id=uuid.uuid4(), post_id=uuid.uuid4(), author_id=None, author_name="A",
        author_initials="A", body=body, created_at=now, edited_at=None, can_edit=False,
        can_delete=False,
        mentions=[MentionView(user_id=uuid.uuid4(), name="x", start=a, end=b) for a, b in spans],
    )  # fmt: skip


def test_parts_cut_the_text_at_mentions():
    body = "@Ada and @Bob Stone: ok"
    assert parts_of(_view(body, [(9, 19), (0, 4)])) == [
        Part("@Ada", True),
        Part(" and "),
        Part("@Bob Stone", True),
        Part(": ok"),
    ]
    assert parts_of(_view("no mentions", [])) == [Part("no mentions")]
    assert parts_of(_view("end @Li", [(4, 7)])) == [Part("end "), Part("@Li", True)]


def test_initials():
    assert initials("Ada Lovelace") == "AL"
    assert initials("cleo.w") == "CW"
    assert initials("bob") == "BO"
    assert initials("") == "?"


def test_the_activity_page_summarises_a_comment_by_its_text():
    from app.ui.state.activity import _summary

    details = {"comment_id": str(uuid.uuid4()), "mentions": [str(uuid.uuid4())], "excerpt": "Hi"}
    assert _summary(details) == "“Hi”"
