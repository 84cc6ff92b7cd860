"""Media storage. Local files under `<data_dir>/media` by default (S3 arrives with the media
library); the worker opens media as streams so a video is never loaded whole into memory."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from app.config import settings


def local_path(storage_key: str) -> Path:
    root = (settings.data_dir / "media").resolve()
    path = (root / storage_key).resolve()
    if root not in path.parents:
        raise ValueError(f"storage key escapes the media folder: {storage_key!r}")
    return path


def open_media(storage_key: str) -> BinaryIO:
    return local_path(storage_key).open("rb")
