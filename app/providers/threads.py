"""Threads (graph.threads.net), platform-apis.md §3 (Meta Graph conventions) and §8.

OAuth: the authorize URL on threads.net, then `POST /oauth/access_token` (a short-lived 1 h
token) which `exchange_code` immediately trades for a long-lived 60-day token with
`GET /access_token?grant_type=th_exchange_token`. There is no refresh token: `refresh` trades the
(unexpired, at least 24 h old) long-lived token itself for a new one with
`GET /refresh_access_token?grant_type=th_refresh_token`.

Publishing is container → (poll) → publish. Media must be on public URLs (Meta fetches them), so
attachments come from `options["media_urls"]` (strings, or {"url", "type", "alt_text"} dicts);
uploaded MediaItems cannot be used. When the container is not FINISHED within `media_wait_s`,
`publish` returns a pending result that `check_status` (read only) and `finalize` complete.

Threads has no idempotency key: a publish that timed out may have created the post, so the
caller checks `find_recent` before retrying. Text limit: 500, emoji counted by UTF-8 bytes.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx

from app.providers import threads_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.base import post_reply_chain
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.meta import (
    THROTTLE_CODES,
    TRANSIENT_CODES,
    GraphProvider,
    graph_fault,
    graph_retry_at,
    insight_values,
    long_lived_token,
)
from app.providers.network import OAUTH_MEASURED, CaptionStyle, Limits, Look
from app.providers.options import PostOptions, option, reply_to_option, thread_option
from app.providers.posts import PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult
from app.providers.threads_text import MAX_TEXT, text_length

DEFAULT_API_BASE = "https://graph.threads.net"
DEFAULT_AUTH_BASE = "https://threads.net"
DEFAULT_VERSION = "v1.0"
DEFAULT_SCOPES = (
    "threads_basic,threads_content_publish,threads_manage_replies,"
    "threads_read_replies,threads_manage_insights"
)
SHORT_TTL_S = 3600
MAX_CAROUSEL = 20
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v")
AUTH_CODES = {102, 190, 2500}
NOT_READY = (9007, 2207027)
QUOTA = (9, 2207042)
POST_METRICS = ("views", "likes", "replies", "reposts", "quotes")


DEFAULT_LIMITS = Limits(
    max_text_length=MAX_TEXT,
    max_media=MAX_CAROUSEL,
    media_types=frozenset(),
    max_bytes={},
    counter=text_length,
)


class ThreadsOptions(PostOptions):
    reply_control: Literal["everyone", "accounts_you_follow", "mentioned_only"] | None = option(
        "Who can reply",
        unset="Default (everyone)",
        choices={
            "everyone": "Everyone",
            "accounts_you_follow": "Accounts you follow",
            "mentioned_only": "Mentioned only",
        },
    )
    topic_tag: str | None = option("Topic")
    link_attachment: str | None = option("Link attachment")
    media_urls: Any = option(
        "Media URLs", "Public addresses of images and videos (or url/type/alt_text).",
        advanced=True,
    )  # fmt: skip
    thread: list[str] | None = thread_option()
    reply_to_id: str | None = reply_to_option()


class ThreadsProvider(GraphProvider):
    id = "threads"
    display_name = "Threads"
    alt_text_limit = 1000
    capabilities = OAUTH_MEASURED.plus(images=True, video=True, mixed_media=True, threads=True)
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = threads_text
    options_model = ThreadsOptions
    look = Look(
        mark="@", color="#a16207", link_color="#0095f6",
        actions=("heart", "message-circle", "repeat", "send"), show_handle=True,
        text_size="15px",
        chart_color="var(--bronze-10)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character, an emoji counts its UTF-8 bytes (usually 4)",
        "conversational, like starting a chat; Threads links one topic tag per post, so put "
        "the most relevant hashtag first",
    )
    rate_budgets = {"account": (250, 24 * 3600)}
    # Long-lived 60-day tokens, refreshable once a day old (§12.2: every ~30-50 days).
    refresh_ahead = timedelta(days=15)

    default_auth_base = DEFAULT_AUTH_BASE
    default_scopes = DEFAULT_SCOPES
    default_version = DEFAULT_VERSION
    authorize_path = "/oauth/authorize"

    # ------------------------------------------------------------------ OAuth

    def _long_lived(self, body: dict[str, Any], previous: TokenSet | None) -> TokenSet:
        extra = dict(previous.extra) if previous else {}
        extra["token_type"] = body.get("token_type", "bearer")
        scope = previous.scope if previous else self.scopes
        return long_lived_token(body, scope=scope, extra=extra)

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        """Code → short-lived token → long-lived (60-day) token."""
        short, long = self._code_to_long_lived(
            "/oauth/access_token",
            code=code,
            redirect_uri=redirect_uri,
            grant_type="th_exchange_token",
        )
        token = self._long_lived(long, None)
        if short.get("user_id") is not None:
            token.extra["user_id"] = str(short["user_id"])
        return token

    def refresh(self, token: TokenSet) -> TokenSet:
        return self._long_lived(self._refresh_long_lived(token, "th_refresh_token"), token)

    # ------------------------------------------------------------------ account

    def _me(self, token: TokenSet, fields: str) -> dict[str, Any]:
        body = self._read(token, "/me", {"fields": fields})
        if not isinstance(body, dict) or not body.get("id"):
            raise PermanentError("Threads did not return the account")
        token.extra["user_id"] = str(body["id"])
        if body.get("username"):
            token.extra["username"] = str(body["username"])
        return body

    def _user_id(self, token: TokenSet) -> str:
        if token.extra.get("user_id"):
            return str(token.extra["user_id"])
        return str(self._me(token, "id,username")["id"])

    def account_info(self, token: TokenSet) -> AccountInfo:
        me = self._me(token, "id,username,name,threads_profile_picture_url")
        username = str(me.get("username") or "")
        return AccountInfo(
            platform_account_id=str(me["id"]),
            name=str(me.get("name") or username),
            username=username,
            avatar_url=me.get("threads_profile_picture_url"),
            metadata={
                "user_id": str(me["id"]),
                "username": username,
                "url": f"https://www.threads.net/@{username}" if username else None,
            },
        )

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _media(request: PublishRequest) -> list[dict[str, Any]]:
        """Normalised media_urls: [{"url", "type": "IMAGE"|"VIDEO", "alt_text"}]."""
        raw = request.options.get("media_urls") or []
        if not isinstance(raw, list):
            raise PermanentError("'media_urls' must be a list of URLs")
        out = []
        for entry in raw:
            item = {"url": entry} if isinstance(entry, str) else entry
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                raise PermanentError("Each media_urls entry must be a URL or {'url': ...}")
            kind = str(item.get("type") or "").upper()
            if not kind:
                path = item["url"].split("?", 1)[0].lower()
                kind = "VIDEO" if path.endswith(VIDEO_SUFFIXES) else "IMAGE"
            out.append({"url": item["url"], "type": kind, "alt_text": item.get("alt_text")})
        return out

    def validate(self, request: PublishRequest) -> list[str]:
        errors = self.option_problems(request.options)
        try:
            media = self._media(request)
        except PermanentError as exc:
            return [*errors, exc.message]
        if request.media:
            errors.append(
                "Threads takes images and videos by their public address only (through the REST "
                "API), not as attached files: post this one without media."
            )
        if not request.text.strip() and not media:
            errors.append("A Threads post needs text or at least one image or video.")
        n = self.limits.count_text(request.text)
        if n > self.limits.max_text_length:
            errors.append(
                f"The post is {n} characters as Threads counts them; the limit is "
                f"{self.limits.max_text_length} (an emoji counts as its UTF-8 bytes, usually 4)."
            )
        thread = request.options.get("thread") or []
        if not isinstance(thread, list) or not all(isinstance(t, str) for t in thread):
            errors.append("'thread' must be a list of texts.")
            thread = []
        for i, text in enumerate(thread, start=2):
            if not text.strip():
                errors.append(f"Thread part {i} is empty.")
            n = self.limits.count_text(text)
            if n > self.limits.max_text_length:
                errors.append(
                    f"Thread part {i} is {n} characters as Threads counts them; the limit is "
                    f"{self.limits.max_text_length}."
                )
        for number, items in enumerate(request.thread_media, start=2):
            if items:  # like the first part's: Meta fetches media from public URLs only
                errors.append(
                    f"Part {number} has media; Threads takes media from public URLs, not library "
                    "files, so thread parts with media cannot go to Threads."
                )
        if len(media) > self.limits.max_media:
            errors.append(f"At most {self.limits.max_media} items in a Threads carousel.")
        for item in media:
            if item["type"] not in ("IMAGE", "VIDEO"):
                errors.append(f"{item['url']}: media type must be IMAGE or VIDEO.")
            if not item["url"].startswith(("http://", "https://")):
                errors.append(f"{item['url']}: Threads needs a public http(s) URL.")
        return errors

    # ------------------------------------------------------------------ publishing

    def _container(self, token: TokenSet, user_id: str, params: dict[str, Any]) -> str:
        missing = PermanentError("Threads did not create the container")
        return self._new_id(token, f"/{user_id}/threads", params, missing)

    def _publish_container(self, token: TokenSet, user_id: str, container: str) -> str:
        """Publish a ready container: the id of the post."""
        missing = TransientError("Threads answered the publish without an id", sent=True)
        return self._new_id(
            token, f"/{user_id}/threads_publish", {"creation_id": container}, missing
        )

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        self._refuse_invalid(request)
        user_id = self._user_id(token)
        media = self._media(request)
        opts = request.options
        chain = {
            "thread": list(opts.get("thread") or []),
            "reply_control": opts.get("reply_control"),
        }
        if request.thread_done:  # the first part is out: go on from the next one
            return self._reply_chain(
                token, {"user_id": user_id, **chain, "thread_done": list(request.thread_done)}
            )
        common = {k: opts[k] for k in ("reply_to_id", "reply_control", "topic_tag") if opts.get(k)}
        # Containers are invisible until published: a retry cannot duplicate a post.
        with TransientError.nothing_created():
            if len(media) > 1:
                children = []
                for item in media:
                    params = self._media_params(item)
                    params["is_carousel_item"] = "true"
                    children.append(self._container(token, user_id, params))
                params = {"media_type": "CAROUSEL", "children": ",".join(children)}
            elif media:
                params = self._media_params(media[0])
            else:
                params = {"media_type": "TEXT"}
                if opts.get("link_attachment"):
                    params["link_attachment"] = opts["link_attachment"]
            if request.text:
                params["text"] = request.text
            container = self._container(token, user_id, {**params, **common})
        pending: dict[str, Any] = {"user_id": user_id, "container_id": container}
        if chain["thread"]:
            pending.update(chain)
        return self._publish_when_ready(
            token, pending, self._publish, "Threads could not process the post", wait=True
        )

    @staticmethod
    def _media_params(item: dict[str, Any]) -> dict[str, Any]:
        key = "video_url" if item["type"] == "VIDEO" else "image_url"
        params = {"media_type": item["type"], key: item["url"]}
        if item.get("alt_text"):
            params["alt_text"] = item["alt_text"]
        return params

    def _status(self, token: TokenSet, container_id: str) -> dict[str, Any]:
        body = self._read(token, f"/{container_id}", {"fields": "status,error_message"})
        return body if isinstance(body, dict) else {}

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        try:
            body = self._status(token, pending_state["container_id"])
        except PermanentError as exc:
            return StatusResult("failed", exc.message, None, pending_state)
        state = body.get("status")
        if state == "FINISHED":
            return StatusResult("ready", None, None, pending_state)
        if state == "PUBLISHED":
            return StatusResult(
                "failed", "The container was already published", None, pending_state
            )
        if state in ("ERROR", "EXPIRED"):
            message = body.get("error_message") or f"The container is {state.lower()}"
            return StatusResult("failed", f"Threads: {message}", None, pending_state)
        return StatusResult(
            "processing", "Threads is processing the media", self.media_poll_s, pending_state
        )

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        return self._publish_when_ready(
            token,
            pending_state,
            self._publish,
            "Publishing failed",
            wait=False,
            duplicate_if="already published",
        )

    def _publish(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        media_id = self._publish_container(token, pending["user_id"], pending["container_id"])
        if pending.get("thread"):
            return self._reply_chain(token, {**pending, "thread_done": [media_id]})
        return PublishResult(
            state="published",
            platform_post_id=media_id,
            permalink=self._permalink(token, media_id),
            extra={"container_id": pending["container_id"]},
        )

    def _reply_chain(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        """The thread's further parts, each a text post replying to the one before; the
        parts in `thread_done` are out already and skipped."""

        def post(i: int, text: str, reply_to: str | None) -> str:
            params = {"media_type": "TEXT", "text": text, "reply_to_id": reply_to}
            if pending.get("reply_control"):
                params["reply_control"] = pending["reply_control"]
            with TransientError.nothing_created():  # an unpublished container is invisible
                container = self._container(token, pending["user_id"], params)
                self._wait_for(token, container)
            return self._publish_container(token, pending["user_id"], container)

        ids = post_reply_chain([""] + list(pending["thread"]), pending["thread_done"], post)
        return PublishResult(
            state="published",
            platform_post_id=ids[0],
            permalink=self._permalink(token, ids[0]),
            extra={"thread_ids": ids},
        )

    def _wait_for(self, token: TokenSet, container: str) -> None:
        """Until a reply's text container is ready (text containers are ready at once)."""
        deadline = time.monotonic() + self.media_wait_s
        while True:
            status = self.check_status(token, {"container_id": container})
            if status.state == "ready":
                return
            if status.state == "failed":
                raise PermanentError(status.message or "Threads could not process the reply")
            if time.monotonic() + self.media_poll_s > deadline:
                raise TransientError("Threads took too long to prepare a reply", sent=False)
            time.sleep(self.media_poll_s)

    def publishing_quota(self, token: TokenSet) -> dict[str, int]:
        """{"used", "total", "window_s"} of the rolling 24-hour posting quota."""
        path = f"/{self._user_id(token)}/threads_publishing_limit"
        return self._publishing_quota(token, path, 250, 86400)

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        # Threads' edges mark a further page by the cursor alone (no paging.next).
        path = f"/{self._user_id(token)}/threads"
        return self._recent(
            token, path, since, text="text", created="timestamp", link="permalink", need_next=False
        )

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        values = insight_values(self._insights(token, platform_post_id, POST_METRICS))
        return {
            "views": values.get("views", 0),
            "likes": values.get("likes", 0),
            "comments": values.get("replies", 0),
            "shares": values.get("reposts", 0),
            "quotes": values.get("quotes", 0),
        }

    def account_metrics(self, token: TokenSet) -> Metrics:
        body = self._read(
            token, f"/{self._user_id(token)}/threads_insights", {"metric": "followers_count"}
        )
        return {"followers": insight_values(body).get("followers_count", 0)}

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        error, code, subcode, kw = graph_fault(response)
        message = str(error.get("message") or self._error_message(response))
        if code in AUTH_CODES or (code is None and status == 401):
            # Threads refreshes the access token itself: a refused token cannot be refreshed.
            return AuthError(message, refresh_may_help=False, **kw)
        if code in THROTTLE_CODES or (code, subcode) == QUOTA or (code is None and status == 429):
            return RateLimited(graph_retry_at(response), message, **kw)
        if (code, subcode) == NOT_READY:
            return TransientError(message, sent=False, **kw)
        if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient") is True:
            return TransientError(message, sent=True, **kw)
        if code == 506:
            return PermanentError(message, duplicate=True, **kw)
        return PermanentError(message, **kw)
