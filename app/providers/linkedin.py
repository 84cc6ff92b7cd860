"""LinkedIn (Posts API + Images/Videos/Documents APIs), platform-apis.md §2.

OAuth 2.0 (3-legged) on www.linkedin.com/oauth/v2: `authorization`, then `accessToken` with the
client secret in the form body. Access tokens live 60 days; apps entitled to programmatic refresh
also get a refresh token whose 365-day life is fixed at first consent (refreshing does not extend
it, and LinkedIn returns the same refresh token value). The member comes from the OpenID Connect
`/v2/userinfo` (sub, name, picture). No PKCE (LinkedIn takes it only from native apps).

One login can publish as the member and as every organization page the member administers:
`publish_targets` lists the member plus each organization from
`GET /rest/organizationAcls?q=roleAssignee` with a posting role (ADMINISTRATOR,
CONTENT_ADMINISTRATOR, DIRECT_SPONSORED_CONTENT_POSTER). All use the same token; the author URN
travels in the account metadata (`TokenSet.extra["author_urn"]`).

Every versioned call goes to /rest with `LinkedIn-Version: YYYYMM` (the `version` setting) and
`X-Restli-Protocol-Version: 2.0.0`. `POST /rest/posts` answers 201 with the id in `x-restli-id`.
Media: images (1, or 2-20 as `content.multiImage`) via `/rest/images?action=initializeUpload`
and one PUT; one MP4 video via `/rest/videos` (PUT each part of the upload instructions, collect
the ETags, `finalizeUpload`); one PDF/PPT/DOC via `/rest/documents`. Media must be AVAILABLE
before the post is created: publish waits up to `media_wait_s`, then returns a pending result
that `check_status` (read-only) and `finalize` complete.

Text is sent as LinkedIn "little text": reserved characters are escaped (an unescaped one makes
LinkedIn cut the post off) and `#word` becomes a hashtag. Limit: 3,000 characters, counted as
UTF-16 code units (an assumption: LinkedIn's count is not documented; emoji count 2).

Options (`request.options`):
  visibility      "PUBLIC" (default), "CONNECTIONS" (members only) or "LOGGED_IN"
  first_comment   text of a comment posted right after the post (failure does not fail the post;
                  it is reported in `PublishResult.extra["first_comment_error"]`)
  disable_reshare bool, sets isReshareDisabledByAuthor
  title           title of a video or document (documents need one; defaults to the file name)
  article_url     share a link as an article card (no media); with article_title and
                  article_description

LinkedIn has no idempotency key. A retried identical text is refused as a duplicate (422
DUPLICATE_POST, `PermanentError(duplicate=True)` with the existing URN in
`details["existing_post_id"]`). `find_recent` reads `GET /rest/posts?q=author`, which needs
r_member_social for members (a restricted permission) or r_organization_social for pages.
Metrics: organization posts from organizationalEntityShareStatistics; member posts from
memberCreatorPostAnalytics (r_member_postAnalytics), else socialActions (likes/comments only).
Account metrics: organization followers from networkSizes; member followers from
memberFollowersCount (r_member_profileAnalytics), else nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, Literal
from urllib.parse import quote

import httpx

from app.providers import linkedin_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.linkedin_text import MAX_TEXT, text_length
from app.providers.network import OAUTH_MEASURED, CaptionStyle, Limits, Look
from app.providers.oauth2 import OAuth2Provider, expires_at
from app.providers.oauth2 import json_or_none as _json
from app.providers.options import PostOptions, option
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult, counters

DEFAULT_API_BASE = "https://api.linkedin.com"
DEFAULT_AUTH_BASE = "https://www.linkedin.com"
DEFAULT_VERSION = "202610"
DEFAULT_SCOPES = (
    "openid profile w_member_social r_member_postAnalytics w_organization_social "
    "r_organization_social rw_organization_admin"
)
ACCESS_TTL_S = 60 * 86400
MAX_IMAGES = 20
MB = 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
VIDEO_TYPES = frozenset({"video/mp4"})
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
MIN_VIDEO_BYTES = 75 * 1024
POSTING_ROLES = ("ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER")
RESERVED = frozenset("\\|{}@[]()<>#*_~")
HASHTAG_RE = re.compile(r"(?<![\w#&/])#([^\W_]+)")
TEMPLATE_RE = re.compile(r"\{hashtag\|\\#\|([^\W_]+)\}|@\[([^\]\\]*)\]\(urn:li:[\w:-]+\)")
POST_URN_RE = re.compile(r"urn:li:(?:share|ugcPost):\d+")
ASSET_PATHS = {"image": "/rest/images/", "video": "/rest/videos/", "document": "/rest/documents/"}
ANALYTICS = {
    "REACTION": "likes",
    "COMMENT": "comments",
    "RESHARE": "shares",
    "IMPRESSION": "impressions",
}


def escape_little_text(text: str) -> str:
    """Plain text → little text: escape reserved characters; `#word` becomes a hashtag."""
    out: list[str] = []
    pos = 0
    for match in HASHTAG_RE.finditer(text):
        out.append(_escape(text[pos : match.start()]))
        out.append("{hashtag|\\#|" + match.group(1) + "}")
        pos = match.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in RESERVED else ch for ch in text)


def unescape_little_text(text: str) -> str:
    """Little text → what readers see (hashtag templates → #tag, mentions → the name)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        match = TEMPLATE_RE.match(text, i) if ch in "{@" else None
        if match:
            out.append("#" + match.group(1) if match.group(1) else match.group(2))
            i = match.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class LinkedInOptions(PostOptions):
    visibility: Literal["PUBLIC", "CONNECTIONS", "LOGGED_IN"] | None = option(
        "Visibility",
        unset="Default (public)",
        choices={
            "PUBLIC": "Anyone",
            "CONNECTIONS": "Connections only",
            "LOGGED_IN": "Signed-in members",
        },
    )
    first_comment: str | None = option(
        "First comment", "Posted as a comment right after.", multiline=True
    )
    disable_reshare: bool | None = option("Disable resharing")
    title: str | None = option("Title", "Of a document or video post.", advanced=True)
    article_url: str | None = option(
        "Article link", "Shares the article (instead of media).", advanced=True,
        pattern=r"^https?://", expect="an http(s) link",
    )  # fmt: skip
    article_title: str | None = option("Article title", advanced=True)
    article_description: str | None = option("Article description", advanced=True)


DEFAULT_LIMITS = Limits(
    max_text_length=MAX_TEXT,
    max_media=MAX_IMAGES,
    media_types=IMAGE_TYPES | VIDEO_TYPES | DOCUMENT_TYPES,
    max_bytes={"video": 500 * MB, "application": 100 * MB},
    counter=text_length,
)


def _next_utc_midnight() -> datetime:
    now = datetime.now(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _chunks(fh: BinaryIO, size: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """Up to `size` bytes from `fh`, in pieces (never the whole file in memory)."""
    left = size
    while left > 0:
        data = fh.read(min(chunk, left))
        if not data:
            break
        left -= len(data)
        yield data


def _media_kind(item: MediaItem) -> str:
    if item.kind in ("image", "video"):
        return item.kind
    return "document"


class LinkedInProvider(OAuth2Provider):
    id = "linkedin"
    display_name = "LinkedIn"
    alt_text_limit = 4086
    capabilities = OAUTH_MEASURED.plus(images=True, video=True)
    default_api_base = DEFAULT_API_BASE
    default_limits = DEFAULT_LIMITS
    text_rules = linkedin_text
    options_model = LinkedInOptions
    look = Look(
        mark="in", color="#0a66c2", link_color="#0a66c2",
        actions=("thumbs-up", "message-circle", "repeat", "send"), subtitle="Now · Public",
        at_handle=False, square_avatar=True,
        chart_color="var(--blue-10)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "one per character, an emoji counts 2",
        "professional and insightful; the first ~200 characters show before 'see more', so open "
        "with the hook; short paragraphs; hashtags are professional topics",
    )
    rate_budgets = {"account": (150, 24 * 3600)}
    # 60-day access tokens; refresh around day 50 (§12.2). Without the refresh entitlement the
    # member must reconnect before day 60.
    refresh_ahead = timedelta(days=10)
    default_media_wait_s = 60.0
    default_media_poll_s = 3.0

    default_auth_base = DEFAULT_AUTH_BASE
    default_scopes = DEFAULT_SCOPES
    authorize_path = "/oauth/v2/authorization"
    token_ttl_s = ACCESS_TTL_S
    comma_scopes = True
    assume_requested_scope = True
    no_refresh_token = "This LinkedIn app has no programmatic refresh; reconnect the account"

    version = DEFAULT_VERSION
    throttle_backoff_s = 60.0
    upload_retries = 2
    settings = ("version", "throttle_backoff_s", "upload_retries")

    def _rest(self, method: str, path: str, token: TokenSet, **kwargs: Any) -> httpx.Response:
        headers = {
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": "2.0.0",
            **(kwargs.pop("headers", None) or {}),
        }
        return self._request(method, path, token=token, headers=headers, **kwargs)

    # ------------------------------------------------------------------ OAuth

    def _token_url(self) -> str:
        return self.auth_base + "/oauth/v2/accessToken"

    def _token_extra(self, body: dict[str, Any], extra: dict[str, Any], now: datetime) -> None:
        if body.get("refresh_token_expires_in") is not None:
            extra["refresh_token_expires_at"] = expires_at(now, body["refresh_token_expires_in"])

    def revoke(self, token: TokenSet) -> None:
        client_id, secret = self._app()
        self._request(
            "POST",
            self.auth_base + "/oauth/v2/revoke",
            data={"client_id": client_id, "client_secret": secret, "token": token.access_token},
        )

    # ------------------------------------------------------------------ accounts

    def _userinfo(self, token: TokenSet) -> dict[str, Any]:
        body = _json(self._request("GET", "/v2/userinfo", token=token))
        if not isinstance(body, dict) or not body.get("sub"):
            raise PermanentError("LinkedIn did not return the member (userinfo)")
        token.extra.setdefault("member_urn", f"urn:li:person:{body['sub']}")
        return body

    def _member_info(self, token: TokenSet) -> AccountInfo:
        me = self._userinfo(token)
        urn = f"urn:li:person:{me['sub']}"
        name = str(
            me.get("name")
            or " ".join(str(me.get(k) or "") for k in ("given_name", "family_name")).strip()
            or me["sub"]
        )
        return AccountInfo(
            platform_account_id=urn,
            name=name,
            username=name,
            avatar_url=me.get("picture"),
            metadata={
                "kind": "person",
                "author_urn": urn,
                "member_urn": urn,
                "sub": str(me["sub"]),
            },
        )

    def _org_info(self, token: TokenSet, org_id: str, member_urn: str, role: str) -> AccountInfo:
        org = _json(self._rest("GET", f"/rest/organizations/{org_id}", token))
        org = org if isinstance(org, dict) else {}
        urn = f"urn:li:organization:{org_id}"
        name = str(org.get("localizedName") or urn)
        vanity = str(org.get("vanityName") or name)
        avatar = None
        logo = (org.get("logoV2") or {}).get("original")
        if isinstance(logo, str) and logo.startswith("urn:li:image:"):
            try:
                image = _json(self._rest("GET", ASSET_PATHS["image"] + quote(logo, safe=""), token))
                avatar = image.get("downloadUrl") if isinstance(image, dict) else None
            except ProviderError:
                avatar = None  # a logo is a nicety
        return AccountInfo(
            platform_account_id=urn,
            name=name,
            username=vanity,
            avatar_url=avatar,
            metadata={
                "kind": "organization",
                "author_urn": urn,
                "member_urn": member_urn,
                "organization_id": str(org_id),
                "role": role,
                "url": f"https://www.linkedin.com/company/{vanity}",
            },
        )

    def account_info(self, token: TokenSet) -> AccountInfo:
        author = str(token.extra.get("author_urn") or "")
        if author.startswith("urn:li:organization:"):
            member = str(token.extra.get("member_urn") or "")
            role = str(token.extra.get("role") or "")
            return self._org_info(token, author.rsplit(":", 1)[1], member, role)
        return self._member_info(token)

    def organizations(self, token: TokenSet) -> list[tuple[str, str]]:
        """(organization id, role) of each page the member may post to."""
        found: dict[str, str] = {}
        start = 0
        for _ in range(10):
            body = _json(
                self._rest(
                    "GET",
                    "/rest/organizationAcls",
                    token,
                    params={"q": "roleAssignee", "state": "APPROVED", "start": start, "count": 100},
                )
            )
            rows = (body.get("elements") if isinstance(body, dict) else None) or []
            for row in rows:
                org = str(row.get("organization") or "")
                role = str(row.get("role") or "")
                if org.startswith("urn:li:organization:") and role in POSTING_ROLES:
                    found.setdefault(org.rsplit(":", 1)[1], role)
            if len(rows) < 100:
                break
            start += 100
        return list(found.items())

    def publish_targets(self, token: TokenSet) -> list[tuple[AccountInfo, TokenSet]]:
        member = self._member_info(token)
        targets = [(member, self._as(token, member))]
        if not token.has_scope(
            "w_organization_social", "rw_organization_admin", "r_organization_admin"
        ):
            return targets
        try:
            orgs = self.organizations(token)
        except PermanentError:
            return targets  # 403: the app is not approved for the Community Management API
        for org_id, role in orgs:
            info = self._org_info(token, org_id, member.platform_account_id, role)
            targets.append((info, self._as(token, info)))
        return targets

    @staticmethod
    def _as(token: TokenSet, info: AccountInfo) -> TokenSet:
        extra = {**token.extra, **info.metadata, "account_id": info.platform_account_id}
        return TokenSet(
            token.access_token, token.refresh_token, token.expires_at, token.scope, extra
        )

    def _author(self, token: TokenSet) -> str:
        author = token.extra.get("author_urn")
        if author:
            return str(author)
        self._userinfo(token)
        return str(token.extra["member_urn"])

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        article = opts.get("article_url")
        if article and request.media:
            errors.append("A LinkedIn post has either an article link or media, not both.")
        if not request.text.strip() and not request.media and not article:
            errors.append("A LinkedIn post needs text or media.")
        n = self.limits.count_text(request.text)
        if n > self.limits.max_text_length:
            errors.append(
                f"The post is {n} characters as LinkedIn counts them; the limit is "
                f"{self.limits.max_text_length} (an emoji counts 2)."
            )
        errors += self._validate_media(request.media)
        return errors

    def _validate_media(self, media: list[MediaItem]) -> list[str]:
        errors: list[str] = []
        kinds = {_media_kind(m) for m in media}
        if len(kinds) > 1:
            errors.append("LinkedIn posts cannot mix images, videos and documents.")
        elif kinds == {"video"} and len(media) > 1:
            errors.append("A LinkedIn post takes one video.")
        elif kinds == {"document"} and len(media) > 1:
            errors.append("A LinkedIn post takes one document.")
        elif len(media) > self.limits.max_media:
            errors.append(f"At most {self.limits.max_media} images in a LinkedIn post.")
        for m in media:
            if self.limits.media_types and m.mime not in self.limits.media_types:
                errors.append(f"{m.filename}: file type {m.mime} is not accepted by LinkedIn.")
                continue
            cap = self.limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(
                    f"{m.filename} is {m.size} bytes; LinkedIn accepts at most {cap} bytes."
                )
            if m.kind == "video" and m.size < MIN_VIDEO_BYTES:
                errors.append(f"{m.filename}: LinkedIn videos must be at least 75 KB.")
        return errors

    # ------------------------------------------------------------------ publishing

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        self._refuse_invalid(request)
        author = self._author(token)
        opts = request.options
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_little_text(request.text),
            "visibility": opts.get("visibility", "PUBLIC"),
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": bool(opts.get("disable_reshare", False)),
        }
        media_urns: list[str] = []
        with TransientError.nothing_created():  # uploads never create a post
            refs = [self._upload(token, author, item) for item in request.media]
        media_urns = [urn for urn, _ in refs]
        if len(refs) > 1:
            body["content"] = {
                "multiImage": {
                    "images": [
                        {"id": urn, **({"altText": item.alt_text} if item.alt_text else {})}
                        for urn, item in refs
                    ]
                }
            }
        elif refs:
            urn, item = refs[0]
            media: dict[str, Any] = {"id": urn}
            if item.kind == "image" and item.alt_text:
                media["altText"] = item.alt_text
            if item.kind != "image":
                media["title"] = opts.get("title") or item.filename
            body["content"] = {"media": media}
        elif opts.get("article_url"):
            article = {"source": opts["article_url"]}
            for key in ("title", "description"):
                if opts.get(f"article_{key}"):
                    article[key] = opts[f"article_{key}"]
            body["content"] = {"article": article}
        pending = {"body": body, "media": media_urns, "first_comment": opts.get("first_comment")}
        return self._publish_when_ready(
            token, pending, self._create, "LinkedIn could not process the media", wait=True
        )

    def _upload(self, token: TokenSet, owner: str, item: MediaItem) -> tuple[str, MediaItem]:
        kind = _media_kind(item)
        if kind == "video":
            return self._upload_video(token, owner, item), item
        resource = "/rest/images" if kind == "image" else "/rest/documents"
        init = _json(
            self._rest(
                "POST",
                resource,
                token,
                params={"action": "initializeUpload"},
                json={"initializeUploadRequest": {"owner": owner}},
            )
        )
        value = (init.get("value") if isinstance(init, dict) else None) or {}
        urn, url = value.get(kind), value.get("uploadUrl")
        if not urn or not url:
            raise PermanentError(f"LinkedIn did not start the {kind} upload")
        self._put(token, url, item, 0, item.size, content_type=item.mime, auth=True)
        return str(urn), item

    def _upload_video(self, token: TokenSet, owner: str, item: MediaItem) -> str:
        init = _json(
            self._rest(
                "POST",
                "/rest/videos",
                token,
                params={"action": "initializeUpload"},
                json={
                    "initializeUploadRequest": {
                        "owner": owner,
                        "fileSizeBytes": item.size,
                        "uploadCaptions": False,
                        "uploadThumbnail": False,
                    }
                },
            )
        )
        value = (init.get("value") if isinstance(init, dict) else None) or {}
        urn = value.get("video")
        instructions = value.get("uploadInstructions") or []
        if not urn or not instructions:
            raise PermanentError("LinkedIn did not start the video upload")
        etags: list[str] = []
        for part in instructions:
            first, last = int(part["firstByte"]), int(part["lastByte"])
            response = self._put(
                token,
                part["uploadUrl"],
                item,
                first,
                last - first + 1,
                content_type="application/octet-stream",
                auth=False,
            )
            etag = response.headers.get("etag")
            if not etag:
                raise TransientError("LinkedIn accepted a video part without an ETag", sent=False)
            etags.append(etag)
        self._rest(
            "POST",
            "/rest/videos",
            token,
            params={"action": "finalizeUpload"},
            json={
                "finalizeUploadRequest": {
                    "video": urn,
                    "uploadToken": value.get("uploadToken") or "",
                    "uploadedPartIds": etags,
                }
            },
        )
        return str(urn)

    def _put(
        self,
        token: TokenSet,
        url: str,
        item: MediaItem,
        offset: int,
        length: int,
        *,
        content_type: str,
        auth: bool,
    ) -> httpx.Response:
        """PUT bytes offset..offset+length of the file, streamed; retries a failed part."""
        attempt = 0
        while True:
            with item.open() as fh:
                fh.seek(offset)
                try:
                    return self._request(
                        "PUT",
                        url,
                        token=token if auth else None,
                        content=_chunks(fh, length),
                        headers={"Content-Type": content_type, "Content-Length": str(length)},
                    )
                except TransientError:
                    attempt += 1
                    if attempt > self.upload_retries:
                        raise

    def check_status(self, token: TokenSet, pending_state: dict[str, Any]) -> StatusResult:
        waiting = []
        for urn in pending_state.get("media") or []:
            kind = urn.split(":")[2]
            body = _json(self._rest("GET", ASSET_PATHS[kind] + quote(urn, safe=""), token))
            status = body.get("status") if isinstance(body, dict) else None
            if status == "PROCESSING_FAILED":
                reason = body.get("processingFailureReason") or "processing failed"
                return StatusResult("failed", f"LinkedIn: {reason}", None, pending_state)
            if status != "AVAILABLE":
                waiting.append(urn)
        if waiting:
            return StatusResult(
                "processing", "LinkedIn is processing the media", self.media_poll_s, pending_state
            )
        return StatusResult("ready", None, None, pending_state)

    def finalize(self, token: TokenSet, pending_state: dict[str, Any]) -> PublishResult:
        failed = "LinkedIn could not process the media"
        return self._publish_when_ready(token, pending_state, self._create, failed, wait=False)

    def _create(self, token: TokenSet, pending: dict[str, Any]) -> PublishResult:
        response = self._rest("POST", "/rest/posts", token, json=pending["body"])
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise TransientError("LinkedIn created the post without returning its id", sent=True)
        result = PublishResult(
            state="published",
            platform_post_id=urn,
            permalink=f"https://www.linkedin.com/feed/update/{urn}",
            extra={"author": pending["body"]["author"]},
        )
        comment = pending.get("first_comment")
        if comment:
            try:
                self.comment(token, urn, comment, actor=pending["body"]["author"])
            except ProviderError as exc:
                result.extra["first_comment_error"] = exc.message
        return result

    def comment(self, token: TokenSet, post_urn: str, text: str, *, actor: str) -> str:
        """Comment on a post as `actor`; returns the comment id."""
        response = self._rest(
            "POST",
            f"/rest/socialActions/{quote(post_urn, safe='')}/comments",
            token,
            json={"actor": actor, "object": post_urn, "message": {"text": text}},
        )
        result: str = response.headers.get("x-restli-id", "")
        return result

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        author = self._author(token)
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        found: list[RecentPost] = []
        start = 0
        for _ in range(5):
            body = _json(
                self._rest(
                    "GET",
                    "/rest/posts",
                    token,
                    params={
                        "q": "author",
                        "author": author,
                        "sortBy": "CREATED",
                        "start": start,
                        "count": 50,
                    },
                )
            )
            rows = (body.get("elements") if isinstance(body, dict) else None) or []
            older = False
            for row in rows:
                created = datetime.fromtimestamp(int(row.get("createdAt") or 0) / 1000, UTC)
                if created < since:
                    older = True
                    continue
                found.append(
                    RecentPost(
                        platform_post_id=str(row["id"]),
                        text=unescape_little_text(str(row.get("commentary") or "")),
                        created_at=created,
                        permalink=f"https://www.linkedin.com/feed/update/{row['id']}",
                    )
                )
            if older or len(rows) < 50:
                break
            start += 50
        found.sort(key=lambda p: (p.created_at, p.platform_post_id), reverse=True)
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        author = self._author(token)
        if author.startswith("urn:li:organization:"):
            return self._org_post_metrics(token, author, platform_post_id)
        if token.has_scope("r_member_postAnalytics"):
            entity_kind = "ugcPost" if ":ugcPost:" in platform_post_id else "share"
            entity = f"({entity_kind}:{quote(platform_post_id, safe='')})"
            out: Metrics = {}
            for query_type, key in ANALYTICS.items():
                url = (
                    f"/rest/memberCreatorPostAnalytics?q=entity&entity={entity}"
                    f"&queryType={query_type}&aggregation=TOTAL"
                )
                body = _json(self._rest("GET", url, token))
                rows = (body.get("elements") if isinstance(body, dict) else None) or []
                out[key] = sum(int(r.get("count") or 0) for r in rows)
            return out
        body = _json(
            self._rest("GET", f"/rest/socialActions/{quote(platform_post_id, safe='')}", token)
        )
        body = body if isinstance(body, dict) else {}
        return {
            "likes": int((body.get("likesSummary") or {}).get("totalLikes") or 0),
            "comments": int(
                (body.get("commentsSummary") or {}).get("aggregatedTotalComments") or 0
            ),
        }

    def _org_post_metrics(self, token: TokenSet, org: str, post_urn: str) -> Metrics:
        finder = "ugcPosts" if ":ugcPost:" in post_urn else "shares"
        url = (
            "/rest/organizationalEntityShareStatistics?q=organizationalEntity"
            f"&organizationalEntity={quote(org, safe='')}"
            f"&{finder}=List({quote(post_urn, safe='')})"
        )
        body = _json(self._rest("GET", url, token))
        rows = (body.get("elements") if isinstance(body, dict) else None) or []
        stats = (rows[0].get("totalShareStatistics") if rows else None) or {}
        return counters(
            stats,
            likes="likeCount",
            comments="commentCount",
            shares="shareCount",
            clicks="clickCount",
            impressions="impressionCount",
        )

    def account_metrics(self, token: TokenSet) -> Metrics:
        author = self._author(token)
        if author.startswith("urn:li:organization:"):
            body = _json(
                self._rest(
                    "GET",
                    f"/rest/networkSizes/{quote(author, safe='')}",
                    token,
                    params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
                )
            )
            return {"followers": int((body or {}).get("firstDegreeSize") or 0)}
        if not token.has_scope("r_member_profileAnalytics"):
            return {}  # LinkedIn shows member follower counts only with that permission
        body = _json(self._rest("GET", "/rest/memberFollowersCount", token, params={"q": "me"}))
        rows = (body.get("elements") if isinstance(body, dict) else None) or []
        return {"followers": int(rows[0].get("memberFollowersCount") or 0)} if rows else {}

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        body = _json(response)
        body = body if isinstance(body, dict) else {}
        message = str(
            body.get("message")
            or body.get("error_description")
            or body.get("error")
            or self._error_message(response)
        )
        code = body.get("code") or body.get("error")
        input_codes = [
            str(e.get("code"))
            for e in ((body.get("errorDetails") or {}).get("inputErrors") or [])
            if isinstance(e, dict)
        ]
        kw: dict[str, Any] = {
            "status": status,
            "code": str(code) if code else (input_codes[0] if input_codes else None),
            "details": {
                "serviceErrorCode": body.get("serviceErrorCode"),
                "inputErrors": input_codes,
            },
        }
        if status == 401:
            revoked = code == "REVOKED_ACCESS_TOKEN"
            return AuthError(message, refresh_may_help=not revoked, **kw)
        if status == 429:
            if "DAY limit" in message or "day limit" in message.lower():
                retry_at = _next_utc_midnight()  # the daily buckets reset at 00:00 UTC
            else:
                retry_at = self._retry_at(response, default_s=self.throttle_backoff_s)
            return RateLimited(retry_at, message, **kw)
        if status >= 500:
            return TransientError(message, sent=True, **kw)
        if "DUPLICATE_POST" in input_codes or "duplicate" in message.lower():
            existing = POST_URN_RE.search(message)
            kw["details"]["existing_post_id"] = existing.group(0) if existing else None
            return PermanentError(message, duplicate=True, **kw)
        if status == 426:
            return PermanentError(
                f"LinkedIn API version {self.version} is no longer active; update the "
                f"LinkedIn version setting ({message})",
                **kw,
            )
        return PermanentError(message, **kw)
