"""Destructive actions ask first and say what will happen, in real Chromium: disconnecting an
account with scheduled posts (keep them pending, or remove the account from them), removing a
member, revoking an invite. Light and dark screenshots of the dialogs."""

from __future__ import annotations

import datetime as dt
import uuid

from playwright.sync_api import Page, expect
from sqlmodel import select

from app import db
from app.models import Membership, PostDestination, PostStatus, Role, SocialAccount, User
from app.services import account_posts, auth, posts
from app.services.workspaces import list_workspaces
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_round_trip, new_email, sign_up


def _shots(page: Page, name: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=ARTIFACTS / f"confirm-{name}-{scheme}.png")
    page.emulate_media(color_scheme="light")


def _signed_up(page: Page, base: str, tag: str, name: str) -> tuple[User, uuid.UUID]:
    user = sign_up(page, base, new_email(tag), name)
    return user, list_workspaces(user)[0].id


def _schedule(user: User, wid: uuid.UUID, account_id: uuid.UUID, text: str) -> uuid.UUID:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    data = posts.PostInput(content=text, account_ids=[account_id], scheduled_at=when)
    return posts.create_post(user, wid, data, mode="schedule")[0].id


def test_disconnect_with_scheduled_posts_keep_then_remove(page: Page, live_app: str):
    user, wid = _signed_up(page, live_app, "disc", "Dina")
    page.goto(live_app + "/accounts")
    card = connect_round_trip(page, "#connect-x", "x")
    expect(card.locator(".account-status")).to_have_text("connected")
    with db.session() as s:
        account = s.exec(select(SocialAccount).where(SocialAccount.workspace_id == wid)).one()
    first = _schedule(user, wid, account.id, "First of two")
    second = _schedule(user, wid, account.id, "Second of two")

    # Cancel changes nothing.
    card.locator(".disconnect").click()
    dialog = page.locator("#disconnect-dialog")
    expect(dialog.locator("#disconnect-waiting")).to_contain_text(
        "2 scheduled posts target this account"
    )
    _shots(page, "disconnect")
    page.click("#disconnect-dialog-cancel")
    expect(dialog).to_have_count(0)
    expect(card.locator(".account-status")).to_have_text("connected")

    # Keep them pending: the posts stay scheduled, marked.
    card.locator(".disconnect").click()
    page.click("#disconnect-keep")
    expect(page.get_by_text("2 scheduled posts still target it")).to_be_visible()
    expect(card.locator(".account-status")).to_have_text("revoked")
    expect(card.locator(".kept-posts")).to_have_text(
        "2 scheduled posts still wait for it: reconnect it before they are due."
    )
    _shots(page, "disconnected-kept")
    for post_id in (first, second):
        view = posts.get_post(user, wid, post_id)
        assert view.status == PostStatus.scheduled
        assert view.destinations[0].error_message == account_posts.KEPT_NOTE

    # Connected again (the note goes), then disconnected removing it from the posts.
    with page.expect_popup() as opened:
        card.locator(".reconnect").click()
    opened.value.wait_for_event("close")
    expect(card.locator(".account-status")).to_have_text("connected")
    expect(card.locator(".kept-posts")).to_have_count(0)
    assert posts.get_post(user, wid, first).destinations[0].error_message is None
    card.locator(".disconnect").click()
    expect(page.locator("#disconnect-waiting")).to_contain_text("2 scheduled posts")
    page.click("#disconnect-remove")
    expect(page.get_by_text("Removed it from 2 scheduled posts")).to_be_visible()
    expect(card.locator(".account-status")).to_have_text("revoked")
    for post_id in (first, second):
        view = posts.get_post(user, wid, post_id)
        assert view.status == PostStatus.draft and view.destinations == []
    with db.session() as s:
        left = s.exec(select(PostDestination).where(PostDestination.post_id == first)).all()
    assert left == []


def test_removing_a_member_and_revoking_an_invite_ask_first(page: Page, live_app: str):
    user, wid = _signed_up(page, live_app, "lead", "Lena Lead")
    mate = auth.register(f"mate-{uuid.uuid4().hex[:8]}@example.com", "a long password!").user
    with db.session() as s:
        s.add(Membership(workspace_id=wid, user_id=mate.id, role=Role.editor))
    page.goto(live_app + "/settings/team")
    row = page.locator(f".member-row[data-email='{mate.email}']")
    expect(row).to_have_count(1)

    row.locator(".remove-member").click()
    dialog = page.locator("#team-dialog")
    expect(dialog).to_contain_text("loses access to")
    expect(dialog).to_contain_text("their API keys for it stop working")
    expect(dialog).to_contain_text("still go out as scheduled")
    _shots(page, "remove-member")
    page.click("#team-dialog-cancel")
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(1)
    row.locator(".remove-member").click()
    page.click("#confirm-team-action")
    expect(page.get_by_text("Member removed.")).to_be_visible()
    expect(row).to_have_count(0)

    page.fill("#invite-email", "invitee@example.com")
    page.click("#create-invite")
    invite = page.locator(".pending-invite")
    expect(invite).to_have_count(1)
    invite.locator(".revoke-invite").click()
    expect(dialog).to_contain_text("Revoke the invite for invitee@example.com?")
    expect(dialog).to_contain_text("The link stops working at once")
    _shots(page, "revoke-invite")
    page.click("#confirm-team-action")
    expect(page.get_by_text("Invite revoked.")).to_be_visible()
    expect(invite).to_have_count(0)
