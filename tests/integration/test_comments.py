"""Comments on posts over HTTP and through the service: @mentions resolved against the
workspace's members only, who may edit and delete what, validation in words, tenant
isolation, and the activity events (with the mentions notifications are derived from)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from app import db
from app.api import create_api
from app.models import PostComment
from app.services import comments
from app.services.auth import user_for_session
from app.services.comments import Member, parse_mentions
from app.services.errors import Forbidden, InvalidInput, NotFound
from tests.integration.helpers import client, error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


def _join(admin, wid: str, other, role: str) -> None:
    r = admin.post(f"/api/workspaces/{wid}/invites", json={"role": role})
    assert r.status_code == 201, r.text
    token = r.json()["link"].rsplit("/", 1)[1]
    assert other.post("/api/invites/accept", json={"token": token}).status_code == 200
    other.headers["X-Workspace-Id"] = wid


@pytest.fixture
def team():
    """Ada (admin), Bob Stone (editor), cleo.w (viewer, no full name) in Ada's workspace,
    a draft post there, and Eve, who belongs to none of it."""
    ada, ada_me = registered("ada@example.com", "Ada Lovelace")
    bob, bob_me = registered("bob@example.com", "Bob Stone")
    cleo, cleo_me = registered("cleo.w@example.com", "")
    eve, eve_me = registered("eve@example.com", "Eve")
    wid = ada_me["workspaces"][0]["id"]
    ada.headers["X-Workspace-Id"] = wid
    _join(ada, wid, bob, "editor")
    _join(ada, wid, cleo, "viewer")
    eve.headers["X-Workspace-Id"] = eve_me["workspaces"][0]["id"]
    r = ada.post("/api/posts", json={"content": "Launch day!", "mode": "draft"})
    assert r.status_code == 201, r.text
    ids = {n: m["user"]["id"] for n, m in (("ada", ada_me), ("bob", bob_me), ("cleo", cleo_me))}
    return {"ada": ada, "bob": bob, "cleo": cleo, "eve": eve, "wid": wid, "ids": ids,
            "post": r.json()["id"]}  # fmt: skip


def _url(team, comment_id: str = "") -> str:
    return f"/api/posts/{team['post']}/comments" + (f"/{comment_id}" if comment_id else "")


def _events(team, verb: str) -> list[dict]:
    r = team["ada"].get("/api/activity", params={"verb": verb})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_a_viewer_comments_and_mentions_are_resolved_and_recorded(team):
    body = (
        "@ADA and @Bob Stone: see @nobody, mail bob@example.com, ask @bobby; note to self @cleo.w."
    )
    r = team["cleo"].post(_url(team), json={"body": body})
    assert r.status_code == 201, r.text
    made = r.json()
    ids = team["ids"]
    assert made["author_id"] == ids["cleo"]
    assert made["author_name"] == "cleo.w" and made["author_initials"] == "CW"
    spans = [(m["user_id"], body[m["start"] : m["end"]], m["name"]) for m in made["mentions"]]
    assert spans == [
        (ids["ada"], "@ADA", "Ada Lovelace"),
        (ids["bob"], "@Bob Stone", "Bob Stone"),
        (ids["cleo"], "@cleo.w", "cleo.w"),
    ]
    assert made["can_edit"] and made["can_delete"]

    [event] = _events(team, "comment.added")
    assert event["actor_id"] == ids["cleo"]
    assert event["subject_type"] == "post" and event["subject_id"] == team["post"]
    assert event["subject_label"] == "Launch day!"
    # Mentioning yourself notifies nobody: the author is not in details.mentions.
    assert event["details"]["mentions"] == [ids["ada"], ids["bob"]]
    assert event["details"]["comment_id"] == made["id"]
    assert event["details"]["excerpt"] == body  # under 120 characters: all of it


def test_the_thread_is_listed_oldest_first_to_every_member(team):
    for who, text in (("ada", "First draft is in."), ("bob", "Looks good, @ada"), ("ada", "Ok")):
        assert team[who].post(_url(team), json={"body": text}).status_code == 201
    for who in ("ada", "bob", "cleo"):
        r = team[who].get(_url(team))
        assert r.status_code == 200, r.text
        thread = r.json()
        assert [c["body"] for c in thread] == ["First draft is in.", "Looks good, @ada", "Ok"]
        assert [c["author_initials"] for c in thread] == ["AL", "BS", "AL"]
    thread = team["bob"].get(_url(team)).json()
    assert [c["can_edit"] for c in thread] == [False, True, False]
    assert [c["can_delete"] for c in thread] == [False, True, False]
    # An admin may delete anyone's comment, but edits only their own.
    thread = team["ada"].get(_url(team)).json()
    assert [c["can_delete"] for c in thread] == [True, True, True]
    assert [c["can_edit"] for c in thread] == [True, False, True]


def test_empty_and_too_long_comments_are_refused_in_words(team):
    for body in ("", "   \n "):
        r = team["bob"].post(_url(team), json={"body": body})
        assert r.status_code == 422
        err = error_of(r)
        assert err["code"] == "comment_empty" and "cannot be empty" in err["message"]
    r = team["bob"].post(_url(team), json={"body": "x" * 2001})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "comment_too_long"
    assert err["message"] == "A comment can be at most 2,000 characters; this one has 2,001."
    # Exactly the limit is fine (surrounding blanks are not counted); nothing else was stored.
    assert team["bob"].post(_url(team), json={"body": " " + "y" * 2000 + "\n"}).status_code == 201
    assert [len(c["body"]) for c in team["ada"].get(_url(team)).json()] == [2000]
    assert [e["details"]["excerpt"][-1] for e in _events(team, "comment.added")] == ["…"]


def test_only_the_author_edits_and_the_author_or_an_admin_deletes(team):
    mine = team["bob"].post(_url(team), json={"body": "Typo in line 2"}).json()
    theirs = team["cleo"].post(_url(team), json={"body": "Can we add a link?"}).json()

    r = team["cleo"].patch(_url(team, mine["id"]), json={"body": "hijacked"})
    assert r.status_code == 403 and error_of(r)["code"] == "not_your_comment"
    r = team["ada"].patch(_url(team, mine["id"]), json={"body": "admins neither"})
    assert r.status_code == 403
    r = team["cleo"].delete(_url(team, mine["id"]))
    assert r.status_code == 403 and "author or a workspace admin" in error_of(r)["message"]
    r = team["bob"].patch(_url(team, mine["id"]), json={"body": ""})
    assert r.status_code == 422 and error_of(r)["code"] == "comment_empty"

    r = team["bob"].patch(_url(team, mine["id"]), json={"body": "Typo in line 3, @cleo.w"})
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["body"] == "Typo in line 3, @cleo.w" and edited["edited_at"]
    assert [m["user_id"] for m in edited["mentions"]] == [team["ids"]["cleo"]]
    [event] = _events(team, "comment.edited")
    assert event["details"]["mentions"] == [team["ids"]["cleo"]]  # only the newly mentioned

    assert team["bob"].delete(_url(team, mine["id"])).status_code == 204  # own, as an editor
    assert team["ada"].delete(_url(team, theirs["id"])).status_code == 204  # any, as an admin
    assert team["ada"].get(_url(team)).json() == []
    r = team["bob"].delete(_url(team, mine["id"]))
    assert r.status_code == 404  # already gone
    deleted = _events(team, "comment.deleted")
    assert [e["details"]["by_author"] for e in deleted] == [False, True]
    with db.session() as s:
        rows = s.exec(select(PostComment)).all()
    assert {r.body for r in rows} == {""} and all(r.deleted_at for r in rows)


def test_other_workspaces_see_nothing(team):
    made = team["bob"].post(_url(team), json={"body": "internal"}).json()
    eve = team["eve"]
    # Eve asking in her own workspace: the post is not there.
    assert eve.get(_url(team)).status_code == 404
    assert eve.post(_url(team), json={"body": "hi"}).status_code == 404
    assert eve.delete(_url(team, made["id"])).status_code == 404
    # Eve naming Ada's workspace: she is not a member.
    r = eve.get(_url(team), headers={"X-Workspace-Id": team["wid"]})
    assert r.status_code == 404
    # A comment id under another post is not found either.
    other = team["ada"].post("/api/posts", json={"content": "Other", "mode": "draft"}).json()
    r = team["bob"].patch(f"/api/posts/{other['id']}/comments/{made['id']}", json={"body": "x"})
    assert r.status_code == 404
    assert team["bob"].get(f"/api/posts/{uuid.uuid4()}/comments").status_code == 404


def test_deleting_the_post_deletes_its_comments(team):
    team["bob"].post(_url(team), json={"body": "soon gone"})
    assert team["ada"].delete(f"/api/posts/{team['post']}").status_code == 204
    assert team["bob"].get(_url(team)).status_code == 404
    with db.session() as s:
        assert s.exec(select(PostComment)).all() == []


def test_service_checks_and_counts(team):
    ada = user_for_session(team["ada"].cookies["herald_session"])
    cleo = user_for_session(team["cleo"].cookies["herald_session"])
    assert ada is not None and cleo is not None
    wid, post_id = uuid.UUID(team["wid"]), uuid.UUID(team["post"])
    made = comments.add_comment(cleo, wid, post_id, "  @ada   ok?  ")
    assert made.body == "@ada   ok?" and made.can_edit and made.can_delete
    with pytest.raises(InvalidInput):
        comments.add_comment(cleo, wid, post_id, "a\x00b")
    with pytest.raises(Forbidden):
        comments.edit_comment(ada, wid, post_id, made.id, "mine now")
    with pytest.raises(NotFound):
        comments.list_comments(ada, wid, uuid.uuid4())
    assert comments.counts(ada, wid, [post_id, uuid.uuid4()]) == {str(post_id): 1}
    names = [m.name for m in comments.mentionable(cleo, wid)]
    assert names == ["cleo.w", "Ada Lovelace", "Bob Stone"]


def test_mentions_are_resolved_only_when_unambiguous():
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    members = [
        Member(a, "Sam Rivers", "rivers@example.com"),
        Member(b, "Sam Oak", "s.oak@example.com"),
        Member(c, "Li", "li@example.com"),
    ]

    def found(body: str) -> list[tuple[str, str]]:
        return [(body[m["start"] : m["end"]], m["user_id"]) for m in parse_mentions(body, members)]

    # "Sam" names two members: it mentions nobody; a full name or email local part does.
    assert found("@Sam hi") == []
    assert found("@sam rivers and @S.Oak!") == [("@sam rivers", str(a)), ("@S.Oak", str(b))]
    assert found("(@li) @lia me@li x@li") == [("@li", str(c))]
    assert found("@Rivers?") == [("@Rivers", str(a))]  # the email local part


def test_the_endpoints_are_documented():
    paths = create_api().openapi()["paths"]
    thread = paths["/api/posts/{post_id}/comments"]
    one = paths["/api/posts/{post_id}/comments/{comment_id}"]
    assert set(thread) == {"get", "post"} and set(one) == {"patch", "delete"}
    assert "422" in thread["post"]["responses"] and "403" in one["patch"]["responses"]
    assert "404" in one["delete"]["responses"]


def test_an_api_key_comments_as_its_creator_with_its_role(team):
    r = team["ada"].post("/api/keys", json={"name": "bot", "role": "viewer"})
    assert r.status_code == 201, r.text
    bot = client()
    bot.headers["Authorization"] = f"Bearer {r.json()['key']}"
    made = bot.post(_url(team), json={"body": "Automated check passed, @Bob Stone"})
    assert made.status_code == 201, made.text
    assert made.json()["author_id"] == team["ids"]["ada"]
    [event] = _events(team, "comment.added")
    assert event["actor"] == "Ada Lovelace (API key)"
    assert event["details"]["mentions"] == [team["ids"]["bob"]]
    # Capped at viewer: the admin's key deletes only the admin's own comments.
    bobs = team["bob"].post(_url(team), json={"body": "thanks"}).json()
    r = bot.delete(_url(team, bobs["id"]))
    assert r.status_code == 403 and error_of(r)["code"] == "not_your_comment"
    assert bot.delete(_url(team, made.json()["id"])).status_code == 204
