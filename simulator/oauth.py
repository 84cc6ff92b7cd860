"""The OAuth 2.0 authorization-server pieces the simulated platforms share.

Every platform keeps its own token formats and error shapes (and most their own apps and
grants); what they do alike (reading credentials off a request, checking a redirect URI, the
consent that auto-approves as `sim_account`, a code that is good once) lives here, mixed into
their PlatformSim subclass, with the records X and Pinterest keep alike.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from simulator.platform import Refusal, content_type, with_query


def s256(verifier: str, encoding: str = "utf-8", errors: str = "strict") -> str:
    """The PKCE S256 code challenge of `verifier` (RFC 7636 §4.2), encoded as given."""
    digest = hashlib.sha256(verifier.encode(encoding, errors)).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class RegisteredApp(Protocol):
    redirect_uris: list[str]


# What X and Pinterest (an OAuth 2.0 server of the same build: a developer-portal app,
# one-time codes, rotating refresh tokens) keep alike; other platforms have their own shapes.


@dataclass
class ClientApp:
    client_id: str
    client_secret: str | None  # None: a public client (PKCE only, client_id in the body)
    redirect_uris: list[str]  # ["*"]: any http(s) URI (the sandbox app only)
    name: str = "Herald"


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: list[str]
    expires: float  # time.monotonic()
    challenge: str = ""  # PKCE
    method: str = ""
    used: bool = False


@dataclass
class RefreshToken:
    value: str
    client_id: str
    user_id: str
    scopes: list[str]
    expires_at: float  # epoch seconds
    family: str = ""  # the grant it descends from (a replayed one may end it)
    used: bool = False
    revoked: bool = False


class CodeGrant(Protocol):
    client_id: str
    redirect_uri: str
    expires: float  # time.monotonic()
    used: bool


class OAuthServer:
    """Mixin of a PlatformSim that runs an authorization server (needs `conf["default_account"]`
    when `consenting_account` is used)."""

    conf: dict[str, Any]
    apps: dict[str, Any]

    @staticmethod
    def bearer(request: Request) -> str:
        """The bearer token of the Authorization header ("" when there is none)."""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" else ""

    @staticmethod
    def basic_credentials(request: Request) -> tuple[str, str] | None:
        """(client id, secret) of HTTP Basic client authentication; None without a Basic
        header, ("", "") when it does not decode."""
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return None
        try:
            raw = base64.b64decode(auth[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = raw.partition(":")
        return client_id, secret

    @staticmethod
    def secret_ok(app: Any, secret: str) -> bool:
        """`app` exists, has a secret and `secret` is it (compared in constant time)."""
        stored = getattr(app, "client_secret", None)
        return bool(stored) and secrets.compare_digest(stored, secret)

    @staticmethod
    async def form_fields(request: Request) -> dict[str, str] | None:
        """The text fields of a form-encoded body; None when the body is of another type."""
        ctype = content_type(request)
        if ctype != "application/x-www-form-urlencoded":
            return None
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    @staticmethod
    def redirect_allowed(app: RegisteredApp, redirect_uri: str) -> bool:
        """A registered redirect URI, or any web URL for an app registered with ["*"]."""
        web = urlsplit(redirect_uri).scheme in ("http", "https")
        return redirect_uri in app.redirect_uris or (app.redirect_uris == ["*"] and web)

    @staticmethod
    def error_redirect(
        redirect_uri: str, state: str | None, error: str, description: str | None
    ) -> Response:
        """Send the browser back to the client with an OAuth error (and its `state`)."""
        params = {"error": error}
        if description is not None:
            params["error_description"] = description
        if state:
            params["state"] = state
        return RedirectResponse(with_query(redirect_uri, params), 302)

    def authorizing_app(
        self,
        request: Request,
        unknown_client: Response,
        bad_redirect: Response,
        client_param: str = "client_id",
    ) -> tuple[Any, str]:
        """The registered app (its id in `client_param`) and redirect URI of an authorization
        request; refused with `unknown_client` or `bad_redirect` (Refusal)."""
        q = request.query_params
        app = self.apps.get(q.get(client_param, ""))
        if app is None:
            raise Refusal(unknown_client)
        redirect_uri = q.get("redirect_uri", "")
        if not self.redirect_allowed(app, redirect_uri):
            raise Refusal(bad_redirect)
        return app, redirect_uri

    def consenting_account(self, request: Request) -> str:
        """Who approves the consent screen: `sim_account` (simulator-only query parameter) or
        the platform's default account."""
        return request.query_params.get("sim_account") or self.conf["default_account"]

    @staticmethod
    def grant_usable(grant: CodeGrant | None, client_id: str, redirect_uri: str) -> bool:
        """An unused, unexpired code issued to `client_id` for `redirect_uri`."""
        return (
            grant is not None
            and not grant.used
            and grant.expires >= time.monotonic()
            and grant.client_id == client_id
            and grant.redirect_uri == redirect_uri
        )


class BearerToken(Protocol):
    @property
    def value(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def revoked(self) -> bool: ...
    @property
    def expires_at(self) -> float | None: ...


class NamedUser(Protocol):
    @property
    def username(self) -> str: ...


TokenT = TypeVar("TokenT", bound=BearerToken)
UserT = TypeVar("UserT", bound=NamedUser)


class UserTokens(OAuthServer, Generic[TokenT, UserT]):
    """An authorization server whose bearer `tokens` (value → token) act for `users` (id →
    user with a username)."""

    tokens: dict[str, TokenT]
    users: dict[str, UserT]

    def user_by_username(self, username: str) -> UserT | None:
        """The user of that username (in any case), or None."""
        wanted = username.lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def valid_token(self, request: Request) -> TokenT | None:
        """The request's bearer token unless it is unknown, revoked or expired (None)."""
        token = self.tokens.get(self.bearer(request))
        if token is None or token.revoked:
            return None
        if token.expires_at is not None and token.expires_at <= time.time():
            return None
        return token

    def issued(
        self,
        user_id: str,
        client_id: str,
        token: TokenT,
        refresh: RefreshToken | None,
        scope_separator: str = " ",
    ) -> dict[str, Any]:
        """What `issue_token` (a token minted without the OAuth dance) returns."""
        return {
            "access_token": token.value,
            "refresh_token": refresh.value if refresh else None,
            "expires_at": token.expires_at,
            "scope": scope_separator.join(token.scopes),
            "user_id": user_id,
            "username": self.users[user_id].username,
            "client_id": client_id,
        }

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self.bearer(request))
        user = self.users.get(token.user_id) if token and token.user_id else None
        return user.username if user else None
