"""Bluesky's text rules: length limits and rich-text facets, as the Bluesky app makes them.

* Length: `app.bsky.feed.post#text` allows 300 graphemes (extended grapheme clusters,
  `count_graphemes`) and 3,000 UTF-8 bytes (lexicon `maxGraphemes` / `maxLength`).
* Facets: a port of `detectFacets` of `@atproto/api` (packages/api/src/rich-text/detection.ts
  and util.ts in github.com/bluesky-social/atproto), which the official app runs on every post:
  mentions, links (bare domains on a known TLD included, linked as https://), #hashtags and
  $cashtags, with byte ranges in UTF-8. Its regular expressions are JavaScript's; the classes
  JavaScript defines differently from Python (`\\s`, `\\S`, `\\d`, `\\b`, `^` in multiline mode)
  are spelled out below so they mean what they mean there. Mentions the PDS cannot resolve are
  dropped, as the app drops them. atproto's own test cases run in
  tests/conformance/test_atproto_rich_text.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

from app.providers.text_units import count_graphemes
from app.providers.tld_lists import ATPROTO_TLDS

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_TAG_GRAPHEMES = 64
FACET = "app.bsky.richtext.facet"
COUNTING = "graphemes"
STRICT = False
NOTE = "Bluesky counts 300 graphemes (an emoji or an accented letter is 1) and 3,000 bytes."

# JavaScript's \s (WhiteSpace and LineTerminator) and the line starts of its "m" flag.
JS_SPACE_CHARS = (
    "\t\n\x0b\x0c\r \xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
JS_SPACE = regex.escape(JS_SPACE_CHARS)
_S = f"[{JS_SPACE}]"
_NOT_S = f"[^{JS_SPACE}]"
_LINE_START = "(?:^|(?<=[\\n\\r\\u2028\\u2029]))"
_ZERO_WIDTH = "\\u00ad\\u2060\\u200a\\u200b\\u200c\\u200d\\u20e2"

MENTION_RE = regex.compile(
    f"(^|{_S}|\\()(@)([a-zA-Z0-9.\\-]+)(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|"
    f"(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))"
)
URL_RE = regex.compile(
    f"({_LINE_START}|{_S}|\\()(([hH][tT][tT][pP][sS]?://{_NOT_S}+)|"
    f"((?P<domain>[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z0-9]+)+){_NOT_S}*))"
)
TAG_RE = regex.compile(
    f"(^|{_S})[#\\uff03]((?!\\ufe0f)[^{JS_SPACE}{_ZERO_WIDTH}]*"
    f"[^0-9{JS_SPACE}\\p{{P}}{_ZERO_WIDTH}]+[^{JS_SPACE}{_ZERO_WIDTH}]*)?"
)
TRAILING_PUNCTUATION_RE = regex.compile("\\p{P}+$")
CASHTAG_RE = regex.compile(
    f"(^|{_S}|\\()\\$([A-Za-z][A-Za-z0-9]{{0,4}})(?={_S}|(?![\\s\\S])|[.,;:!?)\"'\\u2019])"
)

Resolver = Callable[[str], str | None]


def text_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _utf8(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def is_valid_domain(name: str) -> bool:
    """atproto's isValidDomain: the name ends with "." + a TLD of the list (case as typed)."""
    return "." in name and name.rsplit(".", 1)[1] in ATPROTO_TLDS


def _facet(text: str, start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    index = {"byteStart": _utf8(text, start), "byteEnd": _utf8(text, end)}
    return {"index": index, "features": [feature]}


def detect_facets(text: str) -> list[dict[str, Any]]:
    """atproto's detectFacets: every facet, mentions carrying the handle in `did` (unresolved),
    sorted by byteStart."""
    facets: list[dict[str, Any]] = []
    for m in MENTION_RE.finditer(text):
        handle = m.group(3)
        if not is_valid_domain(handle) and not handle.endswith(".test"):
            continue  # probably not a handle
        feature = {"$type": f"{FACET}#mention", "did": handle}
        facets.append(_facet(text, m.start(3) - 1, m.end(3), feature))
    for m in URL_RE.finditer(text):
        uri, start = m.group(2), m.start(2)
        if not uri.startswith("http"):  # (an upper-case HTTPS:// link is not linked either)
            if not m.group("domain") or not is_valid_domain(m.group("domain")):
                continue
            uri = "https://" + uri
        end = m.end(2)
        if uri[-1] in ".,;:!?":  # one trailing punctuation mark is not part of the link
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        facets.append(_facet(text, start, end, {"$type": f"{FACET}#link", "uri": uri}))
    for m in TAG_RE.finditer(text):
        tag = m.group(2)
        if not tag:
            continue
        tag = TRAILING_PUNCTUATION_RE.sub("", tag.strip(JS_SPACE_CHARS))
        if not tag or count_graphemes(tag) > MAX_TAG_GRAPHEMES:
            continue
        start = m.start() + len(m.group(1))
        facets.append(
            _facet(text, start, start + 1 + len(tag), {"$type": f"{FACET}#tag", "tag": tag})
        )
    for m in CASHTAG_RE.finditer(text):
        ticker = m.group(2).upper()
        start = m.start() + len(m.group(1))
        feature = {"$type": f"{FACET}#tag", "tag": "$" + ticker}
        facets.append(_facet(text, start, start + 1 + len(ticker), feature))
    return sorted(facets, key=lambda f: f["index"]["byteStart"])


def build_facets(text: str, resolve: Resolver | None = None) -> list[dict[str, Any]]:
    """The facets the Bluesky app would attach to `text`: links, tags and cashtags, and mentions
    whose handle `resolve(handle) -> did | None` resolves (without a resolver, no mentions)."""
    facets = []
    for facet in detect_facets(text):
        feature = facet["features"][0]
        if feature["$type"] == f"{FACET}#mention":
            did = resolve(feature["did"]) if resolve is not None else None
            if not did:
                continue
            feature["did"] = did
        facets.append(facet)
    return facets
