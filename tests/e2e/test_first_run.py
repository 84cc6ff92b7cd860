"""A fresh self-hosted instance in real Chromium: `/` and `/login` lead to "Create the admin
account", whose account is the instance admin; Billing shows usage without plans or prices
(HERALD_BILLING off, the default); workspaces are created, renamed and switched in the UI.
Light and dark screenshots of each page."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import db
from app.models import User
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import PASSWORD


@pytest.fixture(scope="module", autouse=True)
def _self_hosted() -> Iterator[None]:
    """This module's app runs with the out-of-the-box billing setting (off)."""
    before = os.environ.pop("HERALD_BILLING", None)
    yield
    if before is not None:
        os.environ["HERALD_BILLING"] = before


def _shots(page: Page, name: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=ARTIFACTS / f"first-run-{name}-{scheme}.png", full_page=True)
    page.emulate_media(color_scheme="light")


def test_a_fresh_instance_creates_its_admin_first(clean_db, page: Page, live_app: str):
    page.goto(live_app + "/")
    expect(page).to_have_url(re.compile(r"/setup/?$"))
    expect(page.get_by_role("heading", name="Create the admin account")).to_be_visible()
    page.goto(live_app + "/login")
    expect(page).to_have_url(re.compile(r"/setup/?$"))
    expect(page.locator("#setup-notice")).to_contain_text("administers it")
    _shots(page, "setup")
    page.fill("#full_name", "Ada Admin")
    page.fill("#email", "ada@example.com")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("#submit")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    with db.session() as s:
        ada = s.exec(select(User).where(User.email == "ada@example.com")).one()
    assert ada.is_instance_admin
    # Once someone exists, /setup is the sign-in page again.
    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(live_app + "/setup")
    expect(page).to_have_url(re.compile(r"/login/?$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.fill("#email", "ada@example.com")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#page-title")).to_have_text("Dashboard")


def _sign_in(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", "ada@example.com")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#page-title")).to_have_text("Dashboard")


def test_billing_shows_usage_without_plans_or_prices(page: Page, live_app: str):
    _sign_in(page, live_app)
    page.goto(live_app + "/settings/billing")
    expect(page.locator("#billing-off")).to_contain_text("self-hosted")
    expect(page.locator("#current-tier")).to_have_text("Self-hosted")
    expect(page.locator(".usage-row[data-limit='members']")).to_contain_text("No limit")
    expect(page.locator(".plan-card")).to_have_count(0)
    expect(page.get_by_text("$15")).to_have_count(0)
    _shots(page, "billing")


def test_workspaces_are_created_renamed_and_switched(page: Page, live_app: str):
    _sign_in(page, live_app)
    switcher = page.locator("#workspace-switcher").first
    personal = switcher.inner_text()
    page.locator(".new-workspace").first.click()
    dialog = page.locator("#new-workspace-dialog")
    page.fill("#new-workspace-name", "   ")
    page.click("#create-workspace")
    expect(dialog.locator("#form-error")).to_contain_text("1 to 100 characters")
    page.fill("#new-workspace-name", "Acme Bakery")
    page.click("#create-workspace")
    expect(page.locator("#page-title")).to_have_text("Workspace")
    expect(switcher).to_contain_text("Acme Bakery")
    expect(page.locator(".workspace-row")).to_have_count(2)
    page.fill("#workspace-name", "Acme Bakery & Co")
    page.click("#rename-workspace")
    expect(page.get_by_text("Renamed to Acme Bakery & Co.")).to_be_visible()
    expect(switcher).to_contain_text("Acme Bakery & Co")
    _shots(page, "workspace")
    page.locator(".workspace-row", has_text=personal).locator(".switch-workspace").click()
    expect(switcher).to_contain_text(personal)
    row = page.locator(".workspace-row", has_text="Acme Bakery & Co")
    expect(row.locator(".switch-workspace")).to_be_visible()
    # Team shows the workspace switched to.
    page.goto(live_app + "/settings/team")
    expect(page.locator("#main-content")).to_contain_text(personal)


def test_a_workspace_is_created_from_the_narrow_screen_menu(page: Page, live_app: str):
    _sign_in(page, live_app)
    page.set_viewport_size({"width": 400, "height": 800})
    page.click("#nav-toggle")
    drawer = page.locator("#nav-drawer")
    drawer.locator(".new-workspace").click()
    expect(drawer).to_have_count(0)  # the menu closes; the dialog opens
    page.fill("#new-workspace-name", "Pocket Shop")
    page.click("#create-workspace")
    expect(page.locator("#page-title")).to_have_text("Workspace")
    expect(page.locator(".workspace-row", has_text="Pocket Shop")).to_contain_text("Current")
