"""LinkedIn's text rules (the `commentary` of a post).

* Limit: 3,000 characters (platform-apis.md §0.2 [2nd, code]; LinkedIn's Posts API names no
  number).
* Unit: not documented. Herald takes the strict reading: UTF-16 code units of the text as the
  member wrote it (an emoji outside the BMP counts 2), before the "little text" escaping that
  app/providers/linkedin.py adds for the API.
"""

from __future__ import annotations

from app.providers.text_units import utf16_length

MAX_TEXT = 3000
COUNTING = "utf16"
STRICT = True
NOTE = (
    "LinkedIn does not document how it counts; Herald counts strictly "
    "(UTF-16 code units: most emoji count 2)."
)
text_length = utf16_length
