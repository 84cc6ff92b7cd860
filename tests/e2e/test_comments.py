"""Comments on a post in Chromium: the calendar's post dialog and the composer show the same
thread; a comment with an @mention picked from the suggestions is posted with Ctrl+Enter,
highlighted, recorded for notifications, still there after a reload, and deleted by its author.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import settings
from app.models import Role, User
from app.services import activity, auth, posts, workspaces
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import SignedIn, signed_in, tab


@dataclass
class Team(SignedIn):
    tess: User


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser) -> Iterator[Team]:
    with signed_in(browser, live_app, "talk", "Cal Commenter") as who:
        # A teammate to mention: invited as a viewer (viewers may comment too).
        tess = auth.register(f"tess-{uuid.uuid4().hex[:6]}@example.com", "a long password!",
                             "Tess Teammate").user  # fmt: skip
        invite = workspaces.create_invite(who.user, who.wid, Role.viewer)
        workspaces.accept_invite(tess, invite.token)
        yield Team(**vars(who), tess=tess)


@pytest.fixture
def page(team: Team) -> Iterator[Page]:  # the signed-in user's tab (overrides pytest-playwright)
    yield from tab(team.ctx)


def _draft(team: Team, text: str) -> uuid.UUID:
    view, _ = posts.create_post(team.user, team.wid, posts.PostInput(content=text), mode="draft")
    return view.id


def test_comment_with_a_mention_in_the_calendar_dialog_then_the_composer(page: Page, team: Team):
    post_id = _draft(team, "Spring campaign teaser")
    page.goto(f"{team.base}/calendar?post={post_id}")
    dialog = page.locator("#post-dialog")
    expect(dialog.locator("#post-content")).to_have_text("Spring campaign teaser")
    thread = dialog.locator("#comments")
    expect(thread.locator("#comment-empty")).to_be_visible()

    # An empty comment is refused in words; nothing is posted.
    thread.locator("#comment-submit").click()
    expect(thread.locator("#comment-error")).to_contain_text("cannot be empty")

    box = thread.locator("#comment-input")
    box.click()
    box.press_sequentially("Can you check the link, @te")
    suggestion = thread.locator("#mention-suggestions .mention-suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("@Tess Teammate")
    suggestion.click()
    expect(box).to_have_value("Can you check the link, @Tess Teammate ")
    box.press_sequentially("please?")
    box.press("Control+Enter")

    comment = thread.locator(".comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-author")).to_have_text("Cal Commenter")
    expect(comment.locator(".comment-body")).to_have_text(
        "Can you check the link, @Tess Teammate please?"
    )
    expect(comment.locator(".comment-mention")).to_have_text("@Tess Teammate")
    expect(box).to_have_value("")
    expect(thread.locator("#comment-count")).to_have_text("1")
    page.screenshot(path=ARTIFACTS / "comments-dialog.png")

    # Recorded for notifications: Tess is mentioned.
    [event] = activity.list_events(team.user, team.wid, verb="comment.added").items
    assert event.details["mentions"] == [str(team.tess.id)]
    assert event.subject_id == str(post_id)

    page.reload()
    expect(page.locator("#post-dialog #comments .comment-body")).to_have_text(
        "Can you check the link, @Tess Teammate please?"
    )

    # The composer shows the same thread; its author deletes the comment there.
    page.goto(f"{team.base}/composer?post={post_id}")
    panel = page.locator("#composer-comments")
    expect(panel.locator(".comment .comment-mention")).to_have_text("@Tess Teammate")
    panel.locator(".comment-delete").click()
    panel.locator(".comment-delete-yes").click()
    expect(panel.locator(".comment")).to_have_count(0)
    expect(panel.locator("#comment-empty")).to_be_visible()
    page.reload()
    expect(page.locator("#composer-comments #comment-empty")).to_be_visible()


def test_a_teammates_comment_is_listed_and_can_be_edited_only_by_them(page: Page, team: Team):
    from app.services import comments

    post_id = _draft(team, "Thread from a teammate")
    comments.add_comment(team.tess, team.wid, post_id, "Looks good @Cal Commenter")
    page.goto(f"{team.base}/composer?post={post_id}")
    panel = page.locator("#composer-comments")
    row = panel.locator(".comment")
    expect(row.locator(".comment-author")).to_have_text("Tess Teammate")
    expect(row.locator(".comment-mention")).to_have_text("@Cal Commenter")
    # The workspace's admin may delete it but not edit it.
    expect(row.locator(".comment-delete")).to_be_visible()
    expect(row.locator(".comment-edit")).to_have_count(0)

    # My own comment: edit it in place.
    box = panel.locator("#comment-input")
    box.fill("First version")
    panel.locator("#comment-submit").click()
    mine = panel.locator(".comment").nth(1)
    expect(mine.locator(".comment-body")).to_have_text("First version")
    mine.locator(".comment-edit").click()
    mine.locator(".comment-edit-input").fill("Second version")
    mine.locator(".comment-save").click()
    expect(mine.locator(".comment-body")).to_have_text("Second version")
    expect(mine).to_contain_text("(edited)")
    page.screenshot(path=ARTIFACTS / "comments-composer.png", full_page=True)


def test_comment_counts_on_the_dashboard_and_the_calendar(
    page: Page, team: Team, sim, monkeypatch: pytest.MonkeyPatch
):
    from app.services import accounts, comments

    # This process creates the post through the services: the same sandbox as the app.
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", sim.url)
    page.goto(team.base + "/accounts")
    page.click("#sandbox-x")
    expect(page.locator(".account-card[data-platform='x'] .account-status")).to_have_text(
        "connected"
    )
    [x] = [a.id for a in accounts.list_accounts(team.user, team.wid) if a.platform == "x"]
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(hour=12, minute=0, second=0)
    view, _ = posts.create_post(
        team.user, team.wid, posts.PostInput(content="Counted", account_ids=[x], scheduled_at=when)
    )
    for text in ("One", "Two @Cal Commenter"):
        comments.add_comment(team.tess, team.wid, view.id, text)

    page.goto(team.base + "/")
    count = page.locator(f"#upcoming .upcoming-post[data-post-id='{view.id}'] .comment-count")
    expect(count).to_have_text("2")
    count.click()
    dialog = page.locator("#post-dialog")
    expect(dialog.locator("#post-content")).to_have_text("Counted")
    expect(dialog.locator(".comment-body")).to_have_text(["One", "Two @Cal Commenter"])

    page.goto(f"{team.base}/calendar?view=dayGridMonth&date={when.date().isoformat()}")
    event = page.locator(f"#calendar .fc-event[data-post-id='{view.id}']")
    expect(event.locator(".herald-ev-comments > span[aria-hidden='true']")).to_have_text("2")
    expect(event.locator(".herald-ev-comments")).to_have_attribute("title", "2 comments")
