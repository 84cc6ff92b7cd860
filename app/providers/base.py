"""The provider contract: one class per platform that speaks HTTP (httpx) and nothing else.

Providers know no database. They take tokens and a publish request and return results, or raise
one of the typed errors of errors.py. The types they declare and exchange live in network.py
(what the network is like), accounts.py (tokens, the account), posts.py (what to publish) and
results.py (what comes back); this module re-exports them, with the helpers the providers share
and the `Provider` base class.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any, ClassVar

import httpx

from app.net.outbound import OutboundRefused
from app.providers.accounts import AccountInfo as AccountInfo
from app.providers.accounts import TokenSet as TokenSet
from app.providers.errors import AuthError as AuthError
from app.providers.errors import PermanentError as PermanentError
from app.providers.errors import ProviderError as ProviderError
from app.providers.errors import RateLimited as RateLimited
from app.providers.errors import TransientError as TransientError
from app.providers.network import Capabilities as Capabilities
from app.providers.network import CaptionStyle as CaptionStyle
from app.providers.network import Limits as Limits
from app.providers.network import Look as Look
from app.providers.options import PostOptions, option_problems
from app.providers.posts import MediaItem as MediaItem
from app.providers.posts import PublishRequest as PublishRequest
from app.providers.results import Metrics as Metrics
from app.providers.results import PublishResult as PublishResult
from app.providers.results import RecentPost as RecentPost
from app.providers.results import StatusResult as StatusResult
from app.providers.results import counters as counters
from app.providers.text_units import count_graphemes as count_graphemes  # re-exported

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=60.0, pool=5.0)
USER_AGENT = "Herald/0.1 (self-hosted social media scheduler)"


# --------------------------------------------------------------------------- validation helpers


def part_problems(request: PublishRequest, check: Callable[[str, str], list[str]]) -> list[str]:
    """The problems of each part of a thread (the post alone when the `thread` option is not a
    list of texts: option_problems reports that), part by part: a further part with neither
    text nor media is empty, and `check(where, text)` finds the rest, `where` naming the part
    ("The post", "Thread part 2")."""
    thread = request.options.get("thread") or []
    if not isinstance(thread, list) or not all(isinstance(t, str) for t in thread):
        thread = []
    errors: list[str] = []
    for i, text in enumerate([request.text, *thread]):
        where = "The post" if i == 0 else f"Thread part {i + 1}"
        if i and not text.strip() and not request.part_media(i):
            errors.append(f"{where} is empty.")
        errors += check(where, text)
    return errors


def thread_media_problems(
    request: PublishRequest,
    network: str,
    max_media: int,
    check: Callable[[list[MediaItem]], list[str]],
) -> list[str]:
    """Each further part's media against the network's per-post limits, in words naming the
    part ("Part 2 has 5 images; X takes at most 4."); `check` finds the rest (types, sizes,
    mixing) for one part's media, and its findings are prefixed with the part."""
    errors: list[str] = []
    for number, items in enumerate(request.thread_media, start=2):
        if not items:
            continue
        if len(items) > max_media:
            noun = "images" if all(m.kind == "image" for m in items) else "attachments"
            errors.append(
                f"Part {number} has {len(items)} {noun}; {network} takes at most {max_media}."
            )
            continue
        errors += [f"Part {number}: {problem}" for problem in check(items)]
    return errors


def thread_problems(
    request: PublishRequest,
    network: str,
    max_media: int,
    check_text: Callable[[str, str], list[str]],
    check_media: Callable[[list[MediaItem]], list[str]],
) -> list[str]:
    """Every part's problems: its text (`check_text(where, text)`, see part_problems), then the
    first part's media (`check_media(items)`), then each further part's (thread_media_problems)."""
    return (
        part_problems(request, check_text)
        + check_media(request.media)
        + thread_media_problems(request, network, max_media, check_media)
    )


# --------------------------------------------------------------------------- threads


def thread_pending(request: PublishRequest) -> dict[str, Any]:
    """The pending state of a thread whose parts' media are uploaded before it is posted: its
    texts, options, and the media ids by part, filled in as they are uploaded."""
    return {
        "stage": "media_processing",
        "parts": request.parts(),
        "options": {k: v for k, v in request.options.items() if k != "thread"},
        "media_ids": [],
        # Part index (as text: pending state is JSON) → its media ids.
        "part_media": {},
        "thread_done": list(request.thread_done),
    }


def pending_part_media(pending: dict[str, Any], index: int) -> list[str]:
    """The media ids of part `index` (a pending state from before parts had media: all of
    `media_ids` belong to the first part)."""
    by_part = pending.get("part_media")
    if not isinstance(by_part, dict):
        return list(pending.get("media_ids") or []) if index == 0 else []
    return [str(m) for m in by_part.get(str(index)) or []]


def pending_media_ids(pending: dict[str, Any]) -> list[str]:
    """Every part's media ids, part by part."""
    by_part = pending.get("part_media") or {}
    return [str(m) for key in sorted(by_part, key=int) for m in by_part[key]]


def upload_part_media(
    request: PublishRequest, pending: dict[str, Any], upload: Callable[[MediaItem], str]
) -> None:
    """Upload the media of every part not out yet with `upload` (answering the media id), and
    record the ids by part in `pending` (a thread_pending state), then all of them in order."""
    for i in range(len(request.thread_done), len(pending["parts"])):
        for item in request.part_media(i):
            pending["part_media"].setdefault(str(i), []).append(upload(item))
    pending["media_ids"] = pending_media_ids(pending)


def post_reply_chain(
    parts: list[str],
    done: list[Any],
    post: Callable[[int, str, str | None], str],
    reply_to: str | None = None,
) -> list[str]:
    """Post a thread's parts from the first not out yet (`done`: the ids of those that are),
    each with `post(index, text, id of the post it replies to)` answering its id: the first
    replies to `reply_to`, every other to the part before. The ids of every part, in order; a
    failure says in its details which part failed and which are out, so that a retry goes on
    from there and never posts a part twice."""
    ids = [str(i) for i in done]
    for i in range(len(ids), len(parts)):
        try:
            ids.append(post(i, parts[i], ids[-1] if ids else reply_to))
        except ProviderError as exc:
            exc.details.update(published_ids=list(ids), failed_part=i)
            raise
    return ids


# --------------------------------------------------------------------------- PKCE helpers


def make_code_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43-128 unreserved characters)."""
    return secrets.token_urlsafe(64)[:96]


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# --------------------------------------------------------------------------- the contract


class Provider(ABC):
    """Base class of every platform adapter.

    Every method that talks to the platform raises only `ProviderError` subclasses.
    Subclasses set the class attributes and implement the abstract methods; `_request`
    does the HTTP plumbing and error classification.
    """

    id: ClassVar[str]
    display_name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    default_api_base: ClassVar[str | None] = None
    default_limits: ClassVar[Limits]
    # The `*_text.py` module: COUNTING (how the browser counter counts), NOTE (the rule in a
    # sentence), STRICT (the vendor documents no rule). Not ClassVar: mypy reads a module assigned
    # in a subclass body as an instance attribute.
    text_rules: ModuleType
    # What a post may carry besides text and media (see options.py), and how it looks.
    options_model: ClassVar[type[PostOptions]] = PostOptions
    look: ClassVar[Look]
    caption_style: ClassVar[CaptionStyle] = CaptionStyle()
    # Publish budgets: scope ("account" | "platform") -> (capacity, period in seconds), from
    # the platform's documented limits (shared/reference/platform-apis.md §0.4).
    rate_budgets: ClassVar[dict[str, tuple[int, float]]] = {}
    # Refresh this long before the token expires (§12.2: minutes for 1-2 h tokens, days for
    # the 60-day tokens that may only be refreshed once they are a day old).
    refresh_ahead: ClassVar[timedelta] = timedelta(minutes=10)
    # Longest side an image may have; larger images are scaled down before they are sent.
    max_image_side: ClassVar[int | None] = None
    # Longest alt text (image description) the network takes; 0: it takes none.
    alt_text_limit: ClassVar[int] = 0
    # What a post must carry besides text, in words ("exactly one video"); "" = nothing.
    requires: ClassVar[str] = ""
    # Networks that process uploaded media: how long publish() waits for them before it returns
    # a pending result, and the pause between two checks (the media_wait_s and media_poll_s
    # settings override them).
    default_media_wait_s: ClassVar[float] = 30.0
    default_media_poll_s: ClassVar[float] = 2.0
    # The network's plain settings (waits, retries, sizes): each is a class attribute holding its
    # default, named here; a keyword argument of the same name overrides it for one provider.
    settings: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        api_base: str | None = None,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout | float | None = None,
        media_wait_s: float | None = None,
        media_poll_s: float | None = None,
        **config: Any,
    ) -> None:
        base = api_base or self.default_api_base
        if not base:
            raise ValueError(f"{self.id}: api_base is required")
        self.api_base = base.rstrip("/")
        self._owns_client = client is None
        self.client = client or httpx.Client(
            timeout=timeout or DEFAULT_TIMEOUT, headers={"User-Agent": USER_AGENT}
        )
        for name in self.settings:
            if name in config:
                setattr(self, name, config.pop(name))
        self.config = config
        self.limits: Limits = self.default_limits
        self.media_wait_s = self.default_media_wait_s if media_wait_s is None else media_wait_s
        self.media_poll_s = self.default_media_poll_s if media_poll_s is None else media_poll_s

    # -- lifecycle
    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- OAuth
    @abstractmethod
    def authorize_url(
        self, *, state: str, redirect_uri: str, code_verifier: str | None = None
    ) -> str:
        """URL to send the user to. Pass the PKCE verifier you will later give exchange_code."""

    @abstractmethod
    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet: ...

    @abstractmethod
    def refresh(self, token: TokenSet) -> TokenSet:
        """A fresh token set. Never drops a refresh token the platform did not replace."""

    def revoke(self, token: TokenSet) -> None:  # noqa: B027 - optional for platforms without one
        """Revoke the token at the platform when it offers that."""

    def registration_valid(self) -> bool:
        """Federated platforms (per_instance): does the server still know the app Herald
        registered there? Transient failures answer True (only a positive refusal counts)."""
        return True

    def register_app(
        self, *, client_name: str, redirect_uris: list[str], website: str | None = None
    ) -> dict[str, Any]:
        """Federated platforms (per_instance): register Herald on this server; the answer
        holds client_id and client_secret."""
        raise NotImplementedError(f"{self.id} has one app for every account")

    def login(self, identifier: str, app_password: str) -> TokenSet:
        """Platforms that connect with an app password (capabilities.app_password)."""
        raise NotImplementedError(f"{self.id} connects with OAuth")

    @abstractmethod
    def account_info(self, token: TokenSet) -> AccountInfo: ...

    def publish_targets(self, token: TokenSet) -> list[tuple[AccountInfo, TokenSet]]:
        """What this login can publish as, each with the token to publish with.

        One entry (the user's own account) by default; platforms where one login manages several
        (Facebook Pages, LinkedIn organizations, YouTube channels, Instagram accounts linked to
        Pages) list each, and the user picks which to connect. `AccountInfo.metadata` is kept
        with the account and comes back in `TokenSet.extra` on every later call.
        """
        return [(self.account_info(token), token)]

    # -- options and limits
    def option_problems(self, options: dict[str, Any]) -> list[str]:
        """Unknown options and values of the wrong type or choice, in words."""
        return option_problems(self.options_model, options, self.display_name)

    def option_choices(self, token: TokenSet) -> dict[str, list[tuple[str, str]]]:
        """Live (value, label) choices of the `live` options, read from the account."""
        return {}

    def load_limits(self) -> Limits:
        """The account's own limits where they differ per server (federated networks)."""
        return self.limits

    # -- publishing
    @abstractmethod
    def validate(self, request: PublishRequest) -> list[str]:
        """Human-readable problems with `request` for this platform; empty list = fine."""

    @abstractmethod
    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult: ...

    def _refuse_invalid(self, request: PublishRequest) -> None:
        """A PermanentError listing what `validate` finds wrong with `request`, if anything."""
        problems = self.validate(request)
        if problems:
            raise PermanentError(" ".join(problems))

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        """Read-only progress check of a pending publish."""
        raise NotImplementedError(f"{self.id} never returns pending publishes")

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        """Complete a pending publish (may return pending again if not ready yet)."""
        raise NotImplementedError(f"{self.id} never returns pending publishes")

    def _publish_when_ready(
        self,
        token: TokenSet,
        pending: dict[str, Any],
        then: Callable[[TokenSet, dict[str, Any]], PublishResult],
        failed: str,
        *,
        wait: bool,
        duplicate_if: str | None = None,
    ) -> PublishResult:
        """publish() and finalize() for platforms that process the media before the post goes
        out, as check_status says: once they are processed, `then(token, pending)` publishes;
        if that failed, a PermanentError (`failed` when the platform gave no reason; a duplicate
        when the reason holds `duplicate_if`); while they are processed, a pending result (that
        finalize completes), at once or, when publish may `wait`, after polling every
        `media_poll_s` for `media_wait_s`."""
        deadline = time.monotonic() + self.media_wait_s
        while True:
            status = self.check_status(token, pending)
            if status.state == "failed":
                duplicate = duplicate_if is not None and duplicate_if in (status.message or "")
                raise PermanentError(status.message or failed, duplicate=duplicate)
            if status.state == "ready":
                return then(token, pending)
            if not wait or time.monotonic() + self.media_poll_s > deadline:
                return PublishResult(state="pending", pending_state=pending)
            time.sleep(self.media_poll_s)

    @abstractmethod
    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        """Posts of the account created at or after `since`, newest first."""

    # -- metrics
    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        return {}

    def account_metrics(self, token: TokenSet) -> Metrics:
        return {}

    # -- errors and HTTP plumbing
    def classify_error(self, error: httpx.Response | Exception) -> ProviderError:
        """Map a non-2xx response or an httpx exception to a typed ProviderError."""
        if isinstance(error, ProviderError):
            return error
        if isinstance(error, httpx.Response):
            return self._classify_response(error)
        if isinstance(error, OutboundRefused):  # never sent, and sending again will not help
            return PermanentError(f"{self.display_name}: {error}")
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            # The request never reached the platform.
            return TransientError(f"Could not connect to {self.display_name}: {error}", sent=False)
        if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return PermanentError(f"Invalid {self.display_name} address: {error}")
        if isinstance(error, httpx.TimeoutException):
            return TransientError(
                f"{self.display_name} did not answer in time; the post may have been created",
                sent=True,
            )
        if isinstance(error, httpx.TransportError):
            return TransientError(
                f"Connection to {self.display_name} failed mid-request: {error}", sent=True
            )
        return TransientError(f"Unexpected error from {self.display_name}: {error}", sent=True)

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        """Generic HTTP mapping; providers override to read their own envelopes."""
        status = response.status_code
        message = self._error_message(response)
        if status == 401:
            return AuthError(message, refresh_may_help=self.capabilities.refresh_tokens, status=401)
        if status == 429:
            return RateLimited(self._retry_at(response), message, status=429)
        if status >= 500:
            return TransientError(message, sent=True, status=status)
        return PermanentError(message, status=status)

    def _error_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            body = None
        if isinstance(body, dict):
            for key in ("error_description", "error", "message", "detail"):
                if isinstance(body.get(key), str) and body[key]:
                    result: str = body[key]
                    return result
        reason = response.reason_phrase or "error"
        return f"{self.display_name} answered HTTP {response.status_code} {reason}"

    def _retry_at(self, response: httpx.Response, default_s: float = 60.0) -> datetime:
        now = datetime.now(UTC)
        value = response.headers.get("Retry-After")
        if value:
            if value.strip().isdigit():
                return now + timedelta(seconds=int(value))
            try:
                return parsedate_to_datetime(value).astimezone(UTC)
            except (TypeError, ValueError):
                pass
        return now + timedelta(seconds=default_s)

    def _request(
        self, method: str, path: str, *, token: TokenSet | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send one request; return the 2xx response or raise a classified ProviderError."""
        url = path if path.startswith(("http://", "https://")) else self.api_base + path
        headers = dict(kwargs.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token.access_token}"
        try:
            response = self.client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise self.classify_error(exc) from exc
        if response.is_success or response.is_redirect:
            return response
        raise self.classify_error(response)
