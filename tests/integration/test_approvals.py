"""Post approvals through the services, and against the engine: real PostgreSQL, Redis, RQ worker
processes and the Mastodon simulator over HTTP. A post waiting for approval (or rejected) is never
published, even with a publish job for it in the queue."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import text

from app import db
from app.models import (
    ActivityEvent,
    DestinationStatus,
    Membership,
    Post,
    PostApproval,
    PostStatus,
    Role,
    Workspace,
)
from app.services import approval_rules, approvals, posts, schedule
from app.services.errors import Conflict, Forbidden, InvalidInput
from simulator import SimServer
from tests.integration.engine import (
    destinations,
    mastodon_account,
    new_user,
    soon,
    wait_for,
    wait_settled,
    workspace_events,
)

SEED = 11


def _join(user, wid, role: Role) -> None:
    with db.session() as s:
        s.add(Membership(workspace_id=wid, user_id=user.id, role=role))


@pytest.fixture
def team(clean_db, server: SimServer):
    """An admin's workspace requiring approval, with an editor and a viewer, and one account."""
    server.sim.reset()
    admin, wid = new_user("admin@example.com")
    editor, _ = new_user("editor@example.com")
    viewer, _ = new_user("viewer@example.com")
    _join(editor, wid, Role.editor)
    _join(viewer, wid, Role.viewer)
    account = mastodon_account(server, admin, wid, "team")
    approval_rules.set_required(admin, wid, True)
    return {
        "admin": admin,
        "editor": editor,
        "viewer": viewer,
        "wid": wid,
        "account": account,
        "sim": server.sim,
    }


def later(hours: float = 2) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)


def write(team, who: str, content: str, at: dt.datetime | None = None, mode="schedule"):
    data = posts.PostInput(
        content=content, account_ids=[team["account"].id], scheduled_at=at or later()
    )
    view, _ = posts.create_post(team[who], team["wid"], data, mode=mode)
    return view


def edit(team, view, content: str):
    """The editor changes the post's text and schedules it again."""
    return posts.update_post(
        team["editor"],
        team["wid"],
        view.id,
        posts.input_of(view, content=content),
        mode="schedule",
    )


def events(wid, prefix: str = "approval.") -> list[ActivityEvent]:
    return [e for e in workspace_events(wid) if e.verb.startswith(prefix)]


def jobs_of(post_id) -> set[str]:
    """The publish jobs in Redis for the post's destinations (at their due times)."""
    ids = [
        schedule.publish_job_id(d.id, d.next_attempt_at)
        for d in destinations(post_id)
        if d.next_attempt_at
    ]
    return schedule.scheduled_ids(ids) if ids else set()


def test_an_editors_post_waits_unscheduled_until_an_admin_approves_it(team):
    at = later()
    view = write(team, "editor", "Launch day!", at)
    assert view.approval == PostApproval.pending and view.status == PostStatus.draft
    assert view.scheduled_at == at  # the time asked for is kept
    [dest] = destinations(view.id)
    assert dest.status == DestinationStatus.pending and dest.next_attempt_at is None
    assert jobs_of(view.id) == set()
    [requested] = events(team["wid"])
    assert requested.verb == "approval.requested"
    assert requested.details["author_id"] == str(team["editor"].id)

    summary = approvals.summary(team["admin"], team["wid"])
    assert (summary.required, summary.can_approve, summary.pending) == (True, True, 1)
    mine = approvals.summary(team["editor"], team["wid"])
    assert (mine.can_approve, mine.mine_pending, mine.mine_rejected) == (False, 1, 0)
    page = posts.list_posts(team["admin"], team["wid"], approval=[PostApproval.pending])
    assert [p.id for p in page.items] == [view.id]

    approved = approvals.approve(team["admin"], team["wid"], view.id)
    assert approved.approval == PostApproval.approved and approved.status == PostStatus.scheduled
    assert approved.approval_decided_by == team["admin"].id
    [dest] = destinations(view.id)
    assert dest.next_attempt_at == at and len(jobs_of(view.id)) == 1
    verbs = [(e.verb, e.details["author_id"]) for e in events(team["wid"])]
    assert verbs == [
        ("approval.requested", str(team["editor"].id)),
        ("approval.approved", str(team["editor"].id)),
    ]


def test_rejecting_needs_a_comment_which_the_author_sees(team):
    view = write(team, "editor", "Too edgy?")
    with pytest.raises(InvalidInput) as exc:
        approvals.reject(team["admin"], team["wid"], view.id, "   ")
    assert exc.value.code == "comment_required"
    rejected = approvals.reject(team["admin"], team["wid"], view.id, "Tone it down, please.")
    assert rejected.approval == PostApproval.rejected and rejected.status == PostStatus.draft
    seen = posts.get_post(team["editor"], team["wid"], view.id)
    assert seen.approval_comment == "Tone it down, please."
    assert approvals.summary(team["editor"], team["wid"]).mine_rejected == 1
    event = events(team["wid"])[-1]
    assert event.verb == "approval.rejected"
    assert event.details == {
        "author_id": str(team["editor"].id),
        "comment": "Tone it down, please.",
        "scheduled_at": view.scheduled_at.isoformat(),  # type: ignore[union-attr]
    }
    with pytest.raises(Conflict) as conflict:
        approvals.approve(team["admin"], team["wid"], view.id)
    assert conflict.value.code == "not_pending"

    # The author edits and schedules again: it waits for approval again, comment cleared.
    again = edit(team, seen, "Toned down.")
    assert again.approval == PostApproval.pending and again.approval_comment is None


def test_editing_an_approved_post_asks_again_and_drops_its_job(team):
    view = write(team, "editor", "Version one")
    approvals.approve(team["admin"], team["wid"], view.id)
    assert len(jobs_of(view.id)) == 1
    [dest] = destinations(view.id)
    old_job = schedule.publish_job_id(dest.id, dest.next_attempt_at)  # type: ignore[arg-type]
    current = posts.get_post(team["editor"], team["wid"], view.id)
    edited = edit(team, current, "Version two")
    assert edited.approval == PostApproval.pending and edited.status == PostStatus.draft
    assert schedule.scheduled_ids([old_job]) == set()
    assert destinations(view.id)[0].next_attempt_at is None
    # Saving it as a draft withdraws it.
    draft = posts.update_post(
        team["editor"], team["wid"], view.id, posts.input_of(edited), mode="draft"
    )
    assert draft.approval == PostApproval.none
    assert approvals.summary(team["admin"], team["wid"]).pending == 0


def test_admins_skip_approval_and_scheduling_a_waiting_post_approves_it(team):
    own = write(team, "admin", "From the admin")
    assert own.approval == PostApproval.none and own.status == PostStatus.scheduled
    waiting = write(team, "editor", "From the editor")
    current = posts.get_post(team["admin"], team["wid"], waiting.id)
    saved = posts.update_post(
        team["admin"], team["wid"], waiting.id, posts.input_of(current), mode="schedule"
    )
    assert saved.approval == PostApproval.approved and saved.status == PostStatus.scheduled
    assert events(team["wid"])[-1].verb == "approval.approved"


def test_roles_viewers_and_editors_cannot_approve(team):
    view = write(team, "editor", "Mine")
    with pytest.raises(Forbidden):
        approvals.approve(team["editor"], team["wid"], view.id)
    with pytest.raises(Forbidden):
        approvals.reject(team["editor"], team["wid"], view.id, "no")
    with pytest.raises(Forbidden):
        approvals.submit(team["viewer"], team["wid"], view.id)
    with pytest.raises(Forbidden):
        approval_rules.set_required(team["editor"], team["wid"], False)


def test_a_time_that_passed_while_waiting_is_never_published_late(team):
    view = write(team, "editor", "Yesterday's news", later(1))
    with db.session() as s:  # an hour passes while nobody looks
        s.connection().execute(
            text("UPDATE posts SET scheduled_at = now() - interval '1 hour' WHERE id = :id"),
            {"id": view.id},
        )
    with pytest.raises(Conflict) as exc:
        approvals.approve(team["admin"], team["wid"], view.id)
    assert exc.value.code == "approval_time_passed" and "new time" in exc.value.message
    assert posts.get_post(team["admin"], team["wid"], view.id).approval == PostApproval.pending
    new_time = later(3)
    approved = approvals.approve(team["admin"], team["wid"], view.id, scheduled_at=new_time)
    assert approved.scheduled_at == new_time and approved.status == PostStatus.scheduled


def test_turning_approval_on_leaves_scheduled_posts_and_off_lets_editors_schedule(team):
    approval_rules.set_required(team["admin"], team["wid"], False)
    before = write(team, "editor", "Scheduled before the switch")
    assert before.status == PostStatus.scheduled and before.approval == PostApproval.none
    approval_rules.set_required(team["admin"], team["wid"], True)
    assert posts.get_post(team["admin"], team["wid"], before.id).status == PostStatus.scheduled
    assert len(jobs_of(before.id)) == 1
    with db.session() as s:
        assert s.get(Workspace, team["wid"]).require_approval  # type: ignore[union-attr]
    with pytest.raises(Conflict) as exc:
        approvals.submit(team["editor"], team["wid"], write(team, "editor", "x").id)
    assert exc.value.code == "already_pending"


# --------------------------------------------------------------------------- the engine


def test_approved_post_is_published_by_the_worker(team, engine):
    view = write(team, "editor", "Approved, then published", mode="now")
    assert view.scheduled_at is None  # "as soon as it is approved"
    time.sleep(2)
    assert team["sim"].posts("mastodon") == []
    approvals.approve(team["admin"], team["wid"], view.id)
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.published
    assert [p["text"] for p in team["sim"].posts("mastodon")] == ["Approved, then published"]


def test_the_worker_never_publishes_a_waiting_or_rejected_post_with_a_job_queued(team, engine):
    pending = write(team, "editor", "Not approved yet")
    rejected = write(team, "editor", "Rejected")
    approvals.reject(team["admin"], team["wid"], rejected.id, "No.")
    # Force the worst case: the destinations look due and publish jobs are in the queue (as if
    # a job survived an edit, or somebody wrote to the database by hand).
    due = soon(0.5)
    forged = []
    with db.session() as s:
        for post_id in (pending.id, rejected.id):
            s.connection().execute(
                text("UPDATE post_destinations SET next_attempt_at = :due WHERE post_id = :id"),
                {"due": due, "id": post_id},
            )
            forged += [(d.id, due) for d in destinations(post_id)]
    schedule.schedule_publishes(forged)
    wait_for(lambda: not schedule.scheduled_ids([schedule.publish_job_id(*f) for f in forged]))
    time.sleep(3)  # the worker ran the jobs (and reconcile re-queued them) by now
    assert team["sim"].posts("mastodon") == []
    for post_id in (pending.id, rejected.id):
        [dest] = destinations(post_id)
        assert dest.status == DestinationStatus.pending and dest.attempts == 0
        with db.session() as s:
            post = s.get(Post, post_id)
            assert post is not None and post.status == PostStatus.draft

    # Once approved, it goes out exactly once.
    approvals.approve(team["admin"], team["wid"], pending.id, now=True)
    [dest] = wait_settled(pending.id)
    assert dest.status == DestinationStatus.published
    assert [p["text"] for p in team["sim"].posts("mastodon")] == ["Not approved yet"]
