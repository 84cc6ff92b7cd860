"""The TikTok provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.base import make_code_verifier
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.posts import MediaItem, PublishRequest
from app.providers.tiktok import TikTokProvider, chunk_plan, text_length
from simulator import SimServer, Simulator
from simulator.tiktok import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TikTokSim
from tests.providers.checks import (
    assert_account_metrics,
    assert_found_after_timeout,
    assert_post_metrics,
    assert_refused_not_sent,
)
from tests.providers.flows import authorize_as, refresh_rotating
from tests.providers.helpers import CountingStream, one_post, platform_of, publish_error

SIMULATED = [TikTokSim]
SEED = 11

REDIRECT = "http://localhost:3000/oauth/tiktok/callback"
MB = 1024 * 1024
PUBLIC = {"privacy_level": "PUBLIC_TO_EVERYONE"}
PHOTO_URL = "https://media.example.com/p/{}.jpg"


def mp4(size: int) -> bytes:
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return (head + bytes(range(256)) * (size // 256 + 1))[:size]


def video(size: int = 300_000, data: bytes | None = None) -> MediaItem:
    data = data if data is not None else mp4(size)
    return MediaItem.from_bytes(data, "video/mp4", "clip.mp4")


def photo(i: int, url: str | None = None) -> MediaItem:
    item = MediaItem.from_bytes(b"\xff\xd8\xff" + bytes(100), "image/jpeg", f"p{i}.jpg")
    item.url = url or PHOTO_URL.format(i)
    return item


@pytest.fixture(autouse=True)
def _fresh(server: SimServer) -> None:
    server.sim.reset()
    server.sim.set_knobs("tiktok", media_processing_ms=50)


def tiktok(sim: Simulator) -> TikTokSim:
    return platform_of(sim, TikTokSim)


def make_provider(server: SimServer, http: httpx.Client, **kw: Any) -> TikTokProvider:
    kw.setdefault("client_id", SANDBOX_CLIENT_ID)
    kw.setdefault("client_secret", SANDBOX_CLIENT_SECRET)
    return TikTokProvider(
        api_base=server.url_for("tiktok"),
        auth_base=server.url_for("tiktok"),
        client=http,
        publish_wait_s=kw.pop("publish_wait_s", 3.0),
        poll_s=0.02,
        **kw,
    )


def minted(sim: Simulator, username: str = "alice", **kw: Any) -> TokenSet:
    issued = tiktok(sim).issue_token(username, **kw)
    return TokenSet(
        issued["access_token"],
        issued["refresh_token"],
        datetime.now(UTC) + timedelta(seconds=issued["expires_in"]),
        issued["scope"].replace(",", " "),
        {"open_id": issued["open_id"], "username": username},
    )


def api(server: SimServer, path: str, token: TokenSet | None = None, **kw: Any) -> httpx.Response:
    headers = dict(kw.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token.access_token}"
    method = kw.pop("method", "POST")
    return httpx.request(method, server.url_for("tiktok") + path, headers=headers, **kw)


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_and_account_info(provider: TikTokProvider, sim: Simulator) -> None:
    url = provider.authorize_url(state="s-1", redirect_uri=REDIRECT)
    assert "/v2/auth/authorize/?client_key=" in url and "client_id" not in url
    assert "scope=user.info.basic,user.info.profile" in url  # comma-separated
    params = authorize_as(url, "bob").params
    assert params["state"] == "s-1" and "video.publish" in params["scopes"]
    token = provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)
    assert token.access_token.startswith("act.") and token.refresh_token
    assert token.has_scope("video.publish")  # stored space-separated
    assert token.expires_at is not None
    assert timedelta(hours=1.9) < token.expires_at - datetime.now(UTC) <= timedelta(hours=2)
    refresh_at = datetime.fromisoformat(token.extra["refresh_expires_at"])
    assert refresh_at - datetime.now(UTC) > timedelta(days=179)
    info = provider.account_info(token)
    assert info.username == "bob" and info.platform_account_id == token.extra["open_id"]
    assert info.name == "Bob" and info.avatar_url and info.metadata["union_id"]
    assert info.metadata["url"] == "https://www.tiktok.com/@bob"
    with pytest.raises(PermanentError) as reused:  # a code works once
        provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)
    assert reused.value.code == "invalid_grant"
    # The default simulated user.
    default = httpx.get(provider.authorize_url(state="s", redirect_uri=REDIRECT))
    code = httpx.URL(default.headers["location"]).params["code"]
    assert provider.account_info(
        provider.exchange_code(code=code, redirect_uri=REDIRECT)
    ).username == ("tiktok_user")


def test_pkce_is_verified_when_used(provider: TikTokProvider) -> None:
    verifier = make_code_verifier()
    url = provider.authorize_url(state="p", redirect_uri=REDIRECT, code_verifier=verifier)
    assert "code_challenge_method=S256" in url
    code = httpx.URL(httpx.get(url).headers["location"]).params["code"]
    with pytest.raises(PermanentError):
        provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier="wrong" * 10)
    code = httpx.URL(httpx.get(url).headers["location"]).params["code"]
    assert provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)


def test_refresh_rotates_and_revoke_ends_the_grant(
    provider: TikTokProvider, token: TokenSet
) -> None:
    new = refresh_rotating(provider, token)
    assert new.extra["username"] == "alice"  # extra survives
    with pytest.raises(AuthError) as reused:  # the old refresh token stopped working
        provider.refresh(token)
    assert reused.value.refresh_may_help is False and reused.value.code == "invalid_grant"
    assert provider.account_info(new).username == "alice"
    provider.revoke(new)
    with pytest.raises(AuthError):
        provider.account_info(new)
    with pytest.raises(AuthError) as after:
        provider.refresh(new)
    assert after.value.refresh_may_help is False
    bad = make_provider(provider_server(provider), provider.client, client_secret="nope")
    with pytest.raises(PermanentError) as creds:
        bad.refresh(token)
    assert creds.value.code == "invalid_client"


def provider_server(provider: TikTokProvider) -> Any:
    class _S:
        def url_for(self, _: str) -> str:
            return provider.api_base

    return _S()


# ------------------------------------------------------------------ publishing


def test_small_video_is_one_chunk_and_published(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    data = mp4(300_000)
    since = datetime.now(UTC)
    request = PublishRequest(
        text="first clip #herald 🎬", media=[video(data=data)], options=dict(PUBLIC)
    )
    result = provider.publish(token, request)
    assert result.state == "published" and result.platform_post_id
    post = one_post(sim, "tiktok")
    assert post["post_id"] == result.platform_post_id and post["text"] == request.text
    assert post["media"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert result.permalink == f"https://www.tiktok.com/@alice/video/{result.platform_post_id}"
    pub = httpx.get(f"{sim_url(provider)}/_sim/tiktok/publishes/{result.extra['publish_id']}")
    assert pub.json()["chunks_received"] == 1 and pub.json()["total_chunk_count"] == 1
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], request.text)]


def sim_url(provider: TikTokProvider) -> str:
    return provider.api_base.rsplit("/", 1)[0]


def test_large_video_is_streamed_in_tiktok_chunks(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    assert chunk_plan(4 * MB, 10 * MB) == (4 * MB, 1)
    assert chunk_plan(11 * MB, 5 * MB) == (5 * MB, 2)
    assert chunk_plan(200 * MB, 64 * MB) == (64 * MB, 3)  # last chunk 72 MB
    data = mp4(11 * MB + 123)
    item = MediaItem("video/mp4", len(data), lambda: CountingStream(data), "big.mp4")
    CountingStream.largest = 0
    small_chunks = make_provider(provider_server(provider), provider.client, chunk_size=5 * MB)
    result = small_chunks.publish(token, PublishRequest(text="big", media=[item], options=PUBLIC))
    assert result.state == "published"
    assert CountingStream.largest <= MB  # streamed, never a whole chunk in memory
    pub = httpx.get(f"{sim_url(provider)}/_sim/tiktok/publishes/{result.extra['publish_id']}")
    assert pub.json()["chunks_received"] == 2 and pub.json()["chunk_size"] == 5 * MB
    assert one_post(sim, "tiktok")["media"][0]["sha256"] == hashlib.sha256(data).hexdigest()


def test_pending_then_check_status_and_finalize(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, publish_wait_s=0.05)
    sim.set_knobs("tiktok", media_processing_ms=400)
    result = provider.publish(token, PublishRequest(text="slow", media=[video()], options=PUBLIC))
    assert result.state == "pending" and sim.posts("tiktok") == []
    state = result.pending_state
    assert provider.check_status(token, state).state == "processing"
    assert provider.finalize(token, state).state == "pending"
    time.sleep(0.45)
    status = provider.check_status(token, state)
    assert status.state == "ready"
    done = provider.finalize(token, status.pending_state)
    assert done.state == "published" and done.platform_post_id == one_post(sim, "tiktok")["post_id"]


def test_public_id_waits_for_moderation(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    # Moderation long enough that a busy machine still checks the status before it ends.
    sim.set_knobs("tiktok", instance={"moderation_ms": 1500})
    quick = make_provider(provider_server(provider), provider.client, publish_wait_s=0.1)
    result = quick.publish(token, PublishRequest(text="mod", media=[video()], options=PUBLIC))
    assert result.state == "pending"
    deadline = time.monotonic() + 5  # the upload's processing may outlast the 0.1 s wait
    while not sim.posts("tiktok") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sim.posts("tiktok")) == 1  # posted, not yet public
    status = quick.check_status(token, result.pending_state)
    assert status.state == "processing" and "moderat" in (status.message or "")
    time.sleep(1.5)
    done = quick.finalize(token, status.pending_state)
    assert done.state == "published" and done.platform_post_id == one_post(sim, "tiktok")["post_id"]


def test_self_only_posts_have_no_public_id(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    opts = {"privacy_level": "SELF_ONLY"}
    result = provider.publish(token, PublishRequest(text="me", media=[video()], options=opts))
    assert result.state == "published" and result.platform_post_id is None
    assert result.extra["publish_id"].startswith("v_pub_file")
    assert one_post(sim, "tiktok")["privacy_level"] == "SELF_ONLY"


def test_photo_post_pulls_urls(provider: TikTokProvider, token: TokenSet, sim: Simulator) -> None:
    opts = {**PUBLIC, "title": "Trip", "photo_cover_index": 1, "auto_add_music": True}
    result = provider.publish(
        token, PublishRequest(text="a long description", media=[photo(1), photo(2)], options=opts)
    )
    assert result.state == "published" and result.platform_post_id
    post = one_post(sim, "tiktok")
    assert [m["url"] for m in post["media"]] == [PHOTO_URL.format(1), PHOTO_URL.format(2)]
    assert post["media_type"] == "PHOTO" and post["text"] == "a long description"
    assert post["post_info"]["title"] == "Trip" and post["post_info"]["auto_add_music"] is True


def test_unverified_url_is_refused(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("tiktok", instance={"verified_url_prefixes": ["https://media.example.com/"]})
    provider.publish(token, PublishRequest(text="ok", media=[photo(1)], options=PUBLIC))
    elsewhere = photo(2, "https://other.example.net/x.jpg")
    exc = publish_error(
        provider,
        token,
        PublishRequest(text="no", media=[elsewhere], options=PUBLIC),
        PermanentError,
    )
    assert exc.code == "url_ownership_unverified" and len(sim.posts("tiktok")) == 1


def test_video_pull_from_url(provider: TikTokProvider, token: TokenSet, sim: Simulator) -> None:
    item = video()
    item.url = "https://media.example.com/v/clip.mp4"
    opts = {**PUBLIC, "video_source": "PULL_FROM_URL"}
    result = provider.publish(token, PublishRequest(text="pulled", media=[item], options=opts))
    assert result.state == "published"
    assert one_post(sim, "tiktok")["media"] == [{"type": "video", "url": item.url}]


def test_privacy_level_must_be_one_of_the_creators_options(
    provider: TikTokProvider, token: TokenSet, sim: Simulator, server: SimServer
) -> None:
    tiktok(sim).ensure_user(
        "alice", privacy_level_options=["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    )
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), PermanentError
    )
    assert exc.code == "privacy_level_option_mismatch"
    # The simulator refuses it too when a client skips the check.
    body = {
        "post_info": {"privacy_level": "PUBLIC_TO_EVERYONE"},
        "source_info": {"source": "PULL_FROM_URL", "video_url": "https://m.example.com/a.mp4"},
    }
    raw = api(server, "/v2/post/publish/video/init/", token, json=body)
    assert raw.json()["error"]["code"] == "privacy_level_option_mismatch"
    assert sim.posts("tiktok") == []


def test_unaudited_app_may_only_post_self_only(
    server: SimServer, http: httpx.Client, sim: Simulator
) -> None:
    app = tiktok(sim).register_app(["*"], audited=False)
    provider = make_provider(
        server, http, client_id=app.client_key, client_secret=app.client_secret
    )
    token = minted(sim, client_key=app.client_key)
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), PermanentError
    )
    assert exc.code == "unaudited_client_can_only_post_to_private_accounts"
    opts = {"privacy_level": "SELF_ONLY"}
    assert provider.publish(token, PublishRequest(text="x", media=[video()], options=opts))
    assert len(sim.posts("tiktok")) == 1


def test_creator_disabled_interactions_stay_disabled(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    tiktok(sim).ensure_user("alice", duet_disabled=True, comment_disabled=True)
    opts = {**PUBLIC, "disable_duet": False, "is_aigc": True, "video_cover_timestamp_ms": 500}
    provider.publish(token, PublishRequest(text="x", media=[video()], options=opts))
    info = one_post(sim, "tiktok")["post_info"]
    assert info["disable_duet"] is True and info["disable_comment"] is True
    assert info["is_aigc"] is True and info["video_cover_timestamp_ms"] == 500


def test_processing_failures_are_permanent(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    not_a_video = video(data=b"GIF89a" + bytes(5000))
    exc = publish_error(
        provider,
        token,
        PublishRequest(text="x", media=[not_a_video], options=PUBLIC),
        PermanentError,
    )
    assert "file_format_check_failed" in exc.message
    sim.set_knobs("tiktok", instance={"processing_failure": "duration_check_failed"})
    with pytest.raises(PermanentError) as exc:
        provider.publish(token, PublishRequest(text="x", media=[video()], options=PUBLIC))
    assert "duration_check_failed" in exc.value.message and sim.posts("tiktok") == []


def test_internal_processing_failure_is_safe_to_retry(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("tiktok", instance={"processing_failure": "internal"})
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), TransientError
    )
    assert exc.sent is False


# ------------------------------------------------------------------ errors and limits


def test_init_rate_limit_is_six_per_minute(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="x", media=[photo(1)], options=PUBLIC)
    for _ in range(6):
        provider.publish(token, request)
    exc = publish_error(provider, token, request, RateLimited)
    assert exc.code == "rate_limit_exceeded" and exc.status == 429
    wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
    assert 55 < wait <= 60  # TikTok sends no reset header: the 1-minute window
    assert len(sim.posts("tiktok")) == 6


def test_injected_429_honours_retry_after(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("tiktok", "429", path="/v2/post/publish/video/init/", reset_in_s=300)
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), RateLimited
    )
    wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
    assert 290 < wait <= 300


def test_daily_post_cap(provider: TikTokProvider, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs("tiktok", quotas={"posts": {"limit": 2, "window_s": 86400}})
    request = PublishRequest(text="x", media=[photo(1)], options=PUBLIC)
    provider.publish(token, request)
    provider.publish(token, request)
    with pytest.raises(RateLimited) as exc:  # refused already by creator_info
        provider.publish(token, request)
    assert exc.value.code == "spam_risk_too_many_posts"
    assert exc.value.retry_at - datetime.now(UTC) > timedelta(minutes=59)
    assert len(sim.posts("tiktok")) == 2


def test_banned_creator_is_permanent(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    tiktok(sim).ensure_user("alice", banned=True)
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), PermanentError
    )
    assert exc.code == "spam_risk_user_banned_from_posting"


def test_auth_errors(provider: TikTokProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("tiktok", "401")
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), AuthError
    )
    assert exc.refresh_may_help is True and exc.code == "access_token_invalid"
    tiktok(sim).expire_token(token.access_token)
    with pytest.raises(AuthError) as expired:
        provider.account_info(token)
    assert expired.value.refresh_may_help is True and expired.value.status == 401
    narrow = minted(sim, "carol", scopes="user.info.basic,video.list")
    with pytest.raises(AuthError) as scope:
        provider.publish(narrow, PublishRequest(text="x", media=[video()], options=PUBLIC))
    assert scope.value.code == "scope_not_authorized" and scope.value.refresh_may_help is False
    assert provider.account_info(narrow).name == "Carol"  # asks only for fields it may read


def test_5xx_on_file_upload_init_is_not_sent(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("tiktok", "500", path="/v2/post/publish/video/init/", after_accept=True)
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), TransientError
    )
    # The publish_id exists, but without the bytes nothing can ever be posted.
    assert exc.sent is False and exc.code == "internal_error"
    time.sleep(0.1)
    assert sim.posts("tiktok") == []


def test_5xx_on_photo_init_is_sent(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("tiktok", "503", path="/v2/post/publish/content/init/")
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[photo(1)], options=PUBLIC), TransientError
    )
    assert exc.sent is True and exc.status == 503


def test_timeout_after_accept_then_find_recent(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="did this get posted?", media=[photo(1)], options=PUBLIC)
    assert_found_after_timeout(provider, token, sim, "/v2/post/publish/content/init/", request)


def test_lost_final_chunk_is_decided_by_the_status(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    # The chunk arrived, the answer did not: pending, then published.
    sim.inject("tiktok", "timeout_after_accept", path="/video/", method="PUT")
    result = provider.publish(token, PublishRequest(text="x", media=[video()], options=PUBLIC))
    assert result.state == "pending" and result.pending_state["upload_unconfirmed"]
    time.sleep(0.1)
    assert provider.finalize(token, result.pending_state).state == "published"
    # The chunk never arrived: nothing can be posted, so a retry is safe.
    sim.inject("tiktok", "502", path="/video/", method="PUT")
    result = provider.publish(token, PublishRequest(text="y", media=[video()], options=PUBLIC))
    assert result.state == "pending"
    assert provider.check_status(token, result.pending_state).state == "ready"
    with pytest.raises(TransientError) as exc:
        provider.finalize(token, result.pending_state)
    assert exc.value.sent is False and len(sim.posts("tiktok")) == 1


def test_duplicate_fault_is_permanent_duplicate(
    provider: TikTokProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("tiktok", "duplicate", path="/v2/post/publish/video/init/")
    exc = publish_error(
        provider, token, PublishRequest(text="x", media=[video()], options=PUBLIC), PermanentError
    )
    assert exc.duplicate is True and exc.code == "spam_risk"


def test_connection_refused_is_not_sent(http: httpx.Client, token: TokenSet) -> None:
    assert_refused_not_sent(
        TikTokProvider, http, token, PublishRequest(text="x", media=[video()], options=PUBLIC)
    )


# ------------------------------------------------------------------ validation, metrics


def test_caption_counting_and_validation(provider: TikTokProvider) -> None:
    assert text_length("a" * 10) == 10
    assert text_length("你好") == 2  # CJK: one each
    assert text_length("👋") == 2  # UTF-16: a surrogate pair
    assert text_length("👨‍👩‍👧") == 8  # ZWJ family: three emoji + two joiners
    assert text_length("e\u0301") == 2  # combining mark
    v = [video()]
    ok = PublishRequest(text="你" * 2200, media=v, options=PUBLIC)
    assert provider.validate(ok) == []
    assert provider.validate(PublishRequest(text="a" * 2198 + "👋", media=v, options=PUBLIC)) == []
    assert provider.validate(PublishRequest(text="a" * 2199 + "👋", media=v, options=PUBLIC))
    url = "https://example.com/" + "x" * 2200
    assert provider.validate(PublishRequest(text=url, media=v, options=PUBLIC))  # no URL discount
    photos = [photo(i) for i in range(3)]
    assert provider.validate(PublishRequest(text="d" * 4000, media=photos, options=PUBLIC)) == []
    assert provider.validate(PublishRequest(text="d" * 4001, media=photos, options=PUBLIC))

    def problems(media: list[MediaItem] | None = None, **opts: Any) -> list[str]:
        options = {**PUBLIC, **opts}
        return provider.validate(
            PublishRequest(text="x", media=v if media is None else media, options=options)
        )

    assert problems(media=[])  # no text-only posts
    assert problems(media=[photo(i) for i in range(36)])  # more than 35 photos
    assert problems(media=[video(), photo(1)])  # no mixing
    assert problems(media=[video(), video()])
    png = MediaItem.from_bytes(b"\x89PNG", "image/png", "a.png")
    png.url = "https://media.example.com/a.png"
    assert problems(media=[png])  # JPEG/WebP only
    no_url = MediaItem.from_bytes(b"\xff\xd8", "image/jpeg", "a.jpg")
    assert any("URL" in p for p in problems(media=[no_url]))
    assert problems(media=[MediaItem("video/mp4", 5 * 1024**3, lambda: io.BytesIO(), "huge.mp4")])
    assert provider.validate(PublishRequest(text="x", media=v))  # privacy_level is required
    assert problems(privacy_level="EVERYONE")
    assert problems(disable_comment="yes")
    assert problems(video_cover_timestamp_ms=-1)
    assert problems(brand_content_toggle=True, privacy_level="SELF_ONLY")
    assert problems(nope=1)
    assert problems(video_source="PULL_FROM_URL")  # the video has no URL
    assert problems(media=photos, title="t" * 91)
    assert problems(media=photos, photo_cover_index=3)
    assert problems(is_aigc=True, brand_organic_toggle=True) == []


def test_metrics(provider: TikTokProvider, token: TokenSet, sim: Simulator) -> None:
    result = provider.publish(
        token, PublishRequest(text="count me", media=[video()], options=PUBLIC)
    )
    assert result.platform_post_id
    assert_post_metrics(
        provider,
        token,
        result.platform_post_id,
        f"{sim_url(provider)}/_sim/tiktok/videos/{result.platform_post_id}",
        {"like_count": 3, "comment_count": 2, "share_count": 1, "view_count": 90},
        {"likes": 3, "comments": 2, "shares": 1, "views": 90},
    )
    assert_account_metrics(
        provider,
        token,
        f"{sim_url(provider)}/_sim/tiktok/users/alice",
        {"follower_count": 42, "following_count": 7, "likes_count": 5},
        {"followers": 42, "following": 7, "posts": 1, "likes": 5},
    )
    with pytest.raises(PermanentError):
        provider.post_metrics(token, "7300000000000000001")


def test_find_recent_pages(provider: TikTokProvider, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs(
        "tiktok",
        media_processing_ms=0,
        quotas={
            "init": {"limit": 100, "window_s": 60},
            "creator_info": {"limit": 100, "window_s": 60},
            "status": {"limit": 100, "window_s": 60},
            "posts": {"limit": 100, "window_s": 86400},
        },
    )
    for i in range(21):
        provider.publish(token, PublishRequest(text=f"p{i}", media=[photo(i)], options=PUBLIC))
    found = provider.find_recent(token, datetime.now(UTC) - timedelta(minutes=1))
    assert [r.text for r in found] == [f"p{i}" for i in reversed(range(21))]
    assert provider.find_recent(token, datetime.now(UTC) + timedelta(seconds=2)) == []


def test_strictness(server: SimServer, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs("tiktok", quotas={"init": {"limit": 100, "window_s": 60}})
    init = "/v2/post/publish/video/init/"
    file_src = {
        "source": "FILE_UPLOAD",
        "video_size": 1000,
        "chunk_size": 1000,
        "total_chunk_count": 1,
    }
    ok = {"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": file_src}

    def refused(body: Any, path: str = init, status: int = 400, **kw: Any) -> str:
        response = api(server, path, token, json=body, **kw)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["log_id"] and error["code"] != "ok"
        return error["code"] + ": " + error["message"]

    assert "invalid_params" in refused({**ok, "caption": "x"})  # unknown field
    assert "privacy_level" in refused({**ok, "post_info": {}})  # required, no default
    assert "must be one of" in refused({**ok, "post_info": {"privacy_level": "EVERYONE"}})
    bad_type = {"privacy_level": "SELF_ONLY", "disable_comment": "false"}
    assert "bool" in refused({**ok, "post_info": bad_type})
    assert "Unknown field post_info.caption" in refused(
        {**ok, "post_info": {"privacy_level": "SELF_ONLY", "caption": "x"}}
    )
    big = {
        "source": "FILE_UPLOAD",
        "video_size": 20 * MB,
        "chunk_size": 2 * MB,
        "total_chunk_count": 10,
    }
    assert "between 5 MB and 64 MB" in refused({**ok, "source_info": big})
    wrong_count = {**big, "chunk_size": 6 * MB, "total_chunk_count": 4}
    assert "floor" in refused({**ok, "source_info": wrong_count})
    assert "source" in refused({**ok, "source_info": {"source": "UPLOAD"}})
    # The JSON Content-Type is required.
    plain = api(server, init, token, content=b"{}", headers={"Content-Type": "text/plain"})
    assert plain.json()["error"]["code"] == "invalid_params"
    # Bearer token required.
    assert api(server, init, json=ok).json()["error"]["code"] == "access_token_invalid"
    # A real init, then an upload that breaks TikTok's rules.
    made = api(server, init, token, json=ok)
    upload_url = made.json()["data"]["upload_url"]
    body = mp4(1000)
    wrong_range = httpx.put(
        upload_url,
        content=body,
        headers={"Content-Type": "video/mp4", "Content-Range": "bytes 0-999/999"},
    )
    assert wrong_range.status_code == 400
    no_type = httpx.put(
        upload_url,
        content=body,
        headers={"Content-Type": "application/octet-stream", "Content-Range": "bytes 0-999/1000"},
    )
    assert no_type.status_code == 400
    done = httpx.put(
        upload_url,
        content=body,
        headers={"Content-Type": "video/mp4", "Content-Range": "bytes 0-999/1000"},
    )
    assert done.status_code == 201
    # Status fetch and user info are strict too.
    assert "invalid_params" in refused({"publish_id": 1}, "/v2/post/publish/status/fetch/")
    info = api(server, "/v2/user/info/", token, method="GET", params={"fields": "open_id,email"})
    assert info.json()["error"]["code"] == "invalid_params"
    assert (
        api(server, "/v2/user/info/", token, method="GET").json()["error"]["code"]
        == "invalid_params"
    )
    # Wrong paths and versions do not exist.
    assert api(server, "/v1/post/publish/video/init/", token, json=ok).status_code == 404
    assert api(server, "/v2/post/publish/video/", token, json=ok).status_code == 404

    def authorize(scope: str, **client: str) -> httpx.Response:
        params = {"scope": scope, "response_type": "code", "redirect_uri": REDIRECT, "state": "s"}
        return httpx.get(
            server.url_for("tiktok") + "/v2/auth/authorize/", params={**client, **params}
        )

    # OAuth: client_key, not client_id; the token endpoint is form-encoded.
    assert authorize("user.info.basic", client_id=SANDBOX_CLIENT_ID).status_code == 400
    as_json = api(server, "/v2/oauth/token/", json={"client_key": SANDBOX_CLIENT_ID})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    bad_scope = authorize("user.info.basic video.publish", client_key=SANDBOX_CLIENT_ID)
    assert httpx.URL(bad_scope.headers["location"]).params["error"] == "invalid_scope"
