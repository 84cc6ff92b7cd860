"""Facebook's text rules (Page posts).

* Limit: 63,206 characters per post message (Mixpost's and Postiz's limit; platform-apis.md §0.2
  [code]). Facebook does not document it.
* Unit: not documented either. Herald takes the strict reading: UTF-16 code units, what the
  JavaScript `length` of Facebook's web composer measures, so an emoji outside the BMP counts 2.
  A post that fits this count fits any other plausible one (code points, graphemes).
"""

from __future__ import annotations

from app.providers.text_units import utf16_length

MAX_TEXT = 63206
COUNTING = "utf16"
STRICT = True
NOTE = (
    "Facebook does not document how it counts; Herald counts strictly "
    "(UTF-16 code units: most emoji count 2)."
)
text_length = utf16_length
