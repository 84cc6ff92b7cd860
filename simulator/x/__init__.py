"""Simulated X API v2, mounted at /x.

Request bodies are checked against the vendor's OpenAPI document (X API v2, version 2.167;
/work/shared/specs/x/openapi.json): the schemas the publisher uses are embedded below (same
content, descriptions dropped; a test compares them with the document), so an unknown field,
a fifth media id or a wrong enum value is refused the way X refuses it (400 problem details).
Authorization kinds follow each operation's `security` (user token vs app-only bearer) and its
OAuth 2.0 scopes.

Also simulated, after platform-apis.md §1 and X's observed behaviour:
  * OAuth 2.0 with PKCE (S256 or plain), confidential clients with HTTP Basic, codes valid 30 s,
    access tokens expiring after `access_token_ttl_s`, single-use rotating refresh tokens (using
    an already rotated one revokes the whole grant, `revoke_family_on_reuse`), revocation;
  * twitter-text weighted length, as X's servers count with twitter-text: the port in
    app/providers/x_text.py, which passes twitter-text's own conformance suite, so the simulator
    refuses exactly what X refuses; duplicate text per user, replies to missing posts;
  * media: one-shot upload (content sniffed, size limits per category), chunked
    initialize/append/finalize (segments must add up), a processing state machine for video and
    GIFs (pending → in_progress → succeeded/failed after the `media_processing_ms` knob), STATUS,
    alt text, media ids that expire;
  * `x-rate-limit-limit/remaining/reset` (epoch seconds) on API responses, per-user 15-minute
    windows per endpoint family, and the 24-hour windows of POST /2/tweets
    (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`);
  * the shared faults, answered with X's problem bodies.

Not simulated: OAuth 1.0a, polls beyond validation, quotes rendering, edits, communities.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import html
import json
import math
import re
import secrets
import struct
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.providers.x_text import weighted_length
from simulator import organic
from simulator.oauth import AuthCode, ClientApp, RefreshToken, UserTokens, s256
from simulator.platform import (
    PlatformSim,
    Refusal,
    check_username,
    content_type,
    json_object,
    per_window,
    set_fields,
    settable_fields,
    with_query,
)
from simulator.state import Fault, RateState, SimError, utcnow
from simulator.x.schemas import FIELD_ENUMS, SCHEMAS, Invalid, check_schema

PROBLEMS = "https://api.x.com/2/problems/"
GENERIC_INVALID = "One or more parameters to your request was invalid."
E_DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
E_TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)
E_REPLY_MISSING = "You attempted to reply to a Tweet that is deleted or not visible to you."
E_MEDIA_IDS = "Your media IDs are invalid."
E_NOT_PERMITTED = "You are not permitted to perform this action."
E_SEGMENTS = "Segments do not add up to provided total file size."
E_APP_ONLY = (
    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
)
E_CODE = "Value passed for the authorization code was invalid."
E_TOKEN = "Value passed for the token was invalid."
E_CLIENT = "Missing valid authorization header"
SCOPES = frozenset(
    re.findall(
        r"\S+",
        "block.read block.write bookmark.read bookmark.write dm.read dm.write follows.read "
        "follows.write like.read like.write list.read list.write media.write mute.read "
        "mute.write offline.access space.read timeline.read tweet.moderate.write tweet.read "
        "tweet.write users.read",
    )
)
DEFAULT_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
TWEPOCH_MS = 1288834974657
MB = 1000 * 1000
CATEGORY_LIMITS = {
    "tweet_image": "image_size_limit",
    "tweet_gif": "gif_size_limit",
    "tweet_video": "video_size_limit",
}
MEDIA_KEY_PREFIX = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7"}
SANDBOX_CLIENT_ID = "herald-sandbox"
SANDBOX_CLIENT_SECRET = "herald-sandbox-secret"

DEFAULT_SETTINGS: dict[str, Any] = {
    "access_token_ttl_s": 7200,
    "auth_code_ttl_s": 30,
    "refresh_token_ttl_s": 180 * 86400,
    "revoke_family_on_reuse": True,
    "max_weighted_length": 280,
    "url_length": 23,
    "image_size_limit": 5 * MB,
    "gif_size_limit": 15 * MB,
    "video_size_limit": 512 * MB,
    "max_segment_bytes": 5 * 1024 * 1024,
    "media_expires_after_s": 86400,
    "check_after_secs": 1,
    # When set, video/GIF processing ends in state "failed" with this message.
    "media_processing_error": None,
    "duplicate_window_s": 86400,
    "default_account": "alice",
}


def _fits(category: str, mime: str) -> bool:
    """Whether a file of type `mime` may be uploaded with `media_category`."""
    if category == "tweet_video":
        return mime.startswith("video/")
    if category == "tweet_gif":
        return mime == "image/gif"
    return mime.startswith("image/")


def _sniff(data: bytes) -> tuple[str, int, int] | None:
    """(mime, width, height) of an image, ("video/mp4", 0, 0) for a video, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", w, h
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return "image/gif", w, h
    if data.startswith(b"\xff\xd8\xff"):
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, size = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return "image/jpeg", w, h
            i += 2 + size
        return "image/jpeg", 0, 0
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", 0, 0
    if data[4:8] == b"ftyp" or data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/mp4", 0, 0
    return None


# --------------------------------------------------------------------- state


@dataclass
class User:
    id: str
    username: str
    name: str
    created_at: datetime
    description: str = ""
    protected: bool = False
    verified: bool = False
    followers_count: int = 0
    following_count: int = 0
    listed_count: int = 0
    like_count: int = 0
    tweet_count: int = 0
    media_count: int = 0


@dataclass
class Token:
    value: str
    kind: str  # "user" | "app"
    client_id: str
    user_id: str | None
    scopes: list[str]
    expires_at: float | None  # epoch seconds
    family: str
    revoked: bool = False


@dataclass
class Media:
    id: str
    user_id: str
    category: str
    mime: str
    total_bytes: int
    created: float  # epoch
    expires_at: float  # epoch
    segments: dict[int, int] = field(default_factory=dict)  # index → size
    head: bytes = b""  # first bytes of segment 0, to sniff the content
    digest: Any = field(default_factory=hashlib.sha256)
    in_order: bool = True
    finalized: bool = False
    asynchronous: bool = False  # processed after finalize (video, GIF)
    ready_at: float = 0.0  # monotonic
    polled: bool = False
    failure: str | None = None
    width: int = 0
    height: int = 0
    alt_text: str | None = None

    @property
    def key(self) -> str:
        return f"{MEDIA_KEY_PREFIX.get(self.category, '3')}_{self.id}"

    @property
    def size(self) -> int:
        return sum(self.segments.values())

    def state(self) -> str:
        if not self.finalized:
            return "uploading"
        if not self.asynchronous or time.monotonic() >= self.ready_at:
            return "failed" if self.failure else "succeeded"
        return "in_progress" if self.polled else "pending"


# A post's public_metrics.
PUBLIC_METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_at: datetime
    media_ids: list[str]
    in_reply_to_tweet_id: str | None
    in_reply_to_user_id: str | None
    conversation_id: str
    reply_settings: str | None
    quote_tweet_id: str | None
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PUBLIC_METRICS, 0))


# --------------------------------------------------------------------- responses


def problem(
    status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any
) -> Response:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return JSONResponse(body, status)


def invalid(*messages: str) -> Response:
    return JSONResponse(
        {
            "errors": [{"message": m} for m in messages],
            "title": "Invalid Request",
            "detail": GENERIC_INVALID,
            "type": PROBLEMS + "invalid-request",
        },
        400,
    )


def unauthorized() -> Response:
    return problem(401, "Unauthorized", "Unauthorized")


def forbidden(detail: str) -> Response:
    return problem(403, "Forbidden", detail)


def not_found(kind: str, value: str, parameter: str = "id") -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {kind} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": kind,
        "parameter": parameter,
        "resource_id": value,
        "type": PROBLEMS + "resource-not-found",
    }


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _required(form: dict[str, str], *names: str) -> None:
    """Refuse a token-endpoint form that lacks (or leaves empty) one of `names`."""
    for name in names:
        if not form.get(name):
            raise Refusal(_oauth_error("invalid_request", f"Missing required parameter [{name}]."))


def _page(message: str, status: int = 400) -> Response:
    return HTMLResponse(
        "<html><body><h2>Something went wrong</h2><p>You weren't able to give access to the "
        f"App. {html.escape(message)}</p></body></html>",
        status,
    )


def _x_time(ts: datetime) -> str:
    """X's created_at: RFC 3339, UTC, always ".000" milliseconds."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_rfc3339(value: str) -> datetime | None:
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)", value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


# The query parameters of the post lookups (name → kind, as `XSim._query` takes them).
_POST_QUERY = {
    "post.fields": "post.fields",
    "user.fields": "user.fields",
    "expansions": "",
    "media.fields": "",
    "poll.fields": "",
    "place.fields": "",
}

# --------------------------------------------------------------------- the platform

_FAMILIES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"/2/tweets"), "tweets"),
    ("DELETE", re.compile(r"/2/tweets/[^/]+"), "tweets_delete"),
    ("GET", re.compile(r"/2/tweets/[^/]+"), "tweet_lookup"),
    ("GET", re.compile(r"/2/users/me"), "users_me"),
    ("GET", re.compile(r"/2/users/[^/]+/tweets"), "user_tweets"),
    ("POST", re.compile(r"/2/media/upload"), "media_upload"),
    ("GET", re.compile(r"/2/media/upload"), "media_status"),
    (
        "POST",
        re.compile(r"/2/media/upload/(?:initialize|[^/]+/append|[^/]+/finalize)"),
        "media_chunked",
    ),
    ("POST", re.compile(r"/2/media/metadata"), "media_metadata"),
]


class XSim(UserTokens[Token, User], PlatformSim):
    id = "x"
    organic_posts = ("tweets", "metrics", organic.OWN_COUNTERS["x"])
    organic_accounts = ("users", "username", "followers_count")
    display_name = "X"
    # X's rate windows are 15 minutes.
    quotas = {
        # POST /2/tweets: per user per 15 min, and per user and per app a day.
        **per_window(900, tweets=100),
        **per_window(86400, tweets_24h_user=2400, tweets_24h_app=10000),
        **per_window(
            900,
            tweets_delete=50,
            tweet_lookup=900,
            user_tweets=900,
            users_me=75,
            media_upload=500,
            media_status=1875,
            media_chunked=1875,
            media_metadata=500,
        ),
    }
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.apps: dict[str, ClientApp] = {}
        self.users: dict[str, User] = {}  # by id
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.grants: dict[str, AuthCode] = {}
        self.media: dict[str, Media] = {}
        self.tweets: dict[str, Tweet] = {}
        self._seq = 0
        self.register_app(
            ["*"], client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET, name="Sandbox"
        )

    # ------------------------------------------------------------ ids, users, apps, tokens

    def _next_id(self) -> str:
        """Snowflake: (ms since X's epoch) << 22 | sequence; 19 digits, sorted by time."""
        with self.sim.lock:
            self._seq = (self._seq + 1) & 0x3FFFFF
            return str(((int(time.time() * 1000) - TWEPOCH_MS) << 22) | self._seq)

    def ensure_user(self, username: str, **fields: Any) -> User:
        """Find or create an account (in-process helper for tests and benchmarks)."""
        check_username(username, 15)
        with self.sim.lock:
            user = self.user_by_username(username)
            if user is None:
                user = User(self._next_id(), username, username.capitalize(), utcnow())
                self.users[user.id] = user
            set_fields(user, fields, settable_fields(user, "id", "username", "created_at"), "user")
            return user

    def register_app(
        self,
        redirect_uris: list[str],
        *,
        confidential: bool = True,
        client_id: str | None = None,
        client_secret: str | None = None,
        name: str = "Herald",
    ) -> ClientApp:
        """An app of the developer portal (X has no registration API)."""
        secret = client_secret or (secrets.token_urlsafe(36) if confidential else None)
        app = ClientApp(client_id or secrets.token_urlsafe(24), secret, list(redirect_uris), name)
        return self.keep(self.apps, app.client_id, app)

    def _mint(
        self,
        client_id: str,
        user_id: str,
        scopes: list[str],
        *,
        expires_in: float | None = None,
        refresh: bool = True,
        family: str | None = None,
    ) -> tuple[Token, RefreshToken | None]:
        now = time.time()
        ttl = self.conf["access_token_ttl_s"] if expires_in is None else expires_in
        family = family or secrets.token_hex(8)
        token = Token(
            secrets.token_urlsafe(48), "user", client_id, user_id, scopes, now + ttl, family
        )
        rt = None
        if refresh:
            rt = RefreshToken(
                secrets.token_urlsafe(48),
                client_id,
                user_id,
                scopes,
                now + self.conf["refresh_token_ttl_s"],
                family,
            )
        with self.sim.lock:
            self.tokens[token.value] = token
            if rt is not None:
                self.refresh_tokens[rt.value] = rt
        return token, rt

    def issue_token(
        self,
        username: str,
        scopes: str = DEFAULT_SCOPES,
        *,
        expires_in: float | None = None,
        refresh: bool = True,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Mint a user token without the OAuth dance (tests, benchmarks, sandbox accounts).

        `expires_in` (seconds, may be 0 or negative) overrides access_token_ttl_s; the refresh
        token (when `refresh`) belongs to `client_id` (default: the sandbox app) and rotates
        like one from the token endpoint.
        """
        user = self.ensure_user(username)
        client_id = self.issuing_app(client_id)
        token, rt = self._mint(
            client_id, user.id, scopes.split(), expires_in=expires_in, refresh=refresh
        )
        return self.issued(user.id, client_id, token, rt)

    def issue_app_token(self, client_id: str | None = None) -> str:
        """An app-only bearer token (no user): refused by user-context endpoints."""
        client_id = client_id or SANDBOX_CLIENT_ID
        token = Token(secrets.token_urlsafe(48), "app", client_id, None, [], None, "app")
        with self.sim.lock:
            self.tokens[token.value] = token
        return token.value

    def revoke_family(self, family: str) -> None:
        with self.sim.lock:
            for token in self.tokens.values():
                if token.family == family:
                    token.revoked = True
            for rt in self.refresh_tokens.values():
                if rt.family == family:
                    rt.revoked = True

    # ------------------------------------------------------------ authentication

    def _auth(self, request: Request, scopes: tuple[str, ...], *, app_ok: bool = False) -> Token:
        token = self.valid_token(request)
        if token is None:
            raise Refusal(unauthorized())
        if token.kind == "app":
            if app_ok:
                return token
            raise Refusal(
                problem(
                    403,
                    "Unsupported Authentication",
                    E_APP_ONLY,
                    PROBLEMS + "unsupported-authentication",
                )
            )
        if not set(scopes) <= set(token.scopes):
            raise Refusal(forbidden(E_NOT_PERMITTED))
        return token

    # ------------------------------------------------------------ rate limits

    @staticmethod
    def _rate_headers(state: RateState, prefix: str = "x-rate-limit") -> dict[str, str]:
        return {
            f"{prefix}-limit": str(state.limit),
            f"{prefix}-remaining": str(state.remaining),
            f"{prefix}-reset": str(math.ceil(state.reset_at.timestamp())),
        }

    def before(self, request: Request, account: str | None) -> Response | None:
        family = self.rate_family(request, _FAMILIES)
        token = self.valid_token(request)
        if family is None or token is None:
            return None  # unauthenticated requests are answered 401 by the handler
        key = token.user_id or f"app:{token.client_id}"
        state = self.sim.rate(self.id, family, key, account=account)
        request.state.x_rate = state
        headers = self._rate_headers(state)
        if family == "tweets":
            # A request refused by the 15-minute window does not use the daily allowance.
            rate = functools.partial(self.sim.rate, self.id, account=account, consume=state.allowed)
            user24 = rate("tweets_24h_user", key)
            app24 = rate("tweets_24h_app", token.client_id)
            request.state.x_rate_24h = (user24, app24)
            headers.update(self._rate_headers(user24, "x-user-limit-24hour"))
            headers.update(self._rate_headers(app24, "x-app-limit-24hour"))
            if not (user24.allowed and app24.allowed):
                return self._too_many(headers)
        if not state.allowed:
            return self._too_many(headers)
        return None

    @staticmethod
    def _too_many(headers: dict[str, str]) -> Response:
        response = problem(429, "Too Many Requests", "Too Many Requests")
        response.headers.update(headers)
        return response

    def after(self, request: Request, account: str | None, response: Response) -> None:
        state = getattr(request.state, "x_rate", None)
        if state is None or "x-rate-limit-limit" in response.headers:
            return
        response.headers.update(self._rate_headers(state))
        for state24, prefix in zip(
            getattr(request.state, "x_rate_24h", ()),
            ("x-user-limit-24hour", "x-app-limit-24hour"),
            strict=False,
        ):
            response.headers.update(self._rate_headers(state24, prefix))

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            family = self.rate_family(request, _FAMILIES) or "tweets"
            quota = (self.sim.effective_knobs(self.id).quotas or {}).get(family) or {"limit": 0}
            response = problem(429, "Too Many Requests", fault.message or "Too Many Requests")
            response.headers.update(
                {
                    "x-rate-limit-limit": str(int(quota["limit"])),
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(math.ceil(fault.reset_time().timestamp())),
                }
            )
            return response
        if kind == "401":
            return problem(401, "Unauthorized", fault.message or "Unauthorized")
        if kind == "duplicate":
            return forbidden(fault.message or E_DUPLICATE)
        title = HTTPStatus(int(kind)).phrase  # a 5xx
        return problem(int(kind), title, fault.message or title)

    # ------------------------------------------------------------ rendering

    def _user_json(self, user: User, fields: set[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
        optional = {
            "created_at": _x_time(user.created_at),
            "description": user.description,
            "protected": user.protected,
            "verified": user.verified,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/sim/{user.id}_normal.jpg",
            "url": "",
            "public_metrics": {
                "followers_count": user.followers_count,
                "following_count": user.following_count,
                "tweet_count": user.tweet_count,
                "post_count": user.tweet_count,  # the 2.167 document's name for it
                "listed_count": user.listed_count,
                "like_count": user.like_count,
                "media_count": user.media_count,
            },
        }
        body.update({k: v for k, v in optional.items() if k in fields})
        return body

    def _tweet_json(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": tweet.id,
            "text": tweet.text,
            "edit_history_tweet_ids": [tweet.id],
        }
        optional: dict[str, Any] = {
            "author_id": tweet.author_id,
            "created_at": _x_time(tweet.created_at),
            "conversation_id": tweet.conversation_id,
            "lang": "en",
            "possibly_sensitive": False,
            "reply_settings": tweet.reply_settings or "everyone",
            "public_metrics": {**tweet.metrics, "repost_count": tweet.metrics["retweet_count"]},
            "edit_controls": {
                "edits_remaining": 5,
                "is_edit_eligible": True,
                "editable_until": _x_time(tweet.created_at + timedelta(hours=1)),
            },
        }
        if tweet.media_ids:
            optional["attachments"] = {
                "media_keys": [self.media[m].key for m in tweet.media_ids if m in self.media]
            }
        if tweet.in_reply_to_user_id:
            optional["in_reply_to_user_id"] = tweet.in_reply_to_user_id
        body.update({k: v for k, v in optional.items() if k in fields})
        return body

    def _media_json(self, media: Media) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": media.id,
            "media_key": media.key,
            "size": media.size,
            "expires_after_secs": max(0, int(media.expires_at - time.time())),
        }
        if media.mime.startswith("image/") and not media.asynchronous:
            data["image"] = {"image_type": media.mime, "w": media.width, "h": media.height}
        if media.finalized and media.asynchronous:
            state = media.state()
            info: dict[str, Any] = {"state": state}
            if state in ("pending", "in_progress"):
                total = max(media.ready_at - media.created, 0.001)
                done = 1 - max(0.0, media.ready_at - time.monotonic()) / total
                info["check_after_secs"] = int(self.conf["check_after_secs"])
                info["progress_percent"] = 0 if state == "pending" else int(min(done, 0.99) * 100)
            elif state == "failed":
                info["progress_percent"] = 100
                info["error"] = {"code": 1, "name": "InvalidMedia", "message": media.failure}
            else:
                info["progress_percent"] = 100
            data["processing_info"] = info
            if media.mime.startswith("video/"):
                data["video"] = {"video_type": media.mime}
        return data

    # ------------------------------------------------------------ query parameters

    def _query(
        self, request: Request, allowed: dict[str, str]
    ) -> tuple[dict[str, str], set[str], set[str]]:
        """Check query parameters like X: unknown names and bad values are 400s.

        `allowed` maps each accepted name to its kind; returns (params, post fields, user fields).
        """
        params = dict(request.query_params)
        names = sorted(allowed)
        for name in params:
            if name not in allowed:
                raise Invalid(f"The query parameter [{name}] is not one of [{','.join(names)}]")
        fields: dict[str, set[str]] = {"post": set(), "user": set()}
        for name, value in params.items():
            kind = allowed[name]
            if kind in ("post.fields", "user.fields"):
                enum = FIELD_ENUMS[kind]
                values = value.split(",")
                bad = [v for v in values if v not in enum]
                if bad or not value:
                    raise Invalid(
                        f"The `{name}` query parameter value [{','.join(bad) or value}] is not "
                        f"one of [{','.join(enum)}]"
                    )
                fields[kind.split(".")[0]].update(values)
        return params, fields["post"], fields["user"]

    def _id_param(self, value: str, name: str = "id") -> None:
        if not re.fullmatch(r"[0-9]{1,19}", value):
            raise Invalid(
                f"The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$"
            )

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        return self.api_routes(
            ("GET", "/i/oauth2/authorize", self.authorize),
            ("POST", "/2/oauth2/token", self.token),
            ("POST", "/2/oauth2/revoke", self.revoke),
            ("GET", "/2/users/me", self.users_me),
            ("GET", "/2/users/{id}/tweets", self.user_tweets),
            ("POST", "/2/tweets", self.create_tweet),
            ("GET", "/2/tweets/{id}", self.get_tweet),
            ("DELETE", "/2/tweets/{id}", self.delete_tweet),
            ("POST", "/2/media/upload", self.upload),
            ("GET", "/2/media/upload", self.upload_status),
            ("POST", "/2/media/upload/initialize", self.initialize),
            ("POST", "/2/media/upload/{id}/append", self.append),
            ("POST", "/2/media/upload/{id}/finalize", self.finalize),
            ("POST", "/2/media/metadata", self.metadata),
        )

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/tokens/{token}", self.sim_revoke, methods=["DELETE"]),
            Route("/tweets/{id}", self.sim_tweet, methods=["POST"]),
        ]

    # ------------------------------------------------------------ OAuth

    async def authorize(self, request: Request) -> Response:
        """Auto-approves as `sim_account` (query param, simulator-only) or the default user."""
        app, redirect_uri = self.authorizing_app(
            request,
            _page("The client id is not valid."),
            _page("The redirect URI does not match the App's callback URLs."),
        )
        q = request.query_params
        fail = functools.partial(self.error_redirect, redirect_uri, q.get("state"))

        if q.get("response_type") != "code":
            return fail("unsupported_response_type", "response_type must be code")
        for name in ("state", "code_challenge", "scope"):
            if not q.get(name):
                return fail("invalid_request", f"Missing required parameter [{name}].")
        if len(q["state"]) > 500:
            return fail("invalid_request", "state is limited to 500 characters")
        method = q.get("code_challenge_method") or "plain"
        if method not in ("S256", "plain"):
            return fail("invalid_request", "code_challenge_method must be S256 or plain")
        scopes = q["scope"].split()
        if any(s not in SCOPES for s in scopes):
            return fail("invalid_scope", "The requested scope is invalid.")
        try:
            user = self.ensure_user(self.consenting_account(request))
        except SimError as exc:
            return _page(str(exc))
        grant = AuthCode(
            secrets.token_urlsafe(60),
            app.client_id,
            user.id,
            redirect_uri,
            scopes,
            time.monotonic() + self.conf["auth_code_ttl_s"],
            q["code_challenge"],
            method,
        )
        with self.sim.lock:
            self.grants[grant.code] = grant
        params = {"state": q["state"], "code": grant.code}
        return RedirectResponse(with_query(redirect_uri, params), 302)

    async def _client_form(self, request: Request) -> tuple[ClientApp, dict[str, str]]:
        """The client of a token-endpoint request and its form. Confidential clients
        authenticate with HTTP Basic; public ones send client_id."""
        form = await self.form_fields(request)
        if form is None:
            raise Refusal(
                _oauth_error(
                    "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
                )
            )
        basic = self.basic_credentials(request)
        if basic is not None:
            app = self.apps.get(basic[0])
            if not self.secret_ok(app, basic[1]):
                raise Refusal(_oauth_error("unauthorized_client", E_CLIENT, 401))
            assert app is not None
            return app, form
        app = self.apps.get(form.get("client_id", ""))
        if app is None or app.client_secret:  # a confidential client must use Basic
            raise Refusal(_oauth_error("unauthorized_client", E_CLIENT, 401))
        return app, form

    def _token_body(self, token: Token, rt: RefreshToken | None) -> Response:
        body: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": int(round((token.expires_at or time.time()) - time.time())),
            "access_token": token.value,
            "scope": " ".join(token.scopes),
        }
        if rt is not None:
            body["refresh_token"] = rt.value
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def token(self, request: Request) -> Response:
        app, form = await self._client_form(request)
        _required(form, "grant_type")
        grant_type = form["grant_type"]
        if grant_type == "authorization_code":
            return self._code_grant(app, form)
        if grant_type == "refresh_token":
            return self._refresh_grant(app, form)
        return _oauth_error("unsupported_grant_type", "The grant type is not supported.")

    def _code_grant(self, app: ClientApp, form: dict[str, str]) -> Response:
        _required(form, "code", "redirect_uri", "code_verifier")
        verifier = form["code_verifier"]
        with self.sim.lock:
            grant = self.grants.get(form["code"])
            if not self.grant_usable(grant, app.client_id, form["redirect_uri"]):
                return _oauth_error("invalid_request", E_CODE)
            assert grant is not None
            expected = s256(verifier) if grant.method == "S256" else verifier
            if not secrets.compare_digest(expected, grant.challenge):
                return _oauth_error("invalid_request", E_CODE)
            grant.used = True
        token, rt = self._mint(
            app.client_id, grant.user_id, grant.scopes, refresh="offline.access" in grant.scopes
        )
        return self._token_body(token, rt)

    def _refresh_grant(self, app: ClientApp, form: dict[str, str]) -> Response:
        _required(form, "refresh_token")
        with self.sim.lock:
            rt = self.refresh_tokens.get(form["refresh_token"])
            if rt is None or rt.client_id != app.client_id:
                return _oauth_error("invalid_request", E_TOKEN)
            if rt.used and self.conf["revoke_family_on_reuse"] and not rt.revoked:
                self.revoke_family(rt.family)  # replay of a rotated token: end the grant
            if rt.used or rt.revoked or rt.expires_at <= time.time():
                return _oauth_error("invalid_request", E_TOKEN)
            rt.used = True
            token, new_rt = self._mint(
                app.client_id, rt.user_id, rt.scopes, refresh=True, family=rt.family
            )
        return self._token_body(token, new_rt)

    async def revoke(self, request: Request) -> Response:
        app, form = await self._client_form(request)
        _required(form, "token")
        value = form["token"]
        with self.sim.lock:
            found = self.tokens.get(value) or self.refresh_tokens.get(value)
            if found is not None and found.client_id == app.client_id:
                self.revoke_family(found.family)
        return JSONResponse({"revoked": True})

    # ------------------------------------------------------------ users

    async def users_me(self, request: Request) -> Response:
        token = self._auth(request, ("tweet.read", "users.read"))
        assert token.user_id is not None
        try:
            allowed = {
                "user.fields": "user.fields",
                "expansions": "",
                "post.fields": "post.fields",
            }
            _, _, user_fields = self._query(request, allowed)
        except Invalid as exc:
            return invalid(*exc.messages)
        return JSONResponse({"data": self._user_json(self.users[token.user_id], user_fields)})

    async def user_tweets(self, request: Request) -> Response:
        self._auth(request, ("tweet.read", "users.read"), app_ok=True)
        allowed = {
            "max_results": "",
            "pagination_token": "",
            "start_time": "",
            "end_time": "",
            "since_id": "",
            "until_id": "",
            "exclude": "",
            **_POST_QUERY,
        }
        user_id = request.path_params["id"]
        try:
            self._id_param(user_id)
            q, fields, _ = self._query(request, allowed)
            limit = 10
            if "max_results" in q:
                if not q["max_results"].isdigit() or not 5 <= int(q["max_results"]) <= 100:
                    raise Invalid(
                        f"The `max_results` query parameter value [{q['max_results']}] is not "
                        "between 5 and 100"
                    )
                limit = int(q["max_results"])
            bounds = {}
            for name in ("start_time", "end_time"):
                if name in q:
                    bounds[name] = _parse_rfc3339(q[name])
                    if bounds[name] is None:
                        raise Invalid(
                            f"Invalid '{name}':'{q[name]}'. '{name}' must be a valid RFC 3339 "
                            "date-time"
                        )
            for name in ("since_id", "until_id"):
                if name in q:
                    self._id_param(q[name], name)
            excluded = set(q.get("exclude", "").split(",")) - {""}
            if excluded - {"replies", "retweets"}:
                raise Invalid(
                    f"The `exclude` query parameter value [{q['exclude']}] is not one of "
                    "[replies,retweets]"
                )
            before_id = None
            if "pagination_token" in q:
                before_id = self._decode_page(q["pagination_token"])
        except Invalid as exc:
            return invalid(*exc.messages)
        if user_id not in self.users:
            return JSONResponse({"errors": [not_found("user", user_id)]})
        with self.sim.lock:
            rows = [t for t in self.tweets.values() if t.author_id == user_id]
        rows.sort(key=lambda t: int(t.id), reverse=True)
        start, end = bounds.get("start_time"), bounds.get("end_time")
        rows = [
            t
            for t in rows
            if (start is None or t.created_at >= start)
            and (end is None or t.created_at <= end)
            and ("since_id" not in q or int(t.id) > int(q["since_id"]))
            and ("until_id" not in q or int(t.id) < int(q["until_id"]))
            and (before_id is None or int(t.id) < before_id)
            and not ("replies" in excluded and t.in_reply_to_tweet_id)
        ]
        page, more = rows[:limit], len(rows) > limit
        if not page:
            return JSONResponse({"meta": {"result_count": 0}})
        meta: dict[str, Any] = {
            "result_count": len(page),
            "newest_id": page[0].id,
            "oldest_id": page[-1].id,
        }
        if more:
            meta["next_token"] = self._encode_page(int(page[-1].id))
        return JSONResponse({"data": [self._tweet_json(t, fields) for t in page], "meta": meta})

    @staticmethod
    def _encode_page(before_id: int) -> str:
        return base64.b32encode(before_id.to_bytes(8, "big")).decode().rstrip("=").lower()

    @staticmethod
    def _decode_page(value: str) -> int:
        try:
            raw = base64.b32decode(value.upper() + "=" * (-len(value) % 8))
        except (binascii.Error, ValueError):
            raise Invalid(
                f"The `pagination_token` query parameter value [{value}] is not valid"
            ) from None
        return int.from_bytes(raw, "big")

    # ------------------------------------------------------------ tweets

    async def create_tweet(self, request: Request) -> Response:
        token = self._auth(request, ("tweet.read", "tweet.write", "users.read"))
        assert token.user_id is not None
        ctype = content_type(request)
        raw = await request.body()
        if ctype != "application/json":
            return invalid("Request body must be JSON (Content-Type: application/json)")
        try:
            body = json.loads(raw)
        except ValueError:
            return invalid("Request body is not valid JSON")
        problems = check_schema(body, SCHEMAS["CreatePostsRequest"])
        if problems:
            return invalid(*problems)
        user = self.users[token.user_id]
        text = body.get("text", "")
        media_ids: list[str] = (body.get("media") or {}).get("media_ids") or []
        c = self.conf
        attached = media_ids or body.get("poll") or body.get("quote_tweet_id")
        if not text.strip() and not attached and not body.get("card_uri"):
            return invalid("Post text is required unless media, a poll or a quote is attached.")
        if body.get("poll") and media_ids:
            return invalid("A post cannot have both a poll and media.")
        if weighted_length(text, url_length=c["url_length"]) > c["max_weighted_length"]:
            return invalid(E_TOO_LONG)
        with self.sim.lock:
            media: list[Media] = []
            for media_id in media_ids:
                m = self.media.get(media_id)
                if (
                    m is None
                    or m.user_id != user.id
                    or m.expires_at <= time.time()
                    or m.state() != "succeeded"
                ):
                    return invalid(E_MEDIA_IDS)
                media.append(m)
            if len(media) > 1 and any(m.category != "tweet_image" for m in media):
                return invalid(E_MEDIA_IDS)
            parent = None
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if reply_to:
                parent = self.tweets.get(reply_to)
                if parent is None:
                    return forbidden(E_REPLY_MISSING)
            quote = body.get("quote_tweet_id")
            if quote and quote not in self.tweets:
                return forbidden(
                    "You attempted to quote a Tweet that is deleted or not visible to you."
                )
            if text.strip() and self._is_duplicate(user.id, text):
                return forbidden(E_DUPLICATE)
            tweet = Tweet(
                id=self._next_id(),
                author_id=user.id,
                text=text,
                created_at=utcnow(),
                media_ids=[m.id for m in media],
                in_reply_to_tweet_id=parent.id if parent else None,
                in_reply_to_user_id=parent.author_id if parent else None,
                conversation_id=parent.conversation_id if parent else "",
                reply_settings=body.get("reply_settings"),
                quote_tweet_id=quote,
            )
            tweet.conversation_id = tweet.conversation_id or tweet.id
            self.tweets[tweet.id] = tweet
            user.tweet_count += 1
            user.media_count += len(media)
            if parent is not None:
                parent.metrics["reply_count"] += 1
            self.sim.record_post(
                self.id,
                user.username,
                tweet.id,
                text,
                media=[
                    {
                        "id": m.id,
                        "type": m.category,
                        "mime": m.mime,
                        "size": m.size,
                        "sha256": m.digest.hexdigest() if m.in_order else None,
                    }
                    for m in media
                ],
                permalink=f"https://x.com/{user.username}/status/{tweet.id}",
                extra={
                    "user_id": user.id,
                    "in_reply_to_tweet_id": tweet.in_reply_to_tweet_id,
                    "reply_settings": tweet.reply_settings,
                    "quote_tweet_id": quote,
                },
            )
        data = {"id": tweet.id, "text": text, "edit_history_tweet_ids": [tweet.id]}
        data["edit_history_post_ids"] = [tweet.id]  # the 2.167 document's name
        return JSONResponse({"data": data}, 201)

    def _is_duplicate(self, user_id: str, text: str) -> bool:
        horizon = utcnow().timestamp() - self.conf["duplicate_window_s"]
        return any(
            t.author_id == user_id and t.text == text and t.created_at.timestamp() >= horizon
            for t in self.tweets.values()
        )

    async def get_tweet(self, request: Request) -> Response:
        self._auth(request, ("tweet.read", "users.read"), app_ok=True)
        tweet_id = request.path_params["id"]
        try:
            self._id_param(tweet_id)
            _, fields, _ = self._query(request, _POST_QUERY)
        except Invalid as exc:
            return invalid(*exc.messages)
        tweet = self.tweets.get(tweet_id)
        if tweet is None:  # X answers 200 with only an error for a missing post
            return JSONResponse({"errors": [not_found("tweet", tweet_id)]})
        return JSONResponse({"data": self._tweet_json(tweet, fields)})

    async def delete_tweet(self, request: Request) -> Response:
        token = self._auth(request, ("tweet.read", "tweet.write", "users.read"))
        tweet_id = request.path_params["id"]
        try:
            self._id_param(tweet_id)
        except Invalid as exc:
            return invalid(*exc.messages)
        with self.sim.lock:
            tweet = self.tweets.get(tweet_id)
            if tweet is None:
                return JSONResponse({"errors": [not_found("tweet", tweet_id)]}, 404)
            if tweet.author_id != token.user_id:
                return forbidden("You are not allowed to delete a Tweet that isn't yours.")
            del self.tweets[tweet_id]
            self.users[tweet.author_id].tweet_count -= 1
            self.sim.mark_deleted(self.id, tweet_id)
        return JSONResponse({"data": {"deleted": True}})

    # ------------------------------------------------------------ media

    async def _media_form(self, request: Request) -> dict[str, Any]:
        """A multipart form (raw bytes) or a JSON body (base64 media) as one dict."""
        ctype = content_type(request)
        if ctype == "multipart/form-data":
            form = await request.form(max_part_size=64 * 1024 * 1024)
            out: dict[str, Any] = {}
            for key, value in form.multi_items():
                out[key] = value
            return out
        if ctype == "application/json":
            raw = await request.body()
            return json_object(
                raw, Invalid, "Request body is not valid JSON", "$: array found, object expected"
            )
        raise Invalid("Content-Type must be multipart/form-data or application/json")

    async def _media_bytes(self, value: Any) -> bytes:
        if isinstance(value, UploadFile):
            return await value.read()
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise Invalid("$.media: media must be base64 encoded") from None

    @staticmethod
    def _as_schema_input(form: dict[str, Any], integers: tuple[str, ...] = ()) -> dict[str, Any]:
        """Form fields as JSON values: files become strings, digit strings integers."""
        out: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, UploadFile):
                out[key] = "<binary>"
            elif key in integers and isinstance(value, str) and value.lstrip("-").isdigit():
                out[key] = int(value)
            else:
                out[key] = value
        return out

    def _owned_media(self, request: Request, token: Token) -> Media:
        media_id = request.path_params.get("id") or ""
        if not re.fullmatch(r"[0-9]{1,19}", media_id):
            raise Invalid(
                f"The `id` query parameter value [{media_id}] does not match ^[0-9]{{1,19}}$"
            )
        media = self.media.get(media_id)
        if media is None or media.user_id != token.user_id or media.expires_at <= time.time():
            raise Invalid(f"Media id {media_id} is invalid or expired")
        return media

    def _new_media(self, token: Token, category: str, mime: str, total: int) -> Media:
        assert token.user_id is not None
        now = time.time()
        media = Media(
            id=self._next_id(),
            user_id=token.user_id,
            category=category,
            mime=mime,
            total_bytes=total,
            created=time.monotonic(),
            expires_at=now + self.conf["media_expires_after_s"],
        )
        return self.keep(self.media, media.id, media)

    def _size_limit(self, category: str) -> int:
        return int(self.conf[CATEGORY_LIMITS.get(category, "image_size_limit")])

    def _start_processing(self, request: Request, media: Media) -> None:
        media.finalized = True
        media.asynchronous = media.category in ("tweet_video", "tweet_gif")
        if media.asynchronous:
            knobs = self.sim.effective_knobs(self.id, self.identify(request))
            media.created = time.monotonic()
            media.ready_at = media.created + (knobs.media_processing_ms or 0) / 1000
            media.failure = self.conf["media_processing_error"]

    async def upload(self, request: Request) -> Response:
        """One-shot upload: POST /2/media/upload (multipart `media`, `media_category`)."""
        token = self._auth(request, ("media.write",))
        try:
            form = await self._media_form(request)
            if "command" in form:  # the legacy INIT/APPEND/FINALIZE form is not offered here
                raise Invalid("Use /2/media/upload/initialize, /append and /finalize")
            problems = check_schema(self._as_schema_input(form), SCHEMAS["MediaUploadRequest"])
            if problems:
                raise Invalid(*problems)
            data = await self._media_bytes(form["media"])
        except Invalid as exc:
            return invalid(*exc.messages)
        category = form["media_category"]
        if category not in CATEGORY_LIMITS:
            return invalid(f"media_category {category} cannot be used in a post")
        sniffed = _sniff(data)
        if sniffed is None:
            return invalid("media type unrecognized.")
        mime, w, h = sniffed
        if not _fits(category, mime):
            return invalid(f"media_category {category} does not match the media ({mime})")
        if len(data) > self._size_limit(category):
            return invalid(f"File size exceeds {self._size_limit(category)} bytes.")
        media = self._new_media(token, category, mime, len(data))
        media.segments[0] = len(data)
        media.digest.update(data)
        media.width, media.height = w, h
        self._start_processing(request, media)
        return JSONResponse({"data": self._media_json(media)})

    async def upload_status(self, request: Request) -> Response:
        token = self._auth(request, ("media.write",))
        q = request.query_params
        for name in q:
            if name not in ("command", "media_id"):
                return invalid(f"The query parameter [{name}] is not one of [command,media_id]")
        if q.get("command", "STATUS") != "STATUS":
            return invalid(
                f"The `command` query parameter value [{q['command']}] is not one of [STATUS]"
            )
        media_id = q.get("media_id", "")
        if not re.fullmatch(r"[0-9]{1,19}", media_id):
            return invalid(
                f"The `media_id` query parameter value [{media_id}] does not match ^[0-9]{{1,19}}$"
            )
        media = self.media.get(media_id)
        if media is None or media.user_id != token.user_id or media.expires_at <= time.time():
            return JSONResponse({"errors": [not_found("media", media_id, "media_id")]}, 404)
        body = self._media_json(media)
        media.polled = True
        return JSONResponse({"data": body})

    async def initialize(self, request: Request) -> Response:
        token = self._auth(request, ("media.write",))
        try:
            if not request.headers.get("content-type", "").startswith("application/json"):
                raise Invalid("Content-Type must be application/json")
            body = await self._media_form(request)
            problems = check_schema(body, SCHEMAS["InitializeMediaUploadRequest"])
            if problems:
                raise Invalid(*problems)
            for name in ("media_type", "total_bytes"):
                if name not in body:
                    raise Invalid(f"$.{name}: is missing but it is required")
        except Invalid as exc:
            return invalid(*exc.messages)
        category = body.get("media_category") or "tweet_image"
        if category not in CATEGORY_LIMITS:
            return invalid(f"media_category {category} cannot be used in a post")
        if not _fits(category, body["media_type"]):
            return invalid(f"media_type {body['media_type']} cannot be used with {category}")
        if body["total_bytes"] > self._size_limit(category):
            return invalid(f"File size exceeds {self._size_limit(category)} bytes.")
        media = self._new_media(token, category, body["media_type"], body["total_bytes"])
        data = {
            "id": media.id,
            "media_key": media.key,
            "expires_after_secs": int(media.expires_at - time.time()),
        }
        return JSONResponse({"data": data})

    async def append(self, request: Request) -> Response:
        token = self._auth(request, ("media.write",))
        try:
            media = self._owned_media(request, token)
            form = await self._media_form(request)
            problems = check_schema(
                self._as_schema_input(form, ("segment_index",)),
                SCHEMAS["AppendMediaUploadRequest"],
            )
            if problems:
                raise Invalid(*problems)
            chunk = await self._media_bytes(form["media"])
        except Invalid as exc:
            return invalid(*exc.messages)
        index = int(form["segment_index"])
        if media.finalized:
            return invalid(f"Media id {media.id} is already finalized")
        if len(chunk) > self.conf["max_segment_bytes"]:
            return invalid(f"Segment is larger than {self.conf['max_segment_bytes']} bytes.")
        with self.sim.lock:
            if media.size - media.segments.get(index, 0) + len(chunk) > media.total_bytes:
                return invalid(E_SEGMENTS)
            if index in media.segments or index != len(media.segments):
                media.in_order = False
            media.segments[index] = len(chunk)
            if media.in_order:
                media.digest.update(chunk)
            if index == 0:
                media.head = chunk[:64]
        return JSONResponse({"data": {"expires_at": int(media.expires_at)}})

    async def finalize(self, request: Request) -> Response:
        token = self._auth(request, ("media.write",))
        try:
            media = self._owned_media(request, token)
        except Invalid as exc:
            return invalid(*exc.messages)
        with self.sim.lock:
            if not media.finalized:
                indexes = sorted(media.segments)
                if media.size != media.total_bytes or indexes != list(range(len(indexes))):
                    return invalid(E_SEGMENTS)
                sniffed = _sniff(media.head)
                if sniffed is None or not _fits(media.category, sniffed[0]):
                    return invalid("media type unrecognized.")
                media.width, media.height = sniffed[1], sniffed[2]
                self._start_processing(request, media)
        return JSONResponse({"data": self._media_json(media)})

    async def metadata(self, request: Request) -> Response:
        token = self._auth(request, ("media.write",))
        try:
            body = await self._media_form(request)
            problems = check_schema(body, SCHEMAS["CreateMediaMetadataRequest"])
            if problems:
                raise Invalid(*problems)
        except Invalid as exc:
            return invalid(*exc.messages)
        media = self.media.get(body["id"])
        if media is None or media.user_id != token.user_id:
            return invalid(f"Media id {body['id']} is invalid or expired")
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if alt is not None:
            media.alt_text = alt
        return JSONResponse({"data": {"id": media.id, "associated_metadata": True}})

    # ------------------------------------------------------------ simulator controls

    async def sim_app(self, request: Request) -> Response:
        """POST /_sim/x/apps {"redirect_uris": [...], "confidential"?: true, "client_id"?, ...}."""
        body = await self.control_body(
            request, ("redirect_uris", "confidential", "client_id", "client_secret", "name"), "app"
        )
        uris = body.get("redirect_uris")
        if not isinstance(uris, list) or not uris:
            raise SimError("'redirect_uris' must be a non-empty list")
        app = self.register_app(
            uris,
            confidential=bool(body.get("confidential", True)),
            client_id=body.get("client_id"),
            client_secret=body.get("client_secret"),
            name=body.get("name", "Herald"),
        )
        return JSONResponse(
            {
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uris": app.redirect_uris,
            }
        )

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/x/tokens {"username"?, "scopes"?, "expires_in"?, "refresh"?, "client_id"?,
        "app_only"?} → a ready token (and refresh token)."""
        body = await self.control_body(request)
        if body.get("app_only"):
            return JSONResponse({"access_token": self.issue_app_token(body.get("client_id"))})
        issued = self.issue_token(
            body.get("username") or self.conf["default_account"],
            body.get("scopes", DEFAULT_SCOPES),
            expires_in=body.get("expires_in"),
            refresh=bool(body.get("refresh", True)),
            client_id=body.get("client_id"),
        )
        return JSONResponse(issued)

    async def sim_revoke(self, request: Request) -> Response:
        value = request.path_params["token"]
        found = self.tokens.get(value) or self.refresh_tokens.get(value)
        if found is not None:
            self.revoke_family(found.family)
        return JSONResponse({})

    async def sim_user(self, request: Request) -> Response:
        """POST /_sim/x/users/{username} {"followers_count": 5, ...}: create/update."""
        user = self.ensure_user(request.path_params["username"], **await self.control_body(request))
        return JSONResponse(self._user_json(user, set(FIELD_ENUMS["user.fields"])))

    async def sim_tweet(self, request: Request) -> Response:
        """POST /_sim/x/tweets/{id} {"like_count": 3, "impression_count": 90, ...}."""
        body = await self.control_body(request)
        return self.set_counters(
            self.tweets,
            request.path_params["id"],
            lambda t: t.metrics,
            body,
            "tweet",
            render=lambda t: self._tweet_json(t, {"public_metrics"}),
        )


__all__ = ["SCHEMAS", "XSim", "check_schema", "weighted_length"]
