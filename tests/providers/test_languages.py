"""Language tags as Bluesky's PDS takes them in `langs`. tests/realserver/test_bluesky_real.py
sends every case here to the official PDS and expects the same outcome."""

from __future__ import annotations

import pytest

from app.providers.languages import is_language_tag

TAKEN = [
    "en", "fra", "pt-BR", "zh-Hant", "zh-Hant-TW", "sr-Latn-RS", "es-419", "en-US",
    "de-CH-1901", "sl-rozaj-biske", "zh-yue-HK", "en-a-bbb-x-a-ccc", "x-klingon",
    "qaa-Qaaa-QM-x-southern", "i-klingon", "en-GB-oed", "zh-min-nan",
]  # fmt: skip
REFUSED = [
    # not well-formed
    "", "not a lang", "e", "en_US", "en-", "-en", "en-US-", "a-DE", "en--US", "123", "x",
    "x-", "en-x", "tlh-a-b-foo", "de-1", "en-abcdefghi", "english-language-tag", "日本語",
    "en\n",
    # well-formed, but the PDS wants a lowercase 2-3 letter language and no repeats
    "EN", "english", "jaja", "ZH-min-nan", "de-1901-1901", "en-a-bbb-a-ccc",
]  # fmt: skip


@pytest.mark.parametrize("tag", TAKEN)
def test_taken(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize("tag", REFUSED)
def test_refused(tag: str) -> None:
    assert not is_language_tag(tag)
