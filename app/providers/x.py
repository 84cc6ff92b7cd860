"""X (formerly Twitter), API v2 (platform-apis.md §1; OpenAPI in /work/shared/specs/x).

OAuth 2.0 Authorization Code with PKCE. Access tokens live two hours; the refresh token (granted
with `offline.access`) is single use: every refresh returns a new one and the old one stops
working, so a refresh must be persisted at once and never run twice for the same token.

X has no idempotency key: a `POST /2/tweets` that timed out may still have created the post.
`find_recent` reads the account's own timeline so the caller can decide before retrying; it needs
the numeric user id, which `account_info` stores in `token.extra["user_id"]` and which is
otherwise looked up once per access token with `GET /2/users/me` (cached in the provider).

Text is measured the way X measures it (twitter-text v3 rules, see `weighted_length`).
Images go up in one request; videos (and GIFs over 5 MB) go through the chunked
initialize/append/finalize flow, streamed 1 MiB at a time, then X processes them. If processing
takes longer than `media_wait_s`, `publish` returns a pending result that `check_status` (read
only) and `finalize` complete.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from app.providers.base import (
    AccountInfo,
    AuthError,
    Capabilities,
    Limits,
    MediaItem,
    Metrics,
    PermanentError,
    Provider,
    ProviderError,
    PublishRequest,
    PublishResult,
    RateLimited,
    RecentPost,
    StatusResult,
    TokenSet,
    TransientError,
    s256_challenge,
)

DEFAULT_API_BASE = "https://api.x.com"
DEFAULT_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
DEFAULT_WEB_BASE = "https://x.com"
DEFAULT_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
TOKEN_TTL_S = 7200  # when the token response has no expires_in
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")
OPTIONS = ("thread", "reply_settings", "in_reply_to_tweet_id", "quote_tweet_id")
ID_RE = re.compile(r"[0-9]{1,19}")
MIB = 1024 * 1024
MB = 1000 * 1000
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
ONE_SHOT_GIF_LIMIT = 5 * MB  # larger GIFs use the chunked upload
ALT_TEXT_LIMIT = 1000
DUPLICATE_TEXT = "duplicate content"
GENERIC_INVALID = "One or more parameters to your request was invalid."

# ------------------------------------------------------------------------- text (twitter-text)
#
# twitter-text v3 ("weighted") counting, as X validates a post:
#   * the text is normalised to NFC first;
#   * every URL counts as 23, whatever its length (extracted the way twitter-text extracts them:
#     with http(s):// and a known TLD, or without a protocol for ASCII domains, where a bare
#     "name.<ccTLD>" only counts when a path follows, except .co and .tv);
#   * every emoji counts 2, including sequences: skin tones, ZWJ families, flags, keycaps, tags;
#   * any other code point counts 1 in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
#     U+2032-U+2037 (Latin, Latin-1, Greek, Cyrillic, Hebrew, Arabic, Indic... and general
#     punctuation), and 2 everywhere else (CJK, symbols, other planes).
# Emoji sequences are recognised structurally (pictograph + modifiers, joined by ZWJ), not from
# the Unicode list of recommended sequences, so an unusual ZWJ combination still counts 2.

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")
_ZWJ, _VS16, _KEYCAP = "\u200d", "\ufe0f", "\u20e3"

# Extended_Pictographic in the BMP (above U+203C); supplementary planes are handled by range.
_PICTOGRAPHIC_BMP = (
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


def _char_weight(cp: int) -> int:
    if cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037:
        return 1
    return 2


def _is_regional_indicator(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def _is_pictographic(cp: int) -> bool:
    if 0x1F000 <= cp <= 0x1FAFF:
        return not (_is_regional_indicator(cp) or 0x1F3FB <= cp <= 0x1F3FF)
    if 0x1FC00 <= cp <= 0x1FFFD:
        return True
    if cp < 0x203C or cp > 0x3299:
        return False
    return any(lo <= cp <= hi for lo, hi in _PICTOGRAPHIC_BMP)


def _emoji_modifiers(text: str, j: int) -> int:
    """Skip variation selector 16, skin tones and tag characters after an emoji base."""
    while j < len(text):
        cp = ord(text[j])
        if cp == 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
            j += 1
        else:
            break
    return j


def _emoji_length(text: str, i: int) -> int:
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


# URL extraction, after twitter-text's extractUrlsWithIndices (regexp module of twitter-text).
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_INVALID = "\ufffe\ufeff\uffff"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"


def _trie(words: frozenset[str]) -> str:
    """One regex for a set of words, factored by prefix (a flat alternation of ~1,400 TLDs
    is tried word by word at every backtracking step; a trie is decided by the first letters)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


def _tld_group(tlds: frozenset[str], follow: str = "0-9a-z@+-") -> str:
    return f"(?:{_trie(tlds)}(?=[^{follow}]|$))"


def _build_url_patterns() -> tuple[re.Pattern[str], ...]:
    domain_char = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    # Labels longer than 63 characters never pass the validity check and a name has at most
    # 127 labels, so both repetitions are bounded: that keeps long dotted runs linear.
    subdomain = f"(?:(?:{domain_char}(?:[_-]|{domain_char}){{0,61}})?{domain_char}\\.)"
    domain_name = f"(?:(?:{domain_char}(?:-|{domain_char}){{0,61}})?{domain_char}\\.)"
    gtld, cctld = _tld_group(GENERIC_TLDS), _tld_group(COUNTRY_TLDS)
    punycode = "(?:xn--[-0-9a-z]+)"
    special_cctld = "(?:(?:co|tv)(?=[^0-9a-z@]|$))"
    domain = f"(?:{subdomain}{{0,126}}{domain_name}(?:{gtld}|{cctld}|{punycode}))"
    path_char = f"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~&|@{_LATIN_ACCENTS}]"
    balanced = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    path_end = f"(?:[+\\-a-z\u0400-\u04ff0-9=_#/{_LATIN_ACCENTS}]|{balanced})"
    path = f"(?:(?:{path_char}*(?:{balanced}{path_char}*)*{path_end})|(?:@{path_char}+/))"
    query_char = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_end = r"[a-z0-9\-_&=#/]"
    before = f"(?:[^a-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
    url = re.compile(
        f"(?P<before>{before})"
        f"(?P<url>(?P<protocol>https?://)?(?P<domain>{domain})(?::[0-9]+)?"
        f"(?P<path>/{path}*)?(?:\\?{query_char}*{query_end})?)",
        re.IGNORECASE,
    )
    ascii_domain = re.compile(
        f"(?:(?:[-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{gtld}|{cctld}|{punycode})", re.IGNORECASE
    )
    short = re.compile(f"{domain_name}{cctld}", re.IGNORECASE)
    special_short = re.compile(f"{domain_name}{special_cctld}", re.IGNORECASE)
    tco = re.compile(f"https?://t\\.co/([a-z0-9]+)(?:\\?{query_char}*{query_end})?", re.IGNORECASE)
    return url, ascii_domain, short, special_short, tco


_url_patterns: tuple[re.Pattern[str], ...] | None = None
_url_lock = threading.Lock()


def _patterns() -> tuple[re.Pattern[str], ...]:
    global _url_patterns
    if _url_patterns is None:
        with _url_lock:
            if _url_patterns is None:
                _url_patterns = _build_url_patterns()
    return _url_patterns


def _domain_is_valid(domain: str) -> bool:
    """twitter-text's idna.toAscii check: every label 1-63 characters once punycode-encoded."""
    for label in domain.split("."):
        try:
            encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode()
        except UnicodeError:
            return False
        if not 1 <= len(encoded) <= 63:
            return False
    return True


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL twitter-text finds in `text` (already NFC-normalised)."""
    if "." not in text:
        return []
    url_re, ascii_domain, short, special_short, tco = _patterns()
    spans: list[tuple[int, int]] = []
    for m in url_re.finditer(text):
        url, protocol, domain, path = m.group("url", "protocol", "domain", "path")
        start, end = m.start("url"), m.end("url")
        if len(protocol or "https://") + len(url) > MAX_URL_LENGTH or not _domain_is_valid(domain):
            continue
        if not protocol:
            if m.group("before")[-1:] in ("-", "_", ".", "/"):
                continue
            found: list[list[int]] = []
            offset = m.start("domain")
            for am in ascii_domain.finditer(domain):
                piece = am.group(0)
                found.append([offset + am.start(), offset + am.end()])
                if path or special_short.fullmatch(piece) or not short.fullmatch(piece):
                    spans.append((found[-1][0], found[-1][1]))
            if found and path:
                spans[-1] = (found[-1][0], end)
            continue
        slug = tco.match(url)
        if slug:
            if len(slug.group(1)) > MAX_TCO_SLUG_LENGTH:
                continue
            end = start + slug.end()
        spans.append((start, end))
    return spans


def weighted_length(text: str, *, url_length: int = URL_LENGTH) -> int:
    """The length of `text` as X counts it against the 280 limit (twitter-text v3)."""
    text = unicodedata.normalize("NFC", text)
    urls = dict(url_spans(text))
    total, i, n = 0, 0, len(text)
    while i < n:
        if i in urls:
            total += url_length
            i = urls[i]
            continue
        emoji = _emoji_length(text, i)
        if emoji:
            total += 2
            i += emoji
            continue
        total += _char_weight(ord(text[i]))
        i += 1
    return total


def invalid_characters(text: str) -> list[str]:
    """Characters X refuses in a post (U+FFFE, U+FEFF, U+FFFF), as U+XXXX strings."""
    return sorted({f"U+{ord(c):04X}" for c in text if c in INVALID_CHARACTERS})


# ------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class XLimits(Limits):
    """Limits whose `max_bytes` may also be keyed by exact MIME type (X: GIF 15 MB, image 5 MB)."""

    def max_size_for(self, mime: str) -> int | None:
        exact = self.max_bytes.get(mime)
        return exact if exact is not None else super().max_size_for(mime)


DEFAULT_LIMITS = XLimits(
    max_text_length=MAX_WEIGHTED_LENGTH,
    max_media=4,
    media_types=frozenset(IMAGE_TYPES + VIDEO_TYPES),
    max_bytes={"image": 5 * MB, "image/gif": 15 * MB, "video": 512 * MB},
    counter=weighted_length,
)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _rfc3339(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(value: str | None) -> datetime | None:
    if value is None or not value.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(value.strip()), UTC)


# ------------------------------------------------------------------------- provider


class XProvider(Provider):
    id = "x"
    display_name = "X"
    capabilities = Capabilities(
        images=True,
        video=True,
        threads=True,
        refresh_tokens=True,
        tokens_expire=True,
        pkce=True,
        pending_publish=True,
        find_recent=True,
        post_metrics=True,
        account_metrics=True,
    )
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS

    def __init__(
        self,
        *,
        api_base: str | None = None,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout | float | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        auth_base: str = DEFAULT_AUTHORIZE_URL,
        web_base: str = DEFAULT_WEB_BASE,
        scopes: str = DEFAULT_SCOPES,
        media_wait_s: float = 30.0,
        media_poll_s: float = 1.0,
        chunk_size: int = MIB,
        limits: Limits | None = None,
        **config: Any,
    ) -> None:
        super().__init__(api_base=api_base, client=client, timeout=timeout, **config)
        self.client_id = client_id
        # None = a public client (client_id in the body); set = confidential (HTTP Basic).
        self.client_secret = client_secret
        auth_base = auth_base.rstrip("/")
        if not auth_base.endswith("/i/oauth2/authorize"):
            auth_base += "/i/oauth2/authorize"
        self.authorize_endpoint = auth_base
        self.web_base = web_base.rstrip("/")
        self.scopes = scopes
        # How long publish() waits for media processing before returning a pending result, and
        # the shortest pause between two STATUS polls (X's check_after_secs wins when longer).
        self.media_wait_s = media_wait_s
        self.media_poll_s = media_poll_s
        self.chunk_size = chunk_size
        if limits is not None:
            self.limits = limits
        self._me: OrderedDict[str, tuple[str, str]] = OrderedDict()  # token digest → (id, name)
        self._me_lock = threading.Lock()

    # ------------------------------------------------------------------ OAuth

    def _require_client(self) -> str:
        if not self.client_id:
            raise PermanentError("No X app (client id) is configured")
        return self.client_id

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_verifier: str | None = None
    ) -> str:
        if not code_verifier:
            raise PermanentError("X requires PKCE: pass a code_verifier")
        params = {
            "response_type": "code",
            "client_id": self._require_client(),
            "redirect_uri": redirect_uri,
            "scope": self.scopes,
            "state": state,
            "code_challenge": s256_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        return f"{self.authorize_endpoint}?{urlencode(params, quote_via=quote)}"

    def _token_call(
        self, data: dict[str, str], *, refreshing: bool = False, path: str = "/2/oauth2/token"
    ) -> dict[str, Any]:
        """POST to the token (or revoke) endpoint with the client's authentication."""
        client_id = self._require_client()
        headers: dict[str, str] = {}
        if self.client_secret:
            raw = f"{client_id}:{self.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
        else:
            data = {**data, "client_id": client_id}
        try:
            return self._request("POST", path, data=data, headers=headers).json()
        except AuthError as exc:
            # 401 from the token endpoint is about Herald's app credentials, not the user.
            raise PermanentError(
                f"X rejected Herald's app credentials: {exc.message}",
                status=exc.status,
                code=exc.code,
            ) from exc
        except PermanentError as exc:
            if refreshing and exc.status == 400:
                # invalid_request "Value passed for the token was invalid." / invalid_grant:
                # the refresh token was used, revoked or expired; only a reconnect helps.
                raise AuthError(
                    exc.message, refresh_may_help=False, status=400, code=exc.code
                ) from exc
            raise

    def _token_set(self, body: dict[str, Any], previous: TokenSet | None = None) -> TokenSet:
        if not body.get("access_token"):
            raise TransientError("X answered the token request without a token", sent=True)
        try:
            ttl = float(body.get("expires_in", TOKEN_TTL_S))
        except (TypeError, ValueError):
            ttl = TOKEN_TTL_S
        extra = dict(previous.extra) if previous else {}
        extra["token_type"] = body.get("token_type", "bearer")
        return TokenSet(
            access_token=body["access_token"],
            # Rotation: keep the old refresh token only if X did not send a new one.
            refresh_token=body.get("refresh_token")
            or (previous.refresh_token if previous else None),
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
            scope=body.get("scope") or (previous.scope if previous else ""),
            extra=extra,
        )

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        if not code_verifier:
            raise PermanentError("X requires PKCE: pass the code_verifier of the authorize URL")
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token_set(self._token_call(data, refreshing=False))

    def refresh(self, token: TokenSet) -> TokenSet:
        """Rotate: the returned set holds a new refresh token; the old one no longer works."""
        if not token.refresh_token:
            raise AuthError(
                "This X connection has no refresh token (offline.access was not granted); "
                "reconnect the account",
                refresh_may_help=False,
            )
        data = {"grant_type": "refresh_token", "refresh_token": token.refresh_token}
        return self._token_set(self._token_call(data, refreshing=True), previous=token)

    def revoke(self, token: TokenSet) -> None:
        pairs = [(token.refresh_token, "refresh_token"), (token.access_token, "access_token")]
        for value, hint in pairs:
            if value:
                data = {"token": value, "token_type_hint": hint}
                self._token_call(data, path="/2/oauth2/revoke")

    # ------------------------------------------------------------------ account

    def _users_me(self, token: TokenSet, fields: str) -> dict[str, Any]:
        body = self._request(
            "GET", "/2/users/me", token=token, params={"user.fields": fields}
        ).json()
        user = body.get("data")
        if not isinstance(user, dict) or "id" not in user:
            raise PermanentError(_message(body) or "X did not return the account")
        self._remember(token, str(user["id"]), str(user.get("username") or ""))
        return user

    def _digest(self, token: TokenSet) -> str:
        return hashlib.sha256(token.access_token.encode()).hexdigest()

    def _remember(self, token: TokenSet, user_id: str, username: str) -> None:
        token.extra["user_id"] = user_id
        if username:
            token.extra["username"] = username
        with self._me_lock:
            self._me[self._digest(token)] = (user_id, username)
            self._me.move_to_end(self._digest(token))
            while len(self._me) > 4096:
                self._me.popitem(last=False)

    def _identity(self, token: TokenSet) -> tuple[str, str]:
        """(user id, username) of the token's account: token.extra, the cache, or users/me."""
        if token.extra.get("user_id"):
            return str(token.extra["user_id"]), str(token.extra.get("username") or "")
        with self._me_lock:
            known = self._me.get(self._digest(token))
        if known:
            return known
        user = self._users_me(token, "username")
        return str(user["id"]), str(user.get("username") or "")

    def account_info(self, token: TokenSet) -> AccountInfo:
        """Also records the user id and username in `token.extra` (find_recent uses them)."""
        user = self._users_me(token, "profile_image_url,public_metrics")
        username = str(user.get("username") or "")
        return AccountInfo(
            platform_account_id=str(user["id"]),
            name=user.get("name") or username,
            username=username,
            avatar_url=user.get("profile_image_url"),
            metadata={
                "user_id": str(user["id"]),
                "username": username,
                "url": f"{self.web_base}/{username}" if username else None,
                "public_metrics": user.get("public_metrics") or {},
            },
        )

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        limits = self.limits
        errors: list[str] = []
        opts = request.options
        errors += [f"Unknown X option '{k}'." for k in opts if k not in OPTIONS]
        if "reply_settings" in opts and opts["reply_settings"] not in REPLY_SETTINGS:
            errors.append(f"Reply settings must be one of: {', '.join(REPLY_SETTINGS)}.")
        for name in ("in_reply_to_tweet_id", "quote_tweet_id"):
            if name in opts and not (isinstance(opts[name], str) and ID_RE.fullmatch(opts[name])):
                errors.append(f"'{name}' must be a post id (digits).")
        thread = opts.get("thread", [])
        if not isinstance(thread, list) or not all(isinstance(t, str) for t in thread):
            errors.append("'thread' must be a list of texts.")
            thread = []
        if not request.text.strip() and not request.media:
            errors.append("An X post needs text or at least one attachment.")
        for i, text in enumerate([request.text, *thread]):
            where = "The post" if i == 0 else f"Thread part {i + 1}"
            if i and not text.strip():
                errors.append(f"{where} is empty.")
            n = limits.count_text(text)
            if n > limits.max_text_length:
                errors.append(
                    f"{where} is {n} characters as X counts them; the limit is "
                    f"{limits.max_text_length} (a link counts as 23, an emoji or a CJK "
                    "character as 2)."
                )
            bad = invalid_characters(text)
            if bad:
                errors.append(f"{where} contains characters X refuses: {', '.join(bad)}.")
        errors += self._validate_media(request.media, limits)
        return errors

    @staticmethod
    def _validate_media(media: list[MediaItem], limits: Limits) -> list[str]:
        errors: list[str] = []
        if len(media) > limits.max_media:
            errors.append(f"At most {limits.max_media} images per post on X.")
        if len(media) > 1 and any(m.kind == "video" or m.mime == "image/gif" for m in media):
            errors.append("A GIF or a video must be the only attachment of an X post.")
        for m in media:
            if limits.media_types and m.mime not in limits.media_types:
                errors.append(f"{m.filename}: file type {m.mime} is not accepted by X.")
                continue
            cap = limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(f"{m.filename} is {m.size} bytes; X accepts at most {cap} bytes.")
            if m.alt_text and len(m.alt_text) > ALT_TEXT_LIMIT:
                errors.append(f"{m.filename}: alt text is limited to {ALT_TEXT_LIMIT} characters.")
        return errors

    # ------------------------------------------------------------------ publishing

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        parts = self._parts(request)
        pending: dict[str, Any] = {
            "stage": "media_processing",
            "parts": parts,
            "options": {k: v for k, v in request.options.items() if k != "thread"},
            "media_ids": [],
        }
        try:
            due: dict[str, float] = {}  # media id → when X said to check it again (monotonic)
            for item in request.media:
                media_id, check_after = self._upload(token, item)
                pending["media_ids"].append(media_id)
                if check_after is not None:
                    due[media_id] = time.monotonic() + check_after
            deadline = time.monotonic() + self.media_wait_s
            while due:
                now = time.monotonic()
                wake = max(min(due.values()), now + self.media_poll_s)
                if wake > deadline:
                    break
                time.sleep(wake - now)
                for media_id in [m for m, at in due.items() if at <= time.monotonic()]:
                    state, info = self._media_status(token, media_id)
                    if state == "failed":
                        raise PermanentError(
                            f"X could not process the media: {_processing_error(info)}",
                            code="media-processing-failed",
                        )
                    if state == "ready":
                        del due[media_id]
                    else:
                        due[media_id] = time.monotonic() + _check_after(info)
        except TransientError as exc:
            # Media steps never create a post, so a retry cannot duplicate anything.
            exc.sent = False
            raise
        if due:
            return PublishResult(state="pending", pending_state=pending)
        return self._post_tweets(token, pending)

    @staticmethod
    def _parts(request: PublishRequest) -> list[str]:
        thread = request.options.get("thread") or []
        if not isinstance(thread, list) or not all(isinstance(t, str) for t in thread):
            raise PermanentError("'thread' must be a list of texts")
        return [request.text, *thread]

    def _upload(self, token: TokenSet, item: MediaItem) -> tuple[str, float | None]:
        """Upload one file → (media id, seconds to wait before STATUS, or None when ready)."""
        if item.kind == "image" and not (
            item.mime == "image/gif" and item.size > ONE_SHOT_GIF_LIMIT
        ):
            category = "tweet_gif" if item.mime == "image/gif" else "tweet_image"
            with item.open() as fh:
                body = self._request(
                    "POST",
                    "/2/media/upload",
                    token=token,
                    files={"media": (item.filename, fh, item.mime)},
                    data={"media_category": category},
                ).json()
        else:
            body = self._upload_chunked(token, item)
        data = body.get("data") or {}
        if not data.get("id"):
            raise PermanentError(_message(body) or "X did not accept the upload")
        media_id = str(data["id"])
        if item.alt_text:
            self._request(
                "POST",
                "/2/media/metadata",
                token=token,
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
            )
        info = data.get("processing_info")
        if not info or info.get("state") == "succeeded":
            return media_id, None
        if info.get("state") == "failed":
            raise PermanentError(
                f"X could not process the media: {_processing_error(info)}",
                code="media-processing-failed",
            )
        return media_id, _check_after(info)

    def _upload_chunked(self, token: TokenSet, item: MediaItem) -> dict[str, Any]:
        """initialize → append (chunk_size pieces, streamed) → finalize."""
        category = "tweet_gif" if item.mime == "image/gif" else "tweet_video"
        init = self._request(
            "POST",
            "/2/media/upload/initialize",
            token=token,
            json={"media_type": item.mime, "total_bytes": item.size, "media_category": category},
        ).json()
        media_id = str((init.get("data") or {}).get("id") or "")
        if not media_id:
            raise PermanentError(_message(init) or "X did not start the upload")
        with item.open() as fh:
            index = 0
            while True:
                chunk = fh.read(self.chunk_size)
                if not chunk:
                    break
                self._request(
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    token=token,
                    files={"media": (item.filename, chunk, "application/octet-stream")},
                    data={"segment_index": str(index)},
                )
                index += 1
        return self._request("POST", f"/2/media/upload/{media_id}/finalize", token=token).json()

    def _media_status(self, token: TokenSet, media_id: str) -> tuple[str, dict[str, Any]]:
        """'ready', 'processing' or 'failed', with X's processing_info."""
        body = self._request(
            "GET",
            "/2/media/upload",
            token=token,
            params={"command": "STATUS", "media_id": media_id},
        ).json()
        info = (body.get("data") or {}).get("processing_info") or {}
        state = info.get("state")
        if state == "failed":
            return "failed", info
        if state in ("pending", "in_progress"):
            return "processing", info
        return "ready", info

    def _post_tweets(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        opts = pending["options"]
        _, username = self._identity_for_links(token)
        ids: list[str] = []
        urls: list[str] = []
        reply_to = opts.get("in_reply_to_tweet_id")
        for i, text in enumerate(pending["parts"]):
            body: dict[str, Any] = {"text": text}
            if i == 0 and pending["media_ids"]:
                body["media"] = {"media_ids": list(pending["media_ids"])}
            if i == 0 and opts.get("quote_tweet_id"):
                body["quote_tweet_id"] = opts["quote_tweet_id"]
            if reply_to:
                body["reply"] = {"in_reply_to_tweet_id": reply_to}
            if opts.get("reply_settings"):
                body["reply_settings"] = opts["reply_settings"]
            try:
                response = self._request("POST", "/2/tweets", token=token, json=body).json()
                data = response.get("data") or {}
                if not data.get("id"):
                    raise PermanentError(_message(response) or "X did not create the post")
            except ProviderError as exc:
                exc.details.update(published_ids=list(ids), failed_part=i)
                raise
            ids.append(str(data["id"]))
            urls.append(self._permalink(ids[-1], username))
            reply_to = ids[-1]
        return PublishResult(
            state="published",
            platform_post_id=ids[0],
            permalink=urls[0],
            extra={"thread_ids": ids, "thread_urls": urls},
        )

    def _identity_for_links(self, token: TokenSet) -> tuple[str | None, str]:
        """The username for permalinks if already known; never an extra request for it."""
        if token.extra.get("username"):
            return token.extra.get("user_id"), str(token.extra["username"])
        with self._me_lock:
            known = self._me.get(self._digest(token))
        return (known[0], known[1]) if known else (None, "")

    def _permalink(self, post_id: str, username: str) -> str:
        return f"{self.web_base}/{username or 'i/web'}/status/{post_id}"

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        waits: list[float] = []
        for media_id in pending_state.get("media_ids", []):
            try:
                state, info = self._media_status(token, media_id)
            except PermanentError as exc:  # unknown or expired media id
                return StatusResult("failed", exc.message, None, pending_state)
            if state == "failed":
                return StatusResult(
                    "failed",
                    f"X could not process the media: {_processing_error(info)}",
                    None,
                    pending_state,
                )
            if state == "processing":
                waits.append(_check_after(info))
        if waits:
            return StatusResult(
                "processing", "X is processing the media", max(waits), pending_state
            )
        return StatusResult("ready", None, None, pending_state)

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        status = self.check_status(token, pending_state)
        if status.state == "processing":
            return PublishResult(state="pending", pending_state=pending_state)
        if status.state == "failed":
            raise PermanentError(status.message or "Media processing failed")
        return self._post_tweets(token, pending_state)

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        user_id, username = self._identity(token)
        # X reports created_at to the second: ask from the start of `since`'s second.
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        since = since.replace(microsecond=0)
        params: dict[str, Any] = {
            "start_time": _rfc3339(since),
            "max_results": 100,
            "tweet.fields": "created_at",
        }
        found: list[RecentPost] = []
        for _ in range(5):  # at most 500 posts back
            body = self._request(
                "GET", f"/2/users/{user_id}/tweets", token=token, params=params
            ).json()
            for post in body.get("data") or []:
                created = _parse_time(post["created_at"])
                if created < since:
                    continue
                found.append(
                    RecentPost(
                        platform_post_id=str(post["id"]),
                        text=post.get("text") or "",
                        created_at=created,
                        permalink=self._permalink(str(post["id"]), username),
                    )
                )
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params["pagination_token"] = next_token
        found.sort(key=lambda p: (p.created_at, int(p.platform_post_id)), reverse=True)
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        body = self._request(
            "GET",
            f"/2/tweets/{platform_post_id}",
            token=token,
            params={"tweet.fields": "public_metrics"},
        ).json()
        post = body.get("data")
        if not isinstance(post, dict):  # X answers 200 with only `errors` for a missing post
            raise PermanentError(
                _message(body) or "X did not return the post", status=404, code=_code(body)
            )
        m = post.get("public_metrics") or {}
        return {
            "likes": int(m.get("like_count") or 0),
            "comments": int(m.get("reply_count") or 0),
            "shares": int(m.get("retweet_count", m.get("repost_count")) or 0),
            "quotes": int(m.get("quote_count") or 0),
            "views": int(m.get("impression_count") or 0),
        }

    def account_metrics(self, token: TokenSet) -> Metrics:
        m = self._users_me(token, "public_metrics").get("public_metrics") or {}
        return {
            "followers": int(m.get("followers_count") or 0),
            "following": int(m.get("following_count") or 0),
            "posts": int(m.get("tweet_count", m.get("post_count")) or 0),
        }

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        body = _json(response)
        message = _message(body) or self._error_message(response)
        code = _code(body)
        legacy = _legacy_codes(body)
        if "Unsupported Authentication" in (_text_of(body, "title") + _text_of(body, "detail")):
            # An app-only or OAuth 1.0a token where a user token is needed: only a reconnect.
            return AuthError(message, refresh_may_help=False, status=status, code=code)
        if status == 401 or legacy & {32, 89}:
            return AuthError(message, refresh_may_help=True, status=status, code=code)
        if status == 429 or 88 in legacy:
            return RateLimited(self._x_retry_at(response), message, status=status, code=code)
        if status >= 500:
            return TransientError(message, sent=True, status=status, code=code)
        if DUPLICATE_TEXT in message or 187 in legacy:
            return PermanentError(message, duplicate=True, status=status, code=code)
        return PermanentError(message, status=status, code=code)

    def _x_retry_at(self, response: httpx.Response) -> datetime:
        """The 15-minute window's reset, or a 24-hour window's when that one is used up."""
        h = response.headers
        exhausted = [
            _epoch(h.get(f"{prefix}-reset"))
            for prefix in ("x-user-limit-24hour", "x-app-limit-24hour", "x-rate-limit")
            if (h.get(f"{prefix}-remaining") or "").strip() == "0"
        ]
        resets = [r for r in exhausted if r is not None]
        if resets:
            return max(resets)
        window = _epoch(h.get("x-rate-limit-reset"))
        if window is not None:
            return window
        return self._retry_at(response, default_s=900.0)


# ------------------------------------------------------------------------- error bodies


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _text_of(body: Any, key: str) -> str:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def _messages(body: Any) -> list[str]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    out = []
    for err in errors:
        if isinstance(err, dict):
            text = err.get("message") or err.get("detail") or err.get("title")
            if isinstance(text, str) and text:
                out.append(text)
    return out


def _message(body: Any) -> str:
    """The most specific text of an X error: OAuth, problem-details or legacy `errors`."""
    if not isinstance(body, dict):
        return ""
    oauth = _text_of(body, "error_description") or _text_of(body, "error")
    if oauth:
        return oauth
    detail, title, listed = _text_of(body, "detail"), _text_of(body, "title"), _messages(body)
    if listed and (not detail or detail == GENERIC_INVALID):
        return "; ".join(listed)
    return detail or title or "; ".join(listed)


def _code(body: Any) -> str | None:
    """Problem type (e.g. "invalid-request"), OAuth error, or the first legacy error code."""
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    kind = _text_of(body, "type") or _text_of(first, "type")
    if kind and kind != "about:blank":
        return kind.rstrip("/").rsplit("/", 1)[-1]
    if _text_of(body, "error"):
        return _text_of(body, "error")
    codes = sorted(_legacy_codes(body))
    return str(codes[0]) if codes else None


def _legacy_codes(body: Any) -> set[int]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return set()
    return {e["code"] for e in errors if isinstance(e, dict) and isinstance(e.get("code"), int)}


def _check_after(info: dict[str, Any]) -> float:
    """X's check_after_secs (0 allowed), 1 s when it is missing."""
    value = info.get("check_after_secs")
    return float(value) if isinstance(value, int | float) and value >= 0 else 1.0


def _processing_error(info: dict[str, Any]) -> str:
    error = info.get("error") or {}
    return str(error.get("message") or error.get("name") or "unknown error")


# ------------------------------------------------------------------------- TLDs
# Top-level domains twitter-text recognises (IANA root zone names, as listed by twitter-text's
# tld_lib, plus a few delegated since). Country codes matter separately: "name.<cc>" without a
# path is not linked (except .co and .tv).


def _names(block: str) -> frozenset[str]:
    return frozenset(block.split())


COUNTRY_TLDS = _names(
    """
ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo
bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm
do dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs
gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp
kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms
mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps
pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz
tc td tf tg th tj tk tl tm tn to tp tr tt tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu
wf ws ye yt za zm zw ελ бг бел ею мкд мон рф срб укр қаз հայ الاردن الجزائر السعودية المغرب
امارات ایران بھارت تونس سودان سورية عراق عمان فلسطين قطر مصر مليسيا پاکستان भारत বাংলা ভারত
ভাৰত ਭਾਰਤ ભારત ଭାରତ இந்தியா இலங்கை சிங்கப்பூர் భారత్ ಭಾರತ ഭാരതം ලංකා ไทย გე 中国 中國 台湾
台灣 新加坡 澳門 香港 한국
"""
)

GENERIC_TLDS = _names(
    """
aaa aarp abb abbott abbvie able abogado abudhabi academy accenture accountant accountants
aco active actor adac ads adult aeg aero aetna afl agakhan agency aig airbus airforce airtel
akdn alibaba alipay allfinanz ally alsace alstom amica amsterdam analytics android anquan
anz apartments app apple aquarelle aramco archi army arpa art arte asia associates attorney
auction audi audible audio author auto autos avianca aws axa azure baby baidu band bank bar
barcelona barclaycard barclays barefoot bargains bauhaus bayern bbc bbva bcg bcn beats beer
bentley berlin best bet bharti bible bid bike bing bingo bio biz black blackfriday blanco
blog bloomberg blue bms bmw bnl bnpparibas boats boehringer bom bond boo book boots bosch
bostik bot boutique bradesco bridgestone broadway broker brother brussels budapest bugatti
build builders business buy buzz bzh cab cafe cal call cam camera camp cancerresearch canon
capetown capital car caravan cards care career careers cars cartier casa cash casino cat
catering cba cbn cbre ceb center ceo cern cfa cfd chanel channel chase chat cheap chintai
chloe christmas chrome church cipriani circle cisco citic city cityeats claims cleaning
click clinic clinique clothing cloud club clubmed coach codes coffee college cologne com
comcast commbank community company compare computer comsec condos construction consulting
contact contractors cooking cookingchannel cool coop corsica country coupon coupons courses
credit creditcard creditunion cricket crown crs cruises csc cuisinella cymru cyou dabur dad
dance date dating datsun day dclk dds deal dealer deals degree delivery dell deloitte delta
democrat dental dentist desi design dev dhl diamonds diet digital direct directory discount
dnp docs dog doha domains doosan dot download drive dtv dubai dunlop dupont durban dvag
earth eat edeka edu education email emerck energy engineer engineering enterprises epost
epson equipment ericsson erni esq estate eurovision eus events everbank exchange expert
exposed express extraspace fage fail fairwinds faith family fan fans farm farmers fashion
fast fedex feedback ferrero film final finance financial fire firestone firmdale fish
fishing fit fitness flickr flights flir florist flowers flsmidth fly foo foodnetwork
football ford forex forsale forum foundation fox fresenius frl frogans frontdoor frontier
ftr fujitsu fund furniture futbol fyi gal gallery gallo gallup game games garden gay gbiz
gdn gea gent genting ggee gift gifts gives giving glass gle global globo gmail gmbh gmo gmx
godaddy gold goldpoint golf goo goodyear goog google gop got gov grainger graphics gratis
green gripe group guardian gucci guge guide guitars guru hamburg hangout haus hdfcbank
health healthcare help helsinki here hermes hgtv hiphop hisamitsu hitachi hiv hkt hockey
holdings holiday homedepot homes honda horse host hosting hoteles hotmail house how hsbc htc
hyundai ibm icbc ice icu ifm iinet ikano imamat imdb immo immobilien inc industries infiniti
info ing ink institute insurance insure int international investments ipiranga irish iselect
ismaili ist istanbul itau itv iwc jaguar java jcb jcp jetzt jewelry jlc jll jmp jnj jobs
joburg jot joy jpmorgan jprs juegos kaufen kddi kerryhotels kerrylogistics kerryproperties
kfh kia kim kinder kindle kitchen kiwi koeln komatsu kosher kpmg kpn krd kred kuokgroup
kyoto lacaixa lamborghini lamer lancaster land landrover lanxess lasalle lat latrobe law
lawyer lds lease leclerc legal lego lexus lgbt liaison lidl life lifeinsurance lifestyle
lighting like limited limo lincoln linde link lipsy live living lixil llc loan loans locker
locus lol london lotte lotto love ltd ltda lupin luxe luxury madrid maif maison makeup man
management mango market marketing markets marriott mattel mba med media meet melbourne meme
memorial men menu meo metlife miami microsoft mil mini mit mitsubishi mlb mls mma mobi
mobily moda moe moi mom monash money montblanc mormon mortgage moscow motorcycles mov movie
movistar mtn mtpc mtr museum music mutual mutuelle nadex nagoya name natura navy nec net
netbank netflix network neustar new news next nextdirect nexus nfl ngo nhk nico nikon ninja
nissan nissay nokia northwesternmutual norton now nowruz nowtv nra nrw ntt nyc obi office
okinawa olayan olayangroup ollo omega one ong onion onl online ooo oracle orange org organic
orientexpress origins osaka otsuka ott ovh page pamperedchef panerai paris pars partners
parts party passagens pccw pet pharmacy phd philips photo photography photos physio piaget
pics pictet pictures pid pin ping pink pioneer pizza place play playstation plumbing plus
pnc pohl poker politie porn post praxi press prime pro prod productions prof progressive
promo properties property protection pub pwc qpon quebec quest racing read realestate
realtor realty recipes red redstone redumbrella rehab reise reisen reit ren rent rentals
repair report republican rest restaurant review reviews rexroth rich richardli ricoh rio rip
rocher rocks rodeo room rsvp ruhr run rwe ryukyu saarland safe safety sakura sale salon
samsung sandvik sandvikcoromant sanofi sap sapo sarl sas save saxo sbi sbs sca scb
schaeffler schmidt scholarships school schule schwarz science scor scot seat security seek
select sener services seven sew sex sexy sfr shangrila sharp shaw shell shia shiksha shoes
shop shopping shouji show shriram silk sina singles site ski skin sky skype smile sncf
soccer social softbank software sohu solar solutions song sony soy spa space spiegel spot
spreadbetting srl stada star starhub statebank statefarm statoil stc stcgroup stockholm
storage store stream studio study style sucks supplies supply support surf surgery suzuki
swatch swiss sydney symantec systems tab taipei talk taobao tatamotors tatar tattoo tax taxi
tci tdk team tech technology tel telecity telefonica temasek tennis teva thd theater theatre
tickets tienda tiffany tips tires tirol tmall today tokyo tools top toray toshiba total
tours town toyota toys trade trading training travel travelchannel travelers
travelersinsurance trust trv tube tui tunes tushu tvs ubs unicom university uno uol ups
vacations vana vegas ventures verisign versicherung vet viajes video vig viking villas vin
vip virgin vision vista vistaprint viva vlaanderen vodka volkswagen vote voting voto voyage
vuelos wales walter wang wanggou warman watch watches weather weatherchannel webcam weber
website wed wedding weibo weir whoswho wien wiki williamhill win windows wine wme
wolterskluwer woodside work works world wtc wtf xbox xerox xfinity xihuan xin xperia xxx xyz
yachts yahoo yamaxun yandex yodobashi yoga yokohama you youtube yun zappos zara zero zip
zippo zone zuerich vermögensberater vermögensberatung дети ком москва онлайн орг рус сайт
קום ابوظبي ارامكو العليان بازار بيتك شبكة كوم موبايلي موقع همراه कॉम नेट संगठन คอม みんな
クラウド グーグル コム ストア セール ファッション ポイント 世界 中信 中文网 企业 佛山 信息
健康 八卦 公司 公益 商城 商店 商标 嘉里 嘉里大酒店 在线 大拿 娱乐 家電 工行 广东 微博 慈善
我爱你 手机 手表 政务 政府 新闻 时尚 書籍 机构 淡马锡 游戏 点看 珠宝 移动 组织机构 网址 网店
网站 网络 联通 诺基亚 谷歌 购物 集团 電訊盈科 飞利浦 食品 餐厅 香格里拉 닷넷 닷컴 삼성
"""
)

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_WEIGHTED_LENGTH",
    "XLimits",
    "XProvider",
    "invalid_characters",
    "url_spans",
    "weighted_length",
]
