"""Pinterest, REST API v5 (platform-apis.md §11; OpenAPI in /work/shared/specs/pinterest).

OAuth 2.0 authorization code (no PKCE) with HTTP Basic client authentication at
`POST /v5/oauth/token`; scopes are comma-separated. Refresh is "continuous": every refresh returns
a new refresh token and the old one stops working, so the result must be persisted at once.

A pin goes to a board: `options["board_id"]` is required (`boards()` lists the account's boards
for the picker). The post text is the pin description (≤800); `options["title"]` (≤100),
`options["link"]` (≤2048) and the alt text (≤500, from the image or `options["alt_text"]`) are
optional. Media: one image (sent as `image_base64`, or `image_url` when `options["media_url"]`
is given instead of a file), a carousel of 2–5 images (`multiple_image_base64`, or
`options["media_urls"]`), or one video plus a cover (a second, image attachment, or
`options["cover_image_url"]`, or `options["cover_image_key_frame_time"]`). Videos are
registered with `POST /v5/media`, uploaded to the returned S3 `upload_url`, and polled with
`GET /v5/media/{id}`; if processing outlasts `media_wait_s`, `publish` returns a pending result
that `check_status` (read only) and `finalize` complete.

Pinterest has no idempotency key: a `POST /v5/pins` that timed out may still have created the
pin, so `find_recent` reads the account's pins back. The document defines no rate-limit reset
headers; a 429 is retried after `Retry-After` when present, else after `rate_limit_backoff_s`.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.providers import pinterest_text
from app.providers.accounts import AccountInfo, TokenSet
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
from app.providers.options import PostOptions, option
from app.providers.pinterest_text import (
    ALT_TEXT_LIMIT,
    DESCRIPTION_LIMIT,
    LINK_LIMIT,
    TITLE_LIMIT,
    text_length,
)
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult, counters

DEFAULT_API_BASE = "https://api.pinterest.com/v5"
DEFAULT_AUTHORIZE_URL = "https://www.pinterest.com/oauth/"
DEFAULT_WEB_BASE = "https://www.pinterest.com"
DEFAULT_SCOPES = "boards:read,boards:write,pins:read,pins:write,user_accounts:read"
TOKEN_TTL_S = 30 * 86400  # when the token response has no expires_in
MB = 1000 * 1000
IMAGE_TYPES = ("image/jpeg", "image/png")
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/x-m4v")
MAX_CAROUSEL = 5
PIN_METRICS = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK")

URL = r"^https?://"


class PinterestOptions(PostOptions):
    board_id: str = option(
        "Board", "Where the pin goes.", required=True, live=True,
        pattern=r"^[0-9]+$", expect="a board id (digits)",
    )  # fmt: skip
    board_section_id: str | None = option(
        "Board section", advanced=True, pattern=r"^[0-9]+$", expect="a section id (digits)"
    )
    title: str | None = option("Pin title", preview_title=True)
    link: str | None = option("Destination link")
    alt_text: str | None = option("Alt text")
    dominant_color: str | None = option("Dominant colour", advanced=True)
    media_url: str | None = option(
        "Media URL", "Pin an image from this address.", advanced=True,
        pattern=URL, expect="an http(s) URL",
    )  # fmt: skip
    media_urls: list[str] | None = option(
        "Media URLs", f"A carousel of 2-{MAX_CAROUSEL} image addresses.", advanced=True
    )
    cover_image_url: str | None = option(
        "Cover image URL", advanced=True, pattern=URL, expect="an http(s) URL"
    )
    cover_image_key_frame_time: int | None = option(
        "Cover frame", "The second of the video to show as its cover.", advanced=True, ge=0
    )


DEFAULT_LIMITS = Limits(
    max_text_length=DESCRIPTION_LIMIT,
    max_media=MAX_CAROUSEL,
    media_types=frozenset(IMAGE_TYPES + VIDEO_TYPES),
    max_bytes={"image": 20 * MB, "video": 2000 * MB},
    counter=text_length,
)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _digits(value: Any) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _b64(item: MediaItem) -> str:
    with item.open() as fh:
        return base64.b64encode(fh.read()).decode("ascii")


class PinterestProvider(OAuth2Provider):
    id = "pinterest"
    display_name = "Pinterest"
    alt_text_limit = 500
    requires = "an image or a video, and a board"
    capabilities = OAUTH_MEASURED.plus(text_only=False, images=True, video=True)
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = pinterest_text
    options_model = PinterestOptions
    look = Look(
        mark="P", color="#be123c", link_color="#e60023", actions=("share-2", "heart"),
        subtitle="Pin", at_handle=False, media_first=True, media_radius="16px",
        call_to_action="Save",
        chart_color="var(--crimson-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character",
        "a searchable, keyword-rich pin description that says what the idea is and why to save "
        "it; hashtags are descriptive keywords",
    )
    rate_budgets = {"account": (1_000, 24 * 3600)}
    # 30-day access tokens; each refresh also brings a new 60-day refresh token (§12.2).
    refresh_ahead = timedelta(days=5)

    default_auth_base = DEFAULT_AUTHORIZE_URL
    default_web_base = DEFAULT_WEB_BASE
    default_scopes = DEFAULT_SCOPES
    authorize_path = "/oauth"
    token_path = "/oauth/token"
    token_ttl_s = TOKEN_TTL_S
    basic_auth = True
    sends_code_verifier = False
    no_refresh_token = "This Pinterest connection has no refresh token; reconnect the account"

    rate_limit_backoff_s = 60.0
    settings = ("rate_limit_backoff_s",)

    # ------------------------------------------------------------------ OAuth

    def _authorize_endpoint(self, auth_base: str) -> str:
        return super()._authorize_endpoint(auth_base) + "/"

    def _token_extra(self, body: dict[str, Any], extra: dict[str, Any], now: datetime) -> None:
        extra["token_type"] = body.get("token_type", "bearer")
        if body.get("refresh_token_expires_at"):
            extra["refresh_token_expires_at"] = body["refresh_token_expires_at"]

    # ------------------------------------------------------------------ account, boards

    def _user_account(self, token: TokenSet) -> dict[str, Any]:
        body = self._request("GET", "/user_account", token=token).json()
        if not isinstance(body, dict) or not body.get("id"):
            raise PermanentError("Pinterest did not return the account")
        token.extra["user_id"] = str(body["id"])
        token.extra["username"] = str(body.get("username") or "")
        return body

    def account_info(self, token: TokenSet) -> AccountInfo:
        user = self._user_account(token)
        username = str(user.get("username") or "")
        return AccountInfo(
            platform_account_id=str(user["id"]),
            name=str(user.get("business_name") or username),
            username=username,
            avatar_url=user.get("profile_image"),
            metadata={
                "account_type": user.get("account_type"),
                "url": f"{self.web_base}/{username}/" if username else None,
            },
        )

    def boards(self, token: TokenSet) -> list[dict[str, Any]]:
        """The account's boards as [{"id", "name", "privacy"}] (for the board_id option)."""
        out: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page_size": 250}
        for _ in range(20):
            body = self._request("GET", "/boards", token=token, params=params).json()
            for board in body.get("items") or []:
                out.append(
                    {
                        "id": str(board["id"]),
                        "name": board.get("name") or "",
                        "privacy": board.get("privacy") or "PUBLIC",
                    }
                )
            if not body.get("bookmark"):
                break
            params["bookmark"] = body["bookmark"]
        return out

    def option_choices(self, token: TokenSet) -> dict[str, list[tuple[str, str]]]:
        return {"board_id": [(b["id"], b["name"] or b["id"]) for b in self.boards(token)]}

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        n = self.limits.count_text(request.text)
        if n > self.limits.max_text_length:
            errors.append(
                f"The description is {n} characters; Pinterest allows "
                f"{self.limits.max_text_length}."
            )
        title = opts.get("title")
        if isinstance(title, str) and text_length(title) > TITLE_LIMIT:
            errors.append(f"The title must be text of at most {TITLE_LIMIT} characters.")
        link = opts.get("link")
        if isinstance(link, str) and (not _is_url(link) or len(link) > LINK_LIMIT):
            errors.append(f"The link must be an http(s) URL of at most {LINK_LIMIT} characters.")
        alts = [opts.get("alt_text")] + [m.alt_text for m in request.media]
        if any(isinstance(a, str) and text_length(a) > ALT_TEXT_LIMIT for a in alts):
            errors.append(f"Alt text is limited to {ALT_TEXT_LIMIT} characters.")
        urls = opts.get("media_urls")
        if isinstance(urls, list) and (
            not all(_is_url(u) for u in urls) or not 2 <= len(urls) <= MAX_CAROUSEL
        ):
            errors.append(f"The media URLs must be 2-{MAX_CAROUSEL} http(s) URLs.")
        errors += self._validate_media(request)
        return errors

    def _validate_media(self, request: PublishRequest) -> list[str]:
        errors: list[str] = []
        media, opts = request.media, request.options
        by_url = "media_url" in opts or "media_urls" in opts
        if by_url and media:
            errors.append("Give either files or media URLs, not both.")
        if not media and not by_url:
            errors.append("A pin needs an image or a video.")
        for m in media:
            if self.limits.media_types and m.mime not in self.limits.media_types:
                errors.append(f"{m.filename}: file type {m.mime} is not accepted by Pinterest.")
                continue
            cap = self.limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(f"{m.filename} is {m.size} bytes; Pinterest accepts {cap}.")
        videos = [m for m in media if m.kind == "video"]
        images = [m for m in media if m.kind == "image"]
        if videos:
            if len(videos) > 1 or len(images) > 1:
                errors.append("A video pin holds one video (plus at most one cover image).")
            has_cover = images or "cover_image_url" in opts or "cover_image_key_frame_time" in opts
            if not has_cover:
                errors.append(
                    "A video pin needs a cover: attach an image, or give a cover image URL or "
                    "a cover frame."
                )
        elif len(images) > MAX_CAROUSEL:
            errors.append(f"A carousel pin holds 2 to {MAX_CAROUSEL} images.")
        return errors

    # ------------------------------------------------------------------ publishing

    def _pin_fields(self, request: PublishRequest) -> dict[str, Any]:
        opts = request.options
        if not _digits(opts.get("board_id")):
            raise PermanentError("Choose a Pinterest board.")
        body: dict[str, Any] = {"board_id": opts["board_id"]}
        if request.text:
            body["description"] = request.text
        for name in ("board_section_id", "title", "link", "dominant_color"):
            if opts.get(name):
                body[name] = opts[name]
        alt = opts.get("alt_text") or next((m.alt_text for m in request.media if m.alt_text), None)
        if alt:
            body["alt_text"] = alt
        return body

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        body = self._pin_fields(request)
        opts = request.options
        videos = [m for m in request.media if m.kind == "video"]
        images = [m for m in request.media if m.kind == "image"]
        if videos:
            return self._publish_video(token, body, videos[0], images, opts)
        if opts.get("media_urls"):
            items = [{"url": u} for u in opts["media_urls"]]
            body["media_source"] = {"source_type": "multiple_image_urls", "items": items}
        elif opts.get("media_url"):
            body["media_source"] = {"source_type": "image_url", "url": opts["media_url"]}
        elif len(images) == 1:
            body["media_source"] = {
                "source_type": "image_base64",
                "content_type": images[0].mime,
                "data": _b64(images[0]),
            }
        elif len(images) > 1:
            items = [{"content_type": m.mime, "data": _b64(m)} for m in images]
            body["media_source"] = {"source_type": "multiple_image_base64", "items": items}
        else:
            raise PermanentError("A pin needs an image or a video")
        return self._create_pin(token, body)

    def _publish_video(
        self,
        token: TokenSet,
        body: dict[str, Any],
        video: MediaItem,
        images: list[MediaItem],
        opts: dict[str, Any],
    ) -> PublishResult:
        source: dict[str, Any] = {"source_type": "video_id"}
        if images:
            source["cover_image_content_type"] = images[0].mime
            source["cover_image_data"] = _b64(images[0])
        elif opts.get("cover_image_url"):
            source["cover_image_url"] = opts["cover_image_url"]
        elif opts.get("cover_image_key_frame_time") is not None:
            source["cover_image_key_frame_time"] = opts["cover_image_key_frame_time"]
        # Media steps never create a pin: retrying cannot duplicate.
        with TransientError.nothing_created():
            media_id = self._upload_video(token, video)
            source["media_id"] = media_id
            pending = {"stage": "media_processing", "media_id": media_id, "pin": body}
            pending["source"] = source
            deadline = time.monotonic() + self.media_wait_s
            while True:
                state = self._media_state(token, media_id)
                if state == "failed":
                    raise PermanentError(
                        "Pinterest could not process the video", code="media-processing-failed"
                    )
                if state == "succeeded":
                    break
                if time.monotonic() + self.media_poll_s > deadline:
                    return PublishResult(state="pending", pending_state=pending)
                time.sleep(self.media_poll_s)
        return self._create_pin(token, {**body, "media_source": source})

    def _upload_video(self, token: TokenSet, video: MediaItem) -> str:
        reg = self._request("POST", "/media", token=token, json={"media_type": "video"}).json()
        media_id = str(reg.get("media_id") or "")
        upload_url = reg.get("upload_url")
        if not media_id or not upload_url:
            raise PermanentError("Pinterest did not register the video upload")
        fields = {str(k): str(v) for k, v in (reg.get("upload_parameters") or {}).items()}
        with video.open() as fh:
            # S3 POST: every upload parameter as a form field, then the file last (streamed).
            self._request(
                "POST",
                upload_url,
                data=fields,
                files={"file": (video.filename, fh, video.mime)},
            )
        return media_id

    def _media_state(self, token: TokenSet, media_id: str) -> str:
        body = self._request("GET", f"/media/{media_id}", token=token).json()
        return str(body.get("status") or "processing")

    def _create_pin(self, token: TokenSet, body: dict[str, Any]) -> PublishResult:
        pin = self._request("POST", "/pins", token=token, json=body).json()
        if not isinstance(pin, dict) or not pin.get("id"):
            raise PermanentError("Pinterest did not create the pin")
        pin_id = str(pin["id"])
        return PublishResult(
            state="published",
            platform_post_id=pin_id,
            permalink=self._permalink(pin_id),
            extra={"board_id": pin.get("board_id") or body["board_id"]},
        )

    def _permalink(self, pin_id: str) -> str:
        return f"{self.web_base}/pin/{pin_id}/"

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        media_id = str(pending_state.get("media_id") or "")
        try:
            state = self._media_state(token, media_id)
        except PermanentError as exc:  # unknown media id
            return StatusResult("failed", exc.message, None, pending_state)
        if state == "failed":
            return StatusResult(
                "failed", "Pinterest could not process the video", None, pending_state
            )
        if state == "succeeded":
            return StatusResult("ready", None, None, pending_state)
        return StatusResult(
            "processing", "Pinterest is processing the video", self.media_poll_s, pending_state
        )

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        return self._publish_when_ready(
            token, pending_state, self._create_video_pin, "Video processing failed", wait=False
        )

    def _create_video_pin(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        return self._create_pin(token, {**pending["pin"], "media_source": pending["source"]})

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        # Pinterest reports created_at to the second: compare from the start of `since`'s second.
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        since = since.replace(microsecond=0)
        params: dict[str, Any] = {"page_size": 100}
        found: list[RecentPost] = []
        for _ in range(5):  # at most 500 pins back (newest first)
            body = self._request("GET", "/pins", token=token, params=params).json()
            older = False
            for pin in body.get("items") or []:
                created = _parse_time(pin["created_at"])
                if created < since:
                    older = True
                    continue
                found.append(
                    RecentPost(
                        platform_post_id=str(pin["id"]),
                        text=pin.get("description") or pin.get("title") or "",
                        created_at=created,
                        permalink=self._permalink(str(pin["id"])),
                    )
                )
            if older or not body.get("bookmark"):
                break
            params["bookmark"] = body["bookmark"]
        found.sort(key=lambda p: (p.created_at, int(p.platform_post_id)), reverse=True)
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        today = datetime.now(UTC).date()
        params = {
            "start_date": (today - timedelta(days=89)).isoformat(),
            "end_date": today.isoformat(),
            "metric_types": ",".join(PIN_METRICS),
            "app_types": "ALL",
            "split_field": "NO_SPLIT",
        }
        body = self._request(
            "GET", f"/pins/{platform_post_id}/analytics", token=token, params=params
        ).json()
        block = (body or {}).get("all") or {}
        m = block.get("lifetime_metrics") or block.get("summary_metrics") or {}
        return counters(
            m,
            views="IMPRESSION",
            saves="SAVE",
            clicks="PIN_CLICK",
            outbound_clicks="OUTBOUND_CLICK",
        )

    def account_metrics(self, token: TokenSet) -> Metrics:
        user = self._user_account(token)
        return counters(
            user,
            followers="follower_count",
            following="following_count",
            posts="pin_count",
            views="monthly_views",
        )

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        body = _json(response)
        code = body.get("code") if isinstance(body, dict) else None
        code_text = str(code) if code is not None else None
        message = self._error_message(response)
        if status == 401:
            # code 3: the token lacks a scope; only reconnecting (re-consenting) helps.
            return AuthError(message, refresh_may_help=code != 3, status=401, code=code_text)
        if status == 429:
            retry_at = self._retry_at(response, default_s=self.rate_limit_backoff_s)
            return RateLimited(retry_at, message, status=429, code=code_text)
        if status >= 500:
            return TransientError(message, sent=True, status=status, code=code_text)
        return PermanentError(message, duplicate=status == 409, status=status, code=code_text)


__all__ = ["DEFAULT_LIMITS", "PinterestProvider"]
