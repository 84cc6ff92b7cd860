"""Simulated Mastodon instance (4.x), mounted at /mastodon.

Paths, parameters, entities and error texts follow the Mastodon API docs, the community OpenAPI
description (/work/shared/specs/mastodon/schema.json) and Mastodon's own source: Doorkeeper OAuth
with S256 PKCE, per-token scopes, Rails-style params (JSON, form or query), `Idempotency-Key`
kept one hour per account, media that answers 202 then 206 until processed, StatusLengthValidator
counting (URLs = characters_reserved_per_url, remote mentions as @user, graphemes), Rack::Attack
and RateLimiter 429s with X-RateLimit-* headers (ISO-8601 reset).

Not simulated: federation, polls beyond their validation, editing, notifications.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.providers.mastodon_text import count_status_length, url_spans
from simulator import organic
from simulator.oauth import OAuthServer, s256
from simulator.platform import (
    ParamsError,
    PlatformSim,
    Refusal,
    check_username,
    find_named,
    read_params,
    set_fields,
    settable_fields,
    with_query,
)
from simulator.state import Fault, SimError, iso, utcnow

VISIBILITIES = ("public", "unlisted", "private", "direct")
SCOPES = (
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "admin:read",
    "admin:write",
)
OOB = "urn:ietf:wg:oauth:2.0:oob"


def _mime_types(kind: str, subtypes: str) -> tuple[str, ...]:
    """`kind`/`subtype` for each of the space-separated `subtypes`."""
    return tuple(f"{kind}/{subtype}" for subtype in subtypes.split())


# The MIME types an instance accepts (its configuration.media_attachments), by family.
IMAGE_TYPES = _mime_types("image", "jpeg png gif heic heif webp avif")
VIDEO_TYPES = _mime_types("video", "webm mp4 quicktime ogg")
AUDIO_TYPES = _mime_types("audio", "wave wav x-wav ogg mpeg mp3 webm flac aac m4a x-m4a mp4")
KEEP_MEDIA_BYTES = 2 * 1024 * 1024  # larger uploads keep only their digest

# Error texts (Mastodon en.yml, Doorkeeper, Api::BaseController).
E_TOKEN_INVALID = "The access token is invalid"
E_TOKEN_REVOKED = "The access token was revoked"
E_TOKEN_EXPIRED = "The access token expired"
E_SCOPE = "This action is outside the authorized scopes"
E_NEEDS_USER = "This method requires an authenticated user"
E_NOT_FOUND = "Record not found"
E_TOO_MANY = "Too many requests"
E_NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"
E_MIXED = "Cannot attach a video to a post that already contains images"
E_REPLY_404 = "The post you are trying to reply to does not appear to exist."
E_FILE_TYPE = "File type of uploaded media could not be verified"
OAUTH_ERRORS = {
    "invalid_client": "Client authentication failed due to unknown client, no client "
    "authentication included, or unsupported authentication method.",
    "invalid_grant": "The provided authorization grant is invalid, expired, revoked, does not "
    "match the redirection URI used in the authorization request, or was issued to another client.",
    "unsupported_grant_type": "The authorization grant type is not supported by the "
    "authorization server.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed.",
    "unsupported_response_type": "The authorization server does not support this response type.",
    "invalid_redirect_uri": "The requested redirect uri is malformed or doesn't match client "
    "redirect URI.",
    "unauthorized_client": "You are not authorized to revoke this token",
}

# ------------------------------------------------------------------ text (StatusLengthValidator)

# Mastodon's StatusLengthValidator and its formatter's URL rules, ported and tested against
# Mastodon's own spec cases in app/providers/mastodon_text.py: the simulator refuses exactly the
# statuses a real instance refuses and links what it links.
_TAG_RE = re.compile(r"(?<![\w/#])#(\w*[^\W\d_]\w*)")


def _link(url: str) -> str:
    scheme, _, rest = url.partition("://")
    shown, hidden = rest[:30], rest[30:]
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{html.escape(scheme)}://</span>'
        f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def render_content(text: str) -> str:
    """Plain text → Mastodon's status HTML (paragraphs, <br />, linkified URLs)."""
    paragraphs = []
    for para in re.split(r"\n\n+", text.strip("\n")):
        out, pos = [], 0
        for start, end in url_spans(para):
            out += [html.escape(para[pos:start], quote=False), _link(para[start:end])]
            pos = end
        out.append(html.escape(para[pos:], quote=False))
        paragraphs.append("<p>" + "".join(out).replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def _sniff(data: bytes) -> str | None:
    """Major type by content, for the formats we can recognise cheaply."""
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return "image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return "image" if brand in (b"heic", b"heix", b"mif1", b"avif") else "video"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    return None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "f", "false", "off", "n", "no")
    return bool(value)


def _scalar(value: Any) -> str | None:
    """Rails `permit` keeps scalars and silently drops arrays/hashes."""
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ------------------------------------------------------------------ state


@dataclass
class App:
    id: str
    name: str
    website: str | None
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: list[str]


@dataclass
class Account:
    id: str
    username: str
    display_name: str
    created_at: datetime
    followers_count: int = 0
    following_count: int = 0
    note: str = ""
    bot: bool = False
    locked: bool = False
    statuses_count: int = 0
    last_status_at: datetime | None = None


@dataclass
class Token:
    token: str
    client_id: str | None
    account_id: str | None
    scopes: list[str]
    created_at: int
    revoked: bool = False


@dataclass
class Grant:
    code: str
    client_id: str
    account_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str | None
    expires: float
    used: bool = False


@dataclass
class Media:
    id: str
    account_id: str
    type: str
    mime: str
    filename: str
    size: int
    sha256: str
    data: bytes | None
    description: str | None
    ready_at: float
    status_id: str | None = None

    def ready(self) -> bool:
        return time.monotonic() >= self.ready_at


# A status's counters, as the Status entity shows them.
STATUS_COUNTS = ("replies_count", "reblogs_count", "favourites_count", "quotes_count")


@dataclass
class Status:
    id: str
    account_id: str
    text: str
    spoiler_text: str
    visibility: str
    sensitive: bool
    language: str | None
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    media_ids: list[str]
    created_at: datetime
    application: dict[str, Any] | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_COUNTS, 0))


DEFAULT_SETTINGS: dict[str, Any] = {
    "title": "Herald Simulator",
    "max_characters": 500,
    "max_media_attachments": 4,
    "characters_reserved_per_url": 23,
    "supported_mime_types": [*IMAGE_TYPES, *VIDEO_TYPES, *AUDIO_TYPES],
    "image_size_limit": 16_777_216,
    "video_size_limit": 103_809_024,
    "description_limit": 1500,
    "idempotency_ttl_s": 3600,
    "default_account": "alice",
}


class MastodonSim(OAuthServer, PlatformSim):
    id = "mastodon"
    organic_posts = ("statuses", "counts", organic.OWN_COUNTERS["mastodon"])
    organic_accounts = ("accounts", "username", "followers_count")
    display_name = "Mastodon"
    tokens_expire = False
    quotas = {
        "api": {"limit": 300, "window_s": 300},  # Rack::Attack, per token
        "statuses": {"limit": 300, "window_s": 10800},  # RateLimiter :statuses
        "media": {"limit": 30, "window_s": 1800},  # Rack::Attack, POST media
    }
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = {
            k: list(v) if isinstance(v, list) else v for k, v in DEFAULT_SETTINGS.items()
        }
        self.apps: dict[str, App] = {}  # by client_id
        self.accounts: dict[str, Account] = {}  # by id
        self.tokens: dict[str, Token] = {}
        self.grants: dict[str, Grant] = {}
        self.media: dict[str, Media] = {}
        self.statuses: dict[str, Status] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._seq = 0

    # ------------------------------------------------------------ knobs / settings

    # ------------------------------------------------------------ ids, accounts, tokens

    def _next_id(self) -> str:
        """Snowflake-like: milliseconds << 16 | sequence, so ids sort by creation time."""
        with self.sim.lock:
            self._seq = (self._seq + 1) & 0xFFFF
            return str((int(time.time() * 1000) << 16) | self._seq)

    def ensure_account(self, username: str, **fields: Any) -> Account:
        """Find or create a local account (in-process helper for tests and benchmarks)."""
        check_username(username, 30)
        with self.sim.lock:
            acc = find_named(self.accounts, username)
            if acc is None:
                acc = Account(self._next_id(), username, username.capitalize(), utcnow())
                self.accounts[acc.id] = acc
            fixed = ("id", "username", "created_at", "last_status_at")
            set_fields(acc, fields, settable_fields(acc, *fixed), "account")
            return acc

    def issue_token(
        self, username: str, scopes: str = "read write", client_id: str | None = None
    ) -> str:
        """Mint a user token without the OAuth dance (tests, benchmarks, sandbox accounts)."""
        acc = self.ensure_account(username)
        now = int(time.time())
        token = Token(secrets.token_urlsafe(32), client_id, acc.id, scopes.split(), now)
        with self.sim.lock:
            self.tokens[token.token] = token
        return token.token

    def revoke_token(self, token: str) -> None:
        with self.sim.lock:
            if token in self.tokens:
                self.tokens[token].revoked = True

    def _bearer(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.query_params.get("access_token")

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self._bearer(request) or "")
        if token and token.account_id and token.account_id in self.accounts:
            return self.accounts[token.account_id].username
        return None

    def _authorize(
        self, request: Request, scopes: tuple[str, ...], *, required: bool = True, user: bool = True
    ) -> Token | None:
        """Doorkeeper: doorkeeper_authorize! (required) or authorize_if_got_token! (optional).

        Returns the token when allowed, None for an anonymous optional request; refuses
        (Refusal) otherwise."""
        value = self._bearer(request)
        token = self.tokens.get(value or "")
        if token is None:
            if required:
                raise Refusal(_error(E_TOKEN_INVALID, 401))
            return None  # unknown tokens count as anonymous on optional endpoints
        if token.revoked:
            raise Refusal(_error(E_TOKEN_REVOKED, 401))
        if not set(scopes) & set(token.scopes):
            raise Refusal(_error(E_SCOPE, 403))
        if user and token.account_id is None:
            raise Refusal(_error(E_NEEDS_USER, 422))
        return token

    # ------------------------------------------------------------ platform hooks

    def _rate_headers(self, state: Any) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(state.limit),
            "X-RateLimit-Remaining": str(state.remaining),
            "X-RateLimit-Reset": iso(state.reset_at, 6),
        }

    def before(self, request: Request, account: str | None) -> Response | None:
        if account is None:
            return None
        token = self._bearer(request) or ""
        api = self.sim.rate(self.id, "api", token, account=account, aligned=True)
        request.state.api_rate = api
        if not api.allowed:
            return _error(E_TOO_MANY, 429, self._rate_headers(api))
        path = self.relative_path(request)
        if request.method == "POST" and path in ("/api/v1/media", "/api/v2/media"):
            media = self.sim.rate(self.id, "media", account, account=account, aligned=True)
            if not media.allowed:
                return _error(E_TOO_MANY, 429, self._rate_headers(media))
        return None

    def after(self, request: Request, account: str | None, response: Response) -> None:
        state = getattr(request.state, "api_rate", None)
        if state is not None and "x-ratelimit-limit" not in response.headers:
            response.headers.update(self._rate_headers(state))

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            quota = (self.sim.effective_knobs(self.id).quotas or {})["api"]
            reset = fault.reset_time()
            headers = {
                "X-RateLimit-Limit": str(int(quota["limit"])),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": iso(reset, 6),
            }
            return _error(fault.message or E_TOO_MANY, 429, headers)
        if kind == "401":
            return _error(fault.message or E_TOKEN_INVALID, 401)
        if kind == "duplicate":
            return _error(fault.message or "Duplicate record", 422)
        if kind == "502":  # nginx in front of Puma
            return HTMLResponse(
                "<html><head><title>502 Bad Gateway</title></head><body><center>"
                "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
                502,
            )
        if kind == "504":
            return HTMLResponse("<html><body><h1>504 Gateway Time-out</h1></body></html>", 504)
        if kind == "503":
            return _error(
                fault.message
                or "There was a temporary problem serving your request, please try again",
                503,
            )
        return _error(fault.message or "Internal Server Error", 500)

    # ------------------------------------------------------------ rendering

    def _account_json(self, acc: Account, base: str) -> dict[str, Any]:
        last = acc.last_status_at
        avatar = f"{base}/avatars/original/missing.png"
        return {
            "id": acc.id,
            "username": acc.username,
            "acct": acc.username,
            "display_name": acc.display_name,
            "locked": acc.locked,
            "bot": acc.bot,
            "discoverable": True,
            "indexable": False,
            "group": False,
            "created_at": iso(acc.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
            "note": f"<p>{html.escape(acc.note)}</p>" if acc.note else "",
            "url": f"{base}/@{acc.username}",
            "uri": f"{base}/users/{acc.username}",
            "avatar": avatar,
            "avatar_static": avatar,
            "header": f"{base}/headers/original/missing.png",
            "header_static": f"{base}/headers/original/missing.png",
            "followers_count": acc.followers_count,
            "following_count": acc.following_count,
            "statuses_count": acc.statuses_count,
            "last_status_at": last.date().isoformat() if last else None,
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [],
        }

    def _media_json(self, media: Media, base: str) -> dict[str, Any]:
        url = f"{base}/system/media_attachments/files/{media.id}/original/{media.filename}"
        ready = media.ready()
        return {
            "id": media.id,
            "type": media.type,
            "url": url if ready else None,
            "preview_url": url if media.type == "image" or ready else None,
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {"original": {"size": media.size}} if ready else None,
            "description": media.description,
            "blurhash": None,
        }

    def _status_json(self, st: Status, base: str) -> dict[str, Any]:
        acc = self.accounts[st.account_id]
        tags = sorted({t.lower() for t in _TAG_RE.findall(st.text)})
        return {
            "id": st.id,
            "created_at": iso(st.created_at),
            "edited_at": None,
            "in_reply_to_id": st.in_reply_to_id,
            "in_reply_to_account_id": st.in_reply_to_account_id,
            "sensitive": st.sensitive,
            "spoiler_text": st.spoiler_text,
            "visibility": st.visibility,
            "language": st.language,
            "uri": f"{base}/users/{acc.username}/statuses/{st.id}",
            "url": f"{base}/@{acc.username}/{st.id}",
            **st.counts,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "content": render_content(st.text),
            "filtered": [],
            "reblog": None,
            "application": st.application,
            "account": self._account_json(acc, base),
            "media_attachments": [self._media_json(self.media[m], base) for m in st.media_ids],
            "mentions": [],
            "tags": [{"name": t, "url": f"{base}/tags/{t}"} for t in tags],
            "emojis": [],
            "card": None,
            "poll": None,
            "quote": None,
        }

    def _visible(self, st: Status, token: Token | None) -> bool:
        if st.visibility in ("public", "unlisted"):
            return True
        return token is not None and token.account_id == st.account_id

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        return [
            *self.api_routes(
                ("GET", "/.well-known/oauth-authorization-server", self.oauth_metadata),
                ("POST", "/api/v1/apps", self.create_app),
                ("GET", "/oauth/authorize", self.authorize),
                ("POST", "/oauth/token", self.token),
                ("POST", "/oauth/revoke", self.revoke),
                ("GET", "/api/v2/instance", self.instance),
                ("GET", "/api/v1/accounts/verify_credentials", self.verify_credentials),
                ("GET", "/api/v1/accounts/{id}/statuses", self.account_statuses),
                ("POST", "/api/v2/media", self.upload_media),
                ("GET", "/api/v1/media/{id}", self.get_media),
                ("POST", "/api/v1/statuses", self.create_status),
                ("GET", "/api/v1/statuses/{id}", self.get_status),
                ("DELETE", "/api/v1/statuses/{id}", self.delete_status),
            ),
            Route("/system/media_attachments/files/{id}/original/{name}", self.media_file),
        ]

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/tokens/{token}", self.sim_revoke_token, methods=["DELETE"]),
            Route("/accounts/{username}", self.sim_account, methods=["POST"]),
            Route("/statuses/{id}", self.sim_status, methods=["POST"]),
        ]

    # ------------------------------------------------------------ OAuth

    async def oauth_metadata(self, request: Request) -> Response:
        base = self.base_url(request)
        return JSONResponse(
            {
                "issuer": base + "/",
                "service_documentation": "https://docs.joinmastodon.org/",
                "authorization_endpoint": f"{base}/oauth/authorize",
                "token_endpoint": f"{base}/oauth/token",
                "app_registration_endpoint": f"{base}/api/v1/apps",
                "revocation_endpoint": f"{base}/oauth/revoke",
                "userinfo_endpoint": f"{base}/oauth/userinfo",
                "scopes_supported": SCOPES,
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment", "form_post"],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "client_credentials"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    async def create_app(self, request: Request) -> Response:
        p = await read_params(request)
        name = _scalar(p.get("client_name")) or ""
        uris_raw = p.get("redirect_uris", p.get("redirect_uri"))
        if isinstance(uris_raw, list):
            uris = [str(u).strip() for u in uris_raw if str(u).strip()]
        else:
            uris = (_scalar(uris_raw) or "").split()
        scopes = (_scalar(p.get("scopes")) or "read").split()
        website = _scalar(p.get("website")) or None
        problems = []
        if not name.strip():
            problems.append("Application name can't be blank")
        if not uris:
            problems.append("Redirect URI can't be blank")
        for uri in uris:
            parts = urlsplit(uri)
            web = parts.scheme in ("http", "https")
            if uri != OOB and not (parts.scheme and (parts.netloc or not web)):
                problems.append("Redirect URI must be an absolute URI.")
                break
            if parts.fragment:
                problems.append("Redirect URI cannot contain a fragment.")
                break
        if any(s not in SCOPES for s in scopes):
            problems.append("Scopes doesn't match configured on the server.")
        if problems:
            return _error("Validation failed: " + ", ".join(problems), 422)
        app = App(
            self._next_id(),
            name,
            website,
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            uris,
            scopes,
        )
        with self.sim.lock:
            self.apps[app.client_id] = app
        return JSONResponse(
            {
                "id": app.id,
                "name": app.name,
                "website": app.website,
                "scopes": app.scopes,
                "redirect_uri": "\n".join(app.redirect_uris),
                "redirect_uris": app.redirect_uris,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "client_secret_expires_at": 0,
                "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5m",
            }
        )

    async def authorize(self, request: Request) -> Response:
        """Auto-approves as `sim_account` (query param, simulator-only) or the default user."""
        q = request.query_params
        app = self.apps.get(q.get("client_id", ""))
        if app is None:
            return _oauth_page("invalid_client", 401)
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            return _oauth_page("invalid_redirect_uri", 400)
        state = q.get("state")

        def fail(error: str, description: str | None = None) -> Response:
            if redirect_uri == OOB:
                return _oauth_page(error, 400, description)
            params = {"error": error, "error_description": description or OAUTH_ERRORS[error]}
            if state is not None:
                params["state"] = state
            return RedirectResponse(with_query(redirect_uri, params), 302)

        if q.get("response_type") != "code":
            return fail("unsupported_response_type")
        scopes = (q.get("scope") or "read").replace("+", " ").split()
        if not scopes or any(s not in app.scopes for s in scopes):
            return fail("invalid_scope")
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method")
        if challenge and method != "S256":
            return fail("invalid_request", "The code challenge method must be S256.")
        if method and not challenge:
            return fail("invalid_request", "Missing required parameter: code_challenge.")
        try:
            acc = self.ensure_account(self.consenting_account(request))
        except SimError as exc:
            return _oauth_page("invalid_request", 400, str(exc))
        grant = Grant(
            secrets.token_urlsafe(32),
            app.client_id,
            acc.id,
            redirect_uri,
            scopes,
            challenge,
            time.monotonic() + 600,
        )
        with self.sim.lock:
            self.grants[grant.code] = grant
        if redirect_uri == OOB:
            return HTMLResponse(f"<h1>Authorization code</h1><input value='{grant.code}'>")
        params = {"code": grant.code}
        if state is not None:
            params["state"] = state
        return RedirectResponse(with_query(redirect_uri, params), 302)

    async def _client_params(self, request: Request) -> tuple[dict[str, Any], App | None]:
        """The parameters of a token-endpoint request and the client app they (or HTTP Basic)
        authenticate, None when they do not."""
        p = await read_params(request)
        client_id, secret = _scalar(p.get("client_id")), _scalar(p.get("client_secret"))
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return p, None
        app = self.apps.get(client_id or "")
        if app is None or not secrets.compare_digest(app.client_secret, secret or ""):
            return p, None
        return p, app

    async def token(self, request: Request) -> Response:
        p, app = await self._client_params(request)
        grant_type = _scalar(p.get("grant_type"))
        if not grant_type:
            return _oauth_error("invalid_request", 400, "Missing required parameter: grant_type.")
        if grant_type not in ("authorization_code", "client_credentials"):
            return _oauth_error("unsupported_grant_type", 400)
        if app is None:
            return _oauth_error("invalid_client", 401)
        if grant_type == "client_credentials":
            scopes = (_scalar(p.get("scope")) or "read").split()
            if any(s not in app.scopes for s in scopes):
                return _oauth_error("invalid_scope", 400)
            return self._token_response(
                Token(secrets.token_urlsafe(32), app.client_id, None, scopes, int(time.time()))
            )
        for name in ("code", "redirect_uri"):
            if not _scalar(p.get(name)):
                return _oauth_error("invalid_request", 400, f"Missing required parameter: {name}.")
        code, verifier = _scalar(p.get("code")), _scalar(p.get("code_verifier"))
        with self.sim.lock:
            grant = self.grants.get(code or "")
            if (
                grant is None
                or grant.used
                or grant.expires < time.monotonic()
                or grant.client_id != app.client_id
                or grant.redirect_uri != _scalar(p.get("redirect_uri"))
            ):
                return _oauth_error("invalid_grant", 400)
            if grant.challenge:
                if not verifier:
                    return _oauth_error(
                        "invalid_request", 400, "Missing required parameter: code_verifier."
                    )
                if not secrets.compare_digest(s256(verifier), grant.challenge):
                    return _oauth_error("invalid_grant", 400)
            elif verifier:
                return _oauth_error("invalid_grant", 400)
            grant.used = True
        return self._token_response(
            Token(
                secrets.token_urlsafe(32),
                app.client_id,
                grant.account_id,
                grant.scopes,
                int(time.time()),
            )
        )

    def _token_response(self, token: Token) -> Response:
        with self.sim.lock:
            self.tokens[token.token] = token
        return JSONResponse(
            {
                "access_token": token.token,
                "token_type": "Bearer",
                "scope": " ".join(token.scopes),
                "created_at": token.created_at,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def revoke(self, request: Request) -> Response:
        p, app = await self._client_params(request)
        value = _scalar(p.get("token"))
        if not value:
            return _oauth_error("invalid_request", 400, "Missing required parameter: token.")
        if app is None:
            return _oauth_error("unauthorized_client", 403)
        token = self.tokens.get(value)
        if token is not None:
            if token.client_id != app.client_id:
                return _oauth_error("unauthorized_client", 403)
            self.revoke_token(value)
        return JSONResponse({})

    # ------------------------------------------------------------ instance / accounts

    async def instance(self, request: Request) -> Response:
        base = self.base_url(request)
        c = self.conf
        return JSONResponse(
            {
                "domain": request.url.netloc,
                "title": c["title"],
                "version": "4.5.0",
                "source_url": "https://github.com/mastodon/mastodon",
                "description": "A simulated Mastodon server for Herald's tests.",
                "usage": {"users": {"active_month": len(self.accounts)}},
                "thumbnail": {"url": f"{base}/thumbnail.png"},
                "icon": [],
                "languages": ["en"],
                "configuration": {
                    "urls": {"streaming": f"ws://{request.url.netloc}", "status": None},
                    "vapid": {"public_key": ""},
                    "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                    "statuses": {
                        "max_characters": c["max_characters"],
                        "max_media_attachments": c["max_media_attachments"],
                        "characters_reserved_per_url": c["characters_reserved_per_url"],
                    },
                    "media_attachments": {
                        "description_limit": c["description_limit"],
                        "image_matrix_limit": 33_177_600,
                        "image_size_limit": c["image_size_limit"],
                        "supported_mime_types": c["supported_mime_types"],
                        "video_frame_rate_limit": 120,
                        "video_matrix_limit": 8_294_400,
                        "video_size_limit": c["video_size_limit"],
                    },
                    "polls": {
                        "max_options": 4,
                        "max_characters_per_option": 50,
                        "min_expiration": 300,
                        "max_expiration": 2_629_746,
                    },
                    "translation": {"enabled": False},
                    "limited_federation": False,
                },
                "registrations": {"enabled": False, "approval_required": False, "message": None},
                "api_versions": {"mastodon": 6},
                "contact": {"email": "", "account": None},
                "rules": [],
            }
        )

    async def verify_credentials(self, request: Request) -> Response:
        token = self._authorize(request, ("profile", "read", "read:accounts"))
        assert token is not None and token.account_id is not None
        acc = self.accounts[token.account_id]
        body = self._account_json(acc, self.base_url(request))
        body["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": None,
            "note": acc.note,
            "fields": [],
            "follow_requests_count": 0,
            "hide_collections": False,
            "discoverable": True,
            "indexable": False,
            "attribution_domains": [],
        }
        body["role"] = {"id": "-99", "name": "", "permissions": "0", "highlighted": False}
        return JSONResponse(body)

    async def account_statuses(self, request: Request) -> Response:
        token = self._authorize(request, ("read", "read:statuses"), required=False)
        acc = self.accounts.get(request.path_params["id"])
        if acc is None:
            return _error(E_NOT_FOUND, 404)
        q = request.query_params
        try:
            limit = min(max(int(q.get("limit", 20)), 1), 40)
        except ValueError:
            limit = 20
        with self.sim.lock:
            rows = [s for s in self.statuses.values() if s.account_id == acc.id]
            rows = [s for s in rows if self._visible(s, token)]
        if _bool(q.get("exclude_replies", "")):
            rows = [s for s in rows if s.in_reply_to_account_id in (None, acc.id)]
        if _bool(q.get("only_media", "")):
            rows = [s for s in rows if s.media_ids]
        if _bool(q.get("pinned", "")):
            rows = []
        rows.sort(key=lambda s: int(s.id), reverse=True)
        if q.get("max_id", "").isdigit():
            rows = [s for s in rows if int(s.id) < int(q["max_id"])]
        if q.get("since_id", "").isdigit():
            rows = [s for s in rows if int(s.id) > int(q["since_id"])]
        if q.get("min_id", "").isdigit():  # the page immediately newer than min_id
            rows = [s for s in rows if int(s.id) > int(q["min_id"])][-limit:]
        rows = rows[:limit]
        base = self.base_url(request)
        response = JSONResponse([self._status_json(s, base) for s in rows])
        if rows:
            path = f"{base}/api/v1/accounts/{acc.id}/statuses"
            response.headers["Link"] = (
                f'<{path}?{urlencode({"limit": limit, "max_id": rows[-1].id})}>; rel="next", '
                f'<{path}?{urlencode({"limit": limit, "min_id": rows[0].id})}>; rel="prev"'
            )
        return response

    # ------------------------------------------------------------ media

    async def upload_media(self, request: Request) -> Response:
        token = self._authorize(request, ("write", "write:media"))
        assert token is not None and token.account_id is not None
        p = await read_params(request)
        upload = p.get("file")
        if not isinstance(upload, UploadFile):
            return _error("Validation failed: File can't be blank", 422)
        data = await upload.read()
        mime = (upload.content_type or "").split(";")[0].strip().lower()
        description = _scalar(p.get("description"))
        c = self.conf
        if mime not in c["supported_mime_types"]:
            return _error("Validation failed: File content type is invalid", 422)
        major = mime.split("/")[0]
        sniffed = _sniff(data)
        if (major == "image" and sniffed != "image") or (major == "video" and sniffed == "image"):
            return _error(E_FILE_TYPE, 422)
        kind = "gifv" if mime == "image/gif" else major
        limit = c["image_size_limit"] if kind == "image" else c["video_size_limit"]
        if len(data) > limit:
            return _error(
                f"Validation failed: File file size must be less than {limit // 1048576} MB", 422
            )
        if description and len(description) > c["description_limit"]:
            return _error(
                "Validation failed: Description is too long "
                f"(maximum is {c['description_limit']} characters)",
                422,
            )
        knobs = self.sim.effective_knobs(self.id, self.identify(request))
        processing_ms = knobs.media_processing_ms
        media = Media(
            id=self._next_id(),
            account_id=token.account_id,
            type=kind,
            mime=mime,
            filename=re.sub(r"[^\w.-]", "_", upload.filename or "file")[-100:],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data if len(data) <= KEEP_MEDIA_BYTES else None,
            description=description,
            ready_at=time.monotonic() + (processing_ms or 0) / 1000,
        )
        with self.sim.lock:
            self.media[media.id] = media
        # Images are processed synchronously (200) unless processing is slowed by the knob;
        # video, gifv and audio always answer 202.
        synchronous = kind == "image" and not processing_ms
        body = self._media_json(media, self.base_url(request))
        return JSONResponse(body, 200 if synchronous else 202)

    async def get_media(self, request: Request) -> Response:
        token = self._authorize(request, ("write", "write:media"))
        assert token is not None
        media = self.media.get(request.path_params["id"])
        if media is None or media.account_id != token.account_id or media.status_id is not None:
            return _error(E_NOT_FOUND, 404)
        body = self._media_json(media, self.base_url(request))
        return JSONResponse(body, 200 if media.ready() else 206)

    async def media_file(self, request: Request) -> Response:
        media = self.media.get(request.path_params["id"])
        if media is None or media.data is None or not media.ready():
            return Response("Not Found", 404)
        return Response(media.data, media_type=media.mime)

    # ------------------------------------------------------------ statuses

    async def create_status(self, request: Request) -> Response:
        token = self._authorize(request, ("write", "write:statuses"))
        assert token is not None and token.account_id is not None
        p = await read_params(request)
        acc = self.accounts[token.account_id]
        key = request.headers.get("idempotency-key")
        base = self.base_url(request)
        app = self.apps.get(token.client_id or "")
        c = self.conf

        text = _scalar(p.get("status")) or ""
        spoiler = _scalar(p.get("spoiler_text")) or ""
        visibility = _scalar(p.get("visibility")) or "public"
        sensitive = _bool(p.get("sensitive")) if _scalar(p.get("sensitive")) else False
        language = _scalar(p.get("language"))
        raw_media = p.get("media_ids")
        if not isinstance(raw_media, list):  # Rails drops a non-array media_ids silently
            raw_media = []
        media_ids = [m for m in (_scalar(x) for x in raw_media) if m]
        reply_id = _scalar(p.get("in_reply_to_id"))

        with self.sim.lock:
            # Api::V1::StatusesController: the replied-to status must exist and be visible.
            thread = None
            if reply_id:
                thread = self.statuses.get(reply_id)
                if thread is None or not self._visible(thread, token):
                    return _error(E_REPLY_404, 404)
            # PostStatusService: a known Idempotency-Key returns the first status unchanged.
            if key:
                hit = self.idempotency.get((acc.id, key))
                if hit and hit[1] > time.monotonic() and hit[0] in self.statuses:
                    self.sim.note_replay(self.id, hit[0])
                    return JSONResponse(self._status_json(self.statuses[hit[0]], base))
            # validate_media!
            media: list[Media] = []
            if media_ids:
                if len(media_ids) > c["max_media_attachments"] or p.get("poll"):
                    limit = c["max_media_attachments"]
                    return _error(f"Cannot attach more than {limit} files", 422)
                media = [
                    m
                    for m in (self.media.get(i) for i in dict.fromkeys(media_ids))
                    if m is not None and m.account_id == acc.id and m.status_id is None
                ]
                missing = [i for i in media_ids if i not in {m.id for m in media}]
                if missing:
                    return _error(
                        f"Media {', '.join(missing)} not found or already attached to another post",
                        422,
                    )
                if len(media) > 1 and any(m.type in ("video", "gifv", "audio") for m in media):
                    return _error(E_MIXED, 422)
                if any(not m.ready() for m in media):
                    return _error(E_NOT_READY, 422)
            # Status model validations.
            problems = []
            if visibility not in VISIBILITIES:
                problems.append("Visibility is not included in the list")
            if not text.strip() and not media:
                problems.append("Text can't be blank")
            max_chars = c["max_characters"]
            if count_status_length(text, c["characters_reserved_per_url"], spoiler) > max_chars:
                problems.append(f"Text character limit of {max_chars} exceeded")
            if problems:
                return _error("Validation failed: " + ", ".join(problems), 422)
            scheduled = _scalar(p.get("scheduled_at"))
            if scheduled:
                try:
                    when = datetime.fromisoformat(scheduled.replace("Z", "+00:00"))
                except ValueError:
                    return _error("Validation failed: Scheduled at is invalid", 422)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                if when > utcnow():  # a past time posts immediately, like Mastodon
                    if when <= utcnow() + timedelta(minutes=5):
                        message = "Scheduled at The scheduled date must be in the future"
                        return _error(f"Validation failed: {message}", 422)
                    return JSONResponse(
                        {
                            "id": self._next_id(),
                            "scheduled_at": iso(when),
                            "params": {"text": text, "visibility": visibility},
                            "media_attachments": [],
                        }
                    )
            # RateLimiter :statuses, checked as the status is created.
            rate = self.sim.rate(self.id, "statuses", acc.id, account=acc.username)
            if not rate.allowed:
                return _error(E_TOO_MANY, 429, self._rate_headers(rate))
            status = Status(
                id=self._next_id(),
                account_id=acc.id,
                text=text,
                spoiler_text=spoiler,
                visibility=visibility,
                sensitive=sensitive or bool(spoiler),
                language=language if language and re.fullmatch(r"[a-z]{2,3}", language) else "en",
                in_reply_to_id=thread.id if thread else None,
                in_reply_to_account_id=thread.account_id if thread else None,
                media_ids=[m.id for m in media],
                created_at=utcnow(),
                application={"name": app.name, "website": app.website} if app else None,
            )
            self.statuses[status.id] = status
            acc.statuses_count += 1
            acc.last_status_at = status.created_at
            for m in media:
                m.status_id = status.id
            if thread:
                thread.counts["replies_count"] += 1
            if key:
                self.idempotency[(acc.id, key)] = (
                    status.id,
                    time.monotonic() + c["idempotency_ttl_s"],
                )
            body = self._status_json(status, base)
            self.sim.record_post(
                self.id,
                acc.username,
                status.id,
                text,
                idempotency_key=key,
                media=[
                    {"id": m.id, "type": m.type, "mime": m.mime, "size": m.size, "sha256": m.sha256}
                    for m in media
                ],
                permalink=body["url"],
                extra={
                    "visibility": visibility,
                    "in_reply_to_id": status.in_reply_to_id,
                    "spoiler_text": spoiler,
                },
            )
        return JSONResponse(body, headers=self._rate_headers(rate))

    async def get_status(self, request: Request) -> Response:
        token = self._authorize(request, ("read", "read:statuses"), required=False)
        st = self.statuses.get(request.path_params["id"])
        if st is None or not self._visible(st, token):
            return _error(E_NOT_FOUND, 404)
        return JSONResponse(self._status_json(st, self.base_url(request)))

    async def delete_status(self, request: Request) -> Response:
        token = self._authorize(request, ("write", "write:statuses"))
        assert token is not None
        with self.sim.lock:
            st = self.statuses.get(request.path_params["id"])
            if st is None or st.account_id != token.account_id:
                return _error(E_NOT_FOUND, 404)
            body = self._status_json(st, self.base_url(request))
            body["text"] = st.text
            del self.statuses[st.id]
            acc = self.accounts[st.account_id]
            acc.statuses_count -= 1
            self.sim.mark_deleted(self.id, st.id)
        return JSONResponse(body)

    # ------------------------------------------------------------ simulator controls

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/mastodon/tokens {"username", "scopes"?} → a ready user token."""
        body = await self.control_body(request)
        username = body.get("username") or self.conf["default_account"]
        token = self.issue_token(username, body.get("scopes", "read write"))
        acc = find_named(self.accounts, username)
        assert acc is not None
        return JSONResponse({"access_token": token, "account_id": acc.id, "username": username})

    async def sim_revoke_token(self, request: Request) -> Response:
        self.revoke_token(request.path_params["token"])
        return JSONResponse({})

    async def sim_account(self, request: Request) -> Response:
        """POST /_sim/mastodon/accounts/{username} {"followers_count": 5, ...}: create/update."""
        acc = self.ensure_account(
            request.path_params["username"], **await self.control_body(request)
        )
        return JSONResponse(
            self._account_json(acc, f"{request.url.scheme}://{request.url.netloc}/mastodon")
        )

    async def sim_status(self, request: Request) -> Response:
        """POST /_sim/mastodon/statuses/{id} {"favourites_count": 3, ...}: set counters."""
        body = await self.control_body(request)
        base = f"{request.url.scheme}://{request.url.netloc}/mastodon"
        return self.set_counters(
            self.statuses,
            request.path_params["id"],
            lambda s: s.counts,
            body,
            "status",
            render=lambda s: self._status_json(s, base),
        )


# ------------------------------------------------------------------ helpers


def _error(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status, headers=headers)


def _oauth_error(error: str, status: int, description: str | None = None) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description or OAUTH_ERRORS[error]},
        status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _oauth_page(error: str, status: int, description: str | None = None) -> Response:
    text = html.escape(description or OAUTH_ERRORS.get(error, error))
    return HTMLResponse(
        f"<html><body><h2>An error has occurred</h2><p>{html.escape(error)}: {text}</p>"
        "</body></html>",
        status,
    )


__all__ = ["MastodonSim", "ParamsError", "render_content"]
