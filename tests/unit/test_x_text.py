"""X's weighted text length (twitter-text v3): weights, emoji, NFC and URL extraction."""

from __future__ import annotations

import pytest

from app.providers.x import (
    DEFAULT_LIMITS,
    MAX_WEIGHTED_LENGTH,
    invalid_characters,
    url_spans,
    weighted_length,
)
from simulator.x import weighted_length as simulator_length

ZWJ = "\u200d"
FAMILY = f"👨{ZWJ}👩{ZWJ}👧{ZWJ}👦"
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"

# Expected lengths from twitter-text's conformance suite (validate.yml,
# "WeightedTweetsWithDiscountedEmojiCounterTest"), with the texts rebuilt here.
CONFORMANCE = [
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),
    ("xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),
    ("https://www.twitter.com/aloha " * 10, 240),
    ("故人西辞黄鹤楼，烟花三月下扬州。" * 10, 320),  # 160 CJK characters
    ("😷" * 160, 320),
    ("the" + "あ" * 160, 323),
    ("A\u0301B", 2),  # NFC: Á is one character
    ("A\ufb2c", 4),  # NFC: U+FB2C decomposes into three Hebrew code points
    ("282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxxA\u0301x", 281),
    (f"H🐱☺{FAMILY}", 7),
    ("😷👾😡🔥💩", 10),
    (f"🙋🏽👨{ZWJ}🎤", 4),
    ("randomurl" * 7 + "s.com", 68),  # a 64-character label is not a domain
    ("あいうえおかきくけこ" * 12 + " http://" + "あいうえおかきくけこ" * 5 + "あいう.com", 358),
    ("あいうえおかきくけこ" * 12 + " http://" + "あいうえおかきくけこ" * 5 + "あい.com", 264),
    (FAMILY * 140, 280),
    (f"Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; {ENGLAND}", 34),
    ("Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29),
    ("ABC\u202a\uffffABC\ufffe", 12),
    ("\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
    ("This is a test.", 15),
    ("test.com", 23),
    ("Test https://test.com test https://test.com test.com test", 86),
]


@pytest.mark.parametrize(("text", "expected"), CONFORMANCE)
def test_twitter_text_conformance(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


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
        ("www.example.io", 23),  # three labels: linked
        ("example.io", 10),  # name.<ccTLD> without a path is not linked...
        ("example.io/x", 23),  # ...with a path it is
        ("example.co", 23),  # .co and .tv are always linked
        ("example.tv", 23),
        ("foo.co.jp", 23),
        ("readme.md index.html node.js e.g.", 33),  # not domains
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


def test_long_dotted_input_stays_linear() -> None:
    # Regex backtracking is bounded (labels ≤ 63 characters, ≤ 127 labels): this finishes.
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


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "Hi http://test.co",
        "https://www.twitter.com/aloha " * 10,
        "see example.com and www.example.io and example.io",
        "(https://en.wikipedia.org/wiki/Foo_(bar)).",
        "故人西辞黄鹤楼，烟花三月下扬州。",
        FAMILY * 3 + "🇫🇷#️⃣©️©" + ENGLAND,
        "–—‘’“”…•",
        "A\u0301B\ufb2c",
        "https://example.com/path. x",
    ],
)
def test_simulator_counts_the_same(text: str) -> None:
    """The simulator's independent counter agrees with the provider's on ordinary text."""
    assert simulator_length(text) == weighted_length(text)
