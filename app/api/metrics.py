"""/metrics for Prometheus (Bearer HERALD_METRICS_TOKEN; 404 without one) and the middleware
that times every HTTP request by route template."""

from __future__ import annotations

import hmac
import time

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import settings
from app.observability import metrics

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def get_metrics(authorization: str = Header("")) -> Response:
    token = settings.metrics_token.get_secret_value()
    if not token:
        raise HTTPException(404, "Metrics are off: set HERALD_METRICS_TOKEN.")
    if not hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        raise HTTPException(401, "Send Authorization: Bearer <HERALD_METRICS_TOKEN>.")
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


class LatencyMiddleware:
    """Observe each HTTP request's duration under its route template (`/api/posts/{post_id}`);
    pages and static files of the frontend count as `frontend`, so labels stay few."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            label = route.path if isinstance(route, APIRoute) else "frontend"
            metrics.observe_http(label, scope["method"], status, time.perf_counter() - started)
