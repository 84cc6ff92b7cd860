"""Small, structurally real media files built in Python (no image libraries needed)."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 4, height: int = 3, exif: int = 0) -> bytes:
    """SOI, JFIF APP0, APP1 segments holding `exif` bytes, DQT, SOF0, SOS ... EOI."""

    def seg(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    app1 = b"".join(
        seg(0xE1, b"Exif\x00\x00" + b"\x00" * min(60_000, exif - done))
        for done in range(0, exif, 60_000)
    )
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return (
        b"\xff\xd8"
        + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + app1
        + seg(0xDB, b"\x00" + bytes(range(1, 65)))
        + seg(0xC0, sof)
        + seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x12\x34\x56"
        + b"\xff\xd9"
    )


def gif(width: int = 5, height: int = 7) -> bytes:
    return (
        b"GIF89a"
        + struct.pack("<HH", width, height)
        + b"\x80\x00\x00\xff\xff\xff\x00\x00\x00"
        + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp_lossless(width: int = 9, height: int = 4) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(
    seconds: float = 2.5,
    width: int = 640,
    height: int = 360,
    mdat: int = 1000,
    brand: bytes = b"isom",
    moov_first: bool = False,
    version: int = 0,
) -> bytes:
    """ftyp, mdat of `mdat` bytes and moov (mvhd + one video trak), moov last unless asked."""
    timescale = 1000
    units = round(seconds * timescale)
    if version == 1:
        mvhd = b"\x01\x00\x00\x00" + struct.pack(">QQIQ", 0, 0, timescale, units)
        tkhd = b"\x01\x00\x00\x07" + struct.pack(">QQIIQ", 0, 0, 1, 0, units)
    else:
        mvhd = b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, timescale, units)
        tkhd = b"\x00\x00\x00\x07" + struct.pack(">IIIII", 0, 0, 1, 0, units)
    mvhd += b"\x00" * 80
    tkhd += b"\x00" * 52 + struct.pack(">II", width << 16, height << 16)
    audio = _box(b"trak", _box(b"tkhd", tkhd[:-8] + b"\x00" * 8))  # no size: an audio track
    video = _box(b"trak", _box(b"tkhd", tkhd) + _box(b"mdia", b"\x00" * 32))
    moov = _box(b"moov", _box(b"mvhd", mvhd) + audio + video)
    ftyp = _box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41")
    data = _box(b"mdat", bytes(i % 251 for i in range(mdat)))
    return ftyp + (moov + data if moov_first else data + moov)


def _ebml_id(eid: int) -> bytes:
    return eid.to_bytes((eid.bit_length() + 7) // 8, "big")


def _el(eid: int, payload: bytes) -> bytes:
    size = len(payload) | (1 << 56)  # 8-byte size
    return _ebml_id(eid) + size.to_bytes(8, "big") + payload


def webm(seconds: float = 4.0, width: int = 320, height: int = 240) -> bytes:
    header = _el(0x1A45DFA3, _el(0x4282, b"webm") + _el(0x4287, b"\x04"))
    info = _el(0x1549A966, _el(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
               + _el(0x4489, struct.pack(">d", seconds * 1000)))  # fmt: skip
    video = _el(0xE0, _el(0xB0, width.to_bytes(2, "big")) + _el(0xBA, height.to_bytes(2, "big")))
    tracks = _el(0x1654AE6B, _el(0xAE, _el(0xD7, b"\x01") + video))
    cluster = _el(0x1F43B675, b"\x00" * 64)
    return header + _el(0x18538067, info + tracks + cluster)
