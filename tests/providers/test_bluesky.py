"""The Bluesky provider against the simulated PDS over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers import get_provider
from app.providers.accounts import TokenSet
from app.providers.bluesky import BlueskyProvider, rkey_for
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.posts import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from simulator.bluesky import jwt_payload
from tests.providers.checks import (
    assert_account_metrics,
    assert_post_metrics,
    assert_refused_not_sent,
)
from tests.providers.flows import refresh_rotating
from tests.providers.helpers import one_post, publish_error
from tests.support.media_files import mp4, png

SEED = 7

PNG = png(1, 1)
PASSWORD = "abcd-efgh-ijkl-mnop"
FACET = "app.bsky.richtext.facet"


@pytest.fixture
def provider(server: SimServer, http: httpx.Client) -> BlueskyProvider:
    p = get_provider("bluesky", api_base=server.url_for("bluesky"), client=http)
    assert isinstance(p, BlueskyProvider)
    return p


@pytest.fixture
def token(provider: BlueskyProvider, sim: Simulator) -> TokenSet:
    sim["bluesky"].ensure_account("alice.bsky.social")  # type: ignore[attr-defined]
    return provider.login("alice.bsky.social", PASSWORD)


def minted(sim: Simulator, handle: str = "alice.bsky.social", **kw: Any) -> TokenSet:
    s = sim["bluesky"].issue_token(handle, **kw)  # type: ignore[attr-defined]
    return TokenSet(s["accessJwt"], s["refreshJwt"], extra={"did": s["did"], "handle": handle})


def xrpc(server: SimServer, nsid: str) -> str:
    return f"{server.url_for('bluesky')}/xrpc/{nsid}"


# ------------------------------------------------------------------ auth


def test_login_and_account_info(provider: BlueskyProvider, sim: Simulator) -> None:
    acc = sim["bluesky"].ensure_account("alice", display_name="Alice A")  # type: ignore[attr-defined]
    token = provider.login("@alice.bsky.social", PASSWORD)
    assert token.extra == {"did": acc.did, "handle": "alice.bsky.social"}
    assert token.refresh_token and token.access_token.count(".") == 2
    assert token.expires_at is not None
    assert abs((token.expires_at - datetime.now(UTC)).total_seconds() - 7200) < 10
    info = provider.account_info(token)
    assert (info.platform_account_id, info.username, info.name) == (
        acc.did,
        "alice.bsky.social",
        "Alice A",
    )
    with pytest.raises(AuthError) as wrong:
        provider.login("alice.bsky.social", "wrong-pass-word-1234")
    assert wrong.value.status == 401 and wrong.value.refresh_may_help is False


def test_refresh_rotates_and_the_old_refresh_token_has_a_grace(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    """As the PDS does: the rotated refresh token works again for 2 hours (a client whose answer
    got lost is not logged out) and always rotates to the same token; then it is refused."""
    fresh = refresh_rotating(provider, token)
    assert fresh.extra["did"] == token.extra["did"]
    provider.publish(fresh, PublishRequest(text="after refresh"))
    again = provider.refresh(token)
    assert (
        again.refresh_token
        and jwt_payload(again.refresh_token)["jti"] == (jwt_payload(fresh.refresh_token)["jti"])
    )
    provider.publish(again, PublishRequest(text="after the second refresh"))
    # One token: logging out with either JWT ends both.
    provider.revoke(again)
    with pytest.raises(AuthError) as revoked:
        provider.refresh(fresh)
    assert revoked.value.refresh_may_help is False and revoked.value.code == "ExpiredToken"

    sim["bluesky"].configure({"refresh_grace_s": 0})  # type: ignore[attr-defined]
    rotated = minted(sim)
    provider.refresh(rotated)
    with pytest.raises(AuthError) as old:
        provider.refresh(rotated)
    assert old.value.refresh_may_help is False and old.value.code == "ExpiredToken"
    assert "revoked" in old.value.message
    # An access token is not a refresh token.
    with pytest.raises(AuthError) as wrong_kind:
        provider.refresh(TokenSet("x", refresh_token=fresh.access_token))
    assert wrong_kind.value.refresh_may_help is False


def test_expired_access_token_then_refresh_helps(provider: BlueskyProvider, sim: Simulator) -> None:
    token = minted(sim, access_ttl_s=-1)
    exc = publish_error(provider, token, PublishRequest(text="x"), AuthError)
    assert exc.refresh_may_help is True and exc.code == "ExpiredToken"
    provider.publish(provider.refresh(token), PublishRequest(text="x"))
    expired_refresh = minted(sim, refresh_ttl_s=-1)
    with pytest.raises(AuthError) as dead:
        provider.refresh(expired_refresh)
    assert dead.value.refresh_may_help is False


def test_injected_auth_failures(provider: BlueskyProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("bluesky", "expired_token", account="alice.bsky.social")
    exc = publish_error(provider, token, PublishRequest(text="x"), AuthError)
    assert exc.status == 401 and exc.refresh_may_help is True
    with pytest.raises(AuthError) as invalid:
        provider.publish(TokenSet("a.b.c", extra={"did": "did:plc:x"}), PublishRequest(text="x"))
    assert invalid.value.code == "InvalidToken" and invalid.value.refresh_may_help is False
    assert sim.posts() == []


# ------------------------------------------------------------------ publishing


@pytest.mark.parametrize("prefix", ["", "👩‍👩‍👧 ", "日本語 e\u0301 "])
def test_publish_text_with_link_tag_and_mention(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator, prefix: str
) -> None:
    bob = sim["bluesky"].ensure_account("bob.bsky.social")  # type: ignore[attr-defined]
    text = f"{prefix}read https://example.com/x, @bob.bsky.social @ghost.example.com #Herald"
    result = provider.publish(
        token, PublishRequest(text=text, options={"langs": ["en"]}, idempotency_key="d-1")
    )
    post = one_post(sim, "bluesky")
    rkey = rkey_for("d-1")
    assert result.platform_post_id == post["post_id"] == post["uri"]
    assert post["uri"].endswith(f"/app.bsky.feed.post/{rkey}")
    assert result.permalink == f"https://bsky.app/profile/alice.bsky.social/post/{rkey}"
    assert post["text"] == text and post["record"]["langs"] == ["en"]
    p = len(prefix.encode("utf-8"))
    link = len("read ")
    mention = link + len("https://example.com/x, ")
    tag = len(text.encode()) - len("#Herald") - p
    assert post["facets"] == [
        {
            "index": {"byteStart": p + link, "byteEnd": p + link + 21},
            "features": [{"$type": f"{FACET}#link", "uri": "https://example.com/x"}],
        },
        {
            "index": {"byteStart": p + mention, "byteEnd": p + mention + 16},
            "features": [{"$type": f"{FACET}#mention", "did": bob.did}],
        },
        {
            "index": {"byteStart": p + tag, "byteEnd": p + tag + 7},
            "features": [{"$type": f"{FACET}#tag", "tag": "Herald"}],
        },
    ]


def test_images_with_alt_text_and_aspect_ratio(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    items = [
        MediaItem.from_bytes(PNG, "image/png", f"{i}.png", alt_text=f"alt {i}") for i in range(4)
    ]
    items[0].width, items[0].height = 1280, 760  # the dimensions stored with the media
    provider.publish(token, PublishRequest(text="pics", media=items))
    post = one_post(sim, "bluesky")
    assert [m["alt"] for m in post["media"]] == ["alt 0", "alt 1", "alt 2", "alt 3"]
    assert all(m["size"] == len(PNG) and m["mime"] == "image/png" for m in post["media"])
    image = post["record"]["embed"]["images"][0]
    assert post["record"]["embed"]["$type"] == "app.bsky.embed.images"
    assert image["image"]["$type"] == "blob" and image["image"]["ref"]["$link"].startswith("bafk")
    # Known dimensions become aspectRatio; unknown ones are left out, never guessed.
    assert [m["aspect_ratio"] for m in post["media"]] == [
        {"width": 1280, "height": 760},
        None,
        None,
        None,
    ]


def test_video_with_alt_text_and_aspect_ratio(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    data = mp4()
    video = MediaItem.from_bytes(data, "video/mp4", "clip.mp4", alt_text="a short clip")
    video.width, video.height = 320, 240
    provider.publish(token, PublishRequest(text="watch", media=[video]))
    post = one_post(sim, "bluesky")
    embed = post["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == "a short clip"
    assert embed["aspectRatio"] == {"width": 320, "height": 240}
    [media] = post["media"]
    assert (media["type"], media["mime"], media["size"]) == ("video", "video/mp4", len(data))


def test_thread_uses_root_and_parent_refs(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    result = provider.publish(
        token, PublishRequest(text="one", options={"thread": ["two", "three"]})
    )
    posts = sim.posts("bluesky")
    assert [p["text"] for p in posts] == ["one", "two", "three"]
    uris, cids = result.extra["thread_ids"], result.extra["thread_cids"]
    assert uris == [p["uri"] for p in posts]
    assert posts[0]["reply"] is None
    assert posts[1]["reply"] == {
        "root": {"uri": uris[0], "cid": cids[0]},
        "parent": {"uri": uris[0], "cid": cids[0]},
    }
    assert posts[2]["reply"] == {
        "root": {"uri": uris[0], "cid": cids[0]},
        "parent": {"uri": uris[1], "cid": cids[1]},
    }
    assert provider.post_metrics(token, uris[0])["comments"] == 1


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("a" * 300, True),
        ("a" * 301, False),
        ("👩‍👩‍👧‍👦" * 120, True),  # 3000 bytes exactly
        ("👩‍👩‍👧‍👦" * 121, False),  # 3025 bytes
        ("e\u0301" * 300, True),
        ("e\u0301" * 301, False),
        ("語" * 300, True),
        ("語" * 301, False),
    ],
)
def test_grapheme_and_byte_limits_at_the_simulator(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator, text: str, accepted: bool
) -> None:
    assert (provider.validate(PublishRequest(text=text)) == []) is accepted
    if accepted:
        provider.publish(token, PublishRequest(text=text))
        assert one_post(sim, "bluesky")["text"] == text
    else:
        with pytest.raises(PermanentError) as exc:
            provider.publish(token, PublishRequest(text=text))
        assert exc.value.status == 400 and " too big (maximum " in exc.value.message
        assert sim.posts() == []


def test_same_idempotency_key_returns_the_first_post(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="once", options={"thread": ["twice"]}, idempotency_key="k")
    first = provider.publish(token, request)
    again = provider.publish(token, request)
    assert again.platform_post_id == first.platform_post_id
    assert again.extra["thread_ids"] == first.extra["thread_ids"]
    posts = sim.posts("bluesky")
    assert len(posts) == 2 and all(p["replays"] == 1 for p in posts)


# ------------------------------------------------------------------ errors


def test_429_gives_rate_limited_at_the_reset_time(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=7)).replace(microsecond=0)
    sim.inject(
        "bluesky", "429", path="/xrpc/com.atproto.repo.createRecord", reset_at=reset.isoformat()
    )
    exc = publish_error(provider, token, PublishRequest(text="too fast"), RateLimited)
    assert exc.retry_at == reset and exc.code == "RateLimitExceeded"
    assert sim.posts() == []


def test_rate_windows_and_headers(
    provider: BlueskyProvider,
    token: TokenSet,
    sim: Simulator,
    server: SimServer,
    http: httpx.Client,
) -> None:
    r = http.get(xrpc(server, "app.bsky.actor.getProfile"), params={"actor": "alice.bsky.social"})
    assert r.status_code == 200 and r.headers["ratelimit-limit"] == "3000"
    assert r.headers["ratelimit-policy"] == "3000;w=300"
    assert int(r.headers["ratelimit-reset"]) > time.time()
    sim.set_knobs(
        "bluesky", account="alice.bsky.social", quotas={"records": {"limit": 1, "window_s": 3600}}
    )
    provider.publish(token, PublishRequest(text="one"))
    window = publish_error(provider, token, PublishRequest(text="two"), RateLimited)
    expected = datetime.now(UTC) + timedelta(hours=1)
    assert abs((window.retry_at - expected).total_seconds()) < 5
    assert [p["text"] for p in sim.posts("bluesky")] == ["one"]


def test_503_is_transient_and_sent(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("bluesky", "503", path="/xrpc/com.atproto.repo.createRecord")
    exc = publish_error(provider, token, PublishRequest(text="maybe"), TransientError)
    assert exc.sent is True and exc.status == 503 and sim.posts() == []


def test_blob_upload_failure_is_not_sent(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("bluesky", "500", path="/xrpc/com.atproto.repo.uploadBlob")
    item = MediaItem.from_bytes(PNG, "image/png", "a.png")
    exc = publish_error(provider, token, PublishRequest(text="pic", media=[item]), TransientError)
    assert exc.sent is False and sim.posts() == []


def test_timeout_after_accept_is_settled_by_reading_the_record(
    provider: BlueskyProvider, sim: Simulator
) -> None:
    """The post was created but the answer never came: the provider reads the record under its
    own rkey and reports the post, in the same call."""
    token = minted(sim)
    since = datetime.now(UTC) - timedelta(seconds=1)
    sim.inject("bluesky", "timeout_after_accept", path="/xrpc/com.atproto.repo.createRecord")
    request = PublishRequest(text="did this get posted?", idempotency_key="dest-9")
    result = provider.publish(token, request)
    post = one_post(sim, "bluesky")
    assert result.platform_post_id == post["uri"] and result.extra["cid"] == post["cid"]
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["uri"], request.text)]
    assert found[0].permalink == post["permalink"]


def test_unconfirmed_create_stays_unclear_and_the_retry_finds_it(
    provider: BlueskyProvider, sim: Simulator
) -> None:
    """Created, the answer lost, and the read fails too: still unclear (sent). The retry under
    the same rkey is refused by the PDS with a 500, reads the record and returns it."""
    token = minted(sim)
    sim.inject("bluesky", "drop_after_accept", path="/xrpc/com.atproto.repo.createRecord")
    sim.inject("bluesky", "503", path="/xrpc/com.atproto.repo.getRecord")
    request = PublishRequest(text="one post only", idempotency_key="dest-10")
    unclear = publish_error(provider, token, request, TransientError)
    assert unclear.sent is True and unclear.details["failed_part"] == 0
    post = one_post(sim, "bluesky")
    retried = provider.publish(token, request)
    assert retried.platform_post_id == post["uri"] and one_post(sim, "bluesky")["replays"] == 1


def test_failed_create_that_created_nothing_is_safe_to_retry(
    provider: BlueskyProvider, sim: Simulator
) -> None:
    """A 500 before the write: the record is not there, so the error says nothing was sent."""
    token = minted(sim)
    sim.inject("bluesky", "500", path="/xrpc/com.atproto.repo.createRecord")
    request = PublishRequest(text="try again", idempotency_key="dest-11")
    failed = publish_error(provider, token, request, TransientError)
    assert failed.sent is False and failed.status == 500 and sim.posts() == []
    provider.publish(token, request)
    assert one_post(sim, "bluesky")["replays"] == 0


def test_thread_interrupted_at_part_2_resumes_at_part_2(
    provider: BlueskyProvider, sim: Simulator
) -> None:
    """The write budget runs out after part 1: the retry reuses part 1 (its rkey is taken, the
    record is read back) and posts parts 2 and 3 in reply to it."""
    token = minted(sim)
    sim.set_knobs("bluesky", quotas={"records": {"limit": 1, "window_s": 3600}})
    request = PublishRequest(
        text="part one", options={"thread": ["part two", "part three"]}, idempotency_key="t-1"
    )
    limited = publish_error(provider, token, request, RateLimited)
    [first] = sim.posts("bluesky")
    assert limited.details == {"published_ids": [first["uri"]], "failed_part": 1}
    sim.set_knobs("bluesky", quotas={"records": {"limit": 100, "window_s": 3600}})
    result = provider.publish(token, request)
    posts = sim.posts("bluesky")
    assert [p["text"] for p in posts] == ["part one", "part two", "part three"]
    assert [p["replays"] for p in posts] == [1, 0, 0]
    assert result.extra["thread_ids"] == [p["uri"] for p in posts]
    root = {"uri": first["uri"], "cid": first["cid"]}
    assert posts[1]["reply"] == {"root": root, "parent": root}
    assert posts[2]["reply"] == {
        "root": root,
        "parent": {"uri": posts[1]["uri"], "cid": posts[1]["cid"]},
    }


def test_connection_refused_is_not_sent(http: httpx.Client) -> None:
    assert_refused_not_sent(
        BlueskyProvider,
        http,
        TokenSet("t", extra={"did": "did:plc:x"}),
        PublishRequest(text="hello"),
    )


def test_invalid_request_is_permanent(
    provider: BlueskyProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="hi", options={"langs": ["not a lang"]})
    assert provider.validate(request) != []  # refused before saving; the PDS refuses it too
    exc = publish_error(provider, token, request, PermanentError)
    assert exc.status == 400 and exc.code == "InvalidRequest"
    assert exc.message == (
        'Invalid app.bsky.feed.post record: Invalid language (got "not a lang") '
        "at $.record.langs[0]"
    )
    assert sim.posts() == []


# ------------------------------------------------------------------ reading back


def test_metrics(
    provider: BlueskyProvider,
    token: TokenSet,
    server: SimServer,
    sim: Simulator,
    http: httpx.Client,
) -> None:
    result = provider.publish(token, PublishRequest(text="measure me"))
    assert_post_metrics(
        provider,
        token,
        result.platform_post_id or "",
        f"{server.url}/_sim/bluesky/counts",
        {"uri": result.platform_post_id, "likeCount": 5, "repostCount": 2, "quoteCount": 1},
        {"likes": 5, "comments": 0, "shares": 2, "quotes": 1},
    )
    assert_account_metrics(
        provider,
        token,
        f"{server.url}/_sim/bluesky/accounts/alice.bsky.social",
        {"followers_count": 12},
        {"followers": 12, "following": 0, "posts": 1},
    )


def test_find_recent_pages_through_the_feed(
    provider: BlueskyProvider, token: TokenSet, server: SimServer, http: httpx.Client
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    for i in range(3):
        provider.publish(token, PublishRequest(text=f"post {i}"))
    assert [r.text for r in provider.find_recent(token, since)] == ["post 2", "post 1", "post 0"]
    page = http.get(
        xrpc(server, "app.bsky.feed.getAuthorFeed"),
        params={"actor": token.extra["did"], "limit": 2},
    ).json()
    assert len(page["feed"]) == 2 and page["cursor"]
    listed = http.get(
        xrpc(server, "com.atproto.repo.listRecords"),
        params={"repo": token.extra["did"], "collection": "app.bsky.feed.post", "limit": 2},
    ).json()
    assert len(listed["records"]) == 2 and listed["cursor"]


# ------------------------------------------------------------------ strictness


def test_simulator_rejects_malformed_records(
    token: TokenSet, server: SimServer, sim: Simulator, http: httpx.Client
) -> None:
    did = token.extra["did"]
    auth = {"Authorization": f"Bearer {token.access_token}"}
    now = "2026-01-01T00:00:00.000Z"

    def create(record: dict, **extra: Any) -> httpx.Response:
        body = {"repo": did, "collection": "app.bsky.feed.post", "record": record, **extra}
        return http.post(xrpc(server, "com.atproto.repo.createRecord"), json=body, headers=auth)

    def refused(response: httpx.Response, fragment: str) -> None:
        assert response.status_code == 400, response.text
        assert response.json()["error"] in ("InvalidRequest", "BlobTooLarge")
        assert fragment in response.json()["message"], response.json()

    post = {"$type": "app.bsky.feed.post", "text": "héllo", "createdAt": now}
    refused(create({**post, "$type": "app.bsky.feed.like"}), "$type")
    refused(create({"$type": "app.bsky.feed.post", "text": "x"}), "createdAt")
    # Worded as the official PDS words them.
    refused(
        create({**post, "langs": "en"}), 'Expected array value type (got "en") at $.record.langs'
    )
    refused(
        create({**post, "langs": [5]}), "Expected string value type (got 5) at $.record.langs[0]"
    )
    refused(create({**post, "langs": ["EN"]}), 'Invalid language (got "EN") at $.record.langs[0]')
    refused(
        create({**post, "langs": ["en", "fr", "de", "es"]}),
        "Invalid app.bsky.feed.post record: array too big (maximum 3, got 4) at $.record.langs",
    )
    refused(create({**post, "createdAt": "yesterday"}), "createdAt")
    link = {"$type": f"{FACET}#link", "uri": "https://e.com"}
    refused(
        create({**post, "facets": [{"index": {"byteStart": 0, "byteEnd": 7}, "features": [link]}]}),
        "out of range",
    )
    refused(
        create({**post, "facets": [{"index": {"byteStart": 0, "byteEnd": 2}, "features": [link]}]}),
        "UTF-8",
    )
    refused(
        create(
            {
                **post,
                "facets": [
                    {"index": {"byteStart": 0, "byteEnd": 1}, "features": [{"$type": "x#bold"}]}
                ],
            }
        ),
        "$type",
    )
    refused(create(post, rkey="not a key!"), "rkey")
    refused(create(post, rkey="self"), "TID")
    blob = {
        "$type": "blob",
        "ref": {"$link": "bafkreinotuploaded"},
        "mimeType": "image/png",
        "size": 1,
    }
    refused(
        create(
            {
                **post,
                "embed": {"$type": "app.bsky.embed.images", "images": [{"image": blob, "alt": ""}]},
            }
        ),
        "Could not find blob",
    )
    uploaded = http.post(
        xrpc(server, "com.atproto.repo.uploadBlob"),
        content=PNG,
        headers={**auth, "Content-Type": "image/png"},
    ).json()["blob"]
    five = [{"image": uploaded, "alt": ""}] * 5
    refused(
        create({**post, "embed": {"$type": "app.bsky.embed.images", "images": five}}), "more than 4"
    )
    refused(
        create(
            {**post, "embed": {"$type": "app.bsky.embed.images", "images": [{"image": uploaded}]}}
        ),
        "alt",
    )
    wrong_repo = http.post(
        xrpc(server, "com.atproto.repo.createRecord"),
        json={"repo": "did:plc:someoneelse", "collection": "app.bsky.feed.post", "record": post},
        headers=auth,
    )
    assert wrong_repo.status_code == 400
    missing = http.post(xrpc(server, "com.atproto.repo.createRecord"), json={"repo": did})
    assert missing.status_code == 401 and missing.json()["error"] == "AuthMissing"
    ok = create(
        {**post, "facets": [{"index": {"byteStart": 0, "byteEnd": 6}, "features": [link]}]},
        rkey=rkey_for("z"),
    )
    assert ok.status_code == 200 and ok.json()["uri"].endswith(rkey_for("z"))
    taken = create(post, rkey=rkey_for("z"))  # as the PDS answers a taken rkey
    assert taken.status_code == 500
    assert taken.json() == {"error": "InternalServerError", "message": "Internal Server Error"}
    assert len(sim.posts("bluesky")) == 1


def test_sim_token_control(server: SimServer, http: httpx.Client) -> None:
    r = http.post(f"{server.url}/_sim/bluesky/tokens", json={"handle": "carol"})
    assert r.status_code == 200 and r.json()["handle"] == "carol.bsky.social"
    session = http.get(
        xrpc(server, "com.atproto.server.getSession"),
        headers={"Authorization": f"Bearer {r.json()['accessJwt']}"},
    )
    assert session.json()["did"] == r.json()["did"]
    assert http.get(xrpc(server, "com.atproto.repo.createRecord")).status_code == 400
    assert http.get(xrpc(server, "com.example.nope")).status_code == 501
