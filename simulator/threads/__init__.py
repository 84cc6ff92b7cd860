"""Threads (graph.threads.net) simulator (platform-apis.md §3 and §8; Postman collection in
/work/shared/specs/threads).

Routes, under /threads:
  GET  /oauth/authorize                       auto-approves as `sim_account` (simulator-only)
  POST /oauth/access_token                    code → short-lived token (1 h) + user_id
  GET  /access_token?grant_type=th_exchange_token     short → long-lived (60 d)
  GET  /refresh_access_token?grant_type=th_refresh_token  long-lived (≥ refresh_min_age_s old)
  GET  /v1.0/me | /v1.0/{user-id}             profile fields
  POST /v1.0/{user-id}/threads                create a container (TEXT|IMAGE|VIDEO|CAROUSEL)
  GET  /v1.0/{container-id}?fields=status,error_message
  POST /v1.0/{user-id}/threads_publish?creation_id=
  GET  /v1.0/{user-id}/threads?since=&until=&limit=&after=
  GET  /v1.0/{user-id}/threads_publishing_limit
  GET  /v1.0/{media-id}?fields=id,permalink,text,timestamp
  GET  /v1.0/{media-id}/insights?metric=...
  GET  /v1.0/{user-id}/threads_insights?metric=...

Every error uses the Graph envelope {"error": {message, type, code, error_subcode, fbtrace_id}}.
Throttling is HTTP 400 with code 4/17/613 and the X-App-Usage / X-Business-Use-Case-Usage headers.
Containers: IN_PROGRESS for `media_processing_ms` (knob; TEXT containers are FINISHED at once),
then FINISHED, PUBLISHED after threads_publish, EXPIRED after `container_ttl_s`, ERROR when the
media URL cannot be fetched (setting `media_fetch_error`, or a non-http(s) URL).
Publishing counts against the rolling "posts" quota (250 / 24 h).
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from simulator import organic
from simulator.meta import (
    E_NO_ACTIVE_TOKEN,
    LoginSim,
    bad_param,
    meta_error,
    meta_time,
    no_object,
    no_permission,
    usage_headers,
)
from simulator.meta import (
    LoginToken as Token,
)
from simulator.platform import Refusal, find_named, per_window, read_params, set_fields
from simulator.state import utcnow

VERSION = "v1.0"
SHORT_TTL_S = 3600
LONG_TTL_S = 60 * 86400
MEDIA_TYPES = ("TEXT", "IMAGE", "VIDEO", "CAROUSEL")
REPLY_CONTROLS = ("everyone", "accounts_you_follow", "mentioned_only")
SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_manage_replies",
    "threads_read_replies",
    "threads_manage_insights",
)
DEFAULT_SCOPES = ",".join(SCOPES)
CONTAINER_PARAMS = {
    "media_type",
    "text",
    "image_url",
    "video_url",
    "is_carousel_item",
    "children",
    "reply_to_id",
    "quote_post_id",
    "link_attachment",
    "alt_text",
    "reply_control",
    "topic_tag",
    "auto_publish_text",
    "access_token",
}
POST_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count")
POST_FIELDS = ("id", "text", "timestamp", "permalink", "media_type", "username", "shortcode")
PROFILE_FIELDS = ("id", "username", "name", "threads_profile_picture_url", "threads_biography")
SANDBOX_CLIENT_ID = "threads-sandbox"
SANDBOX_CLIENT_SECRET = "threads-sandbox-secret"

E_NOT_READY = "The media is not ready for publishing, please wait for a moment"
E_TOO_LONG = "Param text must be at most 500 characters long."
E_QUOTA = "You have reached the maximum number of posts that is allowed to be posted in 24 hours."

DEFAULT_SETTINGS: dict[str, Any] = {
    "max_text_length": 500,
    "max_carousel_items": 20,
    "container_ttl_s": 86400,
    "refresh_min_age_s": 86400,
    "auth_code_ttl_s": 600,
    "media_fetch_error": None,  # e.g. "The media could not be fetched from this URI"
    "default_account": "threads_user",
}


def text_length(text: str) -> int:
    """Threads' count: one per character, except emoji, which count their UTF-8 bytes."""
    return sum(len(ch.encode("utf-8")) if _emoji_part(ord(ch)) else 1 for ch in text)


def _emoji_part(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or cp in (0x200D, 0xFE0F, 0x20E3)
        or 0xE0020 <= cp <= 0xE007F
    )


@dataclass
class User:
    id: str
    username: str
    name: str
    followers_count: int = 0
    views: int = 0


@dataclass
class Container:
    id: str
    user_id: str
    media_type: str
    text: str
    params: dict[str, Any]
    created: float  # epoch
    ready_at: float  # monotonic
    children: list[str] = field(default_factory=list)
    failure: str | None = None
    published_id: str | None = None


@dataclass
class Post:
    id: str
    user_id: str
    text: str
    media_type: str
    created_at: datetime
    permalink: str
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POST_METRICS, 0))


class ThreadsSim(LoginSim):
    id = "threads"
    organic_posts = ("posts", "metrics", organic.OWN_COUNTERS["threads"])
    display_name = "Threads"
    quotas = per_window(86400, posts=250, replies=1000)
    default_settings = DEFAULT_SETTINGS
    default_scopes = DEFAULT_SCOPES
    long_ttl_s = LONG_TTL_S
    token_prefixes = ("THAA", "THQ")
    limit_message = "(#17) User request limit reached"
    limit_code = 17
    users: dict[str, User]
    tokens: dict[str, Token]
    containers: dict[str, Container]
    posts: dict[str, Post]
    no_token = (E_NO_ACTIVE_TOKEN, 2500)

    # ------------------------------------------------------------ helpers (tests, benchmarks)

    def _next_id(self) -> str:
        with self.sim.lock:
            self._seq += 1
            return str(17841400000000000 + int(time.time() * 1000) % 10**9 * 1000 + self._seq)

    def ensure_user(self, username: str, **fields: Any) -> User:
        with self.sim.lock:
            user = find_named(self.users, username)
            if user is None:
                user = User(self._next_id(), username, username.capitalize())
                self.users[user.id] = user
            set_fields(user, fields, ("name", "followers_count", "views"), "user")
            return user

    # ------------------------------------------------------------ auth

    def _subject(self, request: Request, token: Token, scope: str | None = None) -> User:
        """The {user-id} path segment ("me" or the token's own id); refused when it is another
        user's, or when the token lacks `scope`."""
        wanted = request.path_params["id"]
        if wanted not in ("me", token.user_id):
            raise Refusal(no_object(wanted))
        if scope and scope not in token.scopes:
            raise Refusal(no_permission())
        return self.users[token.user_id]

    # ------------------------------------------------------------ faults

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        v = f"/{VERSION}"
        return [
            *self.login_routes(),
            *self.api_routes(
                ("POST", v + "/{id}/threads", self.create_container),
                ("GET", v + "/{id}/threads", self.list_threads),
                ("POST", v + "/{id}/threads_publish", self.publish),
                ("GET", v + "/{id}/threads_publishing_limit", self.publishing_limit),
                ("GET", v + "/{id}/threads_insights", self.user_insights),
                ("GET", v + "/{id}/insights", self.media_insights),
                ("GET", v + "/{id}", self.get_object),
            ),
        ]

    # ------------------------------------------------------------ OAuth

    consent_messages = (
        "Invalid platform app",
        "Error validating verification code: redirect_uri mismatch",
        "(#100) response_type must be code",
    )

    def consent_refusal(self, message: str) -> Response:
        return meta_error(message, 100)

    def consented_scopes(self, scope: str) -> list[str]:
        scopes = [s for s in scope.split(",") if s]
        if not scopes or any(s not in SCOPES for s in scopes):
            raise Refusal(bad_param("Invalid scope"))
        return scopes

    async def code_token(self, request: Request) -> Response:
        p = await read_params(request)
        for name in ("client_id", "client_secret", "grant_type", "redirect_uri", "code"):
            if not p.get(name):
                return bad_param(f"The parameter {name} is required")
        app = self.apps.get(p["client_id"])
        if app is None or not self.secret_ok(app, p["client_secret"]):
            return meta_error("Error validating client secret.", 101)
        if p["grant_type"] != "authorization_code":
            return bad_param("Unsupported grant_type")
        grant = self.take_code(p["code"], app.client_id)
        if grant is None:
            return meta_error("Invalid verification code format.", 100, subcode=36007)
        if grant[2] != p["redirect_uri"]:
            return meta_error("Error validating verification code: redirect_uri mismatch", 100)
        token = self._mint(grant[1], app.client_id, grant[3], long_lived=False)
        return JSONResponse({"access_token": token.value, "user_id": int(token.user_id)})

    async def exchange(self, request: Request) -> Response:
        q = request.query_params
        if q.get("grant_type") != "th_exchange_token":
            return bad_param("grant_type must be th_exchange_token")
        if not q.get("client_secret"):
            return bad_param("The parameter client_secret is required")
        return self.exchanged(self._auth(request), q["client_secret"])

    async def refresh(self, request: Request) -> Response:
        if request.query_params.get("grant_type") != "th_refresh_token":
            return bad_param("grant_type must be th_refresh_token")
        token = self._auth(request)
        return self.refusing_refresh(token) or self.long_lived_answer(token)

    # ------------------------------------------------------------ objects

    def _status(self, c: Container) -> tuple[str, str | None]:
        if c.published_id:
            return "PUBLISHED", None
        if time.time() - c.created >= self.conf["container_ttl_s"]:
            return "EXPIRED", "The container has expired"
        if c.failure:
            return "ERROR", c.failure
        for child_id in c.children:
            state, message = self._status(self.containers[child_id])
            if state in ("ERROR", "EXPIRED"):
                return "ERROR", message
            if state == "IN_PROGRESS":
                return "IN_PROGRESS", None
        if time.monotonic() < c.ready_at:
            return "IN_PROGRESS", None
        return "FINISHED", None

    async def get_object(self, request: Request) -> Response:
        token = self._auth(request)
        oid = request.path_params["id"]
        if oid == "me" or oid in self.users:
            user = self._subject(request, token)
            fields = self._fields(request, PROFILE_FIELDS)
            full = {
                "id": user.id,
                "username": user.username,
                "name": user.name,
                "threads_profile_picture_url": f"https://scontent.example/{user.id}.jpg",
                "threads_biography": "",
            }
            return JSONResponse({f: full[f] for f in ["id", *fields] if f in full})
        c = self.containers.get(oid)
        if c is not None and c.user_id == token.user_id:
            fields = self._fields(request, ("id", "status", "error_message"))
            state, message = self._status(c)
            full = {"id": c.id, "status": state, "error_message": message}
            return JSONResponse({f: full[f] for f in ["id", *fields] if full[f] is not None})
        post = self.posts.get(oid)
        if post is not None:
            fields = self._fields(request, POST_FIELDS)
            full = self._post_json(post)
            return JSONResponse({f: full[f] for f in ["id", *fields] if f in full})
        return no_object(oid)

    def _post_json(self, post: Post) -> dict[str, Any]:
        return {
            "id": post.id,
            "text": post.text,
            "timestamp": meta_time(post.created_at),
            "permalink": post.permalink,
            "media_type": "TEXT_POST" if post.media_type == "TEXT" else post.media_type,
            "username": self.users[post.user_id].username,
            "shortcode": post.permalink.rsplit("/", 1)[-1],
        }

    # ------------------------------------------------------------ publishing

    async def create_container(self, request: Request) -> Response:
        token = self._auth(request)
        user = self._subject(request, token, "threads_content_publish")
        p = await read_params(request)
        unknown = sorted(set(p) - CONTAINER_PARAMS)
        if unknown:
            return bad_param(f"Param {unknown[0]} is not a valid parameter")
        media_type = p.get("media_type")
        if not media_type:
            return bad_param("The parameter media_type is required.")
        if media_type not in MEDIA_TYPES:
            return bad_param(f"Param media_type must be one of {{{', '.join(MEDIA_TYPES)}}}")
        text = str(p.get("text") or "")
        if text_length(text) > self.conf["max_text_length"]:
            return bad_param(E_TOO_LONG)
        item = str(p.get("is_carousel_item", "false")).lower() == "true"
        if p.get("reply_control") and p["reply_control"] not in REPLY_CONTROLS:
            return bad_param(f"Param reply_control must be one of {list(REPLY_CONTROLS)}")
        children: list[str] = []
        failure = None
        if media_type == "TEXT":
            if not text.strip():
                return bad_param("The parameter text is required for TEXT posts.")
            if item:
                return bad_param("A carousel item must be an IMAGE or a VIDEO")
        elif media_type in ("IMAGE", "VIDEO"):
            key = "image_url" if media_type == "IMAGE" else "video_url"
            url = str(p.get(key) or "")
            if not url:
                return bad_param(f"The parameter {key} is required.")
            other = "video_url" if media_type == "IMAGE" else "image_url"
            if p.get(other):
                return bad_param(f"Param {other} is not allowed for media_type {media_type}")
            if item and text:
                return bad_param("Carousel items cannot have text")
            if urlsplit(url).scheme not in ("http", "https"):
                failure = "The media could not be fetched from this URI"
            failure = failure or self.conf["media_fetch_error"]
        else:
            children = [c.strip() for c in str(p.get("children") or "").split(",") if c.strip()]
            if not 2 <= len(children) <= self.conf["max_carousel_items"]:
                return bad_param(
                    f"A carousel needs 2 to {self.conf['max_carousel_items']} children", 4279012
                )
            for cid in children:
                child = self.containers.get(cid)
                if child is None or child.user_id != user.id or not child.params.get("_item"):
                    return bad_param(f"Invalid carousel child {cid}")
        knobs = self.sim.effective_knobs(self.id, user.username)
        wait = 0.0 if media_type == "TEXT" else (knobs.media_processing_ms or 0) / 1000
        container = Container(
            id=self._next_id(),
            user_id=user.id,
            media_type=media_type,
            text=text,
            params={k: v for k, v in p.items() if k != "access_token"} | {"_item": item},
            created=time.time(),
            ready_at=time.monotonic() + wait,
            children=children,
            failure=failure,
        )
        with self.sim.lock:
            self.containers[container.id] = container
        return JSONResponse({"id": container.id})

    async def publish(self, request: Request) -> Response:
        token = self._auth(request)
        user = self._subject(request, token)
        p = await read_params(request)
        unknown = sorted(set(p) - {"creation_id", "access_token"})
        if unknown:
            return bad_param(f"Param {unknown[0]} is not a valid parameter")
        cid = p.get("creation_id")
        if not cid:
            return bad_param("The parameter creation_id is required.")
        with self.sim.lock:
            c = self.containers.get(str(cid))
            if c is None or c.user_id != user.id:
                return meta_error("Media Not Found", 24, subcode=4279009)
            if c.params.get("_item"):
                return bad_param("A carousel item cannot be published on its own")
            state, message = self._status(c)
            if state == "PUBLISHED":
                return bad_param("This container has already been published", 4279010)
            if state in ("ERROR", "EXPIRED"):
                return meta_error(message or "The media could not be published", 24, 400)
            if state != "FINISHED":
                return meta_error(E_NOT_READY, 9007, subcode=2207027)
            quota = self.sim.rate(self.id, "posts", user.id, account=user.username)
            if not quota.allowed:
                minutes = math.ceil((quota.reset_at - utcnow()).total_seconds() / 60)
                return meta_error(
                    E_QUOTA,
                    9,
                    subcode=2207042,
                    headers=usage_headers(user.id, "threads", 100, max(minutes, 1)),
                )
            post_id = self._next_id()
            shortcode = secrets.token_urlsafe(8)
            post = Post(
                post_id,
                user.id,
                c.text,
                c.media_type,
                utcnow(),
                f"https://www.threads.net/@{user.username}/post/{shortcode}",
            )
            self.posts[post_id] = post
            c.published_id = post_id
            children = [self.containers[x] for x in c.children] or [c]
            media = [
                {
                    "type": m.media_type,
                    "url": m.params.get("image_url") or m.params.get("video_url"),
                    "alt_text": m.params.get("alt_text"),
                }
                for m in children
                if m.media_type != "TEXT"
            ]
            self.sim.record_post(
                self.id,
                user.username,
                post_id,
                c.text,
                media=media,
                permalink=post.permalink,
                extra={
                    "user_id": user.id,
                    "container_id": c.id,
                    "media_type": c.media_type,
                    "reply_to_id": c.params.get("reply_to_id"),
                },
            )
        return JSONResponse({"id": post_id})

    async def publishing_limit(self, request: Request) -> Response:
        token = self._auth(request)
        user = self._subject(request, token)
        quota = self.sim.rate(self.id, "posts", user.id, account=user.username, consume=False)
        window = (self.sim.effective_knobs(self.id, user.username).quotas or {})["posts"]
        return JSONResponse(
            {
                "data": [
                    {
                        "quota_usage": quota.limit - quota.remaining,
                        "config": {
                            "quota_total": quota.limit,
                            "quota_duration": int(window["window_s"]),
                        },
                    }
                ]
            }
        )

    async def list_threads(self, request: Request) -> Response:
        token = self._auth(request)
        user = self._subject(request, token)
        q = request.query_params
        fields = self._fields(request, POST_FIELDS)
        bounds: dict[str, float] = {}
        for name in ("since", "until"):
            if q.get(name):
                try:
                    bounds[name] = float(q[name])
                except ValueError:
                    return bad_param(f"Param {name} must be a unix timestamp")
        try:
            limit = int(q.get("limit", "25"))
            offset = int(q.get("after", "0") or "0")
        except ValueError:
            return bad_param("Param limit must be an integer")
        if not 1 <= limit <= 100:
            return bad_param("Param limit must be between 1 and 100")
        with self.sim.lock:
            rows = [
                post
                for post in self.posts.values()
                if post.user_id == user.id
                and post.created_at.timestamp() >= bounds.get("since", 0)
                and post.created_at.timestamp() <= bounds.get("until", math.inf)
            ]
        rows.sort(key=lambda post: (post.created_at, post.id), reverse=True)
        page = rows[offset : offset + limit]
        body: dict[str, Any] = {
            "data": [{f: row[f] for f in ["id", *fields]} for row in map(self._post_json, page)]
        }
        if offset + limit < len(rows):
            body["paging"] = {"cursors": {"after": str(offset + limit)}}
        return JSONResponse(body)

    async def media_insights(self, request: Request) -> Response:
        token = self._auth(request)
        post = self.posts.get(request.path_params["id"])
        if post is None or post.user_id != token.user_id:
            return no_object(request.path_params["id"])
        if "threads_manage_insights" not in token.scopes:
            return no_permission()
        metrics = [m for m in request.query_params.get("metric", "").split(",") if m]
        if not metrics:
            return bad_param("The parameter metric is required.")
        bad = [m for m in metrics if m not in POST_METRICS]
        if bad:
            return bad_param(f"metric[0] must be one of the following values: {POST_METRICS}")
        return JSONResponse(
            {
                "data": [
                    {
                        "name": m,
                        "period": "lifetime",
                        "values": [{"value": post.metrics[m]}],
                        "id": f"{post.id}/insights/{m}/lifetime",
                    }
                    for m in metrics
                ]
            }
        )

    async def user_insights(self, request: Request) -> Response:
        token = self._auth(request)
        user = self._subject(request, token, "threads_manage_insights")
        metrics = [m for m in request.query_params.get("metric", "").split(",") if m]
        if not metrics or any(m not in USER_METRICS for m in metrics):
            return bad_param(f"metric must be a list of: {USER_METRICS}")
        posts = [p for p in self.posts.values() if p.user_id == user.id]
        data = []
        for m in metrics:
            if m == "followers_count":
                value = user.followers_count
            elif m == "clicks":
                value = 0
            else:
                value = sum(p.metrics.get(m, 0) for p in posts)
            data.append({"name": m, "period": "day", "total_value": {"value": value}})
        return JSONResponse({"data": data})

    # ------------------------------------------------------------ simulator controls


__all__ = ["ThreadsSim", "meta_error", "text_length"]
