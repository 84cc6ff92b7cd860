"""YouTube's text rules (Data API v3 `videos.insert`).

* Description: at most 5,000 bytes of UTF-8 (the API reference of `snippet.description`:
  "maximum length of 5000 bytes"), without `<` or `>`.
* Title: at most 100 characters, without `<` or `>` (`snippet.title`), counted in code points
  (the unit is not documented; a ZWJ family of three counts 5).
* Tags: 500 characters together, commas between tags counted, and a tag with a space counts the
  quotes YouTube puts around it.
"""

from __future__ import annotations

from app.providers.text_units import utf8_length

MAX_TITLE_CHARS = 100
MAX_DESCRIPTION_BYTES = 5000
MAX_TAGS_CHARS = 500
COUNTING = "utf8"
STRICT = False
NOTE = "YouTube limits the description to 5,000 bytes: accented letters count 2, CJK 3, emoji 4."
description_bytes = utf8_length
title_length = len


def tags_length(tags: list[str]) -> int:
    """YouTube's count for the 500-character tag limit."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)
