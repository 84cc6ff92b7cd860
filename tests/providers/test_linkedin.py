"""The LinkedIn provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.errors import AuthError, PermanentError, RateLimited
from app.providers.linkedin import LinkedInProvider
from app.providers.network import Limits
from app.providers.posts import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from simulator.linkedin import (
    DEFAULT_SCOPES,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    LinkedInSim,
)
from tests.providers.checks import (
    assert_5xx_sent_but_not_on_upload,
    assert_found_after_timeout,
    assert_refused_not_sent,
)
from tests.providers.flows import authorize_as, finalize_once_processed
from tests.providers.helpers import one_post, platform_of, publish_error, set_counts, sim_provider

SIMULATED = [LinkedInSim]
SEED = 11

REDIRECT = "http://localhost:3000/oauth/linkedin/callback"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400  # ~100 KB
PDF = b"%PDF-1.4\n" + b"x" * 500


def make_provider(server: SimServer, http: httpx.Client, **kw: Any) -> LinkedInProvider:
    kw.setdefault("throttle_backoff_s", 60.0)
    return sim_provider(
        LinkedInProvider, server, http, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, **kw
    )


def li(sim: Simulator) -> LinkedInSim:
    return platform_of(sim, LinkedInSim)


def minted(sim: Simulator, member: str = "alice", scopes: str = DEFAULT_SCOPES) -> TokenSet:
    issued = li(sim).issue_token(member, scopes)
    return TokenSet(
        issued["access_token"],
        issued.get("refresh_token"),
        datetime.now(UTC) + timedelta(seconds=issued["expires_in"]),
        issued["scope"].replace(",", " "),
    )


def rest_headers(token: TokenSet, version: str = "202610") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token.access_token}",
        "LinkedIn-Version": version,
        "X-Restli-Protocol-Version": "2.0.0",
    }


def set_metrics(provider: LinkedInProvider, urn: str, **counters: int) -> None:
    set_counts(f"{provider.api_base.rsplit('/', 1)[0]}/_sim/linkedin/posts/{urn}", counters)


# ------------------------------------------------------------------ OAuth


def test_oauth_round_trip_refresh_and_revoke(provider: LinkedInProvider, sim: Simulator) -> None:
    url = provider.authorize_url(state="s-1", redirect_uri=REDIRECT)
    assert "/oauth/v2/authorization?" in url and "w_member_social" in url
    params = authorize_as(url, "bob", "sim_member").params
    assert params["state"] == "s-1"
    token = provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)
    assert token.refresh_token and token.expires_at is not None
    assert timedelta(days=59) < token.expires_at - datetime.now(UTC) <= timedelta(days=60)
    assert token.has_scope("w_member_social") and token.has_scope("openid")
    first_refresh_expiry = datetime.fromisoformat(token.extra["refresh_token_expires_at"])
    assert first_refresh_expiry - datetime.now(UTC) > timedelta(days=364)

    info = provider.account_info(token)
    assert info.name == "Bob" and info.avatar_url
    assert info.platform_account_id.startswith("urn:li:person:")
    assert info.metadata["author_urn"] == info.platform_account_id

    with pytest.raises(PermanentError):  # a code works once
        provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)

    time.sleep(1.1)
    new = provider.refresh(token)
    assert new.access_token != token.access_token
    assert new.refresh_token == token.refresh_token  # same value, expiry not extended
    assert datetime.fromisoformat(new.extra["refresh_token_expires_at"]) <= first_refresh_expiry
    assert provider.account_info(new).name == "Bob"

    provider.revoke(new)
    with pytest.raises(AuthError) as revoked:
        provider.account_info(new)
    assert revoked.value.refresh_may_help is False and revoked.value.code == "REVOKED_ACCESS_TOKEN"
    with pytest.raises(AuthError) as refused:
        provider.refresh(new)
    assert refused.value.refresh_may_help is False


def test_expired_refresh_token_and_app_without_refresh(
    server: SimServer, http: httpx.Client, sim: Simulator
) -> None:
    provider = make_provider(server, http)
    token = minted(sim)
    li(sim).expire_token(token.refresh_token or "")
    with pytest.raises(AuthError) as exc:
        provider.refresh(token)
    assert exc.value.refresh_may_help is False

    app = li(sim).register_app([REDIRECT], refresh_enabled=False)
    plain = LinkedInProvider(
        api_base=server.url_for("linkedin"),
        auth_base=server.url_for("linkedin"),
        client=http,
        client_id=app.client_id,
        client_secret=app.client_secret,
    )
    location = httpx.get(plain.authorize_url(state="x", redirect_uri=REDIRECT)).headers["location"]
    code = httpx.URL(location).params["code"]
    with pytest.raises(PermanentError):  # the redirect URI must match the authorize request
        plain.exchange_code(code=code, redirect_uri=REDIRECT + "/other")
    location = httpx.get(plain.authorize_url(state="x", redirect_uri=REDIRECT)).headers["location"]
    code = httpx.URL(location).params["code"]
    no_refresh = plain.exchange_code(code=code, redirect_uri=REDIRECT)
    assert no_refresh.refresh_token is None
    with pytest.raises(AuthError) as exc:
        plain.refresh(no_refresh)
    assert exc.value.refresh_may_help is False


def test_authorize_refuses_unknown_scope_and_bad_secret(
    server: SimServer, http: httpx.Client
) -> None:
    provider = make_provider(server, http, scopes="openid r_everything")
    redirect = httpx.get(provider.authorize_url(state="z", redirect_uri=REDIRECT))
    params = httpx.URL(redirect.headers["location"]).params
    assert params["error"] == "unauthorized_scope_error" and params["state"] == "z"
    wrong = LinkedInProvider(
        api_base=server.url_for("linkedin"),
        auth_base=server.url_for("linkedin"),
        client=http,
        client_id=SANDBOX_CLIENT_ID,
        client_secret="nope",
    )
    with pytest.raises(PermanentError) as exc:
        wrong.exchange_code(code="x", redirect_uri=REDIRECT)
    assert "app credentials" in exc.value.message


# ------------------------------------------------------------------ publishing


def test_text_post_is_escaped_and_found_again(provider: LinkedInProvider, sim: Simulator) -> None:
    token = minted(sim, scopes=DEFAULT_SCOPES + " r_member_social")
    text = "Launch (beta) of #Herald 🚀 — café_au_lait <3 [x] ~*\\ 你好 a@b.c"
    since = datetime.now(UTC) - timedelta(seconds=1)
    result = provider.publish(token, PublishRequest(text=text))
    assert result.state == "published" and result.platform_post_id
    assert result.platform_post_id.startswith("urn:li:share:")
    post = one_post(sim, "linkedin")
    assert post["text"] == text  # nothing was cut off at a reserved character
    assert post["post_id"] == result.platform_post_id
    assert result.permalink == post["permalink"]
    assert post["author"] == token.extra["member_urn"]
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(result.platform_post_id, text)]
    assert provider.find_recent(token, datetime.now(UTC) + timedelta(minutes=1)) == []


def test_unescaped_text_is_cut_off_by_linkedin(server: SimServer, token: TokenSet) -> None:
    body = {
        "author": minted_author(server, token),
        "commentary": "Before (after",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    response = httpx.post(
        server.url_for("linkedin") + "/rest/posts", json=body, headers=rest_headers(token)
    )
    assert response.status_code == 201 and response.content == b""
    assert response.headers["x-restli-id"].startswith("urn:li:share:")
    assert server.sim.posts("linkedin")[0]["text"] == "Before "


def minted_author(server: SimServer, token: TokenSet) -> str:
    info = httpx.get(
        server.url_for("linkedin") + "/v2/userinfo",
        headers={"Authorization": f"Bearer {token.access_token}"},
    ).json()
    return f"urn:li:person:{info['sub']}"


def test_find_recent_needs_r_member_social(provider: LinkedInProvider, token: TokenSet) -> None:
    with pytest.raises(PermanentError) as exc:
        provider.find_recent(token, datetime.now(UTC))
    assert exc.value.status == 403 and exc.value.code == "ACCESS_DENIED"


def test_single_and_multi_image(
    provider: LinkedInProvider, token: TokenSet, sim: Simulator
) -> None:
    one = MediaItem.from_bytes(PNG, "image/png", "a.png", alt_text="a cat")
    result = provider.publish(token, PublishRequest(text="one image", media=[one]))
    assert result.state == "published"
    post = one_post(sim, "linkedin")
    assert [(m["type"], m["alt_text"]) for m in post["media"]] == [("image", "a cat")]

    sim.reset()
    token = minted(sim)
    images = [MediaItem.from_bytes(PNG, "image/jpeg", f"{i}.jpg") for i in range(3)]
    provider.publish(token, PublishRequest(text="three", media=images))
    assert [m["type"] for m in one_post(sim, "linkedin")["media"]] == ["image"] * 3


def test_video_multipart_upload_with_a_retried_part(
    provider: LinkedInProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("linkedin", instance={"video_part_bytes": 32 * 1024})
    sim.inject("linkedin", "503", method="PUT", path="/dms-uploads/*")
    video = MediaItem.from_bytes(VIDEO, "video/mp4", "clip.mp4")
    result = provider.publish(token, PublishRequest(text="a clip", media=[video]))
    assert result.state == "published"
    post = one_post(sim, "linkedin")
    assert post["media"][0]["type"] == "video" and post["media"][0]["title"] == "clip.mp4"
    asset = li(sim).assets[post["media"][0]["id"]]
    assert len(asset.parts) == 4 and asset.received == len(VIDEO)


def test_slow_video_goes_pending_then_finalizes(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, media_wait_s=0.1)
    sim.set_knobs("linkedin", media_processing_ms=400)
    video = MediaItem.from_bytes(VIDEO, "video/mp4", "clip.mp4")
    request = PublishRequest(text="later", media=[video], options={"title": "Demo"})
    result = provider.publish(token, request)
    assert result.state == "pending" and sim.posts("linkedin") == []
    done = finalize_once_processed(provider, token, result.pending_state, 0.4)
    assert one_post(sim, "linkedin")["post_id"] == done.platform_post_id
    assert one_post(sim, "linkedin")["media"][0]["title"] == "Demo"


def test_failed_video_processing_is_permanent(
    provider: LinkedInProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("linkedin", instance={"video_failure": "Video too short"})
    video = MediaItem.from_bytes(VIDEO, "video/mp4", "clip.mp4")
    exc = publish_error(provider, token, PublishRequest(text="x", media=[video]), PermanentError)
    assert "Video too short" in exc.message and sim.posts("linkedin") == []


def test_document_article_and_first_comment(
    provider: LinkedInProvider, token: TokenSet, sim: Simulator
) -> None:
    pdf = MediaItem.from_bytes(PDF, "application/pdf", "deck.pdf")
    request = PublishRequest(
        text="our deck", media=[pdf], options={"first_comment": "Link in bio (really)"}
    )
    result = provider.publish(token, request)
    assert "first_comment_error" not in result.extra
    post = one_post(sim, "linkedin")
    assert post["media"][0]["type"] == "document" and post["media"][0]["title"] == "deck.pdf"
    stored = li(sim).posts[post["post_id"]]
    assert stored.comments[0]["message"]["text"] == "Link in bio (really)"
    assert stored.comments[0]["actor"] == post["author"]

    options = {"article_url": "https://example.com/blog", "article_title": "Blog"}
    provider.publish(token, PublishRequest(text="read this", options=options))
    assert sim.posts("linkedin")[1]["media"] == [{"type": "article", "url": options["article_url"]}]


def test_publish_targets_lists_administered_organizations(
    provider: LinkedInProvider, sim: Simulator
) -> None:
    sim_li = li(sim)
    acme = sim_li.ensure_org("Acme", vanity="acme", admins={"alice": "ADMINISTRATOR"})
    sim_li.ensure_org("Beta", admins={"alice": "ANALYST"})  # cannot post: not listed
    gamma = sim_li.ensure_org("Gamma", admins={"alice": "DIRECT_SPONSORED_CONTENT_POSTER"})
    token = minted(sim)
    targets = provider.publish_targets(token)
    ids = [info.platform_account_id for info, _ in targets]
    assert ids == [token.extra["member_urn"], acme.urn, gamma.urn]
    org_info, org_token = targets[1]
    assert org_info.name == "Acme" and org_info.username == "acme" and org_info.avatar_url
    assert org_token.access_token == token.access_token
    assert org_token.extra["author_urn"] == acme.urn and org_token.extra["account_id"] == acme.urn
    assert provider.account_info(org_token).platform_account_id == acme.urn

    result = provider.publish(org_token, PublishRequest(text="from the page"))
    post = one_post(sim, "linkedin")
    assert post["author"] == acme.urn and post["account"] == "acme"

    set_metrics(
        provider,
        result.platform_post_id or "",
        likes=5,
        comments=2,
        shares=1,
        impressions=300,
        clicks=7,
    )
    assert provider.post_metrics(org_token, result.platform_post_id or "") == {
        "likes": 5,
        "comments": 2,
        "shares": 1,
        "clicks": 7,
        "impressions": 300,
    }
    sim_li.ensure_org("Acme", followers=1234)
    assert provider.account_metrics(org_token) == {"followers": 1234}

    member_only = minted(sim, scopes="openid profile w_member_social")
    assert len(provider.publish_targets(member_only)) == 1
    with pytest.raises(PermanentError) as exc:  # CONNECTIONS is for members only
        provider.publish(org_token, PublishRequest(text="y", options={"visibility": "CONNECTIONS"}))
    assert exc.value.status == 422


def test_member_metrics(provider: LinkedInProvider, sim: Simulator) -> None:
    token = minted(sim, scopes=DEFAULT_SCOPES + " r_member_profileAnalytics")
    result = provider.publish(token, PublishRequest(text="count me"))
    urn = result.platform_post_id or ""
    set_metrics(provider, urn, likes=3, comments=2, shares=1, impressions=90)
    assert provider.post_metrics(token, urn) == {
        "likes": 3,
        "comments": 2,
        "shares": 1,
        "impressions": 90,
    }
    social = minted(sim, scopes="openid profile w_member_social r_member_social")
    assert provider.post_metrics(social, urn) == {"likes": 3, "comments": 2}
    li(sim).ensure_member("alice", followers=42)
    assert provider.account_metrics(token) == {"followers": 42}
    assert provider.account_metrics(social) == {}


# ------------------------------------------------------------------ errors


def test_throttles(server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator) -> None:
    provider = make_provider(server, http, throttle_backoff_s=30)
    sim.inject("linkedin", "429", path="/rest/posts", reset_in_s=30)
    short = publish_error(provider, token, PublishRequest(text="slow down"), RateLimited)
    wait = (short.retry_at - datetime.now(UTC)).total_seconds()
    assert 25 < wait <= 30 and short.code == "TOO_MANY_REQUESTS"

    sim.inject("linkedin", "429", path="/rest/posts", reset_in_s=7200)
    with pytest.raises(RateLimited) as daily:
        provider.publish(token, PublishRequest(text="slow down"))
    midnight = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    assert daily.value.retry_at == midnight
    assert sim.posts("linkedin") == []


def test_daily_post_quota(provider: LinkedInProvider, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs("linkedin", quotas={"posts": {"limit": 2, "window_s": 86400}})
    provider.publish(token, PublishRequest(text="one"))
    provider.publish(token, PublishRequest(text="two"))
    exc = publish_error(provider, token, PublishRequest(text="three"), RateLimited)
    assert exc.retry_at.time().isoformat() == "00:00:00"
    assert exc.retry_at > datetime.now(UTC)
    assert len(sim.posts("linkedin")) == 2


def test_auth_errors(provider: LinkedInProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("linkedin", "401", path="/rest/posts")
    injected = publish_error(provider, token, PublishRequest(text="x"), AuthError)
    assert injected.refresh_may_help is True
    li(sim).expire_token(token.access_token)
    with pytest.raises(AuthError) as expired:
        provider.account_info(token)
    assert expired.value.code == "EXPIRED_ACCESS_TOKEN"
    assert expired.value.details["serviceErrorCode"] == 65601


def test_5xx_on_publish_is_sent_but_on_upload_is_not(
    provider: LinkedInProvider, token: TokenSet, sim: Simulator
) -> None:
    image = MediaItem.from_bytes(PNG, "image/png", "a.png")
    assert_5xx_sent_but_not_on_upload(
        provider, token, sim, ("/rest/posts", 500), ("/rest/images", 502), [image]
    )


def test_duplicate_content(provider: LinkedInProvider, token: TokenSet, sim: Simulator) -> None:
    first = provider.publish(token, PublishRequest(text="Same words"))
    exc = publish_error(provider, token, PublishRequest(text="Same words"), PermanentError)
    assert exc.duplicate is True and exc.status == 422
    assert exc.details["existing_post_id"] == first.platform_post_id
    sim.inject("linkedin", "duplicate", path="/rest/posts")
    with pytest.raises(PermanentError) as injected:
        provider.publish(token, PublishRequest(text="new words"))
    assert injected.value.duplicate is True and len(sim.posts("linkedin")) == 1


def test_timeout_after_accept_then_find_recent(provider: LinkedInProvider, sim: Simulator) -> None:
    token = minted(sim, scopes=DEFAULT_SCOPES + " r_member_social")
    since = datetime.now(UTC) - timedelta(seconds=1)
    request = PublishRequest(text="did this #post go out?")
    assert_found_after_timeout(provider, token, sim, "/rest/posts", request, since)


def test_connection_refused_is_not_sent(http: httpx.Client) -> None:
    token = TokenSet("t", extra={"author_urn": "urn:li:person:abc"})
    assert_refused_not_sent(LinkedInProvider, http, token, PublishRequest(text="x"))


# ------------------------------------------------------------------ validation


def test_text_limit_counts_utf16_units(
    provider: LinkedInProvider, token: TokenSet, sim: Simulator
) -> None:
    ok = [
        "a" * 3000,
        "你" * 3000,
        "a" * 2998 + "🚀",
        "https://example.com/" + "x" * 2980,
        "e\u0301" * 1500,  # combining accents: 2 units each cluster
    ]
    for text in ok:
        assert provider.validate(PublishRequest(text=text)) == [], text[:20]
    too_long = ["a" * 3001, "a" * 2999 + "🚀", "👨‍👩‍👧" * 376]  # family emoji = 8 units
    for text in too_long:
        assert any("3000" in e for e in provider.validate(PublishRequest(text=text)))
    provider.publish(token, PublishRequest(text="a" * 2998 + "🚀"))
    loose = LinkedInProvider(
        api_base=provider.api_base,
        client=provider.client,
        limits=Limits(max_text_length=10_000, max_media=20, counter=len),
    )
    loose_token = TokenSet(token.access_token, extra=dict(token.extra))
    with pytest.raises(PermanentError) as exc:  # the simulator counts the same way
        loose.publish(loose_token, PublishRequest(text="b" * 2999 + "🚀"))
    assert exc.value.status == 422 and exc.value.code == "FIELD_LENGTH_TOO_LONG"
    assert len(sim.posts("linkedin")) == 1


def test_validate_media_and_options(provider: LinkedInProvider) -> None:
    img = MediaItem.from_bytes(PNG, "image/png", "a.png")
    video = MediaItem.from_bytes(VIDEO, "video/mp4", "v.mp4")
    tiny = MediaItem.from_bytes(b"x" * 100, "video/mp4", "tiny.mp4")
    pdf = MediaItem.from_bytes(PDF, "application/pdf", "d.pdf")
    webp = MediaItem.from_bytes(PNG, "image/webp", "a.webp")

    def problems(text: str = "x", media: list | None = None, **opts: Any) -> list[str]:
        return provider.validate(PublishRequest(text=text, media=media or [], options=opts))

    assert problems(media=[img] * 20) == []
    assert any("20" in p for p in problems(media=[img] * 21))
    assert problems(media=[img, video])
    assert problems(media=[video, video])
    assert problems(media=[pdf, pdf])
    assert problems(media=[tiny])
    assert problems(media=[webp])
    assert problems(text="") and problems(text="", media=[img]) == []
    assert problems(visibility="FRIENDS") and problems(visibility="CONNECTIONS") == []
    assert problems(nope=1)
    assert problems(media=[img], article_url="https://e.com")
    assert problems(article_url="ftp://e.com")
    assert problems(disable_reshare="yes")


# ------------------------------------------------------------------ strictness


def test_strictness(server: SimServer, provider: LinkedInProvider, token: TokenSet) -> None:
    base = server.url_for("linkedin")
    author = minted_author(server, token)
    good = {
        "author": author,
        "commentary": "hello",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }

    def post(body: dict, headers: dict | None = None, path: str = "/rest/posts") -> httpx.Response:
        return httpx.post(base + path, json=body, headers=headers or rest_headers(token))

    no_version = {k: v for k, v in rest_headers(token).items() if k != "LinkedIn-Version"}
    missing = post(good, no_version)
    assert missing.status_code == 400 and missing.json()["code"] == "VERSION_MISSING"
    sunset = post(good, rest_headers(token, "202301"))
    assert sunset.status_code == 426 and sunset.json()["code"] == "NONEXISTENT_VERSION"
    no_restli = {k: v for k, v in rest_headers(token).items() if not k.startswith("X-Restli")}
    assert post(good, no_restli).status_code == 400

    def refused(body: dict) -> str:
        response = post(body)
        assert response.status_code == 422, response.text
        return response.json()["errorDetails"]["inputErrors"][0]["code"]

    assert refused({**good, "text": "x"}) == "UNRECOGNIZED_FIELD"
    assert refused({**good, "visibility": "FRIENDS"}) == "INVALID_ENUM_VALUE"
    assert refused({k: v for k, v in good.items() if k != "distribution"}) == (
        "MISSING_REQUIRED_FIELD"
    )
    assert refused({**good, "isReshareDisabledByAuthor": "no"}) == "TYPE_MISMATCH"
    assert refused({**good, "distribution": {"feedDistribution": "EVERYWHERE"}}) == (
        "INVALID_ENUM_VALUE"
    )
    assert refused({**good, "content": {"media": {"id": "urn:li:image:nope"}}}) == "INVALID_VALUE"

    wrong_path = post(good, path="/rest/post")
    assert wrong_path.status_code == 404 and wrong_path.json()["status"] == 404
    legacy = post(good, path="/v2/ugcPosts")
    assert legacy.status_code == 404
    other = post({**good, "author": "urn:li:organization:999"})
    assert other.status_code == 403 and other.json()["code"] == "ACCESS_DENIED"
    anonymous = httpx.post(
        base + "/rest/posts",
        json=good,
        headers={k: v for k, v in rest_headers(token).items() if k != "Authorization"},
    )
    assert anonymous.status_code == 401 and anonymous.json()["serviceErrorCode"] == 65600

    old = make_provider(server, provider.client, version="202301")
    with pytest.raises(PermanentError) as exc:
        old.publish(
            TokenSet(token.access_token, extra={"author_urn": author}), PublishRequest(text="x")
        )
    assert exc.value.status == 426 and "202301" in exc.value.message
