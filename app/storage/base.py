"""The storage contract: what the media library needs from local files or an S3 bucket."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import BinaryIO

# Keys are `<workspace id>/<32 hex>-<safe file name>`; this is the character set we allow.
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class StorageError(Exception):
    """The storage refused or failed an operation."""


class ObjectExists(StorageError):
    """Something is already stored under this key (keys are never overwritten)."""


class ObjectTooLarge(StorageError):
    """An upload went over its size cap; nothing was stored."""


def check_key(key: str) -> str:
    if len(key) > 500 or ".." in key or not _KEY.match(key):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


@dataclass(frozen=True)
class PresignedUpload:
    """How a client uploads one file straight to storage.

    method POST: a multipart form with `fields` first, then the file in a part named `file`.
    method PUT: the raw bytes as the body, with `headers`.
    """

    url: str
    method: str
    expires_at: dt.datetime
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    content_type: str | None = None


class Storage(ABC):
    name: str

    @abstractmethod
    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires: int
    ) -> PresignedUpload:
        """An upload of exactly `key`, at most `max_bytes`, valid for `expires` seconds."""

    @abstractmethod
    def head(self, key: str) -> ObjectInfo | None:
        """Size (and stored content type) of an object; None when there is none."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A stream of the object's bytes, read in chunks (never loaded whole)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object (no error when it is already gone)."""

    @abstractmethod
    def url_for(self, key: str, expires: int, content_type: str | None = None) -> str:
        """A URL anyone holding it can GET the object from, for `expires` seconds."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (replacing it): files Herald makes itself, such as an image
        converted for a network."""
