"""Simulated YouTube Data API v3 and Google OAuth 2.0, mounted at /youtube.

Requests are checked against Google's Discovery document for youtube:v3 (revision 20240514,
/work/shared/specs/youtube/youtube.v3.json): the method parameters and the writable part of the
`Video` schema are embedded below (same names, types and enums; a test compares them with the
document). Unknown query parameters, unknown `part` values, unknown or wrongly typed JSON fields
and bad enum values are refused in Google's error envelope
`{"error": {"code", "message", "errors": [{"message", "domain", "reason", ...}], "status"}}`.

Routes, under /youtube (real host in brackets):
  GET  /o/oauth2/v2/auth                 [accounts.google.com] auto-approves as `sim_account`
                                          (default "youtube_user"); `sim_channel` picks one of
                                          the user's channels (Google's channel chooser)
  POST /token, POST /revoke              [oauth2.googleapis.com]
  GET  /youtube/v3/channels              [www.googleapis.com] part, mine | id | forHandle
  GET  /youtube/v3/videos                part, id | chart | myRating (owner-only parts)
  DELETE /youtube/v3/videos?id=
  GET  /youtube/v3/playlistItems         part, playlistId (the uploads playlist UU...) | id
  POST /upload/youtube/v3/videos?uploadType=resumable&part=...   (also /resumable/upload/...)
  PUT  <session URI>                     chunks with Content-Range; `bytes */total` probes
  POST /upload/youtube/v3/thumbnails/set?videoId=

Simulated after platform-apis.md §6:
  * OAuth: PKCE (S256/plain, optional), codes valid `auth_code_ttl_s`, access tokens of
    `access_token_ttl_s` (3599 s), refresh tokens only with access_type=offline (on the first
    consent, or again with prompt=consent), never rotated; `invalid_grant` once revoked or
    expired (Testing-mode lifetime `refresh_token_ttl_s`, e.g. 7 days); at most
    `max_refresh_tokens` live per user and client (the oldest is dropped silently); revoking
    either token revokes the grant. A token is bound to the one channel picked at consent.
  * Quota per project (client id), reset at midnight Pacific: knob quota "units" (10,000/day;
    videos.insert costs `insert_cost` = 1600, lists 1, thumbnails.set 50) or, with
    `quota_model: "buckets"`, the 2026 model where inserts use their own "inserts" bucket
    (100/day). Exhausted → 403 youtube.quota quotaExceeded. The channel's own daily upload cap
    is the per-account quota "uploads" → 400 uploadLimitExceeded.
  * Resumable uploads: metadata validated at session start (invalidTitle, invalidDescription,
    invalidTags, invalidCategoryId, invalidPublishAt...), Location session URI, chunks must
    follow Content-Range; a non-final chunk is kept only up to a multiple of 256 KiB (the 308
    Range tells what was stored), probes answer 308 (+Range) or the finished video; the video
    exists only once the last byte arrives. Nothing of the file is buffered.
  * Processing: uploadStatus "uploaded" / processingStatus "processing" for the
    `media_processing_ms` knob, then "processed"/"succeeded"; a file that is not a video
    container fails (failureReason invalidFile); setting `processing_failure` fails every
    upload; the same file uploaded twice to a channel is rejected (rejectionReason duplicate).
    `force_private` mimics an unaudited API project (uploads locked private). Scheduled videos
    (status.publishAt) turn public when the time comes.
  * Faults in Google's envelope: 429 rateLimitExceeded (+Retry-After), 401 authError,
    duplicate → 409 duplicate, 5xx backendError.

Not simulated: uploadType=media/multipart, captions, playlists other than uploads, live.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from simulator import organic
from simulator.oauth import OAuthServer, s256
from simulator.platform import (
    ParamsError,
    PlatformSim,
    Refusal,
    content_type,
    find_named,
    per_window,
    read_params,
    with_query,
)
from simulator.state import Fault, SimError, utcnow
from simulator.youtube.discovery import GLOBAL_PARAMS, METHOD_PARAMS, SCHEMAS, check_schema

SCOPE = "https://www.googleapis.com/auth/"
SCOPES = frozenset(
    {SCOPE + s for s in ("youtube", "youtube.force-ssl", "youtube.readonly", "youtube.upload")}
    | {SCOPE + s for s in ("youtubepartner", "youtubepartner-channel-audit")}
    | {SCOPE + s for s in ("youtube.channel-memberships.creator", "yt-analytics.readonly")}
    | {SCOPE + s for s in ("yt-analytics-monetary.readonly", "userinfo.email")}
    | {SCOPE + "userinfo.profile", "openid", "email", "profile"}
)
WRITE_SCOPES = frozenset(
    SCOPE + s for s in ("youtube", "youtube.force-ssl", "youtube.upload", "youtubepartner")
)
READ_SCOPES = frozenset(
    SCOPE + s for s in ("youtube", "youtube.force-ssl", "youtube.readonly", "youtubepartner")
)
MANAGE_SCOPES = frozenset(SCOPE + s for s in ("youtube", "youtube.force-ssl", "youtubepartner"))
DEFAULT_SCOPES = f"{SCOPE}youtube.upload {SCOPE}youtube.readonly"
SANDBOX_CLIENT_ID = "herald-sandbox.apps.googleusercontent.com"
SANDBOX_CLIENT_SECRET = "GOCSPX-herald-sandbox-secret"
KIB256 = 256 * 1024
MAX_VIDEO_BYTES = 274877906944  # mediaUpload.maxSize of videos.insert
MAX_THUMBNAIL_BYTES = 2097152  # mediaUpload.maxSize of thumbnails.set
VIDEO_ACCEPT = ("video/", "application/octet-stream")
THUMBNAIL_ACCEPT = ("image/jpeg", "image/png", "application/octet-stream")
# Assignable categories of videoCategories.list (regionCode=US).
ASSIGNABLE_CATEGORIES = ("1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26")
ASSIGNABLE_CATEGORIES += ("27", "28", "29")

try:
    PACIFIC: Any = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # no tz database: standard time all year
    PACIFIC = timezone(timedelta(hours=-8))

DEFAULT_SETTINGS: dict[str, Any] = {
    "access_token_ttl_s": 3599,
    "auth_code_ttl_s": 600,
    "refresh_token_ttl_s": None,  # e.g. 604800: an app in "Testing" publishing status
    "max_refresh_tokens": 100,
    "quota_model": "units",  # or "buckets" (the 2026 model: 100 inserts/day of their own)
    "insert_cost": 1600,
    "list_cost": 1,
    "thumbnail_cost": 50,
    "delete_cost": 50,
    "max_title_chars": 100,
    "max_description_bytes": 5000,
    "max_tags_chars": 500,
    "max_video_bytes": MAX_VIDEO_BYTES,
    "session_ttl_s": 7 * 86400,
    "processing_failure": None,  # e.g. "transcodeFailed": every upload fails processing
    "sniff_media": True,  # a file that is not a video container fails processing
    "reject_duplicates": True,
    "force_private": False,  # unaudited API project: uploads are locked private
    "thumbnails_need_verification": False,
    "default_account": "youtube_user",
}

# Resource properties that can be named in `part` (Video/Channel/PlaylistItem minus kind/etag).
VIDEO_PARTS = frozenset(set(SCHEMAS["Video"]["properties"]) - {"kind", "etag"})
CHANNEL_PARTS = frozenset(
    {
        "auditDetails",
        "brandingSettings",
        "contentDetails",
        "contentOwnerDetails",
        "conversionPings",
        "id",
        "localizations",
        "snippet",
        "statistics",
        "status",
        "topicDetails",
    }
)
PLAYLIST_ITEM_PARTS = frozenset({"contentDetails", "id", "snippet", "status"})
OWNER_ONLY_VIDEO_PARTS = frozenset({"fileDetails", "processingDetails", "suggestions"})
WRITABLE_VIDEO_PARTS = frozenset({"snippet", "status", "recordingDetails", "localizations"})

RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
E_QUOTA = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)
E_UPLOAD_LIMIT = "The user has exceeded the number of videos they may upload."
E_AUTH = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
E_LOGIN = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
E_SCOPE = "Request had insufficient authentication scopes."
E_REVOKED = "Token has been expired or revoked."


# ----------------------------------------------------------------- Google error bodies


def google_error(
    status: int,
    reason: str,
    message: str,
    domain: str = "global",
    *,
    location: str | None = None,
    location_type: str = "parameter",
    headers: dict[str, str] | None = None,
    extra_errors: list[str] | None = None,
) -> JSONResponse:
    """Google's JSON error envelope (the v1 `errors` list plus the RPC `status`)."""
    errors: list[dict[str, Any]] = []
    for text in [message, *(extra_errors or [])]:
        item: dict[str, Any] = {"message": text, "domain": domain, "reason": reason}
        if location:
            item["location"] = location
            item["locationType"] = location_type
        errors.append(item)
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": errors,
            "status": RPC_STATUS.get(status, "UNKNOWN"),
        }
    }
    return JSONResponse(body, status, headers=headers)


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


def invalid_payload(problems: list[str]) -> JSONResponse:
    """Proto-JSON parse failures: unknown names, wrong types, bad enum values."""
    body = {
        "error": {
            "code": 400,
            "message": "\n".join(problems),
            "errors": [{"message": p, "domain": "global", "reason": "invalid"} for p in problems],
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"description": p} for p in problems],
                }
            ],
        }
    }
    return JSONResponse(body, 400)


def google_page(status: int, title: str, detail: str) -> HTMLResponse:
    """The HTML error page accounts.google.com shows instead of redirecting."""
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Error</title>"
        f"<h1>Access blocked: Authorization Error</h1><p>{html.escape(detail)}</p>"
        f"<p><b>Error {status}: {html.escape(title)}</b></p></html>"
    )
    return HTMLResponse(page, status)


def _rfc3339(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_rfc3339(value: str) -> datetime | None:
    if not isinstance(value, str) or not re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value
    ):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def pacific_day(now: float) -> tuple[float, float]:
    """Start and end (epoch seconds) of the current day in US Pacific time."""
    local = datetime.fromtimestamp(now, PACIFIC)
    start = datetime.combine(local.date(), dtime(0), PACIFIC)
    end = datetime.combine(local.date() + timedelta(days=1), dtime(0), PACIFIC)
    return start.timestamp(), end.timestamp()


def _looks_like_video(head: bytes) -> bool:
    """Container signatures: ISO-BMFF (mp4/mov/3gp), Matroska/WebM, AVI, FLV, MPEG-PS/TS, ASF."""
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
        or head.startswith(b"\x1a\x45\xdf\xa3")
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
        or head.startswith(b"FLV")
        or head.startswith(b"\x00\x00\x01\xba")
        or (len(head) > 188 and head[0] == 0x47 and head[188] == 0x47)
        or head.startswith(bytes.fromhex("3026b2758e66cf11"))
    )


def _image_kind(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def tags_length(tags: list[str]) -> int:
    """YouTube's count for the 500-character tag limit: commas between tags count, and a tag
    with a space counts its surrounding quotes."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)


def parse_params(request: Request, method: str) -> dict[str, Any]:
    """Query parameters of a Discovery method: unknown names, missing required ones, types,
    ranges and enums are refused as Google refuses them. Repeated params are split on commas."""
    spec = METHOD_PARAMS[method]
    out: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if name in GLOBAL_PARAMS:
            out[name] = value
            continue
        prop = spec.get(name)
        if prop is None:
            raise Refusal(
                invalid_payload(
                    [
                        f'Invalid JSON payload received. Unknown name "{name}": Cannot bind '
                        f"query parameter. Field '{name}' could not be found in request message."
                    ]
                )
            )
        if prop.get("repeated"):
            out.setdefault(name, []).extend(v.strip() for v in value.split(",") if v.strip())
            continue
        kind = prop.get("type")
        if kind == "boolean":
            if value.lower() not in ("true", "false"):
                raise Refusal(
                    google_error(
                        400,
                        "invalidParameter",
                        f"Invalid boolean value: '{value}'.",
                        location=name,
                    )
                )
            out[name] = value.lower() == "true"
        elif kind == "integer":
            low, high = int(prop.get("minimum", 0)), int(prop.get("maximum", 2**31))
            if not value.lstrip("-").isdigit() or not low <= int(value) <= high:
                raise Refusal(
                    google_error(
                        400,
                        "invalidParameter",
                        f"Invalid value '{value}'. Values must be within the range: "
                        f"[{low}, {high}]",
                        location=name,
                    )
                )
            out[name] = int(value)
        else:
            if "enum" in prop and value not in prop["enum"]:
                raise Refusal(
                    google_error(
                        400,
                        "invalidParameter",
                        f"Invalid value '{value}'. Values must be one of: "
                        f"{', '.join(prop['enum'])}",
                        location=name,
                    )
                )
            out[name] = value
    for name, prop in spec.items():
        if prop.get("required") and not out.get(name):
            raise Refusal(
                google_error(400, "required", f"Required parameter: {name}", location=name)
            )
    return out


def check_parts(parts: list[str], allowed: frozenset[str]) -> None:
    for part in parts:
        if part not in allowed:
            raise Refusal(
                google_error(400, "unknownPart", f"'{part}'", "youtube.part", location="part")
            )


def one_filter(p: dict[str, Any], names: tuple[str, ...], expected: str) -> str:
    """The one filter parameter (of `names`, in that order) a list request sets; refused when it
    sets none (the error names the `expected` ones) or several."""
    filters = [f for f in names if f in p]
    if len(filters) != 1:
        raise Refusal(
            google_error(
                400,
                "missingRequiredParameter" if not filters else "incompatibleParameters",
                f"No filter selected. Expected one of: {expected}"
                if not filters
                else f"Incompatible parameters specified in the request: {', '.join(filters)}",
                "youtube.parameter",
            )
        )
    return filters[0]


# ----------------------------------------------------------------- state


@dataclass
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


@dataclass
class Channel:
    id: str
    user_id: str
    title: str
    handle: str  # "@name"
    created_at: datetime
    subscribers: int = 0
    views: int = 0
    hidden_subscribers: bool = False
    verified: bool = True

    @property
    def uploads(self) -> str:
        return "UU" + self.id[2:]

    @property
    def account(self) -> str:
        return self.handle.lstrip("@")


@dataclass
class User:
    id: str
    username: str
    name: str
    channels: list[str] = field(default_factory=list)


@dataclass
class Grant:
    id: str
    user_id: str
    channel_id: str
    client_id: str
    scopes: list[str]
    created: float
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    revoked: bool = False


@dataclass
class Token:
    value: str
    grant_id: str
    expires_at: float


@dataclass
class Session:
    id: str
    channel_id: str
    client_id: str
    parts: list[str]
    resource: dict[str, Any]
    total: int | None
    mime: str
    created: float
    notify: bool = True
    received: int = 0
    head: bytes = b""
    digest: Any = field(default_factory=hashlib.sha256)
    video_id: str | None = None


@dataclass
class Video:
    id: str
    channel_id: str
    snippet: dict[str, Any]
    status: dict[str, Any]
    recording: dict[str, Any] | None
    localizations: dict[str, Any] | None
    created_at: datetime
    ready_at: float  # monotonic
    size: int
    sha256: str
    mime: str
    failure: str | None = None  # processingFailureReason
    failure_reason: str | None = None  # status.failureReason
    duplicate_of: str | None = None
    deleted: bool = False
    custom_thumbnail: bool = False
    item_id: str = field(default_factory=lambda: secrets.token_urlsafe(36))
    stats: dict[str, int] = field(
        default_factory=lambda: {"viewCount": 0, "likeCount": 0, "commentCount": 0}
    )


def _page_token(offset: int) -> str:
    return "CA" + base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: str) -> int | None:
    if not token.startswith("CA"):
        return None
    raw = token[2:]
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(text[2:]) if text.startswith("o:") and text[2:].isdigit() else None


def _etag() -> str:
    return secrets.token_urlsafe(20)


# ----------------------------------------------------------------- the simulator


class YouTubeSim(OAuthServer, PlatformSim):
    id = "youtube"
    organic_posts = ("videos", "stats", organic.OWN_COUNTERS["youtube"])
    organic_accounts = ("channels", "account", "subscribers")
    display_name = "YouTube"
    quotas = per_window(86400, units=10_000, inserts=100, uploads=100)
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.apps: dict[str, App] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token → grant id
        self.codes: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, Session] = {}
        self.videos: dict[str, Video] = {}
        self.usage: dict[tuple[str, str], tuple[float, float, int]] = {}
        self.register_app(["*"], SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)

    def configure(self, settings: dict[str, Any]) -> None:
        if settings.get("quota_model", "units") not in ("units", "buckets"):
            raise SimError("quota_model must be 'units' or 'buckets'")
        super().configure(settings)

    # ------------------------------------------------------------ helpers (tests, benchmarks)

    def register_app(
        self,
        redirect_uris: list[str],
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> App:
        app = App(
            client_id
            or f"{secrets.randbelow(10**12)}-{secrets.token_hex(8)}.apps.googleusercontent.com",
            client_secret or "GOCSPX-" + secrets.token_urlsafe(21),
            list(redirect_uris),
        )
        return self.keep(self.apps, app.client_id, app)

    def ensure_user(
        self, username: str, *, name: str | None = None, channels: list[str] | None = None
    ) -> User:
        """A Google account; `channels` lists the titles of its channels (the first is the
        personal one, the others brand accounts). Missing channels are created."""
        with self.sim.lock:
            user = find_named(self.users, username)
            if user is None:
                user = User(
                    str(100000000000000000000 + secrets.randbelow(10**20)),
                    username,
                    name or username.replace("_", " ").title(),
                )
                self.users[user.id] = user
            elif name:
                user.name = name
            titles = channels or ([] if user.channels else [user.name])
            for title in titles:
                if any(self.channels[c].title == title for c in user.channels):
                    continue
                handle = "@" + (
                    username
                    if not user.channels
                    else re.sub(r"[^a-z0-9._-]", "", title.lower().replace(" ", "")) or "channel"
                )
                channel = Channel(
                    "UC" + secrets.token_urlsafe(16)[:22],
                    user.id,
                    title,
                    handle,
                    utcnow(),
                )
                self.channels[channel.id] = channel
                user.channels.append(channel.id)
            return user

    def find_channel(self, user: User, wanted: str | None) -> Channel | None:
        if not wanted:
            return self.channels[user.channels[0]]
        for cid in user.channels:
            c = self.channels[cid]
            if wanted in (c.id, c.title, c.handle, c.handle.lstrip("@")):
                return c
        return None

    def _grant(
        self,
        user: User,
        channel: Channel,
        client_id: str,
        scopes: list[str],
        *,
        refresh: bool,
    ) -> Grant:
        now = time.time()
        grant = Grant(secrets.token_hex(8), user.id, channel.id, client_id, scopes, now)
        if refresh:
            grant.refresh_token = "1//0" + secrets.token_urlsafe(75)
            ttl = self.conf["refresh_token_ttl_s"]
            grant.refresh_expires_at = now + ttl if ttl else None
        with self.sim.lock:
            self.grants[grant.id] = grant
            if grant.refresh_token:
                self.refresh_tokens[grant.refresh_token] = grant.id
                live = sorted(
                    (
                        g
                        for g in self.grants.values()
                        if g.user_id == user.id
                        and g.client_id == client_id
                        and g.refresh_token
                        and not g.revoked
                    ),
                    key=lambda g: g.created,
                )
                for old in live[: max(0, len(live) - int(self.conf["max_refresh_tokens"]))]:
                    old.revoked = True  # Google drops the oldest silently
        return grant

    def _access(self, grant: Grant, expires_in: float | None = None) -> Token:
        ttl = self.conf["access_token_ttl_s"] if expires_in is None else expires_in
        token = Token("ya29." + secrets.token_urlsafe(120), grant.id, time.time() + ttl)
        return self.keep(self.tokens, token.value, token)

    def issue_token(
        self,
        username: str | None = None,
        scopes: str = DEFAULT_SCOPES,
        *,
        channel: str | None = None,
        expires_in: float | None = None,
        refresh: bool = True,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Mint a token set without the OAuth dance (for tests and benchmarks)."""
        user = self.ensure_user(username or self.conf["default_account"])
        picked = self.find_channel(user, channel)
        if picked is None:
            raise SimError(f"user {user.username!r} has no channel {channel!r}")
        client_id = self.issuing_app(client_id)
        unknown = [s for s in scopes.split() if s not in SCOPES]
        if unknown:
            raise SimError(f"unknown scopes {unknown}")
        grant = self._grant(user, picked, client_id, scopes.split(), refresh=refresh)
        token = self._access(grant, expires_in)
        return {
            "access_token": token.value,
            "refresh_token": grant.refresh_token,
            "expires_at": token.expires_at,
            "scope": " ".join(grant.scopes),
            "channel_id": picked.id,
            "user_id": user.id,
            "username": user.username,
        }

    def expire_token(self, value: str) -> None:
        with self.sim.lock:
            if value in self.tokens:
                self.tokens[value].expires_at = time.time() - 1
            grant_id = self.refresh_tokens.get(value)
            if grant_id:
                self.grants[grant_id].refresh_expires_at = time.time() - 1

    def revoke_token(self, value: str) -> bool:
        with self.sim.lock:
            grant_id = self.refresh_tokens.get(value) or (
                self.tokens[value].grant_id if value in self.tokens else None
            )
            if grant_id is None or self.grants[grant_id].revoked:
                return False
            self.grants[grant_id].revoked = True
            return True

    # ------------------------------------------------------------ quota

    def _spend(self, family: str, key: str, cost: int, account: str | None = None) -> float | None:
        """Take `cost` from a quota; None if allowed, else the epoch time it resets.

        Daily quotas (window_s a multiple of 86400) reset at midnight Pacific, like Google's;
        shorter windows (tests) start at their first use."""
        if cost <= 0:
            return None
        quota = (self.sim.effective_knobs(self.id, account).quotas or {}).get(family)
        if not quota:
            return None
        limit, window = int(quota["limit"]), float(quota["window_s"])
        now = time.time()
        with self.sim.lock:
            start, end, used = self.usage.get((family, key), (0.0, 0.0, 0))
            if now >= end:
                if window >= 86400 and window % 86400 == 0:
                    start, end = pacific_day(now)
                else:
                    start, end = now, now + window
                used = 0
            if used + cost > limit:
                self.usage[(family, key)] = (start, end, used)
                return end
            self.usage[(family, key)] = (start, end, used + cost)
        return None

    def _charge(self, client_id: str, cost: int) -> None:
        """Spend `cost` quota units of the client's; refused when its quota is exhausted."""
        if self._spend("units", client_id, cost) is not None:
            raise Refusal(google_error(403, "quotaExceeded", E_QUOTA, "youtube.quota"))

    def _charge_list(self, request: Request, grant: Grant | None) -> None:
        """Charge a list call to the authorizing client, else to the API key (or "anonymous")."""
        client = grant.client_id if grant else str(request.query_params.get("key", "anonymous"))
        self._charge(client, self.conf["list_cost"])

    # ------------------------------------------------------------ auth

    def _token_value(self, request: Request) -> str:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        q = request.query_params
        return q.get("access_token") or q.get("oauth_token") or ""

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self._token_value(request))
        if token is not None:
            grant = self.grants.get(token.grant_id)
            channel = self.channels.get(grant.channel_id) if grant else None
            return channel.account if channel else None
        session = self.sessions.get(request.query_params.get("upload_id", ""))
        if session is not None:
            return self.channels[session.channel_id].account
        return None

    def _auth(self, request: Request, scopes: frozenset[str]) -> Grant:
        value = self._token_value(request)
        www = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        if not value:
            raise Refusal(
                google_error(
                    401,
                    "required",
                    E_LOGIN,
                    location="Authorization",
                    location_type="header",
                    headers=www,
                )
            )
        token = self.tokens.get(value)
        grant = self.grants.get(token.grant_id) if token else None
        if token is None or grant is None or grant.revoked or token.expires_at <= time.time():
            raise Refusal(
                google_error(
                    401,
                    "authError",
                    E_AUTH,
                    location="Authorization",
                    location_type="header",
                    headers={
                        "WWW-Authenticate": www["WWW-Authenticate"] + ', error="invalid_token"'
                    },
                )
            )
        if not scopes & set(grant.scopes):
            raise Refusal(
                google_error(
                    403,
                    "insufficientPermissions",
                    E_SCOPE,
                    headers={
                        "WWW-Authenticate": www["WWW-Authenticate"]
                        + ', error="insufficient_scope", scope="'
                        + " ".join(sorted(scopes))
                        + '"'
                    },
                )
            )
        return grant

    # ------------------------------------------------------------ faults

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            wait = fault.wait()
            return google_error(
                429,
                "rateLimitExceeded",
                fault.message
                or "The request cannot be completed because you have exceeded "
                "your quota of requests per minute.",
                "youtube.quota",
                headers={"Retry-After": str(wait)},
            )
        if kind == "401":
            return google_error(
                401,
                "authError",
                fault.message or E_AUTH,
                location="Authorization",
                location_type="header",
            )
        if kind == "duplicate":
            return google_error(
                409,
                "duplicate",
                fault.message
                or "The requested operation failed because it tried to create "
                "a resource that already exists.",
            )
        status = int(kind)
        message = {
            503: "The service is currently unavailable.",
            504: "Deadline exceeded.",
            502: "Bad Gateway",
        }.get(status, "Backend Error")
        return google_error(status, "backendError", fault.message or message)

    # ------------------------------------------------------------ routes

    def sandbox(self) -> dict[str, str]:
        """Google's token host is served here too."""
        return super().sandbox() | {"token_base": f"/{self.id}"}

    def routes(self) -> list[BaseRoute]:
        api = "/youtube/v3"
        return self.api_routes(
            ("GET", "/o/oauth2/v2/auth", self.authorize),
            ("POST", "/token", self.token),
            ("POST", "/revoke", self.revoke),
            ("GET", api + "/channels", self.channels_list),
            ("GET", api + "/videos", self.videos_list),
            ("DELETE", api + "/videos", self.videos_delete),
            ("GET", api + "/playlistItems", self.playlist_items),
            ("POST", "/upload" + api + "/videos", self.upload_start),
            ("PUT", "/upload" + api + "/videos", self.upload_put),
            ("POST", "/resumable/upload" + api + "/videos", self.upload_start),
            ("POST", "/upload" + api + "/thumbnails/set", self.thumbnail_set),
            ("POST", api + "/thumbnails/set", self.thumbnail_set),
            ("GET POST PUT DELETE PATCH", "/{path:path}", self.not_found),
        )

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/tokens/{token}/revoke", self.sim_revoke, methods=["POST"]),
            Route("/channels/{id}", self.sim_channel, methods=["POST"]),
            Route("/videos/{id}", self.sim_video, methods=["POST"]),
        ]

    async def not_found(self, request: Request) -> Response:
        page = (
            "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 404 (Not Found)!!1"
            "</title><p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>"
            f"{html.escape(request.url.path)}</code> was not found on this server. "
            "<ins>That’s all we know.</ins>"
        )
        return HTMLResponse(page, 404)

    # ------------------------------------------------------------ OAuth

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        app = self.apps.get(q.get("client_id", ""))
        if app is None:
            return google_page(401, "invalid_client", "The OAuth client was not found.")
        redirect_uri = q.get("redirect_uri", "")
        if not self.redirect_allowed(app, redirect_uri):
            return google_page(
                400,
                "redirect_uri_mismatch",
                "You can't sign in to this app because it doesn't comply with Google's OAuth "
                "2.0 policy. If you're the app developer, register the redirect URI.",
            )
        if q.get("response_type") != "code":
            return google_page(
                400, "invalid_request", "Required parameter is missing: response_type"
            )
        scopes = q.get("scope", "").split()
        if not scopes:
            return google_page(400, "invalid_request", "Missing required parameter: scope")
        bad = [s for s in scopes if s not in SCOPES]
        if bad:
            return google_page(400, "invalid_scope", f"Some requested scopes were invalid. {bad}")
        access_type = q.get("access_type", "online")
        if access_type not in ("online", "offline"):
            return google_page(400, "invalid_request", f"Invalid access_type: {access_type}")
        prompt = set(q.get("prompt", "").split())
        if prompt - {"none", "consent", "select_account"} or ("none" in prompt and len(prompt) > 1):
            return google_page(400, "invalid_request", f"Invalid prompt: {q.get('prompt')}")
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method", "plain" if challenge else "")
        if challenge is not None:
            if method not in ("S256", "plain"):
                return google_page(400, "invalid_request", "Invalid code_challenge_method.")
            if not re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", challenge):
                return google_page(400, "invalid_request", "Invalid code_challenge.")
        elif q.get("code_challenge_method"):
            return google_page(400, "invalid_request", "Missing code_challenge.")
        user = self.ensure_user(self.consenting_account(request))
        channel = self.find_channel(user, q.get("sim_channel"))
        params: dict[str, str] = {}
        if q.get("state") is not None:
            params["state"] = q["state"]
        if channel is None or q.get("sim_deny"):
            return RedirectResponse(
                with_query(redirect_uri, {**params, "error": "access_denied"}), 302
            )
        with self.sim.lock:
            if q.get("include_granted_scopes") == "true":
                for g in self.grants.values():
                    if g.user_id == user.id and g.client_id == app.client_id and not g.revoked:
                        scopes += [s for s in g.scopes if s not in scopes]
            first = not any(
                g.user_id == user.id and g.client_id == app.client_id and g.refresh_token
                for g in self.grants.values()
                if not g.revoked
            )
            code = "4/0" + secrets.token_urlsafe(54)
            self.codes[code] = {
                "client_id": app.client_id,
                "user_id": user.id,
                "channel_id": channel.id,
                "redirect_uri": redirect_uri,
                "scopes": scopes,
                "challenge": challenge,
                "method": method,
                "refresh": access_type == "offline" and (first or "consent" in prompt),
                "expires": time.monotonic() + self.conf["auth_code_ttl_s"],
            }
        params.update(
            {"code": code, "scope": " ".join(scopes), "authuser": "0", "prompt": "consent"}
        )
        return RedirectResponse(with_query(redirect_uri, params), 302)

    def _client(self, request: Request, p: dict[str, Any]) -> App | Response:
        client_id, secret = p.get("client_id"), p.get("client_secret")
        scheme, _, raw = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(raw).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return oauth_error("invalid_client", "Unauthorized", 401)
        app = self.apps.get(str(client_id or ""))
        if app is None:
            return oauth_error("invalid_client", "The OAuth client was not found.", 401)
        if not secret or not secrets.compare_digest(app.client_secret, str(secret)):
            return oauth_error("invalid_client", "Unauthorized", 401)
        return app

    async def token(self, request: Request) -> Response:
        try:
            p = await read_params(request)
        except ParamsError:
            return oauth_error("invalid_request", "Invalid request body")
        grant_type = p.get("grant_type")
        if not grant_type:
            return oauth_error("unsupported_grant_type", "Invalid grant_type: ")
        if grant_type not in ("authorization_code", "refresh_token"):
            return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        app = self._client(request, p)
        if isinstance(app, Response):
            return app
        if grant_type == "refresh_token":
            return self._refresh(app, p)
        code = str(p.get("code") or "")
        if not code:
            return oauth_error("invalid_request", "Missing required parameter: code")
        with self.sim.lock:
            grant_info = self.codes.pop(code, None)
        if grant_info is None:
            bad = not code.startswith("4/")
            return oauth_error("invalid_grant", "Malformed auth code." if bad else "Bad Request")
        if grant_info["client_id"] != app.client_id or grant_info["expires"] < time.monotonic():
            return oauth_error("invalid_grant", "Bad Request")
        if p.get("redirect_uri") != grant_info["redirect_uri"]:
            return oauth_error("redirect_uri_mismatch", "Bad Request")
        if grant_info["challenge"]:
            verifier = str(p.get("code_verifier") or "")
            if not verifier:
                return oauth_error("invalid_grant", "Missing code verifier.")
            if grant_info["method"] == "S256":
                computed = s256(verifier, "ascii", "replace")
            else:
                computed = verifier
            if not secrets.compare_digest(computed, grant_info["challenge"]):
                return oauth_error("invalid_grant", "Invalid code verifier.")
        user = self.users[grant_info["user_id"]]
        grant = self._grant(
            user,
            self.channels[grant_info["channel_id"]],
            app.client_id,
            grant_info["scopes"],
            refresh=grant_info["refresh"],
        )
        return self._token_body(grant, include_refresh=True)

    def _token_body(self, grant: Grant, *, include_refresh: bool) -> Response:
        token = self._access(grant)
        body: dict[str, Any] = {
            "access_token": token.value,
            "expires_in": int(self.conf["access_token_ttl_s"]),
            "scope": " ".join(grant.scopes),
            "token_type": "Bearer",
        }
        if include_refresh and grant.refresh_token:
            body["refresh_token"] = grant.refresh_token
        if grant.refresh_expires_at is not None:
            body["refresh_token_expires_in"] = max(0, int(grant.refresh_expires_at - time.time()))
        return JSONResponse(body, headers={"Cache-Control": "no-cache, no-store"})

    def _refresh(self, app: App, p: dict[str, Any]) -> Response:
        value = str(p.get("refresh_token") or "")
        if not value:
            return oauth_error("invalid_request", "Missing required parameter: refresh_token")
        grant = self.grants.get(self.refresh_tokens.get(value, ""))
        if grant is None or grant.revoked:
            return oauth_error("invalid_grant", E_REVOKED)
        if grant.refresh_expires_at is not None and grant.refresh_expires_at <= time.time():
            return oauth_error("invalid_grant", E_REVOKED)
        if grant.client_id != app.client_id:
            return oauth_error("unauthorized_client", "Unauthorized")
        return self._token_body(grant, include_refresh=False)

    async def revoke(self, request: Request) -> Response:
        try:
            p = await read_params(request)
        except ParamsError:
            p = {}
        value = str(p.get("token") or "")
        if not value:
            return oauth_error("invalid_request", "Missing required parameter: token")
        if not self.revoke_token(value):
            return oauth_error("invalid_token", "Token expired or revoked")
        return JSONResponse({})

    # ------------------------------------------------------------ JSON shapes

    def _thumbs(self, base: str) -> dict[str, Any]:
        sizes = (("default", 120, 90), ("medium", 320, 180), ("high", 480, 360))
        return {
            name: {"url": f"{base}/{name}.jpg", "width": w, "height": h} for name, w, h in sizes
        }

    def _channel_json(self, c: Channel, parts: list[str], owner: bool) -> dict[str, Any]:
        videos = [
            v
            for v in self.videos.values()
            if v.channel_id == c.id
            and not v.deleted
            and self._state(v)[0] == "processed"
            and v.status["privacyStatus"] == "public"
        ]
        full: dict[str, Any] = {
            "snippet": {
                "title": c.title,
                "description": "",
                "customUrl": c.handle,
                "publishedAt": _rfc3339(c.created_at),
                "thumbnails": self._thumbs(f"https://yt3.ggpht.com/{c.id}"),
                "localized": {"title": c.title, "description": ""},
            },
            "contentDetails": {
                "relatedPlaylists": {"likes": "LL" if owner else "", "uploads": c.uploads}
            },
            "statistics": {
                "viewCount": str(c.views + sum(v.stats["viewCount"] for v in videos)),
                "subscriberCount": str(c.subscribers),
                "hiddenSubscriberCount": c.hidden_subscribers,
                "videoCount": str(len(videos)),
            },
            "status": {
                "privacyStatus": "public",
                "isLinked": True,
                "longUploadsStatus": "allowed" if c.verified else "eligible",
                "madeForKids": False,
            },
            "brandingSettings": {"channel": {"title": c.title}},
            "topicDetails": {},
            "localizations": {},
            "contentOwnerDetails": {},
            "auditDetails": {
                "overallGoodStanding": True,
                "communityGuidelinesGoodStanding": True,
                "copyrightStrikesGoodStanding": True,
                "contentIdClaimsGoodStanding": True,
            },
        }
        if c.hidden_subscribers and not owner:
            del full["statistics"]["subscriberCount"]
        out: dict[str, Any] = {"kind": "youtube#channel", "etag": _etag(), "id": c.id}
        for part in parts:
            if part in full:
                out[part] = full[part]
        return out

    def _state(self, v: Video) -> tuple[str, str]:
        """(status.uploadStatus, processingDetails.processingStatus) now; also publishes
        scheduled videos whose time has come."""
        if v.deleted:
            return "deleted", "terminated"
        if time.monotonic() < v.ready_at:
            return "uploaded", "processing"
        if v.failure:
            return "failed", "failed"
        if v.duplicate_of:
            return "rejected", "succeeded"
        publish_at = v.status.get("publishAt")
        if publish_at and (_parse_rfc3339(publish_at) or utcnow()) <= utcnow():
            v.status["privacyStatus"] = "public"
            v.status.pop("publishAt", None)
            v.snippet["publishedAt"] = _rfc3339(utcnow())
        return "processed", "succeeded"

    def _video_json(self, v: Video, parts: list[str], owner: bool) -> dict[str, Any]:
        upload_status, processing = self._state(v)
        channel = self.channels[v.channel_id]
        snippet = dict(v.snippet)
        snippet.update(
            {
                "channelId": channel.id,
                "channelTitle": channel.title,
                "thumbnails": self._thumbs(f"https://i.ytimg.com/vi/{v.id}"),
                "liveBroadcastContent": "none",
                "localized": {"title": snippet["title"], "description": snippet["description"]},
            }
        )
        status = {
            "uploadStatus": upload_status,
            "privacyStatus": v.status["privacyStatus"],
            "license": v.status.get("license", "youtube"),
            "embeddable": v.status.get("embeddable", True),
            "publicStatsViewable": v.status.get("publicStatsViewable", True),
            "madeForKids": bool(v.status.get("selfDeclaredMadeForKids", False)),
        }
        if owner:
            status["selfDeclaredMadeForKids"] = bool(v.status.get("selfDeclaredMadeForKids"))
        if v.status.get("publishAt"):
            status["publishAt"] = v.status["publishAt"]
        if upload_status == "failed":
            status["failureReason"] = v.failure_reason or "conversion"
        if upload_status == "rejected":
            status["rejectionReason"] = "duplicate"
        details: dict[str, Any] = {
            "processingStatus": processing,
            "fileDetailsAvailability": "available",
            "processingIssuesAvailability": "available",
            "tagSuggestionsAvailability": "available",
            "editorSuggestionsAvailability": "available",
            "thumbnailsAvailability": "available" if processing == "succeeded" else "inProgress",
        }
        if processing == "processing":
            left = max(0, int((v.ready_at - time.monotonic()) * 1000))
            details["processingProgress"] = {
                "partsTotal": "1000",
                "partsProcessed": "0" if left else "1000",
                "timeLeftMs": str(left),
            }
        if processing == "failed":
            details["processingFailureReason"] = v.failure
        full: dict[str, Any] = {
            "snippet": snippet,
            "status": status,
            "statistics": {
                "viewCount": str(v.stats["viewCount"]),
                "likeCount": str(v.stats["likeCount"]),
                "favoriteCount": "0",
                "commentCount": str(v.stats["commentCount"]),
            },
            "processingDetails": details,
            "contentDetails": {
                "duration": "PT0S" if processing == "processing" else "PT1M",
                "dimension": "2d",
                "definition": "hd",
                "caption": "false",
                "licensedContent": False,
                "contentRating": {},
                "projection": "rectangular",
                "hasCustomThumbnail": v.custom_thumbnail,
            },
            "player": {
                "embedHtml": f'<iframe width="480" height="270" src="//www.youtube.com/embed/'
                f'{v.id}" frameborder="0" allowfullscreen></iframe>'
            },
            "fileDetails": {"fileSize": str(v.size), "fileType": "video", "container": v.mime},
            "suggestions": {},
            "topicDetails": {},
        }
        if v.recording is not None:
            full["recordingDetails"] = v.recording
        if v.localizations is not None:
            full["localizations"] = v.localizations
        out: dict[str, Any] = {"kind": "youtube#video", "etag": _etag(), "id": v.id}
        for part in parts:
            if part in full and (owner or part not in OWNER_ONLY_VIDEO_PARTS):
                out[part] = full[part]
        return out

    def _visible(self, v: Video, grant: Grant | None) -> bool:
        if v.deleted:
            return False
        if grant is not None and grant.channel_id == v.channel_id:
            return True
        return self._state(v)[0] == "processed" and v.status["privacyStatus"] != "private"

    @staticmethod
    def _list(kind: str, items: list[dict[str, Any]], total: int, per_page: int) -> dict:
        return {
            "kind": kind,
            "etag": _etag(),
            "pageInfo": {"totalResults": total, "resultsPerPage": per_page},
            "items": items,
        }

    # ------------------------------------------------------------ read API

    async def channels_list(self, request: Request) -> Response:
        p = parse_params(request, "channels.list")
        check_parts(p["part"], CHANNEL_PARTS)
        chosen = one_filter(
            p,
            ("categoryId", "forHandle", "forUsername", "id", "managedByMe", "mine")
            + ("mySubscribers",),
            "forUsername, managedByMe, categoryId, mine, mySubscribers, id, idParam, forHandle",
        )
        needs_auth = chosen in ("mine", "managedByMe", "mySubscribers")
        grant: Grant | None = None
        if needs_auth or self._token_value(request):
            grant = self._auth(request, READ_SCOPES | {SCOPE + "youtubepartner-channel-audit"})
        if "auditDetails" in p["part"] and (
            grant is None or SCOPE + "youtubepartner-channel-audit" not in grant.scopes
        ):
            return google_error(
                403,
                "insufficientPermissions",
                "The request is not properly authorized to retrieve auditDetails.",
                "youtube.channel",
            )
        if chosen == "managedByMe" or p.get("onBehalfOfContentOwner"):
            return google_error(
                403,
                "forbidden",
                "The request is not properly authorized. The onBehalfOfContentOwner parameter "
                "is only for YouTube content partners.",
                "youtube.common",
            )
        self._charge_list(request, grant)
        with self.sim.lock:
            if chosen == "mine":
                found = [self.channels[grant.channel_id]] if grant and p["mine"] else []
            elif chosen == "id":
                found = [self.channels[i] for i in p["id"] if i in self.channels]
            elif chosen == "forHandle":
                want = p["forHandle"].lstrip("@").lower()
                found = [c for c in self.channels.values() if c.account.lower() == want]
            else:
                found = []
            items = [
                self._channel_json(c, p["part"], grant is not None and grant.channel_id == c.id)
                for c in found
            ]
        body = self._list("youtube#channelListResponse", items, len(items), 5)
        return JSONResponse(body)

    async def videos_list(self, request: Request) -> Response:
        p = parse_params(request, "videos.list")
        check_parts(p["part"], VIDEO_PARTS)
        chosen = one_filter(p, ("chart", "id", "myRating"), "myRating, chart, id")
        grant: Grant | None = None
        if chosen == "myRating" or self._token_value(request):
            grant = self._auth(request, READ_SCOPES)
        self._charge_list(request, grant)
        with self.sim.lock:
            if chosen == "id":
                if len(p["id"]) > 50:
                    return google_error(
                        400,
                        "invalidParameter",
                        "Too many ids: at most 50",
                        "youtube.parameter",
                        location="id",
                    )
                found = [self.videos[i] for i in p["id"] if i in self.videos]
                found = [v for v in found if self._visible(v, grant)]
            elif chosen == "chart":
                found = sorted(
                    (v for v in self.videos.values() if self._visible(v, None)),
                    key=lambda v: -v.stats["viewCount"],
                )[: p.get("maxResults", 5)]
            else:
                found = []
            items = [
                self._video_json(
                    v, p["part"], grant is not None and grant.channel_id == v.channel_id
                )
                for v in found
            ]
        body = self._list("youtube#videoListResponse", items, len(items), len(items))
        return JSONResponse(body)

    def _live_video(self, video_id: str, action: str, domain: str, location: str) -> Video:
        """The video of that id unless it is unknown or deleted (refused as "videoNotFound",
        the trouble being with the parameter at `location`)."""
        video = self.videos.get(video_id)
        if video is None or video.deleted:
            raise Refusal(
                google_error(
                    404,
                    "videoNotFound",
                    f"The video that you are trying to {action} cannot be found.",
                    domain,
                    location=location,
                )
            )
        return video

    async def videos_delete(self, request: Request) -> Response:
        p = parse_params(request, "videos.delete")
        grant = self._auth(request, MANAGE_SCOPES)
        self._charge(grant.client_id, self.conf["delete_cost"])
        with self.sim.lock:
            v = self._live_video(p["id"], "delete", "youtube.video", "id")
            if v.channel_id != grant.channel_id:
                return google_error(
                    403,
                    "forbidden",
                    "The video that you are trying to delete cannot be deleted. The request "
                    "might not be properly authorized.",
                    "youtube.video",
                )
            v.deleted = True
        self.sim.mark_deleted(self.id, v.id)
        return Response(status_code=204)

    async def playlist_items(self, request: Request) -> Response:
        p = parse_params(request, "playlistItems.list")
        check_parts(p["part"], PLAYLIST_ITEM_PARTS)
        one_filter(p, ("id", "playlistId"), "id, playlistId")
        grant: Grant | None = None
        if self._token_value(request):
            grant = self._auth(request, READ_SCOPES)
        self._charge_list(request, grant)
        per_page = p.get("maxResults", 5)
        offset = 0
        if p.get("pageToken"):
            parsed = _page_offset(p["pageToken"])
            if parsed is None:
                return google_error(
                    400,
                    "invalidPageToken",
                    "The request specifies an invalid page token.",
                    "youtube.parameter",
                    location="pageToken",
                )
            offset = parsed
        with self.sim.lock:
            if "playlistId" in p:
                channel = next(
                    (c for c in self.channels.values() if c.uploads == p["playlistId"]), None
                )
                if channel is None:
                    return google_error(
                        404,
                        "playlistNotFound",
                        "The playlist identified with the request's <code>playlistId</code> "
                        "parameter cannot be found.",
                        "youtube.playlistItem",
                        location="playlistId",
                    )
                rows = [
                    v
                    for v in self.videos.values()
                    if v.channel_id == channel.id and self._visible(v, grant)
                ]
            else:
                rows = [
                    v
                    for v in self.videos.values()
                    if v.item_id in p["id"] and self._visible(v, grant)
                ]
            if "videoId" in p:
                rows = [v for v in rows if v.id == p["videoId"]]
            rows.sort(key=lambda v: (v.created_at, v.id), reverse=True)
            page = rows[offset : offset + per_page]
            items = [self._item_json(v, offset + i, p["part"]) for i, v in enumerate(page)]
        body = self._list("youtube#playlistItemListResponse", items, len(rows), per_page)
        if offset + per_page < len(rows):
            body["nextPageToken"] = _page_token(offset + per_page)
        if offset > 0:
            body["prevPageToken"] = _page_token(max(0, offset - per_page))
        return JSONResponse(body)

    def _item_json(self, v: Video, position: int, parts: list[str]) -> dict[str, Any]:
        channel = self.channels[v.channel_id]
        full = {
            "snippet": {
                "publishedAt": _rfc3339(v.created_at),
                "channelId": channel.id,
                "title": v.snippet["title"],
                "description": v.snippet["description"],
                "thumbnails": self._thumbs(f"https://i.ytimg.com/vi/{v.id}"),
                "channelTitle": channel.title,
                "playlistId": channel.uploads,
                "position": position,
                "resourceId": {"kind": "youtube#video", "videoId": v.id},
                "videoOwnerChannelTitle": channel.title,
                "videoOwnerChannelId": channel.id,
            },
            "contentDetails": {"videoId": v.id, "videoPublishedAt": v.snippet["publishedAt"]},
            "status": {"privacyStatus": v.status["privacyStatus"]},
        }
        out: dict[str, Any] = {"kind": "youtube#playlistItem", "etag": _etag(), "id": v.item_id}
        for part in parts:
            if part in full:
                out[part] = full[part]
        return out

    # ------------------------------------------------------------ upload

    def _metadata(
        self, body: dict[str, Any], parts: list[str], channel: Channel
    ) -> tuple[dict[str, Any], dict[str, Any], Any, Any] | Response:
        """Check the Video resource of an insert the way YouTube does; return the stored
        snippet, status, recordingDetails and localizations."""
        problems = check_schema(body, "Video")
        if problems:
            return invalid_payload(problems)
        snippet = dict(body.get("snippet") or {}) if "snippet" in parts else {}
        status = dict(body.get("status") or {}) if "status" in parts else {}

        def bad(reason: str, message: str, where: str) -> Response:
            return google_error(
                400, reason, message, "youtube.video", location=where, location_type="other"
            )

        title = snippet.get("title")
        if title is None and "snippet" not in parts:
            title = "unknown"
        if (
            not isinstance(title, str)
            or not title.strip()
            or len(title) > self.conf["max_title_chars"]
            or re.search(r"[<>]", title)
        ):
            return bad(
                "invalidTitle",
                "The request metadata specifies an invalid or empty video title.",
                "body.snippet.title",
            )
        description = snippet.get("description") or ""
        if len(description.encode("utf-8")) > self.conf["max_description_bytes"] or re.search(
            r"[<>]", description
        ):
            return bad(
                "invalidDescription",
                "The request metadata specifies an invalid video description.",
                "body.snippet.description",
            )
        tags = snippet.get("tags") or []
        if tags_length(tags) > self.conf["max_tags_chars"] or any(
            re.search(r"[<>]", t) for t in tags
        ):
            return bad(
                "invalidTags",
                "The request metadata specifies invalid video keywords.",
                "body.snippet.tags",
            )
        category = snippet.get("categoryId", "22")
        if category not in ASSIGNABLE_CATEGORIES:
            return bad(
                "invalidCategoryId",
                "The <code>snippet.categoryId</code> property specifies an invalid category ID. "
                'Use the <code><a href="/youtube/v3/docs/videoCategories/list">'
                "videoCategories.list</a></code> method to retrieve supported categories.",
                "body.snippet.categoryId",
            )
        privacy = status.get("privacyStatus") or "public"
        publish_at = status.get("publishAt")
        if publish_at is not None:
            when = _parse_rfc3339(publish_at)
            if status.get("privacyStatus") != "private" or when is None or when <= utcnow():
                return bad(
                    "invalidPublishAt",
                    "The request metadata specifies an invalid scheduled publishing time.",
                    "body.status.publishAt",
                )
            publish_at = _rfc3339(when)
        recording = body.get("recordingDetails") if "recordingDetails" in parts else None
        date = (recording or {}).get("recordingDate")
        if date is not None and _parse_rfc3339(date) is None:
            return bad(
                "invalidRecordingDetails",
                "The metadata specifies invalid recording details.",
                "body.recordingDetails",
            )
        localizations = body.get("localizations") if "localizations" in parts else None
        if localizations and not snippet.get("defaultLanguage"):
            return bad(
                "defaultLanguageNotSet",
                "The request is trying to add localized video details without specifying the "
                "default language of the video details.",
                "body.snippet.defaultLanguage",
            )
        if self.conf["force_private"]:
            privacy = "private"
        stored_snippet = {
            "publishedAt": _rfc3339(utcnow()),
            "title": title,
            "description": description,
            "categoryId": category,
        }
        if tags:
            stored_snippet["tags"] = list(tags)
        for key in ("defaultLanguage", "defaultAudioLanguage"):
            if snippet.get(key):
                stored_snippet[key] = snippet[key]
        stored_status: dict[str, Any] = {"privacyStatus": privacy}
        if publish_at and privacy == "private":
            stored_status["publishAt"] = publish_at
        for key in ("embeddable", "license", "publicStatsViewable", "selfDeclaredMadeForKids"):
            if status.get(key) is not None:
                stored_status[key] = status[key]
        return stored_snippet, stored_status, recording, localizations

    async def upload_start(self, request: Request) -> Response:
        """Initiate a resumable videos.insert: validate, charge quota, answer the session URI."""
        resumable_path = request.url.path.endswith("/resumable/upload/youtube/v3/videos")
        upload_type = request.query_params.get("uploadType")
        if upload_type is None and not resumable_path:
            return google_error(
                400,
                "mediaBodyRequired",
                "Media upload requires the uploadType parameter (media, multipart or resumable).",
                "global",
            )
        if upload_type not in (None, "resumable"):
            return google_error(
                400,
                "badRequest",
                f"uploadType={upload_type} is not simulated; use uploadType=resumable.",
            )
        p = parse_params(request, "videos.insert")
        check_parts(p["part"], VIDEO_PARTS)
        grant = self._auth(request, WRITE_SCOPES)
        if p.get("onBehalfOfContentOwner") or p.get("onBehalfOfContentOwnerChannel"):
            return google_error(
                403,
                "forbidden",
                "The onBehalfOfContentOwner parameters are only for YouTube content partners.",
                "youtube.common",
            )
        length_header = request.headers.get("x-upload-content-length")
        total: int | None = None
        if length_header is not None:
            if not length_header.strip().isdigit():
                return google_error(400, "badRequest", "Invalid X-Upload-Content-Length header.")
            total = int(length_header)
            if total == 0:
                return google_error(
                    400,
                    "mediaBodyRequired",
                    "The request does not include the video content.",
                    "youtube.video",
                )
            if total > self.conf["max_video_bytes"]:
                return google_error(
                    413,
                    "uploadTooLarge",
                    f"Media larger than {self.conf['max_video_bytes']} bytes is not allowed.",
                )
        mime = request.headers.get("x-upload-content-type", "application/octet-stream")
        if not mime.lower().startswith(VIDEO_ACCEPT):
            return google_error(
                400,
                "badContent",
                f"Media type '{mime}' is not supported. Valid media types: "
                "[video/*, application/octet-stream]",
            )
        raw = await request.body()
        body: Any = {}
        if raw.strip():
            ctype = content_type(request)
            if ctype != "application/json":
                return google_error(
                    400, "badContent", f"Unsupported content with type: {ctype or 'none'}"
                )
            try:
                body = json.loads(raw)
            except ValueError:
                return google_error(400, "parseError", "Parse Error")
        channel = self.channels[grant.channel_id]
        meta = self._metadata(body, p["part"], channel)
        if isinstance(meta, Response):
            return meta
        if self.conf["quota_model"] == "buckets":
            if self._spend("inserts", grant.client_id, 1) is not None:
                return google_error(403, "quotaExceeded", E_QUOTA, "youtube.quota")
        else:
            self._charge(grant.client_id, int(self.conf["insert_cost"]))
        if self._spend("uploads", channel.id, 1, channel.account) is not None:
            return google_error(400, "uploadLimitExceeded", E_UPLOAD_LIMIT, "youtube.video")
        session = Session(
            id=secrets.token_urlsafe(48),
            channel_id=channel.id,
            client_id=grant.client_id,
            parts=p["part"],
            resource={
                "snippet": meta[0],
                "status": meta[1],
                "recording": meta[2],
                "localizations": meta[3],
            },
            total=total,
            mime=mime,
            created=time.time(),
            notify=p.get("notifySubscribers", True),
        )
        with self.sim.lock:
            self.sessions[session.id] = session
        part = ",".join(p["part"])
        location = f"{self.base_url(request)}/upload/youtube/v3/videos?" + urlencode(
            {"uploadType": "resumable", "part": part, "upload_id": session.id}
        )
        return Response(
            status_code=200,
            headers={"Location": location, "X-GUploader-UploadID": session.id},
        )

    def _incomplete(self, session: Session) -> Response:
        headers = {"X-GUploader-UploadID": session.id}
        if session.received:
            headers["Range"] = f"bytes=0-{session.received - 1}"
        return Response(status_code=308, headers=headers)

    async def upload_put(self, request: Request) -> Response:
        """A chunk (Content-Range: bytes a-b/total) or a probe (bytes */total) of a session."""
        q = request.query_params
        session = self.sessions.get(q.get("upload_id", ""))
        if session is None or time.time() - session.created > self.conf["session_ttl_s"]:
            return google_error(404, "notFound", "Not Found")
        if q.get("uploadType") != "resumable":
            return google_error(400, "badRequest", "Invalid upload request: uploadType")
        header = request.headers.get("content-range", "").strip()
        probe = re.fullmatch(r"bytes \*/(\d+|\*)", header)
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", header)
        if session.video_id:
            await request.body()
            return self._finished(session)
        if probe:
            if probe.group(1) != "*" and session.total not in (None, int(probe.group(1))):
                return google_error(400, "badRequest", "Invalid request. Bad total size.")
            return self._incomplete(session)
        data = await request.body()
        if not header and not session.received:  # the whole file in one request
            start, end, total = 0, len(data) - 1, len(data)
        elif chunk:
            start, end = int(chunk.group(1)), int(chunk.group(2))
            total = None if chunk.group(3) == "*" else int(chunk.group(3))
        else:
            return google_error(400, "badRequest", "Failed to parse Content-Range header.")
        if end < start or len(data) != end - start + 1:
            return google_error(
                400,
                "badRequest",
                f"Invalid request.  Content-Range header {header!r} does not match the "
                f"{len(data)} byte(s) sent.",
            )
        if total is not None and (
            (session.total is not None and total != session.total) or end >= total
        ):
            return google_error(
                400,
                "badRequest",
                f"Invalid request. The total size {total} does not match the upload "
                f"({session.total}).",
            )
        with self.sim.lock:
            if session.video_id:
                return self._finished(session)
            if start > session.received:
                return google_error(
                    400,
                    "badRequest",
                    f"Invalid request. According to the Content-Range header, the upload offset "
                    f"is {start} byte(s), which exceeds already uploaded size of "
                    f"{session.received} byte(s).",
                )
            if total is not None:
                session.total = total
            new = data[session.received - start :]
            final = session.total is not None and end + 1 == session.total
            if not final:  # only whole 256 KiB blocks of a non-final chunk are kept
                keep = (session.received + len(new)) // KIB256 * KIB256 - session.received
                new = new[: max(0, keep)]
            if len(session.head) < 512:
                session.head += new[: 512 - len(session.head)]
            session.digest.update(new)
            session.received += len(new)
            if session.total is None or session.received < session.total:
                return self._incomplete(session)
            self._complete(request, session)
        return self._finished(session, status=201)

    def _complete(self, request: Request, session: Session) -> None:
        """The last byte arrived: the video exists now (call under the lock)."""
        channel = self.channels[session.channel_id]
        knobs = self.sim.effective_knobs(self.id, channel.account)
        sha = session.digest.hexdigest()
        failure, failure_reason = self.conf["processing_failure"], None
        if failure:
            failure_reason = "conversion"
        elif self.conf["sniff_media"] and not _looks_like_video(session.head):
            failure, failure_reason = "transcodeFailed", "invalidFile"
        duplicate = None
        if self.conf["reject_duplicates"] and not failure:
            duplicate = next(
                (
                    v.id
                    for v in self.videos.values()
                    if v.channel_id == channel.id
                    and v.sha256 == sha
                    and not v.deleted
                    and not v.failure
                    and not v.duplicate_of
                ),
                None,
            )
        res = session.resource
        video = Video(
            id=secrets.token_urlsafe(8)[:11],
            channel_id=channel.id,
            snippet=dict(res["snippet"], publishedAt=_rfc3339(utcnow())),
            status=dict(res["status"]),
            recording=res["recording"],
            localizations=res["localizations"],
            created_at=utcnow(),
            ready_at=time.monotonic() + (knobs.media_processing_ms or 0) / 1000,
            size=session.received,
            sha256=sha,
            mime=session.mime,
            failure=failure,
            failure_reason=failure_reason,
            duplicate_of=duplicate,
        )
        self.videos[video.id] = video
        session.video_id = video.id
        self.sim.record_post(
            self.id,
            channel.account,
            video.id,
            video.snippet["description"],
            media=[{"type": "video", "mime": session.mime, "bytes": session.received}],
            permalink=f"https://www.youtube.com/watch?v={video.id}",
            extra={
                "channel_id": channel.id,
                "title": video.snippet["title"],
                "privacy": video.status["privacyStatus"],
                "publish_at": video.status.get("publishAt"),
                "tags": video.snippet.get("tags", []),
                "category_id": video.snippet["categoryId"],
                "sha256": sha,
                "notify_subscribers": session.notify,
            },
        )

    def _finished(self, session: Session, status: int = 200) -> Response:
        video = self.videos[session.video_id or ""]
        return JSONResponse(self._video_json(video, session.parts, owner=True), status)

    async def thumbnail_set(self, request: Request) -> Response:
        p = parse_params(request, "thumbnails.set")
        if p.get("uploadType") not in (None, "media"):
            return google_error(
                400, "badRequest", f"uploadType={p['uploadType']} is not simulated here."
            )
        grant = self._auth(request, WRITE_SCOPES)
        data = await request.body()
        if not data or not request.url.path.startswith(f"/{self.id}/upload/"):
            return google_error(
                400,
                "mediaBodyRequired",
                "The request does not include the image content.",
                "youtube.thumbnail",
            )
        with self.sim.lock:
            video = self._live_video(p["videoId"], "update", "youtube.thumbnail", "videoId")
            channel = self.channels[video.channel_id]
            if video.channel_id != grant.channel_id or (
                self.conf["thumbnails_need_verification"] and not channel.verified
            ):
                return google_error(
                    403,
                    "forbidden",
                    "The authenticated user doesn't have permissions for uploading and setting "
                    "custom thumbnails for this video.",
                    "youtube.thumbnail",
                )
        if len(data) > MAX_THUMBNAIL_BYTES:
            return google_error(
                413, "uploadTooLarge", f"Media larger than {MAX_THUMBNAIL_BYTES} bytes."
            )
        ctype = content_type(request)
        if ctype not in THUMBNAIL_ACCEPT:
            return google_error(
                400,
                "badContent",
                f"Media type '{ctype}' is not supported. Valid media types: "
                "[image/jpeg, image/png, application/octet-stream]",
            )
        if _image_kind(data) is None:
            return google_error(
                400,
                "imageFormatUnsupported",
                "The image provided is not in a supported format.",
                "youtube.thumbnail",
            )
        self._charge(grant.client_id, self.conf["thumbnail_cost"])
        video.custom_thumbnail = True
        base = f"https://i.ytimg.com/vi/{video.id}"
        return JSONResponse(
            {
                "kind": "youtube#thumbnailSetResponse",
                "etag": _etag(),
                "items": [self._thumbs(base)],
            }
        )

    # ------------------------------------------------------------ simulator controls

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/youtube/tokens {"username"?, "channel"?, "scopes"?, "expires_in"?,
        "refresh"?, "client_id"?} → a ready token set."""
        body = await self.control_body(
            request,
            ("username", "channel", "scopes", "expires_in", "refresh", "client_id"),
            "token",
        )
        return JSONResponse(
            self.issue_token(
                body.get("username"),
                body.get("scopes", DEFAULT_SCOPES),
                channel=body.get("channel"),
                expires_in=body.get("expires_in"),
                refresh=bool(body.get("refresh", True)),
                client_id=body.get("client_id"),
            )
        )

    async def sim_revoke(self, request: Request) -> Response:
        self.revoke_token(request.path_params["token"])
        return JSONResponse({})

    async def sim_user(self, request: Request) -> Response:
        """POST /_sim/youtube/users/{username} {"name"?, "channels"?: ["Main", "Brand"]}."""
        body = await self.control_body(request, ("name", "channels"), "user")
        user = self.ensure_user(
            request.path_params["username"], name=body.get("name"), channels=body.get("channels")
        )
        return JSONResponse(
            {
                "id": user.id,
                "username": user.username,
                "channels": [
                    {"id": c, "title": self.channels[c].title, "handle": self.channels[c].handle}
                    for c in user.channels
                ],
            }
        )

    async def sim_channel(self, request: Request) -> Response:
        """POST /_sim/youtube/channels/{id} {"subscriberCount", "viewCount",
        "hiddenSubscriberCount", "verified"}."""
        body = await self.control_body(request)
        names = {
            "subscriberCount": "subscribers",
            "viewCount": "views",
            "hiddenSubscriberCount": "hidden_subscribers",
            "verified": "verified",
        }
        unknown = set(body) - set(names)
        if unknown:
            raise SimError(f"unknown channel fields {sorted(unknown)}; known: {sorted(names)}")
        with self.sim.lock:
            channel = self.channels.get(request.path_params["id"])
            if channel is None:
                return JSONResponse({"error": "no such channel"}, 404)
            for key, value in body.items():
                attr = names[key]
                setattr(
                    channel,
                    attr,
                    bool(value) if attr in ("hidden_subscribers", "verified") else int(value),
                )
        return JSONResponse({"id": channel.id})

    async def sim_video(self, request: Request) -> Response:
        """POST /_sim/youtube/videos/{id} {"viewCount": 9, "likeCount": 3, "commentCount": 1}."""
        body = await self.control_body(request)
        return self.set_counters(
            self.videos, request.path_params["id"], lambda v: v.stats, body, "video"
        )


__all__ = [
    "DEFAULT_SCOPES",
    "METHOD_PARAMS",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SCHEMAS",
    "YouTubeSim",
    "check_schema",
    "google_error",
    "pacific_day",
    "tags_length",
]
