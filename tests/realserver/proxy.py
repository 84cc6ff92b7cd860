"""A reverse proxy in front of a real server that fails chosen requests the way networks do.

`Proxy(target).fail(path_suffix, how, skip=n)` makes the (n+1)-th request whose path ends with
`path_suffix` fail once: "lost" forwards it (the server acts on it) and closes the connection
without an answer — the client sees a dropped connection after sending, the "did it post?"
case; "502" answers 502 without forwarding. Everything else is forwarded as it is.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

# Hop-by-hop headers and those httpx sets itself (the body is re-sent, decoded, whole).
_SKIP = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}
_SKIP_BACK = _SKIP | {"content-encoding"}


@dataclass
class _Rule:
    suffix: str
    how: str  # "lost" | "502"
    skip: int
    fired: int = 0


class Proxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self._rules: list[_Rule] = []
        self.seen: list[tuple[str, int]] = []  # (path, status) of every answer forwarded
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Proxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def fail(self, suffix: str, how: str, skip: int = 0) -> _Rule:
        rule = _Rule(suffix, how, skip)
        with self._lock:
            self._rules.append(rule)
        return rule

    def _action(self, path: str) -> str | None:
        with self._lock:
            for rule in self._rules:
                if rule.fired == 0 and urlsplit(path).path.endswith(rule.suffix):
                    if rule.skip:
                        rule.skip -= 1
                        continue
                    rule.fired = 1
                    return rule.how
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        proxy: Proxy = self.server.proxy  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        action = proxy._action(self.path)
        if action == "502":
            error = {"error": "UpstreamFailure", "message": "Upstream Failure (test proxy)"}
            self._answer(502, json.dumps(error).encode(), {"Content-Type": "application/json"})
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _SKIP}
        response = proxy._client.request(
            self.command, proxy.target + self.path, headers=headers, content=body
        )
        proxy.seen.append((urlsplit(self.path).path, response.status_code))
        if action == "lost":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        back = {k: v for k, v in response.headers.items() if k.lower() not in _SKIP_BACK}
        self._answer(response.status_code, response.content, back)

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
