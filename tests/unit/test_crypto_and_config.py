"""Encryption helper and settings."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app import crypto
from app.config import Settings


def test_encrypt_round_trip_and_no_plaintext():
    token = "ya29.secret-access-token"
    sealed = crypto.encrypt(token)
    assert token not in sealed
    assert crypto.decrypt(sealed) == token


def test_decrypting_garbage_raises_a_clear_error():
    with pytest.raises(ValueError, match="cannot decrypt"):
        crypto.decrypt("not-a-fernet-token")


def test_key_rotation_keeps_old_values_readable(monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setattr(
        crypto.settings, "encryption_keys", type(crypto.settings.encryption_keys)(old)
    )
    crypto._fernet.cache_clear()
    sealed_old = crypto.encrypt("v1")
    monkeypatch.setattr(
        crypto.settings, "encryption_keys", type(crypto.settings.encryption_keys)(f"{new},{old}")
    )
    crypto._fernet.cache_clear()
    try:
        assert crypto.decrypt(sealed_old) == "v1"
        rotated = crypto.rotate(sealed_old)
        assert Fernet(new.encode()).decrypt(rotated.encode()) == b"v1"
    finally:
        crypto._fernet.cache_clear()


def test_token_hash_is_keyed_and_stable():
    assert crypto.hash_token("abc") == crypto.hash_token("abc")
    assert crypto.hash_token("abc") != crypto.hash_token("abd")
    assert len(crypto.hash_token("abc")) == 64


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = Settings(data_dir=tmp_path).resolved_secret_key
    again = Settings(data_dir=tmp_path).resolved_secret_key
    assert first == again and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path, secret_key="given").resolved_secret_key == "given"


def test_settings_come_from_herald_env(monkeypatch, tmp_path):
    monkeypatch.setenv("HERALD_PORT", "3100")
    monkeypatch.setenv("HERALD_MISSED_GRACE_SECONDS", "60")
    s = Settings(data_dir=tmp_path)
    assert s.port == 3100 and s.missed_grace_seconds == 60
