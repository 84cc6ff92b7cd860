"""Errors to Sentry (or any Sentry-compatible server, e.g. GlitchTip) when HERALD_SENTRY_DSN is set.

Covers the web app (Reflex event handlers), the REST API (FastAPI/Starlette), RQ jobs and the
scheduler, plus any ERROR log line. Secrets never leave: cookies and credential headers are
dropped, and every value under a sensitive key (tokens, passwords, secrets, cookies, session,
authorization) or that looks like a credential (Bearer tokens, API keys, tokens in URLs) is
replaced by "[Filtered]" anywhere in the event — request, stack locals, breadcrumbs, messages.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from app.config import settings

FILTERED = "[Filtered]"
SENSITIVE_KEY = re.compile(
    r"token|secret|passw|cookie|authori[sz]ation|session|api[_-]?key|dsn|credential|signature",
    re.IGNORECASE,
)
# Credentials inside strings: `name=value` / `"name": "value"` pairs whose name says secret
# (query strings, form and JSON bodies, reprs, cookie headers), Bearer headers, Herald API
# keys, signed media links.
_SECRET_NAME = (
    r"[\w-]*(?:passw(?:or)?d|secret|token|api[_-]?key|authori[sz]ation|cookie|session)[\w-]*"
)
SENSITIVE_TEXT = [
    (re.compile(r"(?i)\b(bearer)\s+[\w.~+/=-]+"), r"\1 " + FILTERED),
    (
        re.compile(rf"(?i)([\"']?{_SECRET_NAME}[\"']?\s*[:=]\s*[\"']?)[^\"'&,;}}\s]+"),
        r"\1" + FILTERED,
    ),
    (re.compile(r"(?i)([?&](?:code|state)=)[^&#\s\"']+"), r"\1" + FILTERED),  # OAuth callbacks
    (re.compile(r"\bhk_[\w-]{6,}"), "hk_" + FILTERED),
    (re.compile(r"(/api/media/(?:file|upload)/)[^/?#\s\"']+"), r"\1" + FILTERED),
]


def _scrub_text(text: str) -> str:
    for pattern, replacement in SENSITIVE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: FILTERED if isinstance(k, str) and SENSITIVE_KEY.search(k) else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        # Header lists come as [name, value] pairs.
        if len(value) == 2 and isinstance(value[0], str) and SENSITIVE_KEY.search(value[0]):
            return [value[0], FILTERED]
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return _scrub_text(value)
    return value


def scrub(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: drop cookies, filter credentials everywhere in the event."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
    return _scrub(event)


def init(role: str) -> bool:
    """Start the Sentry SDK for this process; False when no DSN is configured."""
    dsn = settings.sentry_dsn.get_secret_value()
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.logging import ignore_logger
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.sentry_environment,
        release=f"herald@{version('herald')}",
        send_default_pii=False,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        before_send=scrub,
        before_send_transaction=scrub,
        before_breadcrumb=lambda crumb, _hint: _scrub(crumb),
        integrations=[RqIntegration()],
    )
    sentry_sdk.set_tag("role", role)
    ignore_logger("reflex.app")  # reported as an exception by `reflex_exception_handler`
    return True


def reflex_exception_handler(exception: Exception):
    """Reflex's backend exception handler, reporting the exception to Sentry first."""
    import sentry_sdk
    from reflex.app import default_backend_exception_handler

    sentry_sdk.capture_exception(exception)  # a no-op without a DSN
    return default_backend_exception_handler(exception)
