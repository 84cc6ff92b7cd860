"""UI latency in real Chromium against the production build (`python -m app.cli web`):

- composer: keystroke → per-platform counter update, measured inside the page (keydown event
  time → the counter's DOM change), p50/p95 over `--keys` keystrokes;
- calendar: a month holding `--posts` posts, navigation start → every event rendered;
- every signed-in page: first load in a new browser context (cold cache: navigation start → the
  page's on_load events done, `#main-content[data-loaded]`; median of `--runs`, and the slowest),
  a warm load, and in-app navigation (a click on the sidebar link → the new page's on_load
  events done);
- dashboard: first load (navigation start → content loaded), cold and warm;
- sandbox connect: a click on "Sandbox account" → the account's card says connected, one per
  OAuth network in `SANDBOX_CONNECTS`.

`cpu_reference_s` (before) and `cpu_reference_after_s`: how long one core takes for a fixed
Python loop (`harness.cpu_reference_s`), the machine's speed during the run; the page figures
scale with it.

Figures last, as one JSON line. Targets (issue 14): first load ≤ 1.0 s and in-app navigation
≤ 300 ms on every page, calendar month with 500 posts ≤ 1.0 s, keystroke p95 ≤ 16 ms, sandbox
connect ≤ 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

from bench import harness

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# In the page: keydown on the text area starts a clock, the first change of the counter stops it.
KEY_PROBE = """([textSel, counterSel]) => {
  window.__lat = []; let t0 = null;
  const text = document.querySelector(textSel);
  const counter = document.querySelector(counterSel);
  text.addEventListener('keydown', e => { t0 = e.timeStamp; }, true);
  new MutationObserver(() => {
    if (t0 !== null) { window.__lat.push(performance.now() - t0); t0 = null; }
  }).observe(counter, {subtree: true, childList: true, characterData: true});
}"""


SANDBOX_CONNECTS = ("x", "linkedin", "threads", "tiktok", "pinterest")
# Every signed-in page: (its sidebar link's id or "" when it has none, its path).
PAGES = (
    ("nav-dashboard", "/"),
    ("nav-calendar", "/calendar"),
    ("nav-composer", "/composer"),
    ("nav-accounts", "/accounts"),
    ("nav-media", "/media"),
    ("nav-analytics", "/analytics"),
    ("nav-activity", "/activity"),
    ("nav-settings", "/settings/team"),
    ("", "/settings/profile"),
    ("", "/settings/workspace"),
    ("", "/settings/schedule"),
    ("", "/settings/billing"),
    ("", "/settings/keys"),
    ("", "/settings/webhooks"),
    ("", "/settings/instance"),
)


def loaded(path: str) -> str:
    return f"#main-content[data-loaded='{path}']"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--posts", type=int, default=500, help="posts in the calendar's month")
    parser.add_argument("--keys", type=int, default=120, help="keystrokes in the composer")
    parser.add_argument("--runs", type=int, default=5, help="page loads per measured page")
    return parser.parse_args(argv)


def start_web(env: dict[str, str]) -> tuple:
    port = harness.free_port()
    proc = harness.spawn("web", [sys.executable, "-m", "app.cli", "web"],
                         {**env, "HERALD_PORT": str(port)})  # fmt: skip
    url = f"http://localhost:{port}"
    try:  # the first build installs the frontend's packages
        harness.wait_http(f"{url}/login", proc, harness.LOGS / "web.log", timeout=900)
    except AssertionError:
        harness.stop(proc)
        raise
    return proc, url


def seed(sim: harness.Simulator, n_posts: int, month: dt.date) -> tuple[str, str]:
    """A user on the business plan with one account and `n_posts` posts in `month`."""
    from app import db
    from app.models import Tier, Workspace
    from app.services import auth, posts

    user, wid, made = harness.make_accounts(sim, 1)
    with db.session() as s:  # the month's load exceeds the free plan's scheduled posts
        ws = s.get(Workspace, wid)
        ws.subscription_tier = Tier.business
        s.add(ws)
    start = dt.datetime.combine(month, dt.time(6), dt.UTC)
    minutes = 27 * 24 * 60 // max(1, n_posts)
    for i in range(n_posts):
        at = start + dt.timedelta(minutes=i * minutes)
        data = posts.PostInput(content=f"Calendar load #{i}", account_ids=[made[0].id],
                               scheduled_at=at)  # fmt: skip
        posts.create_post(user, wid, data, mode="schedule")
    session = auth.login(user.email, "benchmark password", auth.Client("127.0.0.1", "bench"))
    return session.token, str(made[0].id)


def timed_load(page, url: str, ready: str, *then: str) -> float:
    """Seconds from navigation start until `ready` (a selector) is visible, then each of
    `then`."""
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    for selector in (ready, *then):
        page.wait_for_selector(selector, state="visible", timeout=60_000)
    return time.perf_counter() - began


def page_loads(browser, token: str, url: str, runs: int) -> dict:
    """Each page's first load (median of `runs`, each in a new browser context: a cold HTTP
    cache and a new state), its warm load (median of `runs`, a new tab in a context that has
    loaded the page: the state starts afresh, the HTTP cache is warm) and the in-app
    navigation to it through the sidebar (median of `runs`). The slowest single cold load of
    each page is reported too."""
    first: dict[str, float] = {}
    slowest_first: dict[str, float] = {}
    warm: dict[str, float] = {}
    for _, path in PAGES:
        colds, warms = [], []
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "herald_session", "value": token, "url": url}])
            colds.append(timed_load(context.new_page(), url + path, loaded(path)))
            page = context.new_page()
            warms.append(timed_load(page, url + path, loaded(path)))
            context.close()
        first[path] = statistics.median(colds)
        slowest_first[path] = max(colds)
        warm[path] = statistics.median(warms)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": "herald_session", "value": token, "url": url}])
    page = context.new_page()
    timed_load(page, url + "/activity", loaded("/activity"))
    navs: dict[str, list[float]] = {path: [] for link, path in PAGES if link}
    for _ in range(runs):
        for link, path in PAGES:
            if not link:
                continue
            began = time.perf_counter()
            page.click(f"#{link}")
            page.wait_for_selector(loaded(path), state="attached", timeout=60_000)
            navs[path].append(time.perf_counter() - began)
    context.close()
    nav = {path: statistics.median(times) for path, times in navs.items()}
    worst = max(first, key=first.__getitem__)
    slowest = max(nav, key=nav.__getitem__)
    return {
        "page_first_load_s": {p: round(v, 3) for p, v in first.items()},
        "page_first_load_slowest_s": {p: round(v, 3) for p, v in slowest_first.items()},
        "page_warm_load_s": {p: round(v, 3) for p, v in warm.items()},
        "page_nav_s": {p: round(v, 3) for p, v in nav.items()},
        "first_load_max_s": round(first[worst], 3),
        "first_load_max_page": worst,
        "nav_max_s": round(nav[slowest], 3),
        "nav_max_page": slowest,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    sim = harness.Simulator()
    env = {"HERALD_SANDBOX": "1", "HERALD_SANDBOX_URL": sim.url}
    harness.start_services(env)
    from playwright.sync_api import sync_playwright

    today = dt.date.today()
    month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # next month
    token, account_id = seed(sim, args.posts, month)
    web, url = start_web(env)
    figures: dict = {"posts_in_month": args.posts, "cpu_reference_s": harness.cpu_reference_s()}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "herald_session", "value": token, "url": url}])
            page = context.new_page()
            figures.update(page_loads(browser, token, url, args.runs))

            loads = [timed_load(page, f"{url}/", "#dashboard[data-loading='false']")
                     for _ in range(args.runs)]  # fmt: skip
            figures["dashboard_first_load_s"] = round(loads[0], 3)
            figures["dashboard_load_median_s"] = round(statistics.median(loads), 3)

            cal = f"{url}/calendar?view=dayGridMonth&date={month.isoformat()}"
            ready = f"#calendar-summary:has-text('{args.posts} posts')"
            events = ".fc-event[data-post-id]"  # the count and the events drawn
            loads = [timed_load(page, cal, ready, events) for _ in range(args.runs)]
            figures["calendar_month_first_s"] = round(loads[0], 3)
            figures["calendar_month_median_s"] = round(statistics.median(loads), 3)
            figures["calendar_events_rendered"] = page.locator(".fc-event").count()

            timed_load(page, f"{url}/composer", "#composer-text")
            page.click(f"#account-{account_id}")
            page.wait_for_selector("#counter-mastodon")
            page.evaluate(KEY_PROBE, ["#composer-text", "#counter-mastodon"])
            page.click("#composer-text")
            for _ in range(args.keys):
                page.keyboard.type("a")
                page.wait_for_timeout(30)
            latencies = page.evaluate("window.__lat")
            if len(latencies) < args.keys * 0.9:
                raise RuntimeError(f"only {len(latencies)} of {args.keys} keystrokes counted")
            figures["keystroke_p50_ms"] = round(harness.percentile(latencies, 50), 1)
            figures["keystroke_p95_ms"] = round(harness.percentile(latencies, 95), 1)
            figures["keystrokes"] = len(latencies)

            connects = []
            for platform in SANDBOX_CONNECTS:
                timed_load(page, f"{url}/accounts", f"#sandbox-{platform}:not([disabled])")
                began = time.perf_counter()
                page.click(f"#sandbox-{platform}")
                page.wait_for_selector(
                    f".account-card[data-platform='{platform}'] "
                    ".account-status:has-text('connected')",
                    timeout=60_000,
                )
                connects.append(time.perf_counter() - began)
            figures["sandbox_connect_first_s"] = round(connects[0], 3)
            figures["sandbox_connect_median_s"] = round(statistics.median(connects), 3)
            figures["sandbox_connect_max_s"] = round(max(connects), 3)
            browser.close()
    finally:
        harness.stop(web)
        sim.close()
        harness.SERVICES.stop()
    figures["cpu_reference_after_s"] = harness.cpu_reference_s()
    print(f"logs: {harness.LOGS}", file=sys.stderr)
    harness.emit(figures)


if __name__ == "__main__":
    main()
