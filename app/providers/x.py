"""X (formerly Twitter), API v2 (platform-apis.md §1; OpenAPI in /work/shared/specs/x).

OAuth 2.0 Authorization Code with PKCE. Access tokens live two hours; the refresh token (granted
with `offline.access`) is single use: every refresh returns a new one and the old one stops
working, so a refresh must be persisted at once and never run twice for the same token.

X has no idempotency key: a `POST /2/tweets` that timed out may still have created the post.
`find_recent` reads the account's own timeline so the caller can decide before retrying; it needs
the numeric user id, which `account_info` stores in `token.extra["user_id"]` and which is
otherwise looked up once per access token with `GET /2/users/me` (cached in the provider).

Text is measured the way X measures it (twitter-text v3 rules, app/providers/x_text.py).
Images go up in one request; videos (and GIFs over 5 MB) go through the chunked
initialize/append/finalize flow, streamed 1 MiB at a time, then X processes them. If processing
takes longer than `media_wait_s`, `publish` returns a pending result that `check_status` (read
only) and `finalize` complete.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from app.providers import x_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.base import (
    pending_part_media,
    post_reply_chain,
    thread_pending,
    thread_problems,
    upload_part_media,
)
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.network import OAUTH_MEASURED, CaptionStyle, Limits, Look
from app.providers.oauth2 import OAuth2Provider
from app.providers.oauth2 import json_or_none as _json
from app.providers.options import PostOptions, option, reply_to_option, thread_option
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult
from app.providers.x_text import (
    MAX_WEIGHTED_LENGTH,
    invalid_characters,
    url_spans,
    weighted_length,
)

DEFAULT_API_BASE = "https://api.x.com"
DEFAULT_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
DEFAULT_WEB_BASE = "https://x.com"
DEFAULT_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
TOKEN_TTL_S = 7200  # when the token response has no expires_in
ReplySetting = Literal["following", "mentionedUsers", "subscribers", "verified"]
MIB = 1024 * 1024
MB = 1000 * 1000
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
ONE_SHOT_GIF_LIMIT = 5 * MB  # larger GIFs use the chunked upload
ALT_TEXT_LIMIT = 1000
DUPLICATE_TEXT = "duplicate content"
GENERIC_INVALID = "One or more parameters to your request was invalid."

# ------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class XLimits(Limits):
    """Limits whose `max_bytes` may also be keyed by exact MIME type (X: GIF 15 MB, image 5 MB)."""

    def max_size_for(self, mime: str) -> int | None:
        exact = self.max_bytes.get(mime)
        return exact if exact is not None else super().max_size_for(mime)


DEFAULT_LIMITS = XLimits(
    max_text_length=MAX_WEIGHTED_LENGTH,
    max_media=4,
    media_types=frozenset(IMAGE_TYPES + VIDEO_TYPES),
    max_bytes={"image": 5 * MB, "image/gif": 15 * MB, "video": 512 * MB},
    counter=weighted_length,
)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _rfc3339(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(value: str | None) -> datetime | None:
    if value is None or not value.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(value.strip()), UTC)


class XOptions(PostOptions):
    reply_settings: ReplySetting | None = option(
        "Who can reply",
        unset="Everyone",
        choices={
            "following": "People you follow",
            "mentionedUsers": "Only people you mention",
            "subscribers": "Subscribers",
            "verified": "Verified accounts",
        },
    )
    thread: list[str] | None = thread_option()
    in_reply_to_tweet_id: str | None = reply_to_option(
        pattern=r"^[0-9]{1,19}$", expect="a post id (digits)"
    )
    quote_tweet_id: str | None = option(
        "Quote", "The id of the post this one quotes.", advanced=True,
        pattern=r"^[0-9]{1,19}$", expect="a post id (digits)",
    )  # fmt: skip


# ------------------------------------------------------------------------- provider


class XProvider(OAuth2Provider):
    id = "x"
    display_name = "X"
    alt_text_limit = 1000
    capabilities = OAUTH_MEASURED.plus(images=True, video=True, threads=True, pkce=True)
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = x_text
    options_model = XOptions
    look = Look(
        mark="X", color="#475569", link_color="#1d9bf0",
        actions=("message-circle", "repeat", "heart", "bookmark"), show_handle=True,
        text_size="15px",
        chart_color="var(--slate-11)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "weighted: a link counts 23, an emoji or a CJK character counts 2",
        "short and punchy; one idea per post; hashtags are short CamelCase words; a question or "
        "a clear call to action drives replies",
    )
    rate_budgets = {"account": (100, 15 * 60), "platform": (10_000, 24 * 3600)}
    # The shortest pause between two STATUS polls (X's check_after_secs wins when longer).
    default_media_poll_s = 1.0

    default_auth_base = DEFAULT_AUTHORIZE_URL
    default_web_base = DEFAULT_WEB_BASE
    default_scopes = DEFAULT_SCOPES
    authorize_path = "/i/oauth2/authorize"
    token_path = "/2/oauth2/token"
    token_ttl_s = TOKEN_TTL_S
    app_credentials = "client id"
    # No secret = a public client (client_id in the body); a secret = confidential (HTTP Basic).
    secret_required = False
    basic_auth = True
    no_refresh_token = (
        "This X connection has no refresh token (offline.access was not granted); "
        "reconnect the account"
    )

    chunk_size = MIB
    settings = ("chunk_size",)

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self._me: OrderedDict[str, tuple[str, str]] = OrderedDict()  # token digest → (id, name)
        self._me_lock = threading.Lock()

    # ------------------------------------------------------------------ OAuth

    def _authorize_params(self, code_verifier: str | None) -> dict[str, str]:
        if not code_verifier:
            raise PermanentError("X requires PKCE: pass a code_verifier")
        return self._pkce(code_verifier)

    def _token_extra(self, body: dict[str, Any], extra: dict[str, Any], now: datetime) -> None:
        extra["token_type"] = body.get("token_type", "bearer")

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        if not code_verifier:
            raise PermanentError("X requires PKCE: pass the code_verifier of the authorize URL")
        return super().exchange_code(
            code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
        )

    def revoke(self, token: TokenSet) -> None:
        pairs = [(token.refresh_token, "refresh_token"), (token.access_token, "access_token")]
        for value, hint in pairs:
            if value:
                data = {"token": value, "token_type_hint": hint}
                self._token_call(data, url="/2/oauth2/revoke")

    # ------------------------------------------------------------------ account

    def _users_me(self, token: TokenSet, fields: str) -> dict[str, Any]:
        body = self._request(
            "GET", "/2/users/me", token=token, params={"user.fields": fields}
        ).json()
        user = body.get("data")
        if not isinstance(user, dict) or "id" not in user:
            raise PermanentError(_message(body) or "X did not return the account")
        self._remember(token, str(user["id"]), str(user.get("username") or ""))
        return user

    def _digest(self, token: TokenSet) -> str:
        return hashlib.sha256(token.access_token.encode()).hexdigest()

    def _remember(self, token: TokenSet, user_id: str, username: str) -> None:
        token.extra["user_id"] = user_id
        if username:
            token.extra["username"] = username
        with self._me_lock:
            self._me[self._digest(token)] = (user_id, username)
            self._me.move_to_end(self._digest(token))
            while len(self._me) > 4096:
                self._me.popitem(last=False)

    def _identity(self, token: TokenSet) -> tuple[str, str]:
        """(user id, username) of the token's account: token.extra, the cache, or users/me."""
        if token.extra.get("user_id"):
            return str(token.extra["user_id"]), str(token.extra.get("username") or "")
        with self._me_lock:
            known = self._me.get(self._digest(token))
        if known:
            return known
        user = self._users_me(token, "username")
        return str(user["id"]), str(user.get("username") or "")

    def account_info(self, token: TokenSet) -> AccountInfo:
        """Also records the user id and username in `token.extra` (find_recent uses them)."""
        user = self._users_me(token, "profile_image_url,public_metrics")
        username = str(user.get("username") or "")
        return AccountInfo(
            platform_account_id=str(user["id"]),
            name=user.get("name") or username,
            username=username,
            avatar_url=user.get("profile_image_url"),
            metadata={
                "user_id": str(user["id"]),
                "username": username,
                "url": f"{self.web_base}/{username}" if username else None,
                "public_metrics": user.get("public_metrics") or {},
            },
        )

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        limits = self.limits
        opts = request.options
        errors = self.option_problems(opts)
        if not request.text.strip() and not request.media:
            errors.append("An X post needs text or at least one attachment.")

        def text_problems(where: str, text: str) -> list[str]:
            found: list[str] = []
            n = limits.count_text(text)
            if n > limits.max_text_length:
                found.append(
                    f"{where} is {n} characters as X counts them; the limit is "
                    f"{limits.max_text_length} (a link counts as 23, an emoji or a CJK "
                    "character as 2)."
                )
            bad = invalid_characters(text)
            if bad:
                found.append(f"{where} contains characters X refuses: {', '.join(bad)}.")
            return found

        return errors + thread_problems(
            request, "X", limits.max_media, text_problems, lambda m: self._validate_media(m, limits)
        )

    @staticmethod
    def _validate_media(media: list[MediaItem], limits: Limits) -> list[str]:
        errors: list[str] = []
        if len(media) > limits.max_media:
            errors.append(f"At most {limits.max_media} images per post on X.")
        if len(media) > 1 and any(m.kind == "video" or m.mime == "image/gif" for m in media):
            errors.append("A GIF or a video must be the only attachment of an X post.")
        for m in media:
            if limits.media_types and m.mime not in limits.media_types:
                errors.append(f"{m.filename}: file type {m.mime} is not accepted by X.")
                continue
            cap = limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(f"{m.filename} is {m.size} bytes; X accepts at most {cap} bytes.")
            if m.alt_text and len(m.alt_text) > ALT_TEXT_LIMIT:
                errors.append(f"{m.filename}: alt text is limited to {ALT_TEXT_LIMIT} characters.")
        return errors

    # ------------------------------------------------------------------ publishing

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        """Upload the media of every part not out yet (each part's own, attached to that part's
        post), wait for their processing, then post the parts as a reply chain. A thread that
        stopped at part k (`thread_done`) uploads and posts from part k only."""
        pending = thread_pending(request)
        # Media steps never create a post, so a retry cannot duplicate anything.
        with TransientError.nothing_created():
            due: dict[str, float] = {}  # media id → when X said to check it again (monotonic)

            def upload(item: MediaItem) -> str:
                media_id, check_after = self._upload(token, item)
                if check_after is not None:
                    due[media_id] = time.monotonic() + check_after
                return media_id

            upload_part_media(request, pending, upload)
            deadline = time.monotonic() + self.media_wait_s
            while due:
                now = time.monotonic()
                wake = max(min(due.values()), now + self.media_poll_s)
                if wake > deadline:
                    break
                time.sleep(wake - now)
                for media_id in [m for m, at in due.items() if at <= time.monotonic()]:
                    state, info = self._media_status(token, media_id)
                    if state == "failed":
                        raise PermanentError(
                            f"X could not process the media: {_processing_error(info)}",
                            code="media-processing-failed",
                        )
                    if state == "ready":
                        del due[media_id]
                    else:
                        due[media_id] = time.monotonic() + _check_after(info)
        if due:
            return PublishResult(state="pending", pending_state=pending)
        return self._post_tweets(token, pending)

    def _upload(self, token: TokenSet, item: MediaItem) -> tuple[str, float | None]:
        """Upload one file → (media id, seconds to wait before STATUS, or None when ready)."""
        if item.kind == "image" and not (
            item.mime == "image/gif" and item.size > ONE_SHOT_GIF_LIMIT
        ):
            category = "tweet_gif" if item.mime == "image/gif" else "tweet_image"
            with item.open() as fh:
                body = self._request(
                    "POST",
                    "/2/media/upload",
                    token=token,
                    files={"media": (item.filename, fh, item.mime)},
                    data={"media_category": category},
                ).json()
        else:
            body = self._upload_chunked(token, item)
        data = body.get("data") or {}
        if not data.get("id"):
            raise PermanentError(_message(body) or "X did not accept the upload")
        media_id = str(data["id"])
        if item.alt_text:
            self._request(
                "POST",
                "/2/media/metadata",
                token=token,
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
            )
        info = data.get("processing_info")
        if not info or info.get("state") == "succeeded":
            return media_id, None
        if info.get("state") == "failed":
            raise PermanentError(
                f"X could not process the media: {_processing_error(info)}",
                code="media-processing-failed",
            )
        return media_id, _check_after(info)

    def _upload_chunked(self, token: TokenSet, item: MediaItem) -> dict[str, Any]:
        """initialize → append (chunk_size pieces, streamed) → finalize."""
        category = "tweet_gif" if item.mime == "image/gif" else "tweet_video"
        init = self._request(
            "POST",
            "/2/media/upload/initialize",
            token=token,
            json={"media_type": item.mime, "total_bytes": item.size, "media_category": category},
        ).json()
        media_id = str((init.get("data") or {}).get("id") or "")
        if not media_id:
            raise PermanentError(_message(init) or "X did not start the upload")
        with item.open() as fh:
            index = 0
            while True:
                chunk = fh.read(self.chunk_size)
                if not chunk:
                    break
                self._request(
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    token=token,
                    files={"media": (item.filename, chunk, "application/octet-stream")},
                    data={"segment_index": str(index)},
                )
                index += 1
        result: dict[str, Any] = self._request(
            "POST", f"/2/media/upload/{media_id}/finalize", token=token
        ).json()
        return result

    def _media_status(self, token: TokenSet, media_id: str) -> tuple[str, dict[str, Any]]:
        """'ready', 'processing' or 'failed', with X's processing_info."""
        body = self._request(
            "GET",
            "/2/media/upload",
            token=token,
            params={"command": "STATUS", "media_id": media_id},
        ).json()
        info = (body.get("data") or {}).get("processing_info") or {}
        state = info.get("state")
        if state == "failed":
            return "failed", info
        if state in ("pending", "in_progress"):
            return "processing", info
        return "ready", info

    def _post_tweets(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        opts = pending["options"]
        _, username = self._identity_for_links(token)

        def post(i: int, text: str, reply_to: str | None) -> str:
            body: dict[str, Any] = {"text": text}
            media_ids = pending_part_media(pending, i)
            if media_ids:
                body["media"] = {"media_ids": media_ids}
            if i == 0 and opts.get("quote_tweet_id"):
                body["quote_tweet_id"] = opts["quote_tweet_id"]
            if reply_to:
                body["reply"] = {"in_reply_to_tweet_id": reply_to}
            if opts.get("reply_settings"):
                body["reply_settings"] = opts["reply_settings"]
            response = self._request("POST", "/2/tweets", token=token, json=body).json()
            data = response.get("data") or {}
            if not data.get("id"):
                raise PermanentError(_message(response) or "X did not create the post")
            return str(data["id"])

        done = pending.get("thread_done") or []
        ids = post_reply_chain(pending["parts"], done, post, opts.get("in_reply_to_tweet_id"))
        urls = [self._permalink(i, username) for i in ids]
        return PublishResult(
            state="published",
            platform_post_id=ids[0],
            permalink=urls[0],
            extra={"thread_ids": ids, "thread_urls": urls},
        )

    def _identity_for_links(self, token: TokenSet) -> tuple[str | None, str]:
        """The username for permalinks if already known; never an extra request for it."""
        if token.extra.get("username"):
            return token.extra.get("user_id"), str(token.extra["username"])
        with self._me_lock:
            known = self._me.get(self._digest(token))
        return (known[0], known[1]) if known else (None, "")

    def _permalink(self, post_id: str, username: str) -> str:
        return f"{self.web_base}/{username or 'i/web'}/status/{post_id}"

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        waits: list[float] = []
        for media_id in pending_state.get("media_ids", []):
            try:
                state, info = self._media_status(token, media_id)
            except PermanentError as exc:  # unknown or expired media id
                return StatusResult("failed", exc.message, None, pending_state)
            if state == "failed":
                return StatusResult(
                    "failed",
                    f"X could not process the media: {_processing_error(info)}",
                    None,
                    pending_state,
                )
            if state == "processing":
                waits.append(_check_after(info))
        if waits:
            return StatusResult(
                "processing", "X is processing the media", max(waits), pending_state
            )
        return StatusResult("ready", None, None, pending_state)

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        failed = "Media processing failed"
        return self._publish_when_ready(token, pending_state, self._post_tweets, failed, wait=False)

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        user_id, username = self._identity(token)
        # X reports created_at to the second: ask from the start of `since`'s second.
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        since = since.replace(microsecond=0)
        params: dict[str, Any] = {
            "start_time": _rfc3339(since),
            "max_results": 100,
            "post.fields": "created_at",
        }
        found: list[RecentPost] = []
        for _ in range(5):  # at most 500 posts back
            body = self._request(
                "GET", f"/2/users/{user_id}/tweets", token=token, params=params
            ).json()
            for post in body.get("data") or []:
                created = _parse_time(post["created_at"])
                if created < since:
                    continue
                found.append(
                    RecentPost(
                        platform_post_id=str(post["id"]),
                        text=post.get("text") or "",
                        created_at=created,
                        permalink=self._permalink(str(post["id"]), username),
                    )
                )
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params["pagination_token"] = next_token
        found.sort(key=lambda p: (p.created_at, int(p.platform_post_id)), reverse=True)
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        body = self._request(
            "GET",
            f"/2/tweets/{platform_post_id}",
            token=token,
            params={"post.fields": "public_metrics"},
        ).json()
        post = body.get("data")
        if not isinstance(post, dict):  # X answers 200 with only `errors` for a missing post
            raise PermanentError(
                _message(body) or "X did not return the post", status=404, code=_code(body)
            )
        m = post.get("public_metrics") or {}
        return {
            "likes": int(m.get("like_count") or 0),
            "comments": int(m.get("reply_count") or 0),
            "shares": int(m.get("retweet_count", m.get("repost_count")) or 0),
            "quotes": int(m.get("quote_count") or 0),
            "views": int(m.get("impression_count") or 0),
        }

    def account_metrics(self, token: TokenSet) -> Metrics:
        m = self._users_me(token, "public_metrics").get("public_metrics") or {}
        return {
            "followers": int(m.get("followers_count") or 0),
            "following": int(m.get("following_count") or 0),
            "posts": int(m.get("tweet_count", m.get("post_count")) or 0),
        }

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        body = _json(response)
        message = _message(body) or self._error_message(response)
        code = _code(body)
        legacy = _legacy_codes(body)
        if "Unsupported Authentication" in (_text_of(body, "title") + _text_of(body, "detail")):
            # An app-only or OAuth 1.0a token where a user token is needed: only a reconnect.
            return AuthError(message, refresh_may_help=False, status=status, code=code)
        if status == 401 or legacy & {32, 89}:
            return AuthError(message, refresh_may_help=True, status=status, code=code)
        if status == 429 or 88 in legacy:
            return RateLimited(self._x_retry_at(response), message, status=status, code=code)
        if status >= 500:
            return TransientError(message, sent=True, status=status, code=code)
        if DUPLICATE_TEXT in message or 187 in legacy:
            return PermanentError(message, duplicate=True, status=status, code=code)
        return PermanentError(message, status=status, code=code)

    def _x_retry_at(self, response: httpx.Response) -> datetime:
        """The 15-minute window's reset, or a 24-hour window's when that one is used up."""
        h = response.headers
        exhausted = [
            _epoch(h.get(f"{prefix}-reset"))
            for prefix in ("x-user-limit-24hour", "x-app-limit-24hour", "x-rate-limit")
            if (h.get(f"{prefix}-remaining") or "").strip() == "0"
        ]
        resets = [r for r in exhausted if r is not None]
        if resets:
            return max(resets)
        window = _epoch(h.get("x-rate-limit-reset"))
        if window is not None:
            return window
        return self._retry_at(response, default_s=900.0)


# ------------------------------------------------------------------------- error bodies


def _text_of(body: Any, key: str) -> str:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def _messages(body: Any) -> list[str]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    out = []
    for err in errors:
        if isinstance(err, dict):
            text = err.get("message") or err.get("detail") or err.get("title")
            if isinstance(text, str) and text:
                out.append(text)
    return out


def _message(body: Any) -> str:
    """The most specific text of an X error: OAuth, problem-details or legacy `errors`."""
    if not isinstance(body, dict):
        return ""
    oauth = _text_of(body, "error_description") or _text_of(body, "error")
    if oauth:
        return oauth
    detail, title, listed = _text_of(body, "detail"), _text_of(body, "title"), _messages(body)
    if listed and (not detail or detail == GENERIC_INVALID):
        return "; ".join(listed)
    return detail or title or "; ".join(listed)


def _code(body: Any) -> str | None:
    """Problem type (e.g. "invalid-request"), OAuth error, or the first legacy error code."""
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    kind = _text_of(body, "type") or _text_of(first, "type")
    if kind and kind != "about:blank":
        return kind.rstrip("/").rsplit("/", 1)[-1]
    if _text_of(body, "error"):
        return _text_of(body, "error")
    codes = sorted(_legacy_codes(body))
    return str(codes[0]) if codes else None


def _legacy_codes(body: Any) -> set[int]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return set()
    return {e["code"] for e in errors if isinstance(e, dict) and isinstance(e.get("code"), int)}


def _check_after(info: dict[str, Any]) -> float:
    """X's check_after_secs (0 allowed), 1 s when it is missing."""
    value = info.get("check_after_secs")
    return float(value) if isinstance(value, int | float) and value >= 0 else 1.0


def _processing_error(info: dict[str, Any]) -> str:
    error = info.get("error") or {}
    return str(error.get("message") or error.get("name") or "unknown error")


__all__ = [
    "DEFAULT_LIMITS",
    "MAX_WEIGHTED_LENGTH",
    "XLimits",
    "XProvider",
    "invalid_characters",
    "url_spans",
    "weighted_length",
]
