"""What a media file really is, from its bytes (no libmagic), and what it measures.

`sniff(first_bytes)` names the type from magic numbers: JPEG, PNG, GIF, WebP, MP4/MOV (ISO
BMFF `ftyp`), WebM (EBML). `probe(mime, reader)` reads image dimensions and video duration
(MP4 `mvhd`/`tkhd`, WebM `Info`/`Tracks`) from a `Reader`, which reads a stream sequentially,
hashes every byte it pulls and never holds more than one chunk: skipping a video's `mdat` is
reading past it, and `drain()` finishes the checksum in the same single pass.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1024 * 1024
SNIFF_BYTES = 64

EXTENSIONS: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "jfif": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "qt": "video/quicktime",
    "webm": "video/webm",
}
LABELS = {
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "video/mp4": "MP4 video",
    "video/quicktime": "QuickTime (MOV) video",
    "video/webm": "WebM video",
    "video/x-matroska": "Matroska video",
}
# MP4 and MOV are the same container (ISO BMFF); phones name either one either way.
_FAMILY = {"video/quicktime": "video/mp4"}


class CorruptMedia(ValueError):
    """The bytes start like a known type but its headers cannot be read."""


class TooLarge(ValueError):
    """The stream delivered more bytes than allowed."""


def type_of_name(filename: str) -> str | None:
    """The MIME type a file name's extension claims (None: no or unknown extension)."""
    stem, dot, ext = filename.rpartition(".")
    return EXTENSIONS.get(ext.lower()) if dot and stem else None


def same_type(a: str, b: str) -> bool:
    return _FAMILY.get(a, a) == _FAMILY.get(b, b)


def sniff(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (≥ 32 wanted), or None if unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand[:3] in (b"hei", b"mif", b"avi", b"msf"):  # HEIC/AVIF images: not supported
            return None
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head:
            return "video/webm"
        if b"matroska" in head:
            return "video/x-matroska"
    return None


class Reader:
    """Sequential reads from a binary stream with sha256 and a byte limit."""

    def __init__(self, raw: BinaryIO, limit: int) -> None:
        self._raw = raw
        self._buf = bytearray()
        self._limit = limit
        self._sha = hashlib.sha256()
        self.pulled = 0  # bytes read from the stream
        self.position = 0  # bytes handed out (or skipped)

    def _pull(self, want: int) -> bytes:
        chunk = self._raw.read(max(want, 64 * 1024) if want < CHUNK else CHUNK)
        if chunk:
            self.pulled += len(chunk)
            if self.pulled > self._limit:
                raise TooLarge(f"more than {self._limit} bytes")
            self._sha.update(chunk)
        return chunk

    def peek(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = self._pull(n - len(self._buf))
            if not chunk:
                break
            self._buf += chunk
        return bytes(self._buf[:n])

    def read(self, n: int) -> bytes:
        data = self.peek(n)
        del self._buf[: len(data)]
        self.position += len(data)
        return data

    def exact(self, n: int) -> bytes:
        """Exactly n bytes of a header (headers are small: a huge one is a broken file)."""
        if n > 4 * CHUNK:
            raise CorruptMedia("a header claims to be larger than 4 MB")
        data = self.read(n)
        if len(data) != n:
            raise CorruptMedia("the file ends early")
        return data

    def skip(self, n: int) -> None:
        """Move forward n bytes (reading and hashing them, in chunks)."""
        if n < 0:
            raise CorruptMedia("negative size")
        take = min(n, len(self._buf))
        del self._buf[:take]
        self.position += take
        n -= take
        while n > 0:
            chunk = self._pull(min(n, CHUNK))
            if not chunk:
                raise CorruptMedia("the file ends early")
            if len(chunk) > n:  # read past the target: keep the rest
                self._buf += chunk[n:]
                chunk = chunk[:n]
            n -= len(chunk)
            self.position += len(chunk)

    def at_end(self) -> bool:
        return not self.peek(1)

    def drain(self) -> tuple[int, str]:
        """Read the rest; (total size, sha256 hex) of the whole stream."""
        self._buf.clear()
        while self._pull(CHUNK):
            pass
        self.position = self.pulled
        return self.pulled, self._sha.hexdigest()


@dataclass(frozen=True)
class Probe:
    width: int | None = None
    height: int | None = None
    duration: float | None = None


def probe(mime: str, r: Reader) -> Probe:
    """Dimensions (images, videos when found) and duration (videos) from the headers."""
    try:
        if mime == "image/png":
            return _png(r)
        if mime == "image/gif":
            head = r.exact(10)
            return Probe(*struct.unpack("<HH", head[6:10]))
        if mime == "image/jpeg":
            return _jpeg(r)
        if mime == "image/webp":
            return _webp(r)
        if mime in ("video/mp4", "video/quicktime"):
            return _mp4(r)
        if mime in ("video/webm", "video/x-matroska"):
            return _webm(r)
    except (struct.error, IndexError) as exc:
        raise CorruptMedia(str(exc)) from exc
    return Probe()


def _png(r: Reader) -> Probe:
    head = r.exact(24)
    if head[12:16] != b"IHDR":
        raise CorruptMedia("PNG without an IHDR header")
    return Probe(*struct.unpack(">II", head[16:24]))


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(r: Reader) -> Probe:
    r.exact(2)  # SOI
    while True:
        byte = r.exact(1)
        if byte != b"\xff":
            raise CorruptMedia("JPEG segment without a marker")
        marker = r.exact(1)[0]
        while marker == 0xFF:  # fill bytes
            marker = r.exact(1)[0]
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            continue
        if marker in (0xD9, 0xDA):
            raise CorruptMedia("JPEG without a frame header")
        (length,) = struct.unpack(">H", r.exact(2))
        if length < 2:
            raise CorruptMedia("bad JPEG segment length")
        if marker in _SOF:
            body = r.exact(5)
            height, width = struct.unpack(">HH", body[1:5])
            return Probe(width, height)
        r.skip(length - 2)


def _webp(r: Reader) -> Probe:
    head = r.exact(30)
    kind = head[12:16]
    if kind == b"VP8 ":
        if head[23:26] != b"\x9d\x01\x2a":
            raise CorruptMedia("WebP (VP8) without a frame start code")
        w, h = struct.unpack("<HH", head[26:30])
        return Probe(w & 0x3FFF, h & 0x3FFF)
    if kind == b"VP8L":
        if head[20] != 0x2F:
            raise CorruptMedia("WebP (lossless) without its signature")
        (bits,) = struct.unpack("<I", head[21:25])
        return Probe((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if kind == b"VP8X":
        w = int.from_bytes(head[24:27], "little") + 1
        h = int.from_bytes(head[27:30], "little") + 1
        return Probe(w, h)
    raise CorruptMedia("unknown WebP chunk")


# ---------------------------------------------------------------------------- ISO BMFF


def _box(r: Reader, end: int | None) -> tuple[bytes, int] | None:
    """The next box header: (type, payload size); None at the end."""
    if end is not None and r.position >= end:
        return None
    if end is None and r.at_end():
        return None
    head = r.exact(8)
    size, kind = struct.unpack(">I4s", head)
    header = 8
    if size == 1:
        (size,) = struct.unpack(">Q", r.exact(8))
        header = 16
    elif size == 0:  # to the end of the parent (or of the file: -1)
        return kind, (end - r.position) if end is not None else -1
    if size < header:
        raise CorruptMedia("bad MP4 box size")
    return kind, size - header


def _mp4(r: Reader) -> Probe:
    width = height = None
    duration: float | None = None
    found_moov = False
    while (box := _box(r, None)) is not None:
        kind, size = box
        if kind != b"moov":
            if size < 0:
                break
            r.skip(size)
            continue
        found_moov = True
        end = r.position + size if size >= 0 else None
        while (child := _box(r, end)) is not None:
            ckind, csize = child
            if ckind == b"mvhd":
                body = r.exact(csize)
                duration = _mvhd(body)
            elif ckind == b"trak":
                tend = r.position + csize
                while (sub := _box(r, tend)) is not None:
                    skind, ssize = sub
                    if skind == b"tkhd" and width is None:
                        w, h = _tkhd(r.exact(ssize))
                        if w and h:
                            width, height = w, h
                    else:
                        r.skip(ssize)
            else:
                r.skip(csize)
        break
    if not found_moov:
        raise CorruptMedia("MP4 without a movie header (moov)")
    return Probe(width, height, duration)


def _mvhd(body: bytes) -> float:
    if body[0] == 1:
        timescale, units = struct.unpack(">IQ", body[20:32])
    else:
        timescale, units = struct.unpack(">II", body[12:20])
    if not timescale:
        raise CorruptMedia("MP4 movie header with a zero timescale")
    return round(units / timescale, 3)


def _tkhd(body: bytes) -> tuple[int, int]:
    offset = 4 + (32 if body[0] == 1 else 20) + 52  # times, ids, reserved, layer... matrix
    w, h = struct.unpack(">II", body[offset : offset + 8])
    return w >> 16, h >> 16


# ---------------------------------------------------------------------------- WebM (EBML)

_SEGMENT, _INFO, _TRACKS, _CLUSTER = 0x18538067, 0x1549A966, 0x1654AE6B, 0x1F43B675
_TRACK_ENTRY, _VIDEO, _PIXEL_W, _PIXEL_H = 0xAE, 0xE0, 0xB0, 0xBA
_TIMECODE_SCALE, _DURATION = 0x2AD7B1, 0x4489


def _vint(r: Reader, keep_marker: bool) -> tuple[int, bool]:
    """An EBML variable-size integer; (value, all ones = unknown size)."""
    first = r.exact(1)[0]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise CorruptMedia("bad EBML number")
    value = first if keep_marker else first & (0xFF >> length)
    for b in r.exact(length - 1):
        value = (value << 8) | b
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, unknown


def _element(r: Reader, end: int | None) -> tuple[int, int | None] | None:
    if (end is not None and r.position >= end) or r.at_end():
        return None
    eid, _ = _vint(r, keep_marker=True)
    size, unknown = _vint(r, keep_marker=False)
    return eid, None if unknown else size


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _webm(r: Reader) -> Probe:
    header = _element(r, None)
    if header is None or header[0] != 0x1A45DFA3 or header[1] is None:
        raise CorruptMedia("WebM without an EBML header")
    r.skip(header[1])
    segment = _element(r, None)
    if segment is None or segment[0] != _SEGMENT:
        raise CorruptMedia("WebM without a segment")
    end = r.position + segment[1] if segment[1] is not None else None
    scale, duration, width, height = 1_000_000, None, None, None
    while (el := _element(r, end)) is not None:
        eid, size = el
        if eid == _CLUSTER or size is None:
            break  # media data starts: the headers we want come before it
        if eid == _INFO:
            iend = r.position + size
            while (sub := _element(r, iend)) is not None and sub[1] is not None:
                data = r.exact(sub[1])
                if sub[0] == _TIMECODE_SCALE:
                    scale = _uint(data)
                elif sub[0] == _DURATION and len(data) in (4, 8):
                    duration = struct.unpack(">f" if len(data) == 4 else ">d", data)[0]
        elif eid == _TRACKS:
            tend = r.position + size
            while (entry := _element(r, tend)) is not None and entry[1] is not None:
                if entry[0] != _TRACK_ENTRY or width is not None:
                    r.skip(entry[1])
                    continue
                eend = r.position + entry[1]
                while (sub := _element(r, eend)) is not None and sub[1] is not None:
                    if sub[0] != _VIDEO:
                        r.skip(sub[1])
                        continue
                    vend = r.position + sub[1]
                    while (v := _element(r, vend)) is not None and v[1] is not None:
                        data = r.exact(v[1])
                        if v[0] == _PIXEL_W:
                            width = _uint(data)
                        elif v[0] == _PIXEL_H:
                            height = _uint(data)
        else:
            r.skip(size)
        if duration is not None and width is not None:
            break
    seconds = round(duration * scale / 1e9, 3) if duration is not None else None
    return Probe(width, height, seconds)
