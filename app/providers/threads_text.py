"""Threads' text rules (Threads API).

* Limit: 500 characters per post; "emojis are counted as their UTF-8 byte length" (Meta's
  Threads API documentation, text posts; platform-apis.md §0.2 [doc]). Every other character
  counts 1, CJK included.
* Which characters are "emojis" is not spelled out: Herald counts as emoji the code points of the
  emoji blocks (U+1F000-U+1FAFF, U+2600-U+27BF) and the emoji joiners and selectors (ZWJ,
  VS16, keycap, tags), so a family 👨‍👩‍👧 counts all its bytes (18).
"""

from __future__ import annotations

MAX_TEXT = 500
COUNTING = "threads"
STRICT = False
NOTE = "Threads counts 500 characters, each emoji as its UTF-8 bytes (usually 4)."


EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x200D, 0x200D),
    (0xFE0F, 0xFE0F),
    (0x20E3, 0x20E3),
    (0xE0020, 0xE007F),
)


def _emoji_part(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in EMOJI_RANGES)


def text_length(text: str) -> int:
    """Threads' count: one per character; emoji count their UTF-8 bytes."""
    return sum(len(ch.encode("utf-8")) if _emoji_part(ord(ch)) else 1 for ch in text)
