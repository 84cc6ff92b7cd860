"""Post approvals in Chromium against the running app, worker, scheduler and simulator: an admin
turns approval on, an editor submits a post, the admin sends it back with a comment from the
calendar, the editor resubmits it, the admin approves it and the worker publishes it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from app.models import PostApproval, PostStatus, Role, User
from app.services import approval_rules, posts, workspaces
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import (
    fill_register,
    new_context,
    new_email,
    sandbox_here,
    signed_in,
    user_by_email,
    wait_for,
)


@dataclass
class Team:
    base: str
    admin_ctx: BrowserContext
    editor_ctx: BrowserContext
    admin: User
    editor: User
    wid: uuid.UUID
    x: uuid.UUID


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    with (
        sandbox_here(sim),
        signed_in(browser, live_app, "appr-admin", "Ada Admin", ("x",)) as admin,
    ):
        editor_ctx = new_context(browser)
        # The editor joins through an invite link, in their own browser.
        invite = workspaces.create_invite(admin.user, admin.wid, Role.editor, None)
        guest = editor_ctx.new_page()
        guest.goto(live_app + "/invite/" + invite.link.rsplit("/invite/", 1)[1])
        guest.click("#invite-register")
        editor_email = new_email("appr-editor")
        fill_register(guest, editor_email, "Eddie Editor")
        expect(guest).to_have_url(re.compile(r"/invite/"))
        guest.click("#accept-invite")
        expect(guest.locator("#workspace-switcher")).to_contain_text("Ada Admin's workspace")
        guest.close()
        editor = user_by_email(editor_email)
        yield Team(live_app, admin.ctx, editor_ctx, admin.user, editor, admin.wid, admin.x)
        editor_ctx.close()


def _local(user: User, when: dt.datetime) -> dt.datetime:
    return when.astimezone(zoneinfo.ZoneInfo(user.timezone or "UTC"))


def test_editor_submits_admin_rejects_then_approves_and_the_worker_publishes(team: Team, sim):
    admin = team.admin_ctx.new_page()
    editor = team.editor_ctx.new_page()

    # The admin turns approval on under Settings → Workspace.
    admin.goto(team.base + "/settings/workspace")
    switch = admin.locator("#require-approval")
    expect(switch).to_have_attribute("data-state", "unchecked")
    switch.click()
    expect(admin.get_by_text("now wait for an admin's approval")).to_be_visible()
    assert wait_for(lambda: approval_rules.is_required(team.admin, team.wid), 10)

    # The editor's "Schedule" is "Submit for approval"; submitting leaves the post unscheduled.
    editor.goto(team.base + "/composer")
    expect(editor.locator("#composer-text")).to_be_visible()
    expect(editor.locator("#schedule")).to_have_text("Submit for approval")
    expect(editor.locator("#approval-required-note")).to_be_visible()
    editor.locator(f"#account-{team.x}").click()
    text = "Big news: approvals are here"
    editor.locator("#composer-text").fill(text)
    when = _local(team.editor, dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    editor.fill("#post-date", when.strftime("%Y-%m-%d"))
    editor.fill("#post-time", "10:30")
    editor.click("#schedule")
    expect(editor.get_by_text("Submitted for approval")).to_be_visible()
    expect(editor.locator("#page-title")).to_have_text("Dashboard")
    [mine] = posts.list_posts(team.editor, team.wid).items
    assert (mine.status, mine.approval) == (PostStatus.draft, PostApproval.pending)
    assert all(d.next_attempt_at is None for d in mine.destinations)
    item = editor.locator(f"#approvals .approval-item[data-post-id='{mine.id}']")
    expect(item).to_have_attribute("data-state", "pending")

    # The admin sees it waiting on the dashboard, and in its own colour on the calendar.
    admin.goto(team.base + "/")
    expect(admin.locator("#approvals")).to_contain_text("Awaiting approval")
    expect(admin.locator("#approval-count")).to_contain_text("1 waiting")
    expect(admin.locator("#approvals .approval-item")).to_contain_text("Eddie Editor")
    admin.goto(f"{team.base}/calendar?view=dayGridMonth&date={when:%Y-%m-%d}")
    event = admin.locator(f"#calendar .fc-event[data-post-id='{mine.id}']")
    expect(event).to_have_class(re.compile("herald-status-awaiting_approval"))
    event.click()
    dialog = admin.locator("#post-dialog")
    expect(dialog.locator("#post-status")).to_have_text("Awaiting approval")
    expect(dialog.locator("#approval-banner")).to_be_visible()

    # Rejecting needs a comment; with one, the post goes back to its author.
    dialog.locator("#reject-post").click()
    dialog.locator("#reject-confirm").click()
    expect(dialog.locator("#reject-error")).to_contain_text("comment is required")
    dialog.locator("#reject-comment").fill("Add the link to the launch page, please.")
    # Typing clears the error (the button moves up): click once the form has settled.
    expect(dialog.locator("#reject-error")).to_have_count(0)
    dialog.locator("#reject-confirm").click()
    expect(admin.get_by_text("Sent back to the author")).to_be_visible()
    expect(dialog.locator("#post-status")).to_have_text("Rejected")
    admin.screenshot(path=ARTIFACTS / "approvals-calendar.png")
    assert posts.get_post(team.admin, team.wid, mine.id).approval == PostApproval.rejected

    # The editor sees why, edits it and asks to publish it as soon as it is approved.
    editor.goto(team.base + "/")
    item = editor.locator(f"#approvals .approval-item[data-post-id='{mine.id}']")
    expect(item).to_have_attribute("data-state", "rejected")
    expect(item).to_contain_text("Add the link to the launch page")
    editor.goto(f"{team.base}/composer?post={mine.id}")
    expect(editor.locator("#approval-comment")).to_have_text(
        "Add the link to the launch page, please."
    )
    editor.locator("#composer-text").fill(text + " https://example.com/launch")
    expect(editor.locator("#publish-now")).to_have_text("Publish once approved")
    editor.click("#publish-now")
    expect(editor.get_by_text("Submitted for approval")).to_be_visible()
    resubmitted = posts.get_post(team.editor, team.wid, mine.id)
    assert resubmitted.approval == PostApproval.pending and resubmitted.scheduled_at is None
    assert sim.sim.posts("x") == []  # nothing went out while it waited

    # The admin reviews it from the dashboard and approves it: the worker publishes it.
    admin.goto(team.base + "/")
    admin.locator(f"#approvals .approval-item[data-post-id='{mine.id}'] a").click()
    expect(admin.locator("#approval-banner")).to_be_visible()
    admin.screenshot(path=ARTIFACTS / "approvals-composer.png")
    admin.locator("#approve-post").click()
    expect(admin.get_by_text("Approved: scheduled for")).to_be_visible()
    published = wait_for(
        lambda: [p for p in sim.sim.posts("x") if p["text"].startswith("Big news")], 90
    )
    assert published and published[0]["text"].endswith("https://example.com/launch")
    final = wait_for(
        lambda: (
            (v := posts.get_post(team.admin, team.wid, mine.id)).status == PostStatus.published
            and v
        ),
        30,
    )
    assert final and final.approval == PostApproval.approved
    admin.close()
    editor.close()
