"""Sandbox connections on the Accounts page, and Settings → Instance (platform apps)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_round_trip, new_email, sign_up, update_user


def _register(page: Page, base: str, tag: str) -> str:
    email = new_email(tag)
    sign_up(page, base, email, tag.capitalize())
    return email


def test_sandbox_accounts_connect_in_one_click(page: Page, live_app: str, sim):
    _register(page, live_app, "sandy")
    page.goto(live_app + "/accounts")
    expect(page.get_by_text("Sandbox mode")).to_be_visible()
    card = connect_round_trip(page, "#sandbox-x", "x")
    expect(card).to_contain_text("Sandbox")
    expect(card.locator(".account-status")).to_have_text("connected")
    page.click("#sandbox-bluesky")
    bsky = page.locator(".account-card[data-platform='bluesky']")
    expect(bsky).to_contain_text("Sandbox")
    page.screenshot(path=ARTIFACTS / "accounts-sandbox.png", full_page=True)


def test_instance_admin_saves_a_platform_app_secret_never_shown(page: Page, live_app: str):
    email = _register(page, live_app, "root")
    update_user(
        email, is_instance_admin=True
    )  # promote this user: the first user of the run may be another test's
    page.goto(live_app + "/settings/instance")
    card = page.locator(".platform-app[data-platform='pinterest']")
    expect(card).to_contain_text("not configured")
    card.locator("#client-id-pinterest").fill("my-pinterest-app")
    card.locator("#client-secret-pinterest").fill("s3cret-value")
    card.locator("#save-app-pinterest").click()
    expect(card).to_contain_text("configured")
    expect(card.locator("#client-secret-pinterest")).to_have_attribute(
        "placeholder", re.compile("Secret stored")
    )
    assert "s3cret-value" not in page.content()
    page.screenshot(path=ARTIFACTS / "settings-instance.png", full_page=True)


def test_instance_settings_refuse_non_admins(page: Page, live_app: str):
    _register(page, live_app, "plain")
    page.goto(live_app + "/settings/instance")
    expect(page.locator("#form-error")).to_contain_text("Only the instance admin")


def test_a_login_with_several_pages_asks_which_to_connect(page: Page, live_app: str):
    _register(page, live_app, "paige")
    page.goto(live_app + "/accounts")
    page.click("#sandbox-facebook")
    expect(page).to_have_url(re.compile(r"/accounts/?\?pick="))
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Choose what to connect")
    choices = dialog.locator("button[role='checkbox']")
    expect(choices).to_have_count(2)
    choices.nth(1).click()  # both start selected: keep only the first
    page.screenshot(path=ARTIFACTS / "accounts-pick.png")
    page.click("#confirm-pick")
    cards = page.locator(".account-card[data-platform='facebook']")
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".account-status")).to_have_text("connected")


def test_screenshots_of_sign_in_and_accounts_pages(page: Page, live_app: str):
    for path, name in (("/login", "login"), ("/register", "register")):
        page.goto(live_app + path)
        expect(page.locator("#email")).to_be_visible()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=ARTIFACTS / f"{name}-{scheme}.png", full_page=True)
    page.emulate_media(color_scheme="light")
    _register(page, live_app, "shots")
    page.goto(live_app + "/accounts")
    page.click("#sandbox-mastodon")
    expect(page.locator(".account-card[data-platform='mastodon'] .account-status")).to_have_text(
        "connected"
    )
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=ARTIFACTS / f"accounts-{scheme}.png", full_page=True)


def _ws_handshake(base: str, origin: str) -> str:
    """The status line the app answers a websocket upgrade of its UI channel with."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            (
                "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        return sock.recv(200).decode(errors="replace").split("\r\n", 1)[0]


def test_websocket_refuses_foreign_origins_and_pages_carry_security_headers(live_app: str):
    import httpx

    assert " 101 " in _ws_handshake(live_app, live_app)
    assert " 101 " not in _ws_handshake(live_app, "http://evil.example")
    page = httpx.get(live_app + "/login/", follow_redirects=True)
    csp = page.headers["content-security-policy"]
    assert (
        "frame-ancestors 'none'" in csp
        and "'sha256-" in csp
        and "'unsafe-inline'" not in (csp.split("script-src", 1)[1].split(";", 1)[0])
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    evil = httpx.get(live_app + "/api/me", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in evil.headers


def test_admin_sets_who_may_register(page: Page, live_app: str):
    email = _register(page, live_app, "regadmin")
    update_user(email, is_instance_admin=True)
    page.goto(live_app + "/settings/instance")
    group = page.locator("#registration-policy")
    expect(group).to_be_visible()
    group.get_by_text("Invite-only").click()
    expect(page.get_by_text("Registration setting saved.")).to_be_visible()
    context = page.context.browser.new_context()
    stranger = context.new_page()
    stranger.goto(live_app + "/register")
    expect(stranger.locator("#signup-notice")).to_contain_text("by invitation")
    context.close()
    group.get_by_text("Open:").click()
    expect(page.get_by_text("Registration setting saved.").first).to_be_visible()


def test_a_reset_sandbox_is_said_once_and_reconnected_in_one_click(page: Page, live_app: str, sim):
    # Last in this module: it makes the module's simulator forget everything.
    _register(page, live_app, "reset")
    page.goto(live_app + "/accounts")
    page.click("#sandbox-x")
    expect(page).to_have_url(re.compile(r"/accounts/?\?connected="))
    page.click("#sandbox-bluesky")
    cards = page.locator(".account-card")
    expect(cards).to_have_count(2)
    expect(page.locator("#sandbox-reset")).to_have_count(0)
    sim.sim.reset()  # as when its saved state was deleted or is of an older format
    page.goto(live_app + "/accounts")
    notice = page.locator("#sandbox-reset")
    expect(notice).to_have_count(1)  # one notice for all the sandbox accounts
    expect(notice).to_contain_text("The sandbox was reset; your sandbox accounts must be")
    for status in cards.locator(".account-status").all():
        expect(status).to_have_text("expired")
    page.screenshot(path=ARTIFACTS / "accounts-sandbox-reset.png", full_page=True)
    page.click("#reconnect-sandbox")
    expect(notice).to_have_count(0)
    expect(cards).to_have_count(2)  # the same accounts, connected again
    for status in cards.locator(".account-status").all():
        expect(status).to_have_text("connected")


def test_sandbox_connect_is_quick_and_feels_real(page: Page, live_app: str, sim):
    """One-click sandbox connect in ≤ 2 s (asserted loosely: the machine is shared), a drawn
    avatar on the card, and a published post's "View on X" opens the simulator's page of it."""
    import datetime as dt
    import time

    _register(page, live_app, "quick")
    page.goto(live_app + "/accounts")
    button = page.locator("#sandbox-x")
    expect(button).to_be_enabled()
    card = page.locator(".account-card[data-platform='x']")
    started = time.monotonic()
    button.click()
    expect(card.locator(".account-status")).to_have_text("connected", timeout=10_000)
    took = time.monotonic() - started
    print(f"\nsandbox connect (click → card connected): {took:.2f} s")
    assert took <= 3.0, f"a sandbox connect took {took:.2f} s (target ≤ 2 s)"
    avatar = card.locator("img").first
    expect(avatar).to_have_attribute("src", re.compile(r"/api/sandbox/avatar/x/"))
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle()
    )

    me = page.request.get(live_app + "/api/me").json()
    headers = {"X-Workspace-Id": me["workspaces"][0]["id"]}
    [account] = page.request.get(live_app + "/api/accounts", headers=headers).json()
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
    made = page.request.post(
        live_app + "/api/posts",
        headers=headers,
        data={"content": "Sandbox permalink check", "account_ids": [account["id"]],
              "scheduled_at": due},
    )  # fmt: skip
    assert made.status == 201, made.text()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the worker publishes it
        post = page.request.get(f"{live_app}/api/posts/{made.json()['id']}", headers=headers)
        if post.json()["destinations"][0]["status"] == "published":
            break
        time.sleep(0.3)
    page.goto(live_app + "/")
    link = page.locator("a.permalink").first
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert "/api/sandbox/p/x/" in href and "x.com" not in href
    page.goto(live_app + "/calendar")  # the post's chip carries the drawn avatar, not a blank
    chip = page.locator(".fc-event img.herald-ev-avatar").first
    expect(chip).to_have_attribute("src", re.compile(r"/api/sandbox/avatar/x/"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chip.element_handle())
    page.goto(href)
    expect(page.locator("main.post .text")).to_have_text("Sandbox permalink check")
    expect(page.locator(".counts [data-counter='likes']")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "sandbox-permalink.png", full_page=True)


# Start a connect over the REST API (as the Accounts page's server side does), then either open
# the callback in the connection popup (today: its tiny page hands the result to the opener) or
# finish it in the background and open the Accounts page in the popup (before: the popup
# loaded the whole app only to hand the result over and close).
_POPUP_CONNECT = """async ([platform, wid, legacy]) => {
  const r = await fetch('/api/accounts/connect/' + platform, {method: 'POST',
    headers: {'content-type': 'application/json', 'x-workspace-id': wid},
    body: JSON.stringify({sandbox: true})});
  const url = (await r.json()).authorize_url;
  if (!legacy) { window.open(url, 'herald-connect', 'width=640,height=760'); return; }
  await fetch(url, {redirect: 'manual'});
  window.open('/accounts/?connected=' + platform, 'herald-connect', 'width=640,height=760');
}"""


def test_connect_popup_hands_over_without_loading_the_app(page: Page, live_app: str, sim):
    """The OAuth popup's callback is a tiny page now: it hands the result to the Accounts page
    and closes. Timed against the former popup, which loaded the whole app to do so."""
    import time

    _register(page, live_app, "popup")
    me = page.request.get(live_app + "/api/me").json()
    wid = me["workspaces"][0]["id"]
    figures = {}
    for platform, legacy in (("linkedin", True), ("mastodon", False)):
        page.goto(live_app + "/accounts")
        expect(page.locator("#sandbox-x")).to_be_enabled()
        card = page.locator(f".account-card[data-platform='{platform}'] .account-status")
        page.evaluate("window.__notReloaded = true")
        started = time.monotonic()
        with page.context.expect_page() as popup_info:
            page.evaluate(_POPUP_CONNECT, [platform, wid, legacy])
        popup = popup_info.value
        expect(card).to_have_text("connected", timeout=20_000)
        popup.wait_for_event("close", timeout=20_000) if not popup.is_closed() else None
        figures["before (popup loads the app)" if legacy else "now (tiny callback page)"] = (
            time.monotonic() - started
        )
        if not legacy:  # the Accounts page took the result in place, without reloading
            assert page.evaluate("window.__notReloaded === true")
            expect(page).to_have_url(re.compile(r"/accounts/?\?connected="))
    print("\nOAuth popup connect, click → card connected: "
          + ", ".join(f"{k}: {v:.2f} s" for k, v in figures.items()))  # fmt: skip
