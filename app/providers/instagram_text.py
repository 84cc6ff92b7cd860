"""Instagram's text rules (captions, Instagram API).

* Limit: 2,200 characters per caption (error subcode 2207010 "caption too long";
  platform-apis.md §0.2 [code, 2nd]), at most 30 hashtags and 20 @-mentions.
* Unit: not documented. Herald takes the strict reading: UTF-16 code units (an emoji outside the
  BMP counts 2).
"""

from __future__ import annotations

from app.providers.text_units import utf16_length

MAX_CAPTION = 2200
COUNTING = "utf16"
STRICT = True
NOTE = (
    "Instagram does not document how it counts; Herald counts strictly "
    "(UTF-16 code units: most emoji count 2)."
)
text_length = utf16_length
