"""The Facebook Pages provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.facebook import FacebookProvider, text_length
from app.providers.network import Limits
from app.providers.posts import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from simulator.facebook import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, FacebookSim
from tests.providers.checks import (
    assert_5xx_sent_but_not_on_upload,
    assert_found_after_timeout,
    assert_refused_not_sent,
    assert_throttled_until_estimate,
)
from tests.providers.flows import finalize_once_processed
from tests.providers.helpers import one_post, platform_of, publish_error, set_counts, sim_provider

SIMULATED = [FacebookSim]
SEED = 11

REDIRECT = "http://localhost:3000/oauth/facebook/callback"
IMAGE_URL = "https://cdn.example.com/cat.jpg"
VIDEO_URL = "https://cdn.example.com/clip.mp4"
PAGE = "facebook_user_page"


def make_provider(server: SimServer, http: httpx.Client, **kw: Any) -> FacebookProvider:
    video_base = server.url_for("facebook") + "/graph-video"
    return sim_provider(
        FacebookProvider,
        server,
        http,
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        video_base=video_base,
        **kw,
    )


def fb(sim: Simulator) -> FacebookSim:
    return platform_of(sim, FacebookSim)


def page_token(sim: Simulator, page: str = PAGE, **kw: Any) -> TokenSet:
    issued = fb(sim).issue_token("facebook_user", page=page, **kw)
    meta = {"kind": "page", "page_id": issued["page_id"]}
    return TokenSet(
        issued["access_token"],
        None,
        None,
        issued["scope"],
        {**meta, "account_id": issued["page_id"]},
    )


@pytest.fixture
def token(sim: Simulator) -> TokenSet:
    return page_token(sim)


def jpeg(n: int = 2048, name: str = "a.jpg", url: str | None = None) -> MediaItem:
    item = MediaItem.from_bytes(b"\xff\xd8" + b"x" * (n - 2), "image/jpeg", name, alt_text="alt")
    item.url = url
    return item


# ------------------------------------------------------------------ OAuth and Pages


def test_oauth_round_trip_lists_pages_with_page_tokens(
    provider: FacebookProvider, sim: Simulator
) -> None:
    url = provider.authorize_url(state="s-1", redirect_uri=REDIRECT)
    assert "/v25.0/dialog/oauth?" in url and "pages_manage_posts" in url
    redirect = httpx.get(url)
    assert redirect.status_code == 302
    params = httpx.URL(redirect.headers["location"]).params
    assert params["state"] == "s-1"
    user = provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)
    assert user.access_token.startswith("EAAU")  # the long-lived user token, not the 1 h one
    assert user.expires_at and user.expires_at - datetime.now(UTC) > timedelta(days=59)
    assert user.has_scope("pages_manage_posts") and user.refresh_token is None
    me = provider.account_info(user)
    assert me.name == "Facebook User" and me.avatar_url

    with pytest.raises(PermanentError):  # a code works once
        provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)

    targets = provider.publish_targets(user)
    assert [info.username for info, _ in targets] == ["facebook_user_page", "facebook_user_shop"]
    info, page = targets[0]
    assert page.expires_at is None and page.access_token.startswith("EAAP")
    assert info.metadata["kind"] == "page" and page.extra["account_id"] == info.platform_account_id
    assert info.avatar_url and info.name == "Facebook User Page"
    assert fb(sim).tokens[page.access_token].expires_at is None  # Page tokens never expire
    assert provider.account_info(page).platform_account_id == info.platform_account_id
    result = provider.publish(page, PublishRequest(text="hello from the page"))
    assert one_post(sim, "facebook")["post_id"] == result.platform_post_id
    assert one_post(sim, "facebook")["account"] == "facebook_user_page"


def test_page_token_of_a_short_lived_user_token_expires(server: SimServer, sim: Simulator) -> None:
    short = fb(sim).issue_token("facebook_user", long_lived=False)
    body = httpx.get(
        server.url_for("facebook") + "/v25.0/me/accounts",
        params={"fields": "id,access_token", "access_token": short["access_token"]},
    ).json()
    value = body["data"][0]["access_token"]
    assert fb(sim).tokens[value].expires_at == short["expires_at"]


def test_refresh_and_revoke(provider: FacebookProvider, sim: Simulator, token: TokenSet) -> None:
    issued = fb(sim).issue_token("facebook_user")
    user = TokenSet(issued["access_token"], None, None, issued["scope"], {"kind": "user"})
    new = provider.refresh(user)
    assert new.access_token != user.access_token and new.expires_at
    assert new.expires_at - datetime.now(UTC) > timedelta(days=59)
    assert provider.refresh(token) is token  # Page tokens need no refresh
    fb(sim).expire_token(user.access_token)
    with pytest.raises(AuthError) as exc:
        provider.refresh(user)
    assert exc.value.refresh_may_help is False and exc.value.code == "190"
    provider.revoke(token)  # a Page disconnect revokes nothing
    provider.publish(token, PublishRequest(text="still here"))
    provider.revoke(new)  # the user's grant: every token of the app dies, Page ones too
    with pytest.raises(AuthError):
        provider.publish(token, PublishRequest(text="gone"))


# ------------------------------------------------------------------ publishing


def test_text_and_link_post_then_find_recent(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC)
    text = "hello facebook 你好 👋🏽 #herald"
    result = provider.publish(
        token, PublishRequest(text=text, options={"link": "https://example.com/a"})
    )
    assert result.state == "published"
    post = one_post(sim, "facebook")
    assert post["post_id"] == result.platform_post_id and post["text"] == text
    assert post["link"] == "https://example.com/a" and post["kind"] == "link"
    assert result.permalink == post["permalink"]
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], text)]
    assert provider.find_recent(token, datetime.now(UTC) + timedelta(minutes=1)) == []


def test_find_recent_pages_through_results(
    provider: FacebookProvider, token: TokenSet, sim: Simulator, server: SimServer
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    for i in range(3):
        provider.publish(token, PublishRequest(text=f"post {i}"))
    body = httpx.get(
        server.url_for("facebook") + f"/v25.0/{token.extra['page_id']}/published_posts",
        params={"limit": 2, "access_token": token.access_token},
    ).json()
    assert len(body["data"]) == 2 and body["paging"]["next"]
    assert len(provider.find_recent(token, since)) == 3


def test_single_photo_by_url_and_by_upload(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    by_url = provider.publish(token, PublishRequest(text="cat", media=[jpeg(url=IMAGE_URL)]))
    uploaded = provider.publish(token, PublishRequest(text="dog", media=[jpeg(3000)]))
    posts = sim.posts("facebook")
    assert [p["post_id"] for p in posts] == [by_url.platform_post_id, uploaded.platform_post_id]
    assert posts[0]["media"] == [{"type": "IMAGE", "url": IMAGE_URL, "alt_text": "alt", "size": 0}]
    assert posts[1]["media"][0]["size"] == 3000 and posts[1]["kind"] == "photo"
    assert by_url.permalink and by_url.platform_post_id.startswith(token.extra["page_id"] + "_")


def test_multi_photo_post_uses_attached_media(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    media = [jpeg(url=IMAGE_URL), jpeg(1000, "b.jpg"), jpeg(url="https://cdn.example.com/c.png")]
    result = provider.publish(token, PublishRequest(text="three", media=media))
    post = one_post(sim, "facebook")  # the unpublished uploads are not posts
    assert post["post_id"] == result.platform_post_id and post["kind"] == "album"
    assert [m["url"] for m in post["media"]] == [IMAGE_URL, None, "https://cdn.example.com/c.png"]
    assert len(fb(sim).photos) == 3
    assert all(p.attached_to == post["post_id"] for p in fb(sim).photos.values())


def test_video_by_url_waits_for_processing(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("facebook", media_processing_ms=200)
    since = datetime.now(UTC)
    video = MediaItem(mime="video/mp4", size=10_000, open=lambda: io.BytesIO(b""), url=VIDEO_URL)
    started = time.monotonic()
    result = provider.publish(
        token,
        PublishRequest(text="clip", media=[video], options={"video_title": "A clip"}),
    )
    assert result.state == "published" and time.monotonic() - started >= 0.2
    post = one_post(sim, "facebook")
    assert post["post_id"] == result.platform_post_id and post["media"][0]["url"] == VIDEO_URL
    assert result.permalink and "/videos/" in result.permalink
    assert fb(sim).videos[result.extra["video_id"]].title == "A clip"
    assert [r.platform_post_id for r in provider.find_recent(token, since)] == [post["post_id"]]


def test_resumable_video_upload_pending_then_finalize(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, media_wait_s=0.1)
    sim.set_knobs("facebook", media_processing_ms=500, instance={"video_chunk_bytes": 1000})
    data = bytes(range(256)) * 10  # 2560 bytes → 3 transfer chunks
    reads: list[int] = []

    class Spy(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            reads.append(len(chunk))
            return chunk

    video = MediaItem("video/mp4", len(data), lambda: Spy(data), "clip.mp4")
    request = PublishRequest(text="uploaded", media=[video], options={"first_comment": "first!"})
    result = provider.publish(token, request)
    assert result.state == "pending"
    assert reads == [1000, 1000, 560]  # streamed at the offsets Facebook asked for
    uploaded = fb(sim).videos[result.pending_state["video_id"]]
    assert uploaded.received == len(data) and uploaded.state == "processing"
    assert provider.find_recent(token, datetime.now(UTC) - timedelta(minutes=1)) == []
    done = finalize_once_processed(provider, token, result.pending_state, 0.5)
    assert done.platform_post_id == one_post(sim, "facebook")["post_id"]
    assert done.extra["first_comment_id"]
    assert provider.post_metrics(token, done.platform_post_id)["comments"] == 1


def test_video_processing_error_is_permanent(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("facebook", instance={"video_processing_error": "Unsupported codec"})
    video = MediaItem.from_bytes(b"v" * 100, "video/mp4", "v.mp4")
    exc = publish_error(provider, token, PublishRequest(text="bad", media=[video]), PermanentError)
    assert "Unsupported codec" in exc.message and sim.posts("facebook") == []


def test_first_comment(provider: FacebookProvider, token: TokenSet, sim: Simulator) -> None:
    result = provider.publish(
        token, PublishRequest(text="with a comment", options={"first_comment": "link in here"})
    )
    comment = fb(sim).comments[result.extra["first_comment_id"]]
    assert comment.message == "link in here" and comment.object_id == result.platform_post_id


# ------------------------------------------------------------------ errors


def test_page_throttle_is_rate_limited_with_the_buc_estimate(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("facebook", "429", path="*/feed", reset_in_s=600)
    assert_throttled_until_estimate(provider, token, PublishRequest(text="slow down"), "32")


def test_page_call_quota(provider: FacebookProvider, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs("facebook", quotas={"page_calls": {"limit": 3, "window_s": 7200}})
    provider.publish(token, PublishRequest(text="one"))  # feed + permalink = 2 calls
    with pytest.raises(RateLimited) as exc:
        provider.publish(token, PublishRequest(text="two"))
        provider.publish(token, PublishRequest(text="three"))
    assert exc.value.code == "80001"
    assert exc.value.retry_at - datetime.now(UTC) > timedelta(minutes=110)


def test_auth_errors(provider: FacebookProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("facebook", "401")
    exc = publish_error(provider, token, PublishRequest(text="x"), AuthError)
    assert exc.refresh_may_help is False and exc.details["error_subcode"] == 460
    fb(sim).expire_token(token.access_token)
    with pytest.raises(AuthError) as exc:
        provider.account_info(token)
    assert exc.value.code == "190" and exc.value.details["error_subcode"] == 463


def test_posting_with_a_user_token_is_refused(
    provider: FacebookProvider, sim: Simulator, token: TokenSet
) -> None:
    issued = fb(sim).issue_token("facebook_user")
    user = TokenSet(issued["access_token"], extra=dict(token.extra))
    with pytest.raises(AuthError) as exc:
        provider.publish(user, PublishRequest(text="as the person"))
    assert exc.value.code == "200" and sim.posts("facebook") == []


def test_5xx_on_publish_is_sent_but_on_photo_upload_is_not(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    media = [jpeg(), jpeg()]
    assert_5xx_sent_but_not_on_upload(
        provider, token, sim, ("*/feed", 503), ("*/photos", 500), media
    )


def test_5xx_during_video_transfer_is_not_sent(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("facebook", "500", path="*/videos", count=1)
    video = MediaItem.from_bytes(b"v" * 100, "video/mp4", "v.mp4")
    exc = publish_error(provider, token, PublishRequest(text="x", media=[video]), TransientError)
    assert exc.sent is False and sim.posts("facebook") == []


def test_duplicates(provider: FacebookProvider, token: TokenSet, sim: Simulator) -> None:
    provider.publish(token, PublishRequest(text="same words"))
    exc = publish_error(provider, token, PublishRequest(text="same words"), PermanentError)
    assert exc.duplicate is True and exc.code == "506"
    sim.inject("facebook", "duplicate", path="*/feed")
    with pytest.raises(PermanentError) as exc:
        provider.publish(token, PublishRequest(text="other words"))
    assert exc.value.duplicate is True and len(sim.posts("facebook")) == 1


def test_timeout_after_accept_then_find_recent(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="did this get posted?")
    assert_found_after_timeout(provider, token, sim, "*/feed", request)


def test_connection_refused_is_not_sent(http: httpx.Client, token: TokenSet) -> None:
    assert_refused_not_sent(FacebookProvider, http, token, PublishRequest(text="x"))


# ------------------------------------------------------------------ validation, metrics


def test_text_counts_utf16_units(
    provider: FacebookProvider, token: TokenSet, sim: Simulator
) -> None:
    assert text_length("a" * 10) == 10 and text_length("你好") == 2
    assert text_length("👋") == 2 and text_length("👋🏽") == 4 and text_length("é") == 1
    assert text_length("🇫🇷") == 4  # one grapheme, four UTF-16 units
    limit = 63206
    assert provider.validate(PublishRequest(text="你" * limit)) == []
    assert provider.validate(PublishRequest(text="a" * (limit - 2) + "👋")) == []
    assert provider.validate(PublishRequest(text="a" * (limit - 1) + "👋"))
    assert provider.validate(PublishRequest(text="x https://example.com/" + "a" * limit))
    # The simulator counts the same way, so an unchecked request is refused there too.
    loose = FacebookProvider(
        api_base=provider.api_base,
        client=provider.client,
        limits=Limits(max_text_length=10**6, max_media=10, counter=len),
    )
    with pytest.raises(PermanentError) as exc:
        loose.publish(token, PublishRequest(text="a" * (limit - 1) + "👋"))
    assert exc.value.code == "100" and sim.posts("facebook") == []


def test_validate_media_and_options(provider: FacebookProvider) -> None:
    video = MediaItem.from_bytes(b"v", "video/mp4", "v.mp4")
    assert provider.validate(PublishRequest(text="")) != []
    assert provider.validate(PublishRequest(text="", options={"link": "https://a.b"})) == []
    assert provider.validate(PublishRequest(text="x", options={"nope": 1})) != []
    assert provider.validate(PublishRequest(text="x", options={"link": "ftp://a/b"})) != []
    assert provider.validate(
        PublishRequest(text="x", media=[jpeg()], options={"link": "https://a.b"})
    )
    assert any("10" in e for e in provider.validate(PublishRequest(text="x", media=[jpeg()] * 11)))
    assert provider.validate(PublishRequest(text="x", media=[jpeg()] * 10)) == []
    assert provider.validate(PublishRequest(text="x", media=[video, jpeg()]))
    assert provider.validate(PublishRequest(text="x", media=[video, video]))
    pdf = MediaItem.from_bytes(b"%PDF", "application/pdf", "a.pdf")
    assert provider.validate(PublishRequest(text="x", media=[pdf]))
    assert any(
        "4 MB" in e
        for e in provider.validate(PublishRequest(text="x", media=[jpeg(5 * 1024 * 1024)]))
    )


def test_metrics(
    provider: FacebookProvider, token: TokenSet, sim: Simulator, server: SimServer
) -> None:
    result = provider.publish(token, PublishRequest(text="count me"))
    assert result.platform_post_id
    assert provider.post_metrics(token, result.platform_post_id) == {
        "likes": 0,
        "comments": 0,
        "shares": 0,
        "views": 0,
        "reach": 0,
        "clicks": 0,
    }
    set_counts(
        f"{server.url}/_sim/facebook/posts/{result.platform_post_id}",
        {
            "reactions": 7,
            "comments": 2,
            "shares": 1,
            "media_view": 90,
            "media_view_unique": 60,
            "clicks": 4,
        },
    )
    assert provider.post_metrics(token, result.platform_post_id) == {
        "likes": 7,
        "comments": 2,
        "shares": 1,
        "views": 90,
        "reach": 60,
        "clicks": 4,
    }
    set_counts(f"{server.url}/_sim/facebook/pages/{PAGE}", {"followers_count": 42, "fan_count": 40})
    assert provider.account_metrics(token) == {"followers": 42, "fans": 40}


def test_strictness(server: SimServer, token: TokenSet) -> None:
    base = server.url_for("facebook")
    feed = f"{base}/v25.0/{token.extra['page_id']}/feed"
    auth = {"Authorization": f"Bearer {token.access_token}"}

    def refused(url: str, method: str = "POST", **kw: Any) -> dict:
        response = httpx.request(method, url, headers=auth, **kw)
        assert response.status_code in (400, 403), response.text
        return response.json()["error"]

    assert "Missing message or attachment" in refused(feed, data={})["message"]
    assert (
        "not a valid parameter"
        in refused(feed, data={"message": "x", "caption_text": "y"})["message"]
    )
    assert "boolean" in refused(feed, data={"message": "x", "published": "maybe"})["message"]
    assert "MARKDOWN" in refused(feed, data={"message": "x", "formatting": "HTML"})["message"]
    assert refused(feed, data={"message": "x", "attached_media": "[1]"})["code"] == 100
    assert (
        refused(feed, data={"message": "x", "attached_media": '[{"media_fbid": "9"}]'})["code"]
        == 100
    )
    node = f"{base}/v25.0/{token.extra['page_id']}"
    error = refused(node, "GET", params={"fields": "id,email"})
    assert error["message"] == (
        "(#100) Tried accessing nonexisting field (email) on node type (Page)"
    )
    assert refused(f"{base}/v99.0/me", "GET")["code"] == 2500  # unknown version
    assert refused(f"{base}/me/feed", "GET")["code"] == 2500  # no version in the path
    assert refused(f"{node}/reels_nope", data={"message": "x"})["error_subcode"] == 33
    missing = httpx.post(feed, data={"message": "x"})
    assert missing.json()["error"]["code"] == 2500
    bad = httpx.post(feed, data={"message": "x"}, headers={"Authorization": "Bearer z"})
    assert bad.json()["error"]["code"] == 190
    videos = f"{base}/graph-video/v25.0/{token.extra['page_id']}/videos"
    start = httpx.post(videos, data={"upload_phase": "start", "file_size": "10"}, headers=auth)
    session = start.json()["upload_session_id"]
    wrong = refused(
        videos,
        data={"upload_phase": "transfer", "upload_session_id": session, "start_offset": "5"},
        files={"video_file_chunk": ("c", b"12345", "application/octet-stream")},
    )
    assert wrong["code"] == 6000
    early = refused(videos, data={"upload_phase": "finish", "upload_session_id": session})
    assert early["error_subcode"] == 1363019
    assert "upload_phase" in refused(videos, data={"upload_phase": "resume"})["message"]
    photos = f"{node}/photos"
    assert refused(photos, data={"message": "no file"})["code"] == 324
    assert (
        refused(photos, data={"url": IMAGE_URL}, files={"source": ("a.jpg", b"x", "image/jpeg")})[
            "code"
        ]
        == 100
    )
    too_big = refused(
        photos, files={"source": ("a.jpg", b"x" * (4 * 1024 * 1024 + 1), "image/jpeg")}
    )
    assert too_big["error_subcode"] == 1366046
    insights = refused(
        f"{base}/v25.0/{token.extra['page_id']}/insights",
        "GET",
        params={"metric": "page_impressions_unique"},
    )
    assert "valid insights metric" in insights["message"]


def test_sandbox_config_reaches_every_host(server: SimServer) -> None:
    config = httpx.get(server.url + "/_sim/sandbox").json()["facebook"]
    assert config["client_id"] == SANDBOX_CLIENT_ID
    assert config["video_base"] == "/facebook/graph-video"
