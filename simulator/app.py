"""The simulator as one ASGI app: each platform under /<platform id>, controls under /_sim.

Controls (JSON):
  GET  /_sim/knobs                      everything: effective knobs, settings, faults per platform
  POST /_sim/knobs   {"platform", "account"?, latency_ms?, jitter_ms?, media_processing_ms?,
                      quotas?: {family: {limit, window_s}}, instance?: {...}, faults?: [{...}]}
  POST /_sim/faults  {"platform", "account"?, "kind", count?, probability?, method?, path?,
                      after_accept?, reset_in_s?, reset_at?, hang_s?, message?}
  DELETE /_sim/faults[?platform=]
  GET  /_sim/posts[?platform=&account=] {"count", "posts": [...]}
  POST /_sim/reset
  GET  /_sim/feed                       HTML list of accepted posts
  GET  /_sim/sandbox                    per platform: the sandbox app (or login) Herald uses
  GET  /_sim/state                      {"state_id", "created_at", "persistent", "restored",
                                         "reset_reason"}: a new state_id means all is forgotten
  /_sim/<platform>/...                  platform extras (e.g. mint tokens, set counters)

With a secret (`create_app(sim, secret=...)`; `python -m simulator` takes HERALD_SANDBOX_SECRET),
every control and inspection endpoint above except /_sim/health needs the header
`X-Sim-Secret: <secret>`: Herald holds it, browsers and other users never see it.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from simulator.state import SimError, Simulator


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SimError("body must be JSON") from exc
    if not isinstance(data, dict):
        raise SimError("body must be a JSON object")
    return data


SECRET_HEADER = "x-sim-secret"
_OPEN = ("/_sim/health",)


def _require_secret(app: ASGIApp, secret: str) -> ASGIApp:
    """Refuse /_sim/* (controls, post log, feed, sandbox apps) without the secret header."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/_sim/") and path not in _OPEN:
            given = Request(scope).headers.get(SECRET_HEADER, "")
            if not secrets.compare_digest(given.encode(), secret.encode()):
                response = JSONResponse({"error": f"{SECRET_HEADER} required"}, 401)
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


def create_app(sim: Simulator | None = None, secret: str | None = None) -> ASGIApp:
    """The simulator's ASGI app; with `secret`, /_sim/* needs the X-Sim-Secret header."""
    sim = sim or Simulator()

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "simulator": "herald",
                "platforms": {p: f"/{p}" for p in sim.platforms},
                "controls": [
                    f"/_sim/{name}"
                    for name in ("knobs", "faults", "posts", "reset", "feed", "sandbox", "state")
                ],
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def knobs(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(sim.knobs_snapshot())
        body = await _body(request)
        platform = body.pop("platform", None)
        if not platform:
            raise SimError("'platform' is required")
        account = body.pop("account", None)
        return JSONResponse(sim.set_knobs(platform, account, **body))

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            sim.clear_faults(request.query_params.get("platform"))
            return JSONResponse({})
        if request.method == "GET":
            snap = sim.knobs_snapshot()
            return JSONResponse({p: v["faults"] for p, v in snap.items()})
        body = await _body(request)
        platform, kind = body.pop("platform", None), body.pop("kind", None)
        if not platform or not kind:
            raise SimError("'platform' and 'kind' are required")
        account = body.pop("account", None)
        return JSONResponse(sim.inject(platform, kind, account=account, **body).to_dict())

    async def posts(request: Request) -> Response:
        q = request.query_params
        rows = sim.posts(q.get("platform"), q.get("account"))
        return JSONResponse({"count": len(rows), "posts": rows})

    async def sandbox(request: Request) -> Response:
        return JSONResponse({p.id: p.sandbox() for p in sim.platforms.values()})

    async def state(request: Request) -> Response:
        return JSONResponse(sim.state())

    async def reset(request: Request) -> Response:
        sim.reset()
        return JSONResponse({})

    async def feed(request: Request) -> Response:
        rows = sim.posts()[::-1][:500]
        items = "".join(
            "<article><header><b>{platform}</b> · @{account} · <time>{at}</time>{replays}</header>"
            "<p>{text}</p><footer>{media} · id {pid} · key {key}</footer></article>".format(
                platform=html.escape(p["platform"]),
                account=html.escape(p["account"]),
                at=html.escape(p["received_at"]),
                replays=f" · {p['replays']} idempotent replay(s)" if p["replays"] else "",
                text=html.escape(p["text"]) or "<i>(no text)</i>",
                media=f"{len(p['media'])} attachment(s)",
                pid=html.escape(p["post_id"]),
                key=html.escape(p["idempotency_key"] or "—"),
            )
            for p in rows
        )
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' "
            "content='5'><title>Simulator feed</title><style>body{font:15px system-ui;"
            "max-width:46rem;margin:2rem auto;color:#222}article{border:1px solid #ddd;"
            "border-radius:8px;padding:.6rem .9rem;margin:.6rem 0}header,footer{color:#666;"
            "font-size:13px}p{white-space:pre-wrap;margin:.4rem 0}</style></head><body>"
            f"<h1>Accepted posts ({len(sim.posts())})</h1>"
            f"{items or '<p>Nothing posted yet.</p>'}</body></html>"
        )
        return HTMLResponse(page)

    async def sim_error(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, 400)

    routes: list[Any] = [
        Route("/", index),
        Route("/_sim/health", health),
        Route("/_sim/knobs", knobs, methods=["GET", "POST"]),
        Route("/_sim/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sim/posts", posts),
        Route("/_sim/reset", reset, methods=["POST"]),
        Route("/_sim/sandbox", sandbox),
        Route("/_sim/state", state),
        Route("/_sim/feed", feed),
    ]
    for platform in sim.platforms.values():
        routes.append(Mount(f"/_sim/{platform.id}", routes=platform.sim_routes()))
        routes.append(Mount(f"/{platform.id}", routes=platform.routes()))
    app = Starlette(routes=routes, exception_handlers={SimError: sim_error})
    app.state.sim = sim
    return _require_secret(app, secret) if secret else app
