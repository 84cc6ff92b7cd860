"""Base class of one simulated platform, plus the responses that misbehave on purpose.

A platform module subclasses PlatformSim, lists its HTTP routes (mounted under /<id>) and its
extra control routes (mounted under /_sim/<id>), and wraps every API handler with `endpoint`,
which applies latency, injected faults and the platform's rate limits uniformly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import random
import re
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from simulator import organic
from simulator.state import Fault, Knobs, SimError, Simulator

T = TypeVar("T")

Handler = Callable[[Request], Awaitable[Response]]


class DropResponse:
    """Start a response, then close the connection without the body (client: protocol error)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        # Returning without the body makes the server close the connection.


class HangResponse:
    """Never answer: hold the request until the client disconnects (its read timeout), or
    until `hang_s` passes, then drop the connection."""

    def __init__(self, hang_s: float) -> None:
        self.hang_s = hang_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with anyio.move_on_after(self.hang_s):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
        await DropResponse()(scope, receive, send)


class ParamsError(Exception):
    pass


class Refusal(Exception):
    """A handler's answer given early: raised anywhere below a handler wrapped with
    `PlatformSim.endpoint` (a refused token, a malformed body...), `response` is its answer."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


_KEY_RE = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_PART_RE = re.compile(r"\[([^\[\]]*)\]")


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Rails-style nested keys: media_ids[]=1, poll[options][]=a, poll[expires_in]=300."""
    match = _KEY_RE.fullmatch(key)
    if not match:
        out[key] = value
        return
    parts = [match.group(1), *_PART_RE.findall(match.group(2))]
    target = out
    for i, part in enumerate(parts[:-1]):
        want: type = list if parts[i + 1] == "" else dict
        current = target.get(part)
        if not isinstance(current, want):
            current = want()
            target[part] = current
        if want is list:
            if i + 2 == len(parts):  # "name[]": append; deeper list shapes are not used
                current.append(value)
            return
        target = current
    target[parts[-1]] = value


def _set(out: dict[str, Any], key: str, value: Any) -> None:
    out[key] = value


E_PARAMS = "Error occurred while parsing request parameters"


def content_type(request: Request) -> str:
    """The media type of a request's Content-Type, in lower case ("" without one)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def json_object(
    raw: bytes, refuse: Callable[[str], Exception], not_json: str, not_object: str
) -> dict[str, Any]:
    """`raw` parsed as a JSON object; `refuse(not_json)` or `refuse(not_object)` is raised when
    it is not JSON or not an object."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise refuse(not_json) from exc
    if not isinstance(data, dict):
        raise refuse(not_object)
    return data


async def read_params(
    request: Request,
    *,
    nested: bool = True,
    error: Callable[[str], Exception] = ParamsError,
    messages: tuple[str, str] = (E_PARAMS, E_PARAMS),
) -> dict[str, Any]:
    """Query, JSON and form parameters merged the way Rails does (body wins). Keys such as
    `a[]` and `a[b]` nest unless not `nested`. A JSON body that does not parse raises
    `error(messages[0])`, one that is not an object `error(messages[1])`."""
    out: dict[str, Any] = {}
    put = _put if nested else _set
    for key, value in request.query_params.multi_items():
        put(out, key, value)
    ctype = content_type(request)
    if ctype == "application/json":
        raw = await request.body()
        if raw.strip():
            out.update(json_object(raw, error, *messages))
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_part_size=64 * 1024 * 1024)
        for key, value in form.multi_items():
            put(out, key, value)
    return out


async def control_json(request: Request) -> dict[str, Any]:
    """The JSON object body of a /_sim control request ({} when empty)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    return json_object(raw, SimError, "body must be JSON", "body must be a JSON object")


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "unknown")


def with_query(uri: str, params: dict[str, str]) -> str:
    """`uri` with `params` appended to its query (an OAuth redirect back to the client)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def check_username(username: str, longest: int) -> None:
    """Refuse (SimError) a username that is not 1-`longest` letters, digits or underscores."""
    if not re.fullmatch(rf"\w{{1,{longest}}}", username):
        raise SimError(f"username must be 1-{longest} letters, digits or underscores")


def set_fields(obj: Any, fields: dict[str, Any], settable: Iterable[str], what: str) -> None:
    """Set `fields` on a simulated account (a /_sim control), refusing any not `settable`."""
    allowed = set(settable)
    for name, value in fields.items():
        if name not in allowed:
            raise SimError(f"unknown {what} field {name!r}")
        setattr(obj, name, value)


class Named(Protocol):
    @property
    def username(self) -> str: ...


NamedT = TypeVar("NamedT", bound=Named)


def find_named(items: dict[Any, NamedT], username: str) -> NamedT | None:
    """The one of `items` (accounts, users, pages...) named exactly `username`, or None."""
    return next((item for item in items.values() if item.username == username), None)


def settable_fields(obj: Any, *fixed: str) -> set[str]:
    """The dataclass fields of `obj` but `fixed` ones."""
    return {f.name for f in dataclasses.fields(obj)} - set(fixed)


def per_window(window_s: float, **limits: int) -> dict[str, dict[str, float]]:
    """Rate quotas sharing one window: family → {"limit": ..., "window_s": window_s}."""
    return {family: {"limit": limit, "window_s": window_s} for family, limit in limits.items()}


class PlatformSim:
    """One simulated platform. Subclasses define id, routes and the platform's error shapes."""

    id: ClassVar[str]
    display_name: ClassVar[str]
    # The instance settings (POST /_sim/<id>/settings) and their defaults; reset() copies them
    # into `self.conf`. Empty: the platform has none.
    default_settings: ClassVar[dict[str, Any]] = {}
    conf: dict[str, Any]
    # Organic engagement (simulator.organic): (the attribute holding posts by id, the post's
    # counters attribute, generic counter → the platform's own), and (the attribute holding
    # accounts, the account's name attribute as in the post log, its followers attribute).
    organic_posts: ClassVar[tuple[str, str, dict[str, str]] | None] = None
    organic_accounts: ClassVar[tuple[str, str, str] | None] = None
    # Rate families and their default limits, e.g. {"posts": {"limit": 100, "window_s": 86400}}
    # (the rate knobs override them per platform or account).
    quotas: ClassVar[dict[str, dict[str, float]]] = {}
    # Whether the platform's `tokens` expire (POST /_sim/<id>/tokens/{token}/expire is offered).
    tokens_expire: ClassVar[bool] = True
    # Attributes built by reset() that are not worth keeping across a restart.
    transient_state: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        before = set(vars(self))
        self.reset()
        self._state_attrs = tuple(sorted(set(vars(self)) - before - self.transient_state))

    def state_attrs(self) -> tuple[str, ...]:
        """The platform's state (kept across restarts by simulator.persist): every attribute
        its reset() builds (apps, accounts, tokens, posts, media, settings, id counters)."""
        return self._state_attrs

    # -- to override
    def reset(self) -> None:
        """Drop all platform state (apps, accounts, tokens, posts...)."""

    def default_knobs(self) -> Knobs:
        quotas = {family: dict(quota) for family, quota in self.quotas.items()}
        return Knobs(latency_ms=0, jitter_ms=0, media_processing_ms=0, quotas=quotas)

    def configure(self, settings: dict[str, Any]) -> None:
        if not self.default_settings:
            if settings:
                raise SimError(f"{self.id} has no instance settings")
            return
        unknown = set(settings) - set(self.default_settings)
        if unknown:
            known = sorted(self.default_settings)
            raise SimError(f"unknown {self.id} settings {sorted(unknown)}; known: {known}")
        with self.sim.lock:
            self.conf.update(settings)

    def settings(self) -> dict[str, Any]:
        return dict(self.conf) if self.default_settings else {}

    def sandbox(self) -> dict[str, str]:
        """How Herald's sandbox mode connects here: the provider's endpoint settings as paths
        under the simulator (`*_base`), plus the module's always-registered OAuth app
        (SANDBOX_CLIENT_ID / SANDBOX_CLIENT_SECRET) or, for app-password platforms, a login."""
        config = {"api_base": f"/{self.id}", "auth_base": f"/{self.id}"}
        app = self.sandbox_app()
        if app is not None:
            config |= {"client_id": app[0], "client_secret": app[1]}
        return config

    @classmethod
    def sandbox_app(cls) -> tuple[str, str] | None:
        """(client id, secret) of the module's always-registered OAuth app (SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET); None for a platform without one."""
        module = sys.modules[cls.__module__]
        if not hasattr(module, "SANDBOX_CLIENT_ID"):
            return None
        return module.SANDBOX_CLIENT_ID, module.SANDBOX_CLIENT_SECRET

    def issuing_app(self, client_id: str | None) -> str:
        """The app a token minted without the OAuth dance belongs to: `client_id`, by default
        the sandbox app; refused (SimError) unless the platform's `apps` has it."""
        sandbox = self.sandbox_app()
        client_id = client_id or (sandbox[0] if sandbox else "")
        if client_id not in getattr(self, "apps", {}):
            raise SimError(f"unknown {self.id} app {client_id!r}")
        return client_id

    def routes(self) -> list[BaseRoute]:
        return []

    def api_routes(self, *table: tuple[str, str, Handler]) -> list[BaseRoute]:
        """API routes from rows of (methods, path, handler), each handler wrapped with
        `endpoint`; `methods` names one HTTP method or several, separated by spaces."""
        return [
            Route(path, self.endpoint(handler), methods=methods.split())
            for methods, path, handler in table
        ]

    def sim_routes(self) -> list[BaseRoute]:
        """The /_sim/<id> controls: those platforms share, for the handlers this one has
        (sim_app, sim_token, sim_user; token expiry when its tokens expire), then its own."""
        shared = {"/apps": "sim_app", "/tokens": "sim_token"}
        if self.tokens_expire:
            shared["/tokens/{token}/expire"] = "sim_expire"
        shared["/users/{username}"] = "sim_user"
        routes: list[BaseRoute] = [
            Route(path, getattr(self, name), methods=["POST"])
            for path, name in shared.items()
            if hasattr(self, name)
        ]
        return routes + self.controls()

    def controls(self) -> list[BaseRoute]:
        """The platform's own /_sim/<id> controls."""
        return []

    def identify(self, request: Request) -> str | None:
        """The account a request acts for (from its credentials), if any, without validating."""
        return None

    def before(self, request: Request, account: str | None) -> Response | None:
        """Platform checks ahead of the handler (request rate limits)."""
        return None

    def after(self, request: Request, account: str | None, response: Response) -> None:
        """Decorate a response (e.g. rate-limit headers)."""

    def error_response(self, fault: Fault, request: Request) -> Response:
        """The platform's own answer for an injected 4xx/5xx fault."""
        status = 422 if fault.kind == "duplicate" else int(fault.kind)
        return JSONResponse({"error": fault.message or f"injected {fault.kind}"}, status)

    # -- organic engagement (sandbox mode)
    def grow(self, every_s: float = 1.0) -> None:
        """Raise the counters of every published post (and its author's followers) to what
        `organic.counts` says for its age; at most once per `every_s`, only when organic."""
        sim = self.sim
        if not sim.organic or self.organic_posts is None:
            return
        now = time.time()
        with sim.lock:
            if now - sim._grown.get(self.id, 0.0) < every_s:
                return
            sim._grown[self.id] = now
            posts_attr, counters_attr, names = self.organic_posts
            posts = getattr(self, posts_attr, {})
            gained: dict[str, int] = {}
            for entry in sim.posts(self.id):
                if entry.get("deleted"):
                    continue
                age = now - datetime.fromisoformat(entry["received_at"]).timestamp()
                grown = organic.counts(self.id, str(entry["post_id"]), age)
                account = str(entry.get("account", "")).lower()
                gained[account] = gained.get(account, 0) + grown["followers"]
                post = posts.get(str(entry["post_id"]))
                counters = getattr(post, counters_attr, None) if post is not None else None
                if not isinstance(counters, dict):
                    continue
                for generic, own in names.items():
                    if own in counters:
                        counters[own] = max(int(counters[own] or 0), grown[generic])
            if self.organic_accounts is None:
                return
            accounts_attr, name_attr, followers_attr = self.organic_accounts
            for acc in getattr(self, accounts_attr, {}).values():
                name = str(getattr(acc, name_attr, "") or "").lower()
                if name in gained:
                    total = organic.base_followers(self.id, name) + gained[name]
                    setattr(acc, followers_attr, max(getattr(acc, followers_attr, 0), total))

    def account_display_name(self, account: str) -> str:
        """The display name of an account as named in the post log ('' if unknown)."""
        if self.organic_accounts is None:
            return ""
        accounts_attr, name_attr, _ = self.organic_accounts
        with self.sim.lock:
            for acc in getattr(self, accounts_attr, {}).values():
                if str(getattr(acc, name_attr, "") or "").lower() == account.lower():
                    return str(getattr(acc, "name", "") or getattr(acc, "display_name", "") or "")
        return ""

    def organic_counts(self, entry: dict[str, Any]) -> dict[str, int]:
        """A logged post's counters as its page shows them (the platform's own when it keeps
        them, else the organic curve; zeros when not organic)."""
        if not self.sim.organic:
            return dict.fromkeys(organic.GENERIC, 0)
        age = time.time() - datetime.fromisoformat(entry["received_at"]).timestamp()
        return organic.counts(self.id, str(entry["post_id"]), age)

    # -- shared machinery
    async def control_body(
        self, request: Request, fields: Iterable[str] | None = None, what: str = ""
    ) -> dict[str, Any]:
        """The JSON object body of a /_sim control request ({} when empty). With `fields`, a
        body naming any other field is refused ("unknown <what> fields [...]")."""
        data = await control_json(request)
        unknown = set(data) - set(data if fields is None else fields)
        if unknown:
            raise SimError(f"unknown {what + ' ' if what else ''}fields {sorted(unknown)}")
        return data

    def keep(self, items: dict[str, T], key: str, item: T) -> T:
        """Store `item` in `items` under `key` (holding the simulator's lock); return it."""
        with self.sim.lock:
            items[key] = item
        return item

    def set_counters(
        self,
        items: dict[str, T],
        key: str,
        counters: Callable[[T], dict[str, int]],
        body: dict[str, Any],
        what: str = "post",
        known: Iterable[str] | None = None,
        render: Callable[[T], Any] | None = None,
    ) -> Response:
        """What a /_sim control request setting a post's counters (likes, views...) answers:
        the post `render`ed (by default its counters) once `body`'s counters are set, or a 404
        when there is none. A counter the post does not keep (`known`: its counters' names
        unless given) is refused."""
        with self.sim.lock:
            item = items.get(key)
            if item is None:
                return JSONResponse({"error": f"no such {what}"}, 404)
            have = counters(item)
            names = sorted(have if known is None else known)
            unknown = set(body) - set(names)
            if unknown:
                raise SimError(f"unknown counters {sorted(unknown)}; known: {names}")
            have.update({k: int(v) for k, v in body.items()})
        return JSONResponse(dict(counters(item)) if render is None else render(item))

    def expire_token(self, value: str) -> None:
        """Expire an access token now (platforms keeping `tokens`: value → obj.expires_at)."""
        tokens = getattr(self, "tokens", {})
        with self.sim.lock:
            if value in tokens:
                tokens[value].expires_at = time.time() - 1

    async def sim_expire(self, request: Request) -> Response:
        """POST /_sim/<id>/tokens/{token}/expire."""
        self.expire_token(request.path_params["token"])
        return JSONResponse({})

    def rate_family(
        self, request: Request, families: Iterable[tuple[str, re.Pattern[str], str]]
    ) -> str | None:
        """The rate family of a request: the first of `families` (method, path pattern, family)
        whose method and pattern match it."""
        path = self.relative_path(request)
        for method, pattern, family in families:
            if request.method == method and pattern.fullmatch(path):
                return family
        return None

    def base_url(self, request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}/{self.id}"

    def relative_path(self, request: Request) -> str:
        return request.url.path.removeprefix(f"/{self.id}") or "/"

    def fault_response(self, fault: Fault, request: Request) -> Response | Any:
        if fault.kind == "timeout":
            return HangResponse(fault.hang_s)
        if fault.kind == "drop":
            return DropResponse()
        return self.error_response(fault, request)

    def endpoint(self, handler: Handler) -> Handler:
        """Wrap an API handler: latency, faults (before or after accepting) and rate limits."""

        @functools.wraps(handler)
        async def wrapper(request: Request) -> Response:
            self.grow()
            account = self.identify(request)
            knobs = self.sim.effective_knobs(self.id, account)
            delay = (knobs.latency_ms or 0) + random.uniform(0, knobs.jitter_ms or 0)
            if delay > 0:
                # The request has arrived whole before the platform works on it: a client that
                # goes away meanwhile (killed, timed out) does not undo it, as on a real server.
                await request.body()
                await asyncio.sleep(delay / 1000)
            path = self.relative_path(request)
            fault = self.sim.pick_fault(self.id, account, request.method, path)
            if fault and not fault.after_accept and self.sim.consume(fault):
                return self.fault_response(fault, request)
            refused = self.before(request, account)
            if refused is not None:
                return refused
            try:
                response = await handler(request)
            except ParamsError as exc:
                response = JSONResponse({"error": str(exc)}, 400)
            except Refusal as exc:
                response = exc.response
            if (
                fault
                and fault.after_accept
                and 200 <= response.status_code < 300
                and self.sim.consume(fault)
            ):
                return self.fault_response(fault, request)
            self.after(request, account, response)
            return response

        return wrapper
