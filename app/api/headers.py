"""Security headers on every HTTP response of the app (pages, REST API, media links), as an
ASGI wrapper that `rx.App(api_transformer=...)` puts around everything.

The Content-Security-Policy is as strict as the Reflex build allows: scripts only from Herald
itself plus the inline scripts of the prerendered pages, allowed by their hashes (read from the
build once); 'unsafe-eval' because `rx.call_script` evaluates its script; styles inline because
Emotion/Radix inject them at run time. No framing at all.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import ROOT, settings

BUILD = ROOT / ".web" / "build" / "client"
_INLINE = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)

# FastAPI's interactive docs load Swagger UI from its CDN.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'; "
    "object-src 'none'; base-uri 'none'"
)
# Uploaded files: shown in <img>/<video>, never run as a document.
_FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


@lru_cache(maxsize=1)
def inline_script_hashes(build: Path = BUILD) -> tuple[str, ...]:
    """CSP sources of every inline script in the prerendered pages; empty without a build."""
    found: dict[str, None] = {}
    for page in sorted(build.rglob("*.html")) if build.is_dir() else []:
        for body in _INLINE.findall(page.read_bytes()):
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            found[f"'sha256-{digest}'"] = None
    return tuple(found)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _storage_sources() -> list[str]:
    """Where the browser uploads to and reads media from when they live in S3."""
    if settings.storage != "s3":
        return []
    if not settings.s3_endpoint_url:
        return ["https://*.amazonaws.com"]
    parts = urlsplit(settings.s3_endpoint_url)
    return [_origin(settings.s3_endpoint_url), f"{parts.scheme}://*.{parts.netloc}"]


@lru_cache(maxsize=1)
def app_policy() -> str:
    hashes = inline_script_hashes()
    scripts = " ".join(hashes) if hashes else "'unsafe-inline'"  # a dev build: not prerendered
    base = urlsplit(settings.base_url)
    ws = f"{'wss' if base.scheme == 'https' else 'ws'}://{base.netloc}"
    storage = " ".join(_storage_sources())
    sandbox = _origin(settings.sandbox_url) if settings.sandbox_on else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'unsafe-eval' {scripts}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: https: {sandbox}".rstrip(),
            f"media-src 'self' blob: https: {storage}".rstrip(),
            f"connect-src 'self' {ws} {storage}".rstrip(),
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    if path.startswith("/api/media/file/"):
        policy = _FILE_CSP
    elif path.startswith("/api/docs"):
        policy = _DOCS_CSP
    else:
        policy = app_policy()
    out = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if settings.base_url.startswith("https://"):
        out.append((b"strict-transport-security", b"max-age=31536000"))
    return out


# Built JS/CSS: file names carry a content hash, so a browser may keep them for good and skip
# revalidating dozens of files on every load. Not the backend-URL chunk: app/frontend.py
# rewrites it in place (same name) when the configured URL changes.
_IMMUTABLE = (b"cache-control", b"public, max-age=31536000, immutable")


def caches_forever(path: str) -> bool:
    return path.startswith("/assets/") and not path.startswith("/assets/reflex-env-")


def security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap the whole ASGI app: every HTTP response gets the headers (ones a route set win)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = headers_for(path)
        forever = caches_forever(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                more = [_IMMUTABLE] if forever and message.get("status") == 200 else []
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in [*extra, *more] if k not in present),
                ]
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
