"""The YouTube provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.base import make_code_verifier
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.posts import MediaItem, PublishRequest
from app.providers.youtube import (
    YouTubeProvider,
    description_bytes,
    next_pacific_midnight,
    tags_length,
)
from simulator import SimServer, Simulator
from simulator.youtube import (
    METHOD_PARAMS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SCHEMAS,
    SCOPE,
    YouTubeSim,
)
from tests.providers.checks import assert_refused_not_sent
from tests.providers.flows import authorize_as
from tests.providers.helpers import SPECS, one_post, platform_of, publish_error, set_counts

SIMULATED = [YouTubeSim]
SEED = 5

REDIRECT = "http://localhost:3000/oauth/youtube/callback"
SPEC = SPECS / "youtube" / "youtube.v3.json"
KIB256 = 256 * 1024
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def mp4(size: int, seed: int = 1) -> bytes:
    """`size` bytes that start like an MP4 file (the simulator sniffs the container)."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + random.Random(seed).randbytes(size - len(head))


class CountingStream(io.BytesIO):
    """Counts every byte the provider reads (to prove a resume does not resend the file)."""

    def __init__(
        self, data: bytes, counter: list[int], on_read: Callable[[int], None] | None = None
    ) -> None:
        super().__init__(data)
        self.counter = counter
        self.on_read = on_read

    def read(self, n: int | None = -1) -> bytes:
        block = super().read(n)
        self.counter[0] += len(block)
        if self.on_read:
            self.on_read(self.counter[0])
        return block


def video_item(data: bytes, counter: list[int] | None = None) -> MediaItem:
    box = counter if counter is not None else [0]
    return MediaItem("video/mp4", len(data), lambda: CountingStream(data, box), "clip.mp4")


# ------------------------------------------------------------------ fixtures


def make_provider(server: SimServer, http: httpx.Client, **kw: Any) -> YouTubeProvider:
    base = server.url_for("youtube")
    options: dict[str, Any] = {
        "chunk_size": KIB256,
        "processing_wait_s": 3.0,
        "processing_poll_s": 0.02,
        "retry_backoff_s": 0.01,
    }
    options.update(kw)
    return YouTubeProvider(
        api_base=base,
        auth_base=base,
        token_base=base,
        client=http,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
        **options,
    )


def yt(sim: Simulator) -> YouTubeSim:
    return platform_of(sim, YouTubeSim)


def minted(sim: Simulator, username: str = "alice", **kw: Any) -> TokenSet:
    issued = yt(sim).issue_token(username, **kw)
    return TokenSet(
        issued["access_token"],
        issued["refresh_token"],
        datetime.fromtimestamp(issued["expires_at"], UTC),
        issued["scope"],
        {"channel_id": issued["channel_id"]},
    )


def request(
    data: bytes | None = None, text: str = "A walk in the park", **opts: Any
) -> PublishRequest:
    options = {"title": "Park walk", **opts}
    media = [video_item(data if data is not None else mp4(40_000))]
    return PublishRequest(text=text, media=media, options=options)


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_with_pkce_refresh_and_revoke(
    provider: YouTubeProvider, sim: Simulator
) -> None:
    verifier = make_code_verifier()
    url = provider.authorize_url(state="s-1", redirect_uri=REDIRECT, code_verifier=verifier)
    query = httpx.URL(url).params
    assert url.startswith(provider.authorize_endpoint) and "/o/oauth2/v2/auth?" in url
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["code_challenge_method"] == "S256"
    assert set(query["scope"].split()) == {SCOPE + "youtube.upload", SCOPE + "youtube.readonly"}
    params = authorize_as(url, "bob").params
    assert params["state"] == "s-1"

    with pytest.raises(PermanentError) as bad:  # PKCE: the verifier must match the challenge
        provider.exchange_code(code=params["code"], redirect_uri=REDIRECT, code_verifier="x" * 43)
    assert bad.value.code == "invalid_grant"
    code = authorize_as(url, "bob").params["code"]
    token = provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    assert token.access_token.startswith("ya29.") and token.refresh_token
    assert token.expires_at is not None
    assert timedelta(minutes=55) < token.expires_at - datetime.now(UTC) <= timedelta(hours=1)
    with pytest.raises(PermanentError):  # a code works once
        provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)

    info = provider.account_info(token)
    assert info.username == "bob" and info.platform_account_id.startswith("UC")
    assert info.metadata["uploads_playlist_id"] == "UU" + info.platform_account_id[2:]
    assert info.avatar_url and token.extra["channel_id"] == info.platform_account_id

    # Refresh: a new access token, the same (not rotated) refresh token, usable twice.
    fresh = provider.refresh(token)
    again = provider.refresh(token)
    assert fresh.access_token != token.access_token != again.access_token
    assert fresh.refresh_token == token.refresh_token == again.refresh_token
    assert provider.account_info(fresh).platform_account_id == info.platform_account_id

    provider.revoke(fresh)  # revoking revokes the grant: access and refresh tokens
    with pytest.raises(AuthError) as dead:
        provider.refresh(token)
    assert dead.value.refresh_may_help is False and dead.value.code == "invalid_grant"
    with pytest.raises(AuthError) as refused:
        provider.account_info(fresh)
    assert refused.value.refresh_may_help is True and refused.value.status == 401
    provider.revoke(fresh)  # already revoked: not an error


def test_testing_mode_refresh_tokens_expire(provider: YouTubeProvider, sim: Simulator) -> None:
    sim.set_knobs("youtube", instance={"refresh_token_ttl_s": 604800})
    url = provider.authorize_url(state="s", redirect_uri=REDIRECT)  # PKCE is optional at Google
    code = httpx.URL(httpx.get(url).headers["location"]).params["code"]
    token = provider.exchange_code(code=code, redirect_uri=REDIRECT)
    assert "refresh_token_expires_at" in token.extra
    assert provider.account_info(token).username == "youtube_user"  # the default user
    yt(sim).expire_token(token.refresh_token or "")
    with pytest.raises(AuthError) as exc:
        provider.refresh(token)
    assert exc.value.refresh_may_help is False


def test_publish_targets_follow_the_chosen_brand_channel(
    provider: YouTubeProvider, sim: Simulator
) -> None:
    yt(sim).ensure_user("carol", channels=["Carol", "Carol Cooks"])
    verifier = make_code_verifier()
    url = provider.authorize_url(state="s", redirect_uri=REDIRECT, code_verifier=verifier)
    code = httpx.URL(
        httpx.get(url + "&sim_account=carol&sim_channel=Carol+Cooks").headers["location"]
    ).params["code"]
    token = provider.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    targets = provider.publish_targets(token)
    assert [info.name for info, _ in targets] == ["Carol Cooks"]
    info, target_token = targets[0]
    assert target_token.extra["account_id"] == info.platform_account_id
    assert target_token.extra["channel_id"] == info.platform_account_id
    provider.publish(target_token, request())
    assert one_post(sim, "youtube")["channel_id"] == info.platform_account_id


# ------------------------------------------------------------------ publishing


def test_chunked_resumable_upload_publishes(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("youtube", media_processing_ms=50)
    data = mp4(3 * KIB256 + 1234)
    counter = [0]
    req = PublishRequest(
        text="Sunday walk 🌳 with 你好 and https://example.com/a?b=c",
        media=[video_item(data, counter)],
        options={
            "title": "Park walk 🌳",
            "tags": ["park", "walk slowly"],
            "privacy": "unlisted",
            "category_id": "19",
            "notify_subscribers": False,
        },
    )
    since = datetime.now(UTC)
    result = provider.publish(token, req)
    assert result.state == "published" and result.platform_post_id
    assert result.permalink == f"https://www.youtube.com/watch?v={result.platform_post_id}"
    post = one_post(sim, "youtube")
    assert post["post_id"] == result.platform_post_id and post["text"] == req.text
    assert post["title"] == "Park walk 🌳" and post["tags"] == ["park", "walk slowly"]
    assert (post["privacy"], post["category_id"], post["notify_subscribers"]) == (
        "unlisted",
        "19",
        False,
    )
    assert post["sha256"] == hashlib.sha256(data).hexdigest()  # every byte, in order
    assert counter[0] == len(data)  # streamed once
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], req.text)]
    assert provider.find_recent(token, datetime.now(UTC) + timedelta(seconds=2)) == []


def test_pending_then_check_status_and_finalize(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, processing_wait_s=0.05)
    sim.set_knobs("youtube", media_processing_ms=400)
    result = provider.publish(token, request())
    assert result.state == "pending" and result.pending_state["video_id"]
    json.dumps(result.pending_state)  # stored by the worker
    status = provider.check_status(token, result.pending_state)
    assert status.state == "processing" and status.retry_after
    assert provider.finalize(token, result.pending_state).state == "pending"
    time.sleep(0.4)
    assert provider.check_status(token, result.pending_state).state == "ready"
    done = provider.finalize(token, result.pending_state)
    assert (
        done.state == "published" and done.platform_post_id == one_post(sim, "youtube")["post_id"]
    )


def test_a_failed_chunk_is_resumed_not_restarted(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    data = mp4(4 * KIB256 + 10)
    counter = [0]

    def fail_third_chunk(read: int) -> None:
        if read == 3 * KIB256:  # chunk 3 was just read: its PUT fails before it is stored
            sim.inject("youtube", "503", method="PUT")

    item = MediaItem(
        "video/mp4", len(data), lambda: CountingStream(data, counter, fail_third_chunk), "v.mp4"
    )
    result = provider.publish(token, PublishRequest(text="t", media=[item], options={"title": "x"}))
    assert result.state == "published"
    assert one_post(sim, "youtube")["sha256"] == hashlib.sha256(data).hexdigest()
    assert counter[0] == len(data) + KIB256  # only chunk 3 was sent twice


def test_lost_answers_are_resumed(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    data = mp4(4 * KIB256 + 10)
    counter = [0]
    sim.inject("youtube", "502", method="PUT")  # chunk 1 fails before it is read
    # The last chunk is stored (the video exists), then its answer is lost.
    sim.inject("youtube", "503_after_accept", method="PUT")
    req = PublishRequest(text="t", media=[video_item(data, counter)], options={"title": "x"})
    result = provider.publish(token, req)
    assert (
        result.state == "published"
        and one_post(sim, "youtube")["post_id"] == result.platform_post_id
    )
    assert counter[0] == len(data) + KIB256  # chunk 1 twice; the probe found the video


def test_final_chunk_timeout_after_accept_is_found_by_the_probe(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("youtube", "timeout_after_accept", method="PUT")
    result = provider.publish(token, request(mp4(50_000)))  # one chunk: the final one
    assert result.state == "published"
    assert one_post(sim, "youtube")["post_id"] == result.platform_post_id  # created once


def test_unanswered_final_chunk_is_sent_true(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, upload_retries=1)
    sim.inject("youtube", "500", method="PUT", count=None)
    exc = publish_error(provider, token, request(mp4(50_000)), TransientError)
    assert exc.sent is True and exc.details["upload_session"]
    assert sim.posts("youtube") == []


def test_unfinished_upload_and_session_errors_are_not_sent(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, upload_retries=1)
    sim.inject("youtube", "503", method="PUT", count=None)
    with pytest.raises(TransientError) as exc:
        provider.publish(token, request(mp4(3 * KIB256)))  # fails on chunk 1 of 3
    assert exc.value.sent is False
    sim.clear_faults()
    sim.inject("youtube", "500", method="POST", path="/upload/youtube/v3/videos")
    start = publish_error(provider, token, request(), TransientError)
    assert start.sent is False and start.status == 500
    assert sim.posts("youtube") == []


def test_connection_refused_is_not_sent(http: httpx.Client, token: TokenSet) -> None:
    assert_refused_not_sent(YouTubeProvider, http, token, request())


def test_scheduled_private_video(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    when = datetime.now(UTC) + timedelta(days=2)
    result = provider.publish(token, request(publish_at=when.isoformat()))
    post = one_post(sim, "youtube")
    assert post["privacy"] == "private"
    assert post["publish_at"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert result.extra["publish_at"] == post["publish_at"]
    assert provider.validate(request(publish_at=when.isoformat(), privacy="public"))
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert any("future" in e for e in provider.validate(request(publish_at=past)))


def test_thumbnail_from_an_attached_image(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    req = request()
    req.media.append(MediaItem.from_bytes(PNG, "image/png", "thumb.png"))
    result = provider.publish(token, req)
    assert "thumbnail_error" not in result.extra
    assert yt(sim).videos[result.platform_post_id or ""].custom_thumbnail is True
    bad = request(mp4(30_000, seed=9))
    bad.media.append(MediaItem.from_bytes(b"not an image", "image/jpeg", "t.jpg"))
    kept = provider.publish(token, bad)  # the video is up; the thumbnail problem is reported
    assert (
        kept.state == "published" and "not in a supported format" in kept.extra["thumbnail_error"]
    )


# ------------------------------------------------------------------ errors


def test_quota_exhaustion_waits_for_midnight_pacific(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("youtube", quotas={"units": {"limit": 2000, "window_s": 86400}})
    provider.publish(token, request())  # 1600 units + a few list calls
    exc = publish_error(provider, token, request(mp4(40_000, seed=2)), RateLimited)
    assert exc.code == "quotaExceeded" and exc.status == 403
    assert exc.retry_at == next_pacific_midnight()
    assert exc.retry_at.astimezone(next_pacific_midnight().tzinfo).hour in (7, 8)  # UTC
    assert len(sim.posts("youtube")) == 1
    # The 2026 model: inserts have their own bucket of 100 a day.
    sim.reset()
    token = minted(sim)
    sim.set_knobs(
        "youtube",
        instance={"quota_model": "buckets"},
        quotas={"inserts": {"limit": 1, "window_s": 86400}, "units": {"limit": 50}},
    )
    provider.publish(token, request())
    with pytest.raises(RateLimited):
        provider.publish(token, request(mp4(40_000, seed=3)))


def test_channel_upload_limit(provider: YouTubeProvider, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs("youtube", quotas={"uploads": {"limit": 1, "window_s": 86400}})
    provider.publish(token, request())
    exc = publish_error(provider, token, request(mp4(40_000, seed=2)), RateLimited)
    assert exc.code == "uploadLimitExceeded"
    assert exc.retry_at - datetime.now(UTC) > timedelta(hours=23)


def test_rate_limit_uses_retry_after(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("youtube", "429", path="/upload/*", reset_in_s=120)
    exc = publish_error(provider, token, request(), RateLimited)
    assert exc.code == "rateLimitExceeded"
    wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
    assert 100 < wait <= 121


def test_auth_errors(provider: YouTubeProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("youtube", "401")
    injected = publish_error(provider, token, request(), AuthError)
    assert injected.refresh_may_help is True and injected.code == "authError"
    yt(sim).expire_token(token.access_token)
    with pytest.raises(AuthError) as expired:
        provider.account_info(token)
    assert expired.value.status == 401
    readonly = minted(sim, scopes=SCOPE + "youtube.readonly")
    with pytest.raises(AuthError) as scope:
        provider.publish(readonly, request())
    assert scope.value.refresh_may_help is False and scope.value.code == "insufficientPermissions"


def test_duplicates(provider: YouTubeProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("youtube", "duplicate", path="/upload/*")
    injected = publish_error(provider, token, request(), PermanentError)
    assert injected.duplicate is True and injected.status == 409
    data = mp4(40_000, seed=4)
    provider.publish(token, request(data))
    with pytest.raises(PermanentError) as again:  # the same file: rejected after processing
        provider.publish(token, request(data, text="other text"))
    assert again.value.duplicate is True and "duplicate" in again.value.message


def test_a_file_that_is_not_a_video_fails_processing(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    exc = publish_error(provider, token, request(b"\x00" * 5000), PermanentError)
    assert "invalidFile" in exc.message and exc.duplicate is False
    sim.set_knobs("youtube", instance={"processing_failure": "transcodeFailed"})
    with pytest.raises(PermanentError):
        provider.publish(token, request())


# ------------------------------------------------------------------ validation, metrics


def test_validation_counts_like_youtube(provider: YouTubeProvider) -> None:
    assert provider.validate(request()) == []
    assert description_bytes("你" * 1666) == 4998 and description_bytes("👨‍👩‍👧") == 18
    assert provider.validate(request(text="你" * 1666)) == []
    assert provider.validate(request(text="你" * 1667))  # 5001 bytes
    assert provider.validate(request(text="é" * 2500)) == []
    assert provider.validate(request(text="é" * 2501))
    assert provider.validate(request(text="see https://example.com/" + "a" * 4976)) == []
    assert provider.validate(request(text="a < b"))
    assert provider.validate(request(title=None))
    assert provider.validate(request(title="  "))
    assert provider.validate(request(title="a" * 100)) == []
    assert provider.validate(request(title="a" * 101))
    assert provider.validate(request(title="<b>hi</b>"))
    assert provider.validate(request(title="👨‍👩‍👧" * 20)) == []  # 100 code points
    assert provider.validate(request(title="👨‍👩‍👧" * 20 + "!"))
    assert tags_length(["a b", "c"]) == 7  # "a b" + quotes, a comma, c
    assert provider.validate(request(tags=["x" * 250, "y" * 249])) == []
    assert provider.validate(request(tags=["x" * 250, "y" * 250]))
    assert provider.validate(request(tags="a,b"))
    assert provider.validate(request(privacy="friends"))
    assert provider.validate(request(category_id="99"))
    assert provider.validate(request(made_for_kids="no"))
    assert provider.validate(request(colour="red"))
    none = PublishRequest(text="only text", options={"title": "t"})
    assert any("exactly one video" in e for e in provider.validate(none))
    two = request()
    two.media.append(video_item(mp4(1000)))
    assert provider.validate(two)
    gif = request()
    gif.media.append(MediaItem.from_bytes(b"GIF89a", "image/gif", "a.gif"))
    assert any("JPEG or PNG" in e for e in provider.validate(gif))
    audio = request()
    audio.media.append(MediaItem.from_bytes(b"ID3", "audio/mpeg", "a.mp3"))
    assert any("audio/mpeg" in e for e in provider.validate(audio))


def test_the_simulator_enforces_the_same_rules(
    provider: YouTubeProvider, token: TokenSet, sim: Simulator
) -> None:
    item = video_item(mp4(1000))
    cases = [
        ({"snippet": {"title": "a" * 101}}, "invalidTitle"),
        ({"snippet": {"title": "x", "description": "你" * 1667}}, "invalidDescription"),
        ({"snippet": {"title": "x", "tags": ["x" * 250, "y" * 250]}}, "invalidTags"),
        ({"snippet": {"title": "x", "categoryId": "99"}}, "invalidCategoryId"),
        (
            {
                "snippet": {"title": "x"},
                "status": {"privacyStatus": "public", "publishAt": "2099-01-01T00:00:00Z"},
            },
            "invalidPublishAt",
        ),
    ]
    for resource, reason in cases:
        with pytest.raises(PermanentError) as exc:
            provider._start_session(token, item, resource, True)
        assert exc.value.code == reason and exc.value.status == 400
    assert sim.posts("youtube") == []


def test_metrics(provider: YouTubeProvider, token: TokenSet, sim: Simulator) -> None:
    result = provider.publish(token, request())
    video_id = result.platform_post_id
    base = provider.api_base.rsplit("/", 1)[0] + "/_sim/youtube"
    counters = {"viewCount": 90, "likeCount": 3, "commentCount": 2}
    set_counts(f"{base}/videos/{video_id}", counters)
    assert provider.post_metrics(token, video_id or "") == {"views": 90, "likes": 3, "comments": 2}
    channel = token.extra["channel_id"]
    set_counts(f"{base}/channels/{channel}", {"subscriberCount": 42})
    assert provider.account_metrics(token) == {"followers": 42, "posts": 1, "views": 90}
    with pytest.raises(PermanentError):
        provider.post_metrics(token, "nope1234567")


# ------------------------------------------------------------------ strictness


def test_the_simulator_is_strict(server: SimServer, token: TokenSet) -> None:
    base = server.url_for("youtube")
    auth = {"Authorization": f"Bearer {token.access_token}"}

    def reason(response: httpx.Response) -> str:
        return response.json()["error"]["errors"][0]["reason"]

    assert httpx.get(f"{base}/youtube/v4/videos", headers=auth).status_code == 404
    missing = httpx.get(f"{base}/youtube/v3/channels", params={"mine": "true"}, headers=auth)
    assert missing.status_code == 400 and reason(missing) == "required"
    unknown = httpx.get(
        f"{base}/youtube/v3/channels",
        params={"part": "snippet,stats", "mine": "true"},
        headers=auth,
    )
    assert reason(unknown) == "unknownPart"
    param = httpx.get(
        f"{base}/youtube/v3/videos", params={"part": "id", "id": "x", "colour": "1"}, headers=auth
    )
    assert param.status_code == 400 and "Unknown name" in param.json()["error"]["message"]
    boolean = httpx.get(
        f"{base}/youtube/v3/channels", params={"part": "id", "mine": "yes"}, headers=auth
    )
    assert boolean.status_code == 400
    nobody = httpx.get(f"{base}/youtube/v3/channels", params={"part": "id", "mine": "true"})
    assert nobody.status_code == 401 and reason(nobody) == "required"

    upload = f"{base}/upload/youtube/v3/videos"
    start = {"uploadType": "resumable", "part": "snippet,status"}
    headers = {**auth, "X-Upload-Content-Length": str(2 * KIB256 + 5)}

    def open_session(body: Any, **params: str) -> httpx.Response:
        return httpx.post(upload, params={**start, **params}, headers=headers, json=body)

    field = open_session({"snippet": {"title": "x", "colour": "red"}})
    assert field.status_code == 400
    assert 'Unknown name "colour"' in field.json()["error"]["message"]
    enum = open_session({"snippet": {"title": "x"}, "status": {"privacyStatus": "friends"}})
    assert enum.status_code == 400 and "privacyStatus" in enum.text
    typed = open_session({"snippet": {"title": "x", "tags": "a,b"}})
    assert typed.status_code == 400
    no_type = httpx.post(upload, params={"part": "snippet"}, headers=headers, json={})
    assert no_type.status_code == 400
    image = httpx.post(
        upload,
        params=start,
        headers={**headers, "X-Upload-Content-Type": "image/png"},
        json={"snippet": {"title": "x"}},
    )
    assert reason(image) == "badContent"

    session = open_session({"snippet": {"title": "x"}})
    assert session.status_code == 200
    location = session.headers["location"]
    assert "upload_id=" in location and "uploadType=resumable" in location
    data = mp4(2 * KIB256 + 5)
    mismatch = httpx.put(location, content=data[:100], headers={"Content-Range": "bytes 0-199/*"})
    assert mismatch.status_code == 400
    # A non-final chunk that is not a multiple of 256 KiB: only whole blocks are kept.
    part = httpx.put(
        location,
        content=data[: KIB256 + 100],
        headers={"Content-Range": f"bytes 0-{KIB256 + 99}/*"},
    )
    assert part.status_code == 308 and part.headers["range"] == f"bytes=0-{KIB256 - 1}"
    gap = httpx.put(
        location,
        content=data[-5:],
        headers={"Content-Range": f"bytes {len(data) - 5}-{len(data) - 1}/{len(data)}"},
    )
    assert gap.status_code == 400 and "exceeds already uploaded size" in gap.text
    probe = httpx.put(location, headers={"Content-Range": f"bytes */{len(data)}"})
    assert probe.status_code == 308 and probe.headers["range"] == f"bytes=0-{KIB256 - 1}"
    rest = httpx.put(
        location,
        content=data[KIB256:],
        headers={"Content-Range": f"bytes {KIB256}-{len(data) - 1}/{len(data)}"},
    )
    assert rest.status_code == 201 and rest.json()["status"]["uploadStatus"] in (
        "uploaded",
        "processed",
    )
    assert httpx.put(location, headers={"Content-Range": f"bytes */{len(data)}"}).status_code == 200


def test_embedded_discovery_subset_matches_the_document() -> None:
    if not SPEC.exists():
        pytest.skip("the Discovery document is not beside the repository")
    doc = json.loads(SPEC.read_text())
    keep = ("type", "enum", "$ref", "items", "format", "additionalProperties")

    def strip(prop: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in prop.items() if k in keep}
        for k in ("items", "additionalProperties"):
            if isinstance(out.get(k), dict):
                out[k] = strip(out[k])
        return out

    for name, schema in SCHEMAS.items():
        props = doc["schemas"][name]["properties"]
        assert {k: strip(v) for k, v in props.items()} == schema["properties"], name
    for method, params in METHOD_PARAMS.items():
        resource, verb = method.split(".")
        declared = doc["resources"][resource]["methods"][verb]["parameters"]
        assert set(declared) == set(params), method
        for pname, spec in params.items():
            for key in ("type", "enum", "minimum", "maximum", "repeated", "required"):
                assert declared[pname].get(key) == spec.get(key), (method, pname, key)
