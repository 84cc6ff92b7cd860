"""The REST API: thin FastAPI routers over app.services, mounted into Reflex."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import (
    accounts,
    activity,
    admin,
    ai,
    analytics,
    approvals,
    auth,
    comments,
    drafts,
    health,
    keys,
    media,
    metrics,
    notifications,
    posts,
    sandbox,
    slots,
    webhooks,
    workspaces,
)
from app.api.errors import install_error_handlers


def create_api() -> FastAPI:
    """A fresh app each call: Reflex adds middleware to the instance it is given."""
    api = FastAPI(
        title="Herald API",
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    install_error_handlers(api)
    api.add_middleware(metrics.LatencyMiddleware)
    for module in (
        health,
        auth,
        workspaces,
        posts,
        comments,
        approvals,
        drafts,
        accounts,
        admin,
        keys,
        analytics,
        ai,
        media,
        sandbox,
        slots,
        activity,
        webhooks,
        metrics,
        notifications,
    ):
        api.include_router(module.router)
    return api
