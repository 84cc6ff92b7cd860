"""The Instagram provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.instagram import InstagramProvider, hashtags, mentions
from app.providers.network import Limits
from app.providers.posts import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from simulator.instagram import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, InstagramSim
from tests.providers.checks import (
    assert_found_after_timeout,
    assert_post_metrics,
    assert_refused_not_sent,
    assert_throttled_until_estimate,
)
from tests.providers.flows import authorize_as
from tests.providers.helpers import one_post, platform_of, publish_error, sim_provider

SIMULATED = [InstagramSim]
SEED = 11

REDIRECT = "http://localhost:3000/oauth/instagram/callback"
IMAGE = "https://cdn.example.com/cat.jpg"
IMAGE2 = "https://cdn.example.com/dog.jpeg"
VIDEO = "https://cdn.example.com/clip.mp4"
V = "v25.0"


def make_provider(server: SimServer, http: httpx.Client, **kw: Any) -> InstagramProvider:
    return sim_provider(
        InstagramProvider, server, http, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, **kw
    )


def ig(sim: Simulator) -> InstagramSim:
    return platform_of(sim, InstagramSim)


def minted(sim: Simulator, username: str = "alice", **kw: Any) -> TokenSet:
    issued = ig(sim).issue_token(username, **kw)
    return TokenSet(
        issued["access_token"],
        None,
        datetime.fromtimestamp(issued["expires_at"], UTC),
        issued["scope"].replace(",", " "),
        extra={"account_id": issued["user_id"]},
    )


def req(text: str = "", *urls: str, **options: Any) -> PublishRequest:
    if urls:
        options["media_urls"] = list(urls)
    return PublishRequest(text=text, options=options)


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_long_lived_token_and_refresh(
    provider: InstagramProvider, sim: Simulator
) -> None:
    url = provider.authorize_url(state="s-1", redirect_uri=REDIRECT)
    assert "/oauth/authorize?" in url and "instagram_business_content_publish" in url
    location = authorize_as(url, "bob")
    assert location.params["state"] == "s-1" and location.fragment == "_"
    token = provider.exchange_code(code=location.params["code"], redirect_uri=REDIRECT)
    assert token.access_token.startswith("IGAA")  # the long-lived token, not the 1 h one
    assert token.refresh_token is None and token.expires_at is not None
    assert token.expires_at - datetime.now(UTC) > timedelta(days=59)
    assert token.has_scope("instagram_business_content_publish")
    info = provider.account_info(token)
    user = ig(sim).ensure_user("bob")
    assert (info.username, info.platform_account_id) == ("bob", user.id)
    assert info.avatar_url and info.metadata["account_type"] == "BUSINESS"
    assert provider.publish_targets(token)[0][0].platform_account_id == user.id

    # A code works once; the token host answers in Instagram's own error shape.
    with pytest.raises(PermanentError) as used:
        provider.exchange_code(code=location.params["code"], redirect_uri=REDIRECT)
    assert "authorization code" in used.value.message

    # Refresh needs a long-lived token at least 24 h old.
    with pytest.raises(PermanentError):
        provider.refresh(token)
    old = minted(sim, "bob", age_s=2 * 86400)
    new = provider.refresh(old)
    assert new.access_token != old.access_token and new.refresh_token is None
    assert new.expires_at and new.expires_at - datetime.now(UTC) > timedelta(days=59)
    assert provider.account_info(new).username == "bob"

    ig(sim).expire_token(old.access_token)
    with pytest.raises(AuthError) as exc:
        provider.refresh(old)
    assert exc.value.refresh_may_help is False


def test_authorize_rejects_retired_scopes_and_personal_accounts(
    provider: InstagramProvider, server: SimServer, sim: Simulator
) -> None:
    base = server.url_for("instagram") + "/oauth/authorize"
    params = {
        "client_id": SANDBOX_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "business_basic,business_content_publish",
    }
    refused = httpx.get(base, params=params)
    assert refused.status_code == 400 and "retired" in refused.json()["error_message"]
    assert httpx.get(base, params=params | {"client_id": "nope"}).status_code == 400
    ig(sim).ensure_user("personal", account_type="PERSONAL")
    with pytest.raises(PermanentError) as exc:
        provider.account_info(minted(sim, "personal"))
    assert "professional" in exc.value.message


def test_token_host_split(http: httpx.Client) -> None:
    real = InstagramProvider(client_id="1", client_secret="s", client=http)
    assert real.token_base == "https://api.instagram.com"
    assert real.authorize_url(state="x", redirect_uri=REDIRECT).startswith(
        "https://www.instagram.com/oauth/authorize?"
    )
    assert real.api_base == "https://graph.instagram.com"


# ------------------------------------------------------------------ publishing


def test_single_image_with_alt_text_location_and_first_comment(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC)
    opts = {
        "media_urls": [{"url": IMAGE, "alt_text": "a cat"}],
        "location_id": "1234567",
        "first_comment": "#cats #caturday",
    }
    result = provider.publish(token, PublishRequest(text="a cat 你好 👋", options=opts))
    assert result.state == "published"
    post = one_post(sim, "instagram")
    assert post["post_id"] == result.platform_post_id and post["text"] == "a cat 你好 👋"
    assert post["media"] == [{"type": "IMAGE", "url": IMAGE, "alt_text": "a cat"}]
    assert post["media_product_type"] == "FEED" and post["location_id"] == "1234567"
    assert result.permalink == post["permalink"] and "/p/" in result.permalink
    assert result.extra["first_comment_id"]
    stored = ig(sim).posts[result.platform_post_id]
    assert stored.comments[0]["text"] == "#cats #caturday"
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], post["text"])]
    assert provider.publishing_quota(token) == {"used": 1, "total": 100, "window_s": 86400}


def test_media_items_need_a_url(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    local = MediaItem.from_bytes(b"\xff\xd8jpeg", "image/jpeg", "cat.jpg")
    problems = provider.validate(PublishRequest(text="x", media=[local]))
    assert any("no public URL" in p for p in problems)
    with pytest.raises(PermanentError):
        provider.publish(token, PublishRequest(text="x", media=[local]))
    local.url = IMAGE
    local.alt_text = "described"
    assert provider.validate(PublishRequest(text="x", media=[local])) == []
    assert provider.publish(token, PublishRequest(text="x", media=[local])).state == "published"
    assert one_post(sim, "instagram")["media"][0]["alt_text"] == "described"


def test_reel_polls_the_container(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("instagram", media_processing_ms=200)
    started = time.monotonic()
    opts = {"share_to_feed": False, "cover_url": IMAGE, "thumb_offset": 1500}
    result = provider.publish(token, req("my reel", VIDEO, **opts))
    assert result.state == "published" and time.monotonic() - started >= 0.2
    post = one_post(sim, "instagram")
    assert post["media"] == [{"type": "VIDEO", "url": VIDEO, "alt_text": None}]
    assert (post["media_product_type"], post["share_to_feed"]) == ("REELS", False)
    assert "/reel/" in (result.permalink or "")


def test_feed_video_goes_out_as_a_reel_shared_to_feed(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    provider.publish(token, req("feed video", VIDEO, post_type="feed"))
    post = one_post(sim, "instagram")
    assert (post["media_product_type"], post["share_to_feed"]) == ("REELS", True)


def test_story_drops_the_caption_and_is_found_again(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC)
    result = provider.publish(token, req("not shown", IMAGE, post_type="story"))
    post = one_post(sim, "instagram")
    assert post["media_product_type"] == "STORY" and post["text"] == ""
    assert "/stories/" in (result.permalink or "")
    assert [r.platform_post_id for r in provider.find_recent(token, since)] == [post["post_id"]]


def test_carousel_mixes_images_and_videos(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("instagram", media_processing_ms=100)
    media = [{"url": IMAGE, "alt_text": "one"}, VIDEO, IMAGE2]
    result = provider.publish(token, PublishRequest(text="three", options={"media_urls": media}))
    assert result.state == "published"
    post = one_post(sim, "instagram")
    assert [m["type"] for m in post["media"]] == ["IMAGE", "VIDEO", "IMAGE"]
    assert post["media"][0]["alt_text"] == "one" and post["media_type"] == "CAROUSEL_ALBUM"
    assert provider.publishing_quota(token)["used"] == 1  # a carousel is one post


def test_pending_carousel_then_finalize(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, media_wait_s=0.1)
    sim.set_knobs("instagram", media_processing_ms=500)
    result = provider.publish(token, req("later", IMAGE, VIDEO))
    assert result.state == "pending" and sim.posts("instagram") == []
    state = result.pending_state
    assert state["container_id"] is None and len(state["children"]) == 2
    assert provider.check_status(token, state).state == "processing"
    again = provider.finalize(token, state)
    assert again.state == "pending" and again.pending_state["container_id"] is None
    time.sleep(0.5)
    assert provider.check_status(token, state).state == "ready"
    done = provider.finalize(token, state)
    assert (
        done.state == "published" and one_post(sim, "instagram")["post_id"] == done.platform_post_id
    )
    with pytest.raises(PermanentError) as twice:  # the parent container was used
        provider.finalize(token, {**state, "container_id": done.extra["container_id"]})
    assert twice.value.duplicate is True and len(sim.posts("instagram")) == 1


def test_pending_single_then_finalize(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, media_wait_s=0.05)
    sim.set_knobs("instagram", media_processing_ms=300)
    result = provider.publish(token, req("reel", VIDEO))
    assert result.state == "pending" and result.pending_state["container_id"]
    time.sleep(0.35)
    assert provider.finalize(token, result.pending_state).state == "published"


def test_unsupported_media_is_a_permanent_error(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    # A video in a format Instagram cannot transcode fails asynchronously (container ERROR).
    with pytest.raises(PermanentError) as video:
        mkv = {"url": "https://cdn.example.com/clip.mkv", "type": "VIDEO"}
        provider.publish(token, req("x", mkv, post_type="reel"))  # type: ignore[arg-type]
    assert "2207026" in video.value.message
    # A PNG mislabelled as JPEG passes validation; Instagram refuses it when it fetches it.
    png = {"url": "https://cdn.example.com/a.png", "mime": "image/jpeg"}
    with pytest.raises(PermanentError) as image:
        provider.publish(token, req("x", png))  # type: ignore[arg-type]
    assert image.value.details["error_subcode"] == 2207005
    sim.set_knobs("instagram", instance={"media_fetch_error": "Media download has failed."})
    fetch = publish_error(provider, token, req("x", IMAGE), PermanentError)
    assert fetch.details["error_subcode"] == 2207052
    assert sim.posts("instagram") == []


def test_publishing_an_unfinished_container_is_the_meta_error(
    server: SimServer, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("instagram", media_processing_ms=5000)
    base = server.url_for("instagram") + f"/{V}/me"
    auth = {"Authorization": f"Bearer {token.access_token}"}
    made = httpx.post(base + "/media", params={"image_url": IMAGE}, headers=auth)
    cid = made.json()["id"]
    status = httpx.get(
        server.url_for("instagram") + f"/{V}/{cid}",
        params={"fields": "status_code,status"},
        headers=auth,
    )
    assert status.json()["status_code"] == "IN_PROGRESS"
    early = httpx.post(base + "/media_publish", params={"creation_id": cid}, headers=auth)
    assert early.status_code == 400
    err = early.json()["error"]
    assert (err["code"], err["error_subcode"]) == (9007, 2207027) and err["fbtrace_id"]
    provider = InstagramProvider(api_base=server.url_for("instagram"))
    classified = provider.classify_error(early)
    assert isinstance(classified, TransientError) and classified.sent is False


# ------------------------------------------------------------------ errors


def test_throttle_is_rate_limited_with_the_buc_estimate(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("instagram", "429", path="*/media", method="POST", reset_in_s=600)
    assert_throttled_until_estimate(provider, token, req("slow down", IMAGE), "80002")


def test_quota_is_checked_before_publishing(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("instagram", quotas={"posts": {"limit": 2, "window_s": 86400}})
    first = datetime.now(UTC).replace(microsecond=0)
    provider.publish(token, req("one", IMAGE))
    provider.publish(token, req("two", IMAGE))
    containers = len(ig(sim).containers)
    exc = publish_error(provider, token, req("three", IMAGE), RateLimited)
    # Retry when the oldest post of the rolling window leaves it.
    assert abs((exc.retry_at - (first + timedelta(days=1))).total_seconds()) < 5
    assert len(ig(sim).containers) == containers  # no container was wasted
    assert len(sim.posts("instagram")) == 2


def test_quota_error_from_media_publish(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, check_quota=False)
    sim.set_knobs("instagram", quotas={"posts": {"limit": 1, "window_s": 86400}})
    provider.publish(token, req("one", IMAGE))
    exc = publish_error(provider, token, req("two", IMAGE), RateLimited)
    assert exc.details["error_subcode"] == 2207042
    assert exc.retry_at - datetime.now(UTC) > timedelta(hours=23)


def test_auth_errors(provider: InstagramProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("instagram", "401")
    with pytest.raises(AuthError):
        provider.publish(token, req("x", IMAGE))
    ig(sim).expire_token(token.access_token)
    with pytest.raises(AuthError) as exc:
        provider.account_info(token)
    assert exc.value.code == "190" and exc.value.details["error_subcode"] == 463
    assert exc.value.refresh_may_help is False
    no_publish = minted(sim, "carol", scopes="instagram_business_basic")
    with pytest.raises(AuthError) as scope:
        provider.publish(no_publish, req("x", IMAGE))
    assert scope.value.code == "10"


def test_5xx_on_publish_is_transient_and_sent(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("instagram", "503", path="*/media_publish")
    exc = publish_error(provider, token, req("x", IMAGE), TransientError)
    assert exc.sent is True and exc.status == 503


def test_5xx_on_container_is_not_sent(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("instagram", "500", path="*/media", method="POST")
    exc = publish_error(provider, token, req("x", IMAGE), TransientError)
    assert exc.sent is False and sim.posts("instagram") == []


def test_duplicate_fault_is_permanent_duplicate(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("instagram", "duplicate", path="*/media_publish")
    exc = publish_error(provider, token, req("x", IMAGE), PermanentError)
    assert exc.duplicate is True


def test_timeout_after_accept_then_find_recent(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    request = req("did this get posted?", IMAGE)
    post = assert_found_after_timeout(provider, token, sim, "*/media_publish", request)
    assert post["text"] == request.text


def test_connection_refused_is_not_sent(http: httpx.Client, token: TokenSet) -> None:
    assert_refused_not_sent(InstagramProvider, http, token, req("x", IMAGE))


# ------------------------------------------------------------------ validation


def make_provider_limits(provider: InstagramProvider) -> InstagramProvider:
    """A provider that checks nothing, to prove the simulator enforces the same rules."""
    return InstagramProvider(
        api_base=provider.api_base,
        client=provider.client,
        limits=Limits(max_text_length=100_000, max_media=50, counter=len),
        max_hashtags=1000,
        max_mentions=1000,
        min_carousel=1,
        media_poll_s=0.05,
        media_wait_s=2.0,
    )


def test_caption_rules_match_the_simulator(
    provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    assert provider.validate(req("你" * 2200, IMAGE)) == []  # CJK: one each
    assert provider.validate(req("👋" * 2200, IMAGE)) == []  # an emoji is one code point
    family = "👨‍👩‍👧"  # one grapheme, five code points
    assert provider.validate(req(family * 440, IMAGE)) == []
    assert provider.validate(req(family * 441, IMAGE))
    assert provider.validate(req("a" * 2201, IMAGE))
    url = "https://example.com/page#section"
    text = " ".join(f"#tag{i}" for i in range(30)) + f" {url} mail@example.com #123"
    assert len(hashtags(text)) == 30 and provider.validate(req(text, IMAGE)) == []
    assert provider.validate(req(text + " #one_more", IMAGE))
    ats = " ".join(f"@user{i}" for i in range(21))
    assert len(mentions(ats)) == 21 and provider.validate(req(ats, IMAGE))
    loose = make_provider_limits(provider)
    for bad in ("a" * 2201, text + " #one_more", ats):
        with pytest.raises(PermanentError) as exc:
            loose.publish(token, req(bad, IMAGE))
        assert exc.value.code == "100"
    assert sim.posts("instagram") == []


def test_validate_media_and_options(provider: InstagramProvider) -> None:
    assert provider.validate(PublishRequest(text="text only")) != []
    assert provider.validate(req("x", IMAGE, nope=1)) != []
    too_many = req("x", *[IMAGE] * 11)
    assert any("2 to 10" in e for e in provider.validate(too_many))
    assert provider.validate(req("x", IMAGE, post_type="carousel"))  # one item
    assert provider.validate(req("x", IMAGE, post_type="reel"))  # needs a video
    assert provider.validate(req("x", IMAGE, post_type="album"))
    assert provider.validate(req("x", "ftp://cdn.example.com/a.jpg"))
    png = provider.validate(req("x", "https://cdn.example.com/a.png"))
    assert any("JPEG" in e for e in png)
    gif = MediaItem("image/gif", 10, lambda: None, url=IMAGE)  # type: ignore[arg-type, return-value]
    assert provider.validate(PublishRequest(text="x", media=[gif]))
    big = MediaItem("image/jpeg", 9 * 1024 * 1024, lambda: None, url=IMAGE)  # type: ignore[arg-type, return-value]
    assert any("8 MB" in e for e in provider.validate(PublishRequest(text="x", media=[big])))
    both = PublishRequest(text="x", media=[big], options={"media_urls": [IMAGE]})
    assert any("not both" in e for e in provider.validate(both))
    assert provider.validate(req("x", IMAGE, share_to_feed=True))  # reels only
    assert provider.validate(req("x", VIDEO, share_to_feed="yes"))
    assert provider.validate(req("x", IMAGE, location_id="paris"))
    assert provider.validate(req("x", IMAGE, IMAGE2, collaborators=["bob"]))
    assert provider.validate(req("x", IMAGE, first_comment=""))
    # Durations and aspect ratios, when the caller knows them.
    assert provider.validate(req("x", VIDEO, media_meta=[{"duration": 2}]))
    assert provider.validate(req("x", VIDEO, media_meta=[{"duration": 901}]))
    assert provider.validate(req("x", VIDEO, media_meta=[{"duration": 30}])) == []
    assert provider.validate(req("x", IMAGE, media_meta=[{"width": 1080, "height": 1920}]))
    assert provider.validate(req("x", IMAGE, media_meta=[{"width": 1080, "height": 1350}])) == []
    story = req("x", IMAGE, post_type="story", media_meta=[{"width": 1080, "height": 1920}])
    assert provider.validate(story) == []


# ------------------------------------------------------------------ metrics


def test_metrics(provider: InstagramProvider, token: TokenSet, sim: Simulator) -> None:
    result = provider.publish(token, req("count me", IMAGE))
    assert result.platform_post_id
    assert_post_metrics(
        provider,
        token,
        result.platform_post_id,
        f"{provider.api_base.rsplit('/', 1)[0]}/_sim/instagram/posts/{result.platform_post_id}",
        {"views": 90, "reach": 70, "likes": 3, "comments": 2, "shares": 1, "saved": 4},
        {"likes": 3, "comments": 2, "shares": 1, "views": 90, "reach": 70, "saves": 4},
    )
    ig(sim).ensure_user("alice", followers_count=42, follows_count=7)
    assert provider.account_metrics(token) == {"followers": 42, "following": 7, "posts": 1}
    # Tiny audiences get "(#10) Not enough viewers": fall back to the counts on the media.
    sim.set_knobs("instagram", instance={"insights_min_followers": 100})
    assert provider.post_metrics(token, result.platform_post_id) == {"likes": 3, "comments": 2}


# ------------------------------------------------------------------ strictness


def test_strictness(server: SimServer, token: TokenSet) -> None:
    root = server.url_for("instagram")
    base = f"{root}/{V}/me/media"
    auth = {"Authorization": f"Bearer {token.access_token}"}

    def post(url: str = base, **params: str) -> dict:
        response = httpx.post(url, params=params, headers=auth)
        assert response.status_code == 400, response.text
        return response.json()["error"]

    assert "not a valid parameter" in post(image_url=IMAGE, text="x")["message"]
    assert post(media_type="IMAGES", image_url=IMAGE)["code"] == 100
    assert "boolean" in post(image_url=IMAGE, is_carousel_item="yes")["message"]
    assert "REELS" in post(media_type="VIDEO", video_url=VIDEO)["message"]
    assert "not supported" in post(media_type="STORIES", image_url=IMAGE, caption="x")["message"]
    assert "not supported" in post(media_type="REELS", video_url=VIDEO, alt_text="x")["message"]
    assert "image_url is required" in post(caption="no media")["message"]
    assert "2 to 10" in post(media_type="CAROUSEL", children="1")["message"]
    assert "JSON" in post(image_url=IMAGE, user_tags="[{bad")["message"]
    unknown_version = post(f"{root}/v99.0/me/media", image_url=IMAGE)
    assert unknown_version["code"] == 2500 and "Unknown path" in unknown_version["message"]
    assert post(f"{root}/{V}/me/media_publish", creation_id="abc")["code"] == 100
    assert post(f"{root}/{V}/me/media_publish")["code"] == 100
    assert post(f"{root}/{V}/me/publish", creation_id="1")["code"] == 2500  # wrong edge
    fields = httpx.get(f"{root}/{V}/me?fields=email", headers=auth)
    assert fields.json()["error"]["code"] == 100
    removed = httpx.get(
        f"{root}/{V}/me/insights", params={"metric": "impressions", "period": "day"}, headers=auth
    )
    assert removed.status_code == 400
    no_token = httpx.get(f"{root}/{V}/me")
    assert no_token.json()["error"]["code"] == 104
    bad_form = httpx.post(f"{root}/oauth/access_token", json={"client_id": SANDBOX_CLIENT_ID})
    assert bad_form.status_code == 400 and "error_message" in bad_form.json()
