"""Media storage: local files under `<data_dir>/media` (default) or an S3-compatible bucket.

`get_storage()` returns the configured backend (see app.storage.base.Storage). The worker opens
media as streams (`open_media`), so a video is never loaded whole into memory, and hands
platforms that pull media by URL a presigned GET (`url_for`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import BinaryIO

from app.config import settings
from app.storage.base import ObjectInfo, PresignedUpload, Storage
from app.storage.local import LocalStorage

__all__ = [
    "ObjectInfo",
    "PresignedUpload",
    "Storage",
    "get_storage",
    "local_path",
    "open_media",
    "url_for",
]

_lock = threading.Lock()
_s3: dict[tuple, Storage] = {}


def get_storage() -> Storage:
    """The backend the settings name (`HERALD_STORAGE`); S3 clients are built once per config."""
    if settings.storage != "s3":
        return LocalStorage(settings.data_dir / "media", settings.base_url)
    config = (
        settings.s3_bucket,
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key.get_secret_value(),
        settings.s3_path_style,
    )
    with _lock:
        if config not in _s3:
            from app.storage.s3 import S3Storage

            bucket, endpoint, region, key_id, secret, path_style = config
            _s3[config] = S3Storage(
                bucket,
                endpoint_url=endpoint,
                region=region,
                access_key_id=key_id,
                secret_access_key=secret,
                path_style=path_style,
            )
        return _s3[config]


def local_path(storage_key: str) -> Path:
    """Where a key lives with local storage (meaningless with S3)."""
    root = (settings.data_dir / "media").resolve()
    path = (root / storage_key).resolve()
    if root not in path.parents:
        raise ValueError(f"storage key escapes the media folder: {storage_key!r}")
    return path


def open_media(storage_key: str) -> BinaryIO:
    """A fresh stream of a stored file's bytes (a file, or S3's streaming body)."""
    return get_storage().open(storage_key)


def url_for(storage_key: str, expires: int | None = None, content_type: str | None = None) -> str:
    """A presigned GET URL of a stored file, valid `expires` seconds (default
    HERALD_MEDIA_URL_SECONDS): S3's own, or a signed `/api/media/file/...` URL on Herald."""
    return get_storage().url_for(storage_key, expires or settings.media_url_seconds, content_type)
