"""Bluesky text helpers: facets with UTF-8 byte offsets, limits, rkeys, JWT expiry, errors."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import httpx
import pytest

from app.providers.bluesky import BlueskyProvider, jwt_expiry, rkey_for
from app.providers.bluesky_text import build_facets, detect_facets
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.posts import MediaItem, PublishRequest
from simulator.bluesky import graphemes

FACET = "app.bsky.richtext.facet"


@pytest.fixture
def bluesky() -> BlueskyProvider:
    return BlueskyProvider()


def _slice(text: str, facet: dict) -> str:
    raw = text.encode("utf-8")
    return raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")


@pytest.mark.parametrize(
    "prefix",
    ["", "héllo ", "👩‍👩‍👧 family ", "日本語のテキスト ", "🇫🇷 e\u0301 "],
)
def test_link_and_tag_facets_use_utf8_byte_offsets(prefix: str) -> None:
    text = f"{prefix}see https://example.com/a?b=1. #Herald!"
    link, tag = build_facets(text)
    start = len((prefix + "see ").encode("utf-8"))
    assert link["index"] == {
        "byteStart": start,
        "byteEnd": start + len("https://example.com/a?b=1"),
    }
    assert link["features"] == [{"$type": f"{FACET}#link", "uri": "https://example.com/a?b=1"}]
    assert _slice(text, tag) == "#Herald"
    assert tag["features"] == [{"$type": f"{FACET}#tag", "tag": "Herald"}]


def _features(text: str) -> list[tuple[str, dict]]:
    return [(_slice(text, f), f["features"][0]) for f in build_facets(text, RESOLVE.get)]


RESOLVE = {"bob.bsky.social": "did:plc:bob"}


def test_issue_16_edges() -> None:
    """What the Bluesky app links that Herald did not (atproto's detectFacets)."""
    text = "see bsky.app, $AAPL and #double#rainbow ##hash #end___ #a\u200bb 1️⃣ #️⃣x"
    assert _features(text) == [
        ("bsky.app", {"$type": f"{FACET}#link", "uri": "https://bsky.app"}),
        ("$AAPL", {"$type": f"{FACET}#tag", "tag": "$AAPL"}),
        ("#double#rainbow", {"$type": f"{FACET}#tag", "tag": "double#rainbow"}),
        ("##hash", {"$type": f"{FACET}#tag", "tag": "#hash"}),
        ("#end", {"$type": f"{FACET}#tag", "tag": "end"}),
        ("#a", {"$type": f"{FACET}#tag", "tag": "a"}),  # a zero-width space ends a tag
    ]
    assert _features("readme.txt example.notatld Example.COM HTTPS://EXAMPLE.COM") == []


def test_mentions_resolve_or_stay_text() -> None:
    text = "hi @bob.bsky.social, and @nodot and mail a@b.com (@carol.example.org)"
    assert [f["features"][0]["did"] for f in detect_facets(text)] == [
        "bob.bsky.social",
        "carol.example.org",
    ]
    facets = build_facets(text, RESOLVE.get)
    assert len(facets) == 1 and _slice(text, facets[0]) == "@bob.bsky.social"
    assert facets[0]["features"] == [{"$type": f"{FACET}#mention", "did": "did:plc:bob"}]
    assert build_facets("@bob.bsky.social") == []  # no resolver: no mention facets
    # A link keeps a closing parenthesis when it has an opening one.
    (link,) = build_facets("(https://en.wikipedia.org/wiki/Foo_(bar)#x)")
    assert link["features"][0]["uri"] == "https://en.wikipedia.org/wiki/Foo_(bar)#x)"


def test_rkey_is_a_deterministic_tid() -> None:
    tid = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
    keys = [rkey_for(f"dest-{i}") for i in range(200)]
    assert all(tid.match(k) for k in keys) and len(set(keys)) == 200
    assert rkey_for("dest-1") == rkey_for("dest-1") != rkey_for("dest-1:1")


def test_jwt_expiry() -> None:
    payload = base64.urlsafe_b64encode(json.dumps({"exp": 1_900_000_000}).encode()).rstrip(b"=")
    assert jwt_expiry(f"h.{payload.decode()}.s") == datetime.fromtimestamp(1_900_000_000, UTC)
    assert jwt_expiry("not-a-jwt") is None and jwt_expiry("a.b.c") is None


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 300, True),
        ("a" * 301, False),
        ("👩‍👩‍👧‍👦" * 120, True),  # 120 graphemes but 3000 bytes (25 bytes each)
        ("👩‍👩‍👧‍👦" * 121, False),  # 3025 bytes: the byte limit bites first
        ("e\u0301" * 300, True),  # combining marks: 300 graphemes, 900 bytes
        ("e\u0301" * 301, False),
        ("日" * 300, True),  # 900 bytes
        ("🇯🇵" * 300, True),  # flags: 300 graphemes, 2400 bytes
    ],
)
def test_grapheme_and_byte_limits(bluesky: BlueskyProvider, text: str, ok: bool) -> None:
    errors = bluesky.validate(PublishRequest(text=text))
    assert (errors == []) is ok, errors
    # The simulator counts the same way (independent implementation).
    assert (graphemes(text) <= 300 and len(text.encode()) <= 3000) is ok


def test_validate_media_and_options(bluesky: BlueskyProvider) -> None:
    img = MediaItem.from_bytes(b"x" * 10, "image/png", "a.png")
    big = MediaItem.from_bytes(b"x" * 1_000_001, "image/jpeg", "big.jpg")
    mov = MediaItem.from_bytes(b"x", "video/quicktime", "v.mov")
    errors = bluesky.validate(
        PublishRequest(
            text="",
            media=[img, img, img, big, img],
            options={"langs": ["en", "fr", "de", "es"], "thread": ["", 3], "poll": 1},
        )
    )
    assert "Bluesky has no option called “poll”." in errors
    assert "“Languages” takes at most 3 values." in errors
    assert "“Thread” must be a list of texts." in errors
    assert "At most 4 images per Bluesky post." in errors
    assert any("big.jpg is 1000001 bytes" in e for e in errors)
    assert bluesky.validate(PublishRequest(text="", media=[img])) == []
    assert bluesky.validate(PublishRequest(text="")) == [
        "A Bluesky post needs text, images or a video."
    ]
    assert bluesky.validate(PublishRequest(text="", media=[mov])) == [
        "v.mov: Bluesky takes JPEG, PNG, WebP or GIF images and MP4 videos, not video/quicktime."
    ]


def test_one_video_alone(bluesky: BlueskyProvider) -> None:
    video = MediaItem.from_bytes(b"x", "video/mp4", "v.mp4")
    img = MediaItem.from_bytes(b"x", "image/png", "a.png")
    assert bluesky.validate(PublishRequest(text="", media=[video])) == []
    alone = "A Bluesky post takes up to 4 images or a single video."
    assert bluesky.validate(PublishRequest(text="x", media=[video, img])) == [alone]
    assert bluesky.validate(PublishRequest(text="x", media=[video, video])) == [alone]
    huge = MediaItem("video/mp4", 100_000_001, video.open, "huge.mp4")
    assert bluesky.validate(PublishRequest(text="x", media=[huge])) == [
        "huge.mp4 is 100000001 bytes; the limit is 100000000 bytes."
    ]


NOT_A_TAG = "'{}' is not a language code (BCP 47, e.g. en, pt-BR, zh-Hant)."


@pytest.mark.parametrize(
    ("langs", "errors"),
    [
        (["en", "pt-BR", "zh-Hant-TW"], []),
        (["es-419", "sr-Latn", "x-klingon"], []),
        (["not a lang"], [NOT_A_TAG.format("not a lang")]),
        (["en", "en_US", ""], [NOT_A_TAG.format("en_US"), NOT_A_TAG.format("")]),
        ("en", ["“Languages” must be a list of texts."]),
    ],
)
def test_langs_are_bcp47_tags(bluesky: BlueskyProvider, langs: object, errors: list) -> None:
    assert bluesky.validate(PublishRequest(text="hi", options={"langs": langs})) == errors


def _response(status: int, body: dict, headers: dict | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://bsky.social/xrpc/x")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_classify_xrpc_errors(bluesky: BlueskyProvider) -> None:
    expired = bluesky.classify_error(_response(400, {"error": "ExpiredToken", "message": "m"}))
    assert isinstance(expired, AuthError) and expired.refresh_may_help is True
    invalid = bluesky.classify_error(_response(401, {"error": "InvalidToken", "message": "bad"}))
    assert isinstance(invalid, AuthError) and invalid.refresh_may_help is False
    limited = bluesky.classify_error(
        _response(429, {"error": "RateLimitExceeded"}, {"ratelimit-reset": "1900000000"})
    )
    assert isinstance(limited, RateLimited)
    assert limited.retry_at == datetime.fromtimestamp(1_900_000_000, UTC)
    server = bluesky.classify_error(_response(502, {"error": "UpstreamFailure"}))
    assert isinstance(server, TransientError) and server.sent is True
    bad = bluesky.classify_error(_response(400, {"error": "InvalidRequest", "message": "nope"}))
    assert isinstance(bad, PermanentError) and bad.message == "nope"
    assert bad.code == "InvalidRequest"


def test_no_oauth_redirect(bluesky: BlueskyProvider) -> None:
    with pytest.raises(PermanentError, match="app passwords"):
        bluesky.authorize_url(state="s", redirect_uri="http://x")
    with pytest.raises(PermanentError, match="app passwords"):
        bluesky.exchange_code(code="c", redirect_uri="http://x")
