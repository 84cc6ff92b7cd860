"""Bluesky over the AT Protocol (platform-apis.md §9), with an app password.

There is no OAuth redirect: `login(identifier, app_password)` calls
`com.atproto.server.createSession` and returns the access/refresh JWTs (keep the TokenSet,
do not log in per post: createSession is limited to 30 per 5 minutes). `refresh` rotates the
refresh JWT through `com.atproto.server.refreshSession`.

Posts are `app.bsky.feed.post` records created with `com.atproto.repo.createRecord`; links,
mentions, hashtags and cashtags become facets with UTF-8 byte offsets, detected as the Bluesky
app detects them (app/providers/bluesky_text.py). Up to four images or one MP4 video go up with
`uploadBlob` to the account's PDS, each with its alt text and aspect ratio (a video is processed
by the network once the post is out: the "simple method" of Bluesky's video guide, which works
on every PDS).

The record key (rkey) of every part is derived from `PublishRequest.idempotency_key`, so a
retry can never post twice: after a failed or unclear createRecord the provider reads the
record under that key (`getRecord`) — found, the part is published; absent, a retry is safe.
A thread that failed at part k is resumed at part k.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from app.providers import bluesky_text
from app.providers.accounts import AccountInfo, TokenSet
from app.providers.base import Provider, count_graphemes, thread_problems
from app.providers.bluesky_text import MAX_BYTES, MAX_GRAPHEMES, build_facets, text_bytes
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.languages import is_language_tag
from app.providers.network import MEASURED, CaptionStyle, Limits, Look
from app.providers.options import PostOptions, option, thread_option
from app.providers.posts import MediaItem, PublishRequest
from app.providers.results import Metrics, PublishResult, RecentPost, counters

POST = "app.bsky.feed.post"
IMAGES = "app.bsky.embed.images"
VIDEO = "app.bsky.embed.video"
MAX_IMAGE_BYTES = 1_000_000
# app.bsky.embed.video used to say 100 MB, now 300 MB; the hosted PDSes and the video service
# take 100 MB (platform-apis.md §9.2), a self-hosted PDS what its PDS_BLOB_UPLOAD_LIMIT says.
MAX_VIDEO_BYTES = 100_000_000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
VIDEO_TYPES = frozenset({"video/mp4"})
APP_PASSWORDS = (
    "Bluesky uses app passwords, not an OAuth redirect: connect with login(handle, app_password)"
)
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


# ------------------------------------------------------------------ helpers


def rkey_for(key: str) -> str:
    """A valid TID-shaped record key derived from an idempotency key (same key → same rkey)."""
    value = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") >> 1
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def jwt_expiry(jwt: str) -> datetime | None:
    """The `exp` claim of a JWT (UTC), or None when it cannot be read."""
    try:
        part = jwt.split(".")[1]
        exp = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["exp"]
        return datetime.fromtimestamp(int(exp), UTC)
    except (IndexError, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _aspect_ratio(item: MediaItem) -> dict[str, Any]:
    """`aspectRatio` from the stored dimensions; nothing when they are unknown."""
    if (item.width or 0) > 0 and (item.height or 0) > 0:
        return {"aspectRatio": {"width": item.width, "height": item.height}}
    return {}


def _language_errors(langs: Any) -> list[str]:
    """`langs` are BCP 47 tags (the PDS refuses anything else with "Invalid language")."""
    if not isinstance(langs, list):
        return []  # the options model says what is wrong
    bad = [x for x in langs if isinstance(x, str) and not is_language_tag(x)]
    return [f"'{x}' is not a language code (BCP 47, e.g. en, pt-BR, zh-Hant)." for x in bad]


class BlueskyOptions(PostOptions):
    # At most 3 (the PDS refuses more).
    langs: list[str] | None = option(
        "Languages", "Up to 3 codes, comma separated (e.g. en, fr).", max_length=3
    )
    thread: list[str] | None = thread_option()


# ------------------------------------------------------------------ provider


def _length_problems(where: str, text: str) -> list[str]:
    """A part's length against Bluesky's two limits (graphemes and UTF-8 bytes)."""
    errors: list[str] = []
    n = count_graphemes(text)
    if n > MAX_GRAPHEMES:
        errors.append(f"{where} is {n} characters; Bluesky allows {MAX_GRAPHEMES}.")
    size = text_bytes(text)
    if size > MAX_BYTES:
        errors.append(f"{where} is {size} bytes long; Bluesky allows {MAX_BYTES} bytes.")
    return errors


class BlueskyProvider(Provider):
    id = "bluesky"
    display_name = "Bluesky"
    alt_text_limit = 2000
    capabilities = MEASURED.plus(
        images=True,
        video=True,
        threads=True,
        # The rkey derived from the idempotency key makes a retry find the first post.
        idempotent_publish=True,
        refresh_tokens=True,
        tokens_expire=True,
        app_password=True,
    )
    default_api_base = "https://bsky.social"
    default_limits = Limits(
        max_text_length=MAX_GRAPHEMES,
        max_media=4,
        media_types=IMAGE_TYPES | VIDEO_TYPES,
        max_bytes={"image": MAX_IMAGE_BYTES, "video": MAX_VIDEO_BYTES},
        counter=count_graphemes,
    )
    text_rules = bluesky_text
    options_model = BlueskyOptions
    look = Look(
        mark="B", color="#0284c7", link_color="#1083fe",
        actions=("message-circle", "repeat", "heart"), show_handle=True,
        chart_color="var(--sky-9)",
    )  # fmt: skip
    caption_style = CaptionStyle(
        "in graphemes: every emoji or accented letter counts 1",
        "conversational and genuine; hashtags are clickable and used sparingly in the text",
    )
    rate_budgets = {"account": (1_666, 3600)}

    # ------------------------------------------------------------------ auth

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_verifier: str | None = None
    ) -> str:
        raise PermanentError(APP_PASSWORDS)

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        raise PermanentError(APP_PASSWORDS)

    def _xrpc(self, nsid: str) -> str:
        return f"/xrpc/{nsid}"

    @staticmethod
    def _token_set(body: dict[str, Any], previous: TokenSet | None = None) -> TokenSet:
        extra = dict(previous.extra) if previous else {}
        extra.update(did=body["did"], handle=body["handle"])
        refresh = body.get("refreshJwt") or (previous.refresh_token if previous else None)
        return TokenSet(
            access_token=body["accessJwt"],
            refresh_token=refresh,
            expires_at=jwt_expiry(body["accessJwt"]),
            scope="",
            extra=extra,
        )

    def login(self, identifier: str, app_password: str) -> TokenSet:
        """createSession with a handle (or email/DID) and an app password."""
        body = self._request(
            "POST",
            self._xrpc("com.atproto.server.createSession"),
            json={"identifier": identifier.lstrip("@"), "password": app_password},
        ).json()
        return self._token_set(body)

    def refresh(self, token: TokenSet) -> TokenSet:
        if not token.refresh_token:
            raise AuthError("No Bluesky refresh token; log in again", refresh_may_help=False)
        try:
            body = self._request(
                "POST",
                self._xrpc("com.atproto.server.refreshSession"),
                headers={"Authorization": f"Bearer {token.refresh_token}"},
            ).json()
        except AuthError as exc:
            raise AuthError(
                f"The Bluesky session can no longer be refreshed: {exc.message}",
                refresh_may_help=False,
                status=exc.status,
                code=exc.code,
            ) from exc
        return self._token_set(body, token)

    def revoke(self, token: TokenSet) -> None:
        if token.refresh_token:
            self._request(
                "POST",
                self._xrpc("com.atproto.server.deleteSession"),
                headers={"Authorization": f"Bearer {token.refresh_token}"},
            )

    def _did(self, token: TokenSet) -> str:
        if not token.extra.get("did"):
            session = self._request(
                "GET", self._xrpc("com.atproto.server.getSession"), token=token
            ).json()
            token.extra.update(did=session["did"], handle=session["handle"])
        result: str = token.extra["did"]
        return result

    def account_info(self, token: TokenSet) -> AccountInfo:
        did = self._did(token)
        try:
            profile = self._profile(token, did)
        except PermanentError as exc:
            if "not found" not in exc.message.lower():
                raise
            # An account made moments ago that the AppView has not indexed yet ("Profile not
            # found"): its session names it; name and avatar come with the next connect.
            profile = self._request(
                "GET", self._xrpc("com.atproto.server.getSession"), token=token
            ).json()
        token.extra["handle"] = profile["handle"]
        return AccountInfo(
            platform_account_id=did,
            name=profile.get("displayName") or profile["handle"],
            username=profile["handle"],
            avatar_url=profile.get("avatar"),
            metadata={"did": did, "handle": profile["handle"], "pds": self.api_base},
        )

    def _profile(self, token: TokenSet, actor: str) -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "GET", self._xrpc("app.bsky.actor.getProfile"), token=token, params={"actor": actor}
        ).json()
        return result

    # ------------------------------------------------------------------ validation

    def validate(self, request: PublishRequest) -> list[str]:
        opts = request.options
        errors = self.option_problems(opts)
        errors += _language_errors(opts.get("langs"))
        if not request.text.strip() and not request.media:
            errors.append("A Bluesky post needs text, images or a video.")
        return errors + thread_problems(
            request, "Bluesky", self.limits.max_media, _length_problems, self._media_errors
        )

    def _media_errors(self, media: list[MediaItem]) -> list[str]:
        errors: list[str] = []
        videos = sum(1 for m in media if m.kind == "video")
        if videos and len(media) > 1:
            errors.append("A Bluesky post takes up to 4 images or a single video.")
        elif len(media) > self.limits.max_media:
            errors.append(f"At most {self.limits.max_media} images per Bluesky post.")
        for m in media:
            if m.mime not in self.limits.media_types:
                errors.append(
                    f"{m.filename}: Bluesky takes JPEG, PNG, WebP or GIF images and MP4 videos, "
                    f"not {m.mime}."
                )
                continue
            cap = self.limits.max_size_for(m.mime)
            if cap is not None and m.size > cap:
                errors.append(f"{m.filename} is {m.size} bytes; the limit is {cap} bytes.")
        return errors

    # ------------------------------------------------------------------ publishing

    def _resolver(self) -> Any:
        cache: dict[str, str | None] = {}

        def resolve(handle: str) -> str | None:
            if handle not in cache:
                try:
                    cache[handle] = self._request(
                        "GET",
                        self._xrpc("com.atproto.identity.resolveHandle"),
                        params={"handle": handle},
                    ).json()["did"]
                except PermanentError:
                    cache[handle] = None  # unknown handle: plain text, no mention facet
            return cache[handle]

        return resolve

    def _upload(self, token: TokenSet, item: MediaItem) -> dict[str, Any]:
        """uploadBlob, streamed (a video is never held in memory whole)."""
        with item.open() as fh:
            response = self._request(
                "POST",
                self._xrpc("com.atproto.repo.uploadBlob"),
                token=token,
                content=fh,
                headers={"Content-Type": item.mime, "Content-Length": str(item.size)},
            )
        result: dict[str, Any] = response.json()["blob"]
        return result

    def _embed(self, token: TokenSet, media: list[MediaItem]) -> dict[str, Any] | None:
        """Upload the media and describe them as the post's embed: images or one video, each
        with its alt text and its aspect ratio (the app lays the post out before loading it)."""
        if not media:
            return None
        with TransientError.nothing_created():  # a blob upload never creates a post
            blobs = [self._upload(token, item) for item in media]
        if media[0].kind == "video":
            video = {"$type": VIDEO, "video": blobs[0], **_aspect_ratio(media[0])}
            return video | ({"alt": media[0].alt_text} if media[0].alt_text else {})
        images = [
            {"alt": item.alt_text or "", "image": blob, **_aspect_ratio(item)}
            for item, blob in zip(media, blobs, strict=True)
        ]
        return {"$type": IMAGES, "images": images}

    def publish(self, token: TokenSet, request: PublishRequest) -> PublishResult:
        """Create the post (and its thread), one record per part, each under the record key
        derived from the idempotency key. A retry after a failure at part k finds parts 1..k-1
        already there (see `_create`), so it reuses them and continues at part k."""
        parts = request.parts()
        did = self._did(token)
        handle = token.extra.get("handle") or did
        resolve = self._resolver()
        key = request.idempotency_key
        refs = self._done_refs(token, did, request.thread_done)
        for i in range(len(refs), len(parts)):
            text = parts[i]
            record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _now_iso()}
            if request.options.get("langs"):
                record["langs"] = list(request.options["langs"])
            facets = build_facets(text, resolve)
            if facets:
                record["facets"] = facets
            if refs:
                record["reply"] = {"root": refs[0], "parent": refs[-1]}
            rkey = self._part_rkey(key, i)
            try:
                # Each part's own media, uploaded just before that part is created.
                embed = self._embed(token, request.part_media(i))
                if embed:
                    record["embed"] = embed
                refs.append(self._create(token, did, record, rkey))
            except ProviderError as exc:
                exc.details.update(published_ids=[r["uri"] for r in refs], failed_part=i)
                raise
        uris = [r["uri"] for r in refs]
        urls = [self.permalink(handle, uri) for uri in uris]
        return PublishResult(
            state="published",
            platform_post_id=uris[0],
            permalink=urls[0],
            extra={
                "cid": refs[0]["cid"],
                "thread_ids": uris,
                "thread_cids": [r["cid"] for r in refs],
                "thread_urls": urls,
            },
        )

    @staticmethod
    def _part_rkey(key: str, index: int) -> str | None:
        return rkey_for(key if index == 0 else f"{key}:{index}") if key else None

    def _done_refs(self, token: TokenSet, did: str, done: list[str]) -> list[dict[str, str]]:
        """Strong refs of the parts already out (a retry of a thread that stopped part-way).
        Replies need the root's and the parent's cid, read back from their records; the parts
        in between only need their uri. Nothing is uploaded or created for them again."""
        refs = [{"uri": str(uri), "cid": ""} for uri in done]
        for i in {0, len(refs) - 1} if refs else set():
            found = self._get_record(token, did, _rkey(refs[i]["uri"]))
            if found is None:  # deleted meanwhile: nothing to reply to
                raise PermanentError(
                    f"Part {i + 1} of the thread is no longer on Bluesky; the thread cannot go on."
                )
            refs[i] = found
        return refs

    def _create(
        self, token: TokenSet, did: str, record: dict[str, Any], rkey: str | None
    ) -> dict[str, str]:
        """createRecord → {"uri", "cid"}.

        With a record key Herald chose, a failed or unclear answer is checked by reading that
        record: a PDS answers a key that is taken with HTTP 500 (a retry of a post that was
        created), a timeout leaves it open. Found: that is our post. Not there: nothing was
        created, and a retry under the same key cannot create it twice.
        """
        body: dict[str, Any] = {"repo": did, "collection": POST, "record": record}
        if rkey:
            body["rkey"] = rkey
        try:
            created = self._request(
                "POST", self._xrpc("com.atproto.repo.createRecord"), token=token, json=body
            ).json()
        except (TransientError, PermanentError) as exc:
            if not rkey or (isinstance(exc, TransientError) and not exc.sent):
                raise
            try:
                existing = self._get_record(token, did, rkey)
            except ProviderError:
                # Still unclear: the first error stands (the same key keeps a retry safe).
                raise exc from exc.__cause__
            if existing is None:
                if isinstance(exc, TransientError):
                    exc.sent = False
                raise
            return existing
        return {"uri": created["uri"], "cid": created["cid"]}

    def _get_record(self, token: TokenSet, did: str, rkey: str) -> dict[str, str] | None:
        """{"uri", "cid"} of our post under `rkey`, or None when there is none."""
        try:
            found = self._request(
                "GET",
                self._xrpc("com.atproto.repo.getRecord"),
                token=token,
                params={"repo": did, "collection": POST, "rkey": rkey},
            ).json()
        except PermanentError as exc:
            if exc.code == "RecordNotFound":
                return None
            raise
        return {"uri": found["uri"], "cid": found["cid"]}

    @staticmethod
    def permalink(handle: str, uri: str) -> str:
        return f"https://bsky.app/profile/{quote(handle, safe=':.')}/post/{_rkey(uri)}"

    # ------------------------------------------------------------------ reading back

    def find_recent(self, token: TokenSet, since: datetime) -> list[RecentPost]:
        did = self._did(token)
        handle = token.extra.get("handle") or did
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        found: list[RecentPost] = []
        params: dict[str, Any] = {"actor": did, "limit": 50}
        for _ in range(5):  # at most 250 posts back
            page = self._request(
                "GET", self._xrpc("app.bsky.feed.getAuthorFeed"), token=token, params=params
            ).json()
            for item in page.get("feed", []):
                post = item.get("post") or {}
                if item.get("reason") or post.get("author", {}).get("did") != did:
                    continue  # reposts of other people's posts
                created = _parse_time(post["indexedAt"])
                if created < since:
                    return found
                found.append(
                    RecentPost(
                        platform_post_id=post["uri"],
                        text=(post.get("record") or {}).get("text", ""),
                        created_at=created,
                        permalink=self.permalink(handle, post["uri"]),
                    )
                )
            if not page.get("cursor"):
                break
            params["cursor"] = page["cursor"]
        return found

    def post_metrics(self, token: TokenSet, platform_post_id: str) -> Metrics:
        posts = self._request(
            "GET",
            self._xrpc("app.bsky.feed.getPosts"),
            token=token,
            params={"uris": [platform_post_id]},
        ).json()["posts"]
        if not posts:
            raise PermanentError("The Bluesky post was not found", status=404)
        p = posts[0]
        return counters(
            p, likes="likeCount", comments="replyCount", shares="repostCount", quotes="quoteCount"
        )

    def account_metrics(self, token: TokenSet) -> Metrics:
        profile = self._profile(token, self._did(token))
        return counters(
            profile, followers="followersCount", following="followsCount", posts="postsCount"
        )

    # ------------------------------------------------------------------ errors

    def _classify_response(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        name = body.get("error") if isinstance(body, dict) else None
        name = name if isinstance(name, str) else None
        text = body.get("message") if isinstance(body, dict) else None
        message = text if isinstance(text, str) and text else self._error_message(response)
        if name == "ExpiredToken":
            return AuthError(message, refresh_may_help=True, status=status, code=name)
        if status == 401 or name in (
            "InvalidToken",
            "AuthMissing",
            "AuthenticationRequired",
            "AccountTakedown",
            "AuthFactorTokenRequired",
        ):
            return AuthError(message, refresh_may_help=False, status=status, code=name)
        if status == 429 or name == "RateLimitExceeded":
            return RateLimited(self._bluesky_retry_at(response), message, status=status, code=name)
        if status >= 500:
            return TransientError(message, sent=True, status=status, code=name)
        return PermanentError(message, status=status, code=name)

    def _bluesky_retry_at(self, response: httpx.Response) -> datetime:
        reset = response.headers.get("ratelimit-reset")
        if reset:
            try:
                return datetime.fromtimestamp(float(reset), UTC)
            except (ValueError, OverflowError, OSError):
                pass
        return self._retry_at(response, default_s=300.0)
