"""Library media for thread tests: small distinct PNGs stored the way uploads are."""

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


def library_image(wid: uuid.UUID, rgb: tuple[int, int, int], name: str = "dot.png") -> Media:
    """A PNG in the workspace's media library (stored, as a confirmed upload would be)."""
    data = png(rgb)
    key = f"{wid}/{uuid.uuid4().hex}-{name}"
    path = storage.local_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with db.session() as s:
        media = Media(
            workspace_id=wid, storage_key=key, filename=name, file_type="image/png",
            file_size=len(data), width=1, height=1, checksum=hashlib.sha256(data).hexdigest(),
        )  # fmt: skip
        s.add(media)
        s.commit()
        s.refresh(media)
        s.expunge(media)
    return media


def sha(media: Media) -> str:
    return media.checksum
