"""Simulated Pinterest REST API v5, mounted at /pinterest (API under /pinterest/v5).

Request bodies are checked against the vendor's OpenAPI document (Pinterest REST API v5.23.0;
/work/shared/specs/pinterest/openapi.json): the schemas the publisher uses are embedded below
(same constraints, descriptions dropped): `PinCreate` (string patterns and max lengths),
`PinMediaSource` discriminated by `source_type` (image_base64, image_url, multiple_image_base64,
multiple_image_urls, video_id; pin_url is refused as beta-only), `MediaUploadCreate`.
Errors are the document's `{"code": <int>, "message": "..."}` bodies.

Also simulated, after platform-apis.md §11:
  * OAuth: the web authorize page `/oauth/` (auto-approved as `sim_account`, comma-separated
    scopes), `POST /v5/oauth/token` with HTTP Basic client authentication only, authorization
    codes valid 10 minutes and single use, access tokens expiring after `access_token_ttl_s`,
    continuous refresh (every refresh returns a new refresh token; the old one is refused);
  * scopes per operation (the document's `security`), boards belonging to the user;
  * video: `POST /v5/media` registers an upload whose `upload_url` points back at the simulator
    (an S3-style multipart POST of `upload_parameters` + `file`, answered 204), then
    registered → processing → succeeded/failed after the `media_processing_ms` knob;
  * per-user quotas in Pinterest's categories (org_write, org_read, org_analytics); the document
    defines no rate-limit headers, so a 429 carries none;
  * the shared faults, answered with Pinterest's error bodies; the shared post log.

Not simulated: ads, catalogs, board sections, secret boards, pin updates, system-user tokens.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from simulator import organic
from simulator.oauth import AuthCode, ClientApp, RefreshToken, UserTokens
from simulator.pinterest.schemas import SCHEMAS, check_schema
from simulator.platform import (
    PlatformSim,
    Refusal,
    check_username,
    json_object,
    per_window,
    set_fields,
    settable_fields,
)
from simulator.state import Fault, SimError, iso, utcnow

SANDBOX_CLIENT_ID = "1234567"
SANDBOX_CLIENT_SECRET = "sandbox-pinterest-secret"
SCOPES = frozenset(
    [
        "ads:read",
        "ads:write",
        "boards:read",
        "boards:read_secret",
        "boards:write",
        "boards:write_secret",
        "catalogs:read",
        "catalogs:write",
        "pins:read",
        "pins:read_secret",
        "pins:write",
        "pins:write_secret",
        "user_accounts:read",
    ]
)
DEFAULT_SCOPES = "boards:read,boards:write,pins:read,pins:write,user_accounts:read"
DEFAULT_SETTINGS: dict[str, Any] = {
    "default_account": "alice",
    "access_token_ttl_s": 30 * 86400,
    "refresh_token_ttl_s": 60 * 86400,
    "auth_code_ttl_s": 600,
    # Set to a text to make every video fail processing with it.
    "media_processing_error": None,
}
PIN_METRICS = ("IMPRESSION", "OUTBOUND_CLICK", "PIN_CLICK", "SAVE", "SAVE_RATE")
PIN_METRICS_ALL = (
    *PIN_METRICS,
    "TOTAL_COMMENTS",
    "TOTAL_REACTIONS",
    "USER_FOLLOW",
    "PROFILE_VISIT",
)
E_AUTH = "Authentication failed."
E_BOARD = "Board not found."
E_PIN = "Pin not found."
E_RATE = "You have exceeded your rate limit. Try again later."


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[4:8] == b"ftyp" or data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/mp4"
    return None


# ----------------------------------------------------------------------------- state


@dataclass
class User:
    id: str
    username: str
    follower_count: int = 0
    following_count: int = 0
    monthly_views: int = 0
    account_type: str = "BUSINESS"


@dataclass
class Board:
    id: str
    owner_id: str
    name: str
    privacy: str = "PUBLIC"
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class Token:
    value: str
    client_id: str
    user_id: str
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class MediaUpload:
    id: str
    user_id: str
    key: str
    uploaded: bool = False
    size: int = 0
    ready_at: float = 0.0
    failure: str | None = None

    def status(self) -> str:
        if not self.uploaded:
            return "registered"
        if time.monotonic() < self.ready_at:
            return "processing"
        return "failed" if self.failure else "succeeded"


@dataclass
class Pin:
    id: str
    user_id: str
    board_id: str
    title: str | None
    description: str | None
    link: str | None
    alt_text: str | None
    source_type: str
    created_at: datetime
    media: dict[str, Any]
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PIN_METRICS_ALL, 0))


def error(status: int, message: str, code: int | None = None) -> JSONResponse:
    """Pinterest's error body: {"code": <int>, "message": "..."}."""
    return JSONResponse({"code": status if code is None else code, "message": message}, status)


def _page(message: str, status: int = 400) -> Response:
    return HTMLResponse(f"<h1>Pinterest</h1><p>{message}</p>", status)


# The most specific first: a request counts in the first family that matches it.
_FAMILIES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/v5/(?:pins/[^/]+|user_account)/analytics"), "org_analytics"),
    ("GET", re.compile(r"/v5/(?:pins|boards|user_account|media)"), "org_read"),
    ("GET", re.compile(r"/v5/(?:pins|media)/[^/]+/?"), "org_read"),
    ("POST", re.compile(r"/v5/(?:pins|media)"), "org_write"),
]


class PinterestSim(UserTokens[Token, User], PlatformSim):
    id = "pinterest"
    organic_posts = ("pins", "metrics", organic.OWN_COUNTERS["pinterest"])
    organic_accounts = ("users", "username", "follower_count")
    display_name = "Pinterest"
    # Standard access: per user per app; category sizes are portal-defined.
    quotas = per_window(60, org_write=100, org_read=1000, org_analytics=300)
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.apps: dict[str, ClientApp] = {}
        self.users: dict[str, User] = {}  # by id
        self.boards: dict[str, Board] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.grants: dict[str, AuthCode] = {}
        self.media: dict[str, MediaUpload] = {}
        self.pins: dict[str, Pin] = {}
        self._seq = 0
        self.register_app(
            ["*"], client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET, name="Sandbox"
        )

    # ------------------------------------------------------------ ids, users, apps, tokens

    def _next_id(self) -> str:
        with self.sim.lock:
            self._seq += 1
            return str(int(time.time() * 1000) * 1000 + self._seq % 1000)

    def ensure_user(self, username: str, **fields: Any) -> User:
        """Find or create an account (with one board, "Ideas"); set counters from `fields`."""
        check_username(username, 30)
        with self.sim.lock:
            user = self.user_by_username(username)
            if user is None:
                user = User(self._next_id(), username)
                self.users[user.id] = user
                self.add_board(username, "Ideas")
            set_fields(user, fields, settable_fields(user, "id", "username"), "user")
            return user

    def add_board(self, username: str, name: str, privacy: str = "PUBLIC") -> Board:
        user = self.ensure_user(username)
        board = Board(self._next_id(), user.id, name, privacy)
        return self.keep(self.boards, board.id, board)

    def boards_of(self, username: str) -> list[Board]:
        user = self.ensure_user(username)
        return [b for b in self.boards.values() if b.owner_id == user.id]

    def register_app(
        self,
        redirect_uris: list[str],
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        name: str = "Herald",
    ) -> ClientApp:
        """An app of the developer portal (always confidential: Basic auth at the token URL)."""
        app = ClientApp(
            client_id or str(secrets.randbelow(10**7 - 10**6) + 10**6),
            client_secret or secrets.token_hex(20),
            list(redirect_uris),
            name,
        )
        return self.keep(self.apps, app.client_id, app)

    def _mint(
        self, client_id: str, user_id: str, scopes: list[str], expires_in: float | None = None
    ) -> tuple[Token, RefreshToken]:
        now = time.time()
        ttl = self.conf["access_token_ttl_s"] if expires_in is None else expires_in
        token = Token("pina_" + secrets.token_urlsafe(40), client_id, user_id, scopes, now + ttl)
        rt = RefreshToken(
            "pinr_" + secrets.token_urlsafe(40),
            client_id,
            user_id,
            scopes,
            now + self.conf["refresh_token_ttl_s"],
        )
        with self.sim.lock:
            self.tokens[token.value] = token
            self.refresh_tokens[rt.value] = rt
        return token, rt

    def issue_token(
        self,
        username: str,
        scopes: str = DEFAULT_SCOPES,
        *,
        expires_in: float | None = None,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Mint a user token and refresh token without the OAuth dance (tests, benchmarks)."""
        user = self.ensure_user(username)
        client_id = self.issuing_app(client_id)
        wanted = [s for s in scopes.replace(",", " ").split() if s]
        token, rt = self._mint(client_id, user.id, wanted, expires_in)
        return self.issued(user.id, client_id, token, rt, scope_separator=",")

    # ------------------------------------------------------------ authentication

    def _auth(self, request: Request, *scopes: str) -> Token:
        token = self.valid_token(request)
        if token is None:
            raise Refusal(error(401, E_AUTH, 2))
        missing = [s for s in scopes if s not in token.scopes]
        if missing:
            raise Refusal(
                error(401, f"Authorization failed: missing scope(s) {', '.join(missing)}.", 3)
            )
        return token

    # ------------------------------------------------------------ rate limits and faults

    def before(self, request: Request, account: str | None) -> Response | None:
        family = self.rate_family(request, _FAMILIES)
        token = self.valid_token(request)
        if family is None or token is None:
            return None
        state = self.sim.rate(self.id, family, token.user_id, account=account)
        if not state.allowed:
            return error(429, E_RATE, 8)
        return None

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            return error(429, fault.message or E_RATE, 8)
        if kind == "401":
            return error(401, fault.message or E_AUTH, 2)
        if kind == "duplicate":
            return error(409, fault.message or "Duplicate Pin.", 409)
        status = int(kind)  # a 5xx
        return error(status, fault.message or HTTPStatus(status).phrase)

    # ------------------------------------------------------------ rendering

    def _user_json(self, user: User) -> dict[str, Any]:
        return {
            "account_type": user.account_type,
            "id": user.id,
            "username": user.username,
            "profile_image": f"https://i.pinimg.com/600x600_R/{user.id}.jpg",
            "website_url": "",
            "about": "",
            "business_name": user.username.capitalize(),
            "board_count": sum(1 for b in self.boards.values() if b.owner_id == user.id),
            "pin_count": sum(1 for p in self.pins.values() if p.user_id == user.id),
            "follower_count": user.follower_count,
            "following_count": user.following_count,
            "monthly_views": user.monthly_views,
        }

    def _board_json(self, board: Board) -> dict[str, Any]:
        owner = self.users[board.owner_id]
        return {
            "id": board.id,
            "created_at": iso(board.created_at, 0),
            "board_pins_modified_at": iso(board.created_at, 3),
            "name": board.name,
            "description": "",
            "collaborator_count": 0,
            "pin_count": sum(1 for p in self.pins.values() if p.board_id == board.id),
            "follower_count": 0,
            "media": {"image_cover_url": None, "pin_thumbnail_urls": []},
            "owner": {"username": owner.username},
            "privacy": board.privacy,
        }

    def _pin_json(self, pin: Pin) -> dict[str, Any]:
        owner = self.users[pin.user_id]
        return {
            "id": pin.id,
            "created_at": iso(pin.created_at, 0),
            "link": pin.link,
            "title": pin.title,
            "description": pin.description,
            "dominant_color": "#6E7874",
            "alt_text": pin.alt_text,
            "creative_type": "VIDEO" if pin.source_type == "video_id" else "REGULAR",
            "board_id": pin.board_id,
            "board_section_id": None,
            "board_owner": {"username": owner.username},
            "is_owner": True,
            "media": pin.media,
            "parent_pin_id": None,
            "is_standard": True,
            "has_been_promoted": False,
            "note": None,
            "pin_metrics": None,
        }

    def _paged(self, request: Request, items: list[Any]) -> tuple[list[Any], str | None]:
        q = request.query_params
        try:
            size = int(q.get("page_size", "25"))
        except ValueError:
            raise Refusal(error(400, "page_size: Not a valid integer.", 1)) from None
        if not 1 <= size <= 250:
            raise Refusal(
                error(400, "page_size: Must be greater than or equal to 1 and less than 250.", 1)
            )
        start = 0
        if q.get("bookmark"):
            try:
                start = int(base64.urlsafe_b64decode(q["bookmark"].encode()).decode())
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise Refusal(error(400, "Invalid bookmark.", 1)) from None
        page = items[start : start + size]
        more = start + size < len(items)
        token = base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else None
        return page, token

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        return self.api_routes(
            ("GET", "/oauth/", self.authorize),
            ("POST", "/v5/oauth/token", self.token),
            ("GET", "/v5/user_account", self.user_account),
            ("GET", "/v5/user_account/analytics", self.account_analytics),
            ("GET", "/v5/boards", self.list_boards),
            ("GET", "/v5/pins", self.list_pins),
            ("POST", "/v5/pins", self.create_pin),
            ("GET", "/v5/pins/{pin_id}", self.get_pin),
            ("GET", "/v5/pins/{pin_id}/analytics", self.pin_analytics),
            ("POST", "/v5/media", self.register_media),
            ("GET", "/v5/media/{media_id}", self.media_status),
            ("POST", "/upload/{media_id}", self.upload),
        )

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/users/{username}/boards", self.sim_board, methods=["POST"]),
            Route("/pins/{pin_id}", self.sim_pin, methods=["POST"]),
        ]

    # ------------------------------------------------------------ OAuth

    def sandbox(self) -> dict[str, str]:
        return super().sandbox() | {"api_base": "/pinterest/v5"}

    async def authorize(self, request: Request) -> Response:
        """Auto-approves as `sim_account` (query param, simulator-only) or the default user."""
        app, redirect_uri = self.authorizing_app(
            request,
            _page("Invalid client_id."),
            _page("The redirect_uri does not match the app's redirect URIs."),
        )
        q = request.query_params
        if q.get("response_type") != "code":
            return _page("response_type must be code.")
        scopes = [s for s in q.get("scope", "").split(",") if s]
        if not scopes or any(s not in SCOPES for s in scopes):
            return _page("Invalid scope.")
        try:
            user = self.ensure_user(self.consenting_account(request))
        except SimError as exc:
            return _page(str(exc))
        grant = AuthCode(
            secrets.token_hex(20),
            app.client_id,
            user.id,
            redirect_uri,
            scopes,
            time.monotonic() + self.conf["auth_code_ttl_s"],
        )
        with self.sim.lock:
            self.grants[grant.code] = grant
        params = {"code": grant.code}
        if q.get("state"):
            params["state"] = q["state"]
        sep = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{sep}{urlencode(params)}", 302)

    def _client(self, request: Request) -> ClientApp | None:
        client_id, secret = self.basic_credentials(request) or ("", "")
        app = self.apps.get(client_id)
        return app if self.secret_ok(app, secret) else None

    def _token_body(self, token: Token, rt: RefreshToken, response_type: str) -> Response:
        now = time.time()
        rt_ttl = int(round(rt.expires_at - now))
        return JSONResponse(
            {
                "access_token": token.value,
                "refresh_token": rt.value,
                "response_type": response_type,
                "token_type": "bearer",
                "expires_in": int(round(token.expires_at - now)),
                "refresh_token_expires_in": rt_ttl,
                "refresh_token_expires_at": int(rt.expires_at),
                "scope": ",".join(token.scopes),
            }
        )

    async def token(self, request: Request) -> Response:
        form = await self.form_fields(request)
        if form is None:
            return error(400, "Content-Type must be application/x-www-form-urlencoded.", 1)
        app = self._client(request)
        if app is None:
            return error(401, "Authentication failed: invalid client credentials.", 2)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            for name in ("code", "redirect_uri"):
                if not form.get(name):
                    return error(400, f"{name}: Missing data for required field.", 1)
            with self.sim.lock:
                grant = self.grants.get(form["code"])
                if not self.grant_usable(grant, app.client_id, form["redirect_uri"]):
                    return error(400, "Invalid authorization code.", 1)
                assert grant is not None
                grant.used = True
            token, rt = self._mint(app.client_id, grant.user_id, grant.scopes)
            return self._token_body(token, rt, "authorization_code")
        if grant_type == "refresh_token":
            value = form.get("refresh_token")
            if not value:
                return error(400, "refresh_token: Missing data for required field.", 1)
            with self.sim.lock:
                rt = self.refresh_tokens.get(value)
                if (
                    rt is None
                    or rt.used
                    or rt.client_id != app.client_id
                    or rt.expires_at <= time.time()
                ):
                    return error(400, "Invalid refresh token.", 1)
                scopes = rt.scopes
                if form.get("scope"):
                    scopes = [s for s in form["scope"].split(",") if s]
                    if not set(scopes) <= set(rt.scopes):
                        return error(400, "Invalid scope.", 1)
                rt.used = True  # continuous refresh: the old refresh token stops working
                token, new_rt = self._mint(app.client_id, rt.user_id, scopes)
            return self._token_body(token, new_rt, "refresh_token")
        return error(400, "grant_type: Must be one of: authorization_code, refresh_token.", 1)

    # ------------------------------------------------------------ account and boards

    async def user_account(self, request: Request) -> Response:
        token = self._auth(request, "user_accounts:read")
        return JSONResponse(self._user_json(self.users[token.user_id]))

    def _date_range(self, request: Request) -> tuple[date, date]:
        q = request.query_params
        try:
            start = date.fromisoformat(q.get("start_date", ""))
            end = date.fromisoformat(q.get("end_date", ""))
        except ValueError:
            raise Refusal(
                error(400, "start_date and end_date (YYYY-MM-DD) are required.", 1)
            ) from None
        today = utcnow().date()
        if start > end or start < today - timedelta(days=90):
            raise Refusal(error(400, "Invalid date range: at most 90 days back.", 1))
        return start, end

    async def account_analytics(self, request: Request) -> Response:
        token = self._auth(request, "user_accounts:read")
        span = self._date_range(request)
        assert token is not None
        totals = dict.fromkeys(PIN_METRICS, 0)
        for pin in self.pins.values():
            if pin.user_id == token.user_id and span[0] <= pin.created_at.date() <= span[1]:
                for name in PIN_METRICS:
                    totals[name] += pin.metrics.get(name, 0)
        return JSONResponse({"all": {"daily_metrics": [], "summary_metrics": totals}})

    async def list_boards(self, request: Request) -> Response:
        token = self._auth(request, "boards:read")
        boards = sorted(
            (b for b in self.boards.values() if b.owner_id == token.user_id),
            key=lambda b: int(b.id),
        )
        paged = self._paged(request, boards)
        page, bookmark = paged
        return JSONResponse({"items": [self._board_json(b) for b in page], "bookmark": bookmark})

    # ------------------------------------------------------------ pins

    async def list_pins(self, request: Request) -> Response:
        token = self._auth(request, "boards:read", "pins:read")
        pins = sorted(
            (p for p in self.pins.values() if p.user_id == token.user_id),
            key=lambda p: int(p.id),
            reverse=True,
        )
        paged = self._paged(request, pins)
        page, bookmark = paged
        return JSONResponse({"items": [self._pin_json(p) for p in page], "bookmark": bookmark})

    def _owned_pin(self, request: Request, token: Token) -> Pin:
        pin_id = request.path_params["pin_id"]
        pin = self.pins.get(pin_id)
        if pin is None:
            raise Refusal(error(404, E_PIN, 50))
        if pin.user_id != token.user_id:
            raise Refusal(error(403, "Not authorized to access board or Pin.", 29))
        return pin

    async def get_pin(self, request: Request) -> Response:
        token = self._auth(request, "boards:read", "pins:read")
        return JSONResponse(self._pin_json(self._owned_pin(request, token)))

    async def pin_analytics(self, request: Request) -> Response:
        token = self._auth(request, "boards:read", "pins:read")
        self._date_range(request)
        wanted = [m for m in request.query_params.get("metric_types", "").split(",") if m]
        if not wanted or any(m not in PIN_METRICS_ALL and m != "ALL" for m in wanted):
            return error(400, "Invalid pins analytics parameters.", 400)
        pin = self._owned_pin(request, token)
        names = PIN_METRICS_ALL if "ALL" in wanted else wanted
        values = {m: pin.metrics.get(m, 0) for m in names}
        return JSONResponse(
            {
                "all": {
                    "daily_metrics": [
                        {
                            "date": pin.created_at.date().isoformat(),
                            "data_status": "READY",
                            "metrics": values,
                        }
                    ],
                    "lifetime_metrics": values,
                    "summary_metrics": values,
                }
            }
        )

    def _decode_image(self, data: str, content_type: str, where: str) -> tuple[bytes, str | None]:
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return b"", f"{where}: invalid base64 data."
        mime = _sniff(raw)
        if mime is None or not mime.startswith("image/"):
            return raw, f"{where}: the data is not an image."
        if mime != content_type:
            return raw, f"{where}: content_type {content_type} does not match the image ({mime})."
        return raw, None

    @staticmethod
    def _reachable(url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)

    @staticmethod
    async def _json_body(request: Request, schema: str) -> dict[str, Any]:
        """The JSON object body, refused unless it is valid against the document's `schema`."""
        body = json_object(
            await request.body() or b"null",
            lambda message: Refusal(error(400, message, 1)),
            "Invalid JSON body.",
            "body: expected object.",
        )
        problems = check_schema(body, SCHEMAS[schema])
        if problems:
            raise Refusal(error(400, "Invalid request body: " + "; ".join(problems), 1))
        return body

    async def create_pin(self, request: Request) -> Response:
        token = self._auth(request, "boards:read", "pins:write")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return error(415, "Content-Type must be application/json.", 1)
        body = await self._json_body(request, "PinCreate")
        board = self.boards.get(body["board_id"])
        if board is None or board.owner_id != token.user_id:
            return error(404, E_BOARD, 40)
        link = body.get("link")
        if link and not self._reachable(link):
            return error(400, "Invalid link: must be an http(s) URL.", 1)
        source = body["media_source"]
        kind = source["source_type"]
        media_log: list[dict[str, Any]] = []
        media: dict[str, Any] = {"media_type": "image"}
        if kind == "pin_url":
            return error(403, "pin_url media sources are limited to beta partners.", 29)
        if kind == "image_base64":
            raw, problem = self._decode_image(source["data"], source["content_type"], "data")
            if problem:
                return error(400, problem, 1)
            media_log.append({"type": source["content_type"], "size": len(raw)})
        elif kind == "multiple_image_base64":
            for i, item in enumerate(source["items"]):
                raw, problem = self._decode_image(
                    item["data"], item["content_type"], f"items[{i}].data"
                )
                if problem:
                    return error(400, problem, 1)
                media_log.append({"type": item["content_type"], "size": len(raw)})
            media = {"media_type": "multiple_images", "items": [{} for _ in source["items"]]}
        elif kind in ("image_url", "multiple_image_urls"):
            urls = [source["url"]] if kind == "image_url" else [i["url"] for i in source["items"]]
            for url in urls:
                if not self._reachable(url):
                    return error(400, f"Unable to reach the URL: {url}", 1)
                media_log.append({"url": url})
            if kind == "multiple_image_urls":
                media = {"media_type": "multiple_images", "items": [{} for _ in urls]}
        else:  # video_id
            upload = self.media.get(source["media_id"])
            if upload is None or upload.user_id != token.user_id:
                return error(404, "Media not found.", 404)
            status = upload.status()
            if status != "succeeded":
                return error(400, f"Media upload is not ready (status: {status}).", 1)
            has_cover = any(
                k in source for k in ("cover_image_url", "cover_image_key_frame_time")
            ) or ("cover_image_data" in source and "cover_image_content_type" in source)
            if not has_cover:
                return error(
                    400,
                    "Video pins need cover_image_url, cover_image_key_frame_time or "
                    "cover_image_data with cover_image_content_type.",
                    1,
                )
            if "cover_image_data" in source:
                _, problem = self._decode_image(
                    source["cover_image_data"],
                    source["cover_image_content_type"],
                    "cover_image_data",
                )
                if problem:
                    return error(400, problem, 1)
            media_log.append({"media_id": upload.id, "type": "video", "size": upload.size})
            media = {"media_type": "video", "cover_image_url": source.get("cover_image_url")}
        pin = Pin(
            self._next_id(),
            token.user_id,
            board.id,
            body.get("title"),
            body.get("description"),
            link,
            body.get("alt_text"),
            kind,
            utcnow(),
            media,
        )
        permalink = f"https://www.pinterest.com/pin/{pin.id}/"
        with self.sim.lock:
            self.pins[pin.id] = pin
            self.sim.record_post(
                self.id,
                self.users[token.user_id].username,
                pin.id,
                pin.description or "",
                media=media_log,
                permalink=permalink,
                extra={"board_id": board.id, "title": pin.title, "source_type": kind},
            )
        return JSONResponse(self._pin_json(pin), 201)

    # ------------------------------------------------------------ video media

    async def register_media(self, request: Request) -> Response:
        token = self._auth(request, "pins:read", "pins:write")
        await self._json_body(request, "MediaUploadCreate")
        upload = MediaUpload(self._next_id(), token.user_id, f"uploads/{secrets.token_hex(12)}")
        with self.sim.lock:
            self.media[upload.id] = upload
        return JSONResponse(
            {
                "media_id": upload.id,
                "media_type": "video",
                "upload_url": f"{self.base_url(request)}/upload/{upload.id}",
                "upload_parameters": {
                    "x-amz-date": utcnow().strftime("%Y%m%dT%H%M%SZ"),
                    "x-amz-signature": secrets.token_hex(32),
                    "x-amz-security-token": secrets.token_urlsafe(24),
                    "x-amz-algorithm": "AWS4-HMAC-SHA256",
                    "key": upload.key,
                    "policy": base64.b64encode(b'{"conditions": []}').decode(),
                    "x-amz-credential": "ASIA/sim/us-east-1/s3/aws4_request",
                    "Content-Type": "multipart/form-data",
                },
            },
            201,
        )

    async def upload(self, request: Request) -> Response:
        """The S3-style upload target: multipart, upload_parameters fields, `file` last → 204."""
        upload = self.media.get(request.path_params["media_id"])
        form = await request.form(max_part_size=64 * 1024 * 1024)
        keys = list(form.keys())
        if upload is None or form.get("key") != upload.key:
            return Response("<Error><Code>AccessDenied</Code></Error>", 403)
        for name in ("policy", "x-amz-signature", "x-amz-credential"):
            if not form.get(name):
                return Response(f"<Error><Code>InvalidArgument</Code>{name}</Error>", 400)
        file = form.get("file")
        if not isinstance(file, UploadFile) or keys[-1] != "file":
            return Response("<Error><Code>InvalidArgument</Code>file must be last</Error>", 400)
        data = await file.read()
        if _sniff(data) != "video/mp4":
            failure: str | None = "The file is not a supported video."
        else:
            failure = self.conf["media_processing_error"]
        knobs = self.sim.effective_knobs(self.id, self.users[upload.user_id].username)
        with self.sim.lock:
            upload.uploaded = True
            upload.size = len(data)
            upload.failure = failure
            upload.ready_at = time.monotonic() + (knobs.media_processing_ms or 0) / 1000
        return Response(status_code=204)

    async def media_status(self, request: Request) -> Response:
        token = self._auth(request, "pins:read")
        upload = self.media.get(request.path_params["media_id"])
        if upload is None or upload.user_id != token.user_id:
            return error(404, "Media not found.", 404)
        return JSONResponse(
            {"media_id": upload.id, "media_type": "video", "status": upload.status()}
        )

    # ------------------------------------------------------------ simulator controls

    async def sim_app(self, request: Request) -> Response:
        """POST /_sim/pinterest/apps {"redirect_uris": [...], "client_id"?, "client_secret"?}."""
        body = await self.control_body(
            request, ("redirect_uris", "client_id", "client_secret", "name"), "app"
        )
        uris = body.get("redirect_uris")
        if not isinstance(uris, list) or not uris:
            raise SimError("'redirect_uris' must be a non-empty list")
        app = self.register_app(
            uris,
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
        """POST /_sim/pinterest/tokens {"username"?, "scopes"?, "expires_in"?, "client_id"?}."""
        body = await self.control_body(request)
        return JSONResponse(
            self.issue_token(
                body.get("username") or self.conf["default_account"],
                body.get("scopes", DEFAULT_SCOPES),
                expires_in=body.get("expires_in"),
                client_id=body.get("client_id"),
            )
        )

    async def sim_user(self, request: Request) -> Response:
        """POST /_sim/pinterest/users/{username} {"follower_count": 5, ...}: create/update."""
        user = self.ensure_user(request.path_params["username"], **await self.control_body(request))
        return JSONResponse(self._user_json(user))

    async def sim_board(self, request: Request) -> Response:
        """POST /_sim/pinterest/users/{username}/boards {"name", "privacy"?}."""
        body = await self.control_body(request)
        board = self.add_board(
            request.path_params["username"],
            str(body.get("name") or "Board"),
            str(body.get("privacy") or "PUBLIC"),
        )
        return JSONResponse(self._board_json(board))

    async def sim_pin(self, request: Request) -> Response:
        """POST /_sim/pinterest/pins/{id} {"IMPRESSION": 90, "SAVE": 3, ...}."""
        body = await self.control_body(request)
        return self.set_counters(
            self.pins,
            request.path_params["pin_id"],
            lambda p: p.metrics,
            body,
            "pin",
            render=self._pin_json,
        )


__all__ = ["SCHEMAS", "PinterestSim", "check_schema"]
