"""Mastodon's status length rules (app/providers/mastodon_text.py).

The first cases are Mastodon's own spec/validators/status_length_validator_spec.rb, translated
(its MAX_CHARS is stubbed to 100 there; `fits` is "allowed under 100").
"""

from __future__ import annotations

import pytest

from app.providers.mastodon import MastodonProvider
from app.providers.mastodon_text import count_status_length, countable_text
from app.providers.posts import PublishRequest

LIMIT = 100
LINK = "http://" + "b" * 30 + ".com/example"


@pytest.mark.parametrize(
    ("spoiler", "text", "fits"),
    [
        ("a" * 101, "", False),  # content warning over the limit
        ("", "a" * 101, False),
        ("a" * 20, "b" * 81, False),  # together over the limit
        ("a" * 50, "a" * 50, True),
        ("", "a" * 76 + " " + LINK, True),  # space separated URL: 23
        ("", "a" * 76 + LINK, False),  # URL glued to a word: counted in full
        ("", "http://example.com/valid?" + "#foo?" * 1000, False),  # over 4,096: not a URL
        ("", "a" * 75 + " @alice@" + "b" * 30 + ".com", True),  # remote mention: @alice
        ("", "@alice@" + "b" * 253 * 2 + ".com", False),  # domain over 253: plain text
        ("", "✨" * 100, True),
        ("", "🏳️‍⚧️" * 100, True),  # one grapheme each
    ],
)
def test_mastodon_spec(spoiler: str, text: str, fits: bool) -> None:
    assert (count_status_length(text, 23, spoiler) <= LIMIT) is fits


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("see https://example.com/a?b=1.", "see " + "x" * 23 + "."),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", "(" + "x" * 23 + ")"),
        ("https://example.com/a_(日本)", "x" * 23 + "(日本)"),  # ends before unbalanced text
        ("gemini://example.org/x and dat://example.com", "x" * 23 + " and " + "x" * 23),
        ("ftp://example.org example.org", "ftp://example.org example.org"),  # no protocol
        ("https://example.notatld/x", "https://example.notatld/x"),  # not a TLD
        ("https://" + "a" * 64 + ".com", "https://" + "a" * 64 + ".com"),  # label over 63
        ("https://☃.net/", "x" * 23),  # IDN
        ("https://🐱.example.com/", "https://🐱.example.com/"),  # unassigned in IDNA 2003
        ("https://t.co/abc?x=1", "x" * 23 + "?x=1"),  # a t.co link stops after its slug
        ("ping @bob@mastodon.social!", "ping @bob!"),
        ("@bob@example.com@x", "@bob@example.com@x"),  # followed by @: not a mention
        ("mail bob@example.com", "mail bob@example.com"),
        ("https://mastodon.social/@bob@x.org", "x" * 23),
        ("  \n\u3000", ""),  # a blank text counts 0
    ],
)
def test_countable_text(text: str, counted: str) -> None:
    assert countable_text(text) == counted


def test_instance_url_length_and_content_warning() -> None:
    assert count_status_length("a https://example.com/", 30) == 2 + 30
    # The content warning is counted as written: its URLs are not shortened.
    assert count_status_length("x", 23, "https://example.com/") == 21
    provider = MastodonProvider(
        api_base="https://social.example", limits=MastodonProvider.default_limits
    )
    warning = {"spoiler_text": "https://example.com/"}  # 20 characters
    assert provider.validate(PublishRequest(text="b" * 480, options=warning)) == []
    assert provider.validate(PublishRequest(text="b" * 481, options=warning)) == [
        "The post is 501 characters; this instance allows 500 (each link counts as 23)."
    ]
    assert provider.validate(PublishRequest(text="a" * 476 + " " + LINK)) == []
    assert provider.validate(PublishRequest(text="a" * 476 + LINK)) == [
        "The post is 525 characters; this instance allows 500 (each link counts as 23)."
    ]
