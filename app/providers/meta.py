"""Meta Graph conventions shared by the Facebook Pages, Instagram and Threads connectors
(platform-apis.md §3): the error envelope, throttle codes and usage headers, Graph timestamps,
the long-lived token shape, insights rows, cursor paging and the publishing-quota edge.

What differs per product stays in its module: hosts, API versions, grant types, which error
codes mean what (auth, duplicate, not ready) and the order they are classified in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

from app.providers.accounts import TokenSet
from app.providers.errors import AuthError, ProviderError, TransientError
from app.providers.oauth2 import OAuth2Provider
from app.providers.results import RecentPost

# Platform and application throttling codes every Graph product answers (§3); products add
# their own (Instagram: 9, the publishing limit).
THROTTLE_CODES = {4, 17, 32, 341, 613} | set(range(80001, 80015))
TRANSIENT_CODES = {1, 2}
LONG_TTL_S = 60 * 86400


def graph_error(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of a Graph error response ({} when the body is not one)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def graph_fault(response: httpx.Response) -> tuple[dict[str, Any], int | None, Any, dict[str, Any]]:
    """(error object, integer code or None, error_subcode, ProviderError keywords)."""
    error = graph_error(response)
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode")
    kw: dict[str, Any] = {
        "status": response.status_code,
        "code": str(code) if code is not None else None,
        "details": {"error_subcode": subcode, "fbtrace_id": error.get("fbtrace_id")},
    }
    return error, code, subcode, kw


def graph_retry_at(response: httpx.Response, default_s: float = 3600.0) -> datetime:
    """When a throttled Graph caller may try again: the largest BUC
    `estimated_time_to_regain_access` (minutes), else Retry-After, else `default_s`."""
    minutes = 0
    raw = response.headers.get("X-Business-Use-Case-Usage")
    if raw:
        try:
            for entries in json.loads(raw).values():
                for entry in entries:
                    minutes = max(minutes, int(entry.get("estimated_time_to_regain_access", 0)))
        except (ValueError, TypeError, AttributeError):
            minutes = 0
    now = datetime.now(UTC)
    if minutes > 0:
        return now + timedelta(minutes=minutes)
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return now + timedelta(seconds=default_s)


def parse_graph_time(value: str) -> datetime:
    """Graph timestamps: 2026-01-31T12:00:00+0000."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def graph_since(since: datetime) -> datetime:
    """`since` in UTC, to the second (Graph timestamps are), naive meaning UTC."""
    since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
    return since.replace(microsecond=0)


def next_after(body: Any, *, need_next: bool = True) -> str | None:
    """The `paging.cursors.after` cursor of a page, None on the last one (Facebook and Instagram
    mark a further page with `paging.next`; Threads' edges answer the cursor alone)."""
    paging = (body.get("paging") if isinstance(body, dict) else None) or {}
    after = (paging.get("cursors") or {}).get("after")
    if not after or (need_next and not paging.get("next")):
        return None
    result: str | None = after
    return result


def insight_values(body: Any) -> dict[str, int]:
    """{metric name: value} of an insights answer (`total_value` or the last `values` entry)."""
    out: dict[str, int] = {}
    for row in (body.get("data") if isinstance(body, dict) else None) or []:
        if not isinstance(row, dict) or "name" not in row:
            continue
        if isinstance(row.get("total_value"), dict):
            out[row["name"]] = int(row["total_value"].get("value") or 0)
        elif row.get("values"):
            out[row["name"]] = int(row["values"][-1].get("value") or 0)
    return out


def long_lived_token(body: dict[str, Any], *, scope: str, extra: dict[str, Any]) -> TokenSet:
    """A long-lived (~60-day) token answer: no refresh token; `expires_in` or 60 days."""
    try:
        ttl = float(body.get("expires_in", LONG_TTL_S))
    except (TypeError, ValueError):
        ttl = LONG_TTL_S
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=None,
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        scope=scope,
        extra=extra,
    )


class GraphProvider(OAuth2Provider):
    """What the three Graph connectors do alike; subclasses keep their hosts, grants and codes."""

    default_version: ClassVar[str]
    # Token endpoints that answer {"data": [{access_token, ...}]} (api.instagram.com).
    token_in_data_list: ClassVar[bool] = False

    def __init__(self, *, version: str | None = None, **config: Any) -> None:
        self.version = (version or self.default_version).strip("/")  # the dialog's path has it
        super().__init__(**config)

    def _graph(self, path: str) -> str:
        return f"/{self.version}{path}"

    def _read(self, token: TokenSet, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a node or edge of the Graph (`path` without the version): its JSON answer."""
        return self._request("GET", self._graph(path), token=token, params=params).json()

    def _new_id(
        self, token: TokenSet, path: str, params: dict[str, Any], missing: ProviderError
    ) -> str:
        """POST `params` to an edge of the Graph: the id of what it created, or `missing`
        raised when the answer has none."""
        body = self._request("POST", self._graph(path), token=token, params=params).json()
        if not isinstance(body, dict) or not body.get("id"):
            raise missing
        return str(body["id"])

    def _token_request(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            body = self._request(method, path, **kw).json()
        except AuthError as exc:  # the token being exchanged/refreshed is itself refused
            exc.refresh_may_help = False
            raise
        data = body.get("data") if self.token_in_data_list and isinstance(body, dict) else None
        if isinstance(data, list) and data:
            body = data[0]
        if not isinstance(body, dict) or not body.get("access_token"):
            raise TransientError(
                f"{self.display_name} answered the token request without a token", sent=True
            )
        return body

    def _code_to_long_lived(
        self, token_url: str, *, code: str, redirect_uri: str, grant_type: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Instagram/Threads login: the code → a short-lived token (`token_url`), traded at
        once for a long-lived one with `GET /access_token?grant_type=<grant_type>`."""
        client_id, secret = self._app()
        short = self._token_request(
            "POST",
            token_url,
            data={
                "client_id": client_id,
                "client_secret": secret,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        long = self._token_request(
            "GET",
            "/access_token",
            params={
                "grant_type": grant_type,
                "client_secret": secret,
                "access_token": short["access_token"],
            },
        )
        return short, long

    def _refresh_long_lived(self, token: TokenSet, grant_type: str) -> dict[str, Any]:
        """Instagram/Threads: a long-lived token (≥ 24 h old) traded for a new one."""
        return self._token_request(
            "GET",
            "/refresh_access_token",
            params={"grant_type": grant_type, "access_token": token.access_token},
        )

    def _paged(
        self,
        token: TokenSet,
        path: str,
        params: dict[str, Any],
        *,
        pages: int,
        need_next: bool = True,
    ) -> Iterator[Any]:
        """The `data` rows of a cursor-paged edge, at most `pages` pages."""
        for _ in range(pages):
            body = self._read(token, path, params)
            yield from body.get("data") or []
            after = next_after(body, need_next=need_next)
            if not after:
                return
            params["after"] = after

    def _recent(
        self,
        token: TokenSet,
        path: str,
        since: datetime,
        *,
        text: str,
        created: str,
        link: str,
        need_next: bool = True,
    ) -> list[RecentPost]:
        """find_recent over one edge: posts created at or after `since`, newest first."""
        since = graph_since(since)
        params: dict[str, Any] = {
            "fields": f"id,{text},{created},{link}",
            "since": int(since.timestamp()),
            "limit": 100,
        }
        found: list[RecentPost] = []
        for post in self._paged(token, path, params, pages=5, need_next=need_next):
            at = parse_graph_time(post[created])
            if at >= since:
                found.append(
                    RecentPost(
                        platform_post_id=str(post["id"]),
                        text=post.get(text) or "",
                        created_at=at,
                        permalink=post.get(link),
                    )
                )
        found.sort(key=lambda p: (p.created_at, p.platform_post_id), reverse=True)
        return found

    def _insights(
        self, token: TokenSet, object_id: str, metrics: Iterable[str], **params: str
    ) -> Any:
        """The answer of the object's insights edge for `metrics` (read with insight_values)."""
        return self._read(token, f"/{object_id}/insights", {"metric": ",".join(metrics), **params})

    def _permalink(self, token: TokenSet, object_id: str, field: str = "permalink") -> str | None:
        """The object's link, None when it cannot be read (the post exists; it is a nicety)."""
        try:
            info = self._read(token, f"/{object_id}", {"fields": field})
        except ProviderError:
            return None
        return info.get(field) if isinstance(info, dict) else None

    def _publishing_quota(
        self, token: TokenSet, path: str, total: int, window_s: int
    ) -> dict[str, int]:
        """{"used", "total", "window_s"} of a rolling publishing quota edge."""
        body = self._read(token, path, {"fields": "quota_usage,config"})
        row = (body.get("data") or [{}])[0] if isinstance(body, dict) else {}
        config = row.get("config") or {}
        return {
            "used": int(row.get("quota_usage") or 0),
            "total": int(config.get("quota_total") or total),
            "window_s": int(config.get("quota_duration") or window_s),
        }


__all__ = [
    "LONG_TTL_S",
    "THROTTLE_CODES",
    "TRANSIENT_CODES",
    "GraphProvider",
    "graph_error",
    "graph_fault",
    "graph_retry_at",
    "graph_since",
    "insight_values",
    "long_lived_token",
    "next_after",
    "parse_graph_time",
]
