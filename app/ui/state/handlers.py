"""The two decorators every state's event handlers use, under `@rx.event`:

- `signed_in`: the one guard. The handler runs only for a signed-in user (and, unless
  `workspace=False`, a current workspace) and receives them as `me` after `self`. Anyone not
  signed in is sent to /login?next=… (`quiet=True`: nothing happens, for polls and background
  loads); a user without a workspace gets nothing done (a redirect would loop).
- `shows_errors`: the one path from `ServiceError` to the user. The message becomes an error
  toast and/or the state's inline message field (`inline="error"`).

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def rename(self, me: SignedIn, name: str):
        accounts.rename(me.user, me.wid, name)   # a ServiceError here becomes a toast

Reflex reads a handler's parameters and type hints to map event arguments, so the wrappers
present the handler's own signature (minus `me`).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx

from app.models import User
from app.services.errors import ServiceError


@dataclasses.dataclass(frozen=True)
class SignedIn:
    """Who is acting: the user and the workspace they have open."""

    user: User
    workspace: uuid.UUID | None

    @property
    def wid(self) -> uuid.UUID:
        if self.workspace is None:  # only with `signed_in(workspace=False)`
            raise RuntimeError("this handler was guarded without a workspace")
        return self.workspace


def _like(wrapper: Callable, fn: Callable, drop: int = 0) -> Callable:
    """`wrapper` dressed as `fn`, with the `drop` parameters after `self` removed."""
    functools.update_wrapper(wrapper, fn)
    params = list(inspect.signature(fn).parameters.values())
    gone = {p.name for p in params[1 : 1 + drop]}
    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p for p in params if p.name not in gone]
    )
    wrapper.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k not in gone}
    return wrapper


def signed_in(
    fn: Callable | None = None, *, workspace: bool = True, quiet: bool = False
) -> Callable:
    """Guard a handler: see the module docstring."""

    def decorate(fn: Callable) -> Callable:
        def who(self: Any) -> SignedIn | Any:
            """Who acts, or what to return instead of running the handler."""
            user = self._user()
            if user is None:
                return None if quiet else self._login_redirect()
            wid = self._workspace_uuid() if workspace else None
            return SignedIn(user, wid) if wid is not None or not workspace else None

        if inspect.iscoroutinefunction(fn):

            async def guarded_async(self: Any, *args: Any, **kwargs: Any) -> Any:
                me = who(self)
                if not isinstance(me, SignedIn):
                    return me
                return await fn(self, me, *args, **kwargs)

            return _like(guarded_async, fn, drop=1)

        def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            me = who(self)
            if not isinstance(me, SignedIn):
                return me
            return fn(self, me, *args, **kwargs)

        return _like(guarded, fn, drop=1)

    return decorate(fn) if fn is not None else decorate


def guarded_event(
    *, inline: str | None = None, toast: bool = True, workspace: bool = True, quiet: bool = False
) -> Callable[[Callable], Any]:
    """`@rx.event`, `@shows_errors(inline=, toast=)` and `@signed_in(workspace=, quiet=)` in one,
    for a state whose handlers share that stack: `admin_event = guarded_event(workspace=False)`."""

    def decorate(fn: Callable) -> Any:
        guarded = signed_in(fn, workspace=workspace, quiet=quiet)
        return rx.event(shows_errors(guarded, inline=inline, toast=toast))

    return decorate


def _report(self: Any, exc: ServiceError, inline: str | None, toast: bool) -> Any:
    if inline:
        setattr(self, inline, exc.message)
    return rx.toast.error(exc.message) if toast else None


def shows_errors(
    fn: Callable | None = None, *, inline: str | None = None, toast: bool = True
) -> Callable:
    """Turn a `ServiceError` raised by the handler into a toast and/or `self.<inline>`."""

    def decorate(fn: Callable) -> Callable:
        if inspect.iscoroutinefunction(fn):

            async def caught_async(self: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await fn(self, *args, **kwargs)
                except ServiceError as exc:
                    return _report(self, exc, inline, toast)

            return _like(caught_async, fn)

        def caught(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                result = fn(self, *args, **kwargs)
            except ServiceError as exc:
                return _report(self, exc, inline, toast)
            if inspect.isgenerator(result):
                return _caught_steps(self, result, inline, toast)
            return result

        return _like(caught, fn)

    return decorate(fn) if fn is not None else decorate


def _caught_steps(self: Any, steps: Any, inline: str | None, toast: bool) -> Any:
    """A generator handler's steps, its ServiceError reported as the last step."""
    try:
        result = yield from steps
    except ServiceError as exc:
        yield _report(self, exc, inline, toast)
        return None
    return result


def first_load(state: Any, me: SignedIn) -> None:
    """A settings page's first load: `state._refresh(me.user, me.wid)`; a `ServiceError` is
    shown in `state.error` (no toast). Either way the page's `loading` is over."""
    try:
        state._refresh(me.user, me.wid)
        state.error = ""
    except ServiceError as exc:
        state.error = exc.message
    state.loading = False


def setter(field: str, kind: Any = str, *, then: str | None = None, name: str = "") -> Any:
    """An event handler `set_<field>(value: kind)` (or `name`) that stores `value` in
    `self.<field>`, then returns what `self.<then>()` returns, if `then` is given:

    set_ai_tone = setter("ai_tone")      # on_change=ComposerAIState.set_ai_tone
    set_account = setter("f_account", then="_refilter", name="set_account")
    """

    def set_field(self: Any, value: Any) -> Any:
        setattr(self, field, value)
        return getattr(self, then)() if then else None

    set_field.__name__ = set_field.__qualname__ = name or f"set_{field}"
    set_field.__annotations__ = {"value": kind}
    return rx.event(set_field)


def toggled(chosen: list[str], value: str, on: bool) -> list[str]:
    """`chosen` with `value` checked (added last, once) or unchecked."""
    rest = [v for v in chosen if v != value]
    return [*rest, value] if on else rest
