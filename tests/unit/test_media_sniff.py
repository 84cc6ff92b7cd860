"""Sniffing the real type of media from bytes, and reading dimensions and duration."""

from __future__ import annotations

import hashlib
import io

import pytest

from app.storage.sniff import CorruptMedia, Reader, TooLarge, probe, same_type, sniff, type_of_name
from tests.support import media_files as f


@pytest.mark.parametrize(
    ("data", "mime", "dims"),
    [
        (f.png(3, 2), "image/png", (3, 2, None)),
        (f.jpeg(4, 3), "image/jpeg", (4, 3, None)),
        (f.jpeg(640, 480, exif=70_000), "image/jpeg", (640, 480, None)),
        (f.gif(5, 7), "image/gif", (5, 7, None)),
        (f.webp_lossless(9, 4), "image/webp", (9, 4, None)),
        (f.mp4(2.5, 640, 360), "video/mp4", (640, 360, 2.5)),
        (f.mp4(90.0, 1920, 1080, moov_first=True, version=1), "video/mp4", (1920, 1080, 90.0)),
        (f.mp4(1.0, 1280, 720, brand=b"qt  "), "video/quicktime", (1280, 720, 1.0)),
        (f.webm(4.0, 320, 240), "video/webm", (320, 240, 4.0)),
    ],
)
def test_sniff_and_probe(data: bytes, mime: str, dims: tuple) -> None:
    assert sniff(data[:64]) == mime
    reader = Reader(io.BytesIO(data), limit=len(data))
    found = probe(mime, reader)
    assert (found.width, found.height, found.duration) == dims
    size, checksum = reader.drain()
    assert (size, checksum) == (len(data), hashlib.sha256(data).hexdigest())


def test_unknown_bytes_and_names() -> None:
    assert sniff(b"hello, I am text pretending to be a picture") is None
    assert sniff(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20) is None  # HEIC: not supported
    assert sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert type_of_name("Photo.JPG") == "image/jpeg" and type_of_name("clip.mov") == (
        "video/quicktime"
    )
    assert type_of_name("README") is None and type_of_name(".png") is None
    assert same_type("video/quicktime", "video/mp4") and not same_type("image/png", "image/jpeg")


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (f.png()[:20], "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 4, "image/jpeg"),
        (f.mp4()[:40], "video/mp4"),  # ftyp, then a truncated mdat and no moov
        (f.webp_lossless()[:16] + b"\x00" * 20, "image/webp"),
    ],
)
def test_damaged_headers_are_refused(data: bytes, mime: str) -> None:
    with pytest.raises(CorruptMedia):
        probe(mime, Reader(io.BytesIO(data), limit=10_000))


def test_a_box_claiming_gigabytes_is_not_buffered() -> None:
    bogus = f.mp4()[:24] + b"\x40\x00\x00\x00moov" + b"\x40\x00\x00\x00mvhd" + b"\x00" * 100
    with pytest.raises(CorruptMedia, match="larger than 4 MB"):
        probe("video/mp4", Reader(io.BytesIO(bogus), limit=10**10))


def test_reader_stops_at_its_limit_and_skips_in_chunks() -> None:
    data = f.mp4(mdat=5 * 1024 * 1024)
    with pytest.raises(TooLarge):
        Reader(io.BytesIO(data), limit=1024 * 1024).drain()

    class Counting(io.BytesIO):
        biggest = 0

        def read(self, n: int | None = -1) -> bytes:
            out = super().read(n)
            Counting.biggest = max(Counting.biggest, len(out))
            return out

    reader = Reader(Counting(data), limit=len(data))
    assert probe("video/mp4", reader).duration == 2.5  # moov after 5 MB of mdat
    assert Counting.biggest <= 1024 * 1024
