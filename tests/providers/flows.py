"""What several provider tests walk through over real HTTP: the OAuth round trip (the simulated
user consents at once), a refresh that rotates the tokens and a pending publish that finalize
completes."""

from __future__ import annotations

import time
from typing import Any

import httpx

from app.providers.accounts import TokenSet
from app.providers.base import Provider, make_code_verifier
from app.providers.results import PublishResult


def authorize_as(url: str, username: str, who: str = "sim_account") -> httpx.URL:
    """Open an authorize URL as the simulated `username` (consent is automatic; `who` is the
    simulator's query parameter naming the user): where the network sends the browser back to
    Herald, with the code and the state."""
    redirect = httpx.get(url + f"&{who}={username}")
    assert redirect.status_code == 302, redirect.text
    return httpx.URL(redirect.headers["location"])


def pkce_round_trip(provider: Provider, redirect_uri: str, username: str = "alice") -> TokenSet:
    """The real OAuth round trip with PKCE: authorize (auto-approved) → redirect → code exchange."""
    verifier = make_code_verifier()
    url = provider.authorize_url(state="s-123", redirect_uri=redirect_uri, code_verifier=verifier)
    params = authorize_as(url, username).params
    assert params["state"] == "s-123"
    return provider.exchange_code(
        code=params["code"], redirect_uri=redirect_uri, code_verifier=verifier
    )


def refresh_rotating(provider: Provider, token: TokenSet) -> TokenSet:
    """A refresh of `token` that replaces both its access token and its refresh token."""
    fresh = provider.refresh(token)
    assert fresh.access_token != token.access_token
    assert fresh.refresh_token and fresh.refresh_token != token.refresh_token
    return fresh


def finalize_once_processed(
    provider: Provider, token: TokenSet, pending: dict[str, Any], processing_s: float
) -> PublishResult:
    """A publish left pending while the network processes its media: still processing (finalize
    keeps it pending), ready after `processing_s`, then finalize publishes it. Returns that."""
    assert provider.check_status(token, pending).state == "processing"
    assert provider.finalize(token, pending).state == "pending"
    time.sleep(processing_s)
    assert provider.check_status(token, pending).state == "ready"
    done = provider.finalize(token, pending)
    assert done.state == "published"
    return done
