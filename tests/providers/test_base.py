"""Pure parts of the provider contract: counting, error classification, registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.providers import all_providers, get_provider, provider_class
from app.providers.base import count_graphemes
from app.providers.errors import AuthError, PermanentError, RateLimited, TransientError
from app.providers.mastodon import MastodonProvider, html_to_text
from app.providers.registry import UnknownPlatform
from simulator.mastodon import render_content


def response(status: int, body: object = None, headers: dict | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://social.example/api/v1/statuses")
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.fixture
def mastodon() -> MastodonProvider:
    return MastodonProvider(api_base="https://social.example/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("e\u0301te\u0301", 3),  # combining accents
        ("👍🏽", 1),  # skin tone modifier
        ("👨‍👩‍👧‍👦", 1),  # ZWJ family
        ("🇩🇪🇫🇷", 2),  # two flags
        ("❤️", 1),  # variation selector
        ("a\r\nb", 3),
        ("नमस्ते", 3),  # Devanagari conjunct स्ते joined by the virama (Unicode 15.1, GB9c)
        ("क्षत्रिय", 3),  # क्ष, त्रि, य
        ("বাংলা", 2),  # Bengali: বাং লা (spacing marks extend)
        ("ক্ষমা", 2),  # Bengali conjunct ক্ষ
        ("👩‍❤️‍💋‍👨", 1),  # ZWJ sequence with a variation selector inside
        ("🏳️‍⚧️🏴‍☠️", 2),
        ("🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 1),  # tag sequence
        ("1️⃣#️⃣*⃣", 3),  # keycaps, with and without the selector
        ("🇺🇳🇫", 2),  # a flag and a lone regional indicator
        ("a\u0301\u0327\u0308", 1),  # stacked combining marks
        ("각", 1),  # Hangul jamo L V T
        ("\u0915\u094d\u200d", 1),  # virama + ZWJ stays with the consonant
    ],
)
def test_count_graphemes(text: str, expected: int) -> None:
    assert count_graphemes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "two\nlines",
        "para one\n\npara two\nand <b>tags</b> & ampersands",
        "link https://example.com/a/very/long/path/that/gets/an/ellipsis?q=1&r=2 end",
    ],
)
def test_status_html_round_trips_to_the_posted_text(text: str) -> None:
    assert html_to_text(render_content(text)) == text


def test_classify_mastodon_errors(mastodon: MastodonProvider) -> None:
    auth = mastodon.classify_error(response(401, {"error": "The access token is invalid"}))
    assert isinstance(auth, AuthError) and auth.refresh_may_help is False

    reset = "2030-01-02T03:04:05.678901Z"
    limited = mastodon.classify_error(
        response(429, {"error": "Too many requests"}, {"X-RateLimit-Reset": reset})
    )
    assert isinstance(limited, RateLimited)
    assert limited.retry_at == datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    gateway = mastodon.classify_error(response(502, "<html>502 Bad Gateway</html>"))
    assert isinstance(gateway, TransientError) and gateway.sent is True
    assert gateway.message == "Mastodon answered HTTP 502 Bad Gateway"

    long = "Validation failed: Text character limit of 500 exceeded"
    invalid = mastodon.classify_error(response(422, {"error": long}))
    assert isinstance(invalid, PermanentError) and invalid.message == long

    not_ready = mastodon.classify_error(
        response(422, {"error": "Cannot attach files that have not finished processing."})
    )
    assert isinstance(not_ready, TransientError) and not_ready.sent is False

    scope = mastodon.classify_error(
        response(403, {"error": "This action is outside the authorized scopes"})
    )
    assert isinstance(scope, AuthError) and scope.code == "insufficient_scope"


def test_classify_transport_errors(mastodon: MastodonProvider) -> None:
    request = httpx.Request("POST", "https://social.example/api/v1/statuses")
    refused = mastodon.classify_error(httpx.ConnectError("refused", request=request))
    assert isinstance(refused, TransientError) and refused.sent is False
    timed_out = mastodon.classify_error(httpx.ReadTimeout("slow", request=request))
    assert isinstance(timed_out, TransientError) and timed_out.sent is True
    cut = mastodon.classify_error(httpx.RemoteProtocolError("closed", request=request))
    assert isinstance(cut, TransientError) and cut.sent is True


def test_retry_after_fallback(mastodon: MastodonProvider) -> None:
    limited = mastodon.classify_error(response(429, {"error": "x"}, {"Retry-After": "30"}))
    assert isinstance(limited, RateLimited)
    delta = limited.retry_at - datetime.now(UTC)
    assert timedelta(seconds=28) < delta <= timedelta(seconds=30)


def test_registry() -> None:
    assert provider_class("mastodon") is MastodonProvider
    assert [p.id for p in all_providers()] == [
        "bluesky", "facebook", "instagram", "linkedin", "mastodon", "pinterest", "threads",
        "tiktok", "x", "youtube",
    ]  # fmt: skip
    provider = get_provider("mastodon", api_base="https://m.example")
    assert provider.api_base == "https://m.example" and provider.capabilities.idempotent_publish
    with pytest.raises(UnknownPlatform, match="Unknown platform 'myspace'"):
        get_provider("myspace")
    with pytest.raises(TypeError):
        get_provider("mastodon")  # a Mastodon provider needs its instance URL
