"""Herald's Bluesky provider and publishing engine against the official AT Protocol network
(@atproto/dev-env: PLC, PDS 0.5.35, AppView), not the simulator.

`make test-bluesky-real` installs the network once (about a minute, into
~/.cache/herald/atproto) and runs this module; .ci/run runs it after `make test`. If the Node
packages cannot be installed, every test here fails with npm's own message — none is skipped.

Accounts are made as a person makes them: createAccount, then an app password, which is what
Herald connects with. Network faults come from a proxy between Herald and the PDS
(tests/realserver/proxy.py); the PDS itself is never modified. The AppView indexes from the
PDS's firehose a moment after each write, so reads through it are waited for (bounded).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import select

from app import db
from app.models import AttemptOutcome, DestinationStatus, PostDestination, PublishAttempt
from app.providers.base import (
    AuthError,
    MediaItem,
    PermanentError,
    PublishRequest,
    TokenSet,
    TransientError,
)
from app.providers.bluesky import BlueskyProvider, rkey_for
from app.providers.bluesky_text import build_facets
from app.services import connect, posts
from app.services.errors import InvalidInput
from simulator.bluesky import jwt_payload
from tests.integration.engine import (
    engine_processes,
    environ,
    new_user,
    soon,
    wait_for,
    wait_settled,
)
from tests.integration.thread_media import stored_media
from tests.providers.test_languages import REFUSED, TAKEN
from tests.realserver.atproto import Network, network
from tests.realserver.proxy import Proxy
from tests.support.media_files import mp4, png

POST = "app.bsky.feed.post"
FACET = "app.bsky.richtext.facet"
INDEXED_S = 30.0  # how long the AppView may take to show a write
_names = itertools.count(1)
T = TypeVar("T")


# --------------------------------------------------------------------------- the network


@pytest.fixture(scope="module")
def atproto() -> Iterator[Network]:
    """PLC, PDS and AppView; the AppView keeps its tables in this run's own database."""
    redis = urlsplit(os.environ["HERALD_REDIS_URL"]).netloc or "127.0.0.1:6379"
    with network(os.environ["HERALD_DATABASE_URL"], redis, "herald") as net:
        yield net
        for line in net.background_errors():
            warnings.warn(f"the AT Protocol network survived: {line.strip()}", stacklevel=1)


@pytest.fixture(autouse=True)
def alive(atproto: Network) -> Iterator[None]:
    """Each test starts and ends with the network up; if it has ended, the test says why
    (exit code and the log's tail) rather than "connection refused"."""
    atproto.check()
    yield
    atproto.check()


@dataclass
class Member:
    """A Bluesky account on the PDS, and an app password made for Herald."""

    handle: str
    did: str
    app_password: str
    session: dict[str, Any]


def xrpc(base: str, method: str, nsid: str, token: str | None = None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(method, f"{base}/xrpc/{nsid}", headers=headers, timeout=60, **kw)
    assert response.is_success, f"{nsid}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def member(atproto: Network, prefix: str) -> Member:
    handle = f"{prefix}{next(_names)}{os.getpid() % 1000}.bsky.social"
    account = xrpc(
        atproto.pds,
        "POST",
        "com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": "a long password"},
    )
    app = xrpc(
        atproto.pds,
        "POST",
        "com.atproto.server.createAppPassword",
        account["accessJwt"],
        json={"name": "Herald"},
    )
    return Member(handle, account["did"], app["password"], account)


def records(atproto: Network, did: str) -> list[dict[str, Any]]:
    """The account's posts as stored in its repository, in the order they were written (a
    repository lists by record key, and Herald's keys are derived, not timestamps)."""
    found = xrpc(
        atproto.pds,
        "GET",
        "com.atproto.repo.listRecords",
        params={"repo": did, "collection": POST, "limit": 100},
    )
    return sorted(found["records"], key=lambda r: r["value"]["createdAt"])


def get_record(atproto: Network, uri: str) -> dict[str, Any]:
    """{"uri", "cid", "value"} of a record, read from its repository."""
    did, collection, rkey = uri.removeprefix("at://").split("/")
    params = {"repo": did, "collection": collection, "rkey": rkey}
    return xrpc(atproto.pds, "GET", "com.atproto.repo.getRecord", params=params)


def record(atproto: Network, uri: str) -> dict[str, Any]:
    return get_record(atproto, uri)["value"]


def eventually(read: Callable[[], T | None], what: str) -> T:
    return wait_for(read, INDEXED_S, what)  # type: ignore[return-value]


def appview_post(atproto: Network, token: TokenSet, uri: str) -> dict[str, Any]:
    """The post as the AppView shows it (what the Bluesky app renders), once indexed."""

    def read() -> dict[str, Any] | None:
        found = xrpc(
            atproto.pds, "GET", "app.bsky.feed.getPosts", token.access_token, params={"uris": uri}
        )["posts"]
        return found[0] if found else None

    return eventually(read, f"{uri} in the AppView")


# --------------------------------------------------------------------------- the provider


@pytest.fixture(scope="module")
def provider(atproto: Network) -> Iterator[BlueskyProvider]:
    with BlueskyProvider(api_base=atproto.pds, timeout=60) as p:
        yield p  # type: ignore[misc]


@pytest.fixture(scope="module")
def bob(atproto: Network) -> Member:
    return member(atproto, "bob")


@pytest.fixture
def alice(atproto: Network) -> Member:
    return member(atproto, "alice")


@pytest.fixture
def token(provider: BlueskyProvider, alice: Member) -> TokenSet:
    return provider.login(alice.handle, alice.app_password)


def test_connect_with_an_app_password(clean_db, atproto: Network, alice: Member) -> None:
    user, wid = new_user()
    with environ({"HERALD_BLUESKY_API_BASE": atproto.pds}):
        view = connect.login(user, wid, "bluesky", "@" + alice.handle, alice.app_password)
        assert (view.platform_account_id, view.username) == (alice.did, alice.handle)
        assert view.status.value == "connected" and view.token_expires_at is not None
        with pytest.raises(InvalidInput) as refused:
            connect.login(user, wid, "bluesky", alice.handle, "wrong-pass-word-1234")
    assert refused.value.code == "platform_credentials"
    assert "refused the handle or app password" in refused.value.message


def test_text_with_facets(
    provider: BlueskyProvider, token: TokenSet, atproto: Network, bob: Member
) -> None:
    text = (
        f"👩‍👩‍👧 Hi @{bob.handle}, read https://example.com/a?b=1 and herald.social "
        "#Herald #日本語 ✨"
    )
    result = provider.publish(token, PublishRequest(text, options={"langs": ["en", "ja"]}))
    stored = record(atproto, result.platform_post_id or "")
    assert stored["text"] == text and stored["langs"] == ["en", "ja"]
    raw = text.encode()
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in stored["facets"]
    }
    assert spans == {
        f"@{bob.handle}": {"$type": f"{FACET}#mention", "did": bob.did},
        "https://example.com/a?b=1": {"$type": f"{FACET}#link", "uri": "https://example.com/a?b=1"},
        "herald.social": {"$type": f"{FACET}#link", "uri": "https://herald.social"},
        "#Herald": {"$type": f"{FACET}#tag", "tag": "Herald"},
        "#日本語": {"$type": f"{FACET}#tag", "tag": "日本語"},
    }
    assert stored["facets"] == build_facets(text, lambda h: bob.did if h == bob.handle else None)
    shown = appview_post(atproto, token, result.platform_post_id or "")
    assert shown["record"]["facets"] == stored["facets"]


def test_images_with_alt_text_and_aspect_ratio(
    provider: BlueskyProvider, token: TokenSet, atproto: Network
) -> None:
    wide, tall = png(30, 20), png(4, 9)
    media = [
        MediaItem.from_bytes(wide, "image/png", "wide.png", alt_text="A wide red picture"),
        MediaItem.from_bytes(tall, "image/png", "tall.png", alt_text="A tall one"),
    ]
    media[0].width, media[0].height = 30, 20  # as stored with the media
    media[1].width, media[1].height = 4, 9
    result = provider.publish(token, PublishRequest("Two pictures", media=media))
    images = record(atproto, result.platform_post_id or "")["embed"]["images"]
    assert [i["alt"] for i in images] == ["A wide red picture", "A tall one"]
    assert [i["aspectRatio"] for i in images] == [
        {"width": 30, "height": 20},
        {"width": 4, "height": 9},
    ]
    assert [(i["image"]["mimeType"], i["image"]["size"]) for i in images] == [
        ("image/png", len(wide)),
        ("image/png", len(tall)),
    ]
    view = appview_post(atproto, token, result.platform_post_id or "")["embed"]
    assert view["$type"] == "app.bsky.embed.images#view"
    assert [(i["alt"], i["aspectRatio"]) for i in view["images"]] == [
        ("A wide red picture", {"width": 30, "height": 20}),
        ("A tall one", {"width": 4, "height": 9}),
    ]


def test_video_with_alt_text_and_aspect_ratio(
    provider: BlueskyProvider, token: TokenSet, atproto: Network
) -> None:
    data = mp4(width=640, height=360)
    video = MediaItem.from_bytes(data, "video/mp4", "clip.mp4", alt_text="A short clip")
    video.width, video.height = 640, 360
    result = provider.publish(token, PublishRequest("A video", media=[video]))
    embed = record(atproto, result.platform_post_id or "")["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == "A short clip"
    assert embed["aspectRatio"] == {"width": 640, "height": 360}
    assert (embed["video"]["mimeType"], embed["video"]["size"]) == ("video/mp4", len(data))
    view = appview_post(atproto, token, result.platform_post_id or "")["embed"]
    assert view["$type"] == "app.bsky.embed.video#view"
    assert view["aspectRatio"] == {"width": 640, "height": 360} and view["playlist"]


def test_thread_of_three(provider: BlueskyProvider, token: TokenSet, atproto: Network) -> None:
    request = PublishRequest("1/3 a thread", options={"thread": ["2/3 goes on", "3/3 ends"]})
    result = provider.publish(token, request)
    uris = result.extra["thread_ids"]
    assert result.platform_post_id == uris[0] and len(uris) == 3
    assert_thread(atproto, token, uris, ["1/3 a thread", "2/3 goes on", "3/3 ends"])
    assert provider.post_metrics(token, uris[0])["comments"] == 1


def assert_thread(atproto: Network, token: TokenSet, uris: list[str], texts: list[str]) -> None:
    """The AppView shows root → 2 → 3 with these texts, and each record replies to the one
    before it within the same root."""
    refs = [{"uri": uri, "cid": get_record(atproto, uri)["cid"]} for uri in uris]
    for i, uri in enumerate(uris[1:], start=1):
        assert record(atproto, uri)["reply"] == {"root": refs[0], "parent": refs[i - 1]}

    def chain() -> list[str] | None:
        response = httpx.get(
            f"{atproto.pds}/xrpc/app.bsky.feed.getPostThread",
            headers={"Authorization": f"Bearer {token.access_token}"},
            params={"uri": uris[0], "depth": 10},
            timeout=60,
        )
        if response.status_code == 400 and response.json().get("error") == "NotFound":
            return None  # the AppView has not indexed the root yet
        assert response.is_success, f"getPostThread: {response.status_code} {response.text}"
        thread = response.json()["thread"]
        seen = []
        while thread:
            seen.append(thread["post"]["record"]["text"])
            thread = (thread.get("replies") or [None])[0]
        return seen if seen == texts else None

    eventually(chain, "the thread in the AppView")


def test_validate_refuses_what_the_pds_refuses(
    provider: BlueskyProvider, token: TokenSet, atproto: Network
) -> None:
    """Every language tag of the unit tests, and the text limits, give the same answer from
    validate() (before saving) and from the PDS."""
    for tags, taken in ((TAKEN, True), (REFUSED, False)):
        for tag in tags:
            request = PublishRequest("lang", options={"langs": [tag]})
            assert (provider.validate(request) == []) is taken, tag
            try:
                provider.publish(token, request)
                pds_took = True
            except PermanentError as exc:
                assert exc.status == 400 and "Invalid language" in exc.message, exc
                pds_took = False
            assert pds_took is taken, tag
    for text, problem in [
        ("a" * 300, None),
        ("a" * 301, "grapheme too big (maximum 300, got 301)"),
        ("👩‍👩‍👧‍👦" * 120, None),  # 3000 bytes
        ("👩‍👩‍👧‍👦" * 121, "string too big (maximum 3000, got 3025)"),
    ]:
        request = PublishRequest(text)
        assert (provider.validate(request) == []) is (problem is None)
        if problem is None:
            provider.publish(token, request)
        else:
            with pytest.raises(PermanentError) as refused:
                provider.publish(token, request)
            assert refused.value.status == 400 and problem in refused.value.message


def test_rkey_collision_after_a_timeout(
    token: TokenSet, alice: Member, atproto: Network, proxy: Proxy
) -> None:
    """createRecord reaches the PDS, the answer is lost, and the read-back fails too: unclear.
    The retry under the same rkey gets the PDS's HTTP 500, reads the record, and returns the
    one post."""
    proxy.fail("/com.atproto.repo.createRecord", "lost")
    proxy.fail("/com.atproto.repo.getRecord", "502")
    request = PublishRequest("Posted exactly once", idempotency_key=str(uuid.uuid4()))
    with BlueskyProvider(api_base=proxy.url, timeout=60) as lossy:
        with pytest.raises(TransientError) as unclear:
            lossy.publish(token, request)
        assert unclear.value.sent is True
        [stored] = records(atproto, alice.did)  # it did reach the PDS
        seen = len(proxy.seen)
        result = lossy.publish(token, request)
    assert ("/xrpc/com.atproto.repo.createRecord", 500) in proxy.seen[seen:]  # the PDS's answer
    assert result.platform_post_id == stored["uri"] and result.extra["cid"] == stored["cid"]
    assert stored["uri"].endswith("/" + rkey_for(request.idempotency_key))
    assert [r["value"]["text"] for r in records(atproto, alice.did)] == ["Posted exactly once"]


def test_find_recent(provider: BlueskyProvider, token: TokenSet) -> None:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    first = provider.publish(token, PublishRequest("recent one"))
    second = provider.publish(token, PublishRequest("recent two"))

    def both() -> list | None:
        found = provider.find_recent(token, since)
        return found if len(found) == 2 else None

    found = eventually(both, "both posts in the author feed")
    assert [(p.text, p.platform_post_id) for p in found] == [
        ("recent two", second.platform_post_id),
        ("recent one", first.platform_post_id),
    ]
    assert found[0].permalink == second.permalink
    assert provider.find_recent(token, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)) == []


def test_metrics(
    provider: BlueskyProvider, token: TokenSet, atproto: Network, alice: Member, bob: Member
) -> None:
    result = provider.publish(token, PublishRequest("Like me"))
    post = appview_post(atproto, token, result.platform_post_id or "")
    now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    for collection, value in (
        ("app.bsky.feed.like", {"subject": {"uri": post["uri"], "cid": post["cid"]}}),
        ("app.bsky.graph.follow", {"subject": alice.did}),
    ):
        xrpc(
            atproto.pds,
            "POST",
            "com.atproto.repo.createRecord",
            bob.session["accessJwt"],
            json={
                "repo": bob.did,
                "collection": collection,
                "record": {"$type": collection, "createdAt": now, **value},
            },
        )
    uri = result.platform_post_id or ""
    eventually(lambda: provider.post_metrics(token, uri)["likes"] == 1, "the like")
    assert provider.post_metrics(token, uri) == {
        "likes": 1,
        "comments": 0,
        "shares": 0,
        "quotes": 0,
    }
    eventually(lambda: provider.account_metrics(token)["followers"] == 1, "the follow")
    assert provider.account_metrics(token) == {"followers": 1, "following": 0, "posts": 1}


def test_refresh_rotation_grace_and_revoke(
    provider: BlueskyProvider, token: TokenSet, alice: Member
) -> None:
    fresh = provider.refresh(token)
    assert fresh.refresh_token != token.refresh_token
    assert provider.account_info(fresh).username == alice.handle
    # The rotated token still works (2 h grace) and rotates to the same token.
    again = provider.refresh(token)
    assert (
        jwt_payload(again.refresh_token or "")["jti"]
        == (jwt_payload(fresh.refresh_token or "")["jti"])
    )
    provider.revoke(again)
    with pytest.raises(AuthError) as revoked:
        provider.refresh(fresh)
    assert revoked.value.refresh_may_help is False and revoked.value.code == "ExpiredToken"


# --------------------------------------------------------------------------- the engine

ENGINE = {
    "HERALD_MAX_ATTEMPTS": "4",
    "HERALD_HTTP_TIMEOUT_SECONDS": "30",  # a loaded 2-core machine runs the whole network
    "HERALD_BREAKER_THRESHOLD": "1000",  # these tests follow single destinations
}


@pytest.fixture(scope="module")
def proxy(atproto: Network) -> Iterator[Proxy]:
    with Proxy(atproto.pds) as p:
        yield p


@pytest.fixture(scope="module")
def engine(atproto: Network) -> Iterator[None]:
    """A worker pool and the scheduler as processes, reaching the PDS through
    HERALD_BLUESKY_API_BASE."""
    with environ({"HERALD_BLUESKY_API_BASE": atproto.pds}), engine_processes(ENGINE):
        yield


@pytest.fixture
def world(clean_db, engine, atproto: Network) -> dict[str, Any]:
    user, wid = new_user()
    return {"user": user, "wid": wid, "atproto": atproto}


def connected(world: dict[str, Any], someone: Member, server: str | None = None):
    """Connect the account in Herald as a user does (handle + app password)."""
    return connect.login(
        world["user"], world["wid"], "bluesky", someone.handle, someone.app_password, server
    )


def schedule(world: dict[str, Any], account, text: str, **kw: Any) -> posts.PostView:
    data = posts.PostInput(content=text, account_ids=[account.id], scheduled_at=soon(1), **kw)
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    return view


def attempts(destination_id: uuid.UUID) -> list[PublishAttempt]:
    with db.session() as s:
        query = select(PublishAttempt).where(PublishAttempt.destination_id == destination_id)
        return list(s.exec(query.order_by(PublishAttempt.id)).all())


def published(world: dict[str, Any], view: posts.PostView) -> PostDestination:
    [dest] = wait_settled(view.id, 90)
    assert dest.status == DestinationStatus.published, dest.error_message
    return dest


def test_engine_publishes_text_with_facets_once(world: dict[str, Any], bob: Member) -> None:
    atproto, someone = world["atproto"], member(world["atproto"], "erin")
    account = connected(world, someone)
    text = f"Scheduled by Herald for @{bob.handle} #Herald https://example.com"
    dest = published(world, schedule(world, account, text))
    [stored] = records(atproto, someone.did)
    assert dest.platform_post_id == stored["uri"]
    assert stored["uri"].endswith("/" + rkey_for(str(dest.idempotency_key)))
    assert dest.permalink == (
        f"https://bsky.app/profile/{someone.handle}/post/{rkey_for(str(dest.idempotency_key))}"
    )
    assert stored["value"]["text"] == text
    assert sorted(f["features"][0]["$type"] for f in stored["value"]["facets"]) == [
        f"{FACET}#link",
        f"{FACET}#mention",
        f"{FACET}#tag",
    ]
    assert [a.outcome for a in attempts(dest.id)] == [AttemptOutcome.published]


def test_engine_refuses_a_bad_language_before_saving(world: dict[str, Any]) -> None:
    account = connected(world, member(world["atproto"], "fay"))
    with pytest.raises(InvalidInput) as refused:
        schedule(world, account, "hi", platform_configs={"bluesky": {"langs": ["not a lang"]}})
    assert refused.value.code == "validation_failed"
    assert "'not a lang' is not a language code" in refused.value.message
    with db.session() as s:
        assert s.exec(select(PostDestination)).all() == []


def test_engine_publishes_a_thread_of_three(world: dict[str, Any]) -> None:
    atproto, someone = world["atproto"], member(world["atproto"], "gus")
    account = connected(world, someone)
    texts = ["Thread 1/3", "Thread 2/3", "Thread 3/3"]
    view = schedule(world, account, texts[0], platform_configs={"bluesky": {"thread": texts[1:]}})
    dest = published(world, view)
    stored = records(atproto, someone.did)
    assert [r["value"]["text"] for r in stored] == texts
    assert dest.platform_post_id == stored[0]["uri"]
    token = BlueskyProvider(api_base=atproto.pds).login(someone.handle, someone.app_password)
    assert_thread(atproto, token, [r["uri"] for r in stored], texts)


def test_engine_rkey_collision_after_a_timeout(world: dict[str, Any], proxy: Proxy) -> None:
    """The first attempt's createRecord is carried out but its answer is lost, and so is the
    read-back: the engine retries (Bluesky is idempotent by rkey), the PDS answers the taken
    rkey with HTTP 500, the provider reads the record: one post, published."""
    atproto, someone = world["atproto"], member(world["atproto"], "hal")
    account = connected(world, someone, server=proxy.url)
    proxy.fail("/com.atproto.repo.createRecord", "lost")
    proxy.fail("/com.atproto.repo.getRecord", "502")
    seen = len(proxy.seen)
    dest = published(world, schedule(world, account, "Exactly one, after a timeout"))
    [stored] = records(atproto, someone.did)
    assert dest.platform_post_id == stored["uri"] and dest.attempts == 2
    assert ("/xrpc/com.atproto.repo.createRecord", 500) in proxy.seen[seen:]
    assert [a.outcome for a in attempts(dest.id)] == [
        AttemptOutcome.transient,
        AttemptOutcome.published,
    ]


def test_engine_thread_interrupted_at_part_2_resumes_there(
    world: dict[str, Any], proxy: Proxy
) -> None:
    """Part 2's answer is lost and the check fails: the retry finds parts 1 and 2 under their
    rkeys and posts only part 3, in reply to part 2."""
    atproto, someone = world["atproto"], member(world["atproto"], "ida")
    account = connected(world, someone, server=proxy.url)
    proxy.fail("/com.atproto.repo.createRecord", "lost", skip=1)
    proxy.fail("/com.atproto.repo.getRecord", "502")
    texts = ["Resume 1/3", "Resume 2/3", "Resume 3/3"]
    view = schedule(world, account, texts[0], platform_configs={"bluesky": {"thread": texts[1:]}})
    dest = published(world, view)
    stored = records(atproto, someone.did)
    assert [r["value"]["text"] for r in stored] == texts  # each part once, in order
    assert dest.platform_post_id == stored[0]["uri"] and dest.attempts == 2
    token = BlueskyProvider(api_base=atproto.pds).login(someone.handle, someone.app_password)
    assert_thread(atproto, token, [r["uri"] for r in stored], texts)


def test_engine_publishes_an_image(world: dict[str, Any]) -> None:
    atproto, someone = world["atproto"], member(world["atproto"], "jo")
    account = connected(world, someone)
    data = png(12, 5)
    media_id = stored_media(world["wid"], data, "picture.png", width=12, height=5).id
    dest = published(world, schedule(world, account, "A picture", media_ids=[media_id]))
    [stored] = records(atproto, someone.did)
    assert dest.platform_post_id == stored["uri"]
    [image] = stored["value"]["embed"]["images"]
    assert (image["image"]["mimeType"], image["image"]["size"]) == ("image/png", len(data))
    assert image["aspectRatio"] == {"width": 12, "height": 5}  # from the stored dimensions
