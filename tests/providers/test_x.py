"""The X provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import hashlib
import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers import get_provider
from app.providers.accounts import TokenSet
from app.providers.base import make_code_verifier
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.posts import MediaItem, PublishRequest
from app.providers.x import XProvider
from app.providers.x_text import weighted_length
from simulator import SimServer, Simulator
from simulator.oauth import ClientApp
from simulator.x import E_DUPLICATE, E_TOO_LONG, FIELD_ENUMS, SCHEMAS
from tests.providers.checks import (
    assert_account_metrics,
    assert_found_after_timeout,
    assert_post_metrics,
    assert_refused_not_sent,
)
from tests.providers.flows import pkce_round_trip, refresh_rotating
from tests.providers.helpers import PNG, SPECS, CountingStream, one_post, publish_error

SEED = 11

REDIRECT = "http://localhost:3000/oauth/x/callback"
SPEC = SPECS / "x" / "openapi.json"
MIB = 1024 * 1024


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module", autouse=True)
def _compiled_text_rules() -> None:
    """Compile X's URL patterns before the first request: compiling takes seconds on a busy
    machine, more than the 1 s the provider's client waits for the simulator's answer."""
    weighted_length("see https://example.com")


@pytest.fixture
def app(sim: Simulator) -> ClientApp:
    return sim["x"].register_app([REDIRECT])  # type: ignore[attr-defined]


def make_provider(server: SimServer, http: httpx.Client, app: ClientApp, **kw: Any) -> XProvider:
    p = get_provider(
        "x",
        api_base=server.url_for("x"),
        auth_base=server.url_for("x"),
        client=http,
        client_id=app.client_id,
        client_secret=app.client_secret,
        media_wait_s=5.0,
        media_poll_s=0.05,
        **kw,
    )
    assert isinstance(p, XProvider)
    return p


@pytest.fixture
def provider(server: SimServer, http: httpx.Client, app: ClientApp) -> XProvider:
    return make_provider(server, http, app)


def connect(provider: XProvider, username: str = "alice") -> TokenSet:
    """The real OAuth round trip, then the account's ids recorded in the token."""
    token = pkce_round_trip(provider, REDIRECT, username)
    provider.account_info(token)  # records user_id/username in token.extra
    return token


@pytest.fixture
def token(provider: XProvider) -> TokenSet:
    return connect(provider)


def minted(sim: Simulator, app: ClientApp, username: str = "alice", **kw: Any) -> TokenSet:
    issued = sim["x"].issue_token(username, client_id=app.client_id, **kw)  # type: ignore[attr-defined]
    expires = datetime.fromtimestamp(issued["expires_at"], UTC)
    return TokenSet(issued["access_token"], issued["refresh_token"], expires, issued["scope"])


def auth(token: TokenSet) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.access_token}"}


def video_bytes(size: int) -> bytes:
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = hashlib.sha256(b"seed").digest() * (size // 32 + 1)
    return (head + body)[:size]


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_with_pkce(provider: XProvider, app: ClientApp, server: SimServer) -> None:
    verifier = make_code_verifier()
    url = provider.authorize_url(state="xyz", redirect_uri=REDIRECT, code_verifier=verifier)
    assert url.startswith(server.url_for("x") + "/i/oauth2/authorize?")
    query = httpx.URL(url).params
    assert query["scope"] == "tweet.read tweet.write users.read media.write offline.access"
    assert query["code_challenge_method"] == "S256" and query["client_id"] == app.client_id

    location = httpx.URL(httpx.get(url).headers["location"])
    assert str(location).startswith(REDIRECT) and location.params["state"] == "xyz"
    code = location.params["code"]

    with pytest.raises(PermanentError) as wrong:  # wrong PKCE verifier
        provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier="x" * 64)
    assert (wrong.value.status, wrong.value.code) == (400, "invalid_request")
    assert wrong.value.message == "Value passed for the authorization code was invalid."

    before = datetime.now(UTC)
    token = provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    assert token.refresh_token and token.has_scope("tweet.write")
    assert token.expires_at is not None
    assert abs((token.expires_at - before).total_seconds() - 7200) < 5

    with pytest.raises(PermanentError):  # codes are single-use
        provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)

    info = provider.account_info(token)
    assert info.username == "alice" and info.platform_account_id.isdigit()
    assert token.extra["user_id"] == info.platform_account_id == info.metadata["user_id"]

    provider.revoke(token)
    with pytest.raises(AuthError) as revoked:
        provider.account_info(token)
    assert revoked.value.status == 401 and revoked.value.refresh_may_help is True
    with pytest.raises(AuthError) as dead:  # the refresh token went with it
        provider.refresh(token)
    assert dead.value.refresh_may_help is False


def test_client_authentication(
    provider: XProvider, server: SimServer, http: httpx.Client, sim: Simulator
) -> None:
    with pytest.raises(PermanentError, match="PKCE"):
        provider.authorize_url(state="s", redirect_uri=REDIRECT)

    # A public client (no secret) sends client_id in the body instead of HTTP Basic.
    public = sim["x"].register_app([REDIRECT], confidential=False)  # type: ignore[attr-defined]
    assert public.client_secret is None
    assert connect(make_provider(server, http, public), "bob").extra["username"] == "bob"

    # A confidential client with the wrong secret: Herald's configuration, not the account.
    bad = make_provider(server, http, provider_app(provider, secret="nope"))
    verifier = make_code_verifier()
    url = bad.authorize_url(state="s", redirect_uri=REDIRECT, code_verifier=verifier)
    code = httpx.URL(httpx.get(url).headers["location"]).params["code"]
    with pytest.raises(PermanentError) as exc:
        bad.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    assert exc.value.status == 401 and "app credentials" in exc.value.message
    assert not isinstance(exc.value, AuthError)

    # An unregistered redirect URI never reaches the callback.
    page = httpx.get(
        provider.authorize_url(
            state="s", redirect_uri="https://evil.example/cb", code_verifier=verifier
        )
    )
    assert page.status_code == 400 and "callback" in page.text


def provider_app(provider: XProvider, secret: str) -> ClientApp:
    assert provider.client_id is not None
    return ClientApp(provider.client_id, secret, [REDIRECT])


def test_refresh_rotates_and_the_old_refresh_token_stops_working(
    provider: XProvider, app: ClientApp, sim: Simulator
) -> None:
    token = minted(sim, app, expires_in=60)  # refresh ahead of expiry
    token.extra["user_id"] = "kept"
    new = refresh_rotating(provider, token)
    assert new.expires_at is not None and new.expires_at > datetime.now(UTC) + timedelta(hours=1)
    assert new.extra["user_id"] == "kept" and new.scope == token.scope
    provider.account_info(new)

    with pytest.raises(AuthError) as reused:  # single use
        provider.refresh(token)
    assert reused.value.refresh_may_help is False
    assert (reused.value.status, reused.value.code) == (400, "invalid_request")
    assert reused.value.message == "Value passed for the token was invalid."
    # Replaying a rotated token ends the whole grant (X revokes the token family).
    with pytest.raises(AuthError) as family:
        provider.account_info(new)
    assert family.value.refresh_may_help is True
    with pytest.raises(AuthError):
        provider.refresh(new)

    with pytest.raises(AuthError) as none:  # no offline.access: nothing to refresh with
        provider.refresh(TokenSet("t", None))
    assert none.value.refresh_may_help is False


def test_refresh_keeps_a_refresh_token_the_platform_did_not_replace(provider: XProvider) -> None:
    previous = TokenSet("old", "keep-me", None, "tweet.read", {"user_id": "1"})
    new = provider._token_set({"access_token": "a", "expires_in": 7200}, previous=previous)
    assert (new.refresh_token, new.scope, new.extra["user_id"]) == ("keep-me", "tweet.read", "1")


def test_expired_access_token_is_401_then_refresh_helps(
    provider: XProvider, app: ClientApp, sim: Simulator
) -> None:
    token = minted(sim, app, expires_in=0)
    exc = publish_error(provider, token, PublishRequest(text="too late"), AuthError)
    assert exc.status == 401 and exc.refresh_may_help is True
    assert exc.message == "Unauthorized"
    assert sim.posts() == []
    fresh = provider.refresh(token)
    assert provider.publish(fresh, PublishRequest(text="after refresh")).state == "published"


# ------------------------------------------------------------------ publishing


def test_publish_text_and_find_it_again(
    provider: XProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC)
    text = "Hello <world> & 世界 🌍\nsee https://example.com/a?b=1 #Herald"
    result = provider.publish(token, PublishRequest(text=text, idempotency_key="dest-1"))

    assert result.state == "published"
    post = one_post(sim, "x")
    assert post["post_id"] == result.platform_post_id and post["text"] == text
    assert result.permalink == post["permalink"] == f"https://x.com/alice/status/{post['post_id']}"
    assert post["idempotency_key"] is None  # X has no idempotency key

    recent = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in recent] == [(result.platform_post_id, text)]
    assert recent[0].permalink == result.permalink
    assert provider.find_recent(token, datetime.now(UTC) + timedelta(seconds=2)) == []


def test_publish_with_image_and_alt_text(
    provider: XProvider, token: TokenSet, sim: Simulator, seen: list
) -> None:
    item = MediaItem.from_bytes(PNG, "image/png", "dot.png", alt_text="A single dot")
    result = provider.publish(token, PublishRequest(text="", media=[item]))

    post = one_post(sim, "x")
    assert post["post_id"] == result.platform_post_id and post["text"] == ""
    assert [(m["type"], m["size"], m["sha256"]) for m in post["media"]] == [
        ("tweet_image", len(PNG), hashlib.sha256(PNG).hexdigest())
    ]
    assert sim["x"].media[post["media"][0]["id"]].alt_text == "A single dot"  # type: ignore[attr-defined]
    calls = [(m, p.removeprefix("/x"), s) for m, p, s in seen if "/media/" in p]
    assert calls == [("POST", "/2/media/upload", 200), ("POST", "/2/media/metadata", 200)]


def test_video_is_chunked_streamed_and_finalized_after_processing(
    provider: XProvider, token: TokenSet, sim: Simulator, seen: list
) -> None:
    sim.set_knobs("x", media_processing_ms=700, instance={"check_after_secs": 0})
    data = video_bytes(2 * MIB + 12345)
    CountingStream.largest = 0
    video = MediaItem("video/mp4", len(data), lambda: CountingStream(data), "clip.mp4")
    provider.media_wait_s = 0.15
    result = provider.publish(token, PublishRequest(text="a video", media=[video]))

    assert result.state == "pending" and sim.posts() == []
    assert CountingStream.largest == MIB  # read 1 MiB at a time, never the whole file
    chunked = [(m, p.rsplit("/", 1)[-1], s) for m, p, s in seen if "/media/upload/" in p]
    assert chunked == [("POST", "initialize", 200)] + [("POST", "append", 200)] * 3 + [
        ("POST", "finalize", 200)
    ]
    status = provider.check_status(token, result.pending_state)
    assert status.state == "processing" and status.retry_after is not None
    assert provider.finalize(token, result.pending_state).state == "pending"
    assert sim.posts() == []

    deadline = time.monotonic() + 5
    while provider.check_status(token, result.pending_state).state != "ready":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    final = provider.finalize(token, json.loads(json.dumps(result.pending_state)))
    assert final.state == "published"
    media = one_post(sim, "x")["media"]
    assert [(m["type"], m["size"]) for m in media] == [("tweet_video", len(data))]
    assert media[0]["sha256"] == hashlib.sha256(data).hexdigest()  # chunks reassembled in order


def test_video_processing_within_the_wait_publishes_directly(
    provider: XProvider, token: TokenSet, sim: Simulator, seen: list
) -> None:
    sim.set_knobs("x", media_processing_ms=250, instance={"check_after_secs": 0})
    data = video_bytes(300_000)
    video = MediaItem.from_bytes(data, "video/mp4", "short.mp4")
    result = provider.publish(token, PublishRequest(text="quick video", media=[video]))

    assert result.state == "published"
    polls = [s for m, p, s in seen if m == "GET" and p.endswith("/2/media/upload")]
    assert polls and set(polls) == {200}
    assert one_post(sim, "x")["media"][0]["sha256"] == hashlib.sha256(data).hexdigest()


def test_failed_media_processing_is_permanent_and_posts_nothing(
    provider: XProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs(
        "x",
        media_processing_ms=50,
        instance={"check_after_secs": 0, "media_processing_error": "Unsupported video codec"},
    )
    video = MediaItem.from_bytes(video_bytes(50_000), "video/mp4", "bad.mp4")
    exc = publish_error(
        provider, token, PublishRequest(text="broken video", media=[video]), PermanentError
    )
    assert exc.code == "media-processing-failed"
    assert "Unsupported video codec" in exc.message
    assert sim.posts() == []


def test_thread(provider: XProvider, token: TokenSet, sim: Simulator) -> None:
    request = PublishRequest(
        text="1/3 a thread",
        options={"thread": ["2/3 middle", "3/3 end"], "reply_settings": "following"},
    )
    result = provider.publish(token, request)

    posts = sim.posts("x")
    assert [p["text"] for p in posts] == ["1/3 a thread", "2/3 middle", "3/3 end"]
    ids = [p["post_id"] for p in posts]
    assert result.extra["thread_ids"] == ids and result.platform_post_id == ids[0]
    assert [p["in_reply_to_tweet_id"] for p in posts] == [None, ids[0], ids[1]]
    assert {p["reply_settings"] for p in posts} == {"following"}


def test_thread_failing_midway_reports_what_was_published(
    provider: XProvider, token: TokenSet, sim: Simulator
) -> None:
    provider.publish(token, PublishRequest(text="already said"))
    exc = publish_error(
        provider,
        token,
        PublishRequest(text="new", options={"thread": ["already said"]}),
        PermanentError,
    )
    assert exc.duplicate is True and exc.details["failed_part"] == 1
    assert exc.details["published_ids"] == [sim.posts("x")[-1]["post_id"]]


@pytest.mark.parametrize(
    ("fits", "over"),
    [
        ("😷" * 140, "😷" * 140 + "a"),  # emoji weigh 2
        ("👨\u200d👩\u200d👧\u200d👦" * 140, "👨\u200d👩\u200d👧\u200d👦" * 140 + "."),  # ZWJ
        ("あ" * 140, "あ" * 140 + "a"),  # CJK weighs 2
        ("x" * 256 + " https://example.com/" + "p" * 200, "x" * 257 + " https://example.com/"),
        ("e\u0301" * 280, "e\u0301" * 281),  # NFC: é is one character
        ("—‘’“”…" * 35 + "a" * 35, "—‘’“”…" * 35 + "a" * 36),  # quotes/dashes 1, "…" 2
    ],
)
def test_weighted_length_at_the_280_boundary(
    provider: XProvider, token: TokenSet, sim: Simulator, fits: str, over: str
) -> None:
    from simulator.x import weighted_length as sim_length

    assert provider.limits.count_text(fits) == 280 == sim_length(fits)
    assert provider.limits.count_text(over) == 281 == sim_length(over)
    assert provider.validate(PublishRequest(text=fits)) == []
    assert provider.validate(PublishRequest(text=over)) == [
        "The post is 281 characters as X counts them; the limit is 280 (a link counts as 23, "
        "an emoji or a CJK character as 2)."
    ]
    provider.publish(token, PublishRequest(text=fits))
    exc = publish_error(provider, token, PublishRequest(text=over), PermanentError)
    assert exc.status == 400 and exc.message == E_TOO_LONG
    assert exc.code == "invalid-request" and not exc.duplicate
    assert [p["text"] for p in sim.posts("x")] == [fits]


def test_duplicate_is_permanent(provider: XProvider, token: TokenSet, sim: Simulator) -> None:
    provider.publish(token, PublishRequest(text="same words"))
    exc = publish_error(provider, token, PublishRequest(text="same words"), PermanentError)
    assert exc.duplicate is True and exc.status == 403
    assert exc.message == E_DUPLICATE
    assert len(sim.posts("x")) == 1

    sim.inject("x", "duplicate", path="/2/tweets")
    with pytest.raises(PermanentError) as injected:
        provider.publish(token, PublishRequest(text="fresh words"))
    assert injected.value.duplicate is True


# ------------------------------------------------------------------ error classes


def test_429_gives_rate_limited_at_the_reset_time(
    provider: XProvider, token: TokenSet, sim: Simulator
) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=7)).replace(microsecond=0)
    sim.inject("x", "429", path="/2/tweets", reset_at=reset.isoformat())
    exc = publish_error(provider, token, PublishRequest(text="too fast"), RateLimited)
    assert exc.retry_at == reset and exc.message == "Too Many Requests"
    assert sim.posts() == []


def test_rate_windows_per_user_and_24_hour_caps(
    provider: XProvider, token: TokenSet, sim: Simulator, server: SimServer
) -> None:
    ok = httpx.post(f"{server.url_for('x')}/2/tweets", json={"text": "one"}, headers=auth(token))
    assert ok.status_code == 201
    assert (
        ok.headers["x-rate-limit-limit"] == "100" and ok.headers["x-rate-limit-remaining"] == "99"
    )
    assert int(ok.headers["x-rate-limit-reset"]) > time.time()
    assert ok.headers["x-app-limit-24hour-limit"] == "10000"

    sim.set_knobs("x", account="alice", quotas={"tweets": {"limit": 2, "window_s": 900}})
    provider.publish(token, PublishRequest(text="two"))
    window = publish_error(provider, token, PublishRequest(text="three"), RateLimited)
    expected = datetime.now(UTC) + timedelta(seconds=900)
    assert abs((window.retry_at - expected).total_seconds()) < 5

    # The 24-hour cap is exhausted while the 15-minute window still has room: its reset wins.
    bob = connect(provider, "bob")
    sim.set_knobs("x", account="bob", quotas={"tweets_24h_user": {"limit": 1, "window_s": 86400}})
    provider.publish(bob, PublishRequest(text="bob one"))
    with pytest.raises(RateLimited) as daily:
        provider.publish(bob, PublishRequest(text="bob two"))
    expected = datetime.now(UTC) + timedelta(hours=24)
    assert abs((daily.value.retry_at - expected).total_seconds()) < 5
    assert [p["text"] for p in sim.posts("x")] == ["one", "two", "bob one"]


def test_503_is_transient_and_sent(provider: XProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("x", "503", path="/2/tweets")
    exc = publish_error(provider, token, PublishRequest(text="maybe"), TransientError)
    assert exc.sent is True and exc.status == 503
    assert exc.message == "Service Unavailable" and sim.posts() == []


def test_media_step_failures_are_never_sent(
    provider: XProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("x", "503", path="/2/media/upload")
    item = MediaItem.from_bytes(PNG, "image/png", "a.png")
    exc = publish_error(
        provider, token, PublishRequest(text="with media", media=[item]), TransientError
    )
    assert exc.sent is False and sim.posts() == []


def test_timeout_after_accept_then_find_recent(
    provider: XProvider, app: ClientApp, sim: Simulator, seen: list
) -> None:
    token = minted(sim, app)  # only the token: find_recent must find the user id itself
    since = datetime.now(UTC)
    request = PublishRequest(text="did this get posted?")
    assert_found_after_timeout(provider, token, sim, "/2/tweets", request, since, 1.0)
    provider.find_recent(token, since)
    assert sum(1 for _, p, _ in seen if p.endswith("/2/users/me")) == 1  # cached per token
    with pytest.raises(PermanentError) as again:  # a blind retry would be refused anyway
        provider.publish(token, request)
    assert again.value.duplicate is True and len(sim.posts()) == 1


def test_find_recent_pages_through_the_timeline(
    provider: XProvider, token: TokenSet, sim: Simulator, seen: list
) -> None:
    since = datetime.now(UTC)
    for i in range(7):
        provider.publish(token, PublishRequest(text=f"post {i}"))
    found = provider.find_recent(token, since)
    assert [r.text for r in found] == [f"post {i}" for i in reversed(range(7))]
    # With small pages the provider follows next_token.
    server_page = httpx.get(
        f"{provider.api_base}/2/users/{token.extra['user_id']}/tweets",
        params={"max_results": 5, "post.fields": "created_at"},
        headers=auth(token),
    ).json()
    assert server_page["meta"]["result_count"] == 5 and "next_token" in server_page["meta"]
    rest = httpx.get(
        f"{provider.api_base}/2/users/{token.extra['user_id']}/tweets",
        params={"max_results": 5, "pagination_token": server_page["meta"]["next_token"]},
        headers=auth(token),
    ).json()
    assert [t["text"] for t in rest["data"]] == ["post 1", "post 0"]


def test_post_fields_are_named_as_the_vendor_document_names_them(
    provider: XProvider, token: TokenSet, server: SimServer, seen: list
) -> None:
    """`GET /2/tweets/{id}` and `GET /2/users/{id}/tweets` declare `post.fields`; the old
    `tweet.fields` is an unknown query parameter there (400), and the provider never sends it."""
    result = provider.publish(token, PublishRequest(text="fields"))
    provider.find_recent(token, datetime.now(UTC) - timedelta(minutes=1))
    provider.post_metrics(token, str(result.platform_post_id))
    base = server.url_for("x")
    for path in (
        f"/2/tweets/{result.platform_post_id}",
        f"/2/users/{token.extra['user_id']}/tweets",
    ):
        old = httpx.get(base + path, params={"tweet.fields": "created_at"}, headers=auth(token))
        assert old.status_code == 400 and "[tweet.fields] is not one of" in old.text
        new = httpx.get(base + path, params={"post.fields": "created_at"}, headers=auth(token))
        assert new.status_code == 200, new.text
    assert all(status == 200 for method, _, status in seen if method == "GET")


def test_connection_refused_is_transient_and_not_sent(http: httpx.Client) -> None:
    assert_refused_not_sent(
        XProvider,
        http,
        TokenSet("t", extra={"user_id": "1"}),
        PublishRequest(text="hello"),
        client_id="c",
    )


def test_auth_failures(provider: XProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("x", "expired_token", account="alice")
    exc = publish_error(provider, token, PublishRequest(text="x"), AuthError)
    assert exc.status == 401 and exc.refresh_may_help is True

    # An app-only bearer token on a user-context endpoint: refreshing cannot fix that.
    app_only = sim["x"].issue_app_token()  # type: ignore[attr-defined]
    with pytest.raises(AuthError) as unsupported:
        provider.publish(TokenSet(app_only, extra={"user_id": "1"}), PublishRequest(text="x"))
    assert unsupported.value.status == 403 and unsupported.value.refresh_may_help is False
    assert unsupported.value.code == "unsupported-authentication"
    assert sim.posts() == []


def test_metrics(provider: XProvider, token: TokenSet, server: SimServer) -> None:
    result = provider.publish(token, PublishRequest(text="measure me"))
    assert_post_metrics(
        provider,
        token,
        result.platform_post_id,
        f"{server.url}/_sim/x/tweets/{result.platform_post_id}",
        {"like_count": 5, "retweet_count": 2, "reply_count": 1, "impression_count": 90},
        {"likes": 5, "comments": 1, "shares": 2, "quotes": 0, "views": 90},
    )
    assert_account_metrics(
        provider,
        token,
        f"{server.url}/_sim/x/users/alice",
        {"followers_count": 12},
        {"followers": 12, "following": 0, "posts": 1},
    )
    with pytest.raises(PermanentError) as missing:
        provider.post_metrics(token, "1234567890123456789")
    assert missing.value.code == "resource-not-found"
    assert "Could not find tweet" in missing.value.message


# ------------------------------------------------------------------ strictness


def test_strict_tweet_bodies_and_auth(
    provider: XProvider, token: TokenSet, server: SimServer, sim: Simulator
) -> None:
    url = f"{server.url_for('x')}/2/tweets"

    def post(body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.post(url, json=body, headers=auth(token) if headers is None else headers)

    no_auth = post({"text": "hi"}, headers={})
    assert no_auth.status_code == 401
    assert no_auth.json() == {
        "title": "Unauthorized",
        "detail": "Unauthorized",
        "type": "about:blank",
        "status": 401,
    }

    def errors(response: httpx.Response) -> list[str]:
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["title"] == "Invalid Request"
        assert body["type"] == "https://api.x.com/2/problems/invalid-request"
        return [e["message"] for e in body["errors"]]

    assert errors(post({"text": "hi", "colour": "red"})) == [
        "$.colour: is not defined in the schema and the schema does not allow additional properties"
    ]
    five = [str(1000 + i) for i in range(5)]
    assert errors(post({"text": "hi", "media": {"media_ids": five}})) == [
        "$.media.media_ids: expected maximum item count: 4, found: 5"
    ]
    assert errors(post({"text": "hi", "media": {"media_ids": [123]}})) == [
        "$.media.media_ids[0]: integer found, string expected"
    ]
    assert errors(post({"text": "hi", "reply_settings": "everyone"})) == [
        "$.reply_settings: does not have a value in the enumeration "
        "['following', 'mentionedUsers', 'subscribers', 'verified']"
    ]
    assert errors(post({"text": "hi", "reply": {}})) == [
        "$.reply.in_reply_to_tweet_id: is missing but it is required"
    ]
    poll = {"options": ["a", "b"], "duration_minutes": 60}
    assert errors(post({"text": "hi", "poll": poll, "media": {"media_ids": ["1"]}})) == [
        "A post cannot have both a poll and media."
    ]
    assert errors(post({"text": "hi", "media": {"media_ids": ["1"]}})) == [
        "Your media IDs are invalid."
    ]
    form = httpx.post(url, data={"text": "hi"}, headers=auth(token))
    assert form.status_code == 400

    reply = post({"text": "hi", "reply": {"in_reply_to_tweet_id": "1"}})
    assert reply.status_code == 403 and "deleted or not visible" in reply.json()["detail"]

    read_only = sim["x"].issue_token("alice", "tweet.read users.read")  # type: ignore[attr-defined]
    scoped = post({"text": "hi"}, headers={"Authorization": f"Bearer {read_only['access_token']}"})
    assert scoped.status_code == 403

    me = httpx.get(f"{server.url_for('x')}/2/users/me?colour=red", headers=auth(token))
    assert me.status_code == 400 and "[colour] is not one of" in me.text
    big = httpx.get(
        f"{server.url_for('x')}/2/users/{token.extra['user_id']}/tweets?max_results=500",
        headers=auth(token),
    )
    assert big.status_code == 400 and "between 5 and 100" in big.text

    ok = post({"text": "valid", "reply_settings": "mentionedUsers"})
    assert ok.status_code == 201 and ok.json()["data"]["text"] == "valid"
    assert one_post(sim, "x")["reply_settings"] == "mentionedUsers"


def test_strict_media_uploads(token: TokenSet, server: SimServer) -> None:
    base = f"{server.url_for('x')}/2/media/upload"
    files = {"media": ("a.png", PNG, "image/png")}
    missing = httpx.post(base, files=files, headers=auth(token))
    assert missing.status_code == 400
    assert "$.media_category: is missing but it is required" in missing.text
    wrong = httpx.post(base, files=files, data={"media_category": "tweet_gif"}, headers=auth(token))
    assert wrong.status_code == 400
    not_image = httpx.post(
        base,
        files={"media": ("a.png", b"not a png", "image/png")},
        data={"media_category": "tweet_image"},
        headers=auth(token),
    )
    assert not_image.status_code == 400

    init = httpx.post(
        f"{base}/initialize",
        json={"media_type": "video/mp4", "total_bytes": 100, "media_category": "tweet_video"},
        headers=auth(token),
    ).json()["data"]
    chunk = {"media": ("c", video_bytes(60), "application/octet-stream")}
    appended = httpx.post(
        f"{base}/{init['id']}/append", files=chunk, data={"segment_index": "0"}, headers=auth(token)
    )
    assert appended.status_code == 200
    short = httpx.post(f"{base}/{init['id']}/finalize", headers=auth(token))
    assert short.status_code == 400 and "Segments do not add up" in short.text
    index = httpx.post(
        f"{base}/{init['id']}/append",
        files=chunk,
        data={"segment_index": "1000"},
        headers=auth(token),
    )
    assert index.status_code == 400 and "maximum value of 999" in index.text
    huge = httpx.post(
        f"{base}/initialize",
        json={
            "media_type": "video/mp4",
            "total_bytes": 600_000_000,
            "media_category": "tweet_video",
        },
        headers=auth(token),
    )
    assert huge.status_code == 400


def test_embedded_schemas_match_the_vendor_openapi() -> None:
    if not SPEC.exists():
        pytest.skip("the X OpenAPI document is not available here")
    spec = json.loads(SPEC.read_text())

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (v.rsplit("/", 1)[-1] if k == "$ref" else strip(v))
                for k, v in node.items()
                if k not in ("description", "example", "externalDocs")
            }
        return [strip(x) for x in node] if isinstance(node, list) else node

    for name, schema in SCHEMAS.items():
        assert strip(spec["components"]["schemas"][name]) == schema, name
    params = spec["components"].get("parameters", {})
    for op_path, name in (("/2/tweets/{id}", "post.fields"), ("/2/users/me", "user.fields")):
        for param in spec["paths"][op_path]["get"]["parameters"]:
            param = params[param["$ref"].rsplit("/", 1)[-1]] if "$ref" in param else param
            if param["name"] == name:
                assert param["schema"]["items"]["enum"] == FIELD_ENUMS[name]


def test_validate_media_and_options(provider: XProvider) -> None:
    png = MediaItem.from_bytes(PNG, "image/png", "a.png")
    gif = MediaItem("image/gif", 12_000_000, lambda: io.BytesIO(b""), "big.gif")
    problems = provider.validate(
        PublishRequest(
            text="",
            media=[png] * 4 + [gif, MediaItem.from_bytes(b"%PDF", "application/pdf", "x.pdf")],
            options={"reply_settings": "everyone", "colour": "red", "quote_tweet_id": "abc"},
        )
    )
    assert problems == [
        "“Who can reply” must be one of: following, mentionedUsers, subscribers, verified.",
        "“Quote” must be a post id (digits).",
        "X has no option called “colour”.",
        "At most 4 images per post on X.",
        "A GIF or a video must be the only attachment of an X post.",
        "x.pdf: file type application/pdf is not accepted by X.",
    ]
    assert provider.validate(PublishRequest(text="", media=[gif])) == []  # GIFs may be 15 MB
    big_png = MediaItem("image/png", 6_000_000, lambda: io.BytesIO(b""), "big.png")
    assert provider.validate(PublishRequest(text="x", media=[big_png])) == [
        "big.png is 6000000 bytes; X accepts at most 5000000 bytes."
    ]
    assert provider.validate(PublishRequest(text=" ")) == [
        "An X post needs text or at least one attachment."
    ]
    assert provider.validate(PublishRequest(text="a\ufeffb")) == [
        "The post contains characters X refuses: U+FEFF."
    ]


# ------------------------------------------------------------------ error bodies X sends


def classify(status: int, body: Any, headers: dict[str, str] | None = None) -> Exception:
    request = httpx.Request("POST", "https://api.x.com/2/tweets")
    response = httpx.Response(status, json=body, headers=headers, request=request)
    return XProvider(client_id="c").classify_error(response)


def test_legacy_and_problem_error_bodies() -> None:
    dup = classify(403, {"errors": [{"code": 187, "message": "Status is a duplicate."}]})
    assert isinstance(dup, PermanentError) and dup.duplicate and dup.code == "187"
    expired = classify(401, {"errors": [{"code": 89, "message": "Invalid or expired token."}]})
    assert isinstance(expired, AuthError) and expired.refresh_may_help
    assert expired.message == "Invalid or expired token."
    legacy_429 = classify(
        429,
        {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
        {"x-rate-limit-reset": "2000000000", "x-rate-limit-remaining": "0"},
    )
    assert isinstance(legacy_429, RateLimited)
    assert legacy_429.retry_at == datetime.fromtimestamp(2_000_000_000, UTC)
    capped = classify(
        403,
        {
            "title": "Forbidden",
            "detail": "You are not permitted to perform this action.",
            "type": "about:blank",
            "status": 403,
        },
    )
    assert type(capped) is PermanentError and not capped.duplicate
    assert capped.message == "You are not permitted to perform this action."
    broken = classify(502, {"title": "Bad Gateway"})
    assert isinstance(broken, TransientError) and broken.sent


def test_sim_controls_over_http(server: SimServer, sim: Simulator) -> None:
    created = httpx.post(
        f"{server.url}/_sim/x/apps", json={"redirect_uris": [REDIRECT], "confidential": False}
    ).json()
    assert created["client_secret"] is None
    issued = httpx.post(
        f"{server.url}/_sim/x/tokens",
        json={"username": "carol", "expires_in": 30, "client_id": created["client_id"]},
    ).json()
    assert issued["refresh_token"] and issued["username"] == "carol"
    assert issued["expires_at"] - time.time() < 31
    me = httpx.get(
        f"{server.url_for('x')}/2/users/me",
        headers={"Authorization": f"Bearer {issued['access_token']}"},
    )
    assert me.json()["data"]["username"] == "carol"
    httpx.post(f"{server.url}/_sim/x/tokens/{issued['access_token']}/expire")
    expired = httpx.get(
        f"{server.url_for('x')}/2/users/me",
        headers={"Authorization": f"Bearer {issued['access_token']}"},
    )
    assert expired.status_code == 401
    knobs = httpx.post(
        f"{server.url}/_sim/knobs", json={"platform": "x", "instance": {"access_token_ttl_s": 5}}
    )
    assert knobs.status_code == 200
    assert httpx.get(f"{server.url}/_sim/knobs").json()["x"]["settings"]["access_token_ttl_s"] == 5
    bogus = httpx.post(f"{server.url}/_sim/knobs", json={"platform": "x", "instance": {"bogus": 1}})
    assert bogus.status_code == 400


def test_delete_keeps_the_post_in_the_log(
    provider: XProvider, token: TokenSet, server: SimServer, sim: Simulator
) -> None:
    result = provider.publish(token, PublishRequest(text="short-lived"))
    url = f"{server.url_for('x')}/2/tweets/{result.platform_post_id}"
    bob = sim["x"].issue_token("bob")  # type: ignore[attr-defined]
    other = httpx.delete(url, headers={"Authorization": f"Bearer {bob['access_token']}"})
    assert other.status_code == 403
    deleted = httpx.delete(url, headers=auth(token))
    assert deleted.json() == {"data": {"deleted": True}}
    assert one_post(sim, "x")["deleted"] is True
    gone = httpx.get(url, headers=auth(token)).json()
    assert gone["errors"][0]["title"] == "Not Found Error" and "data" not in gone
    assert provider.find_recent(token, datetime.now(UTC) - timedelta(minutes=1)) == []
