"""Pinterest's text rules (Pins, API v5).

* Limits: `description` 800, `title` 100, `alt_text` 500, `link` 2,048 (the v5 OpenAPI's
  maxLength; platform-apis.md §0.2 [doc]).
* Unit: the OpenAPI gives lengths without a unit. Herald takes the strict reading for every
  field: UTF-16 code units (an emoji outside the BMP counts 2).
"""

from __future__ import annotations

from app.providers.text_units import utf16_length

DESCRIPTION_LIMIT = 800
TITLE_LIMIT = 100
ALT_TEXT_LIMIT = 500
LINK_LIMIT = 2048
COUNTING = "utf16"
STRICT = True
NOTE = (
    "Pinterest does not document how it counts; Herald counts strictly "
    "(UTF-16 code units: most emoji count 2)."
)
text_length = utf16_length
