"""Library media for tests: files stored the way confirmed uploads are, and small distinct PNGs
for thread tests."""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib

from app import db, storage
from app.models import Media


def png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 1×1 PNG of one colour (each colour gives different bytes, so a different
    checksum on the platform)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgb)))
        + chunk(b"IEND", b"")
    )


def stored_media(
    wid: uuid.UUID | str, data: bytes, name: str, file_type: str = "image/png", **fields: object
) -> Media:
    """`data` in the workspace's media library, stored as a confirmed upload would be; `fields`
    are the rest of its row (width, height, duration)."""
    key = f"{wid}/{uuid.uuid4().hex}-{name}"
    path = storage.local_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with db.session() as s:
        media = Media(
            workspace_id=uuid.UUID(str(wid)), storage_key=key, filename=name, file_type=file_type,
            file_size=len(data), checksum=hashlib.sha256(data).hexdigest(), **fields,
        )  # fmt: skip
        s.add(media)
        s.commit()
        s.refresh(media)
        s.expunge(media)
    return media


def library_image(wid: uuid.UUID, rgb: tuple[int, int, int], name: str = "dot.png") -> Media:
    """A 1×1 PNG of one colour in the workspace's media library."""
    return stored_media(wid, png(rgb), name, width=1, height=1)


def sha(media: Media) -> str:
    return media.checksum
