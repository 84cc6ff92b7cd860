"""Simulated TikTok Content Posting API (open.tiktokapis.com v2), mounted at /tiktok.

After platform-apis.md §7 (no machine-readable vendor description exists; see specs/README).

Routes, under /tiktok:
  GET  /v2/auth/authorize/                  Login Kit (www.tiktok.com): auto-approves as
                                            `sim_account` (simulator-only) or `default_account`
  POST /v2/oauth/token/                     form: client_key, client_secret, code/refresh_token...
  POST /v2/oauth/revoke/                    form: client_key, client_secret, token
  GET  /v2/user/info/?fields=...            fields gated by user.info.basic/profile/stats
  POST /v2/post/publish/creator_info/query/ privacy options, interaction flags, max duration
  POST /v2/post/publish/video/init/         Direct Post video: FILE_UPLOAD or PULL_FROM_URL
  POST /v2/post/publish/content/init/       photo posts (PULL_FROM_URL only)
  PUT  /video/?upload_id=&upload_token=     the upload_url (open-upload.tiktokapis.com): chunks
                                            with Content-Range; 206 until the last, then 201
  POST /v2/post/publish/status/fetch/       PROCESSING_UPLOAD/_DOWNLOAD → PUBLISH_COMPLETE|FAILED
  POST /v2/video/list/?fields=...           the user's public videos, newest first, cursor paging
  POST /v2/video/query/?fields=...          videos by id (≤ 20) with their counters

Every API answer is TikTok's envelope {"data": {...}, "error": {"code", "message", "log_id"}},
code "ok" on success; OAuth endpoints answer {"error", "error_description", "log_id"}.
Strict: JSON bodies need Content-Type application/json and take only the documented fields with
their types and enums; chunk sizes follow TikTok's rules (5-64 MB chunks, the last up to 128 MB,
files under 5 MB in one piece, total_chunk_count = floor(video_size / chunk_size), ≤ 1000).

Limits (knobs, rolling/fixed windows via sim.rate): "init" 6/min per token (video/content init),
"status" 30/min per token, "creator_info" 20/min per token, "posts" 15 per 24 h per creator
(answered `spam_risk_too_many_posts`, also by creator_info). TikTok documents no rate-limit
headers, so a 429 carries none; only injected 429 faults add Retry-After (to steer tests).
Processing takes `media_processing_ms`; then the post is recorded in the shared post log. Posts
other than SELF_ONLY get their public id (`publicaly_available_post_id`) after `moderation_ms`.
Uploaded bytes must look like MP4/MOV/WebM, else processing FAILS with file_format_check_failed.
Apps are "audited" or not: unaudited apps may only post SELF_ONLY.

Not simulated: inbox (video.upload) init, webhooks, the Share Kit, photo downloads.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from simulator import organic
from simulator.oauth import OAuthServer, s256
from simulator.platform import (
    PlatformSim,
    Refusal,
    content_type,
    find_named,
    json_object,
    per_window,
    with_query,
)
from simulator.state import Fault, SimError, utcnow

VERSION = "v2"
MB = 1024 * 1024
SANDBOX_CLIENT_ID = "sbawtiktoksandbox"  # TikTok calls it client_key
SANDBOX_CLIENT_SECRET = "tiktok-sandbox-secret"
SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.publish",
    "video.upload",
    "video.list",
)
DEFAULT_SCOPES = ",".join(SCOPES)
PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
PRIVATE_ACCOUNT_OPTIONS = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
USER_FIELDS = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
COUNTERS = ("like_count", "comment_count", "share_count", "view_count")
VIDEO_POST_INFO = {
    "title": str,
    "privacy_level": str,
    "disable_duet": bool,
    "disable_comment": bool,
    "disable_stitch": bool,
    "video_cover_timestamp_ms": int,
    "brand_content_toggle": bool,
    "brand_organic_toggle": bool,
    "is_aigc": bool,
}
PHOTO_POST_INFO = {
    "title": str,
    "description": str,
    "privacy_level": str,
    "disable_comment": bool,
    "auto_add_music": bool,
    "brand_content_toggle": bool,
    "brand_organic_toggle": bool,
}
CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")

DEFAULT_SETTINGS: dict[str, Any] = {
    "access_ttl_s": 7200,  # platform-apis.md §7.1 (Nov-2026 docs; older pages say 24 h)
    "refresh_ttl_s": 180 * 86400,  # (older pages: 365 d)
    "auth_code_ttl_s": 600,
    "min_chunk_bytes": 5 * MB,
    "max_chunk_bytes": 64 * MB,
    "max_final_chunk_bytes": 128 * MB,
    "max_chunks": 1000,
    "max_video_bytes": 4 * 1024 * MB,
    "max_caption_length": 2200,
    "max_photo_title_length": 90,
    "max_photo_description_length": 4000,
    "max_photos": 35,
    "verified_url_prefixes": ["*"],  # PULL_FROM_URL sources; "*" = every https URL
    "processing_failure": None,  # e.g. "duration_check_failed": every post FAILS with it
    "moderation_ms": 0,  # delay before a non-private post gets its public id
    "upload_ttl_s": 3600,
    "default_account": "tiktok_user",
}


def text_length(text: str) -> int:
    """TikTok's count (assumed, undocumented): UTF-16 code units, so most emoji count 2."""
    return len(text.encode("utf-16-le")) // 2


def log_id() -> str:
    return utcnow().strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()


def envelope(data: dict[str, Any] | None = None, status: int = 200, **headers: str) -> Response:
    body = {"data": data or {}, "error": {"code": "ok", "message": "", "log_id": log_id()}}
    return JSONResponse(body, status, headers=headers or None)


def api_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"data": {}, "error": {"code": code, "message": message, "log_id": log_id()}}
    return JSONResponse(body, status, headers=headers)


def invalid(message: str) -> Response:
    return api_error(400, "invalid_params", message)


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    body = {"error": error, "error_description": description, "log_id": log_id()}
    return JSONResponse(body, status, headers={"Cache-Control": "no-store"})


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return type(value).__name__


def _typed(value: Any, want: type) -> bool:
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, want)


def _sniff_video(head: bytes) -> bool:
    """MP4/MOV ('ftyp' box at offset 4, or a leading moov/mdat/wide box) or WebM (EBML)."""
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free") or head.startswith(
        b"\x1a\x45\xdf\xa3"
    )


@dataclass
class App:
    client_key: str
    client_secret: str
    redirect_uris: list[str]
    audited: bool = True


@dataclass
class User:
    open_id: str
    union_id: str
    username: str
    display_name: str
    follower_count: int = 0
    following_count: int = 0
    likes_count: int = 0
    is_verified: bool = False
    privacy_level_options: list[str] = field(default_factory=lambda: list(PRIVACY_LEVELS))
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int = 600
    banned: bool = False


@dataclass
class Token:
    value: str
    refresh: str
    open_id: str
    client_key: str
    scopes: list[str]
    expires_at: float
    refresh_expires_at: float
    revoked: bool = False
    refresh_used: bool = False


@dataclass
class Grant:
    code: str
    client_key: str
    open_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str | None
    expires: float


@dataclass
class Video:
    id: str
    open_id: str
    caption: str
    title: str
    privacy_level: str
    media_type: str  # VIDEO | PHOTO
    created: float  # epoch seconds
    public_at: float  # epoch seconds
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))


@dataclass
class Publish:
    id: str
    open_id: str
    media_type: str  # VIDEO | PHOTO
    source: str  # FILE_UPLOAD | PULL_FROM_URL
    post_mode: str  # DIRECT_POST | MEDIA_UPLOAD
    post_info: dict[str, Any]
    created: float  # monotonic
    video_size: int = 0
    chunk_size: int = 0
    total_chunk_count: int = 0
    upload_token: str = ""
    next_offset: int = 0
    chunks: int = 0
    last_chunk_start: int = -1
    head: bytes = b""
    sha256: Any = field(default_factory=hashlib.sha256)
    urls: list[str] = field(default_factory=list)
    ready_at: float | None = None  # monotonic; None until the bytes are all there
    status: str = "PROCESSING_UPLOAD"
    fail_reason: str = ""
    video_id: str | None = None


class TikTokSim(OAuthServer, PlatformSim):
    id = "tiktok"
    organic_posts = ("videos", "counters", organic.OWN_COUNTERS["tiktok"])
    organic_accounts = ("users", "username", "follower_count")
    display_name = "TikTok"
    quotas = {**per_window(60, init=6, status=30, creator_info=20), **per_window(86400, posts=15)}
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = {
            k: list(v) if isinstance(v, list) else v for k, v in DEFAULT_SETTINGS.items()
        }
        self.apps: dict[str, App] = {}
        self.users: dict[str, User] = {}  # open_id → user
        self.tokens: dict[str, Token] = {}  # access token → token
        self.refresh_tokens: dict[str, Token] = {}  # refresh token → token
        self.grants: dict[str, Grant] = {}
        self.publishes: dict[str, Publish] = {}
        self.videos: dict[str, Video] = {}
        self._seq = 0
        self.register_app(["*"], SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)

    # ------------------------------------------------------------ helpers (tests, benchmarks)

    def _next_video_id(self) -> str:
        with self.sim.lock:
            self._seq += 1
            return str(
                7_300_000_000_000_000_000 + int(time.time() * 1000) % 10**12 * 1000 + self._seq
            )

    def register_app(
        self,
        redirect_uris: list[str],
        client_key: str | None = None,
        client_secret: str | None = None,
        *,
        audited: bool = True,
    ) -> App:
        app = App(
            client_key or "aw" + secrets.token_hex(8),
            client_secret or secrets.token_urlsafe(24),
            list(redirect_uris),
            audited,
        )
        return self.keep(self.apps, app.client_key, app)

    def ensure_user(self, username: str, **fields: Any) -> User:
        if not re.fullmatch(r"[A-Za-z0-9_.]{2,24}", username):
            raise SimError("username must be 2-24 letters, digits, '_' or '.'")
        allowed = {f for f in User.__dataclass_fields__} - {"open_id", "union_id", "username"}
        with self.sim.lock:
            user = find_named(self.users, username)
            if user is None:
                user = User(str(uuid.uuid4()), str(uuid.uuid4()), username, username.title())
                self.users[user.open_id] = user
            for name, value in fields.items():
                if name not in allowed:
                    raise SimError(f"unknown user field {name!r}; known: {sorted(allowed)}")
                if name == "privacy_level_options" and (
                    not isinstance(value, list) or set(value) - set(PRIVACY_LEVELS)
                ):
                    raise SimError(f"privacy_level_options must be a list of {PRIVACY_LEVELS}")
                setattr(user, name, value)
            return user

    def _mint(self, open_id: str, client_key: str, scopes: list[str]) -> Token:
        now = time.time()
        token = Token(
            "act." + secrets.token_urlsafe(48),
            "rft." + secrets.token_urlsafe(48),
            open_id,
            client_key,
            list(scopes),
            now + self.conf["access_ttl_s"],
            now + self.conf["refresh_ttl_s"],
        )
        with self.sim.lock:
            self.tokens[token.value] = token
            self.refresh_tokens[token.refresh] = token
        return token

    def _token_json(self, token: Token) -> dict[str, Any]:
        now = time.time()
        return {
            "access_token": token.value,
            "expires_in": max(0, int(round(token.expires_at - now))),
            "open_id": token.open_id,
            "refresh_expires_in": max(0, int(round(token.refresh_expires_at - now))),
            "refresh_token": token.refresh,
            "scope": ",".join(token.scopes),
            "token_type": "Bearer",
        }

    def issue_token(
        self,
        username: str | None = None,
        scopes: str = DEFAULT_SCOPES,
        *,
        expires_in: float | None = None,
        client_key: str | None = None,
    ) -> dict[str, Any]:
        """Mint a token pair without the OAuth dance (tests, benchmarks, sandbox mode)."""
        user = self.ensure_user(username or self.conf["default_account"])
        client_key = self.issuing_app(client_key)
        wanted = [s for s in scopes.replace(" ", ",").split(",") if s]
        if set(wanted) - set(SCOPES):
            raise SimError(f"unknown scopes {sorted(set(wanted) - set(SCOPES))}")
        token = self._mint(user.open_id, client_key, wanted)
        if expires_in is not None:
            token.expires_at = time.time() + expires_in
        return {**self._token_json(token), "username": user.username}

    # ------------------------------------------------------------ auth, limits, faults

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self.bearer(request))
        user = self.users.get(token.open_id) if token else None
        return user.username if user else None

    def _auth(self, request: Request, scope: str) -> Token:
        token = self.tokens.get(self.bearer(request))
        if token is None or token.revoked or token.expires_at <= time.time():
            raise Refusal(
                api_error(
                    401,
                    "access_token_invalid",
                    "The access token is invalid or not found in the request.",
                )
            )
        if scope not in token.scopes:
            raise Refusal(
                api_error(
                    401,
                    "scope_not_authorized",
                    f"The user did not authorize the scope required for this request: {scope}.",
                )
            )
        return token

    _FAMILIES = (
        ("/v2/post/publish/video/init/", "init"),
        ("/v2/post/publish/content/init/", "init"),
        ("/v2/post/publish/inbox/video/init/", "init"),
        ("/v2/post/publish/status/fetch/", "status"),
        ("/v2/post/publish/creator_info/query/", "creator_info"),
    )

    def before(self, request: Request, account: str | None) -> Response | None:
        path = self.relative_path(request)
        family = next((f for p, f in self._FAMILIES if p == path), None)
        token = self.tokens.get(self.bearer(request))
        if family is None or token is None or request.method != "POST":
            return None
        state = self.sim.rate(self.id, family, token.value, account=account)
        if not state.allowed:
            return api_error(
                429,
                "rate_limit_exceeded",
                "The API rate limit was exceeded. Please try again later.",
            )
        return None

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            wait = fault.wait()
            return api_error(
                429,
                "rate_limit_exceeded",
                fault.message or "The API rate limit was exceeded. Please try again later.",
                headers={"Retry-After": str(wait)},
            )
        if kind == "401":
            return api_error(
                401,
                "access_token_invalid",
                fault.message or "The access token is invalid or not found in the request.",
            )
        if kind == "duplicate":
            return api_error(
                403,
                "spam_risk",
                fault.message or "The post was refused as a duplicate of recent content.",
            )
        return api_error(
            int(kind),
            "internal_error",
            fault.message or "Something went wrong on TikTok's side. Please retry later.",
        )

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        v = f"/{VERSION}"
        return self.api_routes(
            ("GET", v + "/auth/authorize/", self.authorize),
            ("POST", v + "/oauth/token/", self.token),
            ("POST", v + "/oauth/revoke/", self.revoke),
            ("GET", v + "/user/info/", self.user_info),
            ("POST", v + "/post/publish/creator_info/query/", self.creator_info),
            ("POST", v + "/post/publish/video/init/", self.video_init),
            ("POST", v + "/post/publish/content/init/", self.content_init),
            ("POST", v + "/post/publish/status/fetch/", self.status_fetch),
            ("PUT", "/video/", self.upload),
            ("POST", v + "/video/list/", self.video_list),
            ("POST", v + "/video/query/", self.video_query),
        )

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/videos/{id}", self.sim_video, methods=["POST"]),
            Route("/publishes/{id}", self.sim_publish, methods=["GET"]),
        ]

    # ------------------------------------------------------------ OAuth

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") and not q.get("client_key"):
            return HTMLResponse("<h1>Something went wrong</h1><p>client_key</p>", 400)
        app, redirect_uri = self.authorizing_app(
            request,
            HTMLResponse("<h1>Something went wrong</h1><p>client_key</p>", 400),
            HTMLResponse("<h1>Something went wrong</h1><p>redirect_uri</p>", 400),
            "client_key",
        )
        state = q.get("state")
        fail = functools.partial(self.error_redirect, redirect_uri, state)

        if q.get("response_type") != "code":
            return fail("unsupported_response_type", "response_type must be code")
        scopes = [s for s in q.get("scope", "").split(",") if s]
        if not scopes or set(scopes) - set(SCOPES):
            return fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
        challenge = q.get("code_challenge")
        if challenge and q.get("code_challenge_method", "S256") != "S256":
            return fail("invalid_request", "code_challenge_method must be S256")
        try:
            user = self.ensure_user(self.consenting_account(request))
        except SimError as exc:
            return HTMLResponse(f"<p>{exc}</p>", 400)
        grant = Grant(
            secrets.token_urlsafe(40),
            app.client_key,
            user.open_id,
            redirect_uri,
            scopes,
            challenge,
            time.monotonic() + self.conf["auth_code_ttl_s"],
        )
        with self.sim.lock:
            self.grants[grant.code] = grant
        params = {"code": grant.code, "scopes": ",".join(scopes)}
        if state:
            params["state"] = state
        return RedirectResponse(with_query(redirect_uri, params), 302)

    async def _form(self, request: Request) -> tuple[dict[str, str], App]:
        """The form of a token-endpoint request and the client app it authenticates."""
        form = await self.form_fields(request)
        if form is None:
            raise Refusal(oauth_error("invalid_request", "Content-Type is not supported."))
        if not form.get("client_key"):
            raise Refusal(oauth_error("invalid_request", "client_key is required."))
        app = self.apps.get(form["client_key"])
        if not self.secret_ok(app, form.get("client_secret", "")):
            raise Refusal(oauth_error("invalid_client", "Client key or secret is invalid.", 401))
        assert app is not None
        return form, app

    async def token(self, request: Request) -> Response:
        form, app = await self._form(request)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._code_grant(app, form)
        if grant_type == "refresh_token":
            return self._refresh_grant(app, form)
        if not grant_type:
            return oauth_error("invalid_request", "grant_type is required.")
        return oauth_error("unsupported_grant_type", "The grant type is not supported.")

    def _code_grant(self, app: App, form: dict[str, str]) -> Response:
        for name in ("code", "redirect_uri"):
            if not form.get(name):
                return oauth_error("invalid_request", f"{name} is required.")
        with self.sim.lock:
            grant = self.grants.pop(form["code"], None)
        if grant is None or grant.client_key != app.client_key:
            return oauth_error("invalid_grant", "Authorization code is invalid or was used.")
        if grant.expires < time.monotonic():
            return oauth_error("invalid_grant", "Authorization code is expired.")
        if grant.redirect_uri != form["redirect_uri"]:
            return oauth_error("invalid_grant", "redirect_uri does not match.")
        if grant.challenge:
            verifier = form.get("code_verifier", "")
            hexdigest = hashlib.sha256(verifier.encode()).hexdigest()
            if not verifier or grant.challenge not in (s256(verifier), hexdigest):
                return oauth_error("invalid_grant", "Code verifier is invalid.")
        token = self._mint(grant.open_id, app.client_key, grant.scopes)
        return JSONResponse(self._token_json(token), headers={"Cache-Control": "no-store"})

    def _refresh_grant(self, app: App, form: dict[str, str]) -> Response:
        value = form.get("refresh_token")
        if not value:
            return oauth_error("invalid_request", "refresh_token is required.")
        with self.sim.lock:
            old = self.refresh_tokens.get(value)
            if (
                old is None
                or old.client_key != app.client_key
                or old.refresh_used
                or old.revoked
                or old.refresh_expires_at <= time.time()
            ):
                return oauth_error("invalid_grant", "Refresh token is invalid or expired.")
            old.refresh_used = True  # rotation: the old refresh token stops working
            token = self._mint(old.open_id, app.client_key, old.scopes)
        return JSONResponse(self._token_json(token), headers={"Cache-Control": "no-store"})

    async def revoke(self, request: Request) -> Response:
        form, app = await self._form(request)
        value = form.get("token")
        if not value:
            return oauth_error("invalid_request", "token is required.")
        with self.sim.lock:
            token = self.tokens.get(value)
            if token is not None and token.client_key == app.client_key:
                # Revoking ends the user's authorization of the app: every token pair of it.
                for other in self.tokens.values():
                    if other.open_id == token.open_id and other.client_key == app.client_key:
                        other.revoked = True
        return JSONResponse({})

    # ------------------------------------------------------------ JSON bodies

    async def _body(
        self, request: Request, fields: Iterable[str] | None = None, allow_empty: bool = False
    ) -> dict[str, Any]:
        """The JSON object body; refused when it is not one, or (with `fields`) names any other
        field."""
        ctype = content_type(request)
        raw = await request.body()
        if ctype != "application/json":
            raise Refusal(invalid("Content-Type must be application/json; charset=UTF-8."))
        if not raw.strip():
            if allow_empty:
                return {}
            raise Refusal(invalid("The request body is empty."))
        data = json_object(
            raw,
            lambda message: Refusal(invalid(message)),
            "The request body is not valid JSON.",
            "The request body must be a JSON object.",
        )
        unknown = set(data) - set(data if fields is None else fields)
        if unknown:
            raise Refusal(invalid(f"Unknown field {sorted(unknown)[0]}."))
        return data

    @staticmethod
    def _check_object(
        value: Any, name: str, spec: dict[str, type], required: tuple[str, ...] = ()
    ) -> str | None:
        if not isinstance(value, dict):
            return f"{name} must be an object."
        for key, item in value.items():
            if key not in spec:
                return f"Unknown field {name}.{key}."
            if not _typed(item, spec[key]):
                want = spec[key].__name__
                return f"{name}.{key} must be of type {want}, got {_kind(item)}."
        for key in required:
            if key not in value:
                return f"{name}.{key} is required."
        return None

    def _user_of(self, token: Token) -> User:
        return self.users[token.open_id]

    def _can_post(self, user: User, *, consume: bool) -> None:
        if user.banned:
            raise Refusal(
                api_error(
                    403,
                    "spam_risk_user_banned_from_posting",
                    "The user is banned from making new posts.",
                )
            )
        quota = self.sim.rate(
            self.id, "posts", user.open_id, account=user.username, consume=consume
        )
        if not quota.allowed:
            raise Refusal(
                api_error(
                    403,
                    "spam_risk_too_many_posts",
                    "The daily post cap from the API is reached for the current user.",
                )
            )

    def _check_privacy(self, app: App, user: User, post_info: dict[str, Any]) -> None:
        level = post_info.get("privacy_level")
        if level not in PRIVACY_LEVELS:
            raise Refusal(
                invalid(f"post_info.privacy_level must be one of {', '.join(PRIVACY_LEVELS)}.")
            )
        if level not in user.privacy_level_options:
            raise Refusal(
                api_error(
                    400,
                    "privacy_level_option_mismatch",
                    "privacy_level is not one of the creator's privacy_level_options.",
                )
            )
        if not app.audited and level != "SELF_ONLY":
            raise Refusal(
                api_error(
                    403,
                    "unaudited_client_can_only_post_to_private_accounts",
                    "Unaudited clients can only post with privacy_level SELF_ONLY.",
                )
            )
        if post_info.get("brand_content_toggle") and level == "SELF_ONLY":
            raise Refusal(invalid("Branded content cannot be posted with privacy_level SELF_ONLY."))

    def _check_url(self, url: Any, name: str) -> None:
        if not isinstance(url, str) or urlsplit(url).scheme != "https" or not urlsplit(url).netloc:
            raise Refusal(invalid(f"{name} must be an https URL."))
        prefixes = self.conf["verified_url_prefixes"]
        if "*" not in prefixes and not any(url.startswith(p) for p in prefixes):
            raise Refusal(
                api_error(
                    403,
                    "url_ownership_unverified",
                    "The domain or URL prefix of the media URL is not verified for this app.",
                )
            )

    # ------------------------------------------------------------ users

    async def user_info(self, request: Request) -> Response:
        token = self._auth(request, "user.info.basic")
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not fields:
            return invalid("fields is required.")
        unknown = [f for f in fields if f not in USER_FIELDS]
        if unknown:
            return invalid(f"Invalid fields: {','.join(unknown)}.")
        missing = sorted({USER_FIELDS[f] for f in fields} - set(token.scopes))
        if missing:
            return api_error(
                401,
                "scope_permission_missed",
                f"Some fields need additional scopes: {','.join(missing)}.",
            )
        user = self._user_of(token)
        full = self._user_json(user)
        return envelope({"user": {f: full[f] for f in fields}})

    def _user_json(self, user: User) -> dict[str, Any]:
        avatar = f"https://p16-sign.tiktokcdn-us.com/sim/{user.open_id}.jpeg"
        return {
            "open_id": user.open_id,
            "union_id": user.union_id,
            "avatar_url": avatar,
            "avatar_url_100": avatar + "?s=100",
            "avatar_large_url": avatar + "?s=720",
            "display_name": user.display_name,
            "bio_description": "",
            "profile_deep_link": f"https://vm.tiktok.com/{user.username}/",
            "is_verified": user.is_verified,
            "username": user.username,
            "follower_count": user.follower_count,
            "following_count": user.following_count,
            "likes_count": user.likes_count,
            "video_count": sum(
                1 for v in self.videos.values() if v.open_id == user.open_id and self._public(v)
            ),
        }

    async def creator_info(self, request: Request) -> Response:
        token = self._auth(request, "video.publish")
        await self._body(request, (), allow_empty=True)
        user = self._user_of(token)
        self._can_post(user, consume=False)
        return envelope(
            {
                "creator_avatar_url": self._user_json(user)["avatar_url"],
                "creator_username": user.username,
                "creator_nickname": user.display_name,
                "privacy_level_options": list(user.privacy_level_options),
                "comment_disabled": user.comment_disabled,
                "duet_disabled": user.duet_disabled,
                "stitch_disabled": user.stitch_disabled,
                "max_video_post_duration_sec": user.max_video_post_duration_sec,
            }
        )

    # ------------------------------------------------------------ publishing

    def _chunk_rules(self, size: Any, chunk: Any, count: Any) -> str | None:
        c = self.conf
        for name, value in (
            ("video_size", size),
            ("chunk_size", chunk),
            ("total_chunk_count", count),
        ):
            if value is None:
                return f"source_info.{name} is required for FILE_UPLOAD."
            if not _typed(value, int) or value <= 0:
                return f"source_info.{name} must be a positive integer."
        if size > c["max_video_bytes"]:
            return "The video is larger than 4 GB."
        if size < c["min_chunk_bytes"]:
            if chunk != size or count != 1:
                return "Videos under 5 MB must be uploaded whole: chunk_size = video_size."
            return None
        if chunk == size and size <= c["max_chunk_bytes"]:
            return None if count == 1 else "total_chunk_count must be 1."
        if not c["min_chunk_bytes"] <= chunk <= c["max_chunk_bytes"]:
            return "chunk_size must be between 5 MB and 64 MB."
        if count != size // chunk:
            return "total_chunk_count must be floor(video_size / chunk_size)."
        if count > c["max_chunks"]:
            return "At most 1000 chunks."
        if size - (count - 1) * chunk > c["max_final_chunk_bytes"]:
            return "The final chunk may be at most 128 MB."
        return None

    async def video_init(self, request: Request) -> Response:
        token = self._auth(request, "video.publish")
        body = await self._body(request, ("post_info", "source_info"))
        post_info = body.get("post_info")
        problem = self._check_object(post_info, "post_info", VIDEO_POST_INFO, ("privacy_level",))
        if problem:
            return invalid(problem)
        assert isinstance(post_info, dict)
        if text_length(post_info.get("title", "")) > self.conf["max_caption_length"]:
            return invalid("post_info.title is longer than 2200 characters.")
        if post_info.get("video_cover_timestamp_ms", 0) < 0:
            return invalid("post_info.video_cover_timestamp_ms must not be negative.")
        src = body.get("source_info")
        if not isinstance(src, dict):
            return invalid("source_info is required.")
        source = src.get("source")
        if source == "FILE_UPLOAD":
            spec = {"source": str, "video_size": int, "chunk_size": int, "total_chunk_count": int}
        elif source == "PULL_FROM_URL":
            spec = {"source": str, "video_url": str}
        else:
            return invalid("source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
        problem = self._check_object(src, "source_info", spec)
        if problem:
            return invalid(problem)
        if source == "FILE_UPLOAD":
            problem = self._chunk_rules(
                src.get("video_size"), src.get("chunk_size"), src.get("total_chunk_count")
            )
            if problem:
                return invalid(problem)
        app, user = self.apps[token.client_key], self._user_of(token)
        self._check_privacy(app, user, post_info)
        if source == "PULL_FROM_URL":
            self._check_url(src.get("video_url"), "source_info.video_url")
        self._can_post(user, consume=True)
        pub = Publish(
            id=f"v_pub_{'file' if source == 'FILE_UPLOAD' else 'url'}~v2-1.{self._next_video_id()}",
            open_id=user.open_id,
            media_type="VIDEO",
            source=source,
            post_mode="DIRECT_POST",
            post_info=dict(post_info),
            created=time.monotonic(),
        )
        data: dict[str, Any] = {"publish_id": pub.id}
        if source == "FILE_UPLOAD":
            pub.video_size, pub.chunk_size = src["video_size"], src["chunk_size"]
            pub.total_chunk_count = src["total_chunk_count"]
            pub.upload_token = secrets.token_urlsafe(16)
            upload_id = pub.id.rsplit(".", 1)[-1]
            data["upload_url"] = f"{self.base_url(request)}/video/?" + urlencode(
                {"upload_id": upload_id, "upload_token": pub.upload_token}
            )
        else:
            pub.urls = [src["video_url"]]
            pub.status = "PROCESSING_DOWNLOAD"
            self._start_processing(pub, user)
        with self.sim.lock:
            self.publishes[pub.id] = pub
        return envelope(data)

    async def content_init(self, request: Request) -> Response:
        token = self._auth(request, "video.publish")
        body = await self._body(request, ("post_info", "source_info", "post_mode", "media_type"))
        if body.get("media_type") != "PHOTO":
            return invalid("media_type must be PHOTO.")
        mode = body.get("post_mode")
        if mode not in ("DIRECT_POST", "MEDIA_UPLOAD"):
            return invalid("post_mode must be DIRECT_POST or MEDIA_UPLOAD.")
        post_info = body.get("post_info")
        required = ("privacy_level",) if mode == "DIRECT_POST" else ()
        problem = self._check_object(post_info, "post_info", PHOTO_POST_INFO, required)
        if problem:
            return invalid(problem)
        assert isinstance(post_info, dict)
        if text_length(post_info.get("title", "")) > self.conf["max_photo_title_length"]:
            return invalid("post_info.title is longer than 90 characters.")
        if (
            text_length(post_info.get("description", ""))
            > self.conf["max_photo_description_length"]
        ):
            return invalid("post_info.description is longer than 4000 characters.")
        src = body.get("source_info")
        spec = {"source": str, "photo_images": list, "photo_cover_index": int}
        problem = self._check_object(src, "source_info", spec, ("source", "photo_images"))
        if problem:
            return invalid(problem)
        assert isinstance(src, dict)
        if src["source"] != "PULL_FROM_URL":
            return invalid("Photos can only be posted with source PULL_FROM_URL.")
        images = src["photo_images"]
        if not 1 <= len(images) <= self.conf["max_photos"]:
            return invalid(f"photo_images takes 1 to {self.conf['max_photos']} URLs.")
        cover = src.get("photo_cover_index", 0)
        if not 0 <= cover < len(images):
            return invalid("photo_cover_index is out of range.")
        app, user = self.apps[token.client_key], self._user_of(token)
        if mode == "DIRECT_POST":
            self._check_privacy(app, user, post_info)
        for i, url in enumerate(images):
            self._check_url(url, f"source_info.photo_images[{i}]")
        self._can_post(user, consume=True)
        pub = Publish(
            id=f"p_pub_url~v2.{self._next_video_id()}",
            open_id=user.open_id,
            media_type="PHOTO",
            source="PULL_FROM_URL",
            post_mode=mode,
            post_info=dict(post_info),
            created=time.monotonic(),
            urls=list(images),
            status="PROCESSING_DOWNLOAD",
        )
        self._start_processing(pub, user)
        with self.sim.lock:
            self.publishes[pub.id] = pub
        return envelope({"publish_id": pub.id})

    def _start_processing(self, pub: Publish, user: User) -> None:
        knobs = self.sim.effective_knobs(self.id, user.username)
        delay = (knobs.media_processing_ms or 0) / 1000
        pub.ready_at = time.monotonic() + delay
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_later(delay, self._tick, pub.id)

    def _tick(self, publish_id: str) -> None:
        with self.sim.lock:
            pub = self.publishes.get(publish_id)
            if pub is not None:
                self._advance(pub)

    def _public(self, video: Video) -> bool:
        return video.privacy_level != "SELF_ONLY" and time.time() >= video.public_at

    def _advance(self, pub: Publish) -> None:
        """Move a publish along its state machine (called under the lock)."""
        if pub.status in ("PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"):
            return
        now = time.monotonic()
        if pub.ready_at is None:
            if now - pub.created > self.conf["upload_ttl_s"]:
                pub.status, pub.fail_reason = "FAILED", "upload_expired"
            return
        if now < pub.ready_at:
            return
        user = self.users.get(pub.open_id)
        if user is None:
            return
        failure = self.conf["processing_failure"]
        if pub.source == "FILE_UPLOAD" and not _sniff_video(pub.head):
            failure = "file_format_check_failed"
        if failure:
            pub.status, pub.fail_reason = "FAILED", str(failure)
            return
        if pub.post_mode == "MEDIA_UPLOAD":
            pub.status = "SEND_TO_USER_INBOX"
            return
        info = pub.post_info
        caption = (
            info.get("description", "") if pub.media_type == "PHOTO" else info.get("title", "")
        )
        created = time.time()
        previous = [v.created for v in self.videos.values() if v.open_id == user.open_id]
        if previous and created <= max(previous) + 0.001:
            created = max(previous) + 0.001  # distinct create times keep cursors exact
        video = Video(
            id=self._next_video_id(),
            open_id=user.open_id,
            caption=caption,
            title=info.get("title", "") if pub.media_type == "PHOTO" else caption[:150],
            privacy_level=info["privacy_level"],
            media_type=pub.media_type,
            created=created,
            public_at=created + self.conf["moderation_ms"] / 1000,
        )
        self.videos[video.id] = video
        pub.status, pub.video_id = "PUBLISH_COMPLETE", video.id
        media = (
            [{"type": "video", "bytes": pub.video_size, "sha256": pub.sha256.hexdigest()}]
            if pub.source == "FILE_UPLOAD"
            else [{"type": pub.media_type.lower(), "url": u} for u in pub.urls]
        )
        self.sim.record_post(
            self.id,
            user.username,
            video.id,
            caption,
            media=media,
            permalink=f"https://www.tiktok.com/@{user.username}/video/{video.id}",
            extra={
                "publish_id": pub.id,
                "privacy_level": video.privacy_level,
                "media_type": pub.media_type,
                "post_info": dict(info),
            },
        )

    async def upload(self, request: Request) -> Response:
        q = request.query_params
        upload_id, upload_token = q.get("upload_id", ""), q.get("upload_token", "")
        with self.sim.lock:
            pub = next(
                (
                    p
                    for p in self.publishes.values()
                    if p.source == "FILE_UPLOAD" and p.id.endswith("." + upload_id)
                ),
                None,
            )
        if (
            pub is None
            or not upload_id
            or not secrets.compare_digest(pub.upload_token, upload_token)
        ):
            return api_error(404, "invalid_params", "The upload_id or upload_token is invalid.")
        ctype = content_type(request)
        if ctype not in VIDEO_TYPES:
            return invalid(f"Content-Type must be one of {', '.join(VIDEO_TYPES)}.")
        match = CONTENT_RANGE_RE.fullmatch(request.headers.get("content-range", "").strip())
        if not match:
            return invalid("Content-Range must be 'bytes {first}-{last}/{total}'.")
        first, last, total = (int(g) for g in match.groups())
        if total != pub.video_size:
            return invalid("The total in Content-Range does not match video_size.")
        if pub.ready_at is not None and first != pub.last_chunk_start:
            return invalid("The upload is already complete.")
        index = first // pub.chunk_size if pub.chunk_size else 0
        final = index == pub.total_chunk_count - 1
        expected_len = pub.video_size - first if final else pub.chunk_size
        if first % pub.chunk_size or index >= pub.total_chunk_count:
            return invalid("Content-Range does not start at a chunk boundary.")
        if last - first + 1 != expected_len:
            return invalid(f"Chunk {index + 1} must be {expected_len} bytes.")
        retry = first == pub.last_chunk_start
        if first != pub.next_offset and not retry:
            return invalid(
                f"Chunks must be sent in order; expected the range starting at {pub.next_offset}."
            )
        received = 0
        digest = pub.sha256.copy()
        head = b""
        async for piece in request.stream():
            received += len(piece)
            digest.update(piece)
            if len(head) < 16:
                head += piece[: 16 - len(head)]
        if received != expected_len:
            return api_error(
                400, "invalid_file_upload", "The chunk is shorter or longer than its Content-Range."
            )
        with self.sim.lock:
            if not retry:
                if first == 0:
                    pub.head = head
                pub.sha256 = digest
                pub.next_offset = last + 1
                pub.chunks += 1
                pub.last_chunk_start = first
            if final and pub.ready_at is None:
                user = self.users[pub.open_id]
                self._start_processing(pub, user)
                if pub.ready_at is not None and pub.ready_at <= time.monotonic():
                    self._advance(pub)
        return Response(status_code=201 if final else 206)

    async def status_fetch(self, request: Request) -> Response:
        token = self.tokens.get(self.bearer(request))
        scope = "video.publish"
        if token is not None and "video.publish" not in token.scopes:
            scope = "video.upload"
        token = self._auth(request, scope)
        body = await self._body(request)
        if set(body) - {"publish_id"} or not isinstance(body.get("publish_id"), str):
            return invalid("publish_id (string) is the only field.")
        with self.sim.lock:
            pub = self.publishes.get(body["publish_id"])
            if pub is None or pub.open_id != token.open_id:
                return invalid("The publish_id does not exist.")
            self._advance(pub)
            data: dict[str, Any] = {"status": pub.status}
            if pub.status == "FAILED":
                data["fail_reason"] = pub.fail_reason
            video = self.videos.get(pub.video_id or "")
            data["publicaly_available_post_id"] = (
                [int(video.id)] if video is not None and self._public(video) else []
            )
            if pub.source == "FILE_UPLOAD":
                data["uploaded_bytes"] = pub.next_offset
            else:
                done = pub.ready_at is not None and time.monotonic() >= pub.ready_at
                data["downloaded_bytes"] = 1 if done else 0
        return envelope(data)

    # ------------------------------------------------------------ videos

    def _fields(self, request: Request) -> list[str]:
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not fields:
            raise Refusal(invalid("fields is required."))
        bad = [f for f in fields if f not in VIDEO_FIELDS]
        if bad:
            raise Refusal(invalid(f"Invalid fields: {','.join(bad)}."))
        return fields

    def _video_json(self, video: Video, fields: list[str]) -> dict[str, Any]:
        user = self.users[video.open_id]
        url = f"https://www.tiktok.com/@{user.username}/video/{video.id}"
        full = {
            "id": video.id,
            "create_time": int(video.created),
            "cover_image_url": f"https://p16-sign.tiktokcdn-us.com/sim/{video.id}~cover.jpeg",
            "share_url": url,
            "video_description": video.caption,
            "duration": 15 if video.media_type == "VIDEO" else 0,
            "height": 1920,
            "width": 1080,
            "title": video.title,
            "embed_html": f'<blockquote class="tiktok-embed" cite="{url}"></blockquote>',
            "embed_link": f"https://www.tiktok.com/embed/v2/{video.id}",
            **video.counters,
        }
        return {f: full[f] for f in fields}

    async def video_list(self, request: Request) -> Response:
        token = self._auth(request, "video.list")
        fields = self._fields(request)
        body = await self._body(request, allow_empty=True)
        if set(body) - {"max_count", "cursor"}:
            return invalid(f"Unknown field {sorted(set(body) - {'max_count', 'cursor'})[0]}.")
        max_count, cursor = body.get("max_count", 10), body.get("cursor")
        if not _typed(max_count, int) or not 1 <= max_count <= 20:
            return invalid("max_count must be an integer from 1 to 20.")
        if cursor is not None and (not _typed(cursor, int) or cursor < 0):
            return invalid("cursor must be a non-negative integer (a UTC timestamp in ms).")
        with self.sim.lock:
            rows = sorted(
                (
                    v
                    for v in self.videos.values()
                    if v.open_id == token.open_id
                    and self._public(v)
                    and (cursor is None or int(v.created * 1000) < cursor)
                ),
                key=lambda v: v.created,
                reverse=True,
            )
            page = rows[:max_count]
            videos = [self._video_json(v, fields) for v in page]
        next_cursor = int(page[-1].created * 1000) if page else (cursor or 0)
        return envelope(
            {"videos": videos, "cursor": next_cursor, "has_more": len(rows) > max_count}
        )

    async def video_query(self, request: Request) -> Response:
        token = self._auth(request, "video.list")
        fields = self._fields(request)
        body = await self._body(request)
        filters = body.get("filters")
        if set(body) - {"filters", "cursor"} or not isinstance(filters, dict):
            return invalid("filters is required and is the only field besides cursor.")
        ids = filters.get("video_ids")
        if (
            set(filters) - {"video_ids"}
            or not isinstance(ids, list)
            or not 1 <= len(ids) <= 20
            or not all(isinstance(i, str) and i.isdigit() for i in ids)
        ):
            return invalid("filters.video_ids must be a list of 1 to 20 video ids (strings).")
        with self.sim.lock:
            videos = [
                self._video_json(v, fields)
                for i in ids
                if (v := self.videos.get(i)) is not None
                and v.open_id == token.open_id
                and self._public(v)
            ]
        return envelope({"videos": videos, "cursor": 0, "has_more": False})

    # ------------------------------------------------------------ simulator controls

    async def sim_app(self, request: Request) -> Response:
        """POST /_sim/tiktok/apps {"redirect_uris": [...], "audited"?: bool}."""
        body = await self.control_body(
            request, ("redirect_uris", "audited", "client_key", "client_secret"), "app"
        )
        uris = body.get("redirect_uris") or ["*"]
        app = self.register_app(
            list(uris),
            body.get("client_key"),
            body.get("client_secret"),
            audited=bool(body.get("audited", True)),
        )
        return JSONResponse(
            {
                "client_key": app.client_key,
                "client_secret": app.client_secret,
                "redirect_uris": app.redirect_uris,
                "audited": app.audited,
            }
        )

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/tiktok/tokens {"username"?, "scopes"?, "expires_in"?, "client_key"?}."""
        body = await self.control_body(
            request, ("username", "scopes", "expires_in", "client_key"), "token"
        )
        return JSONResponse(
            self.issue_token(
                body.get("username"),
                body.get("scopes", DEFAULT_SCOPES),
                expires_in=body.get("expires_in"),
                client_key=body.get("client_key"),
            )
        )

    async def sim_user(self, request: Request) -> Response:
        """POST /_sim/tiktok/users/{username} {"follower_count": 5, "banned": true, ...}."""
        user = self.ensure_user(request.path_params["username"], **await self.control_body(request))
        return JSONResponse({"open_id": user.open_id, "username": user.username})

    async def sim_video(self, request: Request) -> Response:
        """POST /_sim/tiktok/videos/{id} {"like_count": 3, "view_count": 90, ...}."""
        body = await self.control_body(request)
        return self.set_counters(
            self.videos, request.path_params["id"], lambda v: v.counters, body, "video", COUNTERS
        )

    async def sim_publish(self, request: Request) -> Response:
        """GET /_sim/tiktok/publishes/{publish_id}: the upload's bookkeeping (tests)."""
        with self.sim.lock:
            pub = self.publishes.get(request.path_params["id"])
            if pub is None:
                return JSONResponse({"error": "no such publish"}, 404)
            self._advance(pub)
            return JSONResponse(
                {
                    "publish_id": pub.id,
                    "status": pub.status,
                    "source": pub.source,
                    "media_type": pub.media_type,
                    "video_size": pub.video_size,
                    "chunk_size": pub.chunk_size,
                    "total_chunk_count": pub.total_chunk_count,
                    "chunks_received": pub.chunks,
                    "uploaded_bytes": pub.next_offset,
                    "post_info": pub.post_info,
                    "video_id": pub.video_id,
                    "sha256": pub.sha256.hexdigest(),
                }
            )


__all__ = ["SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "TikTokSim", "text_length"]
