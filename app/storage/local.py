"""Local media storage: files under `<data_dir>/media`, uploaded and served by Herald itself.

Uploads and downloads go through signed, expiring URLs on Herald (`/api/media/upload/<token>`,
`/api/media/file/<token>`), so a client uses them exactly like S3's presigned URLs.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from app.storage import tokens
from app.storage.base import (
    ObjectExists,
    ObjectInfo,
    ObjectTooLarge,
    PresignedUpload,
    Storage,
    StorageError,
    check_key,
)

UPLOAD, FILE = "media-upload", "media-file"


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root.resolve()
        self.base_url = base_url.rstrip("/")

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"storage key escapes the media folder: {key!r}")
        return path

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires: int
    ) -> PresignedUpload:
        until = time.time() + expires
        token = tokens.sign(UPLOAD, {"k": check_key(key), "t": content_type, "m": max_bytes}, until)
        return PresignedUpload(
            url=f"{self.base_url}/api/media/upload/{token}",
            method="POST",
            expires_at=dt.datetime.fromtimestamp(int(until), dt.UTC),
            fields={"Content-Type": content_type},
        )

    def head(self, key: str) -> ObjectInfo | None:
        try:
            return ObjectInfo(self.path(key).stat().st_size)
        except FileNotFoundError:
            return None

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def url_for(self, key: str, expires: int, content_type: str | None = None) -> str:
        claims = {"k": key, "t": content_type or ""}
        token = tokens.sign(FILE, claims, time.time() + expires)
        return f"{self.base_url}/api/media/file/{token}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(check_key(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.part")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int) -> int:
        """Store a streamed upload under `key`: at most `max_bytes`, never overwriting.

        The bytes go to a hidden temporary file that only becomes the object when complete,
        so an upload cut off or refused half-way leaves nothing behind.
        """
        path = self.path(key)
        if path.exists():
            raise ObjectExists(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.part")
        total = 0
        try:
            with tmp.open("xb") as fh:
                async for chunk in chunks:
                    total += len(chunk)
                    if total > max_bytes:
                        raise ObjectTooLarge(f"more than {max_bytes} bytes")
                    fh.write(chunk)
            if total == 0:
                raise StorageError("empty upload")
            try:
                os.link(tmp, path)  # atomic, and fails instead of replacing an existing file
            except FileExistsError as exc:
                raise ObjectExists(key) from exc
        finally:
            tmp.unlink(missing_ok=True)
        return total
