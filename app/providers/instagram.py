"""Instagram professional accounts via the Instagram API with Instagram Login (graph.instagram.com),
platform-apis.md §3 (Meta Graph conventions) and §5; node specs in /work/shared/specs/meta
(IGUserForIGOnlyAPI, IGMediaForIGOnlyAPI, ShadowIGMediaBuilder).

OAuth (no PKCE): authorize on www.instagram.com (`auth_base`), the code → a short-lived (1 h)
token at `POST api.instagram.com/oauth/access_token` (`token_base`; defaults to `auth_base` when
that is not Instagram's own host, so one simulator address serves both), traded at once for a
long-lived 60-day token with `GET /access_token?grant_type=ig_exchange_token`. No refresh token:
`refresh` trades the long-lived token (unexpired, ≥ 24 h old) for a new one with
`GET /refresh_access_token?grant_type=ig_refresh_token`. No revoke endpoint exists. One login is
one Instagram account (publish_targets is the default single entry). `TokenSet.scope` holds the
granted permissions space-separated.

Publishing: Instagram PULLS media from public URLs. Attachments are the request's MediaItems
(each must carry `.url`) or `options["media_urls"]`; container → poll `status_code` → publish.
When the containers are not FINISHED within `media_wait_s`, `publish` returns a pending result
that `check_status` (read only) and `finalize` complete. Before creating containers the rolling
24 h publishing quota (`content_publishing_limit`) is checked; at quota → RateLimited at the
moment the oldest post of the window leaves it. No idempotency key: a publish that timed out may
have created the post (check `find_recent`); a container already PUBLISHED is never re-published.

request.options:
  post_type       "feed" | "reel" | "story" | "carousel"; inferred when absent (several items →
                  carousel, one video → reel, one image → feed). A "feed" video goes out as a
                  reel shared to the feed (Instagram has no other single-video feed post).
  media_urls      list of URLs or {"url", "type": "IMAGE"|"VIDEO", "mime", "alt_text"} dicts,
                  instead of MediaItems (type inferred from the extension when absent).
  media_meta      optional list aligned with the media: {"duration": s, "width", "height"};
                  enables the reel duration and image aspect-ratio checks (MediaItem has no
                  duration or dimensions).
  first_comment   text posted as the first comment once published (failure is reported in
                  PublishResult.extra["first_comment_error"], the post stands).
  share_to_feed   bool, reels only (default: Instagram's, true).
  cover_url       reel cover image URL;  thumb_offset: reel cover frame in ms.
  location_id     a Facebook Page id of a place (feed, reel, carousel).
  collaborators   list of up to 3 usernames (feed image, reel).
Stories carry no caption: the text is not sent for post_type "story". Alt text (MediaItem
.alt_text or the media_urls dict) is sent for images in feed posts and carousels only.
Caption rule: 2,200 characters counted as code points [unconfirmed how Meta counts], at most 30
hashtags and 20 @mentions (all configurable; the 5-hashtag rollout is `max_hashtags=5`).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from app.providers import instagram_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.instagram_text import MAX_CAPTION, text_length
from app.providers.meta import (
    THROTTLE_CODES as GRAPH_THROTTLE_CODES,
)
from app.providers.meta import (
    TRANSIENT_CODES,
    GraphProvider,
    graph_error,
    graph_fault,
    graph_retry_at,
    graph_since,
    insight_values,
    long_lived_token,
    parse_graph_time,
)
from app.providers.network import OAUTH_MEASURED, CaptionStyle, Limits, Look
from app.providers.options import PostOptions, option
from app.providers.posts import PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult, counters

DEFAULT_API_BASE = "https://graph.instagram.com"
DEFAULT_AUTH_BASE = "https://www.instagram.com"
DEFAULT_TOKEN_BASE = "https://api.instagram.com"
DEFAULT_VERSION = "v25.0"
DEFAULT_SCOPES = (
    "instagram_business_basic,instagram_business_content_publish,"
    "instagram_business_manage_comments,instagram_business_manage_insights"
)
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MIN_CAROUSEL = 2
MAX_CAROUSEL = 10
MAX_COLLABORATORS = 3
IMAGE_MAX_BYTES = 8 * 1024 * 1024
VIDEO_MAX_BYTES = 1024**3
IMAGE_MIMES = ("image/jpeg",)
VIDEO_MIMES = ("video/mp4", "video/quicktime")
REEL_MIN_S = 3.0
REEL_MAX_S = 15 * 60.0
MIN_ASPECT = 4 / 5
MAX_ASPECT = 1.91
PUBLISH_QUOTA = 100  # posts per rolling window, when content_publishing_limit does not say
QUOTA_WINDOW_S = 86400
PROFESSIONAL = ("BUSINESS", "MEDIA_CREATOR", "CREATOR")
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v")
JPEG_SUFFIXES = (".jpg", ".jpeg")
OTHER_IMAGE_SUFFIXES = (".png", ".gif", ".webp", ".heic", ".heif", ".bmp", ".tif", ".tiff")
POST_METRICS = ("views", "reach", "likes", "comments", "shares", "saved")

# Graph error codes (§3, §5.3).
AUTH_CODES = {102, 104, 190}
PERMISSION_CODES = {10} | set(range(200, 300))
THROTTLE_CODES = GRAPH_THROTTLE_CODES | {9}
QUOTA_SUBCODE = 2207042
NOT_READY_SUBCODE = 2207027
RETRYABLE_SUBCODES = {2207003, 2207032, 2207053, 2207082}

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w&#])#(?!\d+\b)\w+")
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9._]{1,30}")


def hashtags(text: str) -> list[str]:
    """Every #hashtag in `text` (URL fragments and all-digit tags excluded), repeats included."""
    return _HASHTAG.findall(_URL.sub(" ", text))


def mentions(text: str) -> list[str]:
    """Every @username in `text` (e-mail addresses and URLs excluded), repeats included."""
    return _MENTION.findall(_URL.sub(" ", text))


DEFAULT_LIMITS = Limits(
    max_text_length=MAX_CAPTION,
    max_media=MAX_CAROUSEL,
    media_types=frozenset(IMAGE_MIMES + VIDEO_MIMES),
    max_bytes={"image": IMAGE_MAX_BYTES, "video": VIDEO_MAX_BYTES},
    counter=text_length,
)


def _is_web_url(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")


# --------------------------------------------------------------------------- the provider


class InstagramOptions(PostOptions):
    post_type: Literal["feed", "carousel", "reel", "story"] | None = option(
        "Post type",
        "Instagram needs an image or a video.",
        unset="Automatic",
        choices={"feed": "Feed post", "carousel": "Carousel", "reel": "Reel", "story": "Story"},
    )
    first_comment: str | None = option(
        "First comment", "Posted as a comment right after.", multiline=True
    )
    share_to_feed: bool | None = option("Share reel to feed")
    media_urls: Any = option("Media URLs", "Public addresses of the media.", advanced=True)
    media_meta: Any = option("Media details", "Per item: type, size, duration.", advanced=True)
    cover_url: str | None = option("Reel cover URL", advanced=True)
    thumb_offset: int | None = option("Reel cover frame (ms)", advanced=True, ge=0)
    location_id: str | int | None = option("Location", "A Facebook place Page id.", advanced=True)
    collaborators: list[str] | None = option(
        "Collaborators", f"Up to {MAX_COLLABORATORS} usernames.", advanced=True,
        max_length=MAX_COLLABORATORS,
    )  # fmt: skip


class InstagramProvider(GraphProvider):
    id = "instagram"
    display_name = "Instagram"
    max_image_side = 1440
    alt_text_limit = 1000
    requires = "at least one image or video"
    capabilities = OAUTH_MEASURED.plus(text_only=False, images=True, video=True, mixed_media=True)
    # api.instagram.com answers {"data": [{access_token, user_id, permissions}]}; older
    # deployments answer the object itself.
    token_in_data_list = True
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = instagram_text
    options_model = InstagramOptions
    look = Look(
        mark="IG", color="#c026d3", link_color="#4f5bd5",
        actions=("heart", "message-circle", "send", "bookmark"), subtitle="Instagram",
        media_first=True, media_radius="0",
        chart_color="var(--pink-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character",
        "visual storytelling; the first ~125 characters show before 'more', so put the hook "
        "there; line breaks are fine; hashtags are niche and community-specific",
    )
    rate_budgets = {"account": (100, 24 * 3600)}
    # 60-day tokens, refreshable once a day old (§12.2: refresh around day 45-50).
    refresh_ahead = timedelta(days=15)

    default_auth_base = DEFAULT_AUTH_BASE
    default_scopes = DEFAULT_SCOPES
    default_version = DEFAULT_VERSION
    default_media_poll_s = 3.0
    authorize_path = "/oauth/authorize"

    max_hashtags = MAX_HASHTAGS
    max_mentions = MAX_MENTIONS
    min_carousel = MIN_CAROUSEL
    reel_min_s = REEL_MIN_S
    reel_max_s = REEL_MAX_S
    min_aspect = MIN_ASPECT
    max_aspect = MAX_ASPECT
    publish_quota = PUBLISH_QUOTA
    quota_window_s = QUOTA_WINDOW_S
    check_quota = True
    settings = (
        "max_hashtags",
        "max_mentions",
        "min_carousel",
        "reel_min_s",
        "reel_max_s",
        "min_aspect",
        "max_aspect",
        "publish_quota",
        "quota_window_s",
        "check_quota",
    )

    def __init__(self, *, token_base: str | None = None, **config: Any) -> None:
        super().__init__(**config)
        self.auth_base = self.auth_base.removesuffix(self.authorize_path)
        if token_base is None:
            own = self.auth_base == DEFAULT_AUTH_BASE
            token_base = DEFAULT_TOKEN_BASE if own else self.auth_base
        self.token_base = token_base.rstrip("/")

    # ------------------------------------------------------------------ OAuth

    def _long_lived(self, body: dict[str, Any], previous: TokenSet | None, scope: str) -> TokenSet:
        extra = dict(previous.extra) if previous else {}
        extra["token_type"] = body.get("token_type", "bearer")
        if body.get("permissions"):
            scope = " ".join(p for p in re.split(r"[,\s]+", str(body["permissions"])) if p)
        return long_lived_token(body, scope=scope, extra=extra)

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        """Code → short-lived token (api.instagram.com) → long-lived 60-day token."""
        short, long = self._code_to_long_lived(
            f"{self.token_base}/oauth/access_token",
            code=code,
            redirect_uri=redirect_uri,
            grant_type="ig_exchange_token",
        )
        granted = str(short.get("permissions") or self.scopes)
        token = self._long_lived(long, None, " ".join(p for p in re.split(r"[,\s]+", granted) if p))
        if short.get("user_id") is not None:
            token.extra["user_id"] = str(short["user_id"])
        return token

    def refresh(self, token: TokenSet) -> TokenSet:
        body = self._refresh_long_lived(token, "ig_refresh_token")
        return self._long_lived(body, token, token.scope)

    # ------------------------------------------------------------------ account

    def _me(self, token: TokenSet, fields: str) -> dict[str, Any]:
        body = self._read(token, "/me", {"fields": fields})
        if not isinstance(body, dict) or not (body.get("user_id") or body.get("id")):
            raise PermanentError("Instagram did not return the account")
        token.extra["user_id"] = str(body.get("user_id") or body["id"])
        return body

    def _user_id(self, token: TokenSet) -> str:
        for key in ("user_id", "account_id"):
            if token.extra.get(key):
                return str(token.extra[key])
        return str(self._me(token, "user_id,username")["user_id"])

    def account_info(self, token: TokenSet) -> AccountInfo:
        me = self._me(token, "user_id,username,name,profile_picture_url,account_type")
        kind = str(me.get("account_type") or "").upper()
        if kind and kind not in PROFESSIONAL:
            raise PermanentError(
                "Only Instagram professional (business or creator) accounts can publish through "
                "the API; switch the account to a professional one in the Instagram app."
            )
        user_id = str(me.get("user_id") or me["id"])
        username = str(me.get("username") or "")
        return AccountInfo(
            platform_account_id=user_id,
            name=str(me.get("name") or username),
            username=username,
            avatar_url=me.get("profile_picture_url"),
            metadata={
                "user_id": user_id,
                "username": username,
                "account_type": kind or None,
                "url": f"https://www.instagram.com/{username}/" if username else None,
            },
        )

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _items(request: PublishRequest) -> tuple[list[dict[str, Any]], list[str]]:
        """Normalised attachments [{"url", "type": IMAGE|VIDEO, "mime", "size", "alt_text"}]
        and the problems found while reading them."""
        problems: list[str] = []
        raw = request.options.get("media_urls")
        if request.media and raw:
            problems.append("Give either uploaded files or 'media_urls', not both.")
        items: list[dict[str, Any]] = []
        if request.media:
            for n, media in enumerate(request.media, 1):
                if not media.url:
                    problems.append(
                        f"Attachment {n} ({media.filename}) has no public URL: Instagram "
                        "fetches media from a URL, so the file must be stored where Instagram "
                        "can download it (e.g. S3 storage with presigned URLs)."
                    )
                kind = {"image": "IMAGE", "video": "VIDEO"}.get(media.kind, media.kind.upper())
                items.append(
                    {
                        "url": media.url or "",
                        "type": kind,
                        "mime": media.mime,
                        "size": media.size,
                        "alt_text": media.alt_text,
                        "name": media.filename,
                        "width": media.width,
                        "height": media.height,
                    }
                )
            return items, problems
        if raw is None:
            return items, problems
        if not isinstance(raw, list):
            return items, [*problems, "'media_urls' must be a list of URLs."]
        for entry in raw:
            item = {"url": entry} if isinstance(entry, str) else entry
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                problems.append("Each media_urls entry must be a URL or {'url': ...}.")
                continue
            kind = str(item.get("type") or "").upper()
            mime = item.get("mime")
            path = urlsplit(item["url"]).path.lower()
            if not kind:
                if isinstance(mime, str) and "/" in mime:
                    kind = mime.split("/", 1)[0].upper()
                else:
                    kind = "VIDEO" if path.endswith(VIDEO_SUFFIXES) else "IMAGE"
            if not mime and kind == "IMAGE" and path.endswith(OTHER_IMAGE_SUFFIXES):
                mime = "image/" + path.rsplit(".", 1)[-1]
            items.append(
                {
                    "url": item["url"],
                    "type": kind,
                    "mime": mime,
                    "size": item.get("size"),
                    "alt_text": item.get("alt_text"),
                }
            )
        return items, problems

    @staticmethod
    def _post_type(request: PublishRequest, items: list[dict[str, Any]]) -> str:
        explicit = request.options.get("post_type")
        if explicit:
            return str(explicit)
        if len(items) > 1:
            return "carousel"
        return "reel" if items and items[0]["type"] == "VIDEO" else "feed"

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        items, problems = self._items(request)
        errors += problems
        post_type = self._post_type(request, items)
        if not items:
            errors.append("An Instagram post needs at least one image or video.")
        elif post_type == "carousel":
            lo, hi = self.min_carousel, self.limits.max_media
            if not lo <= len(items) <= hi:
                errors.append(f"A carousel takes {lo} to {hi} images or videos (got {len(items)}).")
        elif post_type in ("feed", "reel", "story") and len(items) != 1:
            errors.append(f"An Instagram {post_type} takes exactly one image or video.")
        if post_type == "reel" and items and items[0]["type"] != "VIDEO":
            errors.append("A reel needs a video.")
        errors += self._check_items(items, post_type, opts.get("media_meta"))
        if post_type != "story":
            errors += self._check_caption(request.text, "caption")
        comment = opts.get("first_comment")
        if isinstance(comment, str):
            if not comment.strip():
                errors.append("The first comment is empty.")
            else:
                errors += self._check_caption(comment, "first comment")
        reel = post_type == "reel" or (
            post_type == "feed" and len(items) == 1 and items[0]["type"] == "VIDEO"
        )
        errors += self._check_options(opts, post_type, reel)
        return errors

    def _check_items(self, items: list[dict[str, Any]], post_type: str, meta: Any) -> list[str]:
        errors: list[str] = []
        if meta is not None and not (
            isinstance(meta, list) and all(m is None or isinstance(m, dict) for m in meta)
        ):
            errors.append("media_meta must be a list of {duration, width, height} objects.")
            meta = None
        for n, item in enumerate(items, 1):
            label = item.get("name") or f"Attachment {n}"
            if item["url"] and not _is_web_url(item["url"]):
                errors.append(f"{label}: Instagram needs a public http(s) URL.")
            mime = item.get("mime")
            if item["type"] == "IMAGE":
                if mime and mime not in IMAGE_MIMES:
                    errors.append(f"{label}: Instagram accepts JPEG images only (got {mime}).")
            elif item["type"] == "VIDEO":
                if mime and mime not in VIDEO_MIMES:
                    errors.append(f"{label}: Instagram accepts MP4 or MOV videos (got {mime}).")
            else:
                errors.append(f"{label}: only images and videos can be posted to Instagram.")
                continue
            cap = self.limits.max_size_for(item["type"].lower())
            if cap and isinstance(item.get("size"), int) and item["size"] > cap:
                errors.append(
                    f"{label} is {item['size'] / 1048576:.1f} MB; Instagram takes "
                    f"{item['type'].lower()}s up to {cap / 1048576:.0f} MB."
                )
            # Uploaded files know their dimensions; media_meta tells them for URLs.
            known = {"width": item.get("width"), "height": item.get("height")}
            info = (meta[n - 1] if meta and n <= len(meta) else None) or known
            errors += self._check_meta(label, item["type"], post_type, info)
        return errors

    def _check_meta(self, label: str, kind: str, post_type: str, info: dict[str, Any]) -> list[str]:
        errors = []
        duration, width, height = info.get("duration"), info.get("width"), info.get("height")
        if kind == "VIDEO" and post_type in ("reel", "feed") and duration is not None:
            lo, hi = self.reel_min_s, self.reel_max_s
            if not lo <= float(duration) <= hi:
                errors.append(
                    f"{label}: a reel must last {lo:g} s to {hi / 60:g} min "
                    f"(this one is {float(duration):g} s)."
                )
        if kind == "IMAGE" and post_type != "story" and width and height:
            ratio = float(width) / float(height)
            lo, hi = self.min_aspect, self.max_aspect
            if not lo - 0.005 <= ratio <= hi + 0.005:
                errors.append(
                    f"{label}: Instagram feed images must have an aspect ratio between 4:5 and "
                    f"1.91:1 (this one is {width}×{height})."
                )
        return errors

    def _check_caption(self, text: str, what: str) -> list[str]:
        errors = []
        n = self.limits.count_text(text)
        if n > self.limits.max_text_length:
            errors.append(
                f"The {what} is {n} characters; Instagram allows {self.limits.max_text_length}."
            )
        tags = len(hashtags(text))
        if tags > self.max_hashtags:
            errors.append(f"The {what} has {tags} hashtags; Instagram allows {self.max_hashtags}.")
        ats = len(mentions(text))
        if ats > self.max_mentions:
            errors.append(
                f"The {what} mentions {ats} accounts; Instagram allows {self.max_mentions}."
            )
        return errors

    @staticmethod
    def _check_options(opts: dict[str, Any], post_type: str, reel: bool) -> list[str]:
        errors = []
        reel_only = {
            "share_to_feed": "Sharing to the feed",
            "cover_url": "A cover",
            "thumb_offset": "A cover frame",
        }
        for name, what in reel_only.items():
            if opts.get(name) is not None and not reel:
                errors.append(f"{what} applies to reels only.")
        cover = opts.get("cover_url")
        if isinstance(cover, str) and not _is_web_url(cover):
            errors.append("The reel cover must be a public http(s) URL of an image.")
        loc = opts.get("location_id")
        if loc is not None:
            if post_type == "story":
                errors.append("Stories cannot carry a location.")
            if not str(loc).isdigit():
                errors.append("The location must be the numeric id of a Facebook place Page.")
        collab = opts.get("collaborators")
        if collab is not None:
            if post_type in ("story", "carousel"):
                errors.append(f"Collaborators cannot be added to a {post_type}.")
            if isinstance(collab, list) and not all(isinstance(c, str) and c for c in collab):
                errors.append("Collaborators must be usernames (not empty).")
        return errors

    # ------------------------------------------------------------------ publishing

    def _container(self, token: TokenSet, user_id: str, params: dict[str, Any]) -> str:
        missing = PermanentError("Instagram did not create the media container")
        return self._new_id(token, f"/{user_id}/media", params, missing)

    def _container_params(
        self, request: PublishRequest, item: dict[str, Any], post_type: str
    ) -> dict[str, Any]:
        """Parameters of the one container of a feed/reel/story post."""
        opts = request.options
        if post_type == "story":
            key = "video_url" if item["type"] == "VIDEO" else "image_url"
            return {"media_type": "STORIES", key: item["url"]}
        params: dict[str, Any] = {}
        if item["type"] == "VIDEO":
            params = {"media_type": "REELS", "video_url": item["url"]}
            if post_type == "feed":
                params["share_to_feed"] = "true"
            elif "share_to_feed" in opts:
                params["share_to_feed"] = "true" if opts["share_to_feed"] else "false"
            if opts.get("cover_url"):
                params["cover_url"] = opts["cover_url"]
            if opts.get("thumb_offset") is not None:
                params["thumb_offset"] = str(opts["thumb_offset"])
        else:
            params = {"image_url": item["url"]}
            if item.get("alt_text"):
                params["alt_text"] = item["alt_text"]
        if request.text:
            params["caption"] = request.text
        if opts.get("location_id"):
            params["location_id"] = str(opts["location_id"])
        if opts.get("collaborators"):
            params["collaborators"] = json.dumps(opts["collaborators"])
        return params

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        self._refuse_invalid(request)
        user_id = self._user_id(token)
        items, _ = self._items(request)
        post_type = self._post_type(request, items)
        pending: dict[str, Any] = {
            "user_id": user_id,
            "post_type": post_type,
            "container_id": None,
            "children": [],
            "first_comment": request.options.get("first_comment"),
        }
        # Containers are invisible until published: a retry cannot duplicate a post.
        with TransientError.nothing_created():
            if self.check_quota:
                self._ensure_quota(token, user_id)
            if post_type == "carousel":
                for item in items:
                    params: dict[str, Any] = {"is_carousel_item": "true"}
                    if item["type"] == "VIDEO":
                        params |= {"media_type": "VIDEO", "video_url": item["url"]}
                    else:
                        params["image_url"] = item["url"]
                        if item.get("alt_text"):
                            params["alt_text"] = item["alt_text"]
                    pending["children"].append(self._container(token, user_id, params))
                parent: dict[str, Any] = {"media_type": "CAROUSEL"}
                if request.text:
                    parent["caption"] = request.text
                if request.options.get("location_id"):
                    parent["location_id"] = str(request.options["location_id"])
                pending["parent_params"] = parent
            else:
                params = self._container_params(request, items[0], post_type)
                pending["container_id"] = self._container(token, user_id, params)
        return self._advance(token, pending, time.monotonic() + self.media_wait_s)

    def _advance(self, token: TokenSet, pending: dict[str, Any], deadline: float) -> PublishResult:
        """Poll the containers (creating the carousel parent when its children are done) until
        publishable, then publish; pending again when `deadline` (monotonic) comes first."""
        while True:
            status = self.check_status(token, pending)
            if status.state == "failed":
                duplicate = "already published" in (status.message or "")
                raise PermanentError(
                    status.message or "Instagram could not process the media", duplicate=duplicate
                )
            if status.state == "ready":
                if pending.get("container_id"):
                    return self._publish(token, pending)
                with TransientError.nothing_created():
                    params = dict(pending["parent_params"], children=",".join(pending["children"]))
                    parent = self._container(token, pending["user_id"], params)
                pending = {**pending, "container_id": parent}
                continue
            if time.monotonic() + self.media_poll_s > deadline:
                return PublishResult(state="pending", pending_state=pending)
            time.sleep(self.media_poll_s)

    def _status(self, token: TokenSet, container_id: str) -> dict[str, Any]:
        with TransientError.nothing_created():  # a read
            body = self._read(token, f"/{container_id}", {"fields": "status_code,status"})
        return body if isinstance(body, dict) else {}

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        ids = (
            [pending_state["container_id"]]
            if pending_state.get("container_id")
            else list(pending_state.get("children") or [])
        )
        processing = False
        for cid in ids:
            try:
                body = self._status(token, cid)
            except PermanentError as exc:
                return StatusResult("failed", exc.message, None, pending_state)
            code = body.get("status_code")
            if code == "PUBLISHED":
                return StatusResult(
                    "failed", "The container was already published", None, pending_state
                )
            if code in ("ERROR", "EXPIRED"):
                detail = body.get("status") or f"the container is {code.lower()}"
                return StatusResult("failed", f"Instagram: {detail}", None, pending_state)
            if code != "FINISHED":
                processing = True
        if processing:
            return StatusResult(
                "processing", "Instagram is processing the media", self.media_poll_s, pending_state
            )
        return StatusResult("ready", None, None, pending_state)

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        """Publish once the containers are done (creating a carousel's parent first); pending
        again while Instagram is still processing. Never waits."""
        return self._advance(token, pending_state, time.monotonic())

    def _publish(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        media_id = self._new_id(
            token,
            f"/{pending['user_id']}/media_publish",
            {"creation_id": pending["container_id"]},
            TransientError("Instagram answered the publish without an id", sent=True),
        )
        extra: dict[str, Any] = {"container_id": pending["container_id"]}
        permalink = self._permalink(token, media_id)
        if pending.get("first_comment"):
            try:
                made = self._request(
                    "POST",
                    self._graph(f"/{media_id}/comments"),
                    token=token,
                    params={"message": pending["first_comment"]},
                ).json()
                extra["first_comment_id"] = str(made.get("id")) if isinstance(made, dict) else None
            except ProviderError as exc:
                extra["first_comment_error"] = exc.message
        return PublishResult(
            state="published", platform_post_id=media_id, permalink=permalink, extra=extra
        )

    # ------------------------------------------------------------------ quota

    def publishing_quota(self, token: TokenSet, user_id: str | None = None) -> dict[str, int]:
        """{"used", "total", "window_s"} of the rolling publishing quota."""
        path = f"/{user_id or self._user_id(token)}/content_publishing_limit"
        return self._publishing_quota(token, path, self.publish_quota, self.quota_window_s)

    def _ensure_quota(self, token: TokenSet, user_id: str) -> None:
        quota = self.publishing_quota(token, user_id)
        if quota["used"] < quota["total"]:
            return
        window = timedelta(seconds=quota["window_s"])
        now = datetime.now(UTC)
        posts = self._media_since(token, user_id, now - window, "id,timestamp")
        oldest = min((parse_graph_time(p["timestamp"]) for p in posts), default=None)
        retry_at = oldest + window if oldest and oldest + window > now else now + timedelta(hours=1)
        raise RateLimited(
            retry_at,
            f"Instagram's publishing limit is reached ({quota['used']} of {quota['total']} posts "
            f"in {quota['window_s'] // 3600} h); the next post can go out at "
            f"{retry_at:%Y-%m-%d %H:%M} UTC.",
            code=str(QUOTA_SUBCODE),
        )

    # ------------------------------------------------------------------ reading back

    def _media_since(
        self, token: TokenSet, user_id: str, since: datetime, fields: str
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"fields": fields, "since": int(since.timestamp()), "limit": 100}
        rows = self._paged(token, f"/{user_id}/media", params, pages=10)
        return [p for p in rows if isinstance(p, dict)]

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        user_id = self._user_id(token)
        since = graph_since(since)
        fields = "id,caption,timestamp,permalink"
        posts = self._media_since(token, user_id, since, fields)
        stories = self._read(token, f"/{user_id}/stories", {"fields": fields})
        posts += [p for p in (stories.get("data") or []) if isinstance(p, dict)]
        found = {}
        for post in posts:
            created = parse_graph_time(post["timestamp"])
            if created >= since:
                found[str(post["id"])] = RecentPost(
                    platform_post_id=str(post["id"]),
                    text=post.get("caption") or "",
                    created_at=created,
                    permalink=post.get("permalink"),
                )
        return sorted(
            found.values(), key=lambda p: (p.created_at, p.platform_post_id), reverse=True
        )

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        try:
            body = self._insights(token, platform_post_id, POST_METRICS)
        except (AuthError, PermanentError) as exc:
            if exc.code != "10" or "permission" in exc.message.lower():
                raise
            # "(#10) Not enough viewers": small audiences get no insights; counts still work.
            counts = self._read(
                token, f"/{platform_post_id}", {"fields": "like_count,comments_count"}
            )
            return counters(counts, likes="like_count", comments="comments_count")
        values = insight_values(body)
        return {
            "likes": values.get("likes", 0),
            "comments": values.get("comments", 0),
            "shares": values.get("shares", 0),
            "views": values.get("views", 0),
            "reach": values.get("reach", 0),
            "saves": values.get("saved", 0),
        }

    def account_metrics(self, token: TokenSet) -> Metrics:
        body = self._read(
            token,
            f"/{self._user_id(token)}",
            {"fields": "followers_count,follows_count,media_count"},
        )
        return counters(
            body, followers="followers_count", following="follows_count", posts="media_count"
        )

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        error, code, subcode, kw = graph_fault(response)
        message = str(
            error.get("error_user_msg") or error.get("message") or self._ig_message(response)
        )
        if code in AUTH_CODES or (code is None and status == 401):
            # Instagram refreshes the access token itself: a refused token cannot be refreshed.
            return AuthError(message, refresh_may_help=False, **kw)
        if code in PERMISSION_CODES and "permission" in message.lower():
            return AuthError(message, refresh_may_help=False, **kw)
        if subcode == QUOTA_SUBCODE:
            return RateLimited(graph_retry_at(response), message, **kw)
        if code in THROTTLE_CODES or (code is None and status == 429):
            return RateLimited(graph_retry_at(response), message, **kw)
        if subcode == NOT_READY_SUBCODE or subcode in RETRYABLE_SUBCODES:
            return TransientError(message, sent=False, **kw)
        if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient") is True:
            return TransientError(message, sent=True, **kw)
        if code == 506:
            return PermanentError(message, duplicate=True, **kw)
        return PermanentError(message, **kw)

    def _ig_message(self, response: httpx.Response) -> str:
        """api.instagram.com answers {"error_type", "code", "error_message"}."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error_message"), str):
            result: str = body["error_message"]
            return result
        return self._error_message(response)


__all__ = [
    "InstagramProvider",
    "graph_error",
    "graph_retry_at",
    "hashtags",
    "mentions",
    "parse_graph_time",
]
