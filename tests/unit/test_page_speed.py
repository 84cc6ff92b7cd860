"""What keeps pages fast: hashed assets cached for good, the icons' chunk group in the Vite
config, stat cards that name their icons statically, and one on_load event per signed-in
page."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.api.headers import security_headers
from app.ui.build_chunks import ANCHOR, group_icons
from app.ui.components.stat import ICONS


def _asset(request):
    name = request.path_params.get("name", "")
    if name.startswith("missing"):
        return PlainTextResponse("not found", status_code=404)
    return PlainTextResponse("export{}", media_type="text/javascript")


@pytest.fixture
def client() -> TestClient:
    app = Starlette(routes=[Route("/assets/{name}", _asset), Route("/login", _asset)])
    return TestClient(security_headers(app))


def test_hashed_assets_are_cached_for_good_and_nothing_else_is(client):
    r = client.get("/assets/root-aVwQVv0H.js")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["x-content-type-options"] == "nosniff"  # the security headers stay
    # The backend-URL chunk is rewritten in place when the configured URL changes.
    assert "cache-control" not in client.get("/assets/reflex-env-CMiQY6cd.js").headers
    assert "cache-control" not in client.get("/assets/missing-x.js").headers  # a 404
    assert "cache-control" not in client.get("/login").headers  # pages revalidate


def test_icons_group_is_added_once_after_reflexs_own_group():
    config = "groups: [\n            {\n              test: /env.json/,\n              " + ANCHOR
    once = group_icons(config)
    assert once.index("reflex-env") < once.index('name: "icons"')
    assert group_icons(once) == once  # a second compile leaves it as it is
    with pytest.raises(RuntimeError, match="ANCHOR"):
        group_icons("export default {}")


def test_stat_cards_only_use_icons_imported_by_name():
    from app.services import analytics, dashboard
    from app.ui.state.analytics_data import stat_tiles
    from app.ui.state.dashboard import _stats

    overview = _stats(dashboard.Stats(days=7, failed=1))
    followers = analytics.Followers(latest=None, change=None, series=[])
    counts = dict.fromkeys(
        ("posts_published", "likes", "comments", "shares", "views", "impressions", "clicks"), 0
    )
    stats = analytics.Stats(
        followers=followers,
        **counts,
        engagement_rate=None,
        engagement_rate_basis=None,
        top_posts=[],
    )
    tiles = stat_tiles(stats)
    used = {s.icon for s in [*overview, *tiles]}
    assert len(used) >= 8 and used <= set(ICONS)


def test_every_signed_in_page_loads_in_one_event():
    """The guard, the page's own loads and `loaded_path` run as one event (one state read, one
    update to the browser), not one event each."""
    from app.app import app
    from app.ui.state.auth import PAGE_LOADS, AuthState

    assert "/calendar" in PAGE_LOADS and "/composer" in PAGE_LOADS
    on_load = {
        kwargs["route"]: kwargs["on_load"]
        for _, kwargs in app._registration_context.decorated_pages
        if kwargs.get("route") in PAGE_LOADS
    }
    assert on_load.keys() == PAGE_LOADS.keys()
    for route, event in on_load.items():
        assert event.handler.fn is AuthState.open_page.fn, route
        assert str(event.args[0][1]).strip('"') == route
        assert all(load.state is not None for load in PAGE_LOADS[route]), route


@pytest.mark.anyio
async def test_a_page_load_passes_on_what_its_handlers_yield_and_return():
    from app.ui.state.auth import _run_load

    class Handler:
        def __init__(self, fn):
            self.fn = fn

    def steps(state):
        yield "first"
        yield None
        return "last"

    async def coroutine(state):
        return ["a", "b"]

    def fails(state):
        raise RuntimeError("boom")

    assert [s async for s in _run_load(None, Handler(steps))] == ["first", None, "last"]
    assert [s async for s in _run_load(None, Handler(coroutine))] == [["a", "b"]]
    assert [s async for s in _run_load(None, Handler(lambda state: None))] == []
    # Reported as Reflex reports a handler's error: its toast (which names the error only in
    # dev mode, and an earlier test in this process may have left it in prod mode).
    reported = [s async for s in _run_load(None, Handler(fails))]
    assert len(reported) == 1 and "An error occurred." in str(reported[0])


def test_an_abandoned_page_load_is_closed_quietly_from_another_context():
    """The event loop closes a page load the user left mid-way in a context of its own: the
    acting user it set belongs to the load's context, and closing must not raise there."""
    import contextvars

    from app.models import User
    from app.ui.state import auth

    user = User(email="ada@example.com", password_hash="x")
    acting = auth._acting_as(user)
    load = contextvars.copy_context()
    load.run(acting.__enter__)
    assert load.run(auth._ACTING.get) is user and auth._ACTING.get() is None
    acting.__exit__(GeneratorExit, GeneratorExit(), None)  # closed elsewhere: no ValueError
    assert auth._ACTING.get() is None
