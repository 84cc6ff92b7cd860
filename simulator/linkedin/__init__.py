"""Simulated LinkedIn (platform-apis.md §2): OAuth 2.0 on /oauth/v2, OpenID Connect userinfo,
and the versioned Community Management REST API (Posts, Images, Videos, Documents,
organizationAcls, socialActions, statistics). No vendor description exists (specs/README.md), so
the shapes follow the reference document; everything uncertain there is a setting.

Routes, under /linkedin:
  GET  /oauth/v2/authorization            auto-approves as `sim_member` (default linkedin_user)
  POST /oauth/v2/accessToken              authorization_code | refresh_token (form, secret in body)
  POST /oauth/v2/revoke                   revokes the member's tokens for the app
  GET  /v2/userinfo                       OIDC claims (unversioned; scopes openid + profile)
  POST /rest/posts                        201, empty body, id in `x-restli-id`
  GET  /rest/posts/{urn} | ?q=author&author=&start=&count=&sortBy=
  POST /rest/images?action=initializeUpload, GET /rest/images/{urn}
  POST /rest/videos?action=initializeUpload | ?action=finalizeUpload, GET /rest/videos/{urn}
  POST /rest/documents?action=initializeUpload, GET /rest/documents/{urn}
  PUT  /dms-uploads/{key}                 upload URL of an image/document/video part (ETag)
  GET  /rest/organizationAcls?q=roleAssignee[&role=&state=]
  GET  /rest/organizations/{id}
  GET  /rest/socialActions/{urn}, POST /rest/socialActions/{urn}/comments
  GET  /rest/organizationalEntityShareStatistics?q=organizationalEntity&...&shares=List(...)
  GET  /rest/networkSizes/{orgUrn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
  GET  /rest/memberCreatorPostAnalytics?q=entity&entity=(share:...)&queryType=&aggregation=
  GET  /rest/memberFollowersCount?q=me

Strictness: every /rest call needs `LinkedIn-Version: YYYYMM` (missing → 400 VERSION_MISSING;
inactive → 426 NONEXISTENT_VERSION; active = the last 12 months unless `supported_versions` is
set) and `X-Restli-Protocol-Version: 2.0.0`; unknown paths answer the LinkedIn 404 envelope;
post bodies are checked field by field (unknown/missing/wrongly typed field, bad enum → 422 with
`errorDetails.inputErrors`). Errors are `{status, serviceErrorCode, code, message}`.

Commentary is "little text": `\\` escapes a reserved character, `{hashtag|\\#|tag}` renders
`#tag`, `@[Name](urn)` a mention; like the real API, an unescaped reserved character silently
cuts the post text off there. Length: `max_commentary` UTF-16 code units of the rendered text.
Media: images/documents are PROCESSING from their upload until `media_processing_ms` (knob) has
passed, videos from `finalizeUpload`; a post must reference AVAILABLE media it owns. A repeated
text by the same author within `duplicate_window_s` is the 422 DUPLICATE_POST error. Posts count
against the "posts" quota (per member, daily, reset at 00:00 UTC); a 429 carries no headers.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urlsplit

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
    set_fields,
    with_query,
)
from simulator.state import Fault, SimError, utcnow

SANDBOX_CLIENT_ID = "78linkedinsandbox"
SANDBOX_CLIENT_SECRET = "linkedin-sandbox-secret"
SCOPES = frozenset(
    {
        "openid",
        "profile",
        "email",
        "w_member_social",
        "r_member_social",
        "r_member_postAnalytics",
        "r_member_profileAnalytics",
        "w_organization_social",
        "r_organization_social",
        "rw_organization_admin",
        "r_organization_admin",
    }
)
DEFAULT_SCOPES = (
    "openid profile w_member_social r_member_postAnalytics w_organization_social "
    "r_organization_social rw_organization_admin"
)
VISIBILITIES = ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER")
FEED_DISTRIBUTIONS = ("MAIN_FEED", "NONE")
LIFECYCLE_STATES = ("PUBLISHED", "DRAFT")
ROLES = (
    "ADMINISTRATOR",
    "CONTENT_ADMINISTRATOR",
    "DIRECT_SPONSORED_CONTENT_POSTER",
    "RECRUITING_POSTER",
    "LEAD_GEN_FORMS_MANAGER",
    "ANALYST",
    "CURATOR",
)
POSTING_ROLES = ("ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER")
ANALYTICS_ROLES = ("ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "ANALYST")
ACL_STATES = ("APPROVED", "REQUESTED", "REJECTED", "REVOKED")
POST_FIELDS = {
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
    "content",
    "contentLandingPage",
    "contentCallToActionLabel",
    "adContext",
    "reshareContext",
}
METRICS = ("likes", "comments", "shares", "impressions", "unique_impressions", "clicks", "reach")
QUERY_TYPES = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "reach",
    "RESHARE": "shares",
    "REACTION": "likes",
    "COMMENT": "comments",
}
RESERVED = set("\\|{}@[]()<>#*_~")
HASHTAG_RE = re.compile(r"\{hashtag\|\\#\|([^\W_]+)\}")
MENTION_RE = re.compile(r"@\[([^\]\\]*)\]\((urn:li:(?:person|organization):[\w-]+)\)")
AUTHOR_RE = re.compile(r"urn:li:(person|organization):([\w-]+)")
POST_URN_RE = re.compile(r"urn:li:(share|ugcPost):(\d+)")
MEDIA_URN_RE = re.compile(r"urn:li:(image|video|document):([\w-]+)")
VERSION_RE = re.compile(r"\d{6}(\.\d{2})?")

E_QUOTA = "Resource level throttle MEMBER DAY limit for calls to this resource is reached."
E_THROTTLE = "Too many requests. Please retry later."

DEFAULT_SETTINGS: dict[str, Any] = {
    "max_commentary": 3000,
    "max_multi_image": 20,
    "video_part_bytes": 4 * 1024 * 1024,
    "min_video_bytes": 75 * 1024,
    "max_video_bytes": 500 * 1024 * 1024,
    "max_document_bytes": 100 * 1024 * 1024,
    "auth_code_ttl_s": 1800,
    "access_ttl_s": 60 * 86400,
    "refresh_ttl_s": 365 * 86400,
    "duplicate_window_s": 86400,
    "supported_versions": None,  # None = the 12 months up to the current one
    "video_failure": None,  # e.g. "Video too short": videos end PROCESSING_FAILED
    "default_member": "linkedin_user",
}


# ----------------------------------------------------------------------------- helpers


def li_error(
    status: int,
    message: str,
    code: str | None = None,
    service_error_code: int | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if service_error_code is not None:
        body["serviceErrorCode"] = service_error_code
    if code is not None:
        body["code"] = code
    return JSONResponse(body, status, headers=headers)


def input_error(message: str, field_path: str, code: str, status: int = 422) -> JSONResponse:
    """The 422 validation envelope with one inputError."""
    return JSONResponse(
        {
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": message,
            "errorDetails": {
                "inputErrors": [
                    {
                        "description": message,
                        "input": {"inputPath": {"fieldPath": field_path}} if field_path else {},
                        "code": code,
                    }
                ]
            },
            "status": status,
        },
        status,
    )


def _at(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def unrecognized(record: dict[str, Any], known: Iterable[str], path: str = "") -> Response | None:
    """The input error for the first (sorted) field of `record` (at `path`) not among `known`;
    None when it has no other."""
    unknown = sorted(set(record) - set(known))
    if not unknown:
        return None
    return input_error(
        f"Unrecognized field {unknown[0]}", _at(path, unknown[0]), "UNRECOGNIZED_FIELD"
    )


def mistyped(
    record: dict[str, Any], names: Iterable[str], kind: type, what: str, path: str = ""
) -> Response | None:
    """The input error for the first of `names` that `record` (at `path`) holds as other than a
    `kind` ("must be `what`"); None when each is absent or right."""
    for name in names:
        if name in record and not isinstance(record[name], kind):
            return input_error(f"{name} must be {what}", _at(path, name), "TYPE_MISMATCH")
    return None


def duplicate_error(existing: str) -> JSONResponse:
    return JSONResponse(
        {
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": f"Content is a duplicate of {existing}",
            "errorDetails": {
                "inputErrors": [
                    {
                        "description": "Duplicate post is detected",
                        "input": {},
                        "code": "DUPLICATE_POST",
                    }
                ]
            },
            "status": 422,
        },
        422,
    )


def render_little_text(text: str) -> str:
    """What LinkedIn shows for a little-text commentary (cut at an unescaped reserved char)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 < len(text):
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "{":
            m = HASHTAG_RE.match(text, i)
            if not m:
                break
            out.append("#" + m.group(1))
            i = m.end()
            continue
        if ch == "@":
            m = MENTION_RE.match(text, i)
            if not m:
                break
            out.append(m.group(1))
            i = m.end()
            continue
        if ch in RESERVED:
            break
        out.append(ch)
        i += 1
    return "".join(out)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _ms(ts: float | None = None) -> int:
    return int((time.time() if ts is None else ts) * 1000)


def _month_index(version: str) -> int:
    return int(version[:4]) * 12 + int(version[4:6]) - 1


# ----------------------------------------------------------------------------- state


@dataclass
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    refresh_enabled: bool = True  # "programmatic refresh tokens" entitlement


class _Entity:
    """A LinkedIn entity named by its URN, urn:li:<kind>:<id>."""

    id: str | int
    kind: ClassVar[str]

    @property
    def urn(self) -> str:
        return f"urn:li:{self.kind}:{self.id}"


@dataclass
class Member(_Entity):
    kind = "person"
    id: str  # the OIDC `sub`
    username: str
    name: str
    followers: int = 0


@dataclass
class Organization(_Entity):
    kind = "organization"
    id: int
    name: str
    vanity: str
    roles: dict[str, str] = field(default_factory=dict)  # member id → role
    followers: int = 0


@dataclass
class Token:
    value: str
    member_id: str
    client_id: str
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken(Token):
    """Its `expires_at` is fixed at first consent: refreshing never extends it."""


@dataclass
class Grant:
    client_id: str
    member_id: str
    redirect_uri: str
    scopes: list[str]
    expires: float
    challenge: str | None


@dataclass
class Asset:
    urn: str
    kind: str  # image | video | document
    owner: str
    created: float
    size: int = 0  # videos: declared fileSizeBytes
    parts: list[tuple[int, int]] = field(default_factory=list)
    etags: dict[int, str] = field(default_factory=dict)
    upload_token: str = ""
    received: int = 0
    uploaded: bool = False  # image/document PUT done, or video finalized
    ready_at: float = 0.0  # monotonic
    failure: str | None = None

    def status(self) -> str:
        if not self.uploaded:
            return "WAITING_UPLOAD"
        if self.failure:
            return "PROCESSING_FAILED"
        return "AVAILABLE" if time.monotonic() >= self.ready_at else "PROCESSING"


@dataclass
class Post:
    urn: str
    author: str
    commentary: str
    text: str
    visibility: str
    distribution: dict[str, Any]
    lifecycle: str
    reshare_disabled: bool
    content: dict[str, Any] | None
    created_ms: int
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    comments: list[dict[str, Any]] = field(default_factory=list)


class LinkedInSim(OAuthServer, PlatformSim):
    id = "linkedin"
    organic_posts = ("posts", "metrics", organic.OWN_COUNTERS["linkedin"])
    organic_accounts = ("members", "username", "followers")
    display_name = "LinkedIn"
    quotas = {"posts": {"limit": 150, "window_s": 86400}}
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.apps: dict[str, App] = {}
        self.members: dict[str, Member] = {}
        self.orgs: dict[int, Organization] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.grants: dict[str, Grant] = {}
        self.assets: dict[str, Asset] = {}
        self.uploads: dict[str, tuple[str, int | None]] = {}  # key → (asset urn, part index)
        self.posts: dict[str, Post] = {}
        self._seq = 0
        self.register_app(["*"], SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
        member = self.ensure_member(self.conf["default_member"], name="LinkedIn User")
        self.ensure_org("Herald Sandbox", vanity="herald-sandbox", admins={member.username: None})

    # ------------------------------------------------------------ helpers (tests, benchmarks)

    def _next(self) -> int:
        with self.sim.lock:
            self._seq += 1
            return self._seq

    def register_app(
        self,
        redirect_uris: list[str],
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        refresh_enabled: bool = True,
    ) -> App:
        app = App(
            client_id or secrets.token_hex(7),
            client_secret or secrets.token_urlsafe(12),
            list(redirect_uris),
            refresh_enabled,
        )
        return self.keep(self.apps, app.client_id, app)

    def ensure_member(self, username: str, **fields: Any) -> Member:
        with self.sim.lock:
            member = find_named(self.members, username)
            if member is None:
                sub = secrets.token_urlsafe(8)[:10]
                member = Member(sub, username, username.replace("_", " ").title())
                self.members[member.id] = member
            set_fields(member, fields, ("name", "followers"), "member")
            return member

    def ensure_org(
        self,
        name: str,
        *,
        vanity: str | None = None,
        admins: dict[str, str | None] | None = None,
        followers: int | None = None,
    ) -> Organization:
        """An organization page; `admins` maps member usernames to a role (None = ADMINISTRATOR)."""
        with self.sim.lock:
            org = next((o for o in self.orgs.values() if o.name == name), None)
            if org is None:
                org = Organization(
                    10_000_000 + self._next(),
                    name,
                    vanity or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
                )
                self.orgs[org.id] = org
                logo = Asset(self._logo_urn(org.id), "image", org.urn, time.time())
                logo.uploaded = True
                self.assets[logo.urn] = logo
            for username, role in (admins or {}).items():
                role = role or "ADMINISTRATOR"
                if role not in ROLES:
                    raise SimError(f"unknown role {role!r}")
                org.roles[self.ensure_member(username).id] = role
            if followers is not None:
                org.followers = followers
            return org

    @staticmethod
    def _logo_urn(org_id: int) -> str:
        return f"urn:li:image:D4E0BAQorgLogo{org_id}"

    def issue_token(
        self,
        username: str | None = None,
        scopes: str = DEFAULT_SCOPES,
        *,
        expires_in: float | None = None,
        refresh: bool = True,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Mint a token set without the OAuth dance (scopes space-separated)."""
        member = self.ensure_member(username or self.conf["default_member"])
        client_id = self.issuing_app(client_id)
        wanted = scopes.split()
        if set(wanted) - SCOPES:
            raise SimError(f"unknown scopes {sorted(set(wanted) - SCOPES)}")
        body = self._token_body(member.id, client_id, wanted, None)
        if not refresh:
            body.pop("refresh_token", None)
            body.pop("refresh_token_expires_in", None)
        if expires_in is not None:
            self.tokens[body["access_token"]].expires_at = time.time() + expires_in
            body["expires_in"] = int(expires_in)
        body.update(sub=member.id, member_urn=member.urn, username=member.username)
        return body

    def expire_token(self, value: str) -> None:
        with self.sim.lock:
            if value in self.tokens:
                self.tokens[value].expires_at = time.time() - 1
            if value in self.refresh_tokens:
                self.refresh_tokens[value].expires_at = time.time() - 1

    def revoke_member(self, member_id: str, client_id: str) -> None:
        with self.sim.lock:
            for item in [*self.tokens.values(), *self.refresh_tokens.values()]:
                if item.member_id == member_id and item.client_id == client_id:
                    item.revoked = True

    def _token_body(
        self, member_id: str, client_id: str, scopes: list[str], refresh: RefreshToken | None
    ) -> dict[str, Any]:
        now = time.time()
        ttl = self.conf["access_ttl_s"]
        token = Token("AQV" + secrets.token_urlsafe(48), member_id, client_id, scopes, now + ttl)
        body: dict[str, Any] = {
            "access_token": token.value,
            "expires_in": int(ttl),
            "scope": ",".join(scopes),  # LinkedIn answers a comma-separated scope list
        }
        with self.sim.lock:
            self.tokens[token.value] = token
            if self.apps[client_id].refresh_enabled:
                if refresh is None:
                    refresh = RefreshToken(
                        "AQX" + secrets.token_urlsafe(48),
                        member_id,
                        client_id,
                        scopes,
                        now + self.conf["refresh_ttl_s"],
                    )
                    self.refresh_tokens[refresh.value] = refresh
                body["refresh_token"] = refresh.value
                body["refresh_token_expires_in"] = max(0, int(refresh.expires_at - now))
        if "openid" in scopes:
            body["id_token"] = self._id_token(self.members[member_id], client_id)
        return body

    def _id_token(self, member: Member, client_id: str) -> str:
        def b64(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        now = int(time.time())
        claims = {
            "iss": "https://www.linkedin.com/oauth",
            "aud": client_id,
            "iat": now,
            "exp": now + 3600,
            "sub": member.id,
            "name": member.name,
        }
        signature = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        return f"{b64({'alg': 'RS256', 'kid': 'sim'})}.{b64(claims)}.{signature}"

    # ------------------------------------------------------------ auth and request checks

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self.bearer(request))
        member = self.members.get(token.member_id) if token else None
        return member.username if member else None

    def _auth(self, request: Request, *any_scope: str) -> Token:
        value = self.bearer(request)
        token = self.tokens.get(value)
        if not value or token is None:
            raise Refusal(li_error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600))
        if token.revoked:
            raise Refusal(
                li_error(
                    401,
                    "The token used in the request has been revoked by the user",
                    "REVOKED_ACCESS_TOKEN",
                    65602,
                )
            )
        if token.expires_at <= time.time():
            raise Refusal(
                li_error(
                    401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65601
                )
            )
        if any_scope and not set(any_scope) & set(token.scopes):
            raise Refusal(self._denied(request))
        return token

    def _denied(self, request: Request) -> Response:
        resource = self.relative_path(request).split("/")[2] if "/rest/" in request.url.path else ""
        return li_error(
            403,
            f"Not enough permissions to access: {resource}.{request.method}.NO_VERSION",
            "ACCESS_DENIED",
            100,
        )

    def _active_versions(self) -> set[str] | None:
        listed = self.conf["supported_versions"]
        return set(listed) if listed is not None else None

    def before(self, request: Request, account: str | None) -> Response | None:
        if not self.relative_path(request).startswith("/rest/"):
            return None
        version = request.headers.get("linkedin-version")
        if not version:
            return li_error(
                400,
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
                "VERSION_MISSING",
            )
        if not VERSION_RE.fullmatch(version):
            return li_error(400, f"Invalid version format {version}", "INVALID_VERSION")
        listed = self._active_versions()
        now = utcnow()
        current = now.year * 12 + now.month - 1
        active = (
            version[:6] in listed
            if listed is not None
            else current - 11 <= _month_index(version) <= current
        )
        if not active:
            return li_error(
                426, f"Requested version {version} is not active", "NONEXISTENT_VERSION"
            )
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return li_error(
                400,
                "This API requires Rest.li protocol version 2.0.0 "
                "(header X-Restli-Protocol-Version: 2.0.0)",
                "ILLEGAL_ARGUMENT",
            )
        return None

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            daily = fault.reset_time().timestamp() - time.time() >= 3600
            return li_error(
                429, fault.message or (E_QUOTA if daily else E_THROTTLE), "TOO_MANY_REQUESTS", 101
            )
        if kind == "401":
            return li_error(
                401,
                fault.message or "The token used in the request has expired",
                "EXPIRED_ACCESS_TOKEN",
                65601,
            )
        if kind == "duplicate":
            token = self.tokens.get(self.bearer(request))
            mine = [
                p.urn
                for p in self.posts.values()
                if token and p.author == self.members[token.member_id].urn
            ]
            return duplicate_error(mine[-1] if mine else "urn:li:share:0")
        status = int(kind)  # a 5xx
        return li_error(status, fault.message or HTTPStatus(status).phrase)

    def _can_act_as(self, token: Token, author: str, roles: tuple[str, ...]) -> bool:
        m = AUTHOR_RE.fullmatch(author)
        if not m:
            return False
        if m.group(1) == "person":
            return m.group(2) == token.member_id
        org = self.orgs.get(int(m.group(2))) if m.group(2).isdigit() else None
        return org is not None and org.roles.get(token.member_id) in roles

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        return self.api_routes(
            ("GET", "/oauth/v2/authorization", self.authorize),
            ("POST", "/oauth/v2/accessToken", self.access_token),
            ("POST", "/oauth/v2/revoke", self.revoke),
            ("GET", "/v2/userinfo", self.userinfo),
            ("PUT", "/dms-uploads/{key}", self.upload),
            ("POST", "/rest/posts", self.create_post),
            ("GET", "/rest/posts", self.find_posts),
            ("GET", "/rest/posts/{urn}", self.get_post),
            ("POST", "/rest/images", self.images_action),
            ("POST", "/rest/videos", self.videos_action),
            ("POST", "/rest/documents", self.documents_action),
            ("GET", "/rest/images/{urn}", self.get_asset),
            ("GET", "/rest/videos/{urn}", self.get_asset),
            ("GET", "/rest/documents/{urn}", self.get_asset),
            ("GET", "/rest/organizationAcls", self.organization_acls),
            ("GET", "/rest/organizations/{id}", self.get_organization),
            ("GET", "/rest/socialActions/{urn}", self.social_actions),
            ("POST", "/rest/socialActions/{urn}/comments", self.comment),
            ("GET", "/rest/organizationalEntityShareStatistics", self.share_statistics),
            ("GET", "/rest/networkSizes/{urn}", self.network_size),
            ("GET", "/rest/memberCreatorPostAnalytics", self.member_post_analytics),
            ("GET", "/rest/memberFollowersCount", self.member_followers),
            ("GET POST PUT DELETE PATCH", "/rest/{rest:path}", self.no_resource),
            ("GET POST PUT DELETE PATCH", "/v2/{rest:path}", self.no_resource),
        )

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/members/{username}", self.sim_member, methods=["POST"]),
            Route("/organizations", self.sim_org, methods=["POST"]),
            Route("/posts/{urn}", self.sim_post, methods=["POST"]),
        ]

    async def no_resource(self, request: Request) -> Response:
        name = request.path_params["rest"].split("/")[0]
        return li_error(404, f"No virtual resource found for {name}", "RESOURCE_NOT_FOUND")

    # ------------------------------------------------------------ OAuth

    async def authorize(self, request: Request) -> Response:
        app, redirect_uri = self.authorizing_app(
            request,
            HTMLResponse("<h1>Invalid client_id</h1>", 400),
            HTMLResponse("<h1>The redirect_uri does not match the registered value</h1>", 400),
        )
        q = request.query_params
        state = {"state": q["state"]} if q.get("state") else {}
        if q.get("response_type") != "code":
            return RedirectResponse(
                with_query(
                    redirect_uri,
                    {"error": "invalid_request", "error_description": "response_type must be code"}
                    | state,
                ),
                302,
            )
        scopes = q.get("scope", "").split()
        bad = [s for s in scopes if s not in SCOPES]
        if not scopes or bad:
            described = bad[0] if bad else "(none)"
            return RedirectResponse(
                with_query(
                    redirect_uri,
                    {
                        "error": "unauthorized_scope_error",
                        "error_description": f'Scope "{described}" is not authorized for your '
                        "application",
                    }
                    | state,
                ),
                302,
            )
        challenge = q.get("code_challenge")
        if challenge and q.get("code_challenge_method", "S256") != "S256":
            return RedirectResponse(
                with_query(
                    redirect_uri,
                    {"error": "invalid_request", "error_description": "code_challenge_method"}
                    | state,
                ),
                302,
            )
        chosen = q.get("sim_member") or q.get("sim_account")
        member = self.ensure_member(chosen or self.conf["default_member"])
        code = "AQT" + secrets.token_urlsafe(40)
        with self.sim.lock:
            self.grants[code] = Grant(
                app.client_id,
                member.id,
                redirect_uri,
                scopes,
                time.monotonic() + self.conf["auth_code_ttl_s"],
                challenge,
            )
        return RedirectResponse(with_query(redirect_uri, {"code": code} | state), 302)

    @staticmethod
    def _oauth_error(error: str, description: str, status: int = 400) -> Response:
        return JSONResponse({"error": error, "error_description": description}, status)

    async def access_token(self, request: Request) -> Response:
        form = await self.form_fields(request)
        if form is None:
            return self._oauth_error(
                "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
            )
        grant_type = form.get("grant_type", "")
        if grant_type not in ("authorization_code", "refresh_token"):
            return self._oauth_error(
                "unsupported_grant_type", f"grant_type {grant_type or '(missing)'} is not supported"
            )
        for name in ("client_id", "client_secret"):
            if not form.get(name):
                return self._oauth_error(
                    "invalid_request", f'A required parameter "{name}" is missing'
                )
        app = self.apps.get(form["client_id"])
        if not self.secret_ok(app, form["client_secret"]):
            return self._oauth_error("invalid_client", "Client authentication failed", 401)
        if grant_type == "refresh_token":
            return self._refresh_grant(app, form)
        for name in ("code", "redirect_uri"):
            if not form.get(name):
                return self._oauth_error(
                    "invalid_request", f'A required parameter "{name}" is missing'
                )
        with self.sim.lock:
            grant = self.grants.pop(form["code"], None)
        verifier = form.get("code_verifier")
        pkce_ok = grant is not None and (
            (grant.challenge is None and not verifier)
            or (
                grant.challenge is not None
                and verifier is not None
                and s256(verifier, "ascii") == grant.challenge
            )
        )
        if (
            grant is None
            or grant.client_id != app.client_id
            or grant.expires < time.monotonic()
            or grant.redirect_uri != form["redirect_uri"]
            or not pkce_ok
        ):
            return self._oauth_error(
                "invalid_request",
                "Unable to retrieve access token: appid/redirect uri/code verifier does not "
                "match authorization code. Or authorization code expired. Or external member "
                "binding exists",
            )
        return JSONResponse(self._token_body(grant.member_id, app.client_id, grant.scopes, None))

    def _refresh_grant(self, app: App, form: dict[str, str]) -> Response:
        if not app.refresh_enabled:
            return self._oauth_error(
                "unauthorized_client", "The application is not allowed to use refresh tokens"
            )
        value = form.get("refresh_token", "")
        refresh = self.refresh_tokens.get(value)
        if (
            refresh is None
            or refresh.revoked
            or refresh.client_id != app.client_id
            or refresh.expires_at <= time.time()
        ):
            return self._oauth_error(
                "invalid_request",
                "The provided authorization grant or refresh token is invalid, expired or revoked",
            )
        return JSONResponse(
            self._token_body(refresh.member_id, app.client_id, refresh.scopes, refresh)
        )

    async def revoke(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        app = self.apps.get(form.get("client_id", ""))
        if app is None or not secrets.compare_digest(
            app.client_secret, form.get("client_secret", "")
        ):
            return self._oauth_error("invalid_client", "Client authentication failed", 401)
        value = form.get("token", "")
        item = self.tokens.get(value) or self.refresh_tokens.get(value)
        if item is None or item.client_id != app.client_id:
            return self._oauth_error("invalid_request", "Token is invalid")
        self.revoke_member(item.member_id, app.client_id)
        return Response(status_code=200)

    async def userinfo(self, request: Request) -> Response:
        token = self._auth(request)
        if "openid" not in token.scopes:
            return li_error(
                403,
                "Not enough permissions to access: userinfo.GET.NO_VERSION",
                "ACCESS_DENIED",
                100,
            )
        member = self.members[token.member_id]
        body: dict[str, Any] = {"sub": member.id}
        if "profile" in token.scopes:
            given, _, family = member.name.partition(" ")
            body.update(
                name=member.name,
                given_name=given,
                family_name=family,
                locale={"country": "US", "language": "en"},
                picture=f"https://media.licdn.example/dms/image/{member.id}/profile.jpg",
            )
        if "email" in token.scopes:
            body.update(email=f"{member.username}@example.com", email_verified=True)
        return JSONResponse(body)

    # ------------------------------------------------------------ media

    async def _action_body(self, request: Request, action: str) -> dict[str, Any] | Response:
        if request.query_params.get("action") != action:
            return li_error(
                400,
                f"Unsupported action {request.query_params.get('action') or '(missing)'}",
                "ILLEGAL_ARGUMENT",
            )
        return await self._json_body(request)

    async def _json_body(self, request: Request) -> dict[str, Any] | Response:
        ctype = content_type(request)
        if ctype != "application/json":
            return li_error(415, f"Unsupported content type {ctype or '(none)'}")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return li_error(400, "Unable to parse the request body as JSON", "ILLEGAL_ARGUMENT")
        if not isinstance(body, dict):
            return li_error(400, "The request body must be a JSON object", "ILLEGAL_ARGUMENT")
        return body

    def _init_request(
        self, body: dict[str, Any], allowed: set[str], field_name: str = "initializeUploadRequest"
    ) -> dict[str, Any] | Response:
        refused = unrecognized(body, {field_name})
        if refused is not None:
            return refused
        req = body.get(field_name)
        if not isinstance(req, dict):
            return input_error(
                f"Missing required field {field_name}", field_name, "MISSING_REQUIRED_FIELD"
            )
        refused = unrecognized(req, allowed, field_name)
        return req if refused is None else refused

    def _new_asset(self, token: Token, req: dict[str, Any], kind: str) -> Asset | Response:
        owner = req.get("owner")
        if not isinstance(owner, str) or not AUTHOR_RE.fullmatch(owner):
            return input_error(
                "owner must be a person or organization URN",
                "initializeUploadRequest/owner",
                "INVALID_VALUE",
            )
        if not self._can_act_as(token, owner, POSTING_ROLES):
            return li_error(
                403, f"Not enough permissions to upload as {owner}", "ACCESS_DENIED", 100
            )
        prefix = {"image": "D4E10AQ", "video": "D5610AQ", "document": "D4D10AQ"}[kind]
        asset = Asset(f"urn:li:{kind}:{prefix}{secrets.token_urlsafe(9)}", kind, owner, time.time())
        return asset

    def _upload_url(self, request: Request, urn: str, part: int | None) -> str:
        key = secrets.token_urlsafe(18)
        with self.sim.lock:
            self.uploads[key] = (urn, part)
        return f"{self.base_url(request)}/dms-uploads/{key}"

    def _processing_ms(self, token: Token) -> float:
        member = self.members[token.member_id]
        return self.sim.effective_knobs(self.id, member.username).media_processing_ms or 0

    async def images_action(self, request: Request) -> Response:
        return await self._single_upload_action(request, "image")

    async def documents_action(self, request: Request) -> Response:
        return await self._single_upload_action(request, "document")

    async def _single_upload_action(self, request: Request, kind: str) -> Response:
        token = self._auth(request, "w_member_social", "w_organization_social")
        body = await self._action_body(request, "initializeUpload")
        if isinstance(body, Response):
            return body
        req = self._init_request(body, {"owner", "mediaLibraryMetadata"})
        if isinstance(req, Response):
            return req
        asset = self._new_asset(token, req, kind)
        if isinstance(asset, Response):
            return asset
        with self.sim.lock:
            self.assets[asset.urn] = asset
        return JSONResponse(
            {
                "value": {
                    "uploadUrlExpiresAt": _ms() + 86_400_000,
                    "uploadUrl": self._upload_url(request, asset.urn, None),
                    kind: asset.urn,
                }
            }
        )

    async def videos_action(self, request: Request) -> Response:
        token = self._auth(request, "w_member_social", "w_organization_social")
        action = request.query_params.get("action")
        if action == "finalizeUpload":
            return await self._finalize_video(request, token)
        body = await self._action_body(request, "initializeUpload")
        if isinstance(body, Response):
            return body
        req = self._init_request(
            body,
            {"owner", "fileSizeBytes", "uploadCaptions", "uploadThumbnail", "mediaLibraryMetadata"},
        )
        if isinstance(req, Response):
            return req
        size = req.get("fileSizeBytes")
        if not isinstance(size, int) or isinstance(size, bool):
            return input_error(
                "fileSizeBytes is required and must be a long",
                "initializeUploadRequest/fileSizeBytes",
                "MISSING_REQUIRED_FIELD",
            )
        flags = ("uploadCaptions", "uploadThumbnail")
        refused = mistyped(req, flags, bool, "a boolean", "initializeUploadRequest")
        if refused is not None:
            return refused
        if not self.conf["min_video_bytes"] <= size <= self.conf["max_video_bytes"]:
            return input_error(
                f"fileSizeBytes must be between {self.conf['min_video_bytes']} and "
                f"{self.conf['max_video_bytes']}",
                "initializeUploadRequest/fileSizeBytes",
                "INVALID_VALUE",
            )
        asset = self._new_asset(token, req, "video")
        if isinstance(asset, Response):
            return asset
        step = int(self.conf["video_part_bytes"])
        asset.size = size
        asset.parts = [(a, min(a + step, size) - 1) for a in range(0, size, step)]
        asset.upload_token = secrets.token_hex(8) if len(asset.parts) > 1 else ""
        with self.sim.lock:
            self.assets[asset.urn] = asset
        return JSONResponse(
            {
                "value": {
                    "uploadUrlsExpireAt": _ms() + 86_400_000,
                    "video": asset.urn,
                    "uploadInstructions": [
                        {
                            "uploadUrl": self._upload_url(request, asset.urn, i),
                            "firstByte": first,
                            "lastByte": last,
                        }
                        for i, (first, last) in enumerate(asset.parts)
                    ],
                    "uploadToken": asset.upload_token,
                }
            }
        )

    async def _finalize_video(self, request: Request, token: Token) -> Response:
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        req = self._init_request(
            body, {"video", "uploadToken", "uploadedPartIds"}, "finalizeUploadRequest"
        )
        if isinstance(req, Response):
            return req
        asset = self.assets.get(str(req.get("video")))
        if (
            asset is None
            or asset.kind != "video"
            or not self._can_act_as(token, asset.owner, POSTING_ROLES)
        ):
            return li_error(404, f"Video {req.get('video')} not found", "RESOURCE_NOT_FOUND")
        if req.get("uploadToken", "") != asset.upload_token:
            return input_error(
                "uploadToken does not match",
                "finalizeUploadRequest/uploadToken",
                "INVALID_VALUE",
                400,
            )
        ids = req.get("uploadedPartIds")
        expected = [asset.etags.get(i) for i in range(len(asset.parts))]
        if not isinstance(ids, list) or ids != expected or None in expected:
            return input_error(
                "uploadedPartIds must list the ETag of every uploaded part, in order",
                "finalizeUploadRequest/uploadedPartIds",
                "INVALID_VALUE",
                400,
            )
        if asset.uploaded:
            return li_error(400, "The upload was already finalized", "ILLEGAL_ARGUMENT")
        asset.uploaded = True
        asset.failure = self.conf["video_failure"]
        asset.ready_at = time.monotonic() + self._processing_ms(token) / 1000
        return Response(status_code=200)

    async def upload(self, request: Request) -> Response:
        entry = self.uploads.get(request.path_params["key"])
        if entry is None:
            return li_error(404, "Upload URL not found or expired")
        asset = self.assets[entry[0]]
        part = entry[1]
        if part is None:  # images and documents: the member's token is required
            token = self._auth(request)
            if not self._can_act_as(token, asset.owner, POSTING_ROLES):
                return li_error(403, "Not enough permissions to upload", "ACCESS_DENIED", 100)
        data = await request.body()
        if part is None:
            if not data:
                return li_error(400, "Empty upload")
            limit = self.conf["max_document_bytes"] if asset.kind == "document" else None
            if limit and len(data) > limit:
                return li_error(400, f"The document exceeds {limit} bytes")
            with self.sim.lock:
                asset.received = len(data)
                asset.uploaded = True
                wait = 0.0
                token_obj = self.tokens.get(self.bearer(request))
                if token_obj:
                    wait = self._processing_ms(token_obj) / 1000
                asset.ready_at = time.monotonic() + wait
            return Response(status_code=201)
        first, last = asset.parts[part]
        if len(data) != last - first + 1:
            return li_error(
                400, f"Part {part} must be exactly {last - first + 1} bytes, got {len(data)}"
            )
        etag = f"/ambry-video/signedId/{secrets.token_urlsafe(12)}"
        with self.sim.lock:
            asset.etags[part] = etag
            asset.received += len(data)
        return Response(status_code=200, headers={"ETag": etag})

    async def get_asset(self, request: Request) -> Response:
        token = self._auth(request)
        urn = unquote(request.path_params["urn"])
        kind = self.relative_path(request).split("/")[2][:-1]
        asset = self.assets.get(urn)
        public = asset is not None and asset.urn.startswith("urn:li:image:D4E0BAQorgLogo")
        if (
            asset is None
            or asset.kind != kind
            or not (public or self._can_act_as(token, asset.owner, POSTING_ROLES + ANALYTICS_ROLES))
        ):
            return li_error(404, f"{kind.title()} {urn} not found", "RESOURCE_NOT_FOUND")
        status = asset.status()
        body: dict[str, Any] = {"id": urn, "owner": asset.owner, "status": status}
        if status == "AVAILABLE":
            body["downloadUrl"] = f"https://media.licdn.example/{quote(urn, safe='')}"
            body["downloadUrlExpiresAt"] = _ms() + 3_600_000
        if kind == "video":
            body.update(duration=0, aspectRatioWidth=16.0, aspectRatioHeight=9.0)
            if status == "PROCESSING_FAILED":
                body["processingFailureReason"] = asset.failure
        return JSONResponse(body)

    # ------------------------------------------------------------ posts

    def _check_post(self, body: dict[str, Any]) -> Response | None:
        refused = unrecognized(body, POST_FIELDS)
        if refused is not None:
            return refused
        for name in ("author", "visibility", "distribution", "lifecycleState"):
            if name not in body:
                return input_error(f"Missing required field {name}", name, "MISSING_REQUIRED_FIELD")
        refused = mistyped(
            body, ("author", "visibility", "lifecycleState", "commentary"), str, "a string"
        )
        if refused is not None:
            return refused
        if not AUTHOR_RE.fullmatch(body["author"]):
            return input_error(f"Invalid author {body['author']}", "author", "INVALID_VALUE")
        enums = (("visibility", VISIBILITIES), ("lifecycleState", LIFECYCLE_STATES))
        for name, allowed in enums:
            if body[name] not in allowed:
                return input_error(
                    f"{name} must be one of {list(allowed)}, got {body[name]}",
                    name,
                    "INVALID_ENUM_VALUE",
                )
        refused = mistyped(body, ("isReshareDisabledByAuthor",), bool, "a boolean")
        if refused is not None:
            return refused
        dist = body["distribution"]
        if not isinstance(dist, dict):
            return input_error("distribution must be a record", "distribution", "TYPE_MISMATCH")
        known = ("feedDistribution", "targetEntities", "thirdPartyDistributionChannels")
        refused = unrecognized(dist, known, "distribution")
        if refused is not None:
            return refused
        if dist.get("feedDistribution") not in FEED_DISTRIBUTIONS:
            return input_error(
                f"distribution/feedDistribution must be one of {list(FEED_DISTRIBUTIONS)}",
                "distribution/feedDistribution",
                "INVALID_ENUM_VALUE",
            )
        lists = ("targetEntities", "thirdPartyDistributionChannels")
        return mistyped(dist, lists, list, "an array", "distribution")

    def _check_content(
        self, token: Token, author: str, content: Any
    ) -> tuple[list[Asset], Response | None]:
        if not isinstance(content, dict) or len(content) != 1:
            return [], input_error(
                "content must hold exactly one of media, multiImage, article",
                "content",
                "INVALID_VALUE",
            )
        kind, value = next(iter(content.items()))
        if not isinstance(value, dict):
            return [], input_error(
                f"content/{kind} must be a record", f"content/{kind}", "TYPE_MISMATCH"
            )
        if kind == "article":
            known = ("source", "title", "description", "thumbnail")
            refused = unrecognized(value, known, "content/article")
            if refused is not None:
                return [], refused
            source = value.get("source")
            if not isinstance(source, str) or urlsplit(source).scheme not in ("http", "https"):
                return [], input_error(
                    "content/article/source must be a URL",
                    "content/article/source",
                    "INVALID_VALUE",
                )
            return [], None
        if kind == "media":
            refs = [value]
            allowed = {"id", "title", "altText"}
        elif kind == "multiImage":
            refused = unrecognized(value, ("images", "altText"), "content/multiImage")
            if refused is not None:
                return [], refused
            refs = value.get("images")
            if not isinstance(refs, list) or not 2 <= len(refs) <= self.conf["max_multi_image"]:
                return [], input_error(
                    f"content/multiImage/images must hold 2 to {self.conf['max_multi_image']} "
                    "images",
                    "content/multiImage/images",
                    "INVALID_VALUE",
                )
            allowed = {"id", "altText"}
        else:
            return [], input_error(
                f"Unrecognized field {kind}", f"content/{kind}", "UNRECOGNIZED_FIELD"
            )
        assets: list[Asset] = []
        for ref in refs:
            if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
                return [], input_error(
                    "Missing required field id", f"content/{kind}/id", "MISSING_REQUIRED_FIELD"
                )
            refused = unrecognized(ref, allowed, f"content/{kind}") or mistyped(
                ref, ("title", "altText"), str, "a string", f"content/{kind}"
            )
            if refused is not None:
                return [], refused
            asset = self.assets.get(ref["id"])
            if asset is None or asset.owner != author:
                return [], input_error(
                    f"Media {ref['id']} not found for author {author}",
                    f"content/{kind}/id",
                    "INVALID_VALUE",
                )
            if kind == "multiImage" and asset.kind != "image":
                return [], input_error(
                    "multiImage only takes images", "content/multiImage/id", "INVALID_VALUE"
                )
            if asset.kind == "document" and not ref.get("title"):
                return [], input_error(
                    "A document post needs content/media/title",
                    "content/media/title",
                    "MISSING_REQUIRED_FIELD",
                )
            status = asset.status()
            if status != "AVAILABLE":
                return [], input_error(
                    f"Media {asset.urn} is in {status} state; it must be AVAILABLE",
                    f"content/{kind}/id",
                    "MEDIA_ASSET_PROCESSING" if status == "PROCESSING" else "INVALID_VALUE",
                )
            assets.append(asset)
        return assets, None

    async def create_post(self, request: Request) -> Response:
        token = self._auth(request, "w_member_social", "w_organization_social")
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        bad = self._check_post(body)
        if bad:
            return bad
        author = body["author"]
        is_org = author.startswith("urn:li:organization:")
        scope = "w_organization_social" if is_org else "w_member_social"
        if scope not in token.scopes or not self._can_act_as(token, author, POSTING_ROLES):
            return li_error(
                403,
                f"Not enough permissions to access: partnerApiPostsExternal.CREATE as {author}",
                "ACCESS_DENIED",
                100,
            )
        if is_org and body["visibility"] == "CONNECTIONS":
            return input_error(
                "Organization posts cannot have CONNECTIONS visibility",
                "visibility",
                "INVALID_VALUE",
            )
        commentary = body.get("commentary", "")
        text = render_little_text(commentary)
        if utf16_length(text) > self.conf["max_commentary"]:
            return input_error(
                f"commentary length {utf16_length(text)} exceeds the maximum of "
                f"{self.conf['max_commentary']}",
                "commentary",
                "FIELD_LENGTH_TOO_LONG",
            )
        assets: list[Asset] = []
        if "content" in body:
            assets, bad = self._check_content(token, author, body["content"])
            if bad:
                return bad
        elif not text.strip():
            return input_error(
                "A post needs commentary or content", "commentary", "MISSING_REQUIRED_FIELD"
            )
        member = self.members[token.member_id]
        with self.sim.lock:
            if text.strip():
                horizon = _ms() - self.conf["duplicate_window_s"] * 1000
                for post in self.posts.values():
                    if post.author == author and post.text == text and post.created_ms >= horizon:
                        return duplicate_error(post.urn)
            quota = self.sim.rate(
                self.id, "posts", token.member_id, account=member.username, aligned=True
            )
            if not quota.allowed:
                return li_error(429, E_QUOTA, "TOO_MANY_REQUESTS", 101)
            urn = f"urn:li:share:{7_390_000_000_000_000_000 + self._next()}"
            post = Post(
                urn,
                author,
                commentary,
                text,
                body["visibility"],
                body["distribution"],
                body["lifecycleState"],
                bool(body.get("isReshareDisabledByAuthor", False)),
                body.get("content"),
                _ms(),
            )
            self.posts[urn] = post
            if post.lifecycle == "PUBLISHED":
                self._record(post, member, assets)
        return Response(
            status_code=201,
            headers={"x-restli-id": urn, "Location": f"/rest/posts/{quote(urn, safe='')}"},
        )

    def _record(self, post: Post, member: Member, assets: list[Asset]) -> None:
        account = member.username
        m = AUTHOR_RE.fullmatch(post.author)
        if m and m.group(1) == "organization":
            account = self.orgs[int(m.group(2))].vanity
        refs: list[dict[str, Any]] = []
        content = post.content or {}
        if "media" in content:
            refs = [content["media"]]
        elif "multiImage" in content:
            refs = content["multiImage"]["images"]
        media = [
            {"type": a.kind, "id": a.urn, "alt_text": ref.get("altText"), "title": ref.get("title")}
            for a, ref in zip(assets, refs, strict=False)
        ]
        if "article" in content:
            media = [{"type": "article", "url": content["article"]["source"]}]
        self.sim.record_post(
            self.id,
            account,
            post.urn,
            post.text,
            media=media,
            permalink=f"https://www.linkedin.com/feed/update/{post.urn}",
            extra={"author": post.author, "visibility": post.visibility, "member": member.id},
        )

    def _post_json(self, post: Post) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": post.urn,
            "author": post.author,
            "commentary": post.commentary,
            "visibility": post.visibility,
            "distribution": post.distribution,
            "lifecycleState": post.lifecycle,
            "isReshareDisabledByAuthor": post.reshare_disabled,
            "createdAt": post.created_ms,
            "lastModifiedAt": post.created_ms,
            "publishedAt": post.created_ms,
            "lifecycleStateInfo": {"isEditedByAuthor": False},
        }
        if post.content:
            body["content"] = post.content
        return body

    def _can_read(self, token: Token, author: str) -> bool:
        if author.startswith("urn:li:person:"):
            return "r_member_social" in token.scopes and self._can_act_as(token, author, ())
        return "r_organization_social" in token.scopes and self._can_act_as(
            token, author, POSTING_ROLES + ANALYTICS_ROLES
        )

    async def get_post(self, request: Request) -> Response:
        token = self._auth(request)
        urn = unquote(request.path_params["urn"])
        post = self.posts.get(urn)
        if post is None:
            return li_error(404, f"Post {urn} not found", "RESOURCE_NOT_FOUND")
        if not self._can_read(token, post.author):
            return self._denied(request)
        return JSONResponse(self._post_json(post))

    async def find_posts(self, request: Request) -> Response:
        token = self._auth(request)
        q = request.query_params
        if q.get("q") != "author":
            return li_error(
                400, f"Unsupported finder {q.get('q') or '(missing q)'}", "ILLEGAL_ARGUMENT"
            )
        author = q.get("author", "")
        if not AUTHOR_RE.fullmatch(author):
            return li_error(
                400,
                "Query parameter author must be a person or organization URN",
                "ILLEGAL_ARGUMENT",
            )
        sort = q.get("sortBy", "LAST_MODIFIED")
        if sort not in ("LAST_MODIFIED", "CREATED"):
            return li_error(400, f"Invalid sortBy {sort}", "ILLEGAL_ARGUMENT")
        try:
            start = int(q.get("start", "0"))
            count = int(q.get("count", "10"))
        except ValueError:
            return li_error(400, "start and count must be integers", "ILLEGAL_ARGUMENT")
        if start < 0 or not 1 <= count <= 100:
            return li_error(400, "count must be between 1 and 100", "ILLEGAL_ARGUMENT")
        if not self._can_read(token, author):
            return li_error(
                403,
                "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
                "ACCESS_DENIED",
                100,
            )
        with self.sim.lock:
            rows = [p for p in self.posts.values() if p.author == author]
        rows.sort(key=lambda p: (p.created_ms, p.urn), reverse=True)
        page = rows[start : start + count]
        return JSONResponse(
            {
                "paging": {"start": start, "count": count, "total": len(rows), "links": []},
                "elements": [self._post_json(p) for p in page],
            }
        )

    # ------------------------------------------------------------ organizations

    async def organization_acls(self, request: Request) -> Response:
        token = self._auth(
            request,
            "rw_organization_admin",
            "r_organization_admin",
            "w_organization_social",
            "r_organization_social",
        )
        q = request.query_params
        if q.get("q") != "roleAssignee":
            return li_error(
                400, f"Unsupported finder {q.get('q') or '(missing q)'}", "ILLEGAL_ARGUMENT"
            )
        role, state = q.get("role"), q.get("state")
        if role is not None and role not in ROLES:
            return li_error(400, f"Invalid role {role}", "ILLEGAL_ARGUMENT")
        if state is not None and state not in ACL_STATES:
            return li_error(400, f"Invalid state {state}", "ILLEGAL_ARGUMENT")
        member = self.members[token.member_id]
        rows = [
            {
                "roleAssignee": member.urn,
                "state": "APPROVED",
                "role": org.roles[member.id],
                "organization": org.urn,
                "lastModified": {"actor": member.urn, "time": _ms()},
                "created": {"actor": member.urn, "time": _ms()},
            }
            for org in sorted(self.orgs.values(), key=lambda o: o.id)
            if member.id in org.roles
            and (role is None or org.roles[member.id] == role)
            and state in (None, "APPROVED")
        ]
        try:
            start, count = int(q.get("start", "0")), int(q.get("count", "10"))
        except ValueError:
            return li_error(400, "start and count must be integers", "ILLEGAL_ARGUMENT")
        return JSONResponse(
            {
                "paging": {"start": start, "count": count, "total": len(rows), "links": []},
                "elements": rows[start : start + count],
            }
        )

    async def get_organization(self, request: Request) -> Response:
        self._auth(request)
        raw = request.path_params["id"]
        org = self.orgs.get(int(raw)) if raw.isdigit() else None
        if org is None:
            return li_error(404, f"Organization {raw} not found", "RESOURCE_NOT_FOUND")
        return JSONResponse(
            {
                "id": org.id,
                "localizedName": org.name,
                "vanityName": org.vanity,
                "name": {
                    "localized": {"en_US": org.name},
                    "preferredLocale": {"country": "US", "language": "en"},
                },
                "logoV2": {"original": self._logo_urn(org.id)},
                "primaryOrganizationType": "NONE",
            }
        )

    # ------------------------------------------------------------ social actions, metrics

    def _readable_post(
        self, request: Request, token: Token, urn: str, member_analytics: bool = False
    ) -> tuple[Post | None, Response | None]:
        post = self.posts.get(urn)
        if post is None:
            return None, li_error(404, f"Entity {urn} not found", "RESOURCE_NOT_FOUND")
        if member_analytics:
            ok = "r_member_postAnalytics" in token.scopes and self._can_act_as(
                token, post.author, ()
            )
        else:
            ok = self._can_read(token, post.author)
        return (post, None) if ok else (None, self._denied(request))

    async def social_actions(self, request: Request) -> Response:
        token = self._auth(request)
        urn = unquote(request.path_params["urn"])
        post, err = self._readable_post(request, token, urn)
        if err:
            return err
        assert post is not None
        return JSONResponse(
            {
                "target": urn,
                "likesSummary": {
                    "totalLikes": post.metrics["likes"],
                    "aggregatedTotalLikes": post.metrics["likes"],
                    "likedByCurrentUser": False,
                },
                "commentsSummary": {
                    "totalFirstLevelComments": post.metrics["comments"],
                    "aggregatedTotalComments": post.metrics["comments"],
                },
            }
        )

    async def comment(self, request: Request) -> Response:
        token = self._auth(request, "w_member_social", "w_organization_social")
        urn = unquote(request.path_params["urn"])
        post = self.posts.get(urn)
        if post is None:
            return li_error(404, f"Entity {urn} not found", "RESOURCE_NOT_FOUND")
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        refused = unrecognized(body, ("actor", "object", "message", "parentComment", "content"))
        if refused is not None:
            return refused
        actor = body.get("actor")
        message = body.get("message")
        if not isinstance(actor, str) or not self._can_act_as(token, actor, POSTING_ROLES):
            return li_error(
                403, f"Not enough permissions to comment as {actor}", "ACCESS_DENIED", 100
            )
        if body.get("object") != urn:
            return input_error("object must be the commented post", "object", "INVALID_VALUE")
        if not isinstance(message, dict) or not isinstance(message.get("text"), str):
            return input_error(
                "Missing required field message/text", "message/text", "MISSING_REQUIRED_FIELD"
            )
        comment_id = str(7_390_100_000_000_000_000 + self._next())
        entry = {
            "id": comment_id,
            "actor": actor,
            "object": urn,
            "message": {"text": message["text"]},
            "created": {"actor": actor, "time": _ms()},
        }
        with self.sim.lock:
            post.comments.append(entry)
            post.metrics["comments"] += 1
        comment_urn = f"urn:li:comment:({urn},{comment_id})"
        return JSONResponse(
            {**entry, "commentUrn": comment_urn}, 201, headers={"x-restli-id": comment_id}
        )

    @staticmethod
    def _list_param(value: str | None) -> list[str]:
        if not value:
            return []
        if not (value.startswith("List(") and value.endswith(")")):
            return ["\x00bad"]
        return [unquote(v) for v in value[5:-1].split(",") if v]

    async def share_statistics(self, request: Request) -> Response:
        token = self._auth(request, "r_organization_social", "rw_organization_admin")
        q = request.query_params
        if q.get("q") != "organizationalEntity":
            return li_error(400, "Unsupported finder", "ILLEGAL_ARGUMENT")
        org_urn = q.get("organizationalEntity", "")
        if not org_urn.startswith("urn:li:organization:") or not self._can_act_as(
            token, org_urn, POSTING_ROLES + ANALYTICS_ROLES
        ):
            return self._denied(request)
        urns = self._list_param(q.get("shares")) + self._list_param(q.get("ugcPosts"))
        if any(not POST_URN_RE.fullmatch(u) for u in urns):
            return li_error(
                400, "shares/ugcPosts must be List(...) of post URNs", "ILLEGAL_ARGUMENT"
            )
        posts = (
            [self.posts[u] for u in urns if u in self.posts]
            if urns
            else [p for p in self.posts.values() if p.author == org_urn]
        )
        elements = []
        for post in posts:
            if post.author != org_urn:
                continue
            m = post.metrics
            engaged = m["likes"] + m["comments"] + m["shares"] + m["clicks"]
            stats = {
                "impressionCount": m["impressions"],
                "uniqueImpressionsCount": m["unique_impressions"],
                "clickCount": m["clicks"],
                "likeCount": m["likes"],
                "commentCount": m["comments"],
                "shareCount": m["shares"],
                "engagement": engaged / m["impressions"] if m["impressions"] else 0.0,
            }
            elements.append(
                {"organizationalEntity": org_urn, "share": post.urn, "totalShareStatistics": stats}
            )
        return JSONResponse(
            {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}
        )

    async def network_size(self, request: Request) -> Response:
        self._auth(request)
        urn = unquote(request.path_params["urn"])
        if request.query_params.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER":
            return li_error(400, "edgeType must be COMPANY_FOLLOWED_BY_MEMBER", "ILLEGAL_ARGUMENT")
        m = AUTHOR_RE.fullmatch(urn)
        org = self.orgs.get(int(m.group(2))) if m and m.group(2).isdigit() else None
        if org is None or m is None or m.group(1) != "organization":
            return li_error(404, f"Entity {urn} not found", "RESOURCE_NOT_FOUND")
        return JSONResponse({"firstDegreeSize": org.followers})

    async def member_post_analytics(self, request: Request) -> Response:
        token = self._auth(request, "r_member_postAnalytics")
        q = request.query_params
        if q.get("q") != "entity":
            return li_error(400, "Unsupported finder", "ILLEGAL_ARGUMENT")
        query_type = q.get("queryType", "")
        if query_type not in QUERY_TYPES:
            return li_error(400, f"Invalid queryType {query_type}", "ILLEGAL_ARGUMENT")
        if q.get("aggregation", "TOTAL") not in ("TOTAL", "DAILY"):
            return li_error(400, "aggregation must be TOTAL or DAILY", "ILLEGAL_ARGUMENT")
        m = re.fullmatch(r"\((share|ugcPost):(urn:li:(?:share|ugcPost):\d+)\)", q.get("entity", ""))
        if not m:
            return li_error(
                400, "entity must be (share:<urn>) or (ugcPost:<urn>)", "ILLEGAL_ARGUMENT"
            )
        post, err = self._readable_post(request, token, m.group(2), member_analytics=True)
        if err:
            return err
        assert post is not None
        return JSONResponse(
            {
                "paging": {"start": 0, "count": 10, "links": []},
                "elements": [
                    {
                        "count": post.metrics[QUERY_TYPES[query_type]],
                        "metricType": {
                            "com.linkedin.adsexternalapi.memberanalytics.v1."
                            "CreatorPostAnalyticsMetricTypeV1": query_type
                        },
                        "targetEntity": {m.group(1): post.urn},
                    }
                ],
            }
        )

    async def member_followers(self, request: Request) -> Response:
        token = self._auth(request, "r_member_profileAnalytics")
        if request.query_params.get("q") != "me":
            return li_error(400, "Unsupported finder", "ILLEGAL_ARGUMENT")
        member = self.members[token.member_id]
        return JSONResponse(
            {
                "paging": {"start": 0, "count": 10, "links": []},
                "elements": [{"memberFollowersCount": member.followers}],
            }
        )

    # ------------------------------------------------------------ simulator controls

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/linkedin/tokens {"member"?, "scopes"?, "expires_in"?, "refresh"?}."""
        body = await self.control_body(
            request, ("member", "scopes", "expires_in", "refresh"), "token"
        )
        return JSONResponse(
            self.issue_token(
                body.get("member"),
                body.get("scopes", DEFAULT_SCOPES),
                expires_in=body.get("expires_in"),
                refresh=bool(body.get("refresh", True)),
            )
        )

    async def sim_member(self, request: Request) -> Response:
        member = self.ensure_member(
            request.path_params["username"], **await self.control_body(request)
        )
        return JSONResponse({"sub": member.id, "urn": member.urn, "username": member.username})

    async def sim_org(self, request: Request) -> Response:
        """POST /_sim/linkedin/organizations {"name", "vanity"?, "admins"?: {user: role}, ...}."""
        body = await self.control_body(request)
        unknown = set(body) - {"name", "vanity", "admins", "followers"}
        if unknown or not body.get("name"):
            raise SimError("an organization takes name, vanity?, admins?, followers?")
        org = self.ensure_org(
            body["name"],
            vanity=body.get("vanity"),
            admins=body.get("admins"),
            followers=body.get("followers"),
        )
        return JSONResponse({"id": org.id, "urn": org.urn, "vanity": org.vanity})

    async def sim_post(self, request: Request) -> Response:
        """POST /_sim/linkedin/posts/{urn} {"likes": 3, "impressions": 90, ...}."""
        body = await self.control_body(request)
        key = unquote(request.path_params["urn"])
        return self.set_counters(self.posts, key, lambda p: p.metrics, body, known=METRICS)


__all__ = [
    "DEFAULT_SCOPES",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "LinkedInSim",
    "render_little_text",
    "utf16_length",
]
