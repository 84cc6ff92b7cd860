"""TikTok, Content Posting API on open.tiktokapis.com v2 (platform-apis.md §7).

OAuth: Login Kit v2. The authorize page is www.tiktok.com/v2/auth/authorize/ and takes
`client_key` (not client_id) and comma-separated scopes; PKCE is only for mobile/desktop apps, so
Herald (a web app) does not use it, but a verifier passed to `authorize_url`/`exchange_code` is
sent (S256; `pkce_hex=True` for the desktop flavour). `POST /v2/oauth/token/` is form-encoded with
client_key/client_secret in the body. Access tokens live 2 h (older docs: 24 h) and refresh
tokens 180 d (older: 365 d): the provider trusts `expires_in`. Refresh ROTATES: the old refresh
token stops working, so the returned one must be stored at once. `revoke` ends the grant.
Granted scopes come back comma-separated; TokenSet.scope holds them space-separated.

Publishing is Direct Post, one video or 1-35 photos (no text-only posts):
  1. `creator_info/query` (privacy options, disabled interactions, max duration),
  2. `post/publish/video/init/` (FILE_UPLOAD: the file is streamed in TikTok-legal chunks to the
     returned upload_url with Content-Range; or PULL_FROM_URL from MediaItem.url, which must be
     on a domain verified for the app) or `post/publish/content/init/` (photos, PULL_FROM_URL
     only: every image needs MediaItem.url),
  3. `status/fetch` until PUBLISH_COMPLETE (with `publicaly_available_post_id`, TikTok's
     spelling) or FAILED. Longer than `publish_wait_s` → a pending result; `check_status` (read
     only) and `finalize` finish it. SELF_ONLY posts never get a public id: they are published
     with platform_post_id None (extra["publish_id"] keeps the reference).

Options (request.options):
  privacy_level         required, no default: PUBLIC_TO_EVERYONE | MUTUAL_FOLLOW_FRIENDS |
                        FOLLOWER_OF_CREATOR | SELF_ONLY; must be one of the creator's options
  disable_comment, disable_duet, disable_stitch   bool (forced on when the creator disabled them)
  video_cover_timestamp_ms   int, video only
  brand_content_toggle, brand_organic_toggle      bool (branded content cannot be SELF_ONLY)
  is_aigc               bool, video only (AI-generated label)
  title                 photo posts only: the title (≤ 90); the text is the description (≤ 4000).
                        For videos the text is the caption (post_info.title, ≤ 2200)
  auto_add_music        bool, photo only
  photo_cover_index     int, photo only
  video_source          "FILE_UPLOAD" (default) | "PULL_FROM_URL"

No idempotency key. Once a publish_id exists the post cannot be recalled, so a failed upload is
never re-initialised blindly: an init that failed for a FILE_UPLOAD is safe to retry (nothing can
be posted without the bytes), a lost final chunk becomes a pending result decided by the status.
Errors come in the v2 envelope {"data", "error": {"code", "message", "log_id"}} (checked even on
200): access_token_invalid → AuthError (refresh helps); scope_* → AuthError (reconnect);
rate_limit_exceeded → RateLimited (Retry-After if any, else `rate_limit_retry_s`);
spam_risk_too_many_posts / _pending_share → RateLimited after `daily_cap_retry_s`; spam_risk →
PermanentError(duplicate=True); internal_error / 5xx → TransientError; the rest PermanentError.
Caption length is counted in UTF-16 code units (an assumption: TikTok documents no rule).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, Literal

import httpx

from app.providers import tiktok_text
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
from app.providers.tiktok_text import (
    MAX_CAPTION,
    MAX_PHOTO_DESCRIPTION,
    MAX_PHOTO_TITLE,
    text_length,
)

DEFAULT_API_BASE = "https://open.tiktokapis.com"
DEFAULT_AUTH_BASE = "https://www.tiktok.com"
DEFAULT_WEB_BASE = "https://www.tiktok.com"
DEFAULT_VERSION = "v2"
DEFAULT_SCOPES = (
    "user.info.basic,user.info.profile,user.info.stats,video.publish,video.upload,video.list"
)
ACCESS_TTL_S = 7200  # when the token response has no expires_in
MB = 1024 * 1024
MIN_CHUNK = 5 * MB
MAX_CHUNK = 64 * MB
DEFAULT_CHUNK = 10 * MB
MAX_CHUNKS = 1000
MAX_VIDEO_BYTES = 4 * 1024 * MB
MAX_IMAGE_BYTES = 20 * 1000 * 1000
MAX_PHOTOS = 35
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
IMAGE_TYPES = ("image/jpeg", "image/webp")
PRIVACY_LEVELS = {
    "PUBLIC_TO_EVERYONE": "Public to everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Mutual follow friends",
    "FOLLOWER_OF_CREATOR": "Follower of creator",
    "SELF_ONLY": "Self only",
}
PROCESSING = ("PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD")
AUTH_RECONNECT = ("scope_not_authorized", "scope_permission_missed")
DAILY_CAPS = ("spam_risk_too_many_posts", "spam_risk_too_many_pending_share")
RETRYABLE_FAILURES = ("internal", "internal_error", "upload_expired")
USER_BASIC = "open_id,union_id,avatar_url,display_name"
VIDEO_LIST_FIELDS = "id,create_time,title,video_description,share_url"
VIDEO_METRIC_FIELDS = "id,like_count,comment_count,share_count,view_count"


class TikTokOptions(PostOptions):
    privacy_level: Literal[
        "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
    ] = option(
        "Who can view", "One of the levels this creator allows.", required=True, live=True,
        choices=PRIVACY_LEVELS, prefer="SELF_ONLY",
    )  # fmt: skip
    title: str | None = option("Title", f"Photo posts: a title up to {MAX_PHOTO_TITLE} characters.")
    disable_comment: bool | None = option("Turn off comments")
    disable_duet: bool | None = option("Turn off duets")
    disable_stitch: bool | None = option("Turn off stitches")
    is_aigc: bool | None = option("AI-generated content")
    brand_content_toggle: bool | None = option("Branded content", advanced=True)
    brand_organic_toggle: bool | None = option("Promotes your own brand", advanced=True)
    auto_add_music: bool | None = option("Add music automatically", advanced=True)
    video_cover_timestamp_ms: int | None = option("Video cover (ms)", advanced=True, ge=0)
    photo_cover_index: int | None = option("Cover photo (index)", advanced=True, ge=0)
    video_source: Literal["FILE_UPLOAD", "PULL_FROM_URL"] | None = option(
        "Video source", advanced=True
    )


DEFAULT_LIMITS = Limits(
    max_text_length=MAX_CAPTION,
    max_media=MAX_PHOTOS,
    media_types=frozenset(VIDEO_TYPES + IMAGE_TYPES),
    max_bytes={"video": MAX_VIDEO_BYTES, "image": MAX_IMAGE_BYTES},
    counter=text_length,
)


def chunk_plan(size: int, chunk_size: int, min_chunk: int = MIN_CHUNK) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) by TikTok's rules: whole file when it fits one chunk
    (files under 5 MB always), else floor(size / chunk) chunks, the last taking the remainder."""
    if size <= max(chunk_size, min_chunk - 1):
        return size, 1
    return chunk_size, size // chunk_size


def _error_of(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _read_exact(fh: BinaryIO, length: int, piece: int = MB) -> Iterator[bytes]:
    """Stream `length` bytes of `fh` in pieces (never one chunk in memory at once)."""
    left = length
    while left > 0:
        data = fh.read(min(piece, left))
        if not data:
            raise PermanentError("The video file is shorter than its declared size")
        left -= len(data)
        yield data


class TikTokProvider(OAuth2Provider):
    id = "tiktok"
    display_name = "TikTok"
    requires = "one video, or photos"
    capabilities = OAUTH_MEASURED.plus(text_only=False, images=True, video=True)
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = tiktok_text
    options_model = TikTokOptions
    look = Look(
        mark="T", color="#0d9488", link_color="#fe2c55",
        actions=("heart", "message-circle", "bookmark", "share-2"), subtitle="Video",
        media_first=True, media_radius="10px", tinted=True, video_frame="9:16",
        chart_color="var(--cyan-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character, an emoji counts 2",
        "short, energetic, trend-aware caption for a video; hashtags help discovery",
    )
    rate_budgets = {"account": (15, 24 * 3600)}

    default_auth_base = DEFAULT_AUTH_BASE
    default_web_base = DEFAULT_WEB_BASE
    default_scopes = DEFAULT_SCOPES
    token_path = "/oauth/token/"
    token_ttl_s = ACCESS_TTL_S
    app_credentials = "client key and secret"  # client_id holds TikTok's client_key
    client_id_param = "client_key"
    query_safe = ","
    authorize_pkce = True
    comma_scopes = True
    no_refresh_token = "This TikTok connection has no refresh token; reconnect the account"

    chunk_size = DEFAULT_CHUNK
    min_chunk_size = MIN_CHUNK
    publish_wait_s = 20.0
    poll_s = 2.0
    moderation_wait_s = 600.0
    rate_limit_retry_s = 60.0
    daily_cap_retry_s = 3600.0
    pkce_hex = False
    settings = (
        "chunk_size",
        "min_chunk_size",
        "publish_wait_s",
        "poll_s",
        "moderation_wait_s",
        "rate_limit_retry_s",
        "daily_cap_retry_s",
        "pkce_hex",
    )

    def __init__(self, *, version: str = DEFAULT_VERSION, **config: Any) -> None:
        self.version = version.strip("/")  # before the authorize endpoint is derived
        super().__init__(**config)
        self.chunk_size = max(self.min_chunk_size, min(self.chunk_size, MAX_CHUNK))

    def _authorize_endpoint(self, auth_base: str) -> str:
        if not auth_base.endswith("/auth/authorize"):
            auth_base += f"/{self.version}/auth/authorize"
        return auth_base + "/"

    def _path(self, path: str) -> str:
        return f"/{self.version}{path}"

    # ------------------------------------------------------------------ OAuth

    def _pkce(self, code_verifier: str) -> dict[str, str]:
        if not self.pkce_hex:
            return super()._pkce(code_verifier)
        challenge = hashlib.sha256(code_verifier.encode("ascii")).hexdigest()
        return {"code_challenge": challenge, "code_challenge_method": "S256"}

    def _token_call(
        self, data: dict[str, str], *, refreshing: bool = False, url: str | None = None
    ) -> Any:
        """TikTok's OAuth endpoints answer errors in their own shapes, some with HTTP 200."""
        client_key, secret = self._app()
        form = {"client_key": client_key, "client_secret": secret, **data}
        headers = {"Cache-Control": "no-cache"}
        path = self._path(url or self._token_url())
        try:
            response = self.client.post(self.api_base + path, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise self.classify_error(exc) from exc
        body = _json(response)
        error = body.get("error") if isinstance(body, dict) else None
        if response.is_success and not (isinstance(error, str) and error):
            if isinstance(error, dict) and error.get("code") not in (None, "ok"):
                raise self._classify_response(response)
            return body
        if response.status_code == 429 or response.status_code >= 500 or isinstance(error, dict):
            raise self._classify_response(response)
        description = str(body.get("error_description") or error) if error else ""
        message = f"TikTok: {description or f'HTTP {response.status_code}'}"
        kw: dict[str, Any] = {"status": response.status_code, "code": error or None}
        if isinstance(body, dict) and body.get("log_id"):
            kw["details"] = {"log_id": body["log_id"]}
        if error in ("server_error", "temporarily_unavailable"):
            raise TransientError(message, sent=True, **kw)
        if error == "invalid_client":
            raise PermanentError(f"TikTok rejected Herald's app credentials: {description}", **kw)
        if refreshing and error in ("invalid_grant", "invalid_request", "access_denied"):
            # The refresh token was rotated away, revoked or expired: only a reconnect helps.
            raise AuthError(message, refresh_may_help=False, **kw)
        raise PermanentError(message, **kw)

    def _token_extra(self, body: dict[str, Any], extra: dict[str, Any], now: datetime) -> None:
        if body.get("open_id"):
            extra["open_id"] = str(body["open_id"])
        with contextlib.suppress(KeyError, TypeError, ValueError):
            extra["refresh_expires_at"] = expires_at(now, body["refresh_expires_in"])

    def revoke(self, token: TokenSet) -> None:
        self._token_call({"token": token.access_token}, url="/oauth/revoke/")

    # ------------------------------------------------------------------ API plumbing

    def _api(self, method: str, path: str, token: TokenSet, **kw: Any) -> dict[str, Any]:
        """One v2 call → its `data`; an error envelope (even on 200) raises a typed error."""
        if method == "POST" and "json" not in kw and "content" not in kw:
            kw["content"] = b""
        if method == "POST":
            headers = dict(kw.pop("headers", None) or {})
            headers["Content-Type"] = "application/json; charset=UTF-8"
            kw["headers"] = headers
        response = self._request(method, self._path(path), token=token, **kw)
        body = _json(response)
        if _error_of(body).get("code") not in (None, "ok"):
            raise self._classify_response(response)
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    def _scopes(self, token: TokenSet) -> set[str]:
        return set(token.scope.replace(",", " ").split())

    # ------------------------------------------------------------------ account

    def _user(self, token: TokenSet, fields: str) -> dict[str, Any]:
        data = self._api("GET", "/user/info/", token, params={"fields": fields})
        user = data.get("user")
        if not isinstance(user, dict):
            raise PermanentError("TikTok did not return the user")
        return user

    def account_info(self, token: TokenSet) -> AccountInfo:
        scopes = self._scopes(token)
        fields = USER_BASIC
        if not scopes or "user.info.profile" in scopes:
            fields += ",username,profile_deep_link"
        user = self._user(token, fields)
        open_id = str(user.get("open_id") or token.extra.get("open_id") or "")
        if not open_id:
            raise PermanentError("TikTok did not return the user's open_id")
        username = str(user.get("username") or "")
        name = str(user.get("display_name") or username)
        token.extra["open_id"] = open_id
        if username:
            token.extra["username"] = username
        return AccountInfo(
            platform_account_id=open_id,
            name=name,
            username=username or name,
            avatar_url=user.get("avatar_url"),
            metadata={
                "open_id": open_id,
                "union_id": user.get("union_id"),
                "username": username,
                "url": f"{self.web_base}/@{username}" if username else None,
            },
        )

    def creator_info(self, token: TokenSet) -> dict[str, Any]:
        """Privacy options, disabled interactions and max duration of the creator."""
        return self._api("POST", "/post/publish/creator_info/query/", token)

    def option_choices(self, token: TokenSet) -> dict[str, list[tuple[str, str]]]:
        levels = [str(x) for x in self.creator_info(token).get("privacy_level_options") or []]
        return {"privacy_level": [(lv, PRIVACY_LEVELS.get(lv, lv)) for lv in levels]}

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        media = request.media
        videos = [m for m in media if m.kind == "video"]
        images = [m for m in media if m.kind == "image"]
        if not media:
            errors.append("A TikTok post needs a video or at least one photo.")
        elif videos and (len(videos) > 1 or images):
            errors.append("A TikTok post is one video, or photos only (no mixing).")
        elif len(images) > MAX_PHOTOS:
            errors.append(f"At most {MAX_PHOTOS} photos in a TikTok post.")
        for m in media:
            errors.extend(self._media_problems(m))
        photo = bool(images) and not videos
        n = self.limits.count_text(request.text)
        limit = MAX_PHOTO_DESCRIPTION if photo else self.limits.max_text_length
        if n > limit:
            what = "description" if photo else "caption"
            errors.append(
                f"The {what} is {n} characters as TikTok counts them; the limit is {limit}."
            )
        level = opts.get("privacy_level")
        cover = opts.get("photo_cover_index")
        if photo and isinstance(cover, int) and cover >= len(images):
            errors.append("The cover photo index points past the last photo.")
        title = opts.get("title")
        if photo and isinstance(title, str) and text_length(title) > MAX_PHOTO_TITLE:
            errors.append(f"A photo post title is limited to {MAX_PHOTO_TITLE} characters.")
        if opts.get("brand_content_toggle") and level == "SELF_ONLY":
            errors.append("Branded content cannot be visible to you only (Self only).")
        if opts.get("video_source") == "PULL_FROM_URL" and videos and not videos[0].url:
            errors.append("Pulling the video from a URL needs the video's public URL.")
        if photo:
            missing = [m.filename for m in images if not m.url]
            if missing:
                errors.append(
                    "TikTok pulls photos from a public URL on a verified domain; no URL for: "
                    + ", ".join(missing)
                )
        return errors

    def _media_problems(self, m: MediaItem) -> list[str]:
        if m.mime not in self.limits.media_types:
            return [f"{m.filename}: TikTok takes MP4/MOV/WebM videos or JPEG/WebP photos."]
        cap = self.limits.max_size_for(m.mime)
        if cap is not None and m.size > cap:
            return [f"{m.filename}: larger than TikTok's {cap // (1000 * 1000)} MB limit."]
        if m.size <= 0:
            return [f"{m.filename}: the file is empty."]
        return []

    # ------------------------------------------------------------------ publishing

    def _post_info(
        self, request: PublishRequest, creator: dict[str, Any], photo: bool
    ) -> dict[str, Any]:
        opts = request.options
        info: dict[str, Any] = {"privacy_level": opts["privacy_level"]}
        keys: tuple[str, ...]
        if photo:
            if opts.get("title"):
                info["title"] = opts["title"]
            if request.text:
                info["description"] = request.text
            keys = ("disable_comment", "auto_add_music", "brand_content_toggle")
        else:
            if request.text:
                info["title"] = request.text
            keys = (
                "disable_comment",
                "disable_duet",
                "disable_stitch",
                "video_cover_timestamp_ms",
                "brand_content_toggle",
                "is_aigc",
            )
        keys = (*keys, "brand_organic_toggle")
        info.update({k: opts[k] for k in keys if k in opts})
        # What the creator switched off in the app stays off.
        for flag, key in (
            ("comment_disabled", "disable_comment"),
            ("duet_disabled", "disable_duet"),
            ("stitch_disabled", "disable_stitch"),
        ):
            if creator.get(flag) and (photo is False or key == "disable_comment"):
                info[key] = True
        return info

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        self._refuse_invalid(request)
        with TransientError.nothing_created():  # a read: nothing was created
            creator = self.creator_info(token)
        level = request.options["privacy_level"]
        options = creator.get("privacy_level_options")
        if isinstance(options, list) and level not in options:
            raise PermanentError(
                f"This TikTok account cannot post as {level}; it allows: "
                + ", ".join(str(o) for o in options),
                code="privacy_level_option_mismatch",
            )
        video = next((m for m in request.media if m.kind == "video"), None)
        post_info = self._post_info(request, creator, photo=video is None)
        pending: dict[str, Any] = {
            "privacy_level": level,
            "username": creator.get("creator_username") or token.extra.get("username") or "",
            "started_at": time.time(),
        }
        if video is None:
            pending["publish_id"] = self._init_photos(token, request, post_info)
        elif request.options.get("video_source") == "PULL_FROM_URL":
            source = {"source": "PULL_FROM_URL", "video_url": video.url}
            data = self._api(
                "POST",
                "/post/publish/video/init/",
                token,
                json={"post_info": post_info, "source_info": source},
            )
            pending["publish_id"] = self._publish_id(data)
        else:
            pending.update(self._upload_video(token, video, post_info))
            if pending.get("upload_unconfirmed"):
                return PublishResult(state="pending", pending_state=pending)
        return self._wait(token, pending)

    @staticmethod
    def _publish_id(data: dict[str, Any]) -> str:
        if not data.get("publish_id"):
            raise TransientError("TikTok answered the init without a publish_id", sent=True)
        return str(data["publish_id"])

    def _init_photos(
        self, token: TokenSet, request: PublishRequest, post_info: dict[str, Any]
    ) -> str:
        source: dict[str, Any] = {
            "source": "PULL_FROM_URL",
            "photo_images": [m.url for m in request.media],
            "photo_cover_index": int(request.options.get("photo_cover_index") or 0),
        }
        body = {
            "media_type": "PHOTO",
            "post_mode": "DIRECT_POST",
            "post_info": post_info,
            "source_info": source,
        }
        return self._publish_id(self._api("POST", "/post/publish/content/init/", token, json=body))

    def _upload_video(
        self, token: TokenSet, video: MediaItem, post_info: dict[str, Any]
    ) -> dict[str, Any]:
        size = video.size
        chunk, count = chunk_plan(size, self.chunk_size, self.min_chunk_size)
        if count > MAX_CHUNKS:
            raise PermanentError("The video needs more than 1000 chunks; raise chunk_size")
        source = {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": chunk,
            "total_chunk_count": count,
        }
        # Without the bytes nothing can be posted: a retry cannot duplicate the video.
        with TransientError.nothing_created():
            data = self._api(
                "POST",
                "/post/publish/video/init/",
                token,
                json={"post_info": post_info, "source_info": source},
            )
        publish_id = self._publish_id(data)
        upload_url = data.get("upload_url")
        if not upload_url:
            raise TransientError("TikTok answered the init without an upload_url", sent=False)
        state: dict[str, Any] = {"publish_id": publish_id, "video_size": size}
        with video.open() as fh:
            for index in range(count):
                first = index * chunk
                length = size - first if index == count - 1 else chunk
                headers = {
                    "Content-Type": video.mime,
                    "Content-Length": str(length),
                    "Content-Range": f"bytes {first}-{first + length - 1}/{size}",
                }
                try:
                    self._request(
                        "PUT", upload_url, content=_read_exact(fh, length), headers=headers
                    )
                except TransientError as exc:
                    if index < count - 1:
                        exc.sent = False  # an incomplete upload is never published
                        raise
                    # The last chunk may have arrived: the status will tell.
                    state["upload_unconfirmed"] = True
                    return state
        return state

    def _status(self, token: TokenSet, publish_id: str) -> dict[str, Any]:
        return self._api(
            "POST", "/post/publish/status/fetch/", token, json={"publish_id": publish_id}
        )

    def _wait(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        deadline = time.monotonic() + self.publish_wait_s
        while True:
            result = self.finalize(token, pending)
            if result.state == "published" or time.monotonic() + self.poll_s > deadline:
                return result
            pending = result.pending_state
            time.sleep(self.poll_s)

    def _decide(
        self, data: dict[str, Any], pending: dict[str, Any]
    ) -> tuple[str, str | None, dict[str, Any]]:
        """('processing' | 'ready' | 'failed' | 'incomplete', message, pending state)."""
        status = data.get("status")
        pending = dict(pending)
        if status == "PUBLISH_COMPLETE":
            if data.get("publicaly_available_post_id") or pending["privacy_level"] == "SELF_ONLY":
                return "ready", None, pending
            # Public ids appear after moderation (usually < 1 min, sometimes hours).
            pending.setdefault("complete_at", time.time())
            if time.time() - pending["complete_at"] >= self.moderation_wait_s:
                return "ready", None, pending
            return "processing", "TikTok is moderating the post", pending
        if status == "SEND_TO_USER_INBOX":
            return "ready", None, pending
        if status == "FAILED":
            reason = str(data.get("fail_reason") or "unknown")
            if reason in RETRYABLE_FAILURES or reason in DAILY_CAPS:
                return "ready", reason, pending  # finalize raises the retryable error
            return "failed", f"TikTok could not publish the post: {reason}", pending
        if status in PROCESSING:
            uploaded = data.get("uploaded_bytes")
            if (
                pending.get("upload_unconfirmed")
                and isinstance(uploaded, int)
                and uploaded < int(pending.get("video_size") or 0)
            ):
                return "incomplete", "The upload did not complete; nothing was posted", pending
            return "processing", "TikTok is processing the post", pending
        return "processing", f"TikTok status {status}", pending

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        try:
            data = self._status(token, pending_state["publish_id"])
        except PermanentError as exc:
            return StatusResult("failed", exc.message, None, pending_state)
        state, message, pending = self._decide(data, pending_state)
        if state == "processing":
            return StatusResult("processing", message, self.poll_s, pending)
        if state == "failed":
            return StatusResult("failed", message, None, pending)
        return StatusResult("ready", message, None, pending)  # finalize decides

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        data = self._status(token, pending_state["publish_id"])
        state, message, pending = self._decide(data, pending_state)
        if state == "processing":
            return PublishResult(state="pending", pending_state=pending)
        if state == "incomplete":
            raise TransientError(message or "Upload incomplete", sent=False)
        if state == "failed":
            raise PermanentError(message or "TikTok could not publish the post")
        if data.get("status") == "FAILED":
            reason = message or "internal"
            if reason in DAILY_CAPS:
                raise RateLimited(
                    datetime.now(UTC) + timedelta(seconds=self.daily_cap_retry_s),
                    "TikTok's daily post cap for this account is reached",
                    code=reason,
                )
            # Failed before posting: publishing again cannot duplicate it.
            raise TransientError(f"TikTok failed to publish ({reason}); retry", sent=False)
        ids = data.get("publicaly_available_post_id") or []
        post_id = str(ids[0]) if ids else None
        username = pending.get("username") or ""
        permalink = None
        if post_id and username:
            permalink = f"{self.web_base}/@{username}/video/{post_id}"
        return PublishResult(
            state="published",
            platform_post_id=post_id,
            permalink=permalink,
            extra={"publish_id": pending["publish_id"], "status": data.get("status")},
        )

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        """The account's public videos created at or after `since` (TikTok lists no private
        ones: SELF_ONLY posts cannot be found this way)."""
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        since = since.replace(microsecond=0)  # create_time is in seconds
        username = token.extra.get("username") or ""
        body: dict[str, Any] = {"max_count": 20}
        found: list[RecentPost] = []
        for _ in range(10):
            data = self._api(
                "POST",
                "/video/list/",
                token,
                params={"fields": VIDEO_LIST_FIELDS},
                json=body,
            )
            older = False
            for video in data.get("videos") or []:
                created = datetime.fromtimestamp(int(video.get("create_time") or 0), UTC)
                if created < since:
                    older = True
                    continue
                vid = str(video["id"])
                found.append(
                    RecentPost(
                        platform_post_id=vid,
                        text=str(video.get("video_description") or video.get("title") or ""),
                        created_at=created,
                        permalink=video.get("share_url")
                        or (f"{self.web_base}/@{username}/video/{vid}" if username else None),
                    )
                )
            if older or not data.get("has_more") or data.get("cursor") is None:
                break
            body["cursor"] = int(data["cursor"])
        found.sort(key=lambda p: (p.created_at, int(p.platform_post_id)), reverse=True)
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        data = self._api(
            "POST",
            "/video/query/",
            token,
            params={"fields": VIDEO_METRIC_FIELDS},
            json={"filters": {"video_ids": [platform_post_id]}},
        )
        video = next(
            (v for v in data.get("videos") or [] if str(v.get("id")) == platform_post_id), None
        )
        if video is None:
            raise PermanentError("TikTok did not return the video", status=404)
        return counters(
            video,
            likes="like_count",
            comments="comment_count",
            shares="share_count",
            views="view_count",
        )

    def account_metrics(self, token: TokenSet) -> Metrics:
        user = self._user(token, "open_id,follower_count,following_count,likes_count,video_count")
        return counters(
            user,
            followers="follower_count",
            following="following_count",
            posts="video_count",
            likes="likes_count",
        )

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        body = _json(response)
        error = _error_of(body)
        code = str(error.get("code") or "") or None
        text = str(error.get("message") or "") or self._error_message(response)
        message = f"TikTok: {text}" + (f" ({code})" if code else "")
        kw: dict[str, Any] = {
            "status": status,
            "code": code,
            "details": {"log_id": error.get("log_id")} if error.get("log_id") else {},
        }
        now = datetime.now(UTC)
        if code == "access_token_invalid" or (code is None and status == 401):
            return AuthError(message, refresh_may_help=True, **kw)
        if code in AUTH_RECONNECT:
            return AuthError(message, refresh_may_help=False, **kw)
        if code == "rate_limit_exceeded" or status == 429:
            return RateLimited(self._retry_at(response, self.rate_limit_retry_s), message, **kw)
        if code in DAILY_CAPS:
            return RateLimited(now + timedelta(seconds=self.daily_cap_retry_s), message, **kw)
        if code == "spam_risk":
            return PermanentError(message, duplicate=True, **kw)
        if code == "internal_error" or status >= 500:
            return TransientError(message, sent=True, **kw)
        return PermanentError(message, **kw)
