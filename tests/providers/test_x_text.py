"""X's weighted text length (twitter-text v3): weights, emoji, NFC and URL extraction.

twitter-text's own conformance suite runs in tests/conformance/test_twitter_text.py; these are
the edges users hit, written here.
"""

from __future__ import annotations

import pytest

from app.providers.posts import PublishRequest
from app.providers.x import DEFAULT_LIMITS, XProvider
from app.providers.x_text import (
    MAX_WEIGHTED_LENGTH,
    invalid_characters,
    url_spans,
    weighted_length,
)

ZWJ = "\u200d"
FAMILY = f"👨{ZWJ}👩{ZWJ}👧{ZWJ}👦"
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


def test_general_punctuation_with_visible_spaces() -> None:
    spaces = "".join(chr(c) for c in range(0x2000, 0x200C))  # U+2000-U+200B
    punctuation = " ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷"
    text = "This is a tweet with general punctuation characters: " + spaces + punctuation
    assert weighted_length(text) == 110


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ascii", 11),
        ("café", 4),  # Latin-1
        ("Ωмשعक", 5),  # Greek, Cyrillic, Hebrew, Arabic, Devanagari: all below U+1100
        ("ა", 1),  # Georgian U+10D0, the last light block
        ("ᄀ", 2),  # Hangul Jamo U+1100 is heavy
        ("한국어", 6),
        ("日本語", 6),
        ("\u00a0", 1),  # no-break space
        ("–—‘’“”", 6),  # U+2010-U+201F weigh 1
        ("′″‴", 3),  # U+2032-U+2037 weigh 1
        ("…•€‰‽", 10),  # other punctuation and symbols weigh 2
        ("\u200b", 1),  # zero-width space is in U+2000-U+200D
        ("a\ufe0f", 3),  # a selector after a non-emoji weighs 2
    ],
)
def test_character_weights(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍", 2),
        ("👍🏽", 2),  # skin tone
        ("🇫🇷", 2),  # flag = two regional indicators
        ("🇫🇷🇩🇪", 4),
        ("🇫", 2),  # a lone regional indicator is just a heavy character
        ("#️⃣", 2),  # keycap sequence (3 code points)
        ("1⃣", 2),  # keycap without the selector
        ("❤", 2),
        ("❤️", 2),  # emoji presentation selector is part of the emoji
        ("©", 1),  # text presentation: an ordinary Latin-1 character
        ("©️", 2),  # emoji presentation
        ("®️®", 3),
        ("™", 2),
        (FAMILY, 2),  # 7 code points, one ZWJ sequence
        (f"🧑🏽{ZWJ}💻", 2),
        (f"👩{ZWJ}❤️{ZWJ}💋{ZWJ}👨", 2),
        (f"🏴{ZWJ}☠️", 2),
        (f"🏳️{ZWJ}🌈", 2),
        (ENGLAND, 2),  # tag sequence
        (f"a{ZWJ}b", 3),  # ZWJ between letters: three light characters
        (f"{FAMILY} {FAMILY}", 5),
    ],
)
def test_emoji_sequences_weigh_two(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_nfc_normalisation() -> None:
    assert weighted_length("A\u030a") == 1  # Å
    assert weighted_length("\u1112\u1161\u11ab") == 2  # Jamo → 한
    assert weighted_length("e\u0301" * 280) == 280


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Check out example.com.", 10 + 23 + 1),  # trailing dot is not part of the URL
        ("https://example.com/path.", 24),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", 25),  # balanced parentheses stay in
        ("HTTPS://EXAMPLE.COM", 23),
        ("https://example.com/" + "x" * 200, 23),  # any length counts 23
        ("https://example.com/?q=1&", 23),
        ("https://example.com/?q=1!", 24),
        ("example.com:8080/path", 23),
        ("www.example.io", 23),
        ("example.io", 23),  # a bare name.<ccTLD> is a link (current twitter-text)
        ("example.io/x", 23),
        ("example.co", 23),
        ("bit.ly", 23),
        ("www.example.sport", 23),  # TLDs delegated since 2014: .sport, .africa, IDN ccTLDs...
        ("africa.africa radio.radio pay.pay fun.fun food.food", 23 * 5 + 4),
        ("bharat.ভারত", 23),
        ("example.notatld", 15),
        ("http://xn--はじめよう.com/", 11 + 5 * 2 + 5),  # punycode with non-ASCII: no URL
        ("foo.co.jp", 23),
        ("readme.md index.html node.js e.g.", 23 + 24),  # .md is a ccTLD; .html, .js are not
        ("@example.com", 12),  # a mention-like prefix blocks the URL
        ("$example.com", 12),
        ("#example.com", 12),
        ("_example.com", 12),  # no protocol and preceded by "_"
        ("foo-example.com", 23),
        ("日本語のexample.comです", 8 + 23 + 4),  # only the ASCII domain is linked
        ("http://☃.net/", 23),  # internationalised domain with a protocol
        ("http://localhost/x", 18),  # no TLD, no URL
        ("https://" + "a" * 64 + ".com", 76),  # label longer than 63
        ("https://t.co/" + "a" * 41, 54),  # t.co slugs are at most 40 characters
        ("https://t.co/abc", 23),
        ("https://example.com/" + "a" * 4080, 4100),  # longer than 4,096: not a URL
        ("ftp://example.com", 17),  # only http(s); a bare domain after "/" is not linked
        ("x.y" * 50, 150),  # dotted words are not domains
    ],
)
def test_urls_count_23(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_url_spans_and_custom_url_length() -> None:
    text = "a https://example.com/x b example.org c"
    assert [text[s:e] for s, e in url_spans(text)] == ["https://example.com/x", "example.org"]
    assert weighted_length(text, url_length=30) == 2 + 30 + 3 + 30 + 2
    assert url_spans("no urls here") == []


def test_issue_16_edges() -> None:
    assert weighted_length("x" * 270 + " bit.ly") == 294  # refused by X: over 280
    assert weighted_length("https://www.example.sport/ " + "a" * 60) == 23 + 1 + 60
    assert XProvider().validate(PublishRequest(text="x" * 270 + " bit.ly")) == [
        "The post is 294 characters as X counts them; the limit is 280 (a link counts as 23, "
        "an emoji or a CJK character as 2)."
    ]


def test_long_dotted_input_stays_linear() -> None:
    # Regex backtracking is bounded (labels ≤ 500 characters, ≤ 127 labels): this finishes.
    assert weighted_length("x.y" * 4000) == 12000
    assert weighted_length("-".join(["ab"] * 3000) + ".x") == 8999 + 2


def test_invalid_characters() -> None:
    assert invalid_characters("ok") == []
    assert invalid_characters("a\ufeffb\ufffe\ufeff") == ["U+FEFF", "U+FFFE"]


def test_limits() -> None:
    assert DEFAULT_LIMITS.max_text_length == MAX_WEIGHTED_LENGTH == 280
    assert DEFAULT_LIMITS.count_text("😷" * 140) == 280
    assert DEFAULT_LIMITS.max_size_for("image/gif") == 15_000_000
    assert DEFAULT_LIMITS.max_size_for("image/png") == 5_000_000
    assert DEFAULT_LIMITS.max_size_for("video/mp4") == 512_000_000
