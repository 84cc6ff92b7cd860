"""Language tags (BCP 47) as Bluesky's PDS accepts them in a post's `langs`.

The PDS refuses anything else with "Invalid language", so Herald checks before saving. Its rule,
checked against the official PDS (tests/realserver/test_bluesky_real.py): the tag is well-formed
(RFC 5646 §2.1), its primary language subtag is 2 or 3 lowercase letters, and no variant or
extension singleton appears twice (§4.1). `en`, `pt-BR`, `zh-Hant-TW`, `es-419`, `x-klingon`,
`i-klingon` pass; `EN`, `english`, `en_US`, `de-1901-1901`, `not a lang` do not.
"""

from __future__ import annotations

import re

_ALNUM = "[A-Za-z0-9]"
_PRIVATE = rf"[xX](?:-{_ALNUM}{{1,8}})+"
_GRANDFATHERED = (
    "en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|"
    "i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish|no-bok|no-nyn|"
    "zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_LANGTAG = (
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"  # language (+ extlang)
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9A-WY-Za-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-{_PRIVATE})?"
)
_TAG = re.compile(
    rf"(?P<other>{_GRANDFATHERED}|{_PRIVATE})|(?P<langtag>{_LANGTAG})",
    re.ASCII,
)
_EXTLANG = re.compile("[A-Za-z]{3}")
_SCRIPT = re.compile("[A-Za-z]{4}")
_REGION = re.compile("[A-Za-z]{2}|[0-9]{3}")
_VARIANT = re.compile(f"{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}")
_SINGLETON = re.compile("[0-9A-WY-Za-wy-z]")
_EXTENSION_PART = re.compile(f"{_ALNUM}{{2,8}}")


def is_language_tag(value: str) -> bool:
    """True when Bluesky's PDS takes `value` as a language of a post."""
    match = _TAG.fullmatch(value)
    if match is None:
        return False
    if match["other"]:  # grandfathered or private use only: nothing more to check
        return True
    subtags = value.split("-")
    return re.fullmatch("[a-z]{2,3}", subtags[0], re.ASCII) is not None and not _repeats(subtags)


def _repeats(subtags: list[str]) -> bool:
    """A variant or an extension singleton given twice (case-insensitively), e.g.
    `de-1901-1901` or `en-a-bbb-a-ccc`. `subtags` is a well-formed tag, split."""
    i = 1
    while i < len(subtags) and i <= 3 and _EXTLANG.fullmatch(subtags[i]):
        i += 1
    for optional in (_SCRIPT, _REGION):
        if i < len(subtags) and optional.fullmatch(subtags[i]):
            i += 1
    seen: set[str] = set()
    while i < len(subtags) and _VARIANT.fullmatch(subtags[i]):
        if subtags[i].lower() in seen:
            return True
        seen.add(subtags[i].lower())
        i += 1
    seen.clear()
    while i < len(subtags) and _SINGLETON.fullmatch(subtags[i]):
        if subtags[i].lower() in seen:
            return True
        seen.add(subtags[i].lower())
        i += 1
        while i < len(subtags) and _EXTENSION_PART.fullmatch(subtags[i]):
            i += 1
    return False
