"""Nothing typed is lost, in Chromium against the running app: the composer autosaves and
restores after a reload, after leaving through the sidebar and coming back (back/forward), the
leave-page guard while a save is pending, the dashboard's Drafts card and the calendar's draft
filter, and a stale edit of a post refused with a clear message while the text stays."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from app import db
from app.models import Membership, PostStatus, Role, User
from app.services import composer_drafts, posts, users
from app.services.errors import NotFound
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import (
    SignedIn,
    open_composer,
    pick,
    same_session,
    sandbox_here,
    screenshots,
    signed_in,
    tab,
)

NY = "America/New_York"
TZ = zoneinfo.ZoneInfo(NY)


@dataclass
class Team(SignedIn):
    alice: User  # a teammate (editor) who edits posts through the services, as the API does


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    with (
        sandbox_here(sim),
        signed_in(browser, live_app, "drafts", "Dana Drafter", ("x",), timezone=NY) as who,
    ):
        alice, _ = users.create_admin(
            f"alice-{uuid.uuid4().hex[:6]}@example.com", "pw-alice-123", "Alice"
        )
        with db.session() as s:
            s.add(Membership(workspace_id=who.wid, user_id=alice.id, role=Role.editor))
        yield Team(**vars(who), alice=alice)


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    composer_drafts.discard(team.user, team.wid)
    yield from tab(team.ctx)


def _open(page: Page, team: Team, query: str = "") -> None:
    open_composer(page, team.base, query)
    expect(page.locator("#composer-text")).to_be_enabled()


def _saved(page: Page) -> None:
    expect(page.locator("#autosave-saved")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    expect(page.locator("html")).not_to_have_attribute("data-draft-pending", "yes")


def test_typing_is_autosaved_and_restored_after_reload(page: Page, team: Team):
    _open(page, team)
    expect(page.locator("#restored-notice")).to_have_count(0)
    pick(page, team.x)
    page.locator("#composer-text").fill("A launch post I must not lose")
    page.fill("#post-date", "2031-03-04")
    page.fill("#post-time", "09:15")
    _saved(page)
    copy = composer_drafts.get(team.user, team.wid)
    assert copy is not None and copy.payload.text == "A launch post I must not lose"
    assert copy.payload.account_ids == [str(team.x)] and copy.payload.time == "09:15"

    page.reload()
    expect(page.locator("#restored-notice")).to_contain_text("Restored your unsaved draft")
    expect(page.locator("#composer-text")).to_have_value("A launch post I must not lose")
    expect(page.locator(f"#account-{team.x}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#post-date")).to_have_value("2031-03-04")
    expect(page.locator("#post-time")).to_have_value("09:15")
    expect(page.locator(".post-preview")).to_contain_text("A launch post I must not lose")

    # Discard: back to a blank composer, and nothing comes back on the next visit.
    page.click("#discard-restored")
    expect(page.locator("#restored-notice")).to_have_count(0)
    expect(page.locator("#composer-text")).to_have_value("")
    expect(page.locator(f"#account-{team.x}")).to_have_attribute("aria-pressed", "false")
    assert composer_drafts.get(team.user, team.wid) is None
    page.reload()
    expect(page.locator("#composer-text")).to_have_value("")
    expect(page.locator("#restored-notice")).to_have_count(0)


def test_leaving_through_the_sidebar_and_back_forward_keeps_the_text(page: Page, team: Team):
    _open(page, team)
    # Leave at once (no time for the debounced save): the sidebar click saves first.
    page.locator("#composer-text").fill("Typed, then straight to the calendar")
    page.click("#nav-calendar")
    expect(page).to_have_url(re.compile(r"/calendar"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/composer"))
    expect(page.locator("#composer-text")).to_have_value("Typed, then straight to the calendar")
    expect(page.locator("#restored-notice")).to_be_visible()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/calendar"))
    page.go_back()
    expect(page.locator("#composer-text")).to_have_value("Typed, then straight to the calendar")
    # Saving the post ends its working copy.
    page.click("#save-draft")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    assert composer_drafts.get(team.user, team.wid) is None
    page.goto(f"{team.base}/composer")
    expect(page.locator("#composer-text")).to_have_value("")


def test_leave_page_guard_while_a_save_is_pending(page: Page, team: Team):
    _open(page, team)
    dialogs: list[str] = []

    def on_dialog(d):
        dialogs.append(d.type)
        d.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    page.locator("#composer-text").click()
    page.keyboard.type("Unsaved words", delay=10)
    assert page.evaluate("window.heraldDraft.pending()") is True
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while not dialogs and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()
    # The save still goes out; once it is in, leaving asks nothing.
    page.wait_for_function("!window.heraldDraft.pending()")
    _saved(page)
    page.wait_for_timeout(1_000)  # the save's answer settles (a busy machine delivers it late)
    page.wait_for_function("!window.heraldDraft.pending()")
    assert composer_drafts.get(team.user, team.wid).payload.text == "Unsaved words"  # type: ignore[union-attr]
    page.goto(team.base + "/calendar")  # a real unload: nothing pending, nothing asked
    expect(page.locator("#page-title")).to_have_text("Calendar")
    assert dialogs == ["beforeunload"]


def test_drafts_card_and_calendar_filter(page: Page, team: Team, browser: Browser):
    when = dt.datetime(2031, 6, 10, 11, 0)
    draft, _ = posts.create_post(
        team.user, team.wid,
        posts.PostInput(content="Draft for the summer sale", account_ids=[team.x],
                        scheduled_at=when, timezone=NY),
        mode="draft",
    )  # fmt: skip
    extra, _ = posts.create_post(
        team.alice, team.wid, posts.PostInput(content="Alice's idea", timezone=NY), mode="draft"
    )
    composer_drafts.save(
        team.user, team.wid, composer_drafts.WorkingCopy(text="Still typing this one")
    )
    page.goto(team.base + "/")
    card = page.locator("#drafts")
    expect(card.locator(f".draft-row[data-post-id='{draft.id}']")).to_contain_text(
        "Draft for the summer sale"
    )
    expect(card.locator(f".draft-row[data-post-id='{extra.id}']")).to_contain_text("by Alice")
    expect(card.locator("#unsaved-draft")).to_contain_text("Still typing this one")
    total = posts.list_posts(team.user, team.wid, statuses=[PostStatus.draft]).total
    expect(card.locator("#drafts-count")).to_have_text(str(total))
    for scheme in ("light", "dark"):
        with same_session(browser, team, scheme, height=1200) as shot:
            shot.goto(team.base + "/")
            expect(shot.locator("#drafts .draft-row").first).to_be_visible()
            shot.locator("#drafts").screenshot(path=ARTIFACTS / f"drafts-card-{scheme}.png")
            shot.screenshot(path=ARTIFACTS / f"dashboard-drafts-{scheme}.png", full_page=True)

    # Delete asks first, then the draft is gone.
    card.locator(f".draft-row[data-post-id='{extra.id}'] .delete-draft").click()
    expect(page.locator("#delete-draft-dialog")).to_contain_text("Alice's idea")
    page.click("#confirm-delete-draft")
    expect(card.locator(f".draft-row[data-post-id='{extra.id}']")).to_have_count(0)
    with pytest.raises(NotFound):
        posts.get_post(team.user, team.wid, extra.id)

    # Opening a draft edits it in the composer.
    card.locator(f".draft-row[data-post-id='{draft.id}'] .open-draft").click()
    expect(page).to_have_url(re.compile(rf"/composer/?\?post={draft.id}"))
    expect(page.locator("#composer-text")).to_have_value("Draft for the summer sale")

    # The calendar's Drafts link filters to drafts.
    page.goto(team.base + "/calendar?status=draft&date=2031-06-10&view=dayGridMonth")
    ev = page.locator(f"#calendar .fc-event[data-post-id='{draft.id}']")
    expect(ev).to_be_visible()
    expect(page.locator("#clear-filters")).to_be_visible()


def test_stale_edit_shows_who_changed_it_and_keeps_the_text(page: Page, team: Team, browser):
    when = dt.datetime(2031, 9, 1, 10, 0)
    data = posts.PostInput(
        content="Version one", account_ids=[team.x], scheduled_at=when, timezone=NY
    )
    view, _ = posts.create_post(team.user, team.wid, data)
    _open(page, team, f"?post={view.id}")
    expect(page.locator("#composer-text")).to_have_value("Version one")
    # Alice edits the post meanwhile (as the REST API would).
    data.content = "Alice's better version"
    posts.update_post(team.alice, team.wid, view.id, data, mode="schedule", expected_version=1)
    # The open composer notices before anything is saved.
    expect(page.locator("#changed-since")).to_contain_text(
        re.compile(r"Alice changed this post at \d\d:\d\d while you were editing")
    )

    page.locator("#composer-text").fill("My own rewrite")
    page.click("#schedule")
    conflict = page.locator("#version-conflict")
    expect(conflict).to_contain_text(re.compile(r"Alice changed this post at \d\d:\d\d"))
    expect(conflict).to_contain_text("your text is kept")
    expect(page.locator("#composer-text")).to_have_value("My own rewrite")
    expect(page).to_have_url(re.compile(r"/composer"))
    assert posts.get_post(team.user, team.wid, view.id).content == "Alice's better version"
    page.click("#show-theirs")
    expect(page.locator("#their-text")).to_have_text("Alice's better version")
    screenshots(page, "composer-conflict")

    # A reload keeps the user's text (autosaved against the version they started from).
    _saved(page)
    page.reload()
    expect(page.locator("#composer-text")).to_have_value("My own rewrite")
    expect(page.locator("#restored-notice")).to_contain_text("changed by someone else")
    screenshots(page, "composer-restored")
    # Saving again still asks; "Keep mine" then replaces Alice's version on purpose.
    page.click("#schedule")
    expect(page.locator("#version-conflict")).to_be_visible()
    page.click("#keep-mine")
    expect(page.locator("#version-conflict")).to_have_count(0)
    page.click("#schedule")
    expect(page).to_have_url(re.compile(r"/calendar"))
    after = posts.get_post(team.user, team.wid, view.id)
    assert after.content == "My own rewrite" and after.version == 3
    assert composer_drafts.get(team.user, team.wid, view.id) is None
