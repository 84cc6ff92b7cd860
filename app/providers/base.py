"""The provider contract: one class per platform that speaks HTTP (httpx) and nothing else.

Providers know no database. They take tokens and a publish request and return results, or raise
one of the typed errors below. The worker decides what to do with an error; the provider only
says what happened, and in particular whether a failed request may have reached the platform
(`TransientError.sent`), which is what the "never blindly retry" invariant hangs on.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import mimetypes
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO, ClassVar, Literal

import httpx

from app.net.outbound import OutboundRefused, short_message
from app.providers.options import PostOptions, option_problems
from app.providers.text_units import count_graphemes as count_graphemes  # re-exported

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=60.0, pool=5.0)
USER_AGENT = "Herald/0.1 (self-hosted social media scheduler)"


# --------------------------------------------------------------------------- errors


class ProviderError(Exception):
    """Base of every error a provider raises. `message` is fit to show a user: whatever a
    foreign server put in it is reduced to one short line without markup."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        message = short_message(message)
        super().__init__(message)
        self.message = message
        self.status = status  # HTTP status, when there was a response
        self.code = code  # the platform's own error code, when it has one
        self.details = details or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status})"


class AuthError(ProviderError):
    """The token is expired, revoked or lacks a scope. Only this marks an account broken."""

    def __init__(self, message: str, *, refresh_may_help: bool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.refresh_may_help = refresh_may_help


class RateLimited(ProviderError):
    """The platform said "slow down"; try again at `retry_at` (UTC), not before."""

    def __init__(self, retry_at: datetime, message: str = "Rate limited", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_at = retry_at


class TransientError(ProviderError):
    """A failure that may go away.

    `sent=False`: nothing was created on the platform (the request never left, or the platform
    answered that it did nothing), so retrying is safe. `sent=True`: the outcome is unknown (5xx,
    timeout or dropped connection after the request was sent); check `find_recent` or rely on
    the platform's idempotency key before retrying.
    """

    def __init__(self, message: str, *, sent: bool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.sent = sent


class PermanentError(ProviderError):
    """The platform refused the request (4xx); retrying the same request will not help."""

    def __init__(self, message: str, *, duplicate: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.duplicate = duplicate


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Limits:
    """What one post may contain. `count_text` counts the way the platform counts."""

    max_text_length: int
    max_media: int
    media_types: frozenset[str] = frozenset()
    # Largest accepted file per major type ("image", "video", "audio").
    max_bytes: Mapping[str, int] = field(default_factory=dict)
    counter: Callable[[str], int] = len
    url_length: int = 23  # what a link counts, where the counter counts links as a fixed length

    def count_text(self, text: str) -> int:
        return self.counter(text)

    def max_size_for(self, mime: str) -> int | None:
        return self.max_bytes.get(mime.split("/", 1)[0])


@dataclass(frozen=True)
class Capabilities:
    text_only: bool = True
    images: bool = False
    video: bool = False
    mixed_media: bool = False
    threads: bool = False
    # Retrying a publish with the same PublishRequest.idempotency_key cannot duplicate it
    # (within `idempotency_window`).
    idempotent_publish: bool = False
    idempotency_window: timedelta | None = None
    refresh_tokens: bool = False
    tokens_expire: bool = False
    pkce: bool = False
    # publish() may return state="pending" (finish with check_status/finalize).
    pending_publish: bool = False
    find_recent: bool = False
    post_metrics: bool = False
    account_metrics: bool = False
    # The platform is federated: every account lives on its own server (api_base per account).
    per_instance: bool = False
    # Connects with a handle and an app password (login()) instead of an OAuth redirect.
    app_password: bool = False


@dataclass(frozen=True)
class CaptionStyle:
    """How to write for the network, for the AI caption writer."""

    counting: str = "one per character"  # how the length is counted, in words
    conventions: str = "keep it concise and easy to scan"  # style and hashtag habits


@dataclass(frozen=True)
class Look:
    """How a post looks on the network, for the composer's preview."""

    mark: str  # one or two letters on the network's round badge
    color: str  # the badge's (brand) colour, also the network's colour on the calendar
    link_color: str  # links, hashtags and mentions in the text
    chart_color: str = "var(--gray-9)"  # the network in analytics charts (a theme colour)
    actions: tuple[str, ...] = ("heart",)  # lucide icons of the action row under a post
    subtitle: str = "now"  # the line under the author's name
    at_handle: bool = True  # the author shows as @handle (False: the bare name)
    show_handle: bool = False  # the handle is printed next to the name
    media_first: bool = False  # media above the text (visual-first networks)
    media_radius: str = "12px"
    square_avatar: bool = False
    text_size: str = "14px"
    call_to_action: str = ""  # a badge at the end of the action row (Pinterest's "Save")
    tinted: bool = False  # a darker card background
    # A video network: the preview shows a video frame of this shape ("16:9", "9:16").
    video_frame: str = ""


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # UTC; None = does not expire
    scope: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def has_scope(self, *scopes: str) -> bool:
        """True if the granted scope string contains any of `scopes`."""
        granted = set(self.scope.split())
        return any(s in granted for s in scopes)


@dataclass
class AccountInfo:
    platform_account_id: str
    name: str
    username: str
    avatar_url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class MediaItem:
    """One file to attach. `open()` returns a fresh binary stream each call (retries re-open)."""

    mime: str
    size: int
    open: Callable[[], BinaryIO]
    filename: str = "file"
    alt_text: str | None = None
    # A URL the platform can fetch the file from (presigned GET), for platforms that pull media
    # by URL (Instagram, Threads, Facebook, Pinterest, TikTok PULL_FROM_URL).
    url: str | None = None
    # Pixel dimensions measured when the file was stored (None: unknown), for platforms that
    # lay media out by their aspect ratio before loading them (Bluesky).
    width: int | None = None
    height: int | None = None

    @classmethod
    def from_bytes(
        cls, data: bytes, mime: str, filename: str = "file", alt_text: str | None = None
    ) -> MediaItem:
        return cls(mime, len(data), lambda: io.BytesIO(data), filename, alt_text)

    @classmethod
    def from_path(
        cls, path: str | Path, mime: str | None = None, alt_text: str | None = None
    ) -> MediaItem:
        path = Path(path)
        mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(mime, path.stat().st_size, lambda: path.open("rb"), path.name, alt_text)

    @property
    def kind(self) -> str:
        """Major type: "image", "video", "audio"..."""
        return self.mime.split("/", 1)[0]


@dataclass
class PublishRequest:
    text: str
    media: list[MediaItem] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    # Stable per destination (e.g. its id): the same key on a retry lets idempotent platforms
    # return the first result instead of posting twice.
    idempotency_key: str = ""
    # A thread that stopped part-way: the ids of the parts already out, in order. Providers
    # that publish threads go on from the next part, in reply to the last of these, so a retry
    # never posts a part twice (the engine keeps them in the destination's pending state).
    thread_done: list[str] = field(default_factory=list)
    # The media of each further part of the thread: thread_media[j] goes on part j + 2 (the
    # reply carrying options["thread"][j]); shorter than the thread when the last parts have
    # none. Providers upload only the parts not in `thread_done`.
    thread_media: list[list[MediaItem]] = field(default_factory=list)

    def part_media(self, index: int) -> list[MediaItem]:
        """The media of part `index` (0 = the first post)."""
        if index == 0:
            return self.media
        return self.thread_media[index - 1] if index - 1 < len(self.thread_media) else []

    def parts(self) -> list[str]:
        """The texts of a thread, first to last: `text`, then the `thread` option's replies."""
        thread = self.options.get("thread") or []
        if not isinstance(thread, list) or not all(isinstance(t, str) for t in thread):
            raise PermanentError("'thread' must be a list of texts")
        return [self.text, *thread]


@dataclass
class PublishResult:
    state: Literal["published", "pending"]
    platform_post_id: str | None = None
    permalink: str | None = None
    # JSON-serialisable; handed back to check_status()/finalize() when state == "pending".
    pending_state: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusResult:
    state: Literal["processing", "ready", "failed"]
    message: str | None = None
    # Suggested delay before the next check_status() call.
    retry_after: float | None = None
    pending_state: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecentPost:
    platform_post_id: str
    text: str
    created_at: datetime
    permalink: str | None = None


# Metrics are plain dicts of counters. Keys used when the platform has them: likes, comments,
# shares, views, quotes (post); followers, following, posts (account).
Metrics = dict[str, int]


def counters(source: Mapping[str, Any], **fields: str) -> Metrics:
    """Metrics read from a platform's counters: `counters(stats, likes="likeCount")` is
    {"likes": stats["likeCount"]} as an int, 0 where the platform left the counter out."""
    return {name: int(source.get(key) or 0) for name, key in fields.items()}


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

    def __init__(
        self,
        *,
        api_base: str | None = None,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout | float | None = None,
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
        self.config = config
        self.limits: Limits = self.default_limits

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

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        """Read-only progress check of a pending publish."""
        raise NotImplementedError(f"{self.id} never returns pending publishes")

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        """Complete a pending publish (may return pending again if not ready yet)."""
        raise NotImplementedError(f"{self.id} never returns pending publishes")

    def _finalize_when_ready(
        self,
        token: TokenSet,
        pending_state: dict[str, Any],
        then: Callable[[TokenSet, dict[str, Any]], PublishResult],
        failed: str,
        *,
        duplicate_if: str | None = None,
    ) -> PublishResult:
        """finalize() for platforms whose check_status says when the uploads are processed:
        pending again while they are, a PermanentError (with `failed` when the platform gave
        no reason; a duplicate when the reason holds `duplicate_if`) when they failed, else
        `then(token, pending_state)` publishes."""
        status = self.check_status(token, pending_state)
        if status.state == "processing":
            return PublishResult(state="pending", pending_state=pending_state)
        if status.state == "failed":
            duplicate = duplicate_if is not None and duplicate_if in (status.message or "")
            raise PermanentError(status.message or failed, duplicate=duplicate)
        return then(token, pending_state)

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
