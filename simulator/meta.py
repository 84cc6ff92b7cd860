"""What the Meta Graph simulators (Facebook Pages, Instagram, Threads) share: the Graph error
envelope, usage headers, the answers to injected faults, registered apps, authorization-code
bookkeeping and the /_sim controls that work alike (platform-apis.md §3).

Each product keeps its own hosts, versions, grant types, scopes, token formats and messages.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from simulator.oauth import OAuthServer
from simulator.platform import PlatformSim, Refusal, with_query
from simulator.state import Fault

E_SESSION_EXPIRED = "Error validating access token: Session has expired."
E_NO_ACTIVE_TOKEN = (
    "An active access token must be used to query information about the current user."
)
E_BAD_TOKEN = "Invalid OAuth access token - Cannot parse access token"
E_UNEXPECTED = "An unexpected error has occurred. Please retry your request later."

# (client_id, user_id, redirect_uri, scopes, expires at (monotonic))
Grant = tuple[str, str, str, list[str], float]


def meta_error(
    message: str,
    code: int,
    status: int = 400,
    *,
    subcode: int | None = None,
    kind: str = "OAuthException",
    transient: bool = False,
    headers: dict[str, str] | None = None,
    user_msg: str | None = None,
) -> Response:
    """The Graph error envelope {"error": {message, type, code, error_subcode?, ...}}."""
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "is_transient": transient,
        "fbtrace_id": secrets.token_urlsafe(12),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_msg:
        error["error_user_msg"] = user_msg
    return JSONResponse({"error": error}, status, headers=headers)


def bad_param(message: str, subcode: int | None = None) -> Response:
    return meta_error(f"(#100) {message}", 100, subcode=subcode)


def no_permission() -> Response:
    return meta_error("(#10) Application does not have permission for this action", 10)


def no_object(oid: str) -> Response:
    return meta_error(
        f"(#100) Object with ID '{oid}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation",
        100,
        subcode=33,
        kind="GraphMethodException",
    )


def meta_time(ts: datetime) -> str:
    """Graph timestamps: 2026-01-31T12:00:00+0000."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def app_usage(percent: int) -> str:
    """An X-App-Usage header value."""
    return json.dumps({"call_count": percent, "total_cputime": 1, "total_time": 1})


def usage_headers(key: str, kind: str, percent: int, minutes: int) -> dict[str, str]:
    """X-App-Usage and X-Business-Use-Case-Usage (`kind` is the BUC type) of a throttled call."""
    buc = {
        key: [
            {
                "type": kind,
                "call_count": percent,
                "total_cputime": 1,
                "total_time": 1,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    return {"X-App-Usage": app_usage(percent), "X-Business-Use-Case-Usage": json.dumps(buc)}


def fault_minutes(fault: Fault) -> int:
    """Whole minutes (at least 1) until an injected 429 fault lifts."""
    return fault.wait(60)


def fault_error(
    fault: Fault,
    *,
    expired: str = E_SESSION_EXPIRED,
    expired_subcode: int = 463,
    duplicate: str = "Duplicate status message",
) -> Response:
    """The Graph answer to an injected 401, duplicate or 5xx fault (429s are per product)."""
    if fault.kind == "401":
        return meta_error(fault.message or expired, 190, subcode=expired_subcode)
    if fault.kind == "duplicate":
        return meta_error(fault.message or duplicate, 506)
    return meta_error(fault.message or E_UNEXPECTED, 2, int(fault.kind), transient=True)


@dataclass
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


class MetaSim(OAuthServer, PlatformSim):
    """Base of the Graph simulators. Subclasses set `apps`, `codes`, `tokens`, `users` and
    `conf` (with "auth_code_ttl_s") in reset()."""

    apps: dict[str, App]
    codes: dict[str, Grant]
    tokens: dict[str, Any]
    users: dict[str, Any]
    conf: dict[str, Any]

    def register_app(
        self,
        redirect_uris: list[str],
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> App:
        app = App(
            client_id or str(secrets.randbelow(10**15) + 10**15),
            client_secret or secrets.token_hex(16),
            list(redirect_uris),
        )
        return self.keep(self.apps, app.client_id, app)

    def code_redirect(
        self,
        app: App,
        user_id: str,
        redirect_uri: str,
        scopes: list[str],
        state: str | None,
        fragment: str = "#_",
    ) -> Response:
        """Record an authorization code and send the browser back with it (and `state`)."""
        code = secrets.token_urlsafe(32)
        expires = time.monotonic() + self.conf["auth_code_ttl_s"]
        with self.sim.lock:
            self.codes[code] = (app.client_id, user_id, redirect_uri, scopes, expires)
        params = {"code": code}
        if state:
            params["state"] = state
        return RedirectResponse(with_query(redirect_uri, params) + fragment, 302)

    def take_code(self, code: str, client_id: str) -> Grant | None:
        """The grant of an unexpired code issued to `client_id` (a code is good once)."""
        with self.sim.lock:
            grant = self.codes.pop(code, None)
        if grant is None or grant[0] != client_id or grant[4] < time.monotonic():
            return None
        return grant

    @staticmethod
    def _issued(token: Any, user: Any, expires_in: float | None) -> dict[str, Any]:
        """What minting a token without the OAuth dance answers; `expires_in` (seconds, may be
        0 or negative) re-dates the token."""
        if expires_in is not None:
            token.expires_at = time.time() + expires_in
        return {
            "access_token": token.value,
            "expires_at": token.expires_at,
            "scope": ",".join(token.scopes),
            "user_id": user.id,
            "username": user.username,
        }

    def _token_value(self, request: Request) -> str:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value.strip():
            return value.strip()
        return request.query_params.get("access_token", "")

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self._token_value(request))
        user = self.users.get(token.user_id) if token else None
        return user.username if user else None

    # ------------------------------------------------------------ simulator controls

    def controls(self) -> list[BaseRoute]:
        return [Route("/posts/{id}", self.sim_post, methods=["POST"])]

    async def sim_post(self, request: Request) -> Response:
        """POST /_sim/<id>/posts/{id} {"likes": 3, "views": 90, ...}: set a post's counters."""
        posts: dict[str, Any] = getattr(self, "posts", {})
        body = await self.control_body(request)
        return self.set_counters(posts, request.path_params["id"], lambda p: p.metrics, body)


@dataclass
class LoginToken:
    """A token of the Instagram/Threads logins: short-lived (1 h) or long-lived (~60 d)."""

    value: str
    user_id: str
    client_id: str
    scopes: list[str]
    long_lived: bool
    issued_at: float
    expires_at: float
    revoked: bool = False


class LoginSim(MetaSim):
    """Instagram and Threads: one login is one account, whose code gives a short-lived token
    that is exchanged for a long-lived one (and refreshed) by the token itself."""

    short_ttl_s: ClassVar[float] = 3600
    long_ttl_s: ClassVar[float]
    token_prefixes: ClassVar[tuple[str, str]]  # (long-lived, short-lived)
    default_scopes: ClassVar[str]  # comma-separated
    organic_accounts = ("users", "username", "followers_count")
    containers: dict[str, Any]
    posts: dict[str, Any]
    # What a 429 fault answers: the platform's message and error code.
    limit_message: ClassVar[str]
    limit_code: ClassVar[int]
    # What a request without a token is told: the platform's message and error code.
    no_token: ClassVar[tuple[str, int]]
    # What the consent screen tells an unknown client, an unregistered redirect URI and a
    # response_type other than code (in the shape of `consent_refusal`).
    consent_messages: ClassVar[tuple[str, str, str]]

    def reset(self) -> None:
        self.conf = dict(self.default_settings)
        self.apps = {}
        self.users = {}
        self.tokens = {}
        self.codes = {}
        self.containers = {}
        self.posts = {}
        self._seq = 0
        self.register_app(["*"], *self._sandbox_app())

    def _sandbox_app(self) -> tuple[str, str]:
        app = self.sandbox_app()
        assert app is not None, f"{self.id} defines SANDBOX_CLIENT_ID and SANDBOX_CLIENT_SECRET"
        return app

    def login_routes(self) -> list[BaseRoute]:
        """The login's OAuth routes (consent, code → short-lived token, exchange, refresh);
        each platform words its errors its own way in authorize, code_token, exchange, refresh."""
        return self.api_routes(
            ("GET", "/oauth/authorize", self.authorize),
            ("POST", "/oauth/access_token", self.code_token),
            ("GET", "/access_token", self.exchange),
            ("GET", "/refresh_access_token", self.refresh),
        )

    async def authorize(self, request: Request) -> Response:
        """The consent screen: approved at once as `consenting_account`, for the scopes that
        `consented_scopes` accepts."""
        unknown_client, bad_redirect, bad_response_type = self.consent_messages
        app, redirect_uri = self.authorizing_app(
            request, self.consent_refusal(unknown_client), self.consent_refusal(bad_redirect)
        )
        q = request.query_params
        if q.get("response_type") != "code":
            return self.consent_refusal(bad_response_type)
        scopes = self.consented_scopes(q.get("scope", ""))
        user = self.ensure_user(self.consenting_account(request))
        return self.code_redirect(app, user.id, redirect_uri, scopes, q.get("state"))

    def consent_refusal(self, message: str) -> Response:
        """The consent screen's error answer, in the platform's shape."""
        raise NotImplementedError(f"{type(self).__name__} defines consent_refusal")

    def consented_scopes(self, scope: str) -> list[str]:
        """The scopes of an authorization request's `scope`; refused (Refusal) when invalid."""
        raise NotImplementedError(f"{type(self).__name__} defines consented_scopes")

    def error_response(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "429":
            token = self.tokens.get(self._token_value(request))
            user_id = token.user_id if token else "0"
            return meta_error(
                fault.message or self.limit_message,
                self.limit_code,
                headers=usage_headers(user_id, self.id, 100, fault_minutes(fault)),
            )
        return fault_error(fault)

    def _auth(self, request: Request, scope: str | None = None) -> LoginToken:
        """The request's usable token; refused the Graph way when it is missing, unknown,
        revoked or expired, or lacks `scope`."""
        value = self._token_value(request)
        if not value:
            raise Refusal(meta_error(*self.no_token))
        token: LoginToken | None = self.tokens.get(value)
        if token is None or token.revoked:
            raise Refusal(meta_error(E_BAD_TOKEN, 190))
        if token.expires_at <= time.time():
            raise Refusal(meta_error(E_SESSION_EXPIRED, 190, subcode=463))
        if scope and scope not in token.scopes:
            raise Refusal(no_permission())
        return token

    @staticmethod
    def _fields(request: Request, allowed: tuple[str, ...], default: str = "id") -> list[str]:
        """The `fields` a request asks for; refused when one is not among `allowed`."""
        fields = [f for f in request.query_params.get("fields", default).split(",") if f]
        bad = [f for f in fields if f not in allowed]
        if bad:
            raise Refusal(bad_param(f"Tried accessing nonexisting field ({bad[0]})"))
        return fields

    def ensure_user(self, username: str, **fields: Any) -> Any:
        """Find or create the simulated user (each platform has its own fields)."""
        raise NotImplementedError(f"{type(self).__name__} defines ensure_user")

    def _mint(
        self, user_id: str, client_id: str, scopes: list[str], long_lived: bool, age_s: float = 0
    ) -> LoginToken:
        now = time.time() - age_s
        token = LoginToken(
            self.token_prefixes[0 if long_lived else 1] + secrets.token_urlsafe(40),
            user_id,
            client_id,
            scopes,
            long_lived,
            now,
            now + (self.long_ttl_s if long_lived else self.short_ttl_s),
        )
        self.keep(self.tokens, token.value, token)
        return token

    def long_lived_answer(self, token: LoginToken, **extra: str) -> Response:
        """A new long-lived token for `token`'s user, app and scopes, as the exchange and
        refresh endpoints answer it (with `extra` fields)."""
        new = self._mint(token.user_id, token.client_id, token.scopes, long_lived=True)
        body = {"access_token": new.value, "token_type": "bearer", "expires_in": self.long_ttl_s}
        return JSONResponse(body | extra)

    def exchanged(self, token: LoginToken, client_secret: str) -> Response:
        """Exchange a short-lived `token` (its app's secret given) for a long-lived one."""
        if not self.secret_ok(self.apps.get(token.client_id), client_secret):
            return meta_error("Error validating client secret.", 101)
        if token.long_lived:
            return bad_param("Only short-lived tokens can be exchanged")
        return self.long_lived_answer(token)

    def refusing_refresh(self, token: LoginToken) -> Response | None:
        """Why a long-lived `token` cannot be refreshed yet (None: it can)."""
        if not token.long_lived:
            return bad_param("Only long-lived tokens can be refreshed")
        if time.time() - token.issued_at < self.conf["refresh_min_age_s"]:
            return bad_param("The access token must be at least 24 hours old to be refreshed")
        return None

    def issue_token(
        self,
        username: str,
        scopes: str | None = None,
        *,
        long_lived: bool = True,
        expires_in: float | None = None,
        age_s: float = 0,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Mint a token without the OAuth dance. `age_s` back-dates it (refresh needs ≥ 24 h)."""
        scopes = self.default_scopes if scopes is None else scopes
        user = self.ensure_user(username)
        client_id = self.issuing_app(client_id)
        token = self._mint(user.id, client_id, scopes.split(","), long_lived, age_s)
        return self._issued(token, user, expires_in)

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/<id>/tokens {"username"?, "scopes"?, "long_lived"?, "age_s"?, ...}."""
        body = await self.control_body(
            request, ("username", "scopes", "long_lived", "expires_in", "age_s"), "token"
        )
        return JSONResponse(
            self.issue_token(
                body.get("username") or self.conf["default_account"],
                body.get("scopes", self.default_scopes),
                long_lived=bool(body.get("long_lived", True)),
                expires_in=body.get("expires_in"),
                age_s=float(body.get("age_s", 0)),
            )
        )

    async def sim_user(self, request: Request) -> Response:
        """POST /_sim/<id>/users/{username} {"followers_count"?, ...}: create or update."""
        user = self.ensure_user(request.path_params["username"], **await self.control_body(request))
        return JSONResponse({"id": user.id, "username": user.username})


__all__ = [
    "E_BAD_TOKEN",
    "E_NO_ACTIVE_TOKEN",
    "App",
    "LoginSim",
    "LoginToken",
    "MetaSim",
    "app_usage",
    "bad_param",
    "fault_error",
    "fault_minutes",
    "meta_error",
    "meta_time",
    "no_object",
    "no_permission",
    "usage_headers",
]
