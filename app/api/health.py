"""/api/health: 200 when database, Redis, a worker and the scheduler are all alive, else 503."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.services import health

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
def get_health() -> Any:
    report = health.status()
    return JSONResponse(report, status_code=200 if report["ok"] else 503)
