"""The units networks count text in, shared by the per-network text rules (`*_text.py`)."""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")


def count_graphemes(text: str) -> int:
    """User-perceived characters: extended grapheme clusters of current Unicode (UAX #29, with
    Unicode 15.1's Indic conjunct rule: नमस्ते is 3), through the `regex` module's \\X. The
    browser counts the same with Intl.Segmenter."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf16_length(text: str) -> int:
    """UTF-16 code units, JavaScript's `length`: an emoji outside the BMP counts 2."""
    return len(text.encode("utf-16-le")) // 2


def utf8_length(text: str) -> int:
    """UTF-8 bytes: accented letters count 2, CJK 3, most emoji 4."""
    return len(text.encode("utf-8"))
