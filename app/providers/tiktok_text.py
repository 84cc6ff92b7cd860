"""TikTok's text rules (Content Posting API).

* Limits: a video's caption (`title`) 2,200; a photo post's `title` 90 and `description` 4,000
  (platform-apis.md §0.2 [2nd, code]: TikTok's reference gives the numbers as "characters").
* Unit: not documented. Herald takes the strict reading: UTF-16 code units (an emoji outside the
  BMP counts 2), for every one of the three fields.
"""

from __future__ import annotations

from app.providers.text_units import utf16_length

MAX_CAPTION = 2200
MAX_PHOTO_TITLE = 90
MAX_PHOTO_DESCRIPTION = 4000
COUNTING = "utf16"
STRICT = True
NOTE = (
    "TikTok does not document how it counts; Herald counts strictly "
    "(UTF-16 code units: most emoji count 2)."
)
text_length = utf16_length
