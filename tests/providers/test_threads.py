"""The Threads provider against the simulator over real HTTP (uvicorn in a thread)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.network import Limits
from app.providers.posts import PublishRequest
from app.providers.threads import ThreadsProvider, text_length
from simulator import SimServer, Simulator
from simulator.threads import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, ThreadsSim
from tests.providers.checks import (
    assert_found_after_timeout,
    assert_post_metrics,
    assert_refused_not_sent,
    assert_throttled_until_estimate,
)
from tests.providers.flows import authorize_as, finalize_once_processed
from tests.providers.helpers import one_post, platform_of, publish_error, sim_provider

SIMULATED = [ThreadsSim]
SEED = 7

REDIRECT = "http://localhost:3000/oauth/threads/callback"
IMAGE = "https://cdn.example.com/cat.jpg"


def make_provider(server: SimServer, http: httpx.Client, **kw: Any) -> ThreadsProvider:
    return sim_provider(
        ThreadsProvider, server, http, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, **kw
    )


def threads_sim(sim: Simulator) -> ThreadsSim:
    return platform_of(sim, ThreadsSim)


def minted(sim: Simulator, username: str = "alice", **kw: Any) -> TokenSet:
    issued = threads_sim(sim).issue_token(username, **kw)
    return TokenSet(
        issued["access_token"],
        None,
        datetime.fromtimestamp(issued["expires_at"], UTC),
        issued["scope"],
    )


# ------------------------------------------------------------------ OAuth


def test_oauth_long_lived_exchange_and_refresh(provider: ThreadsProvider, sim: Simulator) -> None:
    url = provider.authorize_url(state="s-1", redirect_uri=REDIRECT)
    assert "/oauth/authorize?" in url and "threads_content_publish" in url
    params = authorize_as(url, "bob").params
    assert params["state"] == "s-1"
    token = provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)
    assert token.access_token.startswith("THAA")  # the long-lived token, not the 1 h one
    assert token.expires_at is not None
    assert token.expires_at - datetime.now(UTC) > timedelta(days=59)
    info = provider.account_info(token)
    assert info.username == "bob" and info.platform_account_id == token.extra["user_id"]
    assert info.avatar_url

    # A code works once.
    with pytest.raises(PermanentError):
        provider.exchange_code(code=params["code"], redirect_uri=REDIRECT)

    # Refresh needs a token at least 24 h old.
    with pytest.raises(PermanentError):
        provider.refresh(token)
    old = minted(sim, "bob", age_s=2 * 86400)
    new = provider.refresh(old)
    assert new.access_token != old.access_token and new.refresh_token is None
    assert provider.account_info(new).username == "bob"

    threads_sim(sim).expire_token(old.access_token)
    with pytest.raises(AuthError) as exc:
        provider.refresh(old)
    assert exc.value.refresh_may_help is False


# ------------------------------------------------------------------ publishing


def test_text_post_and_find_recent(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    since = datetime.now(UTC)
    result = provider.publish(token, PublishRequest(text="hello threads 你好 👋"))
    assert result.state == "published"
    post = one_post(sim, "threads")
    assert post["post_id"] == result.platform_post_id and post["text"] == "hello threads 你好 👋"
    assert result.permalink == post["permalink"]
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], post["text"])]
    assert provider.publishing_quota(token) == {"used": 1, "total": 250, "window_s": 86400}


def test_image_post_polls_the_container(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("threads", media_processing_ms=300)
    started = time.monotonic()
    opts = {"media_urls": [{"url": IMAGE, "alt_text": "a cat"}]}
    result = provider.publish(token, PublishRequest(text="a cat", options=opts))
    assert result.state == "published" and time.monotonic() - started >= 0.3
    post = one_post(sim, "threads")
    assert post["media"] == [{"type": "IMAGE", "url": IMAGE, "alt_text": "a cat"}]


def test_carousel(provider: ThreadsProvider, token: TokenSet, sim: Simulator) -> None:
    urls = [IMAGE, "https://cdn.example.com/clip.mp4", "https://cdn.example.com/dog.png"]
    result = provider.publish(token, PublishRequest(text="three", options={"media_urls": urls}))
    assert result.state == "published"
    assert [m["type"] for m in one_post(sim, "threads")["media"]] == ["IMAGE", "VIDEO", "IMAGE"]


def test_pending_then_finalize(
    server: SimServer, http: httpx.Client, token: TokenSet, sim: Simulator
) -> None:
    provider = make_provider(server, http, media_wait_s=0.1)
    sim.set_knobs("threads", media_processing_ms=600)
    request = PublishRequest(text="", options={"media_urls": [IMAGE]})
    result = provider.publish(token, request)
    assert result.state == "pending" and sim.posts("threads") == []
    done = finalize_once_processed(provider, token, result.pending_state, 0.6)
    assert one_post(sim, "threads")["post_id"] == done.platform_post_id
    with pytest.raises(PermanentError) as again:  # the container was used
        provider.finalize(token, result.pending_state)
    assert again.value.duplicate is True and len(sim.posts("threads")) == 1


def test_failed_media_fetch_is_permanent(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("threads", instance={"media_fetch_error": "The media could not be fetched"})
    exc = publish_error(
        provider, token, PublishRequest(text="x", options={"media_urls": [IMAGE]}), PermanentError
    )
    assert "could not be fetched" in exc.message and sim.posts("threads") == []


def test_publishing_an_unfinished_container_is_the_meta_error(
    server: SimServer, token: TokenSet, sim: Simulator
) -> None:
    sim.set_knobs("threads", media_processing_ms=5000)
    base = server.url_for("threads") + "/v1.0/me"
    auth = {"Authorization": f"Bearer {token.access_token}"}
    made = httpx.post(
        base + "/threads", params={"media_type": "IMAGE", "image_url": IMAGE}, headers=auth
    )
    cid = made.json()["id"]
    status = httpx.get(
        server.url_for("threads") + f"/v1.0/{cid}",
        params={"fields": "status,error_message"},
        headers=auth,
    )
    assert status.json() == {"id": cid, "status": "IN_PROGRESS"}
    early = httpx.post(base + "/threads_publish", params={"creation_id": cid}, headers=auth)
    assert early.status_code == 400
    err = early.json()["error"]
    assert (err["code"], err["error_subcode"]) == (9007, 2207027) and err["fbtrace_id"]
    provider = ThreadsProvider(api_base=server.url_for("threads"))
    assert isinstance(provider.classify_error(early), TransientError)
    assert provider.classify_error(early).sent is False  # type: ignore[attr-defined]


# ------------------------------------------------------------------ errors


def test_throttle_is_rate_limited_with_the_buc_estimate(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("threads", "429", path="*/threads", reset_in_s=600)
    assert_throttled_until_estimate(provider, token, PublishRequest(text="slow down"), "17")


def test_posting_quota(provider: ThreadsProvider, token: TokenSet, sim: Simulator) -> None:
    sim.set_knobs("threads", quotas={"posts": {"limit": 2, "window_s": 86400}})
    provider.publish(token, PublishRequest(text="one"))
    provider.publish(token, PublishRequest(text="two"))
    exc = publish_error(provider, token, PublishRequest(text="three"), RateLimited)
    assert exc.retry_at - datetime.now(UTC) > timedelta(hours=23)
    assert len(sim.posts("threads")) == 2
    assert provider.publishing_quota(token)["used"] == 2


def test_auth_errors(provider: ThreadsProvider, token: TokenSet, sim: Simulator) -> None:
    sim.inject("threads", "401")
    with pytest.raises(AuthError):
        provider.publish(token, PublishRequest(text="x"))
    threads_sim(sim).expire_token(token.access_token)
    with pytest.raises(AuthError) as exc:
        provider.account_info(token)
    assert exc.value.code == "190" and exc.value.details["error_subcode"] == 463


def test_5xx_on_publish_is_transient_and_sent(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("threads", "503", path="*/threads_publish")
    exc = publish_error(provider, token, PublishRequest(text="x"), TransientError)
    assert exc.sent is True and exc.status == 503


def test_5xx_on_container_is_not_sent(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("threads", "500", path="*/threads")
    exc = publish_error(provider, token, PublishRequest(text="x"), TransientError)
    assert exc.sent is False and sim.posts("threads") == []


def test_duplicate_fault_is_permanent_duplicate(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    sim.inject("threads", "duplicate", path="*/threads_publish")
    exc = publish_error(provider, token, PublishRequest(text="x"), PermanentError)
    assert exc.duplicate is True


def test_timeout_after_accept_then_find_recent(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(text="did this get posted?")
    assert_found_after_timeout(provider, token, sim, "*/threads_publish", request)


def test_connection_refused_is_not_sent(http: httpx.Client, token: TokenSet) -> None:
    token.extra["user_id"] = "1"
    assert_refused_not_sent(ThreadsProvider, http, token, PublishRequest(text="x"))


# ------------------------------------------------------------------ validation, metrics


def test_500_character_limit_counts_emoji_as_bytes(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    assert text_length("a" * 500) == 500
    assert text_length("你" * 500) == 500  # CJK: one each
    assert text_length("👋") == 4
    assert provider.validate(PublishRequest(text="你" * 500)) == []
    assert provider.validate(PublishRequest(text="a" * 496 + "👋")) == []
    assert provider.validate(PublishRequest(text="a" * 497 + "👋"))
    assert provider.validate(PublishRequest(text="a" * 501))
    provider.publish(token, PublishRequest(text="a" * 496 + "👋"))
    # The simulator counts the same way, so an unchecked request is refused there too.
    unchecked = make_provider_limits(provider)
    with pytest.raises(PermanentError) as exc:
        unchecked.publish(token, PublishRequest(text="a" * 497 + "👋"))
    assert exc.value.code == "100" and len(sim.posts("threads")) == 1


def make_provider_limits(provider: ThreadsProvider) -> ThreadsProvider:
    loose = ThreadsProvider(
        api_base=provider.api_base,
        client=provider.client,
        limits=Limits(max_text_length=10_000, max_media=20, counter=len),
    )
    return loose


def test_validate_media_and_options(provider: ThreadsProvider) -> None:
    assert provider.validate(PublishRequest(text="")) != []
    assert provider.validate(PublishRequest(text="x", options={"nope": 1})) != []
    too_many = {"media_urls": [IMAGE] * 21}
    assert any("20" in e for e in provider.validate(PublishRequest(text="x", options=too_many)))
    assert provider.validate(PublishRequest(text="x", options={"media_urls": ["ftp://a/b"]}))
    assert provider.validate(PublishRequest(text="x", options={"reply_control": "bad"}))


def test_metrics(provider: ThreadsProvider, token: TokenSet, sim: Simulator) -> None:
    result = provider.publish(token, PublishRequest(text="count me"))
    assert result.platform_post_id
    assert_post_metrics(
        provider,
        token,
        result.platform_post_id,
        f"{provider.api_base.rsplit('/', 1)[0]}/_sim/threads/posts/{result.platform_post_id}",
        {"views": 90, "likes": 3, "replies": 2, "reposts": 1, "quotes": 4},
        {"views": 90, "likes": 3, "comments": 2, "shares": 1, "quotes": 4},
    )
    threads_sim(sim).ensure_user("alice", followers_count=42)
    assert provider.account_metrics(token) == {"followers": 42}


def test_strictness(server: SimServer, token: TokenSet) -> None:
    base = server.url_for("threads") + "/v1.0/me/threads"
    auth = {"Authorization": f"Bearer {token.access_token}"}

    def post(**params: str) -> dict:
        response = httpx.post(base, params=params, headers=auth)
        assert response.status_code == 400, response.text
        return response.json()["error"]

    assert "media_type is required" in post(text="x")["message"]
    assert post(media_type="STORY", text="x")["code"] == 100
    assert "text is required" in post(media_type="TEXT")["message"]
    assert "image_url" in post(media_type="IMAGE")["message"]
    assert "not a valid parameter" in post(media_type="TEXT", text="x", caption="y")["message"]
    assert post(media_type="CAROUSEL", children="1")["code"] == 100
    assert post(media_type="TEXT", text="x", reply_control="nobody")["code"] == 100
    missing = httpx.post(base, params={"media_type": "TEXT", "text": "x"})
    assert missing.json()["error"]["code"] == 2500
    bad = httpx.post(
        base, params={"media_type": "TEXT", "text": "x"}, headers={"Authorization": "Bearer z"}
    )
    assert bad.json()["error"]["code"] == 190
    publish = httpx.post(base + "_publish", headers=auth)
    assert "creation_id is required" in publish.json()["error"]["message"]
    fields = httpx.get(server.url_for("threads") + "/v1.0/me?fields=email", headers=auth)
    assert fields.json()["error"]["code"] == 100


# ------------------------------------------------------------------ threads (reply chains)


def test_thread_is_published_as_a_reply_chain(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    request = PublishRequest(
        text="1/3 a thread",
        options={"thread": ["2/3 middle", "3/3 end"], "reply_control": "everyone"},
    )
    assert provider.validate(request) == []
    result = provider.publish(token, request)
    posts = sim.posts("threads")
    assert [p["text"] for p in posts] == ["1/3 a thread", "2/3 middle", "3/3 end"]
    ids = [p["post_id"] for p in posts]
    assert result.platform_post_id == ids[0] and result.extra["thread_ids"] == ids
    assert [p["reply_to_id"] for p in posts] == [None, ids[0], ids[1]]


def test_thread_stopped_part_way_goes_on_from_the_failed_part(
    provider: ThreadsProvider, token: TokenSet, sim: Simulator
) -> None:
    """The third publish fails: the error names the parts out; a retry given them posts only
    part 3, in reply to part 2."""
    sim.inject("threads", "500", path="*/threads_publish", skip=2)
    request = PublishRequest(text="one", options={"thread": ["two", "three"]})
    exc = publish_error(provider, token, request, TransientError)
    done = exc.details["published_ids"]
    assert exc.details["failed_part"] == 2 and len(done) == 2
    request.thread_done = done
    result = provider.publish(token, request)
    posts = sim.posts("threads")
    assert [p["text"] for p in posts] == ["one", "two", "three"]  # each part once
    assert posts[2]["reply_to_id"] == done[1] and result.platform_post_id == done[0]


def test_thread_parts_are_validated_each(provider: ThreadsProvider) -> None:
    problems = provider.validate(PublishRequest(text="fine", options={"thread": ["x" * 501, "  "]}))
    assert any(p.startswith("Thread part 2 is 501 characters") for p in problems)
    assert "Thread part 3 is empty." in problems
