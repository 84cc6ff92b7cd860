"""OAuth 2.0 authorization code flow shared by the providers that connect through a redirect.

X, LinkedIn, Pinterest, TikTok and YouTube all keep an app (client id and secret), send the user
to an authorize endpoint, trade the code (and later the refresh token) at a token endpoint, and
turn the token response into a `TokenSet` that never drops a refresh token the platform did not
replace. What differs is declared as class attributes, or by overriding one small hook.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import httpx

from app.providers.accounts import TokenSet
from app.providers.base import Provider, s256_challenge
from app.providers.errors import AuthError, PermanentError, TransientError
from app.providers.network import Limits


def json_or_none(response: httpx.Response) -> Any:
    """The response's JSON body, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def expires_at(now: datetime, seconds: Any) -> str:
    """ISO time `seconds` after `now` (a token response's `*_expires_in`)."""
    return (now + timedelta(seconds=float(seconds))).isoformat()


class OAuth2Provider(Provider):
    """A provider whose accounts connect with the authorization code grant."""

    default_auth_base: ClassVar[str]
    default_web_base: ClassVar[str] = ""
    default_scopes: ClassVar[str]
    # Appended to `auth_base` unless it already ends with it.
    authorize_path: ClassVar[str] = ""
    # The authorize URL's name for the client id (TikTok: client_key), and what its query leaves
    # unescaped (the commas of comma-separated scopes).
    client_id_param: ClassVar[str] = "client_id"
    query_safe: ClassVar[str] = ""
    # Whether the authorize URL carries the PKCE challenge of a code verifier it is given.
    authorize_pkce: ClassVar[bool] = False
    # Relative to api_base unless absolute (see `_token_url`).
    token_path: ClassVar[str] = ""
    # Access token lifetime when the token response has no expires_in.
    token_ttl_s: ClassVar[float]
    # Who owns the app in messages ("Google" for YouTube), and what it must be configured with.
    app_owner: ClassVar[str | None] = None
    app_credentials: ClassVar[str] = "client id and secret"
    secret_required: ClassVar[bool] = True
    # Client authentication at the token endpoint: HTTP Basic (when there is a secret) or the
    # credentials in the form body.
    basic_auth: ClassVar[bool] = False
    # Whether exchange_code passes a PKCE verifier on when it is given one.
    sends_code_verifier: ClassVar[bool] = True
    # Granted scopes come comma-separated; stored space-separated.
    comma_scopes: ClassVar[bool] = False
    # With no scope in the answer and no previous set, assume the requested scopes.
    assume_requested_scope: ClassVar[bool] = False
    no_refresh_token: ClassVar[str] = "This connection has no refresh token; reconnect the account"

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        auth_base: str | None = None,
        web_base: str | None = None,
        scopes: str | None = None,
        limits: Limits | None = None,
        **config: Any,
    ) -> None:
        """`config` goes to Provider (api_base, client, timeout and the platform's settings)."""
        super().__init__(**config)
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_base = (auth_base or self.default_auth_base).rstrip("/")
        self.authorize_endpoint = self._authorize_endpoint(self.auth_base)
        self.web_base = (web_base or self.default_web_base).rstrip("/")
        self.scopes = scopes or self.default_scopes
        if limits is not None:
            self.limits = limits

    def _authorize_endpoint(self, auth_base: str) -> str:
        if not auth_base.endswith(self.authorize_path):
            auth_base += self.authorize_path
        return auth_base

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_verifier: str | None = None
    ) -> str:
        params = {
            self.client_id_param: self._app()[0],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": self.scopes,
            "state": state,
            **self._authorize_params(code_verifier),
        }
        query = urlencode(params, quote_via=quote, safe=self.query_safe)
        return f"{self.authorize_endpoint}?{query}"

    def _authorize_params(self, code_verifier: str | None) -> dict[str, str]:
        """The platform's further authorize parameters: by default the PKCE challenge of
        `code_verifier` when one is given and the platform takes PKCE."""
        return self._pkce(code_verifier) if code_verifier and self.authorize_pkce else {}

    def _pkce(self, code_verifier: str) -> dict[str, str]:
        return {"code_challenge": s256_challenge(code_verifier), "code_challenge_method": "S256"}

    def _app(self) -> tuple[str, str]:
        """(client id, client secret or ""), or a PermanentError when the app is not set up."""
        if not self.client_id or (self.secret_required and not self.client_secret):
            owner = self.app_owner or self.display_name
            raise PermanentError(f"No {owner} app ({self.app_credentials}) is configured")
        return self.client_id, self.client_secret or ""

    def _with_client(self, data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """(form, headers) carrying the app's credentials the way the platform wants them."""
        client_id, secret = self._app()
        if self.basic_auth and secret:
            raw = f"{client_id}:{secret}".encode()
            return data, {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        form = {**data, "client_id": client_id}
        if secret:
            form["client_secret"] = secret
        return form, {}

    def _token_url(self) -> str:
        return self.token_path

    def _token_call(
        self, data: dict[str, str], *, refreshing: bool = False, url: str | None = None
    ) -> Any:
        """POST to the token (or revoke) endpoint with the app's credentials."""
        form, headers = self._with_client(data)
        try:
            response = self._request("POST", url or self._token_url(), data=form, headers=headers)
        except AuthError as exc:
            # 401 from the token endpoint is about Herald's app credentials, not the user.
            raise PermanentError(
                f"{self.display_name} rejected Herald's app credentials: {exc.message}",
                status=exc.status,
                code=exc.code,
            ) from exc
        except PermanentError as exc:
            if refreshing and exc.status == 400:
                # The refresh token was used, revoked or expired: only a reconnect helps.
                raise AuthError(
                    exc.message, refresh_may_help=False, status=400, code=exc.code
                ) from exc
            raise
        return json_or_none(response)

    def _token_extra(self, body: dict[str, Any], extra: dict[str, Any], now: datetime) -> None:
        """Record what else the token response says (token type, refresh token expiry...)."""

    def _token_set(self, body: Any, previous: TokenSet | None = None) -> TokenSet:
        if not isinstance(body, dict) or not body.get("access_token"):
            owner = self.app_owner or self.display_name
            raise TransientError(f"{owner} answered the token request without a token", sent=True)
        now = datetime.now(UTC)
        try:
            ttl = float(body.get("expires_in", self.token_ttl_s))
        except (TypeError, ValueError):
            ttl = self.token_ttl_s
        extra = dict(previous.extra) if previous else {}
        self._token_extra(body, extra, now)
        scope = str(body.get("scope") or "")
        if self.comma_scopes:
            scope = " ".join(scope.replace(",", " ").split())
        if not scope:
            fallback = self.scopes if self.assume_requested_scope else ""
            scope = previous.scope if previous else fallback
        return TokenSet(
            access_token=str(body["access_token"]),
            # Keep the old refresh token only if the platform did not send a new one.
            refresh_token=body.get("refresh_token")
            or (previous.refresh_token if previous else None),
            expires_at=now + timedelta(seconds=ttl),
            scope=scope,
            extra=extra,
        )

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier and self.sends_code_verifier:
            data["code_verifier"] = code_verifier
        return self._token_set(self._token_call(data, refreshing=False))

    def refresh(self, token: TokenSet) -> TokenSet:
        if not token.refresh_token:
            raise AuthError(self.no_refresh_token, refresh_may_help=False)
        data = {"grant_type": "refresh_token", "refresh_token": token.refresh_token}
        return self._token_set(self._token_call(data, refreshing=True), token)
