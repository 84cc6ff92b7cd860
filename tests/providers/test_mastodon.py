"""The Mastodon provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.providers import get_provider
from app.providers.accounts import TokenSet
from app.providers.base import make_code_verifier
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.mastodon import MastodonProvider
from app.providers.posts import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from tests.providers.checks import (
    assert_account_metrics,
    assert_found_after_timeout,
    assert_post_metrics,
    assert_refused_not_sent,
)
from tests.providers.flows import pkce_round_trip
from tests.providers.helpers import one_post, publish_error

SEED = 7

REDIRECT = "http://localhost:3000/oauth/mastodon/callback"
# A valid 1x1 PNG: the simulator checks uploads by content, not by the declared type.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def provider(server: SimServer, http: httpx.Client) -> MastodonProvider:
    p = get_provider(
        "mastodon",
        api_base=server.url_for("mastodon"),
        client=http,
        media_wait_s=5.0,
        media_poll_s=0.05,
    )
    assert isinstance(p, MastodonProvider)
    p.register_app(client_name="Herald", redirect_uris=[REDIRECT], website="https://herald.test")
    return p


def connect(provider: MastodonProvider, username: str = "alice") -> TokenSet:
    """The real OAuth round trip, then the account's ids recorded in the token."""
    token = pkce_round_trip(provider, REDIRECT, username)
    token.extra["account_id"] = provider.account_info(token).metadata["account_id"]
    return token


@pytest.fixture
def token(provider: MastodonProvider) -> TokenSet:
    return connect(provider)


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_with_pkce(provider: MastodonProvider, server: SimServer) -> None:
    meta = provider.discover()
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint"] == server.url_for("mastodon") + "/oauth/token"

    verifier = make_code_verifier()
    url = provider.authorize_url(state="xyz", redirect_uri=REDIRECT, code_verifier=verifier)
    query = httpx.URL(url).params
    assert query["scope"] == "write:statuses write:media read:accounts read:statuses"
    assert query["code_challenge_method"] == "S256"

    location = httpx.URL(httpx.get(url).headers["location"])
    assert str(location).startswith(REDIRECT) and location.params["state"] == "xyz"
    code = location.params["code"]

    with pytest.raises(PermanentError) as wrong:
        provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier="x" * 64)
    assert wrong.value.status == 400
    assert "authorization grant is invalid" in wrong.value.message

    token = provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    assert token.refresh_token is None and token.expires_at is None
    assert token.has_scope("write:statuses") and token.has_scope("read:statuses")
    assert provider.refresh(token) is token  # Mastodon tokens never expire

    with pytest.raises(PermanentError):  # codes are single-use
        provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)

    info = provider.account_info(token)
    assert info.username == f"alice@{httpx.URL(server.url).netloc.decode()}"
    assert info.platform_account_id == f"{info.metadata['account_id']}@{info.username[6:]}"

    provider.revoke(token)
    with pytest.raises(AuthError) as revoked:
        provider.account_info(token)
    assert revoked.value.message == "The access token was revoked"
    assert revoked.value.refresh_may_help is False


def test_authorize_rejects_a_missing_verifier_and_unregistered_redirect(
    provider: MastodonProvider,
) -> None:
    url = provider.authorize_url(
        state="s", redirect_uri=REDIRECT, code_verifier=make_code_verifier()
    )
    code = httpx.URL(httpx.get(url).headers["location"]).params["code"]
    with pytest.raises(PermanentError) as exc:
        provider.exchange_code(code=code, redirect_uri=REDIRECT)  # PKCE used, no verifier
    assert exc.value.message == "Missing required parameter: code_verifier."

    bad = provider.authorize_url(state="s", redirect_uri="https://evil.example/cb")
    response = httpx.get(bad)
    assert response.status_code == 400 and "redirect uri" in response.text


# ------------------------------------------------------------------ publishing


def test_publish_text_and_find_it_again(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=5)
    text = "Hello <world> & friends\nsecond line\n\nSee https://example.com/a?b=1 #Herald"
    result = provider.publish(token, PublishRequest(text=text, idempotency_key="dest-1"))

    assert result.state == "published"
    post = one_post(sim, "mastodon")
    assert post["post_id"] == result.platform_post_id
    assert post["text"] == text and post["idempotency_key"] == "dest-1"
    assert result.permalink == post["permalink"]
    assert httpx.get(result.permalink.replace("/@alice/", "/api/v1/statuses/")).status_code == 200

    recent = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in recent] == [(result.platform_post_id, text)]


def test_publish_with_image(provider: MastodonProvider, token: TokenSet, sim: Simulator) -> None:
    item = MediaItem.from_bytes(PNG, "image/png", "dot.png", alt_text="A single dot")
    result = provider.publish(token, PublishRequest(text="", media=[item], idempotency_key="i1"))

    post = one_post(sim, "mastodon")
    assert post["post_id"] == result.platform_post_id and post["text"] == ""
    assert [(m["type"], m["size"]) for m in post["media"]] == [("image", len(PNG))]
    status = httpx.get(f"{provider.api_base}/api/v1/statuses/{result.platform_post_id}").json()
    attachment = status["media_attachments"][0]
    assert attachment["description"] == "A single dot"
    assert httpx.get(attachment["url"]).content == PNG


def test_publish_waits_for_media_processing(
    provider: MastodonProvider, token: TokenSet, sim: Simulator, seen: list
) -> None:
    sim.set_knobs("mastodon", media_processing_ms=300)
    item = MediaItem.from_bytes(PNG, "image/png", "slow.png")
    result = provider.publish(token, PublishRequest(text="slow media", media=[item]))

    assert result.state == "published"
    media_calls = [(m, s) for m, p, s in seen if "/media" in p]
    assert media_calls[0] == ("POST", 202)
    assert ("GET", 206) in media_calls and media_calls[-1] == ("GET", 200)
    assert len(one_post(sim, "mastodon")["media"]) == 1


def test_slow_media_returns_pending_then_finalizes(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("mastodon", media_processing_ms=600)
    provider.media_wait_s = 0.1
    video = MediaItem.from_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4", "v.mp4")
    result = provider.publish(token, PublishRequest(text="a video", media=[video]))

    assert result.state == "pending" and sim.posts() == []
    assert provider.check_status(token, result.pending_state).state == "processing"
    # Posting before processing ends is refused by the platform, and nothing is created.
    with pytest.raises(TransientError) as early:
        provider._post_statuses(token, result.pending_state)
    assert early.value.sent is False and "not finished processing" in early.value.message

    time.sleep(0.6)
    assert provider.check_status(token, result.pending_state).state == "ready"
    final = provider.finalize(token, result.pending_state)
    assert final.state == "published"
    assert one_post(sim, "mastodon")["media"][0]["type"] == "video"


def test_thread(provider: MastodonProvider, token: TokenSet, sim: Simulator) -> None:
    request = PublishRequest(
        text="1/3 a thread",
        options={"thread": ["2/3 middle", "3/3 end"], "visibility": "unlisted"},
        idempotency_key="t1",
    )
    result = provider.publish(token, request)

    posts = sim.posts("mastodon")
    assert [p["text"] for p in posts] == ["1/3 a thread", "2/3 middle", "3/3 end"]
    assert result.extra["thread_ids"] == [p["post_id"] for p in posts]
    assert [p["in_reply_to_id"] for p in posts] == [None, posts[0]["post_id"], posts[1]["post_id"]]
    assert {p["visibility"] for p in posts} == {"unlisted"}
    assert [p["idempotency_key"] for p in posts] == ["t1", "t1:1", "t1:2"]


def test_idempotency_key_prevents_duplicates(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="only once", idempotency_key="dest-42")
    first = provider.publish(token, request)
    again = provider.publish(token, request)

    assert again.platform_post_id == first.platform_post_id
    post = one_post(sim, "mastodon")
    assert post["replays"] == 1
    provider.publish(token, PublishRequest(text="only once", idempotency_key="dest-43"))
    assert len(sim.posts("mastodon")) == 2


# ------------------------------------------------------------------ error classes


def test_429_gives_rate_limited_with_the_reset_time(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=7)).replace(microsecond=123456)
    sim.inject("mastodon", "429", path="/api/v1/statuses", reset_at=reset.isoformat())
    exc = publish_error(
        provider, token, PublishRequest(text="too fast", idempotency_key="r1"), RateLimited
    )
    assert exc.retry_at == reset
    assert exc.message == "Too many requests"
    assert sim.posts() == []


def test_status_quota_per_window(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("mastodon", account="alice", quotas={"statuses": {"limit": 2, "window_s": 600}})
    provider.publish(token, PublishRequest(text="one", idempotency_key="q1"))
    provider.publish(token, PublishRequest(text="two", idempotency_key="q2"))
    exc = publish_error(
        provider, token, PublishRequest(text="three", idempotency_key="q3"), RateLimited
    )
    expected = datetime.now(UTC) + timedelta(seconds=600)
    assert abs((exc.retry_at - expected).total_seconds()) < 5
    assert [p["text"] for p in sim.posts()] == ["one", "two"]
    bob = connect(provider, "bob")  # the quota knob was set for alice only
    provider.publish(bob, PublishRequest(text="bob is fine"))


def test_503_is_transient_and_sent(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("mastodon", "503", path="/api/v1/statuses")
    exc = publish_error(
        provider, token, PublishRequest(text="maybe", idempotency_key="u1"), TransientError
    )
    assert exc.sent is True and exc.status == 503
    assert sim.posts() == []


def test_5xx_after_accept_then_idempotent_retry(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("mastodon", "502_after_accept", path="/api/v1/statuses")
    request = PublishRequest(text="accepted, then a bad gateway", idempotency_key="u2")
    exc = publish_error(provider, token, request, TransientError)
    assert exc.sent is True and exc.status == 502
    created = one_post(sim, "mastodon")
    assert provider.publish(token, request).platform_post_id == created["post_id"]
    assert one_post(sim, "mastodon")["replays"] == 1


def test_connection_refused_is_transient_and_not_sent(http: httpx.Client) -> None:
    assert_refused_not_sent(MastodonProvider, http, TokenSet("t"), PublishRequest(text="hello"))


def test_timeout_after_accept_then_find_recent(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=5)
    request = PublishRequest(text="did this get posted?", idempotency_key="to-1")
    path = "/api/v1/statuses"
    post = assert_found_after_timeout(provider, token, sim, path, request, since, 1.0)
    assert provider.publish(token, request).platform_post_id == post["post_id"]
    assert len(sim.posts()) == 1


def test_dropped_connection_is_unknown_outcome(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("mastodon", "drop", path="/api/v1/statuses")
    exc = publish_error(provider, token, PublishRequest(text="dropped"), TransientError)
    assert exc.sent is True and sim.posts() == []


def test_401_is_an_auth_error(provider: MastodonProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("mastodon", "expired_token", account="alice")
    exc = publish_error(provider, token, PublishRequest(text="x"), AuthError)
    assert exc.status == 401 and exc.message == "The access token is invalid"
    assert exc.refresh_may_help is False
    with pytest.raises(AuthError):
        provider.publish(TokenSet("not-a-token"), PublishRequest(text="x"))
    assert sim.posts() == []


def test_duplicate_error_is_permanent(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("mastodon", "duplicate", path="/api/v1/statuses")
    exc = publish_error(provider, token, PublishRequest(text="again"), PermanentError)
    assert exc.duplicate is True and exc.message == "Duplicate record"


def test_over_length_is_permanent_with_the_platform_message(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    text = "x" * 501
    assert provider.validate(PublishRequest(text=text)) == [
        "The post is 501 characters; this instance allows 500 (each link counts as 23)."
    ]
    exc = publish_error(provider, token, PublishRequest(text=text), PermanentError)
    assert exc.status == 422
    assert exc.message == "Validation failed: Text character limit of 500 exceeded"
    assert sim.posts() == []


def test_validate_counts_urls_as_23(
    provider: MastodonProvider, token: TokenSet, sim: Simulator
) -> None:
    url = "https://example.com/" + "a" * 580
    assert len(url) == 600
    text = "y" * 470 + " " + url  # 470 + 1 + 23 = 494 as Mastodon counts it
    assert provider.limits.count_text(text) == 494
    assert provider.validate(PublishRequest(text=text)) == []
    provider.publish(token, PublishRequest(text=text))  # and the server agrees
    assert one_post(sim, "mastodon")["text"] == text

    sim.set_knobs("mastodon", instance={"max_characters": 100, "characters_reserved_per_url": 30})
    provider.fetch_limits()
    problems = provider.validate(PublishRequest(text="z" * 71 + " " + url))
    assert problems == [
        "The post is 102 characters; this instance allows 100 (each link counts as 30)."
    ]
    exc = publish_error(provider, token, PublishRequest(text="z" * 71 + " " + url), PermanentError)
    assert exc.message.endswith("character limit of 100 exceeded")


def test_validate_media_and_options(provider: MastodonProvider) -> None:
    png = MediaItem.from_bytes(PNG, "image/png", "a.png")
    video = MediaItem.from_bytes(b"\x00" * 10, "video/mp4", "v.mp4")
    problems = provider.validate(
        PublishRequest(
            text="",
            media=[png] * 4 + [video, MediaItem.from_bytes(b"%PDF", "application/pdf", "x.pdf")],
            options={"visibility": "everyone", "colour": "red"},
        )
    )
    assert problems == [
        "“Visibility” must be one of: public, unlisted, private, direct.",
        "Mastodon has no option called “colour”.",
        "At most 4 attachments per post on this instance.",
        "A video or audio file cannot be combined with other attachments.",
        "x.pdf: file type application/pdf is not accepted by this instance.",
    ]
    assert provider.validate(PublishRequest(text="", media=[png])) == []
    assert provider.validate(PublishRequest(text="  ")) == [
        "A Mastodon post needs text or at least one attachment."
    ]


def test_metrics(provider: MastodonProvider, token: TokenSet, server: SimServer) -> None:
    result = provider.publish(token, PublishRequest(text="measure me"))
    assert_post_metrics(
        provider,
        token,
        result.platform_post_id,
        f"{server.url}/_sim/mastodon/statuses/{result.platform_post_id}",
        {"favourites_count": 5, "reblogs_count": 2, "replies_count": 1},
        {"likes": 5, "comments": 1, "shares": 2, "quotes": 0},
    )
    assert_account_metrics(
        provider,
        token,
        f"{server.url}/_sim/mastodon/accounts/alice",
        {"followers_count": 12},
        {"followers": 12, "following": 0, "posts": 1},
    )


# ------------------------------------------------------------------ strictness


def test_strict_auth_scopes_and_visibility(
    provider: MastodonProvider, token: TokenSet, server: SimServer, sim: Simulator
) -> None:
    api = provider.api_base
    no_auth = httpx.post(f"{api}/api/v1/statuses", json={"status": "hi"})
    assert (no_auth.status_code, no_auth.json()) == (401, {"error": "The access token is invalid"})

    auth = {"Authorization": f"Bearer {token.access_token}"}
    bad = httpx.post(
        f"{api}/api/v1/statuses", json={"status": "hi", "visibility": "everyone"}, headers=auth
    )
    assert bad.status_code == 422
    assert bad.json() == {"error": "Validation failed: Visibility is not included in the list"}

    blank = httpx.post(f"{api}/api/v1/statuses", data={"status": " "}, headers=auth)
    assert blank.json() == {"error": "Validation failed: Text can't be blank"}

    missing = httpx.post(
        f"{api}/api/v1/statuses", data={"status": "x", "media_ids[]": ["999"]}, headers=auth
    )
    assert (missing.status_code, missing.json()["error"]) == (
        422,
        "Media 999 not found or already attached to another post",
    )

    not_png = httpx.post(
        f"{api}/api/v2/media", files={"file": ("a.png", b"GIF? no", "image/png")}, headers=auth
    )
    assert not_png.status_code == 422

    read_only = sim["mastodon"].issue_token("alice", scopes="read")
    with pytest.raises(AuthError) as exc:
        provider.publish(TokenSet(read_only, scope="read"), PublishRequest(text="hi"))
    assert exc.value.status == 403 and exc.value.code == "insufficient_scope"

    # Form-encoded, like most Mastodon clients, works and is recorded.
    ok = httpx.post(f"{api}/api/v1/statuses", data={"status": "form post"}, headers=auth)
    assert ok.status_code == 200 and ok.headers["X-RateLimit-Remaining"].isdigit()
    assert one_post(sim, "mastodon")["text"] == "form post"


def test_find_recent_without_read_scope_reads_public_posts(
    provider: MastodonProvider, sim: Simulator
) -> None:
    write_only = sim["mastodon"].issue_token("carol", scopes="write read:accounts")
    token = TokenSet(write_only, scope="write read:accounts")
    since = datetime.now(UTC) - timedelta(seconds=5)
    provider.publish(token, PublishRequest(text="public one"))
    provider.publish(token, PublishRequest(text="private one", options={"visibility": "private"}))
    # A token without read:statuses gets 403 on timelines, so the provider reads anonymously.
    assert [r.text for r in provider.find_recent(token, since)] == ["public one"]


# ------------------------------------------------------------------ simulator controls


def test_knobs_faults_posts_feed_and_reset_over_http(
    provider: MastodonProvider, token: TokenSet, server: SimServer
) -> None:
    base = server.url
    r = httpx.post(
        f"{base}/_sim/knobs",
        json={
            "platform": "mastodon",
            "latency_ms": 150,
            "faults": [{"kind": "500", "path": "/api/v1/statuses", "count": 1}],
        },
    )
    assert r.status_code == 200 and r.json()["latency_ms"] == 150
    bogus = httpx.post(f"{base}/_sim/knobs", json={"platform": "mastodon", "bogus": 1})
    assert bogus.status_code == 400 and "unknown knobs" in bogus.json()["error"]

    started = time.monotonic()
    with pytest.raises(TransientError):
        provider.publish(token, PublishRequest(text="first try"))
    provider.publish(token, PublishRequest(text="second <try>"))
    assert time.monotonic() - started >= 0.3  # two requests, 150 ms each

    posts = httpx.get(f"{base}/_sim/posts", params={"platform": "mastodon"}).json()
    assert posts["count"] == 1 and posts["posts"][0]["text"] == "second <try>"
    assert "second &lt;try&gt;" in httpx.get(f"{base}/_sim/feed").text

    assert httpx.post(f"{base}/_sim/reset").status_code == 200
    assert httpx.get(f"{base}/_sim/posts").json()["count"] == 0
    assert httpx.get(f"{base}/_sim/knobs").json()["mastodon"]["effective"]["latency_ms"] == 0


def test_probabilistic_faults_are_seeded() -> None:
    def failures(seed: int) -> list[bool]:
        sim = Simulator(seed=seed)
        sim.inject("mastodon", "503", probability=0.5)
        return [sim.pick_fault("mastodon", None, "GET", "/x") is not None for _ in range(200)]

    assert failures(1) == failures(1)
    assert 70 < sum(failures(1)) < 130


def test_python_m_simulator_serves_http() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", str(port), "--log-level", "warning"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/mastodon/api/v2/instance", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert r.json()["configuration"]["statuses"]["max_characters"] == 500
    finally:
        proc.terminate()
        proc.wait(timeout=10)
