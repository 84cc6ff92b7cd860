"""Facebook Pages (Graph API) simulator, platform-apis.md §3 and §4.

Requests are checked against Meta's own Graph API node descriptions (v25.0;
/work/shared/specs/meta/graph-api-specs): the parameter lists and types of `POST /{page}/feed`,
`POST /{page}/photos`, `POST /{page}/videos` and `POST /{post}/comments` are embedded below
(`Page.json`, `PagePost.json`), with the enum values from `enum_types.json`; node field names
(`User`, `Page`, `PagePost`, `Photo`, `AdVideo`, `Comment`) are checked on `GET /{id}?fields=`.
Unknown parameters, wrongly typed values, bad enum values and unknown fields are refused in the
Graph envelope {"error": {message, type, code, error_subcode?, is_transient, fbtrace_id}}.

Routes, under /facebook (the www, graph and graph-video hosts share the mount; graph-video is
also served under /facebook/graph-video):
  GET  /{v}/dialog/oauth                 Facebook Login; auto-approves as `sim_account`
                                         (default user "facebook_user")
  GET|POST /{v}/oauth/access_token       code → short-lived user token (1 h);
                                         grant_type=fb_exchange_token → long-lived (60 d)
  GET  /{v}/me | /{v}/{id}?fields=       user, page, post, photo, video, comment nodes
  GET  /{v}/me/accounts                  the user's Pages with Page tokens (a Page token minted
                                         from a long-lived user token never expires)
  GET|DELETE /{v}/me/permissions
  POST /{v}/{page}/feed                  message, link, attached_media, published, ...
  GET  /{v}/{page}/feed | published_posts   since, until, limit, after
  POST /{v}/{page}/photos                url or multipart source; published=false → unattached
  POST /{v}/{page}/videos                file_url / multipart source, or the resumable
                                         upload_phase=start|transfer|finish|cancel flow
  POST /{v}/{post}/comments
  GET  /{v}/{post}/insights | /{v}/{page}/insights

Videos process for `media_processing_ms` (knob) after the upload, then their post appears.
Throttling: quota families "page_calls" (Business Use Case, per Page token: code 80001 with
X-Business-Use-Case-Usage.estimated_time_to_regain_access) and "user_calls" (Platform limit,
per user token: code 17 with X-App-Usage); every answer carries the usage headers.
A text post identical to the Page's last one within `duplicate_window_s` is refused with
(#506) "Duplicate status message".
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from simulator import organic
from simulator.meta import (
    E_BAD_TOKEN,
    E_NO_ACTIVE_TOKEN,
    App,
    MetaSim,
    app_usage,
    bad_param,
    fault_error,
    fault_minutes,
    meta_error,
    meta_time,
)
from simulator.platform import Refusal, find_named, per_window, read_params
from simulator.state import Fault, SimError, utcnow

SANDBOX_CLIENT_ID = "facebook-sandbox"
SANDBOX_CLIENT_SECRET = "facebook-sandbox-secret"
DEFAULT_USER = "facebook_user"
VERSION = "v25.0"
SHORT_TTL_S = 3600
LONG_TTL_S = 60 * 86400
SCOPES = (
    "public_profile",
    "email",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_manage_metadata",
    "read_insights",
    "publish_video",
    "business_management",
)
DEFAULT_SCOPES = (
    "pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement,"
    "read_insights,publish_video"
)
TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]
MAX_MESSAGE = 63206

DEFAULT_SETTINGS: dict[str, Any] = {
    "versions": ["v23.0", "v24.0", "v25.0"],
    "auth_code_ttl_s": 600,
    "max_message_length": MAX_MESSAGE,
    "photo_max_bytes": 4 * 1024 * 1024,
    "video_max_bytes": 10 * 1024**3,
    "video_chunk_bytes": 4 * 1024 * 1024,
    "duplicate_window_s": 3600,
    "schedule_min_s": 600,
    "schedule_max_s": 30 * 86400,
    "media_fetch_error": None,  # e.g. "Missing or invalid image file"
    "video_processing_error": None,  # e.g. "Video format not supported"
    "default_account": DEFAULT_USER,
}

# ------------------------------------------------------------------ spec (Graph API v25.0)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _spec(groups: dict[str, str]) -> dict[str, str]:
    return {name: kind for kind, names in groups.items() for name in names.split()}


ENUMS: dict[str, tuple[str, ...]] = {
    "backdated_time_granularity": ("day", "hour", "min", "month", "none", "year"),
    "unpublished_content_type": (
        "ADS_POST",
        "DRAFT",
        "INLINE_CREATED",
        "PUBLISHED",
        "PUBLISH_PENDING",
        "REVIEWABLE_BRANDED_CONTENT",
        "SCHEDULED",
        "SCHEDULED_RECURRING",
    ),
    "formatting": ("MARKDOWN", "PLAINTEXT"),
    "place_attachment_setting": ("1", "2"),
    "post_surfaces_blacklist": ("1", "2", "3", "4", "5"),
    "posting_to_redspace": ("disabled", "enabled"),
    "target_surface": ("STORY", "TIMELINE"),
    "upload_phase": ("cancel", "finish", "start", "transfer"),
    "comment_privacy_value": (
        "DECLINED_BY_ADMIN_ASSISTANT",
        "DEFAULT_PRIVACY",
        "FRIENDS_AND_POST_OWNER",
        "FRIENDS_ONLY",
        "GRAPHQL_MULTIPLE_VALUE_HACK_DO_NOT_USE",
        "OWNER_OR_COMMENTER",
        "PENDING_APPROVAL",
        "REMOVED_BY_ADMIN_ASSISTANT",
        "SIDE_CONVERSATION",
        "SIDE_CONVERSATION_AND_POST_OWNER",
        "SPOTLIGHT_TAB",
    ),
    "period": ("day", "days_28", "lifetime", "month", "total_over_range", "week"),
    "date_preset": (
        "data_maximum",
        "last_14d",
        "last_28d",
        "last_30d",
        "last_3d",
        "last_7d",
        "last_90d",
        "last_month",
        "last_quarter",
        "last_week_mon_sun",
        "last_week_sun_sat",
        "last_year",
        "maximum",
        "this_month",
        "this_quarter",
        "this_week_mon_today",
        "this_week_sun_today",
        "this_year",
        "today",
        "yesterday",
    ),
}

# Page.json POST feed.
FEED_PARAMS = _spec(
    {
        "Object": "actions call_to_action coordinates feed_targeting home_checkin_city_id place "
        "properties suggested_place_id targeting viewer_coordinates",
        "bool": "attach_place_suggestion audience_exp breaking_news enforce_link_ownership "
        "is_backout_draft is_boost_intended is_explicit_location is_explicit_share "
        "is_group_linking_post is_photo_container manual_privacy multi_share_end_card "
        "multi_share_optimized og_hide_object_attachment og_set_profile_badge published "
        "user_selected_tags",
        "datetime": "backdated_time scheduled_publish_time",
        "file": "thumbnail",
        "list": "place_list_data",
        "list<Object>": "attached_media child_attachments",
        "list<int>": "implicit_with_tags tags",
        "list<enum>": "post_surfaces_blacklist",
        "list<string>": "ref referenceable_image_ids",
        "map": "image_crops",
        "enum": "backdated_time_granularity formatting place_attachment_setting "
        "posting_to_redspace target_surface unpublished_content_type",
        "string": "album_id android_key_hash application_id asset3d_id associated_id caption "
        "client_mutation_id composer_entry_picker composer_entry_point "
        "composer_session_events_log composer_session_id composer_source_surface composer_type "
        "connection_class content_attachment cta_link cta_type description fun_fact_prompt_id "
        "instant_game_entry_point_data ios_bundle_id link location_source_id message name "
        "nectar_module object_attachment og_action_type_id og_icon_id og_object_id og_phrase "
        "og_suggestion_mechanism page_recommendation picture place_list privacy prompt_id "
        "prompt_tracking_string proxied_app_id quote referral_id source sponsor_id "
        "text_format_metadata text_format_preset_id text_only_place title tracking_info",
        "unsigned int": "asked_fun_fact_prompt_id breaking_news_expiration composer_entry_time "
        "direct_share_status expanded_height expanded_width fun_fact_toastee_id height "
        "publish_event_id sponsor_relationship time_since_original_post video_start_time_ms "
        "width",
    }
)
# Page.json POST photos, plus the multipart `source` file every Meta guide documents.
PHOTO_PARAMS = _spec(
    {
        "Object": "feed_targeting place targeting",
        "bool": "allow_spherical_photo audience_exp full_res_is_coming_later is_explicit_location "
        "is_explicit_place manual_privacy no_story og_set_profile_badge published temporary "
        "user_selected_tags",
        "datetime": "backdated_time",
        "int": "profile_id target_id uid",
        "list<Object>": "tags",
        "map": "provenance_info spherical_metadata",
        "enum": "backdated_time_granularity unpublished_content_type",
        "string": "aid alt_text_custom android_key_hash application_id caption composer_session_id "
        "ios_bundle_id location_source_id message name nectar_module og_action_type_id "
        "og_icon_id og_object_id og_phrase og_suggestion_mechanism privacy proxied_app_id qn "
        "sponsor_id url vault_image_id",
        "unsigned int": "attempt direct_share_status filter_type "
        "initial_view_heading_override_degrees initial_view_pitch_override_degrees "
        "initial_view_vertical_fov_override_degrees offline_id parent_media_id "
        "scheduled_publish_time sponsor_relationship time_since_original_post",
        "file": "source",
    }
)
# Page.json POST videos (`source` and `video_file_chunk` carry multipart files).
VIDEO_PARAMS = _spec(
    {
        "Object": "call_to_action expiration feed_targeting targeting",
        "bool": "embeddable fisheye_video_cropped guide_enabled is_boost_intended "
        "is_explicit_share is_group_linking_post is_partnership_ad is_voice_clip manual_privacy "
        "no_story published reference_only secret social_actions spherical",
        "file": "thumb source video_file_chunk",
        "float": "front_z_rotation",
        "list": "ad_breaks backdated_post",
        "list<Object>": "multilingual_data",
        "list<string>": "content_tags custom_labels guide",
        "map": "edit_description_spec slideshow_spec",
        "enum": "formatting unpublished_content_type upload_phase",
        "string": "application_id audio_story_wave_animation_handle composer_entry_picker "
        "composer_entry_point composer_session_events_log composer_session_id "
        "composer_source_surface composer_type container_type content_category creative_tools "
        "crossposted_video_id description fbuploader_video_file_chunk file_url "
        "fun_fact_prompt_id instant_game_entry_point_data location_source_id og_action_type_id "
        "og_icon_id og_object_id og_phrase og_suggestion_mechanism original_projection_type "
        "partnership_ad_ad_code referenced_sticker_id replace_video_id "
        "source_instagram_media_id specified_dialect sponsor_id swap_mode text_format_metadata "
        "title transcode_setting_properties universal_video_id upload_session_id "
        "upload_setting_properties video_asset_id video_id_original waterfall_id",
        "unsigned int": "asked_fun_fact_prompt_id composer_entry_time direct_share_status "
        "end_offset file_size fov fun_fact_toastee_id initial_heading initial_pitch "
        "original_fov publish_event_id scheduled_publish_time sponsor_relationship "
        "start_offset time_since_original_post video_start_time_ms",
    }
)
# PagePost.json POST comments.
COMMENT_PARAMS = _spec(
    {
        "Object": "parent_comment_id",
        "enum": "comment_privacy_value",
        "string": "attachment_id attachment_share_url attachment_url comment feedback_source "
        "message nectar_module post_id tracking",
        "file": "source",
    }
)
INSIGHTS_PARAMS = _spec(
    {"enum": "date_preset period", "list<string>": "metric", "datetime": "since until"}
)
LIST_PARAMS = _spec(
    {
        "bool": "include_hidden show_expired",
        "unsigned int": "limit",
        "string": "with after before",
        "datetime": "since until",
    }
)
COMMON_PARAMS = {"access_token", "appsecret_proof", "fields", "pretty", "suppress_http_code"}

# Node fields (spec `fields`), plus the edges Graph lets a caller read as fields.
USER_FIELDS = _words(
    "about age_range birthday email first_name gender id last_name link locale middle_name "
    "name name_format short_name timezone updated_time verified picture accounts "
    "permissions"
)
PAGE_FIELDS = _words(
    "about access_token can_post category category_list cover description fan_count "
    "followers_count id is_published is_verified link name new_like_count talking_about_count "
    "username verification_status website picture feed posts published_posts "
    "tasks"
)
POST_FIELDS = _words(
    "actions admin_creator application backdated_time call_to_action created_time from "
    "full_picture icon id is_expired is_hidden is_popular is_published message message_tags "
    "parent_id permalink_url picture privacy scheduled_publish_time shares status_type story "
    "targeting timeline_visibility updated_time attachments comments reactions likes "
    "insights"
)
PHOTO_FIELDS = _words(
    "album alt_text alt_text_custom backdated_time can_delete created_time from height icon id "
    "images link name page_story_id picture updated_time width comments likes "
    "reactions"
)
VIDEO_FIELDS = _words(
    "content_category created_time description embed_html embeddable format from id length "
    "permalink_url picture post_id post_views privacy published scheduled_publish_time source "
    "status title updated_time views comments likes reactions"
)
COMMENT_FIELDS = _words(
    "attachment can_comment comment_count created_time from id is_hidden like_count message "
    "parent permalink_url comments likes reactions"
)
POST_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_clicks_by_type",
    "post_reactions_by_type_total",
    "post_video_views",
)
PAGE_METRICS = (
    "page_follows",
    "page_daily_follows",
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_views_total",
)
COUNTERS = ("reactions", "comments", "shares", "media_view", "media_view_unique", "clicks")
_VERSION_RE = re.compile(r"v\d+\.\d+")


def no_object(oid: str, post: bool = False) -> Response:
    lead = "Unsupported post request. " if post else "Unsupported get request. "
    return meta_error(
        f"{lead}Object with ID '{oid}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        100,
        subcode=33,
        kind="GraphMethodException",
    )


def message_length(text: str) -> int:
    """Facebook's count: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# ------------------------------------------------------------------ parameter checking


class BadParam(Exception):
    pass


def _json_value(name: str, value: Any, want: type) -> Any:
    if isinstance(value, want):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, want):
            return parsed
    label = "an array" if want is list else "a JSON object"
    raise BadParam(f"param {name} must be {label}")


def _coerce(name: str, kind: str, value: Any) -> Any:
    """One Graph parameter converted to its spec type, or BadParam."""
    if kind == "file":
        if not isinstance(value, UploadFile):
            raise BadParam(f"param {name} must be a file upload")
        return value
    if isinstance(value, UploadFile):
        raise BadParam(f"param {name} must be a {kind}")
    if kind == "bool":
        text = str(value).lower()
        if text not in ("true", "false", "1", "0"):
            raise BadParam(f"param {name} must be a boolean")
        return text in ("true", "1")
    if kind in ("unsigned int", "int"):
        text = str(value)
        pattern = r"\d+" if kind == "unsigned int" else r"-?\d+"
        if isinstance(value, bool) or not re.fullmatch(pattern, text):
            raise BadParam(
                f"param {name} must be a{'' if kind == 'int' else ' non-negative'} integer"
            )
        return int(text)
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise BadParam(f"param {name} must be a number") from exc
    if kind == "datetime":
        text = str(value)
        if re.fullmatch(r"\d+", text):
            return datetime.fromtimestamp(int(text), UTC)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadParam(f"param {name} must be a valid date-time or UNIX timestamp") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if kind in ("Object", "map"):
        return _json_value(name, value, dict)
    if kind == "enum":
        values = ENUMS[name]
        if str(value) not in values:
            raise BadParam(f"{name} must be one of the following values: {', '.join(values)}")
        return str(value)
    if kind.startswith("list"):
        if isinstance(value, str) and not value.strip().startswith("["):
            items: list[Any] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            items = _json_value(name, value, list)
        if kind == "list<Object>" and not all(isinstance(i, dict) for i in items):
            raise BadParam(f"param {name} must be an array of objects")
        if kind == "list<int>":
            return [_coerce(name, "int", i) for i in items]
        if kind == "list<enum>":
            return [_coerce(name, "enum", str(i)) for i in items]
        return items
    if isinstance(value, dict | list):
        raise BadParam(f"param {name} must be a string")
    return str(value)


async def graph_params(request: Request) -> dict[str, Any]:
    """Query, form/multipart and JSON body parameters (body wins), files as UploadFile."""
    return await read_params(
        request,
        nested=False,
        error=BadParam,
        messages=("Invalid JSON in the request body", "The request body must be a JSON object"),
    )


def check_params(params: dict[str, Any], spec: dict[str, str]) -> dict[str, Any]:
    """Validate against the embedded spec; return the coerced values (BadParam on error)."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in COMMON_PARAMS:
            continue
        kind = spec.get(name)
        if kind is None:
            raise BadParam(f"Param {name} is not a valid parameter")
        out[name] = _coerce(name, kind, value)
    return out


def split_fields(text: str) -> list[tuple[str, str]]:
    """`a,b.summary(x).limit(0),picture{url}` → [(name, modifiers)] at the top level."""
    out: list[tuple[str, str]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text + ","):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == "," and depth == 0:
            part = text[start:i].strip()
            if part:
                name = re.split(r"[.{(]", part, maxsplit=1)[0]
                out.append((name, part[len(name) :]))
            start = i + 1
    return out


# ------------------------------------------------------------------ state


@dataclass
class FbUser:
    id: str
    username: str
    name: str
    page_ids: list[str] = field(default_factory=list)


@dataclass
class Page:
    id: str
    username: str
    name: str
    category: str = "Local business"
    followers_count: int = 0
    fan_count: int = 0
    tasks: dict[str, list[str]] = field(default_factory=dict)  # user id → tasks


@dataclass
class Token:
    value: str
    kind: str  # "user" | "page"
    user_id: str
    client_id: str
    scopes: list[str]
    long_lived: bool
    issued_at: float
    expires_at: float | None
    page_id: str | None = None
    revoked: bool = False


@dataclass
class Post:
    id: str
    page_id: str
    message: str
    link: str | None
    kind: str  # status | link | photo | album | video
    created_at: datetime
    permalink: str
    published: bool = True
    visible_at: float = 0.0  # monotonic; videos appear once processed
    video_id: str | None = None
    photo_ids: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))


@dataclass
class Photo:
    id: str
    page_id: str
    published: bool
    url: str | None
    size: int
    caption: str
    alt_text: str | None
    created_at: datetime
    post_id: str | None = None
    attached_to: str | None = None


@dataclass
class Video:
    id: str
    page_id: str
    file_size: int
    created_at: datetime
    session_id: str | None = None
    received: int = 0
    state: str = "uploading"  # uploading | processing | ready | error | cancelled
    ready_at: float = 0.0
    failure: str | None = None
    title: str = ""
    description: str = ""
    published: bool = True
    file_url: str | None = None
    post_id: str | None = None


@dataclass
class Comment:
    id: str
    object_id: str
    page_id: str
    message: str
    created_at: datetime


class FacebookSim(MetaSim):
    id = "facebook"
    organic_posts = ("posts", "counters", organic.OWN_COUNTERS["facebook"])
    organic_accounts = ("pages", "username", "followers_count")
    display_name = "Facebook"
    # Business Use Case limit of a Page token: 4800 × engaged users per 24 h (page_calls);
    # platform limit of a user token: 200 calls per user per rolling hour (user_calls).
    quotas = {**per_window(86400, page_calls=4800), **per_window(3600, user_calls=200)}
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.apps: dict[str, App] = {}
        self.users: dict[str, FbUser] = {}
        self.pages: dict[str, Page] = {}
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, tuple[str, str, str, list[str], float]] = {}
        self.posts: dict[str, Post] = {}
        self.photos: dict[str, Photo] = {}
        self.videos: dict[str, Video] = {}
        self.sessions: dict[str, str] = {}  # upload session id → video id
        self.comments: dict[str, Comment] = {}
        self._seq = 0
        self.register_app(["*"], SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)

    def sandbox(self) -> dict[str, str]:
        """The sandbox app, with the graph-video host under /facebook/graph-video."""
        return super().sandbox() | {"video_base": f"/{self.id}/graph-video"}

    # ------------------------------------------------------------ helpers (tests, benchmarks)

    def _next_id(self, base: int = 122_100_000_000_000_000) -> str:
        with self.sim.lock:
            self._seq += 1
            return str(base + self._seq * 37 + secrets.randbelow(30))

    def add_page(self, user: FbUser, name: str, username: str, **fields: Any) -> Page:
        with self.sim.lock:
            page = find_named(self.pages, username)
            if page is None:
                page = Page(self._next_id(61_550_000_000_000), username, name)
                self.pages[page.id] = page
            page.name = name
            for key, value in fields.items():
                if key not in ("category", "followers_count", "fan_count"):
                    raise SimError(f"unknown page field {key!r}")
                setattr(page, key, value)
            page.tasks[user.id] = list(fields.get("tasks") or TASKS)
            if page.id not in user.page_ids:
                user.page_ids.append(page.id)
            return page

    def ensure_user(self, username: str, name: str | None = None) -> FbUser:
        """A user (created with two Pages: `{username}_page` and `{username}_shop`)."""
        with self.sim.lock:
            user = find_named(self.users, username)
            if user is None:
                pretty = username.replace("_", " ").title()
                user = FbUser(self._next_id(100_000_000_000_000), username, name or pretty)
                self.users[user.id] = user
                self.add_page(user, f"{pretty} Page", f"{username}_page")
                self.add_page(user, f"{pretty} Shop", f"{username}_shop")
            elif name:
                user.name = name
            return user

    def find_page(self, ref: str) -> Page | None:
        return self.pages.get(ref) or next(
            (p for p in self.pages.values() if p.username == ref), None
        )

    def _mint(
        self,
        kind: str,
        user_id: str,
        client_id: str,
        scopes: list[str],
        *,
        long_lived: bool,
        page_id: str | None = None,
        age_s: float = 0,
        expires_at: float | None = None,
    ) -> Token:
        now = time.time() - age_s
        if kind == "user":
            expires_at = now + (LONG_TTL_S if long_lived else SHORT_TTL_S)
        prefix = {"user": "EAAU" if long_lived else "EAAS", "page": "EAAP"}[kind]
        token = Token(
            prefix + secrets.token_urlsafe(48),
            kind,
            user_id,
            client_id,
            list(scopes),
            long_lived,
            now,
            expires_at,
            page_id,
        )
        return self.keep(self.tokens, token.value, token)

    def _page_token(self, user_token: Token, page: Page) -> Token:
        # From a long-lived user token: no expiry. From a short-lived one: dies with it.
        return self._mint(
            "page",
            user_token.user_id,
            user_token.client_id,
            user_token.scopes,
            long_lived=user_token.long_lived,
            page_id=page.id,
            expires_at=None if user_token.long_lived else user_token.expires_at,
        )

    def issue_token(
        self,
        username: str = DEFAULT_USER,
        *,
        page: str | None = None,
        scopes: str = DEFAULT_SCOPES,
        long_lived: bool = True,
        expires_in: float | None = None,
        age_s: float = 0,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Mint a user token, or with `page` (username or id) that user's Page token."""
        user = self.ensure_user(username)
        client_id = self.issuing_app(client_id)
        token = self._mint(
            "user", user.id, client_id, scopes.split(","), long_lived=long_lived, age_s=age_s
        )
        target = None
        if page is not None:
            target = self.find_page(page)
            if target is None or target.id not in user.page_ids:
                raise SimError(f"{username} manages no page {page!r}")
            token = self._page_token(token, target)
        return self._issued(token, user, expires_in) | {
            "page_id": target.id if target else None,
            "page_username": target.username if target else None,
        }

    # ------------------------------------------------------------ auth

    def identify(self, request: Request) -> str | None:
        token = self.tokens.get(self._token_value(request))
        if token is None:
            return None
        if token.kind == "page" and token.page_id in self.pages:
            return self.pages[token.page_id].username
        user = self.users.get(token.user_id)
        return user.username if user else None

    def _check_token(self, token: Token | None) -> Response | None:
        if token is None or token.revoked:
            return meta_error(E_BAD_TOKEN, 190)
        if token.expires_at is not None and token.expires_at <= time.time():
            when = datetime.fromtimestamp(token.expires_at, UTC).strftime("%A, %d-%b-%y %H:%M:%S")
            return meta_error(
                f"Error validating access token: Session has expired on {when} UTC.",
                190,
                subcode=463,
            )
        return None

    def _auth(self, request: Request) -> Token:
        value = self._token_value(request)
        if not value:
            raise Refusal(meta_error(E_NO_ACTIVE_TOKEN, 2500))
        token = self.tokens.get(value)
        err = self._check_token(token)
        if err:
            raise Refusal(err)
        assert token is not None
        return token

    def _version(self, request: Request) -> None:
        version = request.path_params.get("version", "")
        if not _VERSION_RE.fullmatch(version) or version not in self.conf["versions"]:
            raise Refusal(meta_error(f"Unknown path components: {request.url.path}", 2500))

    # ------------------------------------------------------------ rate limits and headers

    def _buc(self, page_id: str, percent: int, minutes: int) -> str:
        entry = {
            "type": "pages",
            "call_count": percent,
            "total_cputime": max(1, percent // 4),
            "total_time": max(1, percent // 3),
            "estimated_time_to_regain_access": minutes,
        }
        return json.dumps({page_id: [entry]})

    def before(self, request: Request, account: str | None) -> Response | None:
        token = self.tokens.get(self._token_value(request))
        if token is None or self._check_token(token) is not None:
            return None
        if token.kind == "page" and token.page_id:
            state = self.sim.rate(self.id, "page_calls", token.page_id, account=account)
            if not state.allowed:
                minutes = max(1, math.ceil((state.reset_at - utcnow()).total_seconds() / 60))
                return meta_error(
                    "(#80001) There have been too many calls to this Page account. Wait a bit "
                    "and try again. For more info, please refer to "
                    "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
                    80001,
                    headers={"X-Business-Use-Case-Usage": self._buc(token.page_id, 100, minutes)},
                )
        else:
            state = self.sim.rate(self.id, "user_calls", token.user_id, account=account)
            if not state.allowed:
                return meta_error(
                    "(#17) User request limit reached",
                    17,
                    headers={"X-App-Usage": app_usage(100)},
                )
        return None

    def after(self, request: Request, account: str | None, response: Response) -> None:
        token = self.tokens.get(self._token_value(request))
        if token is None or "x-app-usage" in response.headers:
            return
        family, key = ("user_calls", token.user_id)
        if token.kind == "page" and token.page_id:
            family, key = ("page_calls", token.page_id)
        state = self.sim.rate(self.id, family, key, account=account, consume=False)
        percent = (
            0 if not state.limit else round(100 * (state.limit - state.remaining) / state.limit)
        )
        response.headers["X-App-Usage"] = app_usage(percent if family == "user_calls" else 0)
        if family == "page_calls":
            response.headers["X-Business-Use-Case-Usage"] = self._buc(key, percent, 0)

    def error_response(self, fault: Fault, request: Request) -> Response:
        token = self.tokens.get(self._token_value(request))
        if fault.kind == "429":
            minutes = fault_minutes(fault)
            if token is not None and token.kind == "page" and token.page_id:
                return meta_error(
                    fault.message or "(#32) Page request limit reached",
                    32,
                    headers={
                        "X-Business-Use-Case-Usage": self._buc(token.page_id, 100, minutes),
                        "X-App-Usage": app_usage(0),
                    },
                )
            return meta_error(
                fault.message or "(#4) Application request limit reached",
                4,
                headers={"X-App-Usage": app_usage(100), "Retry-After": str(minutes * 60)},
            )
        return fault_error(
            fault,
            expired="Error validating access token: The session has been invalidated because "
            "the user changed their password or Facebook has changed the session for "
            "security reasons.",
            expired_subcode=460,
            duplicate="(#506) Duplicate status message",
        )

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        return self.api_routes(
            ("GET", "/{version}/dialog/oauth", self.authorize),
            ("GET POST", "/{version}/oauth/access_token", self.access_token),
            ("POST", "/graph-video/{version}/{id}/videos", self.post_videos),
            ("GET POST DELETE", "/{version}/{id}", self.node),
            ("GET POST DELETE", "/{version}/{id}/{edge}", self.edge),
        )

    def controls(self) -> list[BaseRoute]:
        return [
            *super().controls(),
            Route("/pages/{page}", self.sim_page, methods=["POST"]),
        ]

    # ------------------------------------------------------------ OAuth

    async def authorize(self, request: Request) -> Response:
        self._version(request)
        app, redirect_uri = self.authorizing_app(
            request,
            meta_error("Invalid App ID: the client_id is not a valid app", 101),
            meta_error(
                "Can't Load URL: The domain of this URL isn't included in the app's domains.",
                191,
            ),
        )
        q = request.query_params
        if q.get("response_type", "code") != "code":
            return bad_param("response_type must be code")
        scopes = [s.strip() for s in q.get("scope", "").split(",") if s.strip()]
        bad = [s for s in scopes if s not in SCOPES]
        if bad:
            return bad_param(f"Invalid Scopes: {', '.join(bad)}")
        user = self.ensure_user(self.consenting_account(request))
        scopes = scopes or ["public_profile"]
        return self.code_redirect(app, user.id, redirect_uri, scopes, q.get("state"), "#_=_")

    async def access_token(self, request: Request) -> Response:
        self._version(request)
        try:
            p = await graph_params(request)
        except BadParam as exc:
            return bad_param(str(exc))
        allowed = {"client_id", "client_secret", "redirect_uri", "code", "grant_type"}
        allowed |= {"fb_exchange_token", "set_token_expires_in_60_days"}
        unknown = sorted(set(p) - allowed)
        if unknown:
            return bad_param(f"Param {unknown[0]} is not a valid parameter")
        for name in ("client_id", "client_secret"):
            if not p.get(name):
                return bad_param(f"Missing {name} parameter.")
        app = self.apps.get(str(p["client_id"]))
        if app is None or not self.secret_ok(app, str(p["client_secret"])):
            return meta_error("Error validating client secret.", 1, subcode=None)
        if p.get("grant_type") == "fb_exchange_token":
            old = self.tokens.get(str(p.get("fb_exchange_token") or ""))
            err = self._check_token(old)
            if err:
                return err
            assert old is not None
            if old.kind != "user" or old.client_id != app.client_id:
                return bad_param("fb_exchange_token must be a user access token of this app")
            new = self._mint("user", old.user_id, old.client_id, old.scopes, long_lived=True)
            return JSONResponse(
                {"access_token": new.value, "token_type": "bearer", "expires_in": LONG_TTL_S}
            )
        if p.get("grant_type") not in (None, "authorization_code"):
            return bad_param("Unsupported grant_type")
        for name in ("redirect_uri", "code"):
            if not p.get(name):
                return bad_param(f"Missing {name} parameter.")
        grant = self.take_code(str(p["code"]), app.client_id)
        if grant is None:
            return meta_error(
                "This authorization code has been used.", 100, subcode=36009, user_msg=None
            )
        if grant[2] != p["redirect_uri"]:
            return meta_error(
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
                100,
                subcode=36008,
            )
        token = self._mint("user", grant[1], app.client_id, grant[3], long_lived=False)
        return JSONResponse(
            {"access_token": token.value, "token_type": "bearer", "expires_in": SHORT_TTL_S}
        )

    # ------------------------------------------------------------ dispatch

    async def node(self, request: Request) -> Response:
        self._version(request)
        token = self._auth(request)
        if request.method != "GET":
            return no_object(request.path_params["id"], post=True)
        return self._read_node(request, token, self._resolve(request.path_params["id"], token))

    async def edge(self, request: Request) -> Response:
        self._version(request)
        token = self._auth(request)
        oid, edge, method = request.path_params["id"], request.path_params["edge"], request.method
        target = self._resolve(oid, token)
        if target is None:
            return no_object(oid, post=method != "GET")
        kind = type(target).__name__
        routes = {
            ("FbUser", "GET", "accounts"): self.accounts,
            ("FbUser", "GET", "permissions"): self.permissions,
            ("FbUser", "DELETE", "permissions"): self.revoke,
            ("Page", "POST", "feed"): self.post_feed,
            ("Page", "GET", "feed"): self.list_feed,
            ("Page", "GET", "published_posts"): self.list_feed,
            ("Page", "GET", "posts"): self.list_feed,
            ("Page", "POST", "photos"): self.post_photos,
            ("Page", "POST", "videos"): self.post_videos,
            ("Page", "GET", "insights"): self.page_insights,
            ("Post", "POST", "comments"): self.post_comment,
            ("Photo", "POST", "comments"): self.post_comment,
            ("Video", "POST", "comments"): self.post_comment,
            ("Post", "GET", "insights"): self.post_insights,
        }
        handler = routes.get((kind, method, edge))
        if handler is None:
            if method == "GET":
                node_type = {"FbUser": "User", "Video": "AdVideo", "Post": "PagePost"}
                return bad_param(
                    f"Tried accessing nonexisting field ({edge}) on node type "
                    f"({node_type.get(kind, kind)})"
                )
            return no_object(oid, post=True)
        return await handler(request, token, target)

    def _resolve(self, oid: str, token: Token) -> Any:
        """The object a path id names, as this token may see it (None = no such object)."""
        if oid == "me":
            if token.kind == "page":
                return self.pages.get(token.page_id or "")
            return self.users.get(token.user_id)
        if oid in self.users:
            return self.users[oid] if oid == token.user_id else None
        for table in (self.pages, self.posts, self.photos, self.videos, self.comments):
            if oid in table:
                return table[oid]
        return None

    def _page_of(self, obj: Any) -> str | None:
        if isinstance(obj, Page):
            return obj.id
        return getattr(obj, "page_id", None)

    def _can_manage(self, token: Token, page_id: str | None, task: str = "CREATE_CONTENT") -> bool:
        page = self.pages.get(page_id or "")
        if page is None:
            return False
        if token.kind == "page":
            return token.page_id == page.id and task in page.tasks.get(token.user_id, [])
        return False

    # ------------------------------------------------------------ nodes

    def _fields(
        self, request: Request, allowed: frozenset[str], node_type: str
    ) -> list[tuple[str, str]]:
        raw = request.query_params.get("fields") or "id"
        wanted = split_fields(raw)
        for name, _ in wanted:
            if name not in allowed:
                raise Refusal(
                    bad_param(
                        f"Tried accessing nonexisting field ({name}) on node type ({node_type})"
                    )
                )
        return wanted

    def _read_node(self, request: Request, token: Token, obj: Any) -> Response:
        if obj is None:
            return no_object(request.path_params["id"])
        p = dict(request.query_params)
        unknown = sorted(set(p) - COMMON_PARAMS - {"metadata"})
        if unknown:
            return bad_param(f"Param {unknown[0]} is not a valid parameter")
        if isinstance(obj, FbUser):
            allowed, node_type, full = USER_FIELDS, "User", self._user_json(obj)
        elif isinstance(obj, Page):
            allowed, node_type, full = PAGE_FIELDS, "Page", self._page_json(obj, token)
        elif isinstance(obj, Post):
            if not self._visible(obj):
                return no_object(obj.id)
            allowed, node_type, full = POST_FIELDS, "PagePost", self._post_json(obj)
        elif isinstance(obj, Photo):
            allowed, node_type, full = PHOTO_FIELDS, "Photo", self._photo_json(obj)
        elif isinstance(obj, Video):
            allowed, node_type, full = VIDEO_FIELDS, "AdVideo", self._video_json(obj)
        else:
            allowed, node_type, full = COMMENT_FIELDS, "Comment", self._comment_json(obj)
        wanted = self._fields(request, allowed, node_type)
        return JSONResponse(self._row(obj, wanted, full))

    def _row(self, obj: Any, wanted: list[tuple[str, str]], full: dict[str, Any]) -> dict[str, Any]:
        """The `wanted` fields of `obj` (whose whole rendering is `full`), and always its id."""
        out: dict[str, Any] = {}
        for name, modifiers in wanted:
            value = self._field_value(obj, name, modifiers, full)
            if value is not None:
                out[name] = value
        out.setdefault("id", full["id"])
        return out

    def _field_value(self, obj: Any, name: str, modifiers: str, full: dict[str, Any]) -> Any:
        counters = getattr(obj, "counters", None)
        if name in ("reactions", "likes", "comments") and isinstance(obj, Post | Photo | Video):
            post = obj if isinstance(obj, Post) else self.posts.get(obj.post_id or "")
            counters = post.counters if post else dict.fromkeys(COUNTERS, 0)
            key = "comments" if name == "comments" else "reactions"
            edge: dict[str, Any] = {"data": []}
            if "summary(" in modifiers:
                summary: dict[str, Any] = {"total_count": counters[key]}
                if key == "comments":
                    summary |= {"order": "ranked", "can_comment": True}
                else:
                    summary["viewer_reaction"] = "NONE"
                edge["summary"] = summary
            return edge
        if name == "picture" and isinstance(obj, FbUser | Page):
            return {
                "data": {
                    "height": 50,
                    "is_silhouette": False,
                    "url": f"https://scontent.example/{obj.id}/picture.jpg",
                    "width": 50,
                }
            }
        if name == "shares" and counters is not None:
            return {"count": counters["shares"]} if counters["shares"] else None
        return full.get(name)

    def _visible(self, post: Post) -> bool:
        return post.published and time.monotonic() >= post.visible_at

    def _user_json(self, user: FbUser) -> dict[str, Any]:
        first, _, last = user.name.partition(" ")
        return {
            "id": user.id,
            "name": user.name,
            "first_name": first,
            "last_name": last,
            "short_name": first,
            "link": f"https://www.facebook.com/{user.id}",
        }

    def _page_json(self, page: Page, token: Token) -> dict[str, Any]:
        return {
            "id": page.id,
            "name": page.name,
            "username": page.username,
            "category": page.category,
            "fan_count": page.fan_count,
            "followers_count": page.followers_count,
            "link": f"https://www.facebook.com/{page.username}",
            "is_published": True,
            "can_post": True,
            "verification_status": "not_verified",
            "tasks": page.tasks.get(token.user_id) if token.kind == "user" else None,
        }

    def _post_json(self, post: Post) -> dict[str, Any]:
        page = self.pages[post.page_id]
        picture = None
        if post.photo_ids:
            picture = self.photos[post.photo_ids[0]].url or f"https://scontent.example/{post.id}"
        return {
            "id": post.id,
            "message": post.message or None,
            "created_time": meta_time(post.created_at),
            "updated_time": meta_time(post.created_at),
            "permalink_url": post.permalink,
            "is_published": post.published,
            "is_hidden": False,
            "is_expired": False,
            "status_type": {
                "status": "mobile_status_update",
                "link": "shared_story",
                "photo": "added_photos",
                "album": "added_photos",
                "video": "added_video",
            }[post.kind],
            "from": {"name": page.name, "id": page.id},
            "full_picture": picture,
            "picture": picture,
        }

    def _photo_json(self, photo: Photo) -> dict[str, Any]:
        page = self.pages[photo.page_id]
        return {
            "id": photo.id,
            "created_time": meta_time(photo.created_at),
            "updated_time": meta_time(photo.created_at),
            "name": photo.caption or None,
            "alt_text_custom": photo.alt_text,
            "link": f"https://www.facebook.com/photo.php?fbid={photo.id}",
            "page_story_id": photo.post_id,
            "from": {"name": page.name, "id": page.id},
            "can_delete": True,
        }

    def _video_status(self, video: Video) -> dict[str, Any]:
        if video.state == "processing" and time.monotonic() >= video.ready_at:
            video.state = "error" if video.failure else "ready"
        phases = {
            "uploading": ("in_progress", "not_started", "not_started", "upload_complete"),
            "processing": ("complete", "in_progress", "not_started", "processing"),
            "ready": ("complete", "complete", "complete", "ready"),
            "error": ("complete", "error", "not_started", "error"),
            "cancelled": ("error", "not_started", "not_started", "error"),
        }[video.state]
        status: dict[str, Any] = {
            "video_status": phases[3] if video.state != "uploading" else "upload_complete",
            "uploading_phase": {"status": phases[0], "bytes_transferred": video.received},
            "processing_phase": {"status": phases[1]},
            "publishing_phase": {"status": phases[2]},
        }
        if video.state == "uploading":
            status["video_status"] = "processing"
        if video.state == "ready" and video.published:
            status["publishing_phase"] |= {
                "publish_status": "published",
                "publish_time": meta_time(video.created_at),
            }
        if video.state == "error":
            status["processing_phase"]["errors"] = [
                {"code": 1363008, "message": video.failure or "Video processing failed"}
            ]
        return status

    def _video_json(self, video: Video) -> dict[str, Any]:
        status = self._video_status(video)
        page = self.pages[video.page_id]
        ready = video.state == "ready"
        return {
            "id": video.id,
            "status": status,
            "title": video.title or None,
            "description": video.description or None,
            "created_time": meta_time(video.created_at),
            "updated_time": meta_time(video.created_at),
            "published": video.published and ready,
            "permalink_url": f"/{page.username}/videos/{video.id}/",
            "post_id": video.post_id if ready else None,
            "from": {"name": page.name, "id": page.id},
            "length": 1.0 if ready else None,
        }

    def _comment_json(self, comment: Comment) -> dict[str, Any]:
        page = self.pages[comment.page_id]
        return {
            "id": comment.id,
            "message": comment.message,
            "created_time": meta_time(comment.created_at),
            "from": {"name": page.name, "id": page.id},
            "permalink_url": f"https://www.facebook.com/{comment.object_id}?comment_id={comment.id}",
            "can_comment": True,
            "comment_count": 0,
            "like_count": 0,
        }

    # ------------------------------------------------------------ user edges

    async def accounts(self, request: Request, token: Token, user: FbUser) -> Response:
        q = dict(request.query_params)
        unknown = sorted(set(q) - COMMON_PARAMS - {"limit", "after", "before"})
        unknown = [u for u in unknown if u not in ("ad_id", "is_place", "is_promotable")]
        if unknown:
            return bad_param(f"Param {unknown[0]} is not a valid parameter")
        if token.kind != "user":
            return bad_param("Tried accessing nonexisting field (accounts) on node type (Page)")
        wanted = self._fields(request, PAGE_FIELDS, "Page")
        try:
            limit = int(q.get("limit", "25"))
            offset = int(base64.urlsafe_b64decode(q["after"]).decode()) if q.get("after") else 0
        except ValueError:
            return bad_param("Invalid paging parameters")
        show = "pages_show_list" in token.scopes
        pages = [self.pages[pid] for pid in user.page_ids] if show else []
        rows = []
        for page in pages[offset : offset + limit]:
            full = self._page_json(page, token)
            full["access_token"] = self._page_token(token, page).value
            full["category_list"] = [{"id": "2500", "name": page.category}]
            rows.append(self._row(page, wanted, full))
        return self._paged(request, rows, offset, offset + limit < len(pages))

    @staticmethod
    def _paged(request: Request, rows: list[dict[str, Any]], offset: int, more: bool) -> Response:
        """A page of `rows` from `offset`, with cursors (and a next link when there is `more`)."""
        body: dict[str, Any] = {"data": rows}
        if rows:
            enc = base64.urlsafe_b64encode
            after = enc(str(offset + len(rows)).encode()).decode()
            body["paging"] = {
                "cursors": {"before": enc(str(offset).encode()).decode(), "after": after}
            }
            if more:
                body["paging"]["next"] = str(request.url.include_query_params(after=after))
        return JSONResponse(body)

    async def permissions(self, request: Request, token: Token, user: FbUser) -> Response:
        data = [{"permission": s, "status": "granted"} for s in token.scopes]
        return JSONResponse({"data": data})

    async def revoke(self, request: Request, token: Token, user: FbUser) -> Response:
        if token.kind != "user":
            return bad_param("Permissions can only be revoked with a user access token")
        with self.sim.lock:
            for other in self.tokens.values():
                if other.user_id == user.id and other.client_id == token.client_id:
                    other.revoked = True
        return JSONResponse({"success": True})

    # ------------------------------------------------------------ publishing

    def _publish_refusal(self, token: Token, page: Page) -> Response | None:
        if token.kind != "page":
            return meta_error(
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
                200,
                403,
            )
        if not {"pages_manage_posts", "pages_read_engagement"} <= set(token.scopes):
            return meta_error(
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
                200,
                403,
            )
        if not self._can_manage(token, page.id):
            return meta_error(
                "(#200) The user hasn't authorized the application to perform this action",
                200,
                403,
            )
        return None

    async def _params(self, request: Request, spec: dict[str, str]) -> dict[str, Any]:
        try:
            return check_params(await graph_params(request), spec)
        except BadParam as exc:
            raise Refusal(bad_param(str(exc))) from exc

    def _record(self, post: Post, media: list[dict[str, Any]]) -> None:
        page = self.pages[post.page_id]
        self.sim.record_post(
            self.id,
            page.username,
            post.id,
            post.message,
            media=media,
            permalink=post.permalink,
            extra={"page_id": page.id, "kind": post.kind, "link": post.link},
        )

    def _new_post(self, page: Page, message: str, kind: str, **kw: Any) -> Post:
        post_id = kw.pop("post_id", None) or f"{page.id}_{self._next_id()}"
        short = post_id.split("_", 1)[1]
        return Post(
            post_id,
            page.id,
            message,
            kw.pop("link", None),
            kind,
            utcnow(),
            f"https://www.facebook.com/{page.id}/posts/{short}",
            **kw,
        )

    def _check_schedule(self, p: dict[str, Any]) -> Response | None:
        when = p.get("scheduled_publish_time")
        if when is None:
            return None
        if p.get("published", True):
            return bad_param("Cannot specify a scheduled publish time on a published post")
        ahead = (when - utcnow()).total_seconds()
        if not self.conf["schedule_min_s"] <= ahead <= self.conf["schedule_max_s"]:
            return bad_param("The specified scheduled publish time is invalid.")
        return None

    async def post_feed(self, request: Request, token: Token, page: Page) -> Response:
        refused = self._publish_refusal(token, page)
        if refused:
            return refused
        p = await self._params(request, FEED_PARAMS)
        message = str(p.get("message") or "")
        link = p.get("link")
        attached = p.get("attached_media") or []
        if not message.strip() and not link and not attached:
            return bad_param("Missing message or attachment.")
        if message_length(message) > self.conf["max_message_length"]:
            return bad_param("Message is too long.", 1390011)
        if link is not None and urlsplit(str(link)).scheme not in ("http", "https"):
            return bad_param("link URL is not properly formatted", 2061006)
        if link and attached:
            return bad_param("Cannot specify both link and attached_media")
        schedule_err = self._check_schedule(p)
        if schedule_err:
            return schedule_err
        photo_ids: list[str] = []
        for i, item in enumerate(attached):
            fbid = str(item.get("media_fbid") or "")
            if set(item) - {"media_fbid"} or not fbid:
                return bad_param(f"param attached_media[{i}] must be an object with media_fbid")
            photo = self.photos.get(fbid)
            if photo is None or photo.page_id != page.id or photo.published:
                return bad_param(f"attached_media[{i}]: media_fbid {fbid} is not a valid photo")
            if photo.attached_to:
                return meta_error("(#100) These photos were already posted.", 100, subcode=1366051)
            photo_ids.append(fbid)
        published = bool(p.get("published", True))
        with self.sim.lock:
            if published and not attached and self._is_duplicate(page, message, link):
                return meta_error("(#506) Duplicate status message", 506)
            kind = "album" if attached else ("link" if link else "status")
            post = self._new_post(
                page, message, kind, link=link, published=published, photo_ids=photo_ids
            )
            self.posts[post.id] = post
            for fbid in photo_ids:
                self.photos[fbid].attached_to = post.id
            if published:
                media = [
                    {
                        "type": "IMAGE",
                        "url": self.photos[f].url,
                        "alt_text": self.photos[f].alt_text,
                    }
                    for f in photo_ids
                ]
                self._record(post, media)
        return JSONResponse({"id": post.id})

    def _is_duplicate(self, page: Page, message: str, link: Any) -> bool:
        window = self.conf["duplicate_window_s"]
        if not window or not message.strip():
            return False
        mine = [x for x in self.posts.values() if x.page_id == page.id and x.published]
        if not mine:
            return False
        last = max(mine, key=lambda x: (x.created_at, x.id))
        recent = (utcnow() - last.created_at).total_seconds() < window
        return recent and last.message == message and last.link == link and not last.photo_ids

    async def post_photos(self, request: Request, token: Token, page: Page) -> Response:
        refused = self._publish_refusal(token, page)
        if refused:
            return refused
        p = await self._params(request, PHOTO_PARAMS)
        url, source = p.get("url"), p.get("source")
        if url and source is not None:
            return bad_param("Specify either url or source, not both")
        if not url and source is None:
            return meta_error("(#324) Requires upload file", 324)
        size = 0
        if source is not None:
            data = await source.read()
            size = len(data)
            ctype = (source.content_type or "").lower()
            if not size or not ctype.startswith("image/"):
                return meta_error("(#324) Missing or invalid image file", 324)
        elif urlsplit(str(url)).scheme not in ("http", "https"):
            return bad_param("url should represent a valid URL", 2061006)
        elif self.conf["media_fetch_error"]:
            return meta_error(f"(#324) {self.conf['media_fetch_error']}", 324)
        if size > self.conf["photo_max_bytes"]:
            return meta_error(
                "Your photos couldn't be uploaded. Photos should be less than 4 MB and saved as "
                "JPG, PNG, GIF, TIFF, HEIF or WebP files.",
                100,
                subcode=1366046,
            )
        schedule_err = self._check_schedule(p)
        if schedule_err:
            return schedule_err
        published = bool(p.get("published", True))
        caption = str(p.get("message") or p.get("caption") or "")
        if message_length(caption) > self.conf["max_message_length"]:
            return bad_param("Message is too long.", 1390011)
        with self.sim.lock:
            photo = Photo(
                self._next_id(),
                page.id,
                published,
                str(url) if url else None,
                size,
                caption,
                p.get("alt_text_custom"),
                utcnow(),
            )
            self.photos[photo.id] = photo
            body: dict[str, Any] = {"id": photo.id}
            if published and "scheduled_publish_time" not in p:
                post = self._new_post(
                    page, caption, "photo", post_id=f"{page.id}_{photo.id}", photo_ids=[photo.id]
                )
                self.posts[post.id] = post
                photo.post_id = photo.attached_to = post.id
                self._record(
                    post,
                    [{"type": "IMAGE", "url": photo.url, "alt_text": photo.alt_text, "size": size}],
                )
                body["post_id"] = post.id
        return JSONResponse(body)

    async def post_videos(self, request: Request, *args: Any) -> Response:
        if args:
            token, page = args
        else:  # the graph-video host route
            self._version(request)
            token = self._auth(request)
            page = self._resolve(request.path_params["id"], token)
            if not isinstance(page, Page):
                return no_object(request.path_params["id"], post=True)
        refused = self._publish_refusal(token, page)
        if refused:
            return refused
        p = await self._params(request, VIDEO_PARAMS)
        phase = p.get("upload_phase")
        if phase == "start":
            return self._video_start(page, p)
        if phase in ("transfer", "finish", "cancel"):
            session = str(p.get("upload_session_id") or "")
            video = self.videos.get(self.sessions.get(session, ""))
            if video is None or video.page_id != page.id:
                return meta_error(
                    "(#6000) There was a problem uploading your video file. Please try again "
                    "with another file.",
                    6000,
                    subcode=1363030,
                )
            if phase == "transfer":
                return await self._video_transfer(video, p)
            if phase == "cancel":
                video.state = "cancelled"
                self.sessions.pop(session, None)
                return JSONResponse({"success": True})
            return self._video_finish(page, video, p)
        # Non-resumable: file_url (Meta fetches it) or one multipart `source`.
        file_url, source = p.get("file_url"), p.get("source")
        if bool(file_url) == (source is not None):
            return meta_error(
                "(#100) Exactly one of file_url, source or upload_phase must be given", 100
            )
        size = 0
        if source is not None:
            size = len(await source.read())
            if not size:
                return meta_error(
                    "(#352) The video file you selected is in a format that we don't support.", 352
                )
        elif urlsplit(str(file_url)).scheme not in ("http", "https"):
            return bad_param("file_url should represent a valid URL")
        video = Video(self._next_id(), page.id, size, utcnow(), received=size)
        video.file_url = str(file_url) if file_url else None
        self.videos[video.id] = video
        return self._video_finish(page, video, p, simple=True)

    def _video_start(self, page: Page, p: dict[str, Any]) -> Response:
        size = p.get("file_size")
        if not size:
            return bad_param("The parameter file_size is required")
        if size > self.conf["video_max_bytes"]:
            return meta_error(
                "(#382) The video file you tried to upload is too large.", 382, subcode=1363023
            )
        video = Video(self._next_id(), page.id, size, utcnow(), session_id=self._next_id())
        with self.sim.lock:
            self.videos[video.id] = video
            self.sessions[video.session_id or ""] = video.id
        end = min(size, self.conf["video_chunk_bytes"])
        return JSONResponse(
            {
                "video_id": video.id,
                "upload_session_id": video.session_id,
                "start_offset": "0",
                "end_offset": str(end),
            }
        )

    async def _video_transfer(self, video: Video, p: dict[str, Any]) -> Response:
        chunk = p.get("video_file_chunk")
        if chunk is None or p.get("start_offset") is None:
            return bad_param("The parameters start_offset and video_file_chunk are required")
        if video.state != "uploading":
            return meta_error("(#6000) The upload session is closed.", 6000, subcode=1363037)
        if p["start_offset"] != video.received:
            return meta_error(
                "(#6000) There was a problem uploading your video file: the start offset is "
                f"wrong, expected {video.received}.",
                6000,
                subcode=1363037,
            )
        data = await chunk.read()
        expected = min(self.conf["video_chunk_bytes"], video.file_size - video.received)
        if len(data) != expected:
            return meta_error(
                f"(#6000) The chunk must be {expected} bytes, got {len(data)}.",
                6000,
                subcode=1363037,
            )
        video.received += len(data)
        end = min(video.file_size, video.received + self.conf["video_chunk_bytes"])
        return JSONResponse({"start_offset": str(video.received), "end_offset": str(end)})

    def _video_finish(
        self, page: Page, video: Video, p: dict[str, Any], simple: bool = False
    ) -> Response:
        if not simple and (video.state != "uploading" or video.received != video.file_size):
            return meta_error("(#6000) The video upload is incomplete.", 6000, subcode=1363019)
        schedule_err = self._check_schedule(p)
        if schedule_err:
            return schedule_err
        description = str(p.get("description") or "")
        if message_length(description) > self.conf["max_message_length"]:
            return bad_param("Message is too long.", 1390011)
        knobs = self.sim.effective_knobs(self.id, page.username)
        wait = (knobs.media_processing_ms or 0) / 1000
        with self.sim.lock:
            video.title = str(p.get("title") or "")
            video.description = description
            video.published = bool(p.get("published", True))
            video.state = "processing"
            video.ready_at = time.monotonic() + wait
            video.failure = self.conf["video_processing_error"]
            if video.session_id:
                self.sessions.pop(video.session_id, None)
            if video.published and not video.failure:
                post = self._new_post(
                    page, description, "video", video_id=video.id, visible_at=video.ready_at
                )
                post.permalink = f"https://www.facebook.com/{page.username}/videos/{video.id}/"
                self.posts[post.id] = post
                video.post_id = post.id
                self._record(
                    post,
                    [{"type": "VIDEO", "url": video.file_url, "size": video.file_size}],
                )
        if simple:
            return JSONResponse({"id": video.id})
        return JSONResponse({"success": True})

    async def post_comment(self, request: Request, token: Token, target: Any) -> Response:
        page_id = self._page_of(target)
        if token.kind != "page" or not self._can_manage(token, page_id, "MODERATE"):
            return meta_error("(#200) Permissions error", 200, 403)
        if "pages_manage_engagement" not in token.scopes:
            return meta_error(
                "(#200) Requires pages_manage_engagement permission to manage the object",
                200,
                403,
            )
        if isinstance(target, Post) and not self._visible(target):
            return no_object(target.id, post=True)
        p = await self._params(request, COMMENT_PARAMS)
        message = str(p.get("message") or "")
        if not message.strip() and not p.get("attachment_url") and not p.get("attachment_id"):
            return bad_param("Missing message or attachment.")
        post = target if isinstance(target, Post) else self.posts.get(target.post_id or "")
        with self.sim.lock:
            short = target.id.rsplit("_", 1)[-1]
            comment = Comment(
                f"{short}_{self._next_id()}", target.id, page_id or "", message, utcnow()
            )
            self.comments[comment.id] = comment
            if post is not None:
                post.counters["comments"] += 1
        return JSONResponse({"id": comment.id})

    # ------------------------------------------------------------ reading back

    async def list_feed(self, request: Request, token: Token, page: Page) -> Response:
        q = dict(request.query_params)
        try:
            p = check_params(q, LIST_PARAMS)
        except BadParam as exc:
            return bad_param(str(exc))
        wanted = self._fields(request, POST_FIELDS, "PagePost")
        limit = p.get("limit", 25)
        if not 1 <= limit <= 100:
            return bad_param("limit must be between 1 and 100")
        try:
            offset = int(base64.urlsafe_b64decode(q["after"]).decode()) if q.get("after") else 0
        except ValueError:
            return bad_param("Invalid after cursor")
        since = p.get("since") or datetime.min.replace(tzinfo=UTC)
        until = p.get("until") or datetime.max.replace(tzinfo=UTC)
        with self.sim.lock:
            rows = [
                post
                for post in self.posts.values()
                if post.page_id == page.id
                and self._visible(post)
                and since <= post.created_at <= until
            ]
        rows.sort(key=lambda x: (x.created_at, x.id), reverse=True)
        data = [
            self._row(post, wanted, self._post_json(post)) for post in rows[offset : offset + limit]
        ]
        return self._paged(request, data, offset, offset + limit < len(rows))

    def _metrics_request(self, request: Request, allowed: tuple[str, ...]) -> tuple[list[str], Any]:
        try:
            p = check_params(dict(request.query_params), INSIGHTS_PARAMS)
        except BadParam as exc:
            raise Refusal(bad_param(str(exc))) from exc
        metrics = [str(m) for m in p.get("metric") or list(allowed)]
        if any(m not in allowed for m in metrics):
            raise Refusal(bad_param("The value must be a valid insights metric"))
        return metrics, p.get("period", "lifetime")

    async def post_insights(self, request: Request, token: Token, post: Post) -> Response:
        if "read_insights" not in token.scopes or token.kind != "page":
            return meta_error("(#10) Requires read_insights permission", 10, 403)
        if not self._visible(post) or not self._can_manage(token, post.page_id, "ANALYZE"):
            return no_object(post.id)
        metrics, _ = self._metrics_request(request, POST_METRICS)
        c = post.counters
        values: dict[str, Any] = {
            "post_media_view": c["media_view"],
            "post_total_media_view_unique": c["media_view_unique"],
            "post_clicks": c["clicks"],
            "post_clicks_by_type": {"other clicks": c["clicks"]} if c["clicks"] else {},
            "post_reactions_by_type_total": {"like": c["reactions"]} if c["reactions"] else {},
            "post_video_views": c["media_view"] if post.kind == "video" else 0,
        }
        data = [
            {
                "name": m,
                "period": "lifetime",
                "values": [{"value": values[m]}],
                "title": m.replace("_", " ").capitalize(),
                "description": f"Lifetime: {m}",
                "id": f"{post.id}/insights/{m}/lifetime",
            }
            for m in metrics
        ]
        return JSONResponse({"data": data})

    async def page_insights(self, request: Request, token: Token, page: Page) -> Response:
        if "read_insights" not in token.scopes or not self._can_manage(token, page.id, "ANALYZE"):
            return meta_error("(#10) Requires read_insights permission", 10, 403)
        metrics, period = self._metrics_request(request, PAGE_METRICS)
        posts = [x for x in self.posts.values() if x.page_id == page.id and self._visible(x)]
        totals = {
            "page_follows": page.followers_count,
            "page_daily_follows": 0,
            "page_media_view": sum(x.counters["media_view"] for x in posts),
            "page_total_media_view_unique": sum(x.counters["media_view_unique"] for x in posts),
            "page_post_engagements": sum(
                x.counters["reactions"] + x.counters["comments"] + x.counters["shares"]
                for x in posts
            ),
            "page_views_total": 0,
        }
        end = utcnow().replace(hour=7, minute=0, second=0, microsecond=0)
        data = [
            {
                "name": m,
                "period": period,
                "values": [
                    {"value": totals[m], "end_time": meta_time(end - timedelta(days=1))},
                    {"value": totals[m], "end_time": meta_time(end)},
                ],
                "title": m.replace("_", " ").capitalize(),
                "id": f"{page.id}/insights/{m}/{period}",
            }
            for m in metrics
        ]
        return JSONResponse({"data": data})

    # ------------------------------------------------------------ simulator controls

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/facebook/tokens {"username"?, "page"?, "scopes"?, "long_lived"?, ...}."""
        body = await self.control_body(request)
        known = {"username", "page", "scopes", "long_lived", "expires_in", "age_s"}
        if set(body) - known:
            raise SimError(f"unknown token fields {sorted(set(body) - known)}")
        return JSONResponse(
            self.issue_token(
                body.get("username") or self.conf["default_account"],
                page=body.get("page"),
                scopes=body.get("scopes", DEFAULT_SCOPES),
                long_lived=bool(body.get("long_lived", True)),
                expires_in=body.get("expires_in"),
                age_s=float(body.get("age_s", 0)),
            )
        )

    async def sim_user(self, request: Request) -> Response:
        """POST /_sim/facebook/users/{username} {"name"?, "pages"?: [{"name", "username", ...}]}."""
        body = await self.control_body(request)
        if set(body) - {"name", "pages"}:
            raise SimError("a user takes 'name' and 'pages'")
        user = self.ensure_user(request.path_params["username"], body.get("name"))
        for spec in body.get("pages") or []:
            spec = dict(spec)
            self.add_page(user, spec.pop("name"), spec.pop("username"), **spec)
        pages = [
            {"id": pid, "username": self.pages[pid].username, "name": self.pages[pid].name}
            for pid in user.page_ids
        ]
        return JSONResponse({"id": user.id, "username": user.username, "pages": pages})

    async def sim_page(self, request: Request) -> Response:
        """POST /_sim/facebook/pages/{id or username} {"followers_count"?, "fan_count"?, ...}."""
        body = await self.control_body(request)
        page = self.find_page(request.path_params["page"])
        if page is None:
            return JSONResponse({"error": "no such page"}, 404)
        with self.sim.lock:
            for key, value in body.items():
                if key not in ("name", "category", "followers_count", "fan_count"):
                    raise SimError(f"unknown page field {key!r}")
                setattr(page, key, value)
        return JSONResponse({"id": page.id, "username": page.username})

    async def sim_post(self, request: Request) -> Response:
        """POST /_sim/facebook/posts/{id} {"reactions": 3, "media_view": 90, ...}."""
        body = await self.control_body(request)
        return self.set_counters(
            self.posts, request.path_params["id"], lambda p: p.counters, body, known=COUNTERS
        )


__all__ = ["FacebookSim", "message_length", "meta_error"]
