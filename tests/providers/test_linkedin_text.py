"""LinkedIn little-text escaping and counting (pure functions, no HTTP)."""

from __future__ import annotations

import pytest

from app.providers.linkedin import escape_little_text, text_length, unescape_little_text
from simulator.linkedin import render_little_text, utf16_length

SAMPLES = [
    "plain words",
    "Launch (beta) [v2] {x} <b> a|b ~ * _ \\ @someone",
    "#Herald #2026 rocks, but not a#b or &#123;",
    "#my_tag and ##double",
    "emoji 🚀👨‍👩‍👧 flags 🇫🇷 and 你好",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_escape_round_trips_through_linkedin_rendering(text: str) -> None:
    escaped = escape_little_text(text)
    assert render_little_text(escaped) == text  # what LinkedIn shows (simulator's parser)
    assert unescape_little_text(escaped) == text  # what find_recent reports


def test_hashtags_become_templates() -> None:
    assert escape_little_text("#Herald!") == "{hashtag|\\#|Herald}!"
    assert escape_little_text("a#b") == "a\\#b"
    assert escape_little_text("#my_tag") == "{hashtag|\\#|my}\\_tag"


def test_unescape_mentions() -> None:
    assert unescape_little_text("Hi @[Acme](urn:li:organization:1) \\(x\\)") == "Hi Acme (x)"


def test_counting_is_utf16_units() -> None:
    for text in ("abc", "你好", "🚀", "👨‍👩‍👧", "e\u0301"):
        assert text_length(text) == utf16_length(text)
    assert text_length("🚀") == 2 and text_length("你好") == 2 and text_length("👨‍👩‍👧") == 8
