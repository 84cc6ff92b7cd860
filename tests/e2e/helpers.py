"""What the e2e modules share: signing up through the register page, a signed-in user in a browser
context of their own with sandbox accounts connected on the Accounts page, the composer opened
once its on_load events are done, waiting for the worker, light and dark screenshots.

Fixtures stay in each module (a module's `team` is module-scoped, so its worker and browser
context are its own); these are the steps they are built from.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlmodel import select

from app import db
from app.config import settings
from app.models import User
from app.services import accounts, posts, workspaces
from simulator import SimServer
from tests.e2e.conftest import ARTIFACTS

PASSWORD = "a long enough password"
T = TypeVar("T")


def register(page: Page, base: str, email: str, name: str = "Test User", path: str = "/register"):
    page.goto(base + path)
    fill_register(page, email, name)


def fill_register(page: Page, email: str, name: str) -> None:
    """Fill the open register form (PASSWORD twice) and submit it."""
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("#submit")


def new_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.com"


def user_by_email(email: str) -> User:
    with db.session() as s:
        return s.exec(select(User).where(User.email == email)).one()


def sign_up(page: Page, base: str, email: str, name: str, timeout: float | None = None) -> User:
    """Register through the page and land on the dashboard; the new user as stored."""
    register(page, base, email, name)
    expect(page.locator("#page-title")).to_have_text("Dashboard", timeout=timeout)
    return user_by_email(email)


def update_user(email: str, **values: object) -> User:
    """Set the user's stored preferences (time zone, clock, instance admin) directly."""
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        for name, value in values.items():
            setattr(user, name, value)
        s.add(user)
    return user_by_email(email)


def account_card(page: Page, platform: str) -> Locator:
    """The platform's account card(s) on the Accounts page."""
    return page.locator(f".account-card[data-platform='{platform}']")


def connect_sandbox(page: Page, base: str, platform: str) -> None:
    """Connect the platform's sandbox account in one click on the Accounts page."""
    page.goto(base + "/accounts")
    page.click(f"#sandbox-{platform}")
    expect(account_card(page, platform).locator(".account-status")).to_have_text("connected")


def connect_round_trip(page: Page, button: str, platform: str) -> Locator:
    """Click `button` on the Accounts page: the platform (the simulator) approves and sends the
    browser back through Herald's callback. The platform's account card."""
    page.click(button)
    expect(page).to_have_url(re.compile(r"/accounts/?\?connected="))
    return account_card(page, platform)


@contextmanager
def sandbox_here(sim: SimServer) -> Iterator[None]:
    """This process validates posts through the same providers as the app: sandbox accounts
    point at the simulator here too."""
    saved = settings.sandbox, settings.sandbox_url
    settings.sandbox, settings.sandbox_url = True, sim.url.rstrip("/")
    try:
        yield
    finally:
        settings.sandbox, settings.sandbox_url = saved


@dataclass
class SignedIn:
    """A user signed up in a browser context of their own (their session), their first
    workspace and its accounts by platform."""

    base: str
    ctx: BrowserContext
    user: User
    wid: uuid.UUID
    ids: dict[str, uuid.UUID]

    @property
    def x(self) -> uuid.UUID:
        return self.ids["x"]

    @property
    def bsky(self) -> uuid.UUID:
        return self.ids["bluesky"]


def new_context(browser: Browser, height: int = 1000, **options) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1400, "height": height}, **options)
    ctx.set_default_timeout(15_000)
    return ctx


@contextmanager
def signed_in(
    browser: Browser,
    base: str,
    tag: str,
    name: str,
    platforms: tuple[str, ...] = (),
    height: int = 1000,
    **preferences: object,
) -> Iterator[SignedIn]:
    """Sign up `name` in a new context, store their preferences, connect the platforms'
    sandbox accounts on the Accounts page; the context is closed afterwards."""
    ctx = new_context(browser, height)
    try:
        page = ctx.new_page()
        email = new_email(tag)
        sign_up(page, base, email, name, timeout=30_000)
        if preferences:
            update_user(email, **preferences)
        for platform in platforms:
            connect_sandbox(page, base, platform)
        page.close()
        user = user_by_email(email)
        wid = workspaces.list_workspaces(user)[0].id
        ids = {a.platform: a.id for a in accounts.list_accounts(user, wid)}
        yield SignedIn(base, ctx, user, wid, ids)
    finally:
        ctx.close()


@contextmanager
def sandbox_team(
    sim: SimServer, browser: Browser, base: str, tag: str, name: str, *args, **kwargs
) -> Iterator[SignedIn]:
    """`signed_in` (same arguments after `sim`) while this process's providers point at the
    simulator too (`sandbox_here`)."""
    with sandbox_here(sim), signed_in(browser, base, tag, name, *args, **kwargs) as who:
        yield who


def tab(ctx: BrowserContext) -> Iterator[Page]:
    """A new tab of the signed-in context, closed after the test (a module's `page` fixture)."""
    page = ctx.new_page()
    yield page
    page.close()


@contextmanager
def same_session(
    browser: Browser, who: SignedIn, scheme: str, height: int = 1000
) -> Iterator[Page]:
    """A tab in a new context with the user's session and the given colour scheme."""
    ctx = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        viewport={"width": 1400, "height": height},
        storage_state=who.ctx.storage_state(),
    )
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def open_composer(page: Page, base: str, query: str = "") -> None:
    page.goto(f"{base}/composer{query}")
    expect(page.locator("#composer-text")).to_be_visible()
    # its on_load events (the restore of an autosaved copy among them) are done
    expect(page.locator("#main-content[data-loaded='/composer']")).to_be_attached()


def start_thread(page: Page, who: SignedIn, first: str, *platforms: str) -> None:
    """A new composer with the accounts of `platforms` picked, `first` written and a second
    part added."""
    open_composer(page, who.base)
    for platform in platforms:
        pick(page, who.ids[platform])
    page.locator("#composer-text").fill(first)
    page.click("#add-part")


def pick(page: Page, account_id: uuid.UUID) -> None:
    """Select the account's chip in the composer."""
    chip = page.locator(f"#account-{account_id}")
    chip.click()
    try:
        expect(chip).to_have_attribute("aria-pressed", "true", timeout=8_000)
    except AssertionError:
        # The click can land while the previous pick's answer shifts the layout (the network
        # boxes appear above the chips): it missed the chip, which is still not pressed.
        expect(chip).to_have_attribute("aria-pressed", "false")
        chip.click()
        expect(chip).to_have_attribute("aria-pressed", "true")


def publish_now(page: Page, who: SignedIn, content: str) -> posts.PostView:
    """Publish the composer's post now (the dashboard opens); the post as stored."""
    page.click("#publish-now")
    expect(page).to_have_url(f"{who.base}/", timeout=20_000)
    [view] = [
        p for p in posts.list_posts(who.user, who.wid, limit=50).items if p.content == content
    ]
    return view


def wait_for(check: Callable[[], T], timeout: float = 60.0, every: float = 0.5) -> T:
    """Call `check` until it answers something true or `timeout` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def screenshots(page: Page, name: str, full_page: bool = True) -> None:
    """`name`-light.png and `name`-dark.png (the dark theme applied) in the artifacts."""
    page.emulate_media(color_scheme="light")
    page.screenshot(path=ARTIFACTS / f"{name}-light.png", full_page=full_page)
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / f"{name}-dark.png", full_page=full_page)
    page.emulate_media(color_scheme="light")
