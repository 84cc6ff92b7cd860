"""The Pinterest provider against the simulator over real HTTP (uvicorn in a thread).

The simulator is built with only PinterestSim (Simulator takes the platform classes), and the
provider is constructed directly, so nothing here depends on the registry or the default
platform list.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.pinterest import PinterestProvider
from app.providers.posts import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from simulator.oauth import ClientApp
from simulator.pinterest import SCHEMAS, PinterestSim
from tests.providers.flows import authorize_as, refresh_rotating
from tests.providers.helpers import PNG, SPECS, platform_of, publish_error, set_counts

SIMULATED = [PinterestSim]
SEED = 5

REDIRECT = "http://localhost:3000/oauth/pinterest/callback"
SPEC = SPECS / "pinterest" / "openapi.json"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def pin_sim(sim: Simulator) -> PinterestSim:
    return platform_of(sim, PinterestSim)


@pytest.fixture
def app(pin_sim: PinterestSim) -> ClientApp:
    return pin_sim.register_app([REDIRECT])


def make_provider(
    server: SimServer, http: httpx.Client, app: ClientApp, **kw: Any
) -> PinterestProvider:
    base = server.url_for("pinterest")
    kw.setdefault("media_wait_s", 3.0)
    return PinterestProvider(
        api_base=base + "/v5",
        auth_base=base + "/oauth/",
        client=http,
        client_id=app.client_id,
        client_secret=app.client_secret,
        media_poll_s=0.05,
        **kw,
    )


@pytest.fixture
def provider(server: SimServer, http: httpx.Client, app: ClientApp) -> PinterestProvider:
    return make_provider(server, http, app)


def connect(provider: PinterestProvider, username: str = "alice") -> TokenSet:
    url = provider.authorize_url(state="s-9", redirect_uri=REDIRECT)
    params = authorize_as(url, username).params
    assert params["state"] == "s-9"
    return provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)


@pytest.fixture
def token(provider: PinterestProvider) -> TokenSet:
    return connect(provider)


def minted(pin_sim: PinterestSim, app: ClientApp, username: str = "alice", **kw: Any) -> TokenSet:
    issued = pin_sim.issue_token(username, client_id=app.client_id, **kw)
    expires = datetime.fromtimestamp(issued["expires_at"], UTC)
    return TokenSet(issued["access_token"], issued["refresh_token"], expires, issued["scope"])


def board_id(pin_sim: PinterestSim, username: str = "alice") -> str:
    return pin_sim.boards_of(username)[0].id


def image_request(pin_sim: PinterestSim, text: str = "A pin", **opts: Any) -> PublishRequest:
    item = MediaItem.from_bytes(PNG, "image/png", "a.png", alt_text="a red dot")
    return PublishRequest(text=text, media=[item], options={"board_id": board_id(pin_sim), **opts})


def auth(token: TokenSet) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.access_token}"}


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_uses_basic_auth_and_comma_scopes(
    provider: PinterestProvider, server: SimServer, app: ClientApp
) -> None:
    url = provider.authorize_url(state="xyz", redirect_uri=REDIRECT)
    parsed = httpx.URL(url)
    assert parsed.path == "/pinterest/oauth/"
    assert parsed.params["scope"] == (
        "boards:read,boards:write,pins:read,pins:write,user_accounts:read"
    )
    assert "code_challenge" not in parsed.params
    token = connect(provider)
    assert token.refresh_token and token.expires_at and token.expires_at > datetime.now(UTC)
    assert "pins:write" in token.scope
    info = provider.account_info(token)
    assert info.username == "alice" and info.platform_account_id.isdigit()
    # The token endpoint refuses client credentials in the body (Basic only).
    r = httpx.post(
        server.url_for("pinterest") + "/v5/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token.refresh_token,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )
    assert r.status_code == 401 and set(r.json()) == {"code", "message"}


def test_authorization_code_is_single_use(provider: PinterestProvider) -> None:
    url = provider.authorize_url(state="s", redirect_uri=REDIRECT)
    code = httpx.URL(httpx.get(url).headers["location"]).params["code"]
    provider.exchange_code(code=code, redirect_uri=REDIRECT)
    with pytest.raises(PermanentError):
        provider.exchange_code(code=code, redirect_uri=REDIRECT)


def test_bad_client_secret_is_a_configuration_error(
    server: SimServer, http: httpx.Client, app: ClientApp
) -> None:
    bad = ClientApp(app.client_id, "wrong", app.redirect_uris)
    provider = make_provider(server, http, bad)
    with pytest.raises(PermanentError, match="app credentials"):
        provider.exchange_code(code="nope", redirect_uri=REDIRECT)


def test_refresh_rotates_and_the_old_refresh_token_is_refused(
    provider: PinterestProvider, token: TokenSet
) -> None:
    fresh = refresh_rotating(provider, token)
    assert provider.account_info(fresh).username == "alice"
    with pytest.raises(AuthError) as exc:
        provider.refresh(token)  # the rotated-out refresh token
    assert exc.value.refresh_may_help is False and exc.value.status == 400
    again = provider.refresh(fresh)
    assert again.refresh_token not in (fresh.refresh_token, token.refresh_token)


def test_expired_access_token_says_refresh_may_help(
    provider: PinterestProvider, pin_sim: PinterestSim, app: ClientApp
) -> None:
    token = minted(pin_sim, app, expires_in=-1)
    with pytest.raises(AuthError) as exc:
        provider.account_info(token)
    assert exc.value.refresh_may_help is True and exc.value.status == 401
    assert provider.account_info(provider.refresh(token)).username == "alice"


def test_missing_scope_needs_a_reconnect(
    provider: PinterestProvider, pin_sim: PinterestSim, app: ClientApp
) -> None:
    token = minted(pin_sim, app, scopes="boards:read,pins:read")
    exc = publish_error(provider, token, image_request(pin_sim), AuthError)
    assert exc.refresh_may_help is False and exc.code == "3"


# ------------------------------------------------------------------ boards


def test_boards_lists_only_the_users_boards_across_pages(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet
) -> None:
    for i in range(3):
        pin_sim.add_board("alice", f"Board {i}")
    pin_sim.add_board("bob", "Not yours")
    boards = provider.boards(token)
    assert [b["name"] for b in boards] == ["Ideas", "Board 0", "Board 1", "Board 2"]
    assert all(b["id"].isdigit() and b["privacy"] == "PUBLIC" for b in boards)
    r = httpx.get(
        provider.api_base + "/boards", params={"page_size": 2}, headers=auth(token)
    ).json()
    assert len(r["items"]) == 2 and r["bookmark"]


def test_pin_to_someone_elses_board_is_refused(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    other = pin_sim.add_board("bob", "Bob's")
    request = image_request(pin_sim)
    request.options["board_id"] = other.id
    exc = publish_error(provider, token, request, PermanentError)
    assert exc.status == 404 and exc.message == "Board not found."
    assert sim.posts() == []


# ------------------------------------------------------------------ publishing


def test_image_pin_base64(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    request = image_request(pin_sim, "Red dot", title="Dot", link="https://example.com/dot")
    assert provider.validate(request) == []
    result = provider.publish(token, request)
    assert result.state == "published" and result.platform_post_id
    assert result.permalink == f"https://www.pinterest.com/pin/{result.platform_post_id}/"
    (post,) = sim.posts("pinterest")
    assert post["post_id"] == result.platform_post_id and post["text"] == "Red dot"
    assert post["source_type"] == "image_base64" and post["title"] == "Dot"
    assert post["media"] == [{"type": "image/png", "size": len(PNG)}]
    pin = pin_sim.pins[result.platform_post_id]
    assert pin.alt_text == "a red dot" and pin.link == "https://example.com/dot"


def test_image_pin_by_url(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(
        text="From the web",
        options={"board_id": board_id(pin_sim), "media_url": "https://cdn.example.com/a.jpg"},
    )
    assert provider.validate(request) == []
    provider.publish(token, request)
    (post,) = sim.posts("pinterest")
    assert post["source_type"] == "image_url"
    assert post["media"] == [{"url": "https://cdn.example.com/a.jpg"}]


def test_carousel_pin(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    media = [MediaItem.from_bytes(PNG, "image/png", f"{i}.png") for i in range(2)]
    media.append(MediaItem.from_bytes(JPEG, "image/jpeg", "2.jpg"))
    request = PublishRequest("Three", media, {"board_id": board_id(pin_sim)})
    assert provider.validate(request) == []
    provider.publish(token, request)
    (post,) = sim.posts("pinterest")
    assert post["source_type"] == "multiple_image_base64" and len(post["media"]) == 3
    six = PublishRequest("Six", media * 2, {"board_id": board_id(pin_sim)})
    assert any("2 to 5 images" in e for e in provider.validate(six))


def test_video_pin_waits_for_processing(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("pinterest", media_processing_ms=150)
    media = [
        MediaItem.from_bytes(MP4, "video/mp4", "v.mp4"),
        MediaItem.from_bytes(PNG, "image/png", "cover.png"),
    ]
    request = PublishRequest("A video", media, {"board_id": board_id(pin_sim)})
    assert provider.validate(request) == []
    result = provider.publish(token, request)
    assert result.state == "published"
    (post,) = sim.posts("pinterest")
    assert post["source_type"] == "video_id" and post["media"][0]["size"] == len(MP4)


def test_slow_video_goes_pending_then_finalizes(
    server: SimServer, http: httpx.Client, app: ClientApp, pin_sim: PinterestSim, sim: Simulator
) -> None:
    provider = make_provider(server, http, app, media_wait_s=0.1)
    token = minted(pin_sim, app)
    sim.set_knobs("pinterest", media_processing_ms=600)
    request = PublishRequest(
        "Slow video",
        [MediaItem.from_bytes(MP4, "video/mp4", "v.mp4")],
        {"board_id": board_id(pin_sim), "cover_image_url": "https://cdn.example.com/c.jpg"},
    )
    result = provider.publish(token, request)
    assert result.state == "pending" and sim.posts() == []
    state = json.loads(json.dumps(result.pending_state))  # survives the database
    status = provider.check_status(token, state)
    assert status.state == "processing" and sim.posts() == []
    assert provider.finalize(token, state).state == "pending"
    time.sleep(0.6)
    assert provider.check_status(token, state).state == "ready"
    done = provider.finalize(token, state)
    assert done.state == "published" and len(sim.posts("pinterest")) == 1


def test_failed_video_processing_is_permanent(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("pinterest", instance={"media_processing_error": "corrupt"})
    request = PublishRequest(
        "Broken",
        [MediaItem.from_bytes(MP4, "video/mp4", "v.mp4")],
        {"board_id": board_id(pin_sim), "cover_image_key_frame_time": 1},
    )
    exc = publish_error(provider, token, request, PermanentError)
    assert exc.code == "media-processing-failed" and sim.posts() == []


def test_video_without_cover_fails_validation(
    provider: PinterestProvider, pin_sim: PinterestSim
) -> None:
    request = PublishRequest(
        "x", [MediaItem.from_bytes(MP4, "video/mp4", "v.mp4")], {"board_id": "1"}
    )
    assert any("cover" in e for e in provider.validate(request))


# ------------------------------------------------------------------ validation


def test_validation_limits(provider: PinterestProvider, pin_sim: PinterestSim) -> None:
    ok = image_request(pin_sim, "d" * 800, title="t" * 100, link="https://e.com/" + "a" * 2034)
    assert provider.validate(ok) == []
    long = image_request(pin_sim, "d" * 801, title="t" * 101, link="ftp://x")
    problems = provider.validate(long)
    assert any("801" in p for p in problems)
    assert any("title" in p for p in problems)
    assert any("link" in p for p in problems)
    none = PublishRequest("no media", options={})
    problems = provider.validate(none)
    assert "Choose “Board” for Pinterest." in problems
    assert any("image or a video" in p for p in problems)
    alt = image_request(pin_sim, alt_text="a" * 501, bogus=1)
    problems = provider.validate(alt)
    assert any("Alt text" in p for p in problems) and any("bogus" in p for p in problems)


def test_simulator_enforces_the_same_lengths(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    # The simulator refuses what validate() would have caught (no client-side check here).
    exc = publish_error(provider, token, image_request(pin_sim, "d" * 801), PermanentError)
    assert exc.status == 400 and "maxLength=800" in exc.message
    with pytest.raises(PermanentError) as exc:
        provider.publish(token, image_request(pin_sim, title="t" * 101))
    assert "maxLength=100" in exc.value.message
    provider.publish(token, image_request(pin_sim, "d" * 800, title="t" * 100))
    assert len(sim.posts()) == 1


# ------------------------------------------------------------------ strictness


def _raw_pin(provider: PinterestProvider, token: TokenSet, body: Any) -> httpx.Response:
    return httpx.post(provider.api_base + "/pins", json=body, headers=auth(token))


def test_strict_pin_bodies(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    data = base64.b64encode(PNG).decode()
    image = {"source_type": "image_base64", "content_type": "image/png", "data": data}
    cases = [
        ({"media_source": image}, "board_id: Missing data"),
        ({"board_id": board_id(pin_sim)}, "media_source: Missing data"),
        ({"board_id": "abc", "media_source": image}, "board_id: does not match"),
        (
            {"board_id": board_id(pin_sim), "media_source": {"source_type": "image_file"}},
            "source_type: must be one of",
        ),
        (
            {"board_id": board_id(pin_sim), "media_source": {**image, "content_type": "image/gif"}},
            "content_type: must be one of",
        ),
        (
            {"board_id": board_id(pin_sim), "media_source": {**image, "data": "not base64!"}},
            "data: does not match",
        ),
        (
            {
                "board_id": board_id(pin_sim),
                "media_source": {"source_type": "multiple_image_urls", "items": [{"url": "h"}]},
            },
            "constraint: minItems=2",
        ),
        (
            {
                "board_id": board_id(pin_sim),
                "media_source": {"source_type": "image_base64", "content_type": "image/png"},
            },
            "data: Missing data",
        ),
    ]
    for body, needle in cases:
        r = _raw_pin(provider, token, body)
        assert r.status_code == 400, (body, r.text)
        err = r.json()
        assert set(err) == {"code", "message"} and needle in err["message"], (needle, err)
    jpeg_as_png = {**image, "data": base64.b64encode(JPEG).decode()}
    r = _raw_pin(provider, token, {"board_id": board_id(pin_sim), "media_source": jpeg_as_png})
    assert r.status_code == 400 and "does not match the image" in r.json()["message"]
    assert sim.posts() == []


def test_embedded_schemas_match_the_vendor_document() -> None:
    if not SPEC.exists():
        pytest.skip("vendor document not available")
    schemas = json.loads(SPEC.read_text())["components"]["schemas"]
    for name, ours in SCHEMAS.items():
        theirs = schemas[name]
        for prop, spec in ours.get("properties", {}).items():
            vendor = theirs["properties"][prop]
            for key in ("maxLength", "pattern", "minItems", "maxItems", "enum", "minimum"):
                if key in vendor:
                    assert spec.get(key) == vendor[key], (name, prop, key)
        assert sorted(ours.get("required", [])) == sorted(theirs.get("required", [])), name
    mapping = schemas["PinMediaSource"]["discriminator"]["mapping"]
    ours_map = SCHEMAS["PinMediaSource"]["discriminator"]["mapping"]
    assert {k: v.rsplit("/", 1)[-1] for k, v in mapping.items()} == ours_map


# ------------------------------------------------------------------ errors


def test_rate_limited_uses_the_configured_backoff(
    server: SimServer, http: httpx.Client, app: ClientApp, pin_sim: PinterestSim, sim: Simulator
) -> None:
    provider = make_provider(server, http, app, rate_limit_backoff_s=120)
    token = minted(pin_sim, app)
    sim.inject("pinterest", "429", path="/v5/pins", method="POST")
    before = datetime.now(UTC)
    exc = publish_error(provider, token, image_request(pin_sim), RateLimited)
    assert exc.retry_at >= before + timedelta(seconds=119)
    assert sim.posts() == []


def test_quota_exhaustion_is_rate_limited(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("pinterest", quotas={"org_write": {"limit": 1, "window_s": 60}})
    provider.publish(token, image_request(pin_sim))
    with pytest.raises(RateLimited):
        provider.publish(token, image_request(pin_sim))
    assert len(sim.posts()) == 1


def test_server_error_is_transient_and_sent(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("pinterest", "503", path="/v5/pins")
    exc = publish_error(provider, token, image_request(pin_sim), TransientError)
    assert exc.sent is True and exc.status == 503


def test_media_step_failures_are_never_sent(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("pinterest", "500", path="/v5/media")
    request = PublishRequest(
        "v",
        [MediaItem.from_bytes(MP4, "video/mp4", "v.mp4")],
        {"board_id": board_id(pin_sim), "cover_image_key_frame_time": 0},
    )
    exc = publish_error(provider, token, request, TransientError)
    assert exc.sent is False and sim.posts() == []


def test_connect_error_is_not_sent(http: httpx.Client, app: ClientApp) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = PinterestProvider(
        api_base=f"http://127.0.0.1:{port}/v5",
        client=http,
        client_id=app.client_id,
        client_secret=app.client_secret,
    )
    token = TokenSet("x")
    with pytest.raises(TransientError) as exc:
        provider.account_info(token)
    assert exc.value.sent is False


def test_injected_401_and_404(provider: PinterestProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("pinterest", "expired_token", account="alice")
    with pytest.raises(AuthError) as exc:
        provider.account_info(token)
    assert exc.value.refresh_may_help is True
    with pytest.raises(PermanentError) as missing:
        provider.post_metrics(token, "12345")
    assert missing.value.status == 404 and missing.value.message == "Pin not found."


def test_timeout_after_accept_then_find_recent(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    earlier = provider.publish(token, image_request(pin_sim, "before"))
    time.sleep(1.05)  # created_at has whole seconds
    since = datetime.now(UTC)
    sim.inject("pinterest", "timeout_after_accept", path="/v5/pins", method="POST")
    request = image_request(pin_sim, "did this get pinned?")
    started = time.monotonic()
    exc = publish_error(provider, token, request, TransientError)
    assert exc.sent is True and exc.status is None
    assert 0.9 < time.monotonic() - started < 3
    posts = sim.posts("pinterest")
    assert len(posts) == 2
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [
        (posts[1]["post_id"], "did this get pinned?")
    ]
    assert earlier.platform_post_id not in {r.platform_post_id for r in found}


def test_find_recent_pages(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    for i in range(3):
        provider.publish(token, image_request(pin_sim, f"pin {i}"))
    found = provider.find_recent(token, since)
    assert [r.text for r in found] == ["pin 2", "pin 1", "pin 0"]


# ------------------------------------------------------------------ metrics


def test_post_and_account_metrics(
    provider: PinterestProvider, pin_sim: PinterestSim, token: TokenSet, server: SimServer
) -> None:
    result = provider.publish(token, image_request(pin_sim))
    pin_id = result.platform_post_id
    assert pin_id
    set_counts(
        f"{server.url}/_sim/pinterest/pins/{pin_id}",
        {"IMPRESSION": 90, "SAVE": 3, "PIN_CLICK": 7, "OUTBOUND_CLICK": 2},
    )
    assert provider.post_metrics(token, pin_id) == {
        "views": 90,
        "saves": 3,
        "clicks": 7,
        "outbound_clicks": 2,
    }
    pin_sim.ensure_user("alice", follower_count=12, following_count=4, monthly_views=1000)
    assert provider.account_metrics(token) == {
        "followers": 12,
        "following": 4,
        "posts": 1,
        "views": 1000,
    }
