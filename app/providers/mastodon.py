"""Mastodon, on any instance (platform-apis.md §10).

Every instance is its own server: `api_base` is the instance URL (e.g. https://mastodon.social),
and the OAuth app is registered per instance with `register_app` (cache the credentials).
Tokens never expire and there is no refresh grant. Publishing is idempotent for one hour through
the `Idempotency-Key` header, which is what makes retries after a timeout safe here.

A status is counted as Mastodon's StatusLengthValidator counts it (app/providers/mastodon_text.py)
against the instance's own limit and URL length, read from GET /api/v2/instance.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import quote, urlencode

import httpx

from app.providers import mastodon_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.base import (
    Provider,
    pending_part_media,
    post_reply_chain,
    s256_challenge,
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
from app.providers.mastodon_text import URL_LENGTH, count_status_length
from app.providers.network import MEASURED, CaptionStyle, Limits, Look
from app.providers.options import PostOptions, option, reply_to_option, thread_option
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult, counters

# read:statuses is not in the usual "scheduler" set, but GET /api/v1/accounts/:id/statuses and
# GET /api/v1/statuses/:id answer 403 to a token that is sent without it, and find_recent /
# post_metrics need those reads (private posts are invisible without a token).
DEFAULT_SCOPES = "write:statuses write:media read:accounts read:statuses"
MIB = 1024 * 1024
DEFAULT_MEDIA_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/heic",
        "image/heif",
        "image/webp",
        "image/avif",
        "video/webm",
        "video/mp4",
        "video/quicktime",
        "video/ogg",
        "audio/wave",
        "audio/wav",
        "audio/x-wav",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp3",
        "audio/webm",
        "audio/flac",
        "audio/aac",
        "audio/m4a",
        "audio/x-m4a",
        "audio/mp4",
    }
)
NOT_READY = "have not finished processing"


class _Text(HTMLParser):
    """Status HTML → the plain text that was posted (links keep their full URL)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p":
            if self._paragraphs:
                self.parts.append("\n\n")
            self._paragraphs += 1

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class MastodonOptions(PostOptions):
    visibility: Literal["public", "unlisted", "private", "direct"] | None = option(
        "Visibility",
        unset="Default (public)",
        choices={
            "public": "Public",
            "unlisted": "Unlisted",
            "private": "Followers only",
            "direct": "Mentioned people only",
        },
    )
    spoiler_text: str | None = option("Content warning")
    sensitive: bool | None = option("Mark media as sensitive")
    language: str | None = option("Language", "ISO 639 code, e.g. en.")
    thread: list[str] | None = thread_option()
    in_reply_to_id: str | None = reply_to_option()


class MastodonProvider(Provider):
    id = "mastodon"
    display_name = "Mastodon"
    alt_text_limit = 1500
    capabilities = MEASURED.plus(
        images=True,
        video=True,
        threads=True,
        idempotent_publish=True,
        idempotency_window=timedelta(hours=1),
        pkce=True,
        pending_publish=True,
        per_instance=True,
    )
    default_limits = Limits(
        max_text_length=500,
        max_media=4,
        media_types=DEFAULT_MEDIA_TYPES,
        max_bytes={"image": 16 * MIB, "video": 99 * MIB, "audio": 99 * MIB},
        counter=count_status_length,
    )
    text_rules = mastodon_text
    options_model = MastodonOptions
    look = Look(
        mark="M", color="#6364ff", link_color="#8c8dff",
        actions=("reply", "repeat", "star", "bookmark"), show_handle=True,
        chart_color="var(--iris-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character, a link counts 23",
        "hashtags are how posts are found (there is no algorithm), so make them specific; write "
        "multi-word hashtags in CamelCase for screen readers; no clickbait",
    )
    rate_budgets = {"account": (300, 3 * 3600)}
    default_media_wait_s = 10.0
    default_media_poll_s = 0.5

    def __init__(
        self,
        *,
        api_base: str,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout | float | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: str = DEFAULT_SCOPES,
        limits: Limits | None = None,
        **config: Any,
    ) -> None:
        super().__init__(api_base=api_base, client=client, timeout=timeout, **config)
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self.url_length = URL_LENGTH  # characters_reserved_per_url of the instance
        self._limits_loaded = limits is not None
        if limits is not None:
            self.limits = limits

    # ------------------------------------------------------------------ OAuth

    def discover(self) -> dict[str, Any]:
        """The instance's OAuth metadata (4.3+); PermanentError(404) on older servers."""
        result: dict[str, Any] = self._request(
            "GET", "/.well-known/oauth-authorization-server"
        ).json()
        return result

    def register_app(
        self, *, client_name: str, redirect_uris: list[str], website: str | None = None
    ) -> dict[str, Any]:
        """Register Herald on this instance; keep the returned client_id/client_secret."""
        body: dict[str, Any] = {
            "client_name": client_name,
            "redirect_uris": redirect_uris,
            "scopes": self.scopes,
        }
        if website:
            body["website"] = website
        app: dict[str, Any] = self._request("POST", "/api/v1/apps", json=body).json()
        self.client_id, self.client_secret = app["client_id"], app["client_secret"]
        return app

    def registration_valid(self) -> bool:
        """Does the server still know Herald's app? A deleted or suspended app (or a server
        rebuilt from scratch) answers a client-credentials grant with 401 invalid_client."""
        client_id, client_secret = self._require_app()
        data = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        try:
            self._request("POST", "/oauth/token", data=data)
        except AuthError:
            return False
        except ProviderError:
            return True  # another refusal (e.g. a scope): the app itself is known
        return True

    def _require_app(self) -> tuple[str, str]:
        if not (self.client_id and self.client_secret):
            raise PermanentError("No Mastodon app is registered for this instance yet")
        return self.client_id, self.client_secret

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_verifier: str | None = None
    ) -> str:
        client_id, _ = self._require_app()
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": self.scopes,
            "state": state,
        }
        if code_verifier:
            params["code_challenge"] = s256_challenge(code_verifier)
            params["code_challenge_method"] = "S256"
        return f"{self.api_base}/oauth/authorize?{urlencode(params, quote_via=quote)}"

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        client_id, client_secret = self._require_app()
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
        }
        if code_verifier:
            data["code_verifier"] = code_verifier
        try:
            body = self._request("POST", "/oauth/token", data=data).json()
        except AuthError as exc:  # 401 here is about the app credentials, not a user token
            raise PermanentError(
                f"The instance rejected Herald's app credentials: {exc.message}",
                status=exc.status,
                code="invalid_client",
            ) from exc
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=None,
            expires_at=None,
            scope=body.get("scope", ""),
            extra={"token_type": body.get("token_type", "Bearer"), "instance": self.api_base},
        )

    def refresh(self, token: TokenSet) -> TokenSet:
        """Mastodon tokens do not expire and there is no refresh grant: same token back."""
        return token

    def revoke(self, token: TokenSet) -> None:
        client_id, client_secret = self._require_app()
        data = {"client_id": client_id, "client_secret": client_secret, "token": token.access_token}
        self._request("POST", "/oauth/revoke", data=data)

    def _credentials(self, token: TokenSet) -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "GET", "/api/v1/accounts/verify_credentials", token=token
        ).json()
        return result

    def account_info(self, token: TokenSet) -> AccountInfo:
        acc = self._credentials(token)
        host = httpx.URL(self.api_base).netloc.decode()
        acct = acc["acct"] if "@" in acc["acct"] else f"{acc['acct']}@{host}"
        return AccountInfo(
            # Account ids are only unique per instance.
            platform_account_id=f"{acc['id']}@{host}",
            name=acc.get("display_name") or acc["username"],
            username=acct,
            avatar_url=acc.get("avatar"),
            metadata={
                "instance": self.api_base,
                "account_id": acc["id"],
                "url": acc.get("url"),
                "bot": acc.get("bot", False),
                "locked": acc.get("locked", False),
            },
        )

    # ------------------------------------------------------------------ limits / validation

    def fetch_limits(self) -> Limits:
        """Read this instance's limits from GET /api/v2/instance and keep them."""
        conf = self._request("GET", "/api/v2/instance").json().get("configuration", {})
        statuses = conf.get("statuses", {})
        media = conf.get("media_attachments", {})
        url_length = self.url_length = int(statuses.get("characters_reserved_per_url", URL_LENGTH))
        d = self.default_limits
        self.limits = Limits(
            max_text_length=int(statuses.get("max_characters", d.max_text_length)),
            max_media=int(statuses.get("max_media_attachments", d.max_media)),
            media_types=frozenset(media.get("supported_mime_types") or d.media_types),
            max_bytes={
                "image": int(media.get("image_size_limit", d.max_bytes["image"])),
                "video": int(media.get("video_size_limit", d.max_bytes["video"])),
                "audio": int(media.get("video_size_limit", d.max_bytes["audio"])),
            },
            counter=lambda text: count_status_length(text, url_length),
            url_length=url_length,
        )
        self._limits_loaded = True
        return self.limits

    def load_limits(self) -> Limits:
        return self.limits if self._limits_loaded else self.fetch_limits()

    def _ensure_limits(self) -> Limits:
        if not self._limits_loaded:
            self._limits_loaded = True  # one attempt; the defaults stand if the instance is down
            with contextlib.suppress(ProviderError):
                self.fetch_limits()
        return self.limits

    def validate(self, request: PublishRequest) -> list[str]:
        limits = self._ensure_limits()
        opts = request.options
        errors = self.option_problems(opts)
        spoiler = opts.get("spoiler_text") or ""
        spoiler = spoiler if isinstance(spoiler, str) else ""
        if not request.text.strip() and not request.media:
            errors.append("A Mastodon post needs text or at least one attachment.")

        def too_long(where: str, text: str) -> list[str]:
            n = count_status_length(text, self.url_length, spoiler)
            if n <= limits.max_text_length:
                return []
            return [
                f"{where} is {n} characters; this instance allows {limits.max_text_length} "
                f"(each link counts as {self.url_length})."
            ]

        return errors + thread_problems(
            request,
            "Mastodon",
            limits.max_media,
            too_long,
            lambda m: self._validate_media(m, limits),
        )

    @staticmethod
    def _validate_media(media: list[MediaItem], limits: Limits) -> list[str]:
        errors: list[str] = []
        if len(media) > limits.max_media:
            errors.append(f"At most {limits.max_media} attachments per post on this instance.")
        if len(media) > 1 and any(m.kind in ("video", "audio") for m in media):
            errors.append("A video or audio file cannot be combined with other attachments.")
        for m in media:
            if limits.media_types and m.mime not in limits.media_types:
                errors.append(f"{m.filename}: file type {m.mime} is not accepted by this instance.")
                continue
            cap = limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(f"{m.filename} is {m.size} bytes; the limit is {cap} bytes.")
        return errors

    # ------------------------------------------------------------------ publishing

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        """Upload the media of every part not out yet (each part's own, attached to that
        part's status), wait for their processing, then post the parts as a reply chain. A
        thread that stopped at part k (`thread_done`) uploads and posts from part k only."""
        pending = thread_pending(request) | {"idempotency_key": request.idempotency_key}
        # Media steps never create a post, so a retry cannot duplicate anything.
        with TransientError.nothing_created():
            waiting: list[str] = []

            def upload(item: MediaItem) -> str:
                media_id, ready = self._upload(token, item)
                if not ready:
                    waiting.append(media_id)
                return media_id

            upload_part_media(request, pending, upload)
            deadline = time.monotonic() + self.media_wait_s
            delay = self.media_poll_s
            while waiting and time.monotonic() < deadline:
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                waiting = [m for m in waiting if self._media_state(token, m) == "processing"]
                delay = min(delay * 1.5, 3.0)
        if waiting:
            return PublishResult(state="pending", pending_state=pending)
        return self._post_statuses(token, pending)

    def _upload(self, token: TokenSet, item: MediaItem) -> tuple[str, bool]:
        """POST /api/v2/media → (id, processed). 200 = ready, 202 = still processing."""
        data = {"description": item.alt_text} if item.alt_text else None
        with item.open() as fh:
            response = self._request(
                "POST",
                "/api/v2/media",
                token=token,
                files={"file": (item.filename, fh, item.mime)},
                data=data,
            )
        return str(response.json()["id"]), response.status_code == 200

    def _media_state(self, token: TokenSet, media_id: str) -> str:
        """'ready' (200), 'processing' (206) or 'gone' (404: attached elsewhere or deleted)."""
        try:
            response = self._request("GET", f"/api/v1/media/{media_id}", token=token)
        except PermanentError as exc:
            if exc.status == 404:
                return "gone"
            raise
        return "processing" if response.status_code == 206 else "ready"

    def _post_statuses(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        opts = pending["options"]
        key = pending["idempotency_key"]
        done = pending.get("thread_done") or []
        urls: list[str | None] = [None for _ in done]

        def post(i: int, text: str, reply_to: str | None) -> str:
            body: dict[str, Any] = {"status": text}
            for name in ("visibility", "spoiler_text", "sensitive", "language"):
                if name in opts:
                    body[name] = opts[name]
            media_ids = pending_part_media(pending, i)
            if media_ids:
                body["media_ids"] = media_ids
            if reply_to:
                body["in_reply_to_id"] = reply_to
            headers = {"Idempotency-Key": key if i == 0 else f"{key}:{i}"} if key else {}
            status = self._request(
                "POST", "/api/v1/statuses", token=token, json=body, headers=headers
            ).json()
            status_id = str(status["id"])
            urls.append(status.get("url") or status.get("uri"))
            return status_id

        ids = post_reply_chain(pending["parts"], done, post, opts.get("in_reply_to_id"))
        return PublishResult(
            state="published",
            platform_post_id=ids[0],
            permalink=urls[0],
            extra={"thread_ids": ids, "thread_urls": urls},
        )

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        states = [self._media_state(token, m) for m in pending_state.get("media_ids", [])]
        if "gone" in states:
            return StatusResult(
                "failed", "An uploaded attachment is no longer available", None, pending_state
            )
        if "processing" in states:
            return StatusResult("processing", "Mastodon is processing media", 2.0, pending_state)
        return StatusResult("ready", None, None, pending_state)

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        failed = "Media processing failed"
        return self._publish_when_ready(
            token, pending_state, self._post_statuses, failed, wait=False
        )

    # ------------------------------------------------------------------ reading back

    def _read_token(self, token: TokenSet) -> TokenSet | None:
        """The token if it may read statuses; otherwise read anonymously (public posts only)."""
        return token if token.has_scope("read", "read:statuses") else None

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        account_id = token.extra.get("account_id") or self._credentials(token)["id"]
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        found: list[RecentPost] = []
        params: dict[str, Any] = {"limit": 40, "exclude_reblogs": "true"}
        for _ in range(5):  # at most 200 statuses back
            page = self._request(
                "GET",
                f"/api/v1/accounts/{account_id}/statuses",
                token=self._read_token(token),
                params=params,
            ).json()
            for status in page:
                created = _parse_time(status["created_at"])
                if created < since:
                    return found
                found.append(
                    RecentPost(
                        platform_post_id=str(status["id"]),
                        text=html_to_text(status.get("content") or ""),
                        created_at=created,
                        permalink=status.get("url") or status.get("uri"),
                    )
                )
            if len(page) < params["limit"]:
                break
            params["max_id"] = page[-1]["id"]
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        status = self._request(
            "GET", f"/api/v1/statuses/{platform_post_id}", token=self._read_token(token)
        ).json()
        metrics = counters(
            status, likes="favourites_count", comments="replies_count", shares="reblogs_count"
        )
        if status.get("quotes_count") is not None:
            metrics["quotes"] = int(status["quotes_count"])
        return metrics

    def account_metrics(self, token: TokenSet) -> Metrics:
        acc = self._credentials(token)
        return counters(
            acc, followers="followers_count", following="following_count", posts="statuses_count"
        )

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        message = self._error_message(response)
        if status == 401:
            return AuthError(message, refresh_may_help=False, status=401)
        if status == 403 and "outside the authorized scopes" in message:
            return AuthError(message, refresh_may_help=False, status=403, code="insufficient_scope")
        if status == 429:
            return RateLimited(self._mastodon_retry_at(response), message, status=429)
        if status >= 500:
            return TransientError(message, sent=True, status=status)
        if status == 422 and NOT_READY in message:
            # The status was refused, nothing was created: safe to retry once media is ready.
            return TransientError(message, sent=False, status=422)
        if status == 422 and message == "Duplicate record":
            return PermanentError(message, duplicate=True, status=422)
        return PermanentError(message, status=status)

    def _mastodon_retry_at(self, response: httpx.Response) -> datetime:
        reset = response.headers.get("X-RateLimit-Reset")
        if reset:
            try:
                return _parse_time(reset)
            except ValueError:
                pass
        return self._retry_at(response, default_s=300.0)
