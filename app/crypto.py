"""Encryption of secrets at rest (platform tokens, app secrets) and token hashing.

Fernet keys come from HERALD_ENCRYPTION_KEYS (comma separated, newest first: MultiFernet
decrypts with any and encrypts with the first, which is how keys are rotated). Without
them a key is derived from the instance secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.config import settings


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"herald-fernet:" + settings.resolved_secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    raw = settings.encryption_keys.get_secret_value()
    keys = [k.strip().encode() for k in raw.split(",") if k.strip()] or [_derived_key()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: unknown key or corrupted value") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt a value with the newest key."""
    return _fernet().rotate(ciphertext.encode()).decode()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Keyed hash for opaque tokens (sessions, invites, API keys): stored, never the token."""
    key = settings.resolved_secret_key.encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
