"""YouTube (Data API v3), platform-apis.md §6.

OAuth: Google OAuth 2.0 with PKCE (S256), `access_type=offline&prompt=consent` so a refresh token
is issued on every connect. Access tokens live one hour; refresh tokens are not rotated (the
refresh answer has no new one, the old one is kept). `invalid_grant` on refresh (revoked, unused
for six months, or the 7-day limit of an app in Testing) means reconnect. Revoke at
oauth2.googleapis.com/revoke. Hosts are configurable: `auth_base` (accounts.google.com),
`token_base` (oauth2.googleapis.com), `api_base` (www.googleapis.com, data and upload API).

Accounts: a Google token acts for the one channel picked on the consent screen (a personal
channel or a brand account). `publish_targets` lists what `channels?mine=true` returns (with the
token to publish as each); to connect a second channel the user connects again and picks it.

Publishing is video only: one video MediaItem (plus, optionally, one JPEG/PNG image used as the
custom thumbnail). The file goes up with the resumable protocol: a session is opened with the
metadata, then the bytes are streamed from `MediaItem.open()` in chunks of `chunk_size` (a
multiple of 256 KiB) with Content-Range; a 308 answer's Range says where to continue; a failed
chunk (5xx, timeout, dropped connection) is resumed after probing the session with
`Content-Range: bytes */total`, never restarted. YouTube creates the video only when the last
byte arrives, so a failure before that is `TransientError(sent=False)`. Then YouTube processes
the video; when that takes longer than `processing_wait_s`, `publish` returns a pending result
that `check_status` (read only) and `finalize` complete.

request.options:
  title (required, ≤100 characters, no < or >), description (≤5000 UTF-8 bytes, no < or >;
  defaults to the post text), tags (list of strings, ≤500 characters in all as YouTube counts
  them), privacy ("public" default | "unlisted" | "private"), category_id (e.g. "22"),
  made_for_kids (bool, default false), publish_at (ISO 8601 time in the future: a scheduled
  private video that YouTube makes public then), notify_subscribers (bool, default true),
  embeddable (bool), license ("youtube" | "creativeCommon"), thumbnail_url (an http(s) JPEG/PNG
  fetched and set as the thumbnail, when no image is attached).

Quota: every project has 10,000 units a day (videos.insert = 1,600 in the classic model) reset
at midnight Pacific time; `quotaExceeded` → RateLimited until then. `rateLimitExceeded` → a
short RateLimited (Retry-After, else `short_backoff_s`). `uploadLimitExceeded` (the channel's
daily cap) → RateLimited for `upload_limit_wait_s`. YouTube has no idempotency key and no
duplicate error at upload time: a re-uploaded file is rejected after processing
(rejectionReason "duplicate" → PermanentError(duplicate=True)).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as dtime
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from app.net import outbound
from app.providers import youtube_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.network import OAUTH_MEASURED, CaptionStyle, Limits, Look
from app.providers.oauth2 import OAuth2Provider, expires_at
from app.providers.oauth2 import json_or_none as _json
from app.providers.options import PostOptions, option
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult, counters
from app.providers.youtube_text import (
    MAX_DESCRIPTION_BYTES,
    MAX_TAGS_CHARS,
    MAX_TITLE_CHARS,
    description_bytes,
    tags_length,
    title_length,
)

DEFAULT_API_BASE = "https://www.googleapis.com"
DEFAULT_AUTH_BASE = "https://accounts.google.com"
DEFAULT_TOKEN_BASE = "https://oauth2.googleapis.com"
DEFAULT_WEB_BASE = "https://www.youtube.com"
DEFAULT_VERSION = "v3"
SCOPE = "https://www.googleapis.com/auth/"
DEFAULT_SCOPES = f"{SCOPE}youtube.upload {SCOPE}youtube.readonly"
TOKEN_TTL_S = 3599
KIB256 = 256 * 1024
MIB = 1024 * 1024
DEFAULT_CHUNK = 8 * MIB
MAX_VIDEO_BYTES = 256 * 1024**3  # mediaUpload.maxSize of videos.insert
MAX_THUMBNAIL_BYTES = 2 * MIB
# Assignable categories (videoCategories.list, regionCode=US); 22 = People & Blogs.
CATEGORIES: tuple[str, ...]
CATEGORIES = ("1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28")
CATEGORIES += ("29",)
VIDEO_TYPES = (
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-matroska",
    "video/x-msvideo",
    "video/mpeg",
    "video/3gpp",
    "video/x-flv",
    "video/x-ms-wmv",
    "application/octet-stream",
)
THUMBNAIL_TYPES = ("image/jpeg", "image/png")
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
RATE_REASONS = {
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "servingLimitExceeded",
    "concurrentLimitExceeded",
}
AUTH_REASONS = {"authError", "required", "invalidCredentials", "expired", "unauthorized"}
DEAD_ACCOUNT_REASONS = {"youtubeSignupRequired", "accountClosed", "accountSuspended"}

try:
    PACIFIC: Any = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # no tz database: standard time all year
    PACIFIC = timezone(timedelta(hours=-8))


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    """When Google's daily quotas reset (midnight US Pacific time), in UTC."""
    local = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), dtime(0), PACIFIC)
    return midnight.astimezone(UTC)


class YouTubeOptions(PostOptions):
    title: str = option("Video title", "Up to 100 characters.", required=True, preview_title=True)
    privacy: Literal["public", "unlisted", "private"] | None = option(
        "Privacy",
        unset="Default (public)",
        choices={"public": "Public", "unlisted": "Unlisted", "private": "Private"},
    )
    tags: list[str] | None = option("Tags", "Comma separated.")
    made_for_kids: bool | None = option("Made for kids")
    description: str | None = option("Description", "Instead of the post's text.", advanced=True)
    category_id: str | int | None = option("Category", advanced=True)
    publish_at: str | None = option(
        "Goes public at", "ISO 8601; the video stays private until then.", advanced=True
    )
    notify_subscribers: bool | None = option("Notify subscribers", advanced=True)
    embeddable: bool | None = option("Embeddable", advanced=True)
    license: Literal["youtube", "creativeCommon"] | None = option("Licence", advanced=True)
    thumbnail_url: str | None = option(
        "Thumbnail URL", advanced=True, pattern=r"^https?://", expect="an http(s) URL"
    )


DEFAULT_LIMITS = Limits(
    max_text_length=MAX_DESCRIPTION_BYTES,
    max_media=2,  # the video and, optionally, its thumbnail
    media_types=frozenset(VIDEO_TYPES + THUMBNAIL_TYPES),
    max_bytes={"video": MAX_VIDEO_BYTES, "application": MAX_VIDEO_BYTES, "image": MIB * 2},
    counter=description_bytes,
)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _image_type(data: bytes) -> str | None:
    """JPEG or PNG, by the file's first bytes (what a fetched thumbnail must be)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _strip_html(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def _is_video(item: MediaItem) -> bool:
    return item.kind == "video" or item.mime == "application/octet-stream"


def _read_exact(stream: IO[bytes], n: int) -> bytes:
    parts: list[bytes] = []
    while n > 0:
        block = stream.read(n)
        if not block:
            break
        parts.append(block)
        n -= len(block)
    return b"".join(parts)


class YouTubeProvider(OAuth2Provider):
    id = "youtube"
    display_name = "YouTube"
    requires = "exactly one video"
    capabilities = OAUTH_MEASURED.plus(text_only=False, video=True, pkce=True)
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = youtube_text
    options_model = YouTubeOptions
    look = Look(
        mark="YT", color="#dc2626", link_color="#3ea6ff",
        actions=("thumbs-up", "thumbs-down", "share-2"), subtitle="Scheduled upload",
        at_handle=False, media_first=True, video_frame="16:9",
        chart_color="var(--red-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "in UTF-8 bytes: an accented letter counts 2, a CJK character 3, an emoji 4",
        "a video description: the first two lines show above the fold, so summarise the video "
        "there; YouTube shows the first three hashtags above the title",
    )
    rate_budgets = {"platform": (100, 24 * 3600)}

    default_auth_base = DEFAULT_AUTH_BASE
    default_web_base = DEFAULT_WEB_BASE
    default_scopes = DEFAULT_SCOPES
    authorize_path = "/o/oauth2/v2/auth"
    token_ttl_s = TOKEN_TTL_S
    app_owner = "Google"
    authorize_pkce = True
    assume_requested_scope = True
    no_refresh_token = "This YouTube connection has no refresh token; reconnect the account"

    chunk_size = DEFAULT_CHUNK
    upload_retries = 5
    retry_backoff_s = 1.0
    processing_wait_s = 30.0
    processing_poll_s = 2.0
    short_backoff_s = 60.0
    upload_limit_wait_s = 86400.0
    max_title_chars = MAX_TITLE_CHARS
    max_tags_chars = MAX_TAGS_CHARS
    settings = (
        "chunk_size",
        "upload_retries",
        "retry_backoff_s",
        "processing_wait_s",
        "processing_poll_s",
        "short_backoff_s",
        "upload_limit_wait_s",
        "max_title_chars",
        "max_tags_chars",
    )

    def __init__(
        self, *, token_base: str = DEFAULT_TOKEN_BASE, version: str = DEFAULT_VERSION, **config: Any
    ) -> None:
        super().__init__(**config)
        if self.chunk_size <= 0 or self.chunk_size % KIB256:
            raise ValueError("chunk_size must be a positive multiple of 256 KiB")
        self.token_base = token_base.rstrip("/")
        self.version = version.strip("/")

    def _api(self, path: str) -> str:
        return f"/youtube/{self.version}{path}"

    def _upload_api(self, path: str) -> str:
        return f"/upload/youtube/{self.version}{path}"

    # ------------------------------------------------------------------ OAuth

    def _authorize_params(self, code_verifier: str | None) -> dict[str, str]:
        offline = {"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"}
        return offline | super()._authorize_params(code_verifier)

    def _token_call(
        self, data: dict[str, str], *, refreshing: bool = False, url: str | None = None
    ) -> Any:
        """Google's token errors: a bad code is permanent; a failed refresh created nothing."""
        form, _ = self._with_client(data)
        try:
            answer = self._request("POST", url or f"{self.token_base}/token", data=form).json()
        except AuthError as exc:
            if not refreshing:  # a bad or used code: connecting again is the only way
                raise PermanentError(exc.message, status=exc.status, code=exc.code) from exc
            raise
        except TransientError as exc:
            if refreshing:  # a refresh creates nothing and rotates nothing: safe to repeat
                exc.sent = False
            raise
        return answer

    def _token_extra(self, body: dict[str, Any], extra: dict[str, Any], now: datetime) -> None:
        if body.get("refresh_token_expires_in") is not None:
            extra["refresh_token_expires_at"] = expires_at(now, body["refresh_token_expires_in"])

    def revoke(self, token: TokenSet) -> None:
        """Revoking either token revokes the whole grant at Google."""
        value = token.refresh_token or token.access_token
        try:
            self._request("POST", f"{self.token_base}/revoke", data={"token": value})
        except PermanentError as exc:
            if exc.code != "invalid_token":  # already expired or revoked: nothing to do
                raise

    # ------------------------------------------------------------------ account

    def _channels(self, token: TokenSet, part: str) -> list[dict[str, Any]]:
        body = self._request(
            "GET", self._api("/channels"), token=token, params={"part": part, "mine": "true"}
        ).json()
        items = body.get("items") if isinstance(body, dict) else None
        return [i for i in items or [] if isinstance(i, dict) and i.get("id")]

    def _my_channel(self, token: TokenSet, part: str) -> dict[str, Any]:
        items = self._channels(token, part)
        if not items:
            raise AuthError(
                "This Google account has no YouTube channel; create one on YouTube, then reconnect",
                refresh_may_help=False,
                code="youtubeSignupRequired",
            )
        wanted = token.extra.get("channel_id") or token.extra.get("account_id")
        return next((i for i in items if i["id"] == wanted), items[0])

    def _info(self, item: dict[str, Any]) -> AccountInfo:
        snippet = item.get("snippet") or {}
        thumbs = snippet.get("thumbnails") or {}
        avatar = next(
            (thumbs[k]["url"] for k in ("high", "medium", "default") if k in thumbs), None
        )
        handle = str(snippet.get("customUrl") or "")
        uploads = ((item.get("contentDetails") or {}).get("relatedPlaylists") or {}).get(
            "uploads"
        ) or "UU" + str(item["id"])[2:]
        return AccountInfo(
            platform_account_id=str(item["id"]),
            name=str(snippet.get("title") or handle or item["id"]),
            username=handle.lstrip("@"),
            avatar_url=avatar,
            metadata={
                "channel_id": str(item["id"]),
                "uploads_playlist_id": uploads,
                "handle": handle,
                "url": f"{self.web_base}/{handle}"
                if handle.startswith("@")
                else f"{self.web_base}/channel/{item['id']}",
            },
        )

    def account_info(self, token: TokenSet) -> AccountInfo:
        info = self._info(self._my_channel(token, "snippet,contentDetails,statistics"))
        token.extra.update(info.metadata)
        return info

    def publish_targets(self, token: TokenSet) -> list[tuple[AccountInfo, TokenSet]]:
        """Each channel `channels?mine=true` returns for this login (normally the one picked
        on Google's consent screen), with the token to publish as it."""
        items = self._channels(token, "snippet,contentDetails,statistics")
        if not items:
            self._my_channel(token, "id")  # raises the "no channel" AuthError
        out = []
        for item in items:
            info = self._info(item)
            extra = {**token.extra, **info.metadata, "account_id": info.platform_account_id}
            out.append((info, replace(token, extra=extra)))
        return out

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _split_media(
        request: PublishRequest,
    ) -> tuple[list[MediaItem], list[MediaItem], list[MediaItem]]:
        videos = [m for m in request.media if _is_video(m)]
        images = [m for m in request.media if m.kind == "image"]
        other = [m for m in request.media if not _is_video(m) and m.kind != "image"]
        return videos, images, other

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        videos, images, other = self._split_media(request)
        if len(videos) != 1:
            errors.append("A YouTube post needs exactly one video.")
        if len(images) > 1:
            errors.append("Only one image (the video's thumbnail) can go with a YouTube video.")
        for m in other:
            errors.append(f"{m.filename}: file type {m.mime} cannot be posted to YouTube.")
        for m in videos:
            cap = self.limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(f"{m.filename} is {m.size} bytes; YouTube accepts {cap} at most.")
            if m.size <= 0:
                errors.append(f"{m.filename} is empty.")
        for m in images:
            if m.mime not in THUMBNAIL_TYPES:
                errors.append(f"{m.filename}: a YouTube thumbnail must be a JPEG or PNG image.")
            elif m.size > MAX_THUMBNAIL_BYTES:
                errors.append(f"{m.filename}: a YouTube thumbnail is limited to 2 MB.")
        title = opts.get("title")
        if isinstance(title, str) and not title.strip():
            errors.append("YouTube needs a video title.")
        elif isinstance(title, str):
            n = title_length(title)
            if n > self.max_title_chars:
                limit = self.max_title_chars
                errors.append(f"The title is {n} characters; YouTube allows {limit}.")
            if re.search(r"[<>]", title):
                errors.append("A YouTube title cannot contain < or >.")
        description = opts.get("description", request.text)
        if isinstance(description, str):
            n = self.limits.count_text(description)
            if n > self.limits.max_text_length:
                errors.append(
                    f"The description is {n} bytes (UTF-8); YouTube allows "
                    f"{self.limits.max_text_length} (accented letters count 2, CJK 3, emoji 4)."
                )
            if re.search(r"[<>]", description):
                errors.append("A YouTube description cannot contain < or >.")
        tags = opts.get("tags", [])
        if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
            if tags_length(tags) > self.max_tags_chars:
                errors.append(
                    f"The tags add up to {tags_length(tags)} characters (with commas, and quotes "
                    f"around tags with spaces); YouTube allows {self.max_tags_chars}."
                )
            if any(re.search(r"[<>]", t) for t in tags):
                errors.append("YouTube tags cannot contain < or >.")
        privacy = opts.get("privacy")
        category = opts.get("category_id")
        if category is not None and str(category) not in CATEGORIES:
            errors.append(f"Unknown YouTube category '{category}'.")
        if "publish_at" in opts:
            when = self._publish_at(opts["publish_at"])
            if when is None:
                errors.append("The time it goes public must be an ISO 8601 date and time.")
            elif when <= datetime.now(UTC):
                errors.append("The time it goes public must be in the future.")
            if privacy not in (None, "private"):
                errors.append("A video that goes public later must be private until then.")
        return errors

    @staticmethod
    def _publish_at(value: Any) -> datetime | None:
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        if not isinstance(value, str):
            return None
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)

    def _resource(self, request: PublishRequest) -> dict[str, Any]:
        """The Video resource (snippet + status) sent when the upload session opens."""
        opts = request.options
        snippet: dict[str, Any] = {
            "title": opts["title"].strip(),
            "description": opts.get("description", request.text),
            "categoryId": str(opts.get("category_id", "22")),
        }
        if opts.get("tags"):
            snippet["tags"] = list(opts["tags"])
        status: dict[str, Any] = {
            "privacyStatus": opts.get("privacy") or "public",
            "selfDeclaredMadeForKids": bool(opts.get("made_for_kids", False)),
        }
        if opts.get("publish_at") is not None:
            when = self._publish_at(opts["publish_at"])
            assert when is not None
            status["privacyStatus"] = "private"
            status["publishAt"] = _rfc3339(when)
        for key in ("embeddable", "license"):
            if key in opts:
                status[key] = opts[key]
        return {"snippet": snippet, "status": status}

    # ------------------------------------------------------------------ publishing

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        self._refuse_invalid(request)
        videos, images, _ = self._split_media(request)
        video = videos[0]
        resource = self._resource(request)
        notify = request.options.get("notify_subscribers", True)
        session = self._start_session(token, video, resource, notify)
        uploaded = self._upload(token, session, video)
        video_id = str(uploaded["id"])
        pending: dict[str, Any] = {
            "video_id": video_id,
            "channel_id": (uploaded.get("snippet") or {}).get("channelId")
            or token.extra.get("channel_id"),
            "privacy": resource["status"]["privacyStatus"],
            "publish_at": resource["status"].get("publishAt"),
        }
        problem = self._set_thumbnail(
            token, video_id, images[0] if images else None, request.options.get("thumbnail_url")
        )
        if problem:
            pending["thumbnail_error"] = problem
        # The video exists now: from here on a failed poll leaves the publish pending (the
        # status job continues), it never fails a publish that went through.
        deadline = time.monotonic() + self.processing_wait_s
        while True:
            try:
                state, message, duplicate = self._processing(token, video_id)
            except ProviderError:
                return PublishResult(state="pending", pending_state=pending)
            if state == "failed":
                raise PermanentError(
                    message or "YouTube could not process the video", duplicate=duplicate
                )
            if state == "ready":
                return self._published(pending)
            if time.monotonic() + self.processing_poll_s > deadline:
                return PublishResult(state="pending", pending_state=pending)
            time.sleep(self.processing_poll_s)

    def _start_session(
        self, token: TokenSet, video: MediaItem, resource: dict[str, Any], notify: bool
    ) -> str:
        params = {"uploadType": "resumable", "part": "snippet,status"}
        if notify is False:
            params["notifySubscribers"] = "false"
        headers = {
            "Content-Type": "application/json; charset=UTF-8",
            "X-Upload-Content-Length": str(video.size),
            "X-Upload-Content-Type": video.mime,
        }
        with TransientError.nothing_created():  # opening a session creates no video
            response = self._request(
                "POST",
                self._upload_api("/videos"),
                token=token,
                params=params,
                headers=headers,
                content=json.dumps(resource).encode("utf-8"),
            )
        location: str | None = response.headers.get("Location")
        if not location:
            raise TransientError("YouTube opened no upload session (no Location)", sent=False)
        return location

    def _put(
        self, token: TokenSet, url: str, content: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        """One PUT to the session; 200/201/308 come back, anything else raises."""
        headers = {**headers, "Authorization": f"Bearer {token.access_token}"}
        try:
            response = self.client.request("PUT", url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise self.classify_error(exc) from exc
        if response.status_code in (200, 201, 308):
            return response
        if response.status_code in (404, 410):
            raise TransientError(
                "The YouTube upload session expired", sent=False, status=response.status_code
            )
        raise self.classify_error(response)

    @staticmethod
    def _next_offset(response: httpx.Response) -> int:
        match = re.fullmatch(r"bytes=0-(\d+)", response.headers.get("Range", "").strip())
        return int(match.group(1)) + 1 if match else 0

    def _upload(self, token: TokenSet, session: str, video: MediaItem) -> dict[str, Any]:
        """Stream the file to the session; return the video resource YouTube answers with."""
        total = video.size
        stream: IO[bytes] = video.open()
        position = offset = failures = 0
        final_sent = False
        try:
            while True:
                if offset >= total:  # all bytes stored but no video: the outcome is unclear
                    raise TransientError(
                        "YouTube holds the whole file but did not finish the upload",
                        sent=True,
                        details={"upload_session": session},
                    )
                if offset != position:
                    stream, position = self._seek(video, stream, position, offset)
                data = _read_exact(stream, min(self.chunk_size, total - offset))
                position += len(data)
                if len(data) != min(self.chunk_size, total - offset):
                    raise PermanentError(f"{video.filename} is shorter than its declared size")
                end = offset + len(data) - 1
                final = end + 1 == total
                headers = {"Content-Range": f"bytes {offset}-{end}/{total}"}
                headers["Content-Type"] = video.mime
                response: httpx.Response | None
                try:
                    response = self._put(token, session, data, headers)
                except TransientError as exc:
                    final_sent = final_sent or final
                    failures += 1
                    if failures > self.upload_retries or exc.status in (404, 410):
                        exc.sent = final_sent and exc.status not in (404, 410)
                        exc.details["upload_session"] = session
                        raise
                    response = self._probe(token, session, total, failures)
                    if response is None:
                        continue  # the probe failed too: try the same chunk again
                if response.status_code in (200, 201):
                    body = _json(response)
                    if not isinstance(body, dict) or not body.get("id"):
                        raise TransientError(
                            "YouTube finished the upload without a video id", sent=True
                        )
                    return body
                new_offset = self._next_offset(response)
                if new_offset > offset:
                    failures = 0
                offset = new_offset
        finally:
            stream.close()

    def _probe(
        self, token: TokenSet, session: str, total: int, failures: int
    ) -> httpx.Response | None:
        """Ask the session what it holds (after a back-off); None when that fails too."""
        time.sleep(self.retry_backoff_s * 2 ** (failures - 1))
        try:
            return self._put(token, session, b"", {"Content-Range": f"bytes */{total}"})
        except TransientError as exc:
            if exc.status in (404, 410):
                raise
            return None

    @staticmethod
    def _seek(
        video: MediaItem, stream: IO[bytes], position: int, offset: int
    ) -> tuple[IO[bytes], int]:
        """Move the stream to `offset` (seek, or reopen and skip when it cannot seek)."""
        if stream.seekable():
            stream.seek(offset)
            return stream, offset
        if offset < position:
            stream.close()
            stream, position = video.open(), 0
        while position < offset:
            block = stream.read(min(MIB, offset - position))
            if not block:
                break
            position += len(block)
        return stream, position

    def _set_thumbnail(
        self, token: TokenSet, video_id: str, item: MediaItem | None, url: str | None
    ) -> str | None:
        """Set the custom thumbnail; the problem as text when it fails (the video is up)."""
        if item is None and not url:
            return None
        mime: str | None
        try:
            if item is not None:
                with item.open() as stream:
                    data, mime = stream.read(MAX_THUMBNAIL_BYTES + 1), item.mime
            else:
                assert url is not None
                # The URL is the user's: the guarded client, capped just over the 2 MB limit.
                data = outbound.fetch(url, max_bytes=MAX_THUMBNAIL_BYTES + 1).content
                mime = _image_type(data)
                if mime is None:
                    return "The thumbnail URL is not a JPEG or PNG image"
            if len(data) > MAX_THUMBNAIL_BYTES:
                return "The thumbnail is larger than 2 MB"
            self._request(
                "POST",
                self._upload_api("/thumbnails/set"),
                token=token,
                params={"videoId": video_id, "uploadType": "media"},
                headers={"Content-Type": mime},
                content=data,
            )
        except ProviderError as exc:
            return f"The thumbnail was not set: {exc.message}"
        except outbound.FetchError as exc:
            return f"The thumbnail could not be fetched: {exc.message}"
        except OSError as exc:
            return f"The thumbnail could not be read: {exc}"
        return None

    def _processing(
        self, token: TokenSet, video_id: str
    ) -> tuple[Literal["processing", "ready", "failed"], str | None, bool]:
        """("processing" | "ready" | "failed", message, duplicate) of an uploaded video."""
        body = self._request(
            "GET",
            self._api("/videos"),
            token=token,
            params={"part": "status,processingDetails", "id": video_id},
        ).json()
        items = body.get("items") if isinstance(body, dict) else None
        if not items:
            return "failed", "The video is no longer on YouTube (deleted)", False
        status = items[0].get("status") or {}
        details = items[0].get("processingDetails") or {}
        upload = status.get("uploadStatus")
        processing = details.get("processingStatus")
        if upload == "rejected":
            reason = status.get("rejectionReason") or "unknown"
            text = "it duplicates a video already uploaded" if reason == "duplicate" else reason
            return "failed", f"YouTube rejected the video: {text}", reason == "duplicate"
        if upload in ("failed", "deleted") or processing in ("failed", "terminated"):
            reason = status.get("failureReason") or details.get("processingFailureReason") or upload
            return "failed", f"YouTube could not process the video ({reason})", False
        if upload == "processed" or processing == "succeeded":
            return "ready", None, False
        return "processing", None, False

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        state, message, _ = self._processing(token, pending_state["video_id"])
        if state == "processing":
            return StatusResult(
                "processing",
                "YouTube is processing the video",
                self.processing_poll_s,
                pending_state,
            )
        return StatusResult(state, message, None, pending_state)

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        state, message, duplicate = self._processing(token, pending_state["video_id"])
        if state == "processing":
            return PublishResult(state="pending", pending_state=pending_state)
        if state == "failed":
            raise PermanentError(
                message or "YouTube could not process the video", duplicate=duplicate
            )
        return self._published(pending_state)

    def _published(self, pending: dict[str, Any]) -> PublishResult:
        video_id = pending["video_id"]
        extra = {k: pending[k] for k in ("channel_id", "privacy", "publish_at") if pending.get(k)}
        if pending.get("thumbnail_error"):
            extra["thumbnail_error"] = pending["thumbnail_error"]
        return PublishResult(
            state="published",
            platform_post_id=video_id,
            permalink=f"{self.web_base}/watch?v={video_id}",
            extra=extra,
        )

    # ------------------------------------------------------------------ reading back

    def _uploads_playlist(self, token: TokenSet) -> str:
        if token.extra.get("uploads_playlist_id"):
            return str(token.extra["uploads_playlist_id"])
        channel = str(token.extra.get("channel_id") or "")
        if channel.startswith("UC"):
            return "UU" + channel[2:]
        info = self._info(self._my_channel(token, "contentDetails"))
        token.extra.update(info.metadata)
        return str(info.metadata["uploads_playlist_id"])

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        """Videos of the channel's uploads playlist added at or after `since` (the text is the
        description, which is the post text unless the 'description' option replaced it)."""
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        since = since.replace(microsecond=0)  # YouTube times are to the second
        params: dict[str, Any] = {
            "part": "snippet,contentDetails",
            "playlistId": self._uploads_playlist(token),
            "maxResults": 50,
        }
        found: list[RecentPost] = []
        for _ in range(5):
            body = self._request("GET", self._api("/playlistItems"), token=token, params=params)
            page = body.json()
            older = False
            for item in page.get("items") or []:
                snippet = item.get("snippet") or {}
                created = _parse_time(snippet["publishedAt"])
                if created < since:
                    older = True
                    continue
                video_id = (snippet.get("resourceId") or {}).get("videoId") or (
                    item.get("contentDetails") or {}
                ).get("videoId")
                found.append(
                    RecentPost(
                        platform_post_id=str(video_id),
                        text=snippet.get("description") or "",
                        created_at=created,
                        permalink=f"{self.web_base}/watch?v={video_id}",
                    )
                )
            if older or not page.get("nextPageToken"):
                break
            params["pageToken"] = page["nextPageToken"]
        found.sort(key=lambda p: (p.created_at, p.platform_post_id), reverse=True)
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        body = self._request(
            "GET",
            self._api("/videos"),
            token=token,
            params={"part": "statistics", "id": platform_post_id},
        ).json()
        items = body.get("items") if isinstance(body, dict) else None
        if not items:
            raise PermanentError("YouTube did not return the video (deleted?)", status=404)
        stats = items[0].get("statistics") or {}
        return counters(stats, views="viewCount", likes="likeCount", comments="commentCount")

    def account_metrics(self, token: TokenSet) -> Metrics:
        stats = self._my_channel(token, "statistics").get("statistics") or {}
        return counters(stats, followers="subscriberCount", posts="videoCount", views="viewCount")

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        body = _json(response)
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return self._oauth_error(response, body)
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        errors = [e for e in error.get("errors") or [] if isinstance(e, dict)]
        reason = str(errors[0].get("reason")) if errors and errors[0].get("reason") else None
        message = _strip_html(str(error.get("message") or "")) or self._error_message(response)
        kw: dict[str, Any] = {
            "status": status,
            "code": reason or error.get("status"),
            "details": {"domain": errors[0].get("domain") if errors else None},
        }
        if reason in QUOTA_REASONS:
            message = f"The YouTube API quota for today is used up ({message})"
            return RateLimited(next_pacific_midnight(), message, **kw)
        if reason == "uploadLimitExceeded":
            retry_at = datetime.now(UTC) + timedelta(seconds=self.upload_limit_wait_s)
            return RateLimited(retry_at, message, **kw)
        if reason in RATE_REASONS or status == 429:
            return RateLimited(self._retry_at(response, self.short_backoff_s), message, **kw)
        if reason in DEAD_ACCOUNT_REASONS:
            return AuthError(message, refresh_may_help=False, **kw)
        if reason == "insufficientPermissions":
            message = f"Herald lacks a YouTube permission; reconnect the account ({message})"
            return AuthError(message, refresh_may_help=False, **kw)
        if status == 401 or reason in AUTH_REASONS:
            return AuthError(message, refresh_may_help=True, **kw)
        if status >= 500 or reason in ("backendError", "internalError"):
            return TransientError(message, sent=True, **kw)
        if reason == "duplicate":
            return PermanentError(message, duplicate=True, **kw)
        return PermanentError(message, **kw)

    def _oauth_error(self, response: httpx.Response, body: dict[str, Any]) -> ProviderError:
        """Errors of the token and revoke endpoints: {"error", "error_description"}."""
        status, error = response.status_code, str(body["error"])
        message = str(body.get("error_description") or error)
        if error == "invalid_grant":
            return AuthError(
                f"Google refused the grant ({message}); reconnect the account",
                refresh_may_help=False,
                status=status,
                code=error,
            )
        if error in ("invalid_client", "unauthorized_client"):
            return PermanentError(
                f"Google rejected Herald's app credentials: {message}", status=status, code=error
            )
        if status == 429:
            return RateLimited(self._retry_at(response, self.short_backoff_s), message, status=429)
        if status >= 500:
            return TransientError(message, sent=True, status=status, code=error)
        return PermanentError(message, status=status, code=error)


__all__ = [
    "DEFAULT_LIMITS",
    "YouTubeProvider",
    "description_bytes",
    "next_pacific_midnight",
    "tags_length",
]
