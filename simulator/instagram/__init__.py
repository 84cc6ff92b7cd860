"""Instagram API with Instagram Login simulator (platform-apis.md §3 and §5; node specs
/work/shared/specs/meta/graph-api-specs: IGUserForIGOnlyAPI, IGMediaForIGOnlyAPI,
ShadowIGMediaBuilder, IGAccessTokenForIGOnlyAPI, IGRefreshAccessTokenForIGOnlyAPI, enum_types).

The three real hosts share the /instagram mount (their paths do not collide):
  www.instagram.com    GET  /oauth/authorize        auto-approves as `sim_account` or the default
  api.instagram.com    POST /oauth/access_token     code → short-lived token (1 h)
  graph.instagram.com  GET  /access_token?grant_type=ig_exchange_token    short → long (60 d)
                       GET  /refresh_access_token?grant_type=ig_refresh_token (≥ 24 h old)
                       GET  /{v}/me | /{v}/{ig-user-id}           IGUserForIGOnlyAPI fields
                       POST /{v}/{ig-user-id}/media               create a container
                       GET  /{v}/{ig-user-id}/media               published media (not stories)
                       GET  /{v}/{ig-user-id}/stories             live stories (24 h)
                       POST /{v}/{ig-user-id}/media_publish       creation_id
                       GET  /{v}/{ig-user-id}/content_publishing_limit
                       GET  /{v}/{ig-user-id}/insights            metric, period
                       GET  /{v}/{container-id}?fields=status_code,status
                       GET  /{v}/{media-id}?fields=...            IGMediaForIGOnlyAPI fields
                       GET  /{v}/{media-id}/insights?metric=...
                       POST /{v}/{media-id}/comments              message
Versions: SUPPORTED_VERSIONS; any other path answers the Graph "Unknown path components" error.

Strictness: unknown, wrongly typed (bool, list<string>, list<map>, map, unsigned int) or
mis-combined container parameters are refused with code 100; unknown `fields` likewise;
removed insight metrics (impressions, plays) are refused. Every error uses the Graph envelope;
the api.instagram.com token endpoint answers in Instagram's own {error_type, code, error_message}.
Throttling (injected "429") is code 80002 with X-Business-Use-Case-Usage. Containers stay
IN_PROGRESS for knobs.media_processing_ms, then FINISHED; PUBLISHED after media_publish, EXPIRED
after `container_ttl_s`. Images are fetched while the container is created (non-JPEG extension →
2207005, unreachable URL → 2207052, both HTTP 400); videos fail later (ERROR status) on an
unsupported extension (2207026) or `media_fetch_error`. Quotas (knobs): "posts" 100 per rolling
24 h (media_publish → code 9 / 2207042), "containers" 400 per 24 h.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from simulator import organic
from simulator.meta import (
    LoginSim,
    meta_error,
    meta_time,
    no_object,
    usage_headers,
)
from simulator.meta import (
    LoginToken as Token,
)
from simulator.meta import bad_param as _bad
from simulator.platform import (
    Refusal,
    content_type,
    find_named,
    per_window,
    read_params,
    set_fields,
)
from simulator.state import utcnow

SUPPORTED_VERSIONS = ("v22.0", "v23.0", "v24.0", "v25.0")
SHORT_TTL_S = 3600
LONG_TTL_S = 5183944  # what Meta answers for "60 days"
SANDBOX_CLIENT_ID = "instagram-sandbox"
SANDBOX_CLIENT_SECRET = "instagram-sandbox-secret"
SCOPES = (
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_comments",
    "instagram_business_manage_insights",
    "instagram_business_manage_messages",
)
DEFAULT_SCOPES = ",".join(SCOPES[:4])
RETIRED_SCOPES = ("business_basic", "business_content_publish", "business_manage_comments")
# POST /{ig-user-id}/media parameters and their types (IGUserForIGOnlyAPI.json).
MEDIA_PARAMS = {
    "alt_text": "string",
    "audio_name": "string",
    "caption": "string",
    "children": "list<string>",
    "collaborators": "list<string>",
    "cover_url": "string",
    "image_url": "string",
    "is_carousel_item": "bool",
    "location_id": "string",
    "media_type": "string",
    "product_tags": "list<map>",
    "share_to_feed": "bool",
    "thumb_offset": "string",
    "trial_params": "map",
    "upload_type": "string",
    "user_tags": "list<map>",
    "video_url": "string",
}
MEDIA_TYPES = ("CAROUSEL", "REELS", "STORIES", "VIDEO")
USER_FIELDS = (
    "account_type",
    "biography",
    "followers_count",
    "follows_count",
    "id",
    "media_count",
    "name",
    "profile_picture_url",
    "user_id",
    "username",
    "website",
)
MEDIA_FIELDS = (
    "alt_text",
    "caption",
    "comments_count",
    "current_live_viewer_count",
    "id",
    "is_comment_enabled",
    "is_shared_to_feed",
    "like_count",
    "media_product_type",
    "media_type",
    "media_url",
    "owner",
    "permalink",
    "shortcode",
    "thumbnail_url",
    "timestamp",
    "username",
)
CONTAINER_FIELDS = ("copyright_check_status", "id", "status", "status_code", "video_status")
# mediainsights_metric_enum_param; the removed ones answer "no longer supported" (v22+).
MEDIA_METRICS = (
    "comments",
    "follows",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
    "likes",
    "navigation",
    "profile_activity",
    "profile_visits",
    "reach",
    "replies",
    "saved",
    "shares",
    "total_interactions",
    "views",
)
REMOVED_METRICS = (
    "impressions",
    "plays",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
)
USER_METRICS = (
    "accounts_engaged",
    "comments",
    "follower_count",
    "likes",
    "profile_views",
    "reach",
    "saves",
    "shares",
    "total_interactions",
    "views",
    "website_clicks",
)
PERIODS = ("day", "days_28", "lifetime", "month", "total_over_range", "week")
COUNTERS = ("views", "reach", "likes", "comments", "shares", "saved")
IMAGE_SUFFIXES = (".png", ".gif", ".webp", ".heic", ".heif", ".bmp", ".tif", ".tiff")
VIDEO_BAD = (".avi", ".mkv", ".webm", ".wmv", ".flv", ".3gp", ".mpeg", ".mpg")

E_NOT_READY = "Media ID is not available"
E_QUOTA = "The account has reached its limit of posts published through the API in 24 hours."
E_FETCH = "Media download has failed. The media URI doesn't meet our requirements."
E_NO_TOKEN = "An access token is required to request this resource."

DEFAULT_SETTINGS: dict[str, Any] = {
    "max_caption_length": 2200,
    "max_hashtags": 30,
    "max_mentions": 20,
    "max_carousel_items": 10,
    "container_ttl_s": 86400,
    "refresh_min_age_s": 86400,
    "auth_code_ttl_s": 600,
    "media_fetch_error": None,  # e.g. "Media download has failed" for every media URL
    "insights_min_followers": 0,  # below: "(#10) Not enough viewers" on media insights
    "default_account": "instagram_user",
}

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w&#])#(?!\d+\b)\w+")
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9._]{1,30}")


def _ig_error(message: str, status: int = 400, kind: str = "OAuthException") -> Response:
    """api.instagram.com's own error shape (the OAuth host is not the Graph API)."""
    return JSONResponse(
        {"error_type": kind, "code": status, "error_message": message}, status_code=status
    )


def _typed(name: str, kind: str, value: Any) -> tuple[Any, str | None]:
    """(parsed value, None) or (None, problem) for one Graph parameter of `kind`."""
    if kind == "string":
        return (value, None) if isinstance(value, str | int) else (None, "must be a string")
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(value).lower()
        if text in ("true", "1", "false", "0"):
            return text in ("true", "1"), None
        return None, "must be a boolean"
    if kind == "unsigned int":
        text = str(value)
        return (text, None) if text.isdigit() else (None, "must be a valid unsigned integer")
    parsed = value
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("[", "{")):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                return None, "must be valid JSON"
        elif kind == "list<string>":
            parsed = [v.strip() for v in stripped.split(",") if v.strip()]
    if kind == "list<string>":
        ok = isinstance(parsed, list) and all(isinstance(v, str | int) for v in parsed)
        return ([str(v) for v in parsed], None) if ok else (None, "must be an array of strings")
    if kind == "list<map>":
        ok = isinstance(parsed, list) and all(isinstance(v, dict) for v in parsed)
        return (parsed, None) if ok else (None, "must be an array of objects")
    if kind == "map":
        return (parsed, None) if isinstance(parsed, dict) else (None, "must be an object")
    return value, None


@dataclass
class User:
    id: str  # the Instagram professional account id (user_id), used in paths
    scoped_id: str  # the app-scoped id /me answers as `id`
    username: str
    name: str
    account_type: str = "BUSINESS"
    followers_count: int = 0
    follows_count: int = 0
    biography: str = ""
    website: str = ""


@dataclass
class Container:
    id: str
    user_id: str
    kind: str  # IMAGE | VIDEO | REELS | STORIES | CAROUSEL
    caption: str
    params: dict[str, Any]
    created: float  # epoch
    ready_at: float  # monotonic
    item: bool = False
    children: list[str] = field(default_factory=list)
    failure: tuple[str, int] | None = None  # (message, error subcode)
    published_id: str | None = None


@dataclass
class Post:
    id: str
    user_id: str
    caption: str
    media_type: str  # IMAGE | VIDEO | CAROUSEL_ALBUM
    product: str  # FEED | REELS | STORY
    created_at: datetime
    shortcode: str
    permalink: str
    media_url: str
    shared_to_feed: bool | None = None
    alt_text: str | None = None
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    comments: list[dict[str, Any]] = field(default_factory=list)


class InstagramSim(LoginSim):
    id = "instagram"
    organic_posts = ("posts", "metrics", organic.OWN_COUNTERS["instagram"])
    display_name = "Instagram"
    quotas = per_window(86400, posts=100, containers=400)
    default_settings = DEFAULT_SETTINGS
    default_scopes = DEFAULT_SCOPES
    long_ttl_s = LONG_TTL_S
    token_prefixes = ("IGAA", "IGQW")
    limit_message = (
        "There have been too many calls to this Instagram account. Wait a bit and try again."
    )
    limit_code = 80002
    users: dict[str, User]
    tokens: dict[str, Token]
    containers: dict[str, Container]
    posts: dict[str, Post]
    no_token = (E_NO_TOKEN, 104)

    def sandbox(self) -> dict[str, str]:
        """The OAuth code exchange (api.instagram.com in reality) is served here too."""
        return super().sandbox() | {"token_base": f"/{self.id}"}

    # ------------------------------------------------------------ helpers (tests, benchmarks)

    def _next_id(self) -> str:
        with self.sim.lock:
            self._seq += 1
            return str(17890000000000000 + int(time.time() * 1000) % 10**9 * 1000 + self._seq)

    def ensure_user(self, username: str, **fields: Any) -> User:
        """Find or create an account; `fields` set name, account_type, followers_count..."""
        settable = ("name", "account_type", "followers_count", "follows_count", "biography")
        with self.sim.lock:
            user = find_named(self.users, username)
            if user is None:
                user = User(self._next_id(), self._next_id(), username, username.capitalize())
                self.users[user.id] = user
            set_fields(user, fields, settable + ("website",), "user")
            return user

    # ------------------------------------------------------------ auth

    def _version(self, request: Request) -> None:
        if request.path_params.get("version") not in SUPPORTED_VERSIONS:
            raise Refusal(self._unknown_path(request))

    def _unknown_path(self, request: Request) -> Response:
        return meta_error(f"Unknown path components: {self.relative_path(request)}", 2500, 400)

    def _owner(self, request: Request, token: Token) -> User:
        """The {ig-user-id} path segment: "me", the account id or its app-scoped id."""
        wanted = request.path_params["id"]
        user = self.users[token.user_id]
        if wanted in ("me", user.id, user.scoped_id):
            return user
        raise Refusal(no_object(wanted))

    def _user_of(self, request: Request, scope: str | None = None) -> User:
        """The {ig-user-id} a request acts on, after the version, token and scope checks."""
        self._version(request)
        token = self._auth(request, scope)
        return self._owner(request, token)

    # ------------------------------------------------------------ faults

    def _usage_headers(self, user_id: str, minutes: int) -> dict[str, str]:
        return usage_headers(user_id, "instagram", 100, minutes)

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        v = "/{version}"
        return [
            *self.login_routes(),
            *self.api_routes(
                ("POST", v + "/{id}/media", self.create_container),
                ("GET", v + "/{id}/media", self.list_media),
                ("GET", v + "/{id}/stories", self.list_stories),
                ("POST", v + "/{id}/media_publish", self.publish),
                ("GET", v + "/{id}/content_publishing_limit", self.publishing_limit),
                ("GET", v + "/{id}/insights", self.insights),
                ("POST", v + "/{id}/comments", self.comment),
                ("GET", v + "/{id}", self.get_object),
                ("GET POST DELETE PUT", "/{path:path}", self.unknown),
            ),
        ]

    async def unknown(self, request: Request) -> Response:
        return self._unknown_path(request)

    # ------------------------------------------------------------ OAuth

    consent_messages = (
        "Invalid platform app",
        "Invalid redirect_uri",
        "Invalid response_type: must be code",
    )

    def consent_refusal(self, message: str) -> Response:
        return _ig_error(message)

    def consented_scopes(self, scope: str) -> list[str]:
        scopes = [s for s in re.split(r"[,\s]+", scope) if s]
        bad = [s for s in scopes if s not in SCOPES]
        if bad:
            retired = " (retired on 2025-01-27)" if bad[0] in RETIRED_SCOPES else ""
            raise Refusal(_ig_error(f"Invalid scope: {bad[0]}{retired}"))
        if "instagram_business_basic" not in scopes:
            raise Refusal(_ig_error("Invalid scope: instagram_business_basic is required"))
        return scopes

    async def code_token(self, request: Request) -> Response:
        ctype = content_type(request)
        if ctype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _ig_error("Missing required field client_id")
        p = await read_params(request)
        for name in ("client_id", "client_secret", "grant_type", "redirect_uri", "code"):
            if not p.get(name):
                return _ig_error(f"Missing required field {name}")
        app = self.apps.get(str(p["client_id"]))
        if app is None or not self.secret_ok(app, str(p["client_secret"])):
            return _ig_error("Invalid client_secret")
        if p["grant_type"] != "authorization_code":
            return _ig_error("Invalid grant_type: must be authorization_code")
        grant = self.take_code(str(p["code"]), app.client_id)
        if grant is None:
            return _ig_error("This authorization code has been used", kind="OAuthException")
        if grant[2] != p["redirect_uri"]:
            return _ig_error("Error validating verification code: redirect_uri mismatch")
        token = self._mint(grant[1], app.client_id, grant[3], long_lived=False)
        return JSONResponse(
            {
                "data": [
                    {
                        "access_token": token.value,
                        "user_id": token.user_id,
                        "permissions": ",".join(token.scopes),
                    }
                ]
            }
        )

    async def exchange(self, request: Request) -> Response:
        q = request.query_params
        for name in ("grant_type", "client_secret", "access_token"):
            if not q.get(name):
                return _bad(f"The parameter {name} is required")
        if q["grant_type"] != "ig_exchange_token":
            return _bad("Unsupported grant_type: must be ig_exchange_token")
        return self.exchanged(self._auth(request), q["client_secret"])

    async def refresh(self, request: Request) -> Response:
        q = request.query_params
        for name in ("grant_type", "access_token"):
            if not q.get(name):
                return _bad(f"The parameter {name} is required")
        if q["grant_type"] != "ig_refresh_token":
            return _bad("Unsupported grant_type: must be ig_refresh_token")
        token = self._auth(request)
        refused = self.refusing_refresh(token)
        return refused or self.long_lived_answer(token, permissions=",".join(token.scopes))

    # ------------------------------------------------------------ objects

    def _status(self, c: Container) -> tuple[str, str]:
        if c.published_id:
            return "PUBLISHED", "Published: Media has been successfully published."
        if time.time() - c.created >= self.conf["container_ttl_s"]:
            return "EXPIRED", "Expired: Media was not published within 24 hours."
        if time.monotonic() < c.ready_at:
            return "IN_PROGRESS", "In Progress: Media is still being processed."
        if c.failure:
            message, subcode = c.failure
            return "ERROR", f"Error: {message} Media upload has failed with error code {subcode}"
        return "FINISHED", "Finished: Media has been uploaded and it is ready to be published."

    def _user_json(self, user: User) -> dict[str, Any]:
        return {
            "id": user.scoped_id,
            "user_id": int(user.id),
            "username": user.username,
            "name": user.name,
            "account_type": user.account_type,
            "profile_picture_url": f"https://scontent.cdninstagram.example/{user.id}.jpg",
            "followers_count": user.followers_count,
            "follows_count": user.follows_count,
            "media_count": sum(
                1 for p in self.posts.values() if p.user_id == user.id and p.product != "STORY"
            ),
            "biography": user.biography,
            "website": user.website,
        }

    def _post_json(self, post: Post) -> dict[str, Any]:
        user = self.users[post.user_id]
        return {
            "id": post.id,
            "caption": post.caption,
            "media_type": post.media_type,
            "media_product_type": post.product,
            "media_url": post.media_url,
            "permalink": post.permalink,
            "shortcode": post.shortcode,
            "timestamp": meta_time(post.created_at),
            "username": user.username,
            "owner": {"id": user.id},
            "like_count": post.metrics["likes"],
            "comments_count": post.metrics["comments"],
            "is_comment_enabled": True,
            "is_shared_to_feed": post.shared_to_feed,
            "alt_text": post.alt_text,
        }

    async def get_object(self, request: Request) -> Response:
        self._version(request)
        token = self._auth(request)
        oid = request.path_params["id"]
        user = self.users[token.user_id]
        if oid in ("me", user.id, user.scoped_id):
            fields = self._fields(request, USER_FIELDS)
            full = self._user_json(user)
            return JSONResponse({f: full[f] for f in ["id", *fields]})
        c = self.containers.get(oid)
        if c is not None and c.user_id == token.user_id:
            fields = self._fields(request, CONTAINER_FIELDS)
            code, status = self._status(c)
            full = {"id": c.id, "status_code": code, "status": status}
            return JSONResponse({f: full[f] for f in ["id", *fields] if f in full})
        post = self.posts.get(oid)
        if post is not None and post.user_id == token.user_id:
            fields = self._fields(request, MEDIA_FIELDS)
            full = self._post_json(post)
            return JSONResponse({f: full[f] for f in ["id", *fields] if full.get(f) is not None})
        return no_object(oid)

    # ------------------------------------------------------------ containers

    def _check_caption(self, caption: str) -> Response | None:
        if len(caption) > self.conf["max_caption_length"]:
            return _bad(
                f"The caption is too long: the limit is {self.conf['max_caption_length']} "
                "characters.",
                2207010,
            )
        bare = _URL.sub(" ", caption)
        if len(_HASHTAG.findall(bare)) > self.conf["max_hashtags"]:
            return _bad(f"The caption has more than {self.conf['max_hashtags']} hashtags.")
        if len(_MENTION.findall(bare)) > self.conf["max_mentions"]:
            return _bad(f"The caption mentions more than {self.conf['max_mentions']} accounts.")
        return None

    def _image_failure(self, url: str) -> Response | None:
        """Images are downloaded while the container is created: failures answer at once."""
        path = urlsplit(url).path.lower()
        if urlsplit(url).scheme not in ("http", "https") or self.conf["media_fetch_error"]:
            return meta_error(self.conf["media_fetch_error"] or E_FETCH, 9004, subcode=2207052)
        if path.endswith(IMAGE_SUFFIXES):
            return meta_error(
                "The image format is not supported. Only JPEG images are accepted.",
                9004,
                subcode=2207005,
            )
        return None

    def _video_failure(self, url: str) -> tuple[str, int] | None:
        """Videos fail asynchronously: the container ends in ERROR."""
        if urlsplit(url).scheme not in ("http", "https"):
            return E_FETCH, 2207052
        if self.conf["media_fetch_error"]:
            return str(self.conf["media_fetch_error"]), 2207052
        if urlsplit(url).path.lower().endswith(VIDEO_BAD):
            return "The video format is not supported.", 2207026
        return None

    async def create_container(self, request: Request) -> Response:
        user = self._user_of(request, "instagram_business_content_publish")
        raw = await read_params(request)
        raw.pop("access_token", None)
        p: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in MEDIA_PARAMS:
                return _bad(f"Param {name} is not a valid parameter")
            parsed, problem = _typed(name, MEDIA_PARAMS[name], value)
            if problem:
                return _bad(f"Param {name} {problem}")
            p[name] = parsed
        return self._new_container(user, p)

    def _new_container(self, user: User, p: dict[str, Any]) -> Response:
        media_type = p.get("media_type")
        if media_type is not None and media_type not in MEDIA_TYPES:
            return _bad(f"Param media_type must be one of {{{', '.join(MEDIA_TYPES)}}}")
        item = bool(p.get("is_carousel_item", False))
        caption = str(p.get("caption") or "")
        kind = media_type or "IMAGE"
        allowed = {
            "IMAGE": {"image_url", "caption", "alt_text", "is_carousel_item", "location_id"}
            | {"user_tags", "product_tags", "collaborators"},
            "VIDEO": {"video_url", "is_carousel_item", "media_type", "user_tags"},
            "REELS": {"video_url", "caption", "share_to_feed", "cover_url", "thumb_offset"}
            | {"audio_name", "collaborators", "location_id", "user_tags", "media_type"}
            | {"trial_params", "upload_type", "product_tags"},
            "STORIES": {"image_url", "video_url", "media_type", "user_tags"},
            "CAROUSEL": {"children", "caption", "location_id", "media_type", "product_tags"},
        }[kind]
        extra = sorted(set(p) - allowed)
        if extra:
            return _bad(f"Param {extra[0]} is not supported for media_type {kind}")
        if item and kind == "IMAGE" and caption:
            return _bad("Carousel items cannot have a caption")
        if kind == "VIDEO" and not item:
            return _bad(
                "The VIDEO media type is no longer supported for single feed videos; use REELS"
            )
        if p.get("upload_type") is not None:
            return _bad("upload_type=resumable is available with Facebook Login only")
        if p.get("location_id") is not None and not str(p["location_id"]).isdigit():
            return _bad("Param location_id must be a valid Page id")
        if p.get("thumb_offset") is not None and not str(p["thumb_offset"]).isdigit():
            return _bad("Param thumb_offset must be a number of milliseconds")
        if len(p.get("collaborators") or []) > 3:
            return _bad("A post can have at most 3 collaborators")
        refused = self._check_caption(caption)
        if refused:
            return refused
        children: list[str] = []
        failure = None
        if kind == "CAROUSEL":
            children = list(p.get("children") or [])
            top = self.conf["max_carousel_items"]
            if not 2 <= len(children) <= top:
                return _bad(f"A carousel needs 2 to {top} children", 2207028)
            for cid in children:
                child = self.containers.get(cid)
                if child is None or child.user_id != user.id or not child.item:
                    return _bad(f"Invalid carousel child {cid}", 2207028)
                state, _ = self._status(child)
                if state == "IN_PROGRESS":
                    return meta_error(E_NOT_READY, 9007, subcode=2207027)
                if state != "FINISHED":
                    return meta_error(
                        f"Carousel child {cid} is {state.lower()}", 9004, subcode=2207028
                    )
        else:
            image, video = p.get("image_url"), p.get("video_url")
            if kind == "STORIES" and bool(image) == bool(video):
                return _bad("A story needs exactly one of image_url or video_url")
            if kind == "IMAGE" and not image:
                return _bad("The parameter image_url is required")
            if kind in ("VIDEO", "REELS") and not video:
                return _bad("The parameter video_url is required")
            if image:
                refused = self._image_failure(str(image))
                if refused:
                    return refused
            else:
                failure = self._video_failure(str(video))
        quota = self.sim.rate(self.id, "containers", user.id, account=user.username)
        if not quota.allowed:
            minutes = math.ceil((quota.reset_at - utcnow()).total_seconds() / 60)
            return meta_error(
                "(#9) The account has created the maximum of media containers in 24 hours",
                9,
                headers=self._usage_headers(user.id, max(minutes, 1)),
            )
        knobs = self.sim.effective_knobs(self.id, user.username)
        wait = 0.0 if kind == "CAROUSEL" else (knobs.media_processing_ms or 0) / 1000
        container = Container(
            id=self._next_id(),
            user_id=user.id,
            kind=kind,
            caption=caption,
            params=p,
            created=time.time(),
            ready_at=time.monotonic() + wait,
            item=item,
            children=children,
            failure=failure,
        )
        with self.sim.lock:
            self.containers[container.id] = container
        return JSONResponse({"id": container.id})

    # ------------------------------------------------------------ publishing

    async def publish(self, request: Request) -> Response:
        user = self._user_of(request, "instagram_business_content_publish")
        p = await read_params(request)
        p.pop("access_token", None)
        unknown = sorted(set(p) - {"creation_id"})
        if unknown:
            return _bad(f"Param {unknown[0]} is not a valid parameter")
        if not p.get("creation_id"):
            return _bad("The parameter creation_id is required")
        cid, problem = _typed("creation_id", "unsigned int", p["creation_id"])
        if problem:
            return _bad(f"Param creation_id {problem}")
        with self.sim.lock:
            c = self.containers.get(str(cid))
            if c is None or c.user_id != user.id:
                return meta_error("Media Not Found", 24, subcode=2207006)
            if c.item:
                return _bad("A carousel item cannot be published on its own", 2207028)
            state, status = self._status(c)
            if state == "PUBLISHED":
                return _bad("This media container has already been published")
            if state == "EXPIRED":
                return meta_error("The media container has expired", 24, subcode=2207020)
            if state == "ERROR":
                assert c.failure is not None
                return meta_error(status, 9004, subcode=c.failure[1])
            if state != "FINISHED":
                return meta_error(E_NOT_READY, 9007, subcode=2207027)
            quota = self.sim.rate(self.id, "posts", user.id, account=user.username)
            if not quota.allowed:
                minutes = math.ceil((quota.reset_at - utcnow()).total_seconds() / 60)
                response = meta_error(
                    E_QUOTA,
                    9,
                    subcode=2207042,
                    headers=self._usage_headers(user.id, max(minutes, 1)),
                )
                return response
            post = self._make_post(user, c)
            self.posts[post.id] = post
            c.published_id = post.id
            media = [
                {
                    "type": "VIDEO"
                    if m.kind in ("VIDEO", "REELS") or m.params.get("video_url")
                    else "IMAGE",
                    "url": m.params.get("image_url") or m.params.get("video_url"),
                    "alt_text": m.params.get("alt_text"),
                }
                for m in ([self.containers[x] for x in c.children] or [c])
            ]
            self.sim.record_post(
                self.id,
                user.username,
                post.id,
                post.caption,
                media=media,
                permalink=post.permalink,
                extra={
                    "user_id": user.id,
                    "container_id": c.id,
                    "media_type": post.media_type,
                    "media_product_type": post.product,
                    "share_to_feed": post.shared_to_feed,
                    "location_id": c.params.get("location_id"),
                },
            )
        return JSONResponse({"id": post.id})

    def _make_post(self, user: User, c: Container) -> Post:
        shortcode = secrets.token_urlsafe(8).replace("-", "A").replace("_", "B")[:11]
        post_id = self._next_id()
        first = self.containers[c.children[0]] if c.children else c
        url = str(first.params.get("image_url") or first.params.get("video_url") or "")
        if c.kind == "CAROUSEL":
            media_type, product, link = "CAROUSEL_ALBUM", "FEED", f"/p/{shortcode}/"
        elif c.kind == "REELS":
            media_type, product, link = "VIDEO", "REELS", f"/reel/{shortcode}/"
        elif c.kind == "STORIES":
            media_type = "VIDEO" if c.params.get("video_url") else "IMAGE"
            product, link = "STORY", f"/stories/{user.username}/{post_id}/"
        else:
            media_type, product, link = "IMAGE", "FEED", f"/p/{shortcode}/"
        shared = None
        if c.kind == "REELS":
            shared = bool(c.params.get("share_to_feed", True))
        return Post(
            id=post_id,
            user_id=user.id,
            caption=c.caption,
            media_type=media_type,
            product=product,
            created_at=utcnow(),
            shortcode=shortcode,
            permalink="https://www.instagram.com" + link,
            media_url=url,
            shared_to_feed=shared,
            alt_text=c.params.get("alt_text"),
        )

    async def publishing_limit(self, request: Request) -> Response:
        user = self._user_of(request)
        fields = self._fields(request, ("quota_usage", "config"), default="quota_usage")
        since = request.query_params.get("since")
        if since is not None and not since.isdigit():
            return _bad("Param since must be a unix timestamp")
        quota = self.sim.rate(self.id, "posts", user.id, account=user.username, consume=False)
        window = (self.sim.effective_knobs(self.id, user.username).quotas or {})["posts"]
        row = {
            "quota_usage": quota.limit - quota.remaining,
            "config": {"quota_total": quota.limit, "quota_duration": int(window["window_s"])},
        }
        return JSONResponse({"data": [{f: row[f] for f in fields}]})

    # ------------------------------------------------------------ reading

    def _page(self, request: Request, rows: list[Post], fields: list[str]) -> Response:
        q = request.query_params
        try:
            limit = int(q.get("limit", "25"))
            offset = int(q.get("after", "0") or "0")
        except ValueError:
            return _bad("Param limit must be an integer")
        if not 1 <= limit <= 100:
            return _bad("Param limit must be between 1 and 100")
        rows.sort(key=lambda post: (post.created_at, post.id), reverse=True)
        page = rows[offset : offset + limit]
        data = []
        for post in page:
            full = self._post_json(post)
            data.append({f: full[f] for f in ["id", *fields] if full.get(f) is not None})
        body: dict[str, Any] = {"data": data}
        if page:
            cursors = {"before": str(offset), "after": str(offset + len(page))}
            body["paging"] = {"cursors": cursors}
            if offset + limit < len(rows):
                query = dict(q) | {"after": cursors["after"]}
                query.pop("access_token", None)
                path = self.relative_path(request)
                body["paging"]["next"] = f"{self.base_url(request)}{path}?{urlencode(query)}"
        return JSONResponse(body)

    async def list_media(self, request: Request) -> Response:
        user = self._user_of(request)
        fields = self._fields(request, MEDIA_FIELDS)
        bounds: dict[str, float] = {}
        for name in ("since", "until"):
            value = request.query_params.get(name)
            if value is not None:
                try:
                    bounds[name] = float(value)
                except ValueError:
                    return _bad(f"Param {name} must be a unix timestamp")
        with self.sim.lock:
            rows = [
                post
                for post in self.posts.values()
                if post.user_id == user.id
                and post.product != "STORY"
                and post.created_at.timestamp() >= bounds.get("since", 0)
                and post.created_at.timestamp() <= bounds.get("until", math.inf)
            ]
        return self._page(request, rows, fields)

    async def list_stories(self, request: Request) -> Response:
        user = self._user_of(request)
        fields = self._fields(request, MEDIA_FIELDS)
        live = utcnow() - timedelta(hours=24)
        with self.sim.lock:
            rows = [
                post
                for post in self.posts.values()
                if post.user_id == user.id and post.product == "STORY" and post.created_at > live
            ]
        return self._page(request, rows, fields)

    async def insights(self, request: Request) -> Response:
        self._version(request)
        token = self._auth(request, "instagram_business_manage_insights")
        q = request.query_params
        metrics = [m for m in q.get("metric", "").split(",") if m]
        if not metrics:
            return _bad("The parameter metric is required")
        oid = request.path_params["id"]
        post = self.posts.get(oid)
        if post is not None and post.user_id == token.user_id:
            return self._media_insights(post, metrics, q.get("period"))
        user = self._owner(request, token)
        periods = [x for x in q.get("period", "").split(",") if x]
        if not periods:
            return _bad("The parameter period is required")
        if any(x not in PERIODS for x in periods):
            return _bad(f"Param period must be one of {list(PERIODS)}")
        if q.get("metric_type") not in (None, "default", "time_series", "total_value"):
            return _bad("Param metric_type must be one of {default, time_series, total_value}")
        bad = [m for m in metrics if m not in USER_METRICS]
        if bad:
            return _bad(f"metric[{metrics.index(bad[0])}] must be one of {list(USER_METRICS)}")
        posts = [p for p in self.posts.values() if p.user_id == user.id]
        data = []
        for m in metrics:
            if m == "follower_count":
                value = user.followers_count
            else:
                key = {"saves": "saved", "total_interactions": ""}.get(m, m)
                if m == "total_interactions":
                    value = sum(self._interactions(p) for p in posts)
                else:
                    value = sum(p.metrics.get(key, 0) for p in posts)
            data.append(
                {
                    "name": m,
                    "period": periods[0],
                    "total_value": {"value": value},
                    "id": f"{user.id}/insights/{m}/{periods[0]}",
                }
            )
        return JSONResponse({"data": data})

    @staticmethod
    def _interactions(post: Post) -> int:
        return sum(post.metrics[k] for k in ("likes", "comments", "shares", "saved"))

    def _media_insights(self, post: Post, metrics: list[str], period: str | None) -> Response:
        if period is not None and period not in PERIODS:
            return _bad(f"Param period must be one of {list(PERIODS)}")
        for n, m in enumerate(metrics):
            if m in REMOVED_METRICS:
                return _bad(
                    f"metric[{n}] {m} is no longer supported for v22.0 and later; use views"
                )
            if m not in MEDIA_METRICS:
                return _bad(f"metric[{n}] must be one of the following values: {MEDIA_METRICS}")
        owner = self.users[post.user_id]
        if owner.followers_count < self.conf["insights_min_followers"]:
            return meta_error("(#10) Not enough viewers for the media to show insights", 10)
        data = []
        for m in metrics:
            value = (
                self._interactions(post) if m == "total_interactions" else post.metrics.get(m, 0)
            )
            data.append(
                {
                    "name": m,
                    "period": "lifetime",
                    "values": [{"value": value}],
                    "id": f"{post.id}/insights/{m}/lifetime",
                }
            )
        return JSONResponse({"data": data})

    async def comment(self, request: Request) -> Response:
        self._version(request)
        token = self._auth(request, "instagram_business_manage_comments")
        post = self.posts.get(request.path_params["id"])
        if post is None or post.user_id != token.user_id:
            return no_object(request.path_params["id"])
        p = await read_params(request)
        p.pop("access_token", None)
        unknown = sorted(set(p) - {"message"})
        if unknown:
            return _bad(f"Param {unknown[0]} is not a valid parameter")
        message = str(p.get("message") or "")
        if not message.strip():
            return _bad("The parameter message is required")
        if len(message) > self.conf["max_caption_length"]:
            return _bad("The comment is too long")
        comment_id = self._next_id()
        with self.sim.lock:
            post.comments.append({"id": comment_id, "text": message, "at": meta_time(utcnow())})
            post.metrics["comments"] += 1
        return JSONResponse({"id": comment_id})

    # ------------------------------------------------------------ simulator controls


__all__ = ["SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "InstagramSim"]
