"""A small real HTTP server for security tests: it records every request it gets (to prove an
"internal" address was never reached) and answers a few canned paths."""

from __future__ import annotations

import time
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.support.http_server import BackgroundServer, QuietHandler

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class Probe(BackgroundServer):
    """`with Probe("127.0.0.1") as p:` serves on p.url; p.hits lists the paths requested.

    /secret  200 "internal secret"      /png     a 1x1 PNG
    /big     2 MB, with Content-Length   /chunked 2 MB, chunked (no length)
    /drip    a byte every 0.3 s, 10 s    /error   500 with a long HTML body
    /redirect?to=URL  302 to URL         anything else: the same as /secret
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.hits: list[str] = []
        probe = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, body: bytes, ctype: str = "text/plain", **h: str):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in h.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                probe.hits.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/redirect":
                    to = parse_qs(parts.query)["to"][0]
                    self._send(302, b"", Location=to)
                elif parts.path == "/png":
                    self._send(200, PNG, "image/png")
                elif parts.path == "/big":
                    self._send(200, b"x" * 2_000_000)
                elif parts.path in ("/chunked", "/drip"):
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    drip = parts.path == "/drip"
                    for _ in range(33 if drip else 200):
                        block = b"x" if drip else b"y" * 10_000
                        self.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                        self.wfile.flush()
                        if drip:
                            time.sleep(0.3)
                    self.wfile.write(b"0\r\n\r\n")
                elif parts.path.startswith("/error"):
                    body = (
                        "<html><body><h1>Internal</h1>\n<script>alert(1)</script>\x1b[31m"
                        + "db=10.0.0.5 " * 200
                        + "</body></html>"
                    )
                    self._send(500, body.encode(), "text/html")
                else:
                    self._send(200, b"internal secret")

            do_POST = do_GET  # noqa: N815

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
