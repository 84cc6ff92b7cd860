"""Mastodon's text rules: how its StatusLengthValidator counts a status.

Mastodon (app/validators/status_length_validator.rb) counts the content warning followed by the
text in grapheme clusters, after rewriting the entities its formatter will link:

  * URLs, found with twitter-text's Ruby extractor (`extract_url_without_protocol: false`) as
    Mastodon reconfigures it (config/initializers/twitter_regex.rb): a protocol is required
    (http, https, dat, dweb, ipfs, ipns, ssb, gopher, gemini), the URL must start after a
    boundary (a URL glued to a word is plain text), the domain must end in a TLD of
    twitter-text's list (`tld_lists.py`) and pass IDNA (labels of at most 63 characters once
    punycoded, characters assigned in Unicode 3.2), and the whole URL must fit 4,096
    characters. Each counts `characters_reserved_per_url` (23).
  * Mentions (Account::MENTION_RE): `@user@domain` counts as `@user`; a domain longer than 253
    characters makes it plain text (Extractor::MAX_DOMAIN_LENGTH).
  * A blank text counts 0; the content warning is counted as written.

The limit itself (`configuration.statuses.max_characters`) and the URL length are read from the
instance (MastodonProvider.fetch_limits). The patterns are shared with the browser counter
(`js_data()`), written in the syntax Python's `regex` and JavaScript ("iu") read alike.
"""

from __future__ import annotations

import stringprep
from functools import cache
from typing import Any

import regex

from app.providers.text_units import count_graphemes
from app.providers.x_text import DIRECTIONAL, INVALID, LATIN_ACCENTS, UrlSyntax

URL_LENGTH = 23
MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
MAX_DOMAIN_LENGTH = 253
COUNTING = "mastodon"
STRICT = False
NOTE = (
    "Counted as the Mastodon server counts: graphemes, a link as 23, @user@server as @user, "
    "against the server's own limit."
)

# Ruby's Twitter::TwitterText::Regex and Mastodon's overrides of it.
_UNICODE_SPACES = (
    "\\t-\\r \\x85\\xa0\\u1680\\u180e\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
_RUBY_PUNCT = "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]\\^_`{|}~"
_UCHARS = (
    "\\xa0-\\ud7ff\\uf900-\\ufdcf\\ufdf0-\\uffef"
    + "".join(f"{chr(p)}-{chr(p + 0xFFFD)}" for p in range(0x10000, 0xE0000, 0x10000))
    + "\U000e1000-\U000efffd\\ue000-\\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_RUBY_PATH = f"[a-z\\p{{Script=Cyrillic}}0-9!*';:=+,.$/%#\\[\\]\\p{{Pd}}_~&|@{LATIN_ACCENTS}]"
_MASTODON_PATH = "[^\\p{White_Space}<>()?]"
MASTODON_SYNTAX = UrlSyntax(
    protocol="(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://",
    domain_exclude=f"{DIRECTIONAL}{_RUBY_PUNCT}\\x00-\\x1f\\x7f{INVALID}{_UNICODE_SPACES}",
    punycode="(?:xn--[0-9a-z]+)",
    path_chars=_MASTODON_PATH,
    path_ending="[^\\p{White_Space}()?!*\"'\\u300c\\u300d<>;:=,.$%\\[\\]~&|@]",
    # Mastodon redefines the ending characters before the balanced parentheses, so the ending
    # alternative still embeds twitter-text's own (narrower) parentheses.
    ending_parens_chars=_RUBY_PATH,
    query_chars=f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@\\^{_UCHARS}]",
    query_ending=f"[a-z0-9_&=#/\\-{_UCHARS}]",
    at_path=f"(?:{_MASTODON_PATH}+/)",
)
_WORD = "[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]"  # Onigmo's [[:word:]]
_USERNAME = "[a-z0-9_]+(?:[.\\-]+[a-z0-9_]+)*"


@cache
def patterns() -> dict[str, str]:
    """Regex sources (case-insensitive) shared with the browser counter."""
    return {
        "url": MASTODON_SYNTAX.url(),
        "tco": "^https?://t\\.co/([a-z0-9]+)",
        "mention": f"(?<![=/]|{_WORD})@((?:{_USERNAME})(?:@{_WORD}+(?:[.\\-]+{_WORD}+)*)?)",
        "endMention": f"(?:[@\\uff20]|[{LATIN_ACCENTS}]+|://)",  # matched where a mention ends
        "blank": "^\\p{White_Space}*(?![\\s\\S])",
    }


@cache
def _compiled() -> dict[str, regex.Pattern[str]]:
    return {k: regex.compile(v, regex.IGNORECASE) for k, v in patterns().items()}


def _unassigned_in_unicode_3_2(text: str) -> bool:
    return any(stringprep.in_table_a1(ch) for ch in text)


def _is_valid_domain(url: str, domain: str) -> bool:
    """twitter-text's Ruby is_valid_domain: libidn's ToASCII succeeds and the URL, with the
    domain punycoded, fits 4,096 characters."""
    if _unassigned_in_unicode_3_2(domain):
        return False
    try:
        encoded = domain.encode("idna")
    except UnicodeError:
        return False
    return len(url) + max(0, len(encoded) - len(domain)) <= MAX_URL_LENGTH


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the URLs Mastodon gives the fixed length to."""
    if ":" not in text:
        return []
    compiled = _compiled()
    spans = []
    for m in compiled["url"].finditer(text):
        if not m.group("protocol"):
            continue
        url, (start, end) = m.group("url"), m.span("url")
        slug = compiled["tco"].match(url)
        if slug:
            if len(slug.group(1)) > MAX_TCO_SLUG_LENGTH:
                continue
            url = slug.group(0)
            end = start + len(url)
        if _is_valid_domain(url, m.group("domain")):
            spans.append((start, end))
    return spans


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, username) of the mentions Mastodon counts as `@username`."""
    if "@" not in text and "\uff20" not in text:
        return []
    compiled = _compiled()
    found = []
    for m in compiled["mention"].finditer(text):
        if compiled["endMention"].match(text, m.end()):
            continue
        username, _, domain = m.group(1).partition("@")
        if len(domain) > MAX_DOMAIN_LENGTH:
            continue
        found.append((m.start(1) - 1, m.end(1), username))
    return found


def countable_text(text: str, url_length: int = URL_LENGTH) -> str:
    """The text with each URL as `url_length` x's and each remote mention as @user."""
    if _compiled()["blank"].match(text):
        return ""
    entities = [(s, e, "x" * url_length) for s, e in url_spans(text)]
    entities += [(s, e, "@" + user) for s, e, user in mention_spans(text)]
    out, pos = [], 0
    for start, end, replacement in sorted(entities):
        if start < pos:  # overlapping: the earlier entity wins
            continue
        out += [text[pos:start], replacement]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def count_status_length(text: str, url_length: int = URL_LENGTH, spoiler_text: str = "") -> int:
    """Length of a status (content warning + text) the way Mastodon's validator counts it."""
    return count_graphemes(spoiler_text + countable_text(text, url_length))


@cache
def _unassigned_ranges() -> list[list[int]]:
    ranges: list[list[int]] = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF or not stringprep.in_table_a1(chr(cp)):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def js_data() -> dict[str, Any]:
    """What the browser counter needs to count like `count_status_length`."""
    return {
        "patterns": patterns(),
        "unassigned": _unassigned_ranges(),
        "maxUrlLength": MAX_URL_LENGTH,
        "maxTcoSlug": MAX_TCO_SLUG_LENGTH,
        "maxDomainLength": MAX_DOMAIN_LENGTH,
    }
