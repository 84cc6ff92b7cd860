"""Instagram's text rules (captions, Instagram API).

* Limit: 2,200 characters per caption (error subcode 2207010 "caption too long";
  platform-apis.md §0.2 [code, 2nd]), at most 30 hashtags and 20 @-mentions.
* Unit: code points, the count Herald's Instagram support was built and checked on (an emoji is
  one, a ZWJ family counts each of its parts, so a family of three people counts 5). Meta does not
  document the unit; the composer says how Herald counts.
"""

from __future__ import annotations

MAX_CAPTION = 2200
COUNTING = "codepoints"
STRICT = False
NOTE = (
    "Instagram counts 2,200 characters; Herald counts code points "
    "(an emoji is 1, a ZWJ family counts each of its parts)."
)
text_length = len
