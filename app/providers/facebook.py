"""Facebook Pages (Graph API), platform-apis.md §3 (Meta Graph conventions) and §4.

OAuth (Facebook Login, no PKCE): the dialog at `{auth_base}/{version}/dialog/oauth`; the code
becomes a short-lived user token at `GET {api_base}/{version}/oauth/access_token`, which
`exchange_code` immediately trades for a long-lived (~60 d) user token
(`grant_type=fb_exchange_token`). There is no refresh token: `refresh` re-exchanges a
long-lived *user* token; *Page* tokens (what Herald publishes with) never expire when minted
from a long-lived user token, so refreshing one is a no-op. `publish_targets` lists the Pages
the user manages (`GET /me/accounts`), each with its Page token (no expiry);
`AccountInfo.metadata` keeps {"page_id", "kind": "page", ...}.

Publishing (Page token): text/link → `POST /{page}/feed`; one photo → `POST /{page}/photos`
(`url` when MediaItem.url is set, else multipart `source`); several photos → each uploaded with
`published=false`, then `/feed` with `attached_media`; a video → `POST {video_base}/{v}/{page}/
videos` with `file_url` (MediaItem.url), else the resumable start/transfer/finish upload,
streamed chunk by chunk at the offsets Facebook asks for. A video is processed before its post
appears: `publish` polls up to `media_wait_s`, then returns a pending result that
`check_status` (read only) and `finalize` complete.

Options (request.options):
  link            URL attached to a text post (no media)
  first_comment   text of a comment the Page posts under the new post
  video_title     title of an uploaded video

Graph has no idempotency key for posts: after a timeout the caller checks `find_recent`.
Text: 63,206 characters, counted as UTF-16 code units (an emoji outside the BMP counts 2).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.providers import facebook_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.facebook_text import MAX_TEXT, text_length
from app.providers.meta import (
    THROTTLE_CODES,
    TRANSIENT_CODES,
    GraphProvider,
    graph_fault,
    graph_retry_at,
    long_lived_token,
)
from app.providers.network import MEASURED, CaptionStyle, Limits, Look
from app.providers.options import PostOptions, option
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult

DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_AUTH_BASE = "https://www.facebook.com"
DEFAULT_VIDEO_BASE = "https://graph-video.facebook.com"
DEFAULT_VERSION = "v25.0"
DEFAULT_SCOPES = (
    "pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement,"
    "read_insights,publish_video"
)
MB = 1024 * 1024
MAX_PHOTOS = 10  # Graph documents no hard cap for attached_media [unconfirmed]
PHOTO_MAX_BYTES = 4 * MB  # failures above 4 MB (subcode 1366046) [code]
VIDEO_MAX_BYTES = 10 * 1024 * MB
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff", "image/webp", "image/heif"}
)
VIDEO_TYPES = frozenset(
    {
        "video/mp4",
        "video/quicktime",
        "video/x-msvideo",
        "video/x-matroska",
        "video/webm",
        "video/mpeg",
        "video/3gpp",
        "video/x-m4v",
    }
)
AUTH_CODES = {102, 190, 2500, 10} | set(range(200, 300))
TRANSIENT_SUBCODES = {1363047, 1609010}
POSTING_TOO_FAST = 1390008
DUPLICATE_SUBCODES = {1366051}
POST_INSIGHTS = ("post_media_view", "post_total_media_view_unique", "post_clicks")


DEFAULT_LIMITS = Limits(
    max_text_length=MAX_TEXT,
    max_media=MAX_PHOTOS,
    media_types=IMAGE_TYPES | VIDEO_TYPES,
    max_bytes={"image": PHOTO_MAX_BYTES, "video": VIDEO_MAX_BYTES},
    counter=text_length,
)


def _picture(node: dict[str, Any]) -> str | None:
    picture = node.get("picture")
    if isinstance(picture, dict):
        data = picture.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            result: str | None = data["url"]
            return result
    return None


class FacebookOptions(PostOptions):
    link: str | None = option("Link", "A link preview attached to the post.")
    first_comment: str | None = option(
        "First comment", "Posted as a comment right after.", multiline=True
    )
    video_title: str | None = option("Video title", advanced=True)


class FacebookProvider(GraphProvider):
    id = "facebook"
    display_name = "Facebook"
    alt_text_limit = 1000
    # Page tokens (from a long-lived user token) do not expire and have no refresh.
    capabilities = MEASURED.plus(images=True, video=True, pending_publish=True)
    app_credentials = "app id and secret"
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = facebook_text
    options_model = FacebookOptions
    look = Look(
        mark="f", color="#4f46e5", link_color="#1877f2",
        actions=("thumbs-up", "message-circle", "share-2"), subtitle="Just now · Public",
        at_handle=False,
        chart_color="var(--indigo-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character, an emoji counts 2",
        "warm and community-minded; 40-80 words work best even though far more is allowed; "
        "hashtags are secondary",
    )
    # No published per-Page cap; the Page call limit (4,800/day, 2-4 calls a publish) binds.
    rate_budgets = {"account": (50, 3600)}
    # Only long-lived *user* tokens expire (60 d, re-exchanged); Page tokens never do.
    refresh_ahead = timedelta(days=15)

    default_auth_base = DEFAULT_AUTH_BASE
    default_scopes = DEFAULT_SCOPES
    default_version = DEFAULT_VERSION
    query_safe = ","

    throttle_backoff_s = 3600.0
    settings = ("throttle_backoff_s",)

    def __init__(self, *, video_base: str | None = None, **config: Any) -> None:
        super().__init__(**config)
        default_video = DEFAULT_VIDEO_BASE if self.api_base == DEFAULT_API_BASE else self.api_base
        self.video_base = (video_base or default_video).rstrip("/")

    # ------------------------------------------------------------------ OAuth

    def _authorize_endpoint(self, auth_base: str) -> str:
        return f"{auth_base}/{self.version}/dialog/oauth"

    def _access_token(self, params: dict[str, str]) -> dict[str, Any]:
        return self._token_request("GET", self._graph("/oauth/access_token"), params=params)

    def _user_token(self, body: dict[str, Any], previous: TokenSet | None) -> TokenSet:
        extra = dict(previous.extra) if previous else {}
        extra["kind"] = "user"
        scope = previous.scope if previous else self.scopes.replace(",", " ")
        return long_lived_token(body, scope=scope, extra=extra)

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        """Code → short-lived user token → long-lived (~60-day) user token."""
        client_id, secret = self._app()
        short = self._access_token(
            {
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uri": redirect_uri,
                "code": code,
            }
        )
        token = self._exchange(short["access_token"], None)
        try:
            granted = self._granted(token)
        except ProviderError:
            granted = []
        if granted:
            token.scope = " ".join(granted)
        return token

    def _exchange(self, value: str, previous: TokenSet | None) -> TokenSet:
        client_id, secret = self._app()
        body = self._access_token(
            {
                "grant_type": "fb_exchange_token",
                "client_id": client_id,
                "client_secret": secret,
                "fb_exchange_token": value,
            }
        )
        return self._user_token(body, previous)

    def refresh(self, token: TokenSet) -> TokenSet:
        """Page tokens need none (they do not expire); a user token is re-exchanged."""
        if self._is_page(token):
            return token
        return self._exchange(token.access_token, token)

    def revoke(self, token: TokenSet) -> None:
        """Removes the app's grant for a *user* token; disconnecting a Page revokes nothing
        (the same grant serves the user's other Pages)."""
        if self._is_page(token):
            return
        self._request("DELETE", self._graph("/me/permissions"), token=token)

    def _granted(self, token: TokenSet) -> list[str]:
        body = self._read(token, "/me/permissions")
        rows = body.get("data") if isinstance(body, dict) else None
        return [
            str(r["permission"])
            for r in rows or []
            if isinstance(r, dict) and r.get("status") == "granted" and r.get("permission")
        ]

    # ------------------------------------------------------------------ accounts

    @staticmethod
    def _is_page(token: TokenSet) -> bool:
        return token.extra.get("kind") == "page" or bool(token.extra.get("page_id"))

    def _page_id(self, token: TokenSet) -> str:
        for key in ("page_id", "account_id"):
            if token.extra.get(key):
                return str(token.extra[key])
        body = self._read(token, "/me", {"fields": "id"})
        if not isinstance(body, dict) or not body.get("id"):
            raise PermanentError("Facebook did not return the Page")
        token.extra["page_id"] = str(body["id"])
        result: str = token.extra["page_id"]
        return result

    @staticmethod
    def _page_info(page: dict[str, Any]) -> AccountInfo:
        page_id = str(page["id"])
        username = str(page.get("username") or page_id)
        return AccountInfo(
            platform_account_id=page_id,
            name=str(page.get("name") or username),
            username=username,
            avatar_url=_picture(page),
            metadata={
                "kind": "page",
                "page_id": page_id,
                "username": username,
                "category": page.get("category"),
                "tasks": page.get("tasks"),
                "url": page.get("link") or f"https://www.facebook.com/{page_id}",
            },
        )

    def account_info(self, token: TokenSet) -> AccountInfo:
        """The Page of a Page token; the person of a user token."""
        if self._is_page(token):
            page = self._read(
                token,
                f"/{self._page_id(token)}",
                {"fields": "id,name,username,category,link,picture"},
            )
            return self._page_info(page)
        me = self._read(token, "/me", {"fields": "id,name,picture"})
        if not isinstance(me, dict) or not me.get("id"):
            raise PermanentError("Facebook did not return the account")
        return AccountInfo(
            platform_account_id=str(me["id"]),
            name=str(me.get("name") or me["id"]),
            username=str(me["id"]),
            avatar_url=_picture(me),
            metadata={"kind": "user", "user_id": str(me["id"])},
        )

    def publish_targets(self, token: TokenSet) -> list[tuple[AccountInfo, TokenSet]]:
        """Every Page the user manages, each with its Page token (no expiry)."""
        if self._is_page(token):
            return [(self.account_info(token), token)]
        params: dict[str, Any] = {
            "fields": "id,name,username,category,link,tasks,access_token,picture",
            "limit": 100,
        }
        out: list[tuple[AccountInfo, TokenSet]] = []
        for page in self._paged(token, "/me/accounts", params, pages=20):
            if not isinstance(page, dict) or not page.get("access_token"):
                continue
            info = self._page_info(page)
            page_token = TokenSet(
                access_token=str(page["access_token"]),
                refresh_token=None,
                expires_at=None,
                scope=token.scope,
                extra={**info.metadata, "account_id": info.platform_account_id},
            )
            out.append((info, page_token))
        return out

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        media = request.media
        link = opts.get("link")
        if not request.text.strip() and not media and not link:
            errors.append("A Facebook post needs text, a link, a photo or a video.")
        n = self.limits.count_text(request.text)
        if n > self.limits.max_text_length:
            errors.append(
                f"The post is {n} characters as Facebook counts them; the limit is "
                f"{self.limits.max_text_length}."
            )
        if isinstance(link, str) and not link.startswith(("http://", "https://")):
            errors.append("The link must be an http(s) URL.")
        if link and media:
            errors.append("A Facebook link post cannot also carry photos or a video.")
        videos = [m for m in media if m.kind == "video"]
        if videos and len(media) > 1:
            errors.append("A Facebook post holds one video, or photos, not both.")
        if len(media) > self.limits.max_media:
            errors.append(f"At most {self.limits.max_media} photos in one Facebook post.")
        for item in media:
            errors.extend(self._media_problems(item))
        first = opts.get("first_comment")
        if isinstance(first, str) and self.limits.count_text(first) > self.limits.max_text_length:
            errors.append("The first comment is too long.")
        return errors

    def _media_problems(self, item: MediaItem) -> list[str]:
        types = self.limits.media_types
        if item.kind not in ("image", "video") or (types and item.mime not in types):
            return [f"{item.filename}: Facebook does not take {item.mime} files."]
        limit = self.limits.max_size_for(item.mime)
        if limit and item.size > limit:
            return [f"{item.filename} is larger than Facebook's {limit // MB} MB limit."]
        return []

    # ------------------------------------------------------------------ publishing

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        self._refuse_invalid(request)
        page_id = self._page_id(token)
        opts = request.options
        media = request.media
        if media and media[0].kind == "video":
            return self._publish_video(token, page_id, request)
        if len(media) == 1:
            body = self._photo(token, page_id, media[0], request.text, published=True)
            post_id = str(body.get("post_id") or body["id"])
        else:
            params: dict[str, Any] = {}
            if media:
                ids = []
                for item in media:
                    # An unpublished photo is no post: safe to retry.
                    with TransientError.nothing_created():
                        ids.append(
                            str(self._photo(token, page_id, item, "", published=False)["id"])
                        )
                params["attached_media"] = json.dumps([{"media_fbid": i} for i in ids])
            if request.text:
                params["message"] = request.text
            if opts.get("link"):
                params["link"] = opts["link"]
            body = self._request(
                "POST", self._graph(f"/{page_id}/feed"), token=token, data=params
            ).json()
            if not isinstance(body, dict) or not body.get("id"):
                raise TransientError("Facebook answered the post without an id", sent=True)
            post_id = str(body["id"])
        return self._published(token, post_id, opts.get("first_comment"))

    def _photo(
        self, token: TokenSet, page_id: str, item: MediaItem, text: str, *, published: bool
    ) -> dict[str, Any]:
        data: dict[str, str] = {"published": "true" if published else "false"}
        if text:
            data["message"] = text
        if item.alt_text:
            data["alt_text_custom"] = item.alt_text
        path = self._graph(f"/{page_id}/photos")
        if item.url:
            data["url"] = item.url
            body = self._request("POST", path, token=token, data=data).json()
        else:
            with item.open() as fh:
                files = {"source": (item.filename, fh, item.mime)}
                body = self._request("POST", path, token=token, data=data, files=files).json()
        if not isinstance(body, dict) or not body.get("id"):
            raise TransientError("Facebook answered the photo upload without an id", sent=True)
        return body

    def _publish_video(
        self, token: TokenSet, page_id: str, request: PublishRequest
    ) -> PublishResult:
        item = request.media[0]
        data: dict[str, str] = {}
        if request.text:
            data["description"] = request.text
        if request.options.get("video_title"):
            data["title"] = request.options["video_title"]
        url = f"{self.video_base}/{self.version}/{page_id}/videos"
        if item.url:
            body = self._request(
                "POST", url, token=token, data={**data, "file_url": item.url}
            ).json()
            video_id = str((body or {}).get("id") or "")
        else:
            video_id = self._upload_video(token, url, item, data)
        if not video_id:
            raise TransientError("Facebook answered the video upload without an id", sent=True)
        pending = {
            "page_id": page_id,
            "video_id": video_id,
            "first_comment": request.options.get("first_comment"),
        }
        return self._publish_when_ready(
            token, pending, self.finalize, "Facebook could not process the video", wait=True
        )

    def _upload_video(
        self, token: TokenSet, url: str, item: MediaItem, data: dict[str, str]
    ) -> str:
        """Resumable upload: start → transfer (the chunk Facebook asks for, streamed) → finish."""
        try:
            start = self._request(
                "POST",
                url,
                token=token,
                data={"upload_phase": "start", "file_size": str(item.size)},
            ).json()
            session = str(start.get("upload_session_id") or "")
            video_id = str(start.get("video_id") or "")
            if not session or not video_id:
                raise PermanentError("Facebook did not start the video upload")
            begin, end = int(start.get("start_offset", 0)), int(start.get("end_offset", 0))
            with item.open() as fh:
                while begin < end:
                    fh.seek(begin)
                    chunk = fh.read(end - begin)
                    answer = self._request(
                        "POST",
                        url,
                        token=token,
                        data={
                            "upload_phase": "transfer",
                            "upload_session_id": session,
                            "start_offset": str(begin),
                        },
                        files={
                            "video_file_chunk": (item.filename, chunk, "application/octet-stream")
                        },
                    ).json()
                    begin, end = int(answer["start_offset"]), int(answer["end_offset"])
        except TransientError as exc:
            exc.sent = False  # nothing is published before the finish phase
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError(
                f"Facebook's upload answer was malformed: {exc}", sent=False
            ) from exc
        body = self._request(
            "POST",
            url,
            token=token,
            data={**data, "upload_phase": "finish", "upload_session_id": session},
        ).json()
        if not isinstance(body, dict) or body.get("success") is not True:
            raise PermanentError("Facebook did not accept the finished video upload")
        return video_id

    def _video(self, token: TokenSet, video_id: str) -> dict[str, Any]:
        body = self._read(token, f"/{video_id}", {"fields": "status,post_id,permalink_url"})
        return body if isinstance(body, dict) else {}

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        try:
            body = self._video(token, pending_state["video_id"])
        except PermanentError as exc:
            return StatusResult("failed", exc.message, None, pending_state)
        status = body.get("status") or {}
        processing = (status.get("processing_phase") or {}).get("status")
        if status.get("video_status") == "error" or processing == "error":
            errors = (status.get("processing_phase") or {}).get("errors") or []
            detail = errors[0].get("message") if errors and isinstance(errors[0], dict) else None
            return StatusResult(
                "failed",
                f"Facebook could not process the video: {detail or 'processing failed'}",
                None,
                pending_state,
            )
        if status.get("video_status") == "ready" and body.get("post_id"):
            return StatusResult("ready", None, None, pending_state)
        return StatusResult(
            "processing", "Facebook is processing the video", self.media_poll_s, pending_state
        )

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        """The video publishes itself once processed; this reads its post back."""
        failed = "Facebook could not process the video"
        return self._publish_when_ready(
            token, pending_state, self._video_published, failed, wait=False
        )

    def _video_published(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        body = self._video(token, pending_state["video_id"])
        result = self._published(
            token, str(body["post_id"]), pending_state.get("first_comment"), read_link=False
        )
        link = body.get("permalink_url")
        if isinstance(link, str):
            result.permalink = (
                link if link.startswith("http") else f"https://www.facebook.com{link}"
            )
        result.extra["video_id"] = pending_state["video_id"]
        return result

    def _published(
        self, token: TokenSet, post_id: str, first_comment: Any, read_link: bool = True
    ) -> PublishResult:
        result = PublishResult(state="published", platform_post_id=post_id)
        if read_link:
            result.permalink = self._permalink(token, post_id, "permalink_url")
        if first_comment:
            try:
                body = self._request(
                    "POST",
                    self._graph(f"/{post_id}/comments"),
                    token=token,
                    data={"message": first_comment},
                ).json()
                result.extra["first_comment_id"] = str(body.get("id"))
            except ProviderError as exc:  # the post is out; report, don't fail it
                result.extra["first_comment_error"] = exc.message
        return result

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        path = f"/{self._page_id(token)}/published_posts"
        return self._recent(
            token, path, since, text="message", created="created_time", link="permalink_url"
        )

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        body = self._read(
            token,
            f"/{platform_post_id}",
            {
                "fields": "shares,reactions.summary(total_count).limit(0),"
                "comments.summary(total_count).limit(0)"
            },
        )
        out: Metrics = {
            "likes": _summary_total(body, "reactions"),
            "comments": _summary_total(body, "comments"),
            "shares": int(((body or {}).get("shares") or {}).get("count") or 0),
        }
        try:
            insights = self._insights(token, platform_post_id, POST_INSIGHTS, period="lifetime")
        except PermanentError:
            return out  # insights can be unavailable (small Pages, removed metrics)
        values = _insight_values(insights)
        out["views"] = values.get("post_media_view", 0)
        out["reach"] = values.get("post_total_media_view_unique", 0)
        out["clicks"] = values.get("post_clicks", 0)
        return out

    def account_metrics(self, token: TokenSet) -> Metrics:
        body = self._read(
            token, f"/{self._page_id(token)}", {"fields": "followers_count,fan_count"}
        )
        body = body if isinstance(body, dict) else {}
        followers = body.get("followers_count")
        if followers is None:
            followers = body.get("fan_count")
        return {"followers": int(followers or 0), "fans": int(body.get("fan_count") or 0)}

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        error, code, subcode, kw = graph_fault(response)
        message = str(error.get("message") or self._error_message(response))
        if code in THROTTLE_CODES or (code is None and status == 429):
            return RateLimited(graph_retry_at(response, self.throttle_backoff_s), message, **kw)
        if subcode == POSTING_TOO_FAST:
            return RateLimited(datetime.now(UTC) + timedelta(minutes=10), message, **kw)
        if code in AUTH_CODES or (code is None and status == 401):
            # Page tokens have no refresh; a refused one needs the user to reconnect.
            return AuthError(message, refresh_may_help=False, **kw)
        if code == 506 or subcode in DUPLICATE_SUBCODES:
            return PermanentError(message, duplicate=True, **kw)
        if code == 368:
            lowered = message.lower()
            duplicate = "already posted" in lowered or "duplicate" in lowered
            return PermanentError(message, duplicate=duplicate, **kw)
        if (
            status >= 500
            or code in TRANSIENT_CODES
            or subcode in TRANSIENT_SUBCODES
            or error.get("is_transient") is True
        ):
            return TransientError(message, sent=True, **kw)
        return PermanentError(message, **kw)


def _summary_total(body: Any, edge: str) -> int:
    node = body.get(edge) if isinstance(body, dict) else None
    summary = node.get("summary") if isinstance(node, dict) else None
    return int((summary or {}).get("total_count") or 0)


def _insight_values(body: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in (body.get("data") if isinstance(body, dict) else None) or []:
        if not isinstance(row, dict) or "name" not in row or not row.get("values"):
            continue
        value = row["values"][-1].get("value")
        if isinstance(value, dict):
            value = sum(v for v in value.values() if isinstance(v, int))
        out[row["name"]] = int(value or 0)
    return out
