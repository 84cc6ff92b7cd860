"""A Sentry ingestion endpoint over HTTP for tests: accepts the SDK's envelopes (gzip, brotli
or plain) at `/api/<project>/envelope/` and keeps the events, for `FakeSentry().dsn`."""

from __future__ import annotations

import gzip
import json
import time
import zlib
from http.server import ThreadingHTTPServer
from typing import Any

from tests.support.http_server import BackgroundServer, QuietHandler


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # the SDK compresses with brotli only when it is installed

        return brotli.decompress(body)
    return body


def parse_envelope(data: bytes) -> list[tuple[dict, Any]]:
    """(item header, payload) pairs of an envelope: a header line, then items."""
    lines = data.split(b"\n", 1)
    rest = lines[1] if len(lines) > 1 else b""
    items = []
    while rest.strip():
        header_line, rest = rest.split(b"\n", 1)
        header = json.loads(header_line)
        length = header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        try:
            items.append((header, json.loads(payload)))
        except ValueError:
            items.append((header, payload))
    return items


class FakeSentry(BackgroundServer):
    def __init__(self) -> None:
        self.events: list[dict] = []
        self.raw: list[bytes] = []
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                data = _decode(body, self.headers.get("Content-Encoding", ""))
                fake.raw.append(data)
                for header, payload in parse_envelope(data):
                    if header.get("type") == "event" and isinstance(payload, dict):
                        fake.events.append(payload)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://publickey@127.0.0.1:{self._server.server_address[1]}/42"

    def wait_for_event(self, predicate, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    return event
            time.sleep(0.1)
        raise AssertionError(f"no matching Sentry event within {timeout} s: {self.events!r}")
