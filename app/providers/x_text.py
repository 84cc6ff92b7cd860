"""X's text rules: twitter-text v3, the library X's own apps count posts with.

A port of twitter-text's JavaScript (github.com/twitter/twitter-text, commit 30e2430):
`parseTweet` (weights, emoji, NFC, invalid characters) and `extractUrlsWithIndices` (URL
detection with its current TLD list, `tld_lists.py`). twitter-text's own conformance files run
against it in tests/conformance/test_twitter_text.py.

  * The text is normalised to NFC first.
  * Every URL counts 23 (`transformedURLLength`), whatever its length: with http(s):// on any
    listed TLD, and without a protocol for ASCII domains (`bit.ly` counts 23; the old rule that a
    bare `name.<ccTLD>` needs a path is gone from current twitter-text).
  * Every emoji counts 2, sequences included: skin tones, ZWJ families, flags, keycaps, tags.
    Sequences are recognised structurally (pictograph + modifiers, joined by ZWJ), so an emoji
    newer than twemoji's list still counts 2.
  * Any other code point counts 1 in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
    U+2032-U+2037 (config v3 `ranges`), 2 everywhere else (CJK, symbols, other planes).
  * U+FFFE, U+FEFF and U+FFFF make a post invalid.

The URL patterns are written once, in the syntax both Python's `regex` module and JavaScript
(flags "iu") read the same way: the browser counter compiles the very same sources
(`js_data()`). One deliberate bound: a domain label is matched up to 500 characters (labels over
63 never make a URL, and a longer unbroken run is over 280 whichever way it is counted), which
keeps detection linear on long pasted text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from app.providers.text_units import utf16_length
from app.providers.tld_lists import TWITTER_TEXT_COUNTRY, TWITTER_TEXT_GENERIC

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")
DEFAULT_PROTOCOL = "https://"
COUNTING = "x"
STRICT = False
NOTE = "X counts 280 the twitter-text way: a link counts 23, an emoji or a CJK character 2."


@dataclass(frozen=True)
class Config:
    """One of twitter-text's `config/v*.json` (weights are scaled by `scale`)."""

    max_weighted_length: int
    scale: int
    default_weight: int
    url_length: int
    emoji_parsing: bool
    ranges: tuple[tuple[int, int, int], ...]


_V2_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))
CONFIG_V1 = Config(140, 1, 1, URL_LENGTH, False, ())
CONFIG_V2 = Config(MAX_WEIGHTED_LENGTH, 100, 200, URL_LENGTH, False, _V2_RANGES)
CONFIG_V3 = Config(MAX_WEIGHTED_LENGTH, 100, 200, URL_LENGTH, True, _V2_RANGES)


# ------------------------------------------------------------------------- URL patterns
# Character classes of twitter-text's regexp/ modules, escaped for both regex dialects (inside a
# class JavaScript's "u" mode accepts only \\ \] \[ \- and \^ as escapes).

SPACES = "\\t-\\r \\x85\\xa0\\u1680\\u180e\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
INVALID = "\\ufffe\\ufeff\\uffff"
DIRECTIONAL = "\\u202a-\\u202e\\u061c\\u200e\\u200f\\u2066\\u2067\\u2068\\u2069"
PUNCT = "!'#%&()*+,\\\\\\-./:;<=>?@\\[\\]\\^_{|}~$"
LATIN_ACCENTS = (
    "\\xc0-\\xd6\\xd8-\\xf6\\xf8-\\xff\\u0100-\\u024f\\u0253\\u0254\\u0256\\u0257\\u0259\\u025b"
    "\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b\\u02bb\\u0300-\\u036f\\u1e00-\\u1eff"
)
CYRILLIC = "\\u0400-\\u04ff"
LABEL_MAX = 500  # see the module docstring
END = "(?![\\s\\S])"  # end of input in both dialects (Python's $ also matches before a final \n)


def trie(words: frozenset[str]) -> str:
    """One alternation for a set of words, factored by prefix and longest first (a flat list of
    1,500 TLDs is tried word by word at every backtracking step; a trie decides by letters)."""
    tree: dict[str, Any] = {}
    if any(ch in "\\^$.|?*+()[]{}-/" for word in words for ch in word):
        raise ValueError("a word of the trie contains regex syntax")
    for word in words:
        node = tree
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [ch + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


def tld_pattern(tlds: frozenset[str]) -> str:
    return f"(?:{trie(tlds)}(?=[^0-9a-z@+\\-]|{END}))"


def balanced_parens(chars: str) -> str:
    """validUrlBalancedParens: (...) with one nested level, of `chars`."""
    return f"\\((?:{chars}+|(?:{chars}*\\({chars}+\\){chars}*))\\)"


@dataclass(frozen=True)
class UrlSyntax:
    """twitter-text's URL grammar, parameterised where Mastodon's copy of it differs."""

    protocol: str
    domain_exclude: str  # what a domain character is not (the inside of a [^...] class)
    punycode: str
    path_chars: str  # validGeneralUrlPathChars
    path_ending: str  # validUrlPathEndingChars: a class, or balanced parentheses of...
    ending_parens_chars: str  # ...these characters
    query_chars: str
    query_ending: str
    at_path: str  # the second branch of validUrlPath

    def domain(self) -> str:
        domain_char = f"[^{self.domain_exclude}]"
        body = f"{{0,{LABEL_MAX - 2}}}"
        subdomain = f"(?:(?:{domain_char}(?:[_\\-]|{domain_char}){body})?{domain_char}\\.)"
        name = f"(?:(?:{domain_char}(?:-|{domain_char}){body})?{domain_char}\\.)"
        tld = f"{tld_pattern(TWITTER_TEXT_GENERIC)}|{tld_pattern(TWITTER_TEXT_COUNTRY)}"
        return f"(?:{subdomain}{{0,126}}{name}(?:{tld}|{self.punycode}))"

    def url(self) -> str:
        gp = self.path_chars
        ending = f"(?:{self.path_ending}|{balanced_parens(self.ending_parens_chars)})"
        path = f"(?:(?:{gp}*(?:{balanced_parens(gp)}{gp}*)*{ending})|{self.at_path})"
        before = f"(?:[^a-z0-9@\\uff20$#\\uff03{INVALID}]|[{DIRECTIONAL}]|^)"
        return (
            f"(?<before>{before})"
            f"(?<url>(?<protocol>{self.protocol})?(?<domain>{self.domain()})(?::[0-9]+)?"
            f"(?<path>/{path}*)?(?:\\?{self.query_chars}*{self.query_ending})?)"
        )


_X_PATH = f"[a-z{CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&{LATIN_ACCENTS}]"
_X_QUERY = "[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]"
_X_QUERY_END = "[a-z0-9\\-_&=#/]"
X_SYNTAX = UrlSyntax(
    protocol="https?://",
    domain_exclude=f"{PUNCT}{SPACES}{INVALID}{DIRECTIONAL}",
    punycode="(?:xn--[\\-0-9a-z]+)",
    path_chars=_X_PATH,
    path_ending=f"[+\\-a-z{CYRILLIC}0-9=_#/{LATIN_ACCENTS}]",
    ending_parens_chars=_X_PATH,
    query_chars=_X_QUERY,
    query_ending=_X_QUERY_END,
    at_path=f"(?:@{_X_PATH}+/)",
)


@cache
def patterns() -> dict[str, str]:
    """Regex sources (case-insensitive) shared with the browser counter."""
    tlds = f"{tld_pattern(TWITTER_TEXT_GENERIC)}|{tld_pattern(TWITTER_TEXT_COUNTRY)}"
    return {
        "url": X_SYNTAX.url(),
        "asciiDomain": f"(?:(?:[\\-a-z0-9{LATIN_ACCENTS}]+)\\.)+(?:{tlds}|(?:xn--[\\-0-9a-z]+))",
        "tco": f"^https?://t\\.co/([a-z0-9]+)(?:\\?{_X_QUERY}*{_X_QUERY_END})?",
    }


@cache
def _compiled() -> dict[str, regex.Pattern[str]]:
    return {k: regex.compile(v, regex.IGNORECASE) for k, v in patterns().items()}


def _punycode_length(label: str) -> int:
    """Length of punycode.js `toASCII(label)` (which also splits on ideographic full stops)."""
    parts = regex.sub("[\u3002\uff0e\uff61]", ".", label).split(".")
    encoded = [p if p.isascii() else "xn--" + p.encode("punycode").decode("ascii") for p in parts]
    return len(".".join(encoded))


def _is_valid_url(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl: idna.toAscii(domain) succeeds and the URL fits 4,096."""
    if domain[:4] == "xn--" and not _compiled()["asciiDomain"].search(domain):
        return False  # a punycode name cannot contain other characters
    if not all(1 <= _punycode_length(label) <= 63 for label in domain.split(".")):
        return False
    return len(protocol) + utf16_length(url) <= MAX_URL_LENGTH


def extract_urls_with_indices(text: str) -> list[tuple[str, int, int]]:
    """(url, start, end) of every URL twitter-text extracts, in code point indices."""
    if not text or "." not in text:
        return []
    compiled = _compiled()
    urls: list[tuple[str, int, int]] = []
    for m in compiled["url"].finditer(text):
        before, url, protocol, domain, path = m.group("before", "url", "protocol", "domain", "path")
        start, end = m.span("url")
        if not _is_valid_url(url, protocol or DEFAULT_PROTOCOL, domain):
            continue
        if protocol:
            slug = compiled["tco"].match(url)
            if slug:  # a t.co link takes no path characters after its slug
                if len(slug.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = slug.group(0)
                end = start + len(url)
            urls.append((url, start, end))
            continue
        if before[-1:] in ("-", "_", ".", "/"):  # invalidUrlWithoutProtocolPrecedingChars
            continue
        offset = m.start("domain")
        found = [
            (a.group(0), offset + a.start(), offset + a.end())
            for a in compiled["asciiDomain"].finditer(domain)
        ]
        if found and path:  # the last ASCII domain takes the path and query along
            last, last_start, _ = found[-1]
            found[-1] = (url.replace(domain, last, 1), last_start, end)
        urls += found
    return urls


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL in `text` (already NFC-normalised)."""
    return [(start, end) for _, start, end in extract_urls_with_indices(text)]


# ------------------------------------------------------------------------- emoji

_ZWJ, _VS16, _KEYCAP = "\u200d", "\ufe0f", "\u20e3"

# Extended_Pictographic in the BMP (above U+203C); supplementary planes are handled by range.
PICTOGRAPHIC_BMP = (
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x2199),
    (0x21A9, 0x21AA),
    (0x231A, 0x231B),
    (0x2328, 0x2328),
    (0x2388, 0x2388),
    (0x23CF, 0x23CF),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25AB),
    (0x25B6, 0x25B6),
    (0x25C0, 0x25C0),
    (0x25FB, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
)


def _is_regional_indicator(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def _is_pictographic(cp: int) -> bool:
    if 0x1F000 <= cp <= 0x1FAFF:
        return not (_is_regional_indicator(cp) or 0x1F3FB <= cp <= 0x1F3FF)
    if 0x1FC00 <= cp <= 0x1FFFD:
        return True
    if cp < 0x203C or cp > 0x3299:
        return False
    return any(lo <= cp <= hi for lo, hi in PICTOGRAPHIC_BMP)


def _emoji_modifiers(text: str, j: int) -> int:
    """Skip variation selector 16, skin tones and tag characters after an emoji base."""
    while j < len(text):
        cp = ord(text[j])
        if cp == 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
            j += 1
        else:
            break
    return j


def emoji_length(text: str, i: int) -> int:
    """Code points in the emoji sequence starting at `i` (0 if none starts there)."""
    n, ch = len(text), text[i]
    cp = ord(ch)
    if _is_regional_indicator(cp):  # a flag is a pair; a lone indicator is an ordinary char
        return 2 if i + 1 < n and _is_regional_indicator(ord(text[i + 1])) else 0
    if ch in "0123456789#*":  # keycaps: 1️⃣ (the selector is optional)
        j = i + 1 + (i + 1 < n and text[i + 1] == _VS16)
        return j + 1 - i if j < n and text[j] == _KEYCAP else 0
    if ch in "\u00a9\u00ae":  # © and ® are emoji only in emoji presentation
        if not (i + 1 < n and text[i + 1] == _VS16):
            return 0
    elif not _is_pictographic(cp):
        return 0
    j = _emoji_modifiers(text, i + 1)
    while j + 1 < n and text[j] == _ZWJ and _is_pictographic(ord(text[j + 1])):
        j = _emoji_modifiers(text, j + 2)
    return j - i


# ------------------------------------------------------------------------- parseTweet


@dataclass(frozen=True)
class ParseResult:
    """twitter-text's parseTweet result; ranges are UTF-16 indices, ends inclusive."""

    weighted_length: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    display_range_start: int
    display_range_end: int


def _char_weight(cp: int, config: Config) -> int:
    for start, end, weight in config.ranges:
        if start <= cp <= end:
            return weight
    return config.default_weight


def parse_tweet(
    text: str, config: Config = CONFIG_V3, *, url_length: int | None = None
) -> ParseResult:
    """The weighted length and validity of `text` as X computes them."""
    normalized = unicodedata.normalize("NFC", text)
    url_weight = (config.url_length if url_length is None else url_length) * config.scale
    urls = {start: end for start, end in url_spans(normalized)}
    limit = config.max_weighted_length * config.scale
    weighted, valid, valid_end, i, u16 = 0, True, 0, 0, 0
    while i < len(normalized):
        step = urls.get(i, i) - i
        if step:
            weighted += url_weight
        elif config.emoji_parsing and (step := emoji_length(normalized, i)):
            weighted += config.default_weight
        else:
            step = 1
            weighted += _char_weight(ord(normalized[i]), config)
        piece = normalized[i : i + step]
        i += step
        u16 += utf16_length(piece)
        valid = valid and piece[-1] not in INVALID_CHARACTERS
        if valid and weighted <= limit:
            valid_end = u16 - 1
    length = weighted // config.scale
    valid = valid and 0 < length <= config.max_weighted_length
    shift = utf16_length(text) - utf16_length(normalized)
    return ParseResult(
        weighted_length=length,
        valid=valid,
        permillage=length * 1000 // config.max_weighted_length,
        valid_range_start=0,
        valid_range_end=max(valid_end, 0) + shift,
        display_range_start=0,
        display_range_end=max(utf16_length(text) - 1, 0),
    )


def weighted_length(text: str, *, url_length: int = URL_LENGTH) -> int:
    """The length of `text` as X counts it against the 280 limit."""
    return parse_tweet(text, url_length=url_length).weighted_length


def invalid_characters(text: str) -> list[str]:
    """Characters X refuses in a post (U+FFFE, U+FEFF, U+FFFF), as U+XXXX strings."""
    return sorted({f"U+{ord(c):04X}" for c in text if c in INVALID_CHARACTERS})


def js_data() -> dict[str, Any]:
    """What the browser counter needs to count like `weighted_length`."""
    return {
        "patterns": patterns(),
        "pictographicBmp": PICTOGRAPHIC_BMP,
        "ranges": [[lo, hi] for lo, hi, _ in _V2_RANGES],
        "maxUrlLength": MAX_URL_LENGTH,
        "maxTcoSlug": MAX_TCO_SLUG_LENGTH,
    }
