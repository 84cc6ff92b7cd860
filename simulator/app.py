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
  GET  /_sim/avatar/<platform>/<account>[?name=]  the account's avatar (SVG initials)
  GET  /_sim/page/<platform>/<post id>  HTML: the post as its network shows it (author, text,
                                        media, counters): a sandbox post's permalink
  /_sim/<platform>/...                  platform extras (e.g. mint tokens, set counters)

With `Simulator(organic=True)` (sandbox mode), published posts gather engagement over time
(simulator.organic).

With a secret (`create_app(sim, secret=...)`; `python -m simulator` takes HERALD_SANDBOX_SECRET),
every control and inspection endpoint above except /_sim/health needs the header
`X-Sim-Secret: <secret>`: Herald holds it, browsers and other users never see it.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from simulator import organic
from simulator.platform import control_json
from simulator.state import SimError, Simulator


def _page_html(
    network: str, entry: dict[str, Any] | None, counts: dict[str, int], name: str = ""
) -> str:
    """A post's page as its network would show it (or 'this post is gone')."""
    style = (
        "body{font:15px system-ui,sans-serif;background:#f5f7f9;color:#0f1419;margin:0}"
        "header.net{background:#fff;border-bottom:1px solid #e6e9ec;padding:.7rem 1rem;"
        "font-weight:700}main{max-width:36rem;margin:1.5rem auto;background:#fff;"
        "border:1px solid #e6e9ec;border-radius:14px;padding:1rem 1.2rem}"
        ".author{display:flex;gap:.7rem;align-items:center}.author svg{width:48px;height:48px}"
        ".handle{color:#536471}.text{white-space:pre-wrap;font-size:17px;margin:.8rem 0}"
        ".media{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.4rem}"
        ".media div{background:#e8edf1;border-radius:10px;padding:2.2rem .5rem;text-align:center;"
        "color:#536471}.counts{display:flex;gap:1.2rem;color:#536471;border-top:1px solid "
        "#e6e9ec;margin-top:.8rem;padding-top:.6rem}.counts b{color:#0f1419}"
        "footer{color:#8b98a5;font-size:13px;margin-top:.6rem}"
    )
    title = html.escape(network)
    if entry is None:
        body = "<p>This post does not exist or was deleted.</p>"
    else:
        account = str(entry["account"])
        media = "".join(
            f"<div class='attachment'>{html.escape(str(m.get('type') or 'media'))}</div>"
            for m in entry.get("media") or []
        )
        shown = (("views", "views"), ("likes", "likes"), ("reposts", "reposts"),
                 ("comments", "comments"))  # fmt: skip
        numbers = "".join(
            f"<span class='count' data-counter='{key}'><b>{counts.get(key, 0)}</b> {label}</span>"
            for key, label in shown
        )
        deleted = " · deleted" if entry.get("deleted") else ""
        body = (
            f"<div class='author'>{organic.avatar_svg(entry['platform'], account, name)}"
            f"<div><b class='name'>{html.escape(name or account)}</b><br>"
            f"<span class='handle'>@{html.escape(account)}</span></div></div>"
            f"<p class='text'>{html.escape(str(entry['text'] or ''))}</p>"
            f"{f'<div class=media>{media}</div>' if media else ''}"
            f"<div class='counts'>{numbers}</div>"
            f"<footer><time>{html.escape(str(entry['received_at']))}</time> · "
            f"sandbox {title}{deleted}</footer>"
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{title} (sandbox)</title><style>{style}</style></head><body>"
        f"<header class='net'>{title} <small>· sandbox</small></header>"
        f"<main class='post'>{body}</main></body></html>"
    )


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
        body = await control_json(request)
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
        body = await control_json(request)
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

    async def avatar(request: Request) -> Response:
        platform = sim[request.path_params["platform"]]
        account = request.path_params["account"].removesuffix(".svg")
        svg = organic.avatar_svg(platform.id, account, request.query_params.get("name", ""))
        return Response(
            svg, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"}
        )

    async def page(request: Request) -> Response:
        platform = sim[request.path_params["platform"]]
        post_id = request.path_params["post_id"]
        found = [p for p in sim.posts(platform.id) if str(p["post_id"]) == post_id]
        if not found:
            return HTMLResponse(_page_html(platform.display_name, None, {}), 404)
        platform.grow(0.0)
        entry = found[-1]
        name = platform.account_display_name(str(entry["account"]))
        counts = platform.organic_counts(entry)
        return HTMLResponse(_page_html(platform.display_name, entry, counts, name))

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
        Route("/_sim/avatar/{platform}/{account}", avatar),
        Route("/_sim/page/{platform}/{post_id:path}", page),
    ]
    for platform in sim.platforms.values():
        routes.append(Mount(f"/_sim/{platform.id}", routes=platform.sim_routes()))
        routes.append(Mount(f"/{platform.id}", routes=platform.routes()))
    app = Starlette(routes=routes, exception_handlers={SimError: sim_error})
    app.state.sim = sim
    return _require_secret(app, secret) if secret else app
