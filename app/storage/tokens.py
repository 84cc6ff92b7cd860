"""Signed, expiring tokens for Herald's own media URLs (local storage uploads and downloads).

A token is `<base64url(json claims)>.<base64url(HMAC-SHA256)>`, keyed by the instance secret and
bound to a purpose, so an upload token cannot be used to download and the other way round.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from app.config import settings


class BadToken(ValueError):
    """The token is malformed, forged, for another purpose, or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, body: str) -> bytes:
    key = hashlib.sha256(b"herald-media-url:" + settings.resolved_secret_key.encode()).digest()
    return hmac.new(key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()


def sign(purpose: str, claims: dict[str, Any], expires_at: float) -> str:
    """A token carrying `claims` for `purpose`, valid until the epoch time `expires_at`."""
    body = _b64(json.dumps({**claims, "exp": int(expires_at)}, separators=(",", ":")).encode())
    return f"{body}.{_b64(_mac(purpose, body))}"


def verify(purpose: str, token: str) -> dict[str, Any]:
    """The claims of a valid token; BadToken otherwise."""
    body, dot, mac = token.partition(".")
    try:
        ok = dot and hmac.compare_digest(_unb64(mac), _mac(purpose, body))
        claims = json.loads(_unb64(body)) if ok else None
    except (ValueError, TypeError) as exc:
        raise BadToken("malformed token") from exc
    if not isinstance(claims, dict):
        raise BadToken("invalid signature")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
        raise BadToken("expired")
    return claims
