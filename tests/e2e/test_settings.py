"""Settings pages in real Chromium: profile and password, API keys (shown once, revoked),
billing (switch plan, then a limit hit shown where it happens), instance AI settings and users,
and the signed-in shell on a narrow screen. Light and dark screenshots of each page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from app import db
from app.models import ApiKey, InstanceSetting, SocialAccount, User, Workspace
from app.services.workspaces import list_workspaces
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import PASSWORD, new_email, screenshots, sign_up, user_by_email


def _signed_up(page: Page, base: str, tag: str, name: str = "") -> tuple[str, User]:
    email = new_email(tag)
    return email, sign_up(page, base, email, name or tag.capitalize())


def _make_admin(user: User) -> None:
    with db.session() as s:  # the first user of the run may be another test's
        row = s.get(User, user.id)
        row.is_instance_admin = True
        s.add(row)


def test_profile_edit_and_password_change(page: Page, live_app: str):
    email, user = _signed_up(page, live_app, "pro")
    page.goto(live_app + "/settings/profile")
    expect(page.locator("#page-title")).to_have_text("Profile")
    nav = page.locator("#settings-nav")
    expect(nav.locator("#settings-tab-profile")).to_have_attribute("aria-current", "page")
    # The Instance tab is for instance admins only (the run's first user is one).
    expect(nav.locator("#settings-tab-instance")).to_have_count(int(user.is_instance_admin))
    expect(page.locator("#full_name")).to_have_value("Pro")
    page.fill("#full_name", "Priya Profile")
    page.fill("#timezone", "Mars/Olympus")
    page.click("#save-profile")
    expect(page.locator("#form-error")).to_contain_text("Unknown time zone")
    page.fill("#timezone", "Europe/Paris")
    page.click("#save-profile")
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.reload()
    expect(page.locator("#full_name")).to_have_value("Priya Profile")
    expect(page.locator("#timezone")).to_have_value("Europe/Paris")
    with db.session() as s:
        row = s.get(User, user.id)
        assert (row.full_name, row.timezone) == ("Priya Profile", "Europe/Paris")
    screenshots(page, "settings-profile")

    new = "an even longer password"
    page.fill("#current_password", "not my password")
    page.fill("#new_password", new)
    page.fill("#confirm_password", new)
    page.click("#change-password")
    expect(page.locator("#password-error")).to_have_text("The current password is not right.")
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", new)
    page.fill("#confirm_password", new)
    page.click("#change-password")
    expect(page.get_by_text("Password changed.")).to_be_visible()
    expect(page.locator("#password-error")).to_have_count(0)
    expect(page.locator("#current_password")).to_have_value("")

    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(live_app + "/login")
    page.wait_for_load_state("networkidle")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#form-error")).to_have_text("Invalid email or password.")
    page.fill("#password", new)
    page.click("#submit")
    expect(page.locator("#page-title")).to_have_text("Dashboard")


def test_api_key_is_shown_once_then_revoked(page: Page, live_app: str):
    _, user = _signed_up(page, live_app, "keys")
    page.goto(live_app + "/settings/keys")
    expect(page.locator("#no-keys")).to_be_visible()
    page.fill("#key-name", "Zapier")
    page.click("#create-key")
    secret_box = page.locator("#new-key")
    expect(secret_box).to_have_value(re.compile(r"^hk_"))
    secret = secret_box.input_value()
    expect(page.locator("#new-key-callout")).to_contain_text("shown only once")
    row = page.locator(".key-row[data-name='Zapier']")
    expect(row).to_contain_text(secret[:11])
    expect(row).to_contain_text("editor")
    screenshots(page, "settings-keys")
    # Shown once: after leaving the page it is gone, and never in the list.
    page.click("#settings-tab-billing")
    expect(page.locator("#page-title")).to_have_text("Billing")
    page.click("#settings-tab-keys")
    expect(page.locator(".key-row")).to_have_count(1)
    expect(page.locator("#new-key")).to_have_count(0)
    assert secret not in page.content()

    row.locator(".revoke-key").click()
    page.click("#confirm-revoke")
    expect(page.get_by_text("Key revoked")).to_be_visible()
    expect(page.locator(".key-row")).to_have_count(0)
    expect(page.locator("#no-keys")).to_be_visible()
    with db.session() as s:
        key = s.exec(select(ApiKey).where(ApiKey.created_by == user.id)).one()
        assert key.revoked_at is not None


def test_billing_switch_then_the_account_limit_shows_where_it_happens(page: Page, live_app: str):
    _, user = _signed_up(page, live_app, "bill")
    wid = list_workspaces(user)[0].id
    page.goto(live_app + "/settings/billing")
    expect(page.locator("#current-tier")).to_have_text("Business")  # the test run's default
    expect(page.locator(".plan-card")).to_have_count(3)
    page.click("#switch-free")
    page.click("#confirm-switch")
    expect(page.get_by_text("This workspace is now on the Free plan.")).to_be_visible()
    expect(page.locator("#current-tier")).to_have_text("Free")
    with db.session() as s:
        assert s.get(Workspace, wid).subscription_tier.value == "free"
        for i in range(3):  # three accounts already connected (fixture rows)
            s.add(
                SocialAccount(
                    workspace_id=wid,
                    platform="mastodon",
                    platform_account_id=f"id-{i}",
                    account_name=f"Account {i}",
                    username=f"acct{i}",
                    meta={"api_base": "http://127.0.0.1:9/mastodon"},
                )
            )
    # The fourth connection is refused, with the plan's message, on the Accounts page (a real
    # connection: sandbox accounts never count).
    page.goto(live_app + "/accounts")
    page.click("#connect-x")
    error = page.locator("#form-error")
    expect(error).to_contain_text("The Free plan allows 3 connected social accounts")
    expect(error).to_contain_text("Upgrade to Pro")
    expect(page.locator(".account-card[data-platform='x']")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "settings-billing-limit-hit.png", full_page=True)

    page.goto(live_app + "/settings/billing")
    accounts_row = page.locator(".usage-row[data-limit='accounts']")
    expect(accounts_row).to_have_attribute("data-state", "over")
    expect(accounts_row.locator(".usage-value")).to_have_text("3 of 3")
    expect(page.locator("#ai-usage")).to_contain_text("Captions generated")
    screenshots(page, "settings-billing")
    # Upgrading makes room: the same connection now works.
    page.click("#switch-pro")
    page.click("#confirm-switch")
    expect(page.locator("#current-tier")).to_have_text("Pro")
    page.goto(live_app + "/accounts")
    page.click("#connect-x")
    expect(page.locator(".account-card[data-platform='x'] .account-status")).to_have_text(
        "connected"
    )


def test_instance_ai_settings_saved_key_never_shown_and_users_promoted(page: Page, live_app: str):
    _, admin = _signed_up(page, live_app, "inst")
    _make_admin(admin)
    _, other = _signed_up_elsewhere(live_app, "member")
    page.goto(live_app + "/settings/instance")
    expect(page.locator("#settings-tab-instance")).to_have_attribute("aria-current", "page")
    effective = page.locator("#ai-effective")
    expect(effective).to_be_visible()
    secret = "sk-e2e-very-secret-0123456789"
    page.fill("#ai-model", "llama3.1:8b")
    page.fill("#ai-base-url", "http://127.0.0.1:11434/v1")
    page.fill("#ai-api-key", secret)
    page.click("#save-ai")
    expect(page.get_by_text("AI settings saved.")).to_be_visible()
    expect(effective).to_contain_text("llama3.1:8b")
    expect(effective).to_contain_text("saved here")
    expect(effective).to_contain_text("http://127.0.0.1:11434/v1")
    expect(page.locator("#ai-api-key")).to_have_value("")
    expect(page.locator("#ai-api-key")).to_have_attribute("placeholder", re.compile("Key stored"))
    page.reload()
    expect(page.locator("#ai-model")).to_have_value("llama3.1:8b")
    assert secret not in page.content()
    with db.session() as s:
        row = s.get(InstanceSetting, "ai.api_key")
        assert row is not None and row.secret and secret not in row.value
    expect(page.locator("#storage-settings")).to_contain_text("Local disk")

    row = page.locator(f".user-row[data-email='{other.email}']")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("instance admin")
    row.locator(".promote-user").click()
    expect(page.get_by_text("Now an instance admin.")).to_be_visible()
    expect(row).to_contain_text("instance admin")
    with db.session() as s:
        assert s.get(User, other.id).is_instance_admin
    screenshots(page, "settings-instance")
    # Clean up: stored AI settings are instance-wide (other tests share this app).
    page.click("#clear-ai-key")
    expect(page.get_by_text("Stored AI key removed.")).to_be_visible()
    with db.session() as s:
        for key in ("ai.model", "ai.base_url"):
            stored = s.get(InstanceSetting, key)
            if stored:
                s.delete(stored)
        s.get(User, other.id).is_instance_admin = False


def _signed_up_elsewhere(base: str, tag: str) -> tuple[str, User]:
    """Another person, registered through the API (no browser needed)."""
    import httpx

    email = new_email(tag)
    r = httpx.post(
        base + "/api/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": tag.capitalize()},
        headers={"Origin": base},
    )
    assert r.status_code == 201, r.text
    return email, user_by_email(email)


def test_team_page_screenshots(page: Page, live_app: str):
    _signed_up(page, live_app, "teamshot")
    page.goto(live_app + "/settings/team")
    expect(page.locator("#settings-tab-team")).to_have_attribute("aria-current", "page")
    expect(page.locator(".member-row")).to_have_count(1)
    screenshots(page, "settings-team")


def test_narrow_shell_has_a_menu_drawer_and_a_skip_link(browser: Browser, live_app: str):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    email, _ = _signed_up(page, live_app, "narrow")
    page.goto(live_app + "/settings/profile")
    expect(page.locator("#page-title")).to_have_text("Profile")
    # The sidebar gives way to a top bar with a menu button (the sidebar is not even there).
    expect(page.locator("#nav-toggle")).to_be_visible()
    expect(page.locator("#nav-calendar")).to_have_count(0)
    expect(page.locator("#notify-bell")).to_have_count(0)
    expect(page.locator("#notify-bell-mobile")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways ({width}px)"
    page.screenshot(path=ARTIFACTS / "shell-narrow.png")
    page.click("#nav-toggle")
    drawer = page.locator("#nav-drawer")
    expect(drawer).to_be_visible()
    expect(drawer.locator("#user-email")).to_have_text(email)
    expect(drawer.locator("#workspace-switcher")).to_be_visible()
    # Let the slide-in finish before the picture.
    page.wait_for_function(
        "Math.abs(document.getElementById('nav-drawer').getBoundingClientRect().left) < 1"
    )
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / "shell-narrow-drawer-open.png")
    drawer.locator("#nav-calendar").click()
    expect(page.locator("#page-title")).to_have_text("Calendar")
    expect(page.locator("#nav-drawer")).to_have_count(0)
    # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    skip = page.locator("#skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    # Widened, the same page swaps the top bar for the sidebar, and back.
    page.set_viewport_size({"width": 1280, "height": 844})
    expect(page.locator("#nav-calendar")).to_be_visible()
    expect(page.locator("#nav-toggle")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#nav-toggle")).to_be_visible()
    expect(page.locator("#nav-calendar")).to_have_count(0)
    context.close()
