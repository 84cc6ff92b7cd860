"""Simulated Bluesky PDS (AT Protocol XRPC), mounted at /bluesky.

Every method is `GET|POST /bluesky/xrpc/<nsid>` and is checked against the vendor lexicons
(/work/shared/specs/bluesky/lexicons): app passwords (`createSession`), access/refresh JWTs
(access tokens expire after `access_ttl_s`), `refreshSession`, `uploadBlob`, `createRecord`
for `app.bsky.feed.post` (record `$type`, required fields, text ≤ 300 graphemes and ≤ 3000
UTF-8 bytes, `langs` as BCP 47 tags, facets whose byte ranges lie inside the text and on UTF-8
boundaries, ≤ 4 images or one MP4 video whose blobs were uploaded by the same account, rkey
syntax (`tid` key type) and uniqueness), `getRecord`, `listRecords`, `resolveHandle`,
`getAuthorFeed`, `getPosts`, `getProfile`; XRPC error bodies `{"error", "message"}`;
`ratelimit-*` headers (epoch-second reset); the shared faults.

As the official PDS does (checked against @atproto/dev-env 0.6.7, see
tests/realserver/test_bluesky_real.py): a `createRecord` under an rkey that is taken answers
HTTP 500 InternalServerError "Internal Server Error" (the repository refuses the second value at
that key, nothing is written); `refreshSession` rotates the refresh token, and the rotated one
is accepted again for `refresh_grace_s` (2 hours; every reuse gets a token with the same id as
the first rotation), then refused with 400 ExpiredToken "Token has been revoked"; a malformed
language tag, too many of them or too long a text are 400 InvalidRequest with the PDS's words
("Invalid app.bsky.feed.post record: Invalid language (got "EN") at $.record.langs[0]").

Assumptions (not confirmed against a live PDS): the injected "401" fault answers 401
ExpiredToken and the injected "duplicate" fault a 400 InvalidRequest refusal (the PDS itself has
no duplicate-content check); write points are modelled as a count of records (5000 points/h at
3 points per create = 1666 records/h).

Not simulated: the video service (a video blob is accepted as uploaded), link-card fetching,
deletes, applyWrites, putRecord, OAuth, federation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import regex
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.providers.languages import is_language_tag
from simulator import organic
from simulator.platform import PlatformSim, content_type, json_object, set_fields
from simulator.state import Fault, RateState, SimError, iso, utcnow

POST = "app.bsky.feed.post"
FACET = "app.bsky.richtext.facet"
IMAGES = "app.bsky.embed.images"
VIDEO = "app.bsky.embed.video"
EXTERNAL = "app.bsky.embed.external"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000

_TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_RKEY_RE = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_DID_RE = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_HANDLE_RE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_NSID_RE = re.compile(r"^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+$")
_URI_RE = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")
_AT_URI_RE = re.compile(r"^at://([^/]+)/([^/]+)/([^/]+)$")
_CID_RE = re.compile(r"^[a-zA-Z0-9+=]{8,256}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_B32 = "234567abcdefghijklmnopqrstuvwxyz"

DEFAULT_SETTINGS: dict[str, Any] = {
    "access_ttl_s": 7200,
    "refresh_ttl_s": 90 * 86400,
    "refresh_grace_s": 2 * 3600,  # the PDS's REFRESH_GRACE_MS
    "max_blob_bytes": 2_000_000,  # app.bsky.embed.images#image maxSize
    "blob_upload_limit": 100_000_000,  # the PDS's PDS_BLOB_UPLOAD_LIMIT (videos up to 100 MB)
    "app_password": "abcd-efgh-ijkl-mnop",
    "default_account": "alice.bsky.social",
    "handle_domain": "bsky.social",
}


def graphemes(text: str) -> int:
    """Extended grapheme clusters of current Unicode, as the AppView's lexicon validation counts
    them (a maintained segmenter: the `regex` module's \\X)."""
    return len(regex.findall(r"\X", text))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _cid(prefix: str, data: bytes) -> str:
    digest = base64.b32encode(hashlib.sha256(data).digest()).decode("ascii").lower().rstrip("=")
    return prefix + digest


def new_tid() -> str:
    """A fresh TID: 53-bit microsecond timestamp + 10-bit clock id, base32-sortable."""
    value = (int(time.time() * 1_000_000) << 10) | secrets.randbelow(1024)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def jwt_payload(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}


class XrpcError(Exception):
    def __init__(
        self, status: int, error: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


def _invalid(message: str) -> XrpcError:
    return XrpcError(400, "InvalidRequest", message)


def _invalid_post(problem: str, where: str) -> XrpcError:
    """A lexicon refusal worded as the PDS words it (for the checks compared with it)."""
    return _invalid(f"Invalid {POST} record: {problem} at $.record.{where}")


def _error(
    status: int, error: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"error": error, "message": message}, status, headers=headers)


# ------------------------------------------------------------------ state


@dataclass
class Account:
    did: str
    handle: str
    password: str
    display_name: str
    created_at: datetime
    email: str = ""
    followers_count: int = 0
    follows_count: int = 0


@dataclass
class Session:
    """A token. A refresh token is one row of the PDS: every JWT carrying its id is the same
    token (reuse within the grace hands out a new JWT with the first rotation's id)."""

    did: str
    kind: str  # "access" | "refresh"
    exp: float
    revoked: bool = False
    jti: str = ""
    # Refresh tokens once rotated: accepted until `grace_until`, then always rotated to `next`.
    grace_until: float | None = None
    next: Session | None = None


@dataclass
class Blob:
    cid: str
    did: str
    mime: str
    size: int
    sha256: str


# A post's counters, as its view (app.bsky.feed.defs#postView) shows them.
RECORD_COUNTS = ("likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount")


@dataclass
class Record:
    uri: str
    cid: str
    did: str
    rkey: str
    value: dict[str, Any]
    indexed_at: datetime
    seq: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_COUNTS, 0))


class BlueskySim(PlatformSim):
    id = "bluesky"
    organic_posts = ("records", "counts", organic.OWN_COUNTERS["bluesky"])
    organic_accounts = ("accounts", "handle", "followers_count")
    display_name = "Bluesky"
    tokens_expire = False
    quotas = {
        "api": {"limit": 3000, "window_s": 300},  # per IP
        "records": {"limit": 1666, "window_s": 3600},  # 5000 points/h, create = 3
        "records_day": {"limit": 11666, "window_s": 86400},  # 35000 points/day
        "sessions": {"limit": 30, "window_s": 300},  # createSession per account
    }
    default_settings = DEFAULT_SETTINGS

    def reset(self) -> None:
        self.conf: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.accounts: dict[str, Account] = {}  # by did
        self.sessions: dict[str, Session] = {}
        self.blobs: dict[tuple[str, str], Blob] = {}  # (did, cid)
        self.records: dict[str, Record] = {}  # by at-uri
        self._seq = 0

    # ------------------------------------------------------------ knobs / settings

    # ------------------------------------------------------------ accounts and sessions

    def _full_handle(self, handle: str) -> str:
        handle = handle.lower().lstrip("@")
        return handle if "." in handle else f"{handle}.{self.conf['handle_domain']}"

    def account(self, actor: str) -> Account | None:
        """By DID or handle."""
        if actor.startswith("did:"):
            return self.accounts.get(actor)
        actor = actor.lower().lstrip("@")
        return next((a for a in self.accounts.values() if a.handle == actor), None)

    def sandbox(self) -> dict[str, str]:
        """Herald's sandbox mode signs in as the default account with the simulator's password."""
        acc = self.ensure_account(self.conf["default_account"])
        return super().sandbox() | {"identifier": acc.handle, "app_password": acc.password}

    def ensure_account(self, handle: str, **fields: Any) -> Account:
        """Find or create an account (in-process helper for tests and benchmarks)."""
        handle = self._full_handle(handle)
        if not _HANDLE_RE.match(handle):
            raise SimError(f"invalid handle {handle!r}")
        with self.sim.lock:
            acc = self.account(handle)
            if acc is None:
                digest = base64.b32encode(hashlib.sha256(handle.encode()).digest()).decode()
                acc = Account(
                    did="did:plc:" + digest.lower()[:24],
                    handle=handle,
                    password=self.conf["app_password"],
                    display_name=handle.split(".")[0].capitalize(),
                    created_at=utcnow(),
                    email=f"{handle.split('.')[0]}@example.com",
                )
                self.accounts[acc.did] = acc
            settable = ("password", "display_name", "followers_count", "follows_count")
            set_fields(acc, fields, settable, "account")
            return acc

    def _jwt(self, did: str, kind: str, ttl: float, token: Session | None = None) -> str:
        """A new JWT, for a new token or (refresh reuse) for the existing `token`."""
        now = int(time.time())
        header = {"typ": "at+jwt" if kind == "access" else "refresh+jwt", "alg": "ES256K"}
        payload = {
            "scope": "com.atproto.access" if kind == "access" else "com.atproto.refresh",
            "sub": did,
            "aud": "did:web:bsky.simulator",
            "iat": now,
            "exp": int(now + ttl),
            "jti": token.jti if token else secrets.token_urlsafe(16),
        }
        jwt = ".".join(
            [
                _b64(json.dumps(header).encode()),
                _b64(json.dumps(payload).encode()),
                _b64(secrets.token_bytes(48)),
            ]
        )
        self.sessions[jwt] = token or Session(did, kind, now + ttl, jti=payload["jti"])
        return jwt

    def _session_pair(
        self,
        acc: Account,
        access_ttl_s: float | None = None,
        refresh_ttl_s: float | None = None,
        refresh_token: Session | None = None,
    ) -> dict[str, Any]:
        with self.sim.lock:
            access = self._jwt(acc.did, "access", access_ttl_s or self.conf["access_ttl_s"])
            refresh = self._jwt(
                acc.did, "refresh", refresh_ttl_s or self.conf["refresh_ttl_s"], refresh_token
            )
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": acc.handle,
            "did": acc.did,
            "email": acc.email,
            "emailConfirmed": True,
            "emailAuthFactor": False,
            "active": True,
        }

    def issue_token(
        self,
        handle: str,
        *,
        access_ttl_s: float | None = None,
        refresh_ttl_s: float | None = None,
    ) -> dict[str, Any]:
        """Mint a session without createSession (tests, benchmarks). TTLs may be negative."""
        acc = self.ensure_account(handle)
        return self._session_pair(acc, access_ttl_s, refresh_ttl_s)

    def _bearer(self, request: Request) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def identify(self, request: Request) -> str | None:
        token = self._bearer(request)
        if not token:
            return None
        acc = self.accounts.get(str(jwt_payload(token).get("sub", "")))
        return acc.handle if acc else None

    def _auth(
        self, request: Request, kind: str = "access", required: bool = True
    ) -> Account | None:
        token = self._bearer(request)
        if token is None:
            if required:
                raise XrpcError(401, "AuthMissing", "Authentication Required")
            return None
        session = self.sessions.get(token)
        if session is None:
            raise XrpcError(400, "InvalidToken", "Token could not be verified")
        if session.kind != kind:
            raise XrpcError(400, "InvalidToken", "Bad token scope")
        if session.revoked:
            raise XrpcError(400, "ExpiredToken", "Token has been revoked")
        if session.exp <= time.time():
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        acc = self.accounts.get(session.did)
        if acc is None:
            raise XrpcError(400, "InvalidToken", "Token could not be verified")
        return acc

    # ------------------------------------------------------------ rate limits and faults

    def _rate_headers(self, state: RateState, window_s: float) -> dict[str, str]:
        return {
            "ratelimit-limit": str(state.limit),
            "ratelimit-remaining": str(state.remaining),
            "ratelimit-reset": str(int(state.reset_at.timestamp())),
            "ratelimit-policy": f"{state.limit};w={int(window_s)}",
        }

    def _limit(self, family: str, key: str, account: str | None) -> dict[str, str]:
        state = self.sim.rate(self.id, family, key, account=account)
        quota = (self.sim.effective_knobs(self.id, account).quotas or {}).get(family, {})
        headers = self._rate_headers(state, quota.get("window_s", 0))
        if not state.allowed:
            raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        return headers

    def before(self, request: Request, account: str | None) -> Response | None:
        host = request.client.host if request.client else "unknown"
        try:
            request.state.rate_headers = self._limit("api", host, account)
        except XrpcError as exc:
            return _error(exc.status, exc.error, exc.message, exc.headers)
        return None

    def after(self, request: Request, account: str | None, response: Response) -> None:
        headers = getattr(request.state, "rate_headers", None)
        if headers and "ratelimit-limit" not in response.headers:
            response.headers.update(headers)

    def error_response(self, fault: Fault, request: Request) -> Response:
        kind = fault.kind
        if kind == "429":
            quota = (self.sim.effective_knobs(self.id).quotas or {})["api"]
            headers = {
                "ratelimit-limit": str(int(quota["limit"])),
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(fault.reset_time().timestamp())),
                "ratelimit-policy": f"{int(quota['limit'])};w={int(quota['window_s'])}",
            }
            return _error(429, "RateLimitExceeded", fault.message or "Rate Limit Exceeded", headers)
        if kind == "401":
            return _error(401, "ExpiredToken", fault.message or "Token has expired")
        if kind == "duplicate":
            return _error(400, "InvalidRequest", fault.message or "Record already exists")
        names = {
            "500": "InternalServerError",
            "502": "UpstreamFailure",
            "503": "NotEnoughResources",
            "504": "UpstreamTimeout",
        }
        texts = {
            "500": "Internal Server Error",
            "502": "Upstream Failure",
            "503": "Service Unavailable",
            "504": "Upstream Timeout",
        }
        return _error(int(kind), names[kind], fault.message or texts[kind])

    # ------------------------------------------------------------ routing

    def routes(self) -> list[BaseRoute]:
        return self.api_routes(("GET POST", "/xrpc/{nsid}", self.xrpc))

    def controls(self) -> list[BaseRoute]:
        return [
            Route("/accounts/{handle}", self.sim_account, methods=["POST"]),
            Route("/counts", self.sim_counts, methods=["POST"]),
        ]

    def _methods(self) -> dict[str, tuple[str, Any]]:
        return {
            "com.atproto.server.createSession": ("POST", self.create_session),
            "com.atproto.server.refreshSession": ("POST", self.refresh_session),
            "com.atproto.server.deleteSession": ("POST", self.delete_session),
            "com.atproto.server.getSession": ("GET", self.get_session),
            "com.atproto.identity.resolveHandle": ("GET", self.resolve_handle),
            "com.atproto.repo.uploadBlob": ("POST", self.upload_blob),
            "com.atproto.repo.createRecord": ("POST", self.create_record),
            "com.atproto.repo.getRecord": ("GET", self.get_record),
            "com.atproto.repo.listRecords": ("GET", self.list_records),
            "app.bsky.feed.getAuthorFeed": ("GET", self.get_author_feed),
            "app.bsky.feed.getPosts": ("GET", self.get_posts),
            "app.bsky.actor.getProfile": ("GET", self.get_profile),
        }

    async def xrpc(self, request: Request) -> Response:
        nsid = request.path_params["nsid"]
        method = self._methods().get(nsid)
        if method is None:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        verb, handler = method
        if request.method != verb:
            return _error(
                400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected {verb}"
            )
        try:
            return await handler(request)
        except XrpcError as exc:
            return _error(exc.status, exc.error, exc.message, exc.headers)

    async def _json(self, request: Request) -> dict[str, Any]:
        ctype = content_type(request)
        if ctype != "application/json":
            raise _invalid(f"Wrong request encoding (Content-Type): {ctype or 'none'}")
        body = await request.body()
        return json_object(
            body, _invalid, "Request body is not valid JSON", "Input must be an object"
        )

    @staticmethod
    def _param(request: Request, name: str, required: bool = True) -> str | None:
        value = request.query_params.get(name)
        if required and not value:
            raise _invalid(f'Params must have the property "{name}"')
        return value

    @staticmethod
    def _limit_param(request: Request) -> int:
        raw = request.query_params.get("limit", "50")
        try:
            limit = int(raw)
        except ValueError:
            raise _invalid("limit must be an integer") from None
        if not 1 <= limit <= 100:
            raise _invalid(
                "limit can not be less than 1" if limit < 1 else "limit can not be greater than 100"
            )
        return limit

    # ------------------------------------------------------------ server / identity

    async def create_session(self, request: Request) -> Response:
        body = await self._json(request)
        ident, password = body.get("identifier"), body.get("password")
        if not isinstance(ident, str) or not isinstance(password, str):
            raise _invalid('Input must have the properties "identifier" and "password"')
        acc = self.account(ident) or next(
            (a for a in self.accounts.values() if a.email == ident.lower()), None
        )
        if acc is None or not secrets.compare_digest(acc.password, password):
            raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        headers = self._limit("sessions", acc.did, acc.handle)
        return JSONResponse(self._session_pair(acc), headers=headers)

    async def refresh_session(self, request: Request) -> Response:
        """Rotate the refresh token. The old one stays good for the grace period (a client
        whose answer was lost, or two refreshing at once, are not logged out) and always
        rotates to the same next token."""
        acc = self._auth(request, "refresh")
        assert acc is not None
        with self.sim.lock:
            old = self.sessions[self._bearer(request) or ""]
            now = time.time()
            if old.grace_until is not None and old.grace_until <= now:
                raise XrpcError(400, "ExpiredToken", "Token has been revoked")
            pair = self._session_pair(acc, refresh_token=old.next)
            if old.next is None:
                old.next = self.sessions[pair["refreshJwt"]]
                old.grace_until = min(old.exp, now + self.conf["refresh_grace_s"])
        return JSONResponse(pair)

    async def delete_session(self, request: Request) -> Response:
        self._auth(request, "refresh")
        with self.sim.lock:
            self.sessions[self._bearer(request) or ""].revoked = True
        return Response(status_code=200)

    async def get_session(self, request: Request) -> Response:
        acc = self._auth(request)
        assert acc is not None
        return JSONResponse(
            {"handle": acc.handle, "did": acc.did, "email": acc.email, "active": True}
        )

    async def resolve_handle(self, request: Request) -> Response:
        handle = self._param(request, "handle") or ""
        if not _HANDLE_RE.match(handle):
            raise _invalid("handle must be a valid handle")
        acc = self.account(handle)
        if acc is None:
            raise _invalid("Unable to resolve handle")
        return JSONResponse({"did": acc.did})

    # ------------------------------------------------------------ blobs and records

    async def upload_blob(self, request: Request) -> Response:
        acc = self._auth(request)
        assert acc is not None
        mime = content_type(request)
        data = await request.body()
        if not mime or "/" not in mime:
            raise _invalid("Wrong request encoding (Content-Type): none")
        limit = self.conf["blob_upload_limit"]
        if len(data) > limit:
            raise XrpcError(400, "BlobTooLarge", f"This file is too large. Max size: {limit}")
        blob = Blob(
            _cid("bafkrei", data), acc.did, mime, len(data), hashlib.sha256(data).hexdigest()
        )
        with self.sim.lock:
            self.blobs[(acc.did, blob.cid)] = blob
        return JSONResponse({"blob": self._blob_json(blob)})

    @staticmethod
    def _blob_json(blob: Blob) -> dict[str, Any]:
        return {
            "$type": "blob",
            "ref": {"$link": blob.cid},
            "mimeType": blob.mime,
            "size": blob.size,
        }

    async def create_record(self, request: Request) -> Response:
        acc = self._auth(request)
        assert acc is not None
        body = await self._json(request)
        for name in ("repo", "collection", "record"):
            if name not in body:
                raise _invalid(f'Input must have the property "{name}"')
        repo, collection, record = body["repo"], body["collection"], body["record"]
        if repo not in (acc.did, acc.handle):
            raise XrpcError(400, "InvalidRequest", "Unauthorized: repo does not match session")
        if not isinstance(collection, str) or not _NSID_RE.match(collection):
            raise _invalid("Input/collection must be a valid nsid")
        if collection != POST:
            raise _invalid(f"The simulator only stores {POST} records, not {collection}")
        if not isinstance(record, dict):
            raise _invalid("Input/record must be an object")
        if record.get("$type") != collection:
            raise _invalid(f"Invalid $type: must be {collection}, got {record.get('$type')!r}")
        rkey = body.get("rkey")
        if rkey is not None:
            if not isinstance(rkey, str) or not _RKEY_RE.match(rkey) or rkey in (".", ".."):
                raise _invalid("Input/rkey must be a valid Record Key")
            if not _TID_RE.match(rkey):
                raise _invalid(f"Invalid record key for {collection}: must be a TID")
        media = self._validate_post(record, acc)

        with self.sim.lock:
            rkey = rkey or new_tid()
            uri = f"at://{acc.did}/{collection}/{rkey}"
            if uri in self.records:
                # The repository refuses a second value at the key ("There is already a value
                # at key", in the PDS's log): an unhandled error, so a 500 to the client.
                self.sim.note_replay(self.id, uri)
                raise XrpcError(500, "InternalServerError", "Internal Server Error")
            headers = self._limit("records", acc.did, acc.handle)
            self._limit("records_day", acc.did, acc.handle)
            canonical = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
            self._seq += 1
            rec = Record(
                uri, _cid("bafyrei", canonical), acc.did, rkey, record, utcnow(), self._seq
            )
            self.records[uri] = rec
            reply = record.get("reply")
            if reply and reply["parent"]["uri"] in self.records:
                self.records[reply["parent"]["uri"]].counts["replyCount"] += 1
            self.sim.record_post(
                self.id,
                acc.handle,
                uri,
                record["text"],
                media=[
                    {
                        "cid": b.cid,
                        "type": b.mime.split("/")[0],
                        "mime": b.mime,
                        "size": b.size,
                        "sha256": b.sha256,
                        "alt": item.get("alt"),
                        "aspect_ratio": item.get("aspectRatio"),
                    }
                    for b, item in media
                ],
                permalink=f"https://bsky.app/profile/{acc.handle}/post/{rkey}",
                extra={
                    "uri": uri,
                    "cid": rec.cid,
                    "rkey": rkey,
                    "record": record,
                    "facets": record.get("facets", []),
                    "reply": reply,
                },
            )
        return JSONResponse(
            {
                "uri": uri,
                "cid": rec.cid,
                "commit": {"cid": _cid("bafyrei", uri.encode()), "rev": new_tid()},
                "validationStatus": "valid",
            },
            headers=headers,
        )

    def _validate_post(
        self, record: dict[str, Any], acc: Account
    ) -> list[tuple[Blob, dict[str, Any]]]:
        """app.bsky.feed.post lexicon checks; returns the embedded media (see _validate_embed)."""
        text = record.get("text")
        if "text" not in record:
            raise _invalid('Record must have the property "text"')
        if not isinstance(text, str):
            raise _invalid("Record/text must be a string")
        raw = text.encode("utf-8")
        if len(raw) > MAX_BYTES:
            raise _invalid_post(f"string too big (maximum {MAX_BYTES}, got {len(raw)})", "text")
        n = graphemes(text)
        if n > MAX_GRAPHEMES:
            raise _invalid_post(f"grapheme too big (maximum {MAX_GRAPHEMES}, got {n})", "text")
        created = record.get("createdAt")
        if "createdAt" not in record:
            raise _invalid('Record must have the property "createdAt"')
        if not isinstance(created, str) or not _DATETIME_RE.match(created):
            raise _invalid("Record/createdAt must be an valid atproto datetime")
        try:
            datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            raise _invalid("Record/createdAt must be an valid atproto datetime") from None
        langs = record.get("langs")
        if langs is not None:
            if not isinstance(langs, list):
                got = json.dumps(langs, ensure_ascii=False)
                raise _invalid_post(f"Expected array value type (got {got})", "langs")
            if len(langs) > 3:
                raise _invalid_post(f"array too big (maximum 3, got {len(langs)})", "langs")
            for i, lang in enumerate(langs):
                got = json.dumps(lang, ensure_ascii=False)
                if not isinstance(lang, str):
                    raise _invalid_post(f"Expected string value type (got {got})", f"langs[{i}]")
                if not is_language_tag(lang):
                    raise _invalid_post(f"Invalid language (got {got})", f"langs[{i}]")
        tags = record.get("tags")
        if tags is not None:
            if not isinstance(tags, list) or len(tags) > 8:
                raise _invalid("Record/tags must not have more than 8 elements")
            for i, tag in enumerate(tags):
                if not isinstance(tag, str) or len(tag.encode()) > 640 or graphemes(tag) > 64:
                    raise _invalid(f"Record/tags/{i} must be a string of at most 64 graphemes")
        self._validate_facets(record.get("facets"), raw)
        reply = record.get("reply")
        if reply is not None:
            if not isinstance(reply, dict):
                raise _invalid("Record/reply must be an object")
            for name in ("root", "parent"):
                ref = reply.get(name)
                if not isinstance(ref, dict):
                    raise _invalid(f'Record/reply must have the property "{name}"')
                if not isinstance(ref.get("uri"), str) or not _AT_URI_RE.match(ref["uri"]):
                    raise _invalid(f"Record/reply/{name}/uri must be a valid at-uri")
                if not isinstance(ref.get("cid"), str) or not _CID_RE.match(ref["cid"]):
                    raise _invalid(f"Record/reply/{name}/cid must be a cid string")
        return self._validate_embed(record.get("embed"), acc)

    @staticmethod
    def _validate_facets(facets: Any, raw: bytes) -> None:
        if facets is None:
            return
        if not isinstance(facets, list):
            raise _invalid("Record/facets must be an array")

        def boundary(i: int) -> bool:  # not a UTF-8 continuation byte
            return i == len(raw) or (0 <= i < len(raw) and raw[i] & 0xC0 != 0x80)

        for i, facet in enumerate(facets):
            where = f"Record/facets/{i}"
            if not isinstance(facet, dict) or "index" not in facet or "features" not in facet:
                raise _invalid(f'{where} must have the properties "index" and "features"')
            index = facet["index"]
            if not isinstance(index, dict):
                raise _invalid(f"{where}/index must be an object")
            start, end = index.get("byteStart"), index.get("byteEnd")
            for name, value in (("byteStart", start), ("byteEnd", end)):
                if not isinstance(value, int) or isinstance(value, bool):
                    raise _invalid(f"{where}/index/{name} must be an integer")
                if value < 0:
                    raise _invalid(f"{where}/index/{name} can not be less than 0")
            assert isinstance(start, int) and isinstance(end, int)
            if start >= end or end > len(raw):
                raise _invalid(f"{where}/index is out of range of the text ({len(raw)} bytes)")
            if not boundary(start) or not boundary(end):
                raise _invalid(f"{where}/index does not fall on UTF-8 character boundaries")
            features = facet["features"]
            if not isinstance(features, list) or not features:
                raise _invalid(f"{where}/features must be a non-empty array")
            for j, feat in enumerate(features):
                fw = f"{where}/features/{j}"
                kind = feat.get("$type") if isinstance(feat, dict) else None
                if kind == f"{FACET}#link":
                    uri = feat.get("uri")
                    if not isinstance(uri, str) or not _URI_RE.match(uri):
                        raise _invalid(f"{fw}/uri must be a uri")
                elif kind == f"{FACET}#mention":
                    did = feat.get("did")
                    if not isinstance(did, str) or not _DID_RE.match(did):
                        raise _invalid(f"{fw}/did must be a valid did")
                elif kind == f"{FACET}#tag":
                    tag = feat.get("tag")
                    if not isinstance(tag, str) or len(tag.encode()) > 640 or graphemes(tag) > 64:
                        raise _invalid(f"{fw}/tag must be a string of at most 64 graphemes")
                else:
                    raise _invalid(
                        f'{fw} must be an object which includes the "$type" property '
                        f"({FACET}#mention, #link or #tag), got {kind!r}"
                    )

    def _validate_embed(self, embed: Any, acc: Account) -> list[tuple[Blob, dict[str, Any]]]:
        """The embed's media: (uploaded blob, its entry in the embed) for each."""
        if embed is None:
            return []
        if not isinstance(embed, dict) or not isinstance(embed.get("$type"), str):
            raise _invalid('Record/embed must be an object which includes the "$type" property')
        kind = embed["$type"]
        if kind == EXTERNAL:
            ext = embed.get("external")
            if not isinstance(ext, dict) or not all(
                isinstance(ext.get(k), str) for k in ("uri", "title", "description")
            ):
                raise _invalid("Record/embed/external must have uri, title and description")
            return []
        if kind == VIDEO:
            if "alt" in embed and not isinstance(embed["alt"], str):
                raise _invalid("Record/embed/alt must be a string")
            blob = self._embedded_blob(embed, "video", "Record/embed", acc)
            return [(blob, embed)]
        if kind != IMAGES:
            raise _invalid(f"Record/embed: the simulator does not support {kind}")
        images = embed.get("images")
        if not isinstance(images, list):
            raise _invalid('Record/embed must have the property "images"')
        if len(images) > 4:
            raise _invalid("Record/embed/images must not have more than 4 elements")
        found: list[tuple[Blob, dict[str, Any]]] = []
        for i, img in enumerate(images):
            where = f"Record/embed/images/{i}"
            if not isinstance(img, dict) or "image" not in img or "alt" not in img:
                raise _invalid(f'{where} must have the properties "image" and "alt"')
            if not isinstance(img["alt"], str):
                raise _invalid(f"{where}/alt must be a string")
            found.append((self._embedded_blob(img, "image", where, acc), img))
        return found

    def _embedded_blob(self, item: dict[str, Any], field: str, where: str, acc: Account) -> Blob:
        """The uploaded blob `item[field]` refers to, of the accepted type and size, and the
        item's optional aspectRatio."""
        ref = item.get(field)
        link = ref.get("ref", {}).get("$link") if isinstance(ref, dict) else None
        if not isinstance(ref, dict) or ref.get("$type") != "blob" or not isinstance(link, str):
            raise _invalid(f"{where}/{field} should be a blob ref")
        blob = self.blobs.get((acc.did, link))
        if blob is None:
            raise _invalid(f"Could not find blob: {link}")
        if ref.get("mimeType") != blob.mime or ref.get("size") != blob.size:
            raise _invalid(f"{where}/{field} does not match the uploaded blob")
        accepted = blob.mime.startswith("image/") if field == "image" else blob.mime == "video/mp4"
        if not accepted:
            raise _invalid(f"{where}/{field} mime type is not accepted: {blob.mime}")
        cap = self.conf["max_blob_bytes"]
        if field == "image" and blob.size > cap:
            raise XrpcError(
                400,
                "BlobTooLarge",
                f"This file is too large. It is {blob.size} bytes, but the maximum size "
                f"is {cap} bytes.",
            )
        ratio = item.get("aspectRatio")
        if ratio is not None and not (
            isinstance(ratio, dict)
            and all(isinstance(ratio.get(k), int) and ratio[k] >= 1 for k in ("width", "height"))
        ):
            raise _invalid(f"{where}/aspectRatio must have integer width and height >= 1")
        return blob

    def _record_json(self, rec: Record) -> dict[str, Any]:
        return {"uri": rec.uri, "cid": rec.cid, "value": rec.value}

    async def get_record(self, request: Request) -> Response:
        repo = self._param(request, "repo") or ""
        collection = self._param(request, "collection")
        rkey = self._param(request, "rkey")
        acc = self.account(repo)
        rec = self.records.get(f"at://{acc.did}/{collection}/{rkey}") if acc else None
        if rec is None:
            raise XrpcError(
                400, "RecordNotFound", f"Could not locate record: at://{repo}/{collection}/{rkey}"
            )
        return JSONResponse(self._record_json(rec))

    async def list_records(self, request: Request) -> Response:
        repo = self._param(request, "repo") or ""
        collection = self._param(request, "collection")
        limit = self._limit_param(request)
        cursor = request.query_params.get("cursor")
        reverse = request.query_params.get("reverse") == "true"
        acc = self.account(repo)
        if acc is None:
            raise _invalid(f"Could not find repo: {repo}")
        rows = sorted(
            (
                r
                for r in self.records.values()
                if r.did == acc.did and r.uri.split("/")[3] == collection
            ),
            key=lambda r: r.rkey,
            reverse=not reverse,
        )
        if cursor:
            rows = [r for r in rows if (r.rkey > cursor if reverse else r.rkey < cursor)]
        page = rows[:limit]
        body: dict[str, Any] = {"records": [self._record_json(r) for r in page]}
        if len(page) == limit and len(rows) > limit:
            body["cursor"] = page[-1].rkey
        return JSONResponse(body)

    # ------------------------------------------------------------ app view

    def _profile_basic(self, acc: Account) -> dict[str, Any]:
        return {
            "did": acc.did,
            "handle": acc.handle,
            "displayName": acc.display_name,
            "createdAt": iso(acc.created_at),
        }

    def _post_view(self, rec: Record) -> dict[str, Any]:
        return {
            "uri": rec.uri,
            "cid": rec.cid,
            "author": self._profile_basic(self.accounts[rec.did]),
            "record": rec.value,
            **rec.counts,
            "indexedAt": iso(rec.indexed_at),
            "labels": [],
        }

    async def get_author_feed(self, request: Request) -> Response:
        self._auth(request, required=False)
        actor = self._param(request, "actor") or ""
        limit = self._limit_param(request)
        acc = self.account(actor)
        if acc is None:
            raise _invalid("Profile not found")
        rows = sorted((r for r in self.records.values() if r.did == acc.did), key=lambda r: -r.seq)
        cursor = request.query_params.get("cursor")
        if cursor:
            if not cursor.isdigit():
                raise _invalid("Malformed cursor")
            rows = [r for r in rows if r.seq < int(cursor)]
        if request.query_params.get("filter") == "posts_no_replies":
            rows = [r for r in rows if not r.value.get("reply")]
        page = rows[:limit]
        body: dict[str, Any] = {"feed": [{"post": self._post_view(r)} for r in page]}
        if len(rows) > limit:
            body["cursor"] = str(page[-1].seq)
        return JSONResponse(body)

    async def get_posts(self, request: Request) -> Response:
        self._auth(request, required=False)
        uris = request.query_params.getlist("uris")
        if not uris:
            raise _invalid('Params must have the property "uris"')
        if len(uris) > 25:
            raise _invalid("uris must not have more than 25 elements")
        for uri in uris:
            if not _AT_URI_RE.match(uri):
                raise _invalid("uris must be a list of valid at-uris")
        posts = [self._post_view(self.records[u]) for u in uris if u in self.records]
        return JSONResponse({"posts": posts})

    async def get_profile(self, request: Request) -> Response:
        self._auth(request, required=False)
        acc = self.account(self._param(request, "actor") or "")
        if acc is None:
            raise _invalid("Profile not found")
        posts = sum(1 for r in self.records.values() if r.did == acc.did)
        return JSONResponse(
            {
                **self._profile_basic(acc),
                "description": "",
                "followersCount": acc.followers_count,
                "followsCount": acc.follows_count,
                "postsCount": posts,
                "indexedAt": iso(acc.created_at),
                "labels": [],
            }
        )

    # ------------------------------------------------------------ simulator controls

    async def sim_token(self, request: Request) -> Response:
        """POST /_sim/bluesky/tokens {"handle"?, "access_ttl_s"?, "refresh_ttl_s"?}."""
        body = await self.control_body(request, ("handle", "access_ttl_s", "refresh_ttl_s"))
        handle = body.get("handle") or self.conf["default_account"]
        return JSONResponse(
            self.issue_token(
                handle,
                access_ttl_s=body.get("access_ttl_s"),
                refresh_ttl_s=body.get("refresh_ttl_s"),
            )
        )

    async def sim_account(self, request: Request) -> Response:
        """POST /_sim/bluesky/accounts/{handle} {"followers_count": 5, "password": ...}."""
        acc = self.ensure_account(request.path_params["handle"], **await self.control_body(request))
        return JSONResponse(self._profile_basic(acc) | {"password": acc.password})

    async def sim_counts(self, request: Request) -> Response:
        """POST /_sim/bluesky/counts {"uri": "at://...", "likeCount": 3, ...}: set counters."""
        body = await self.control_body(request)
        uri = str(body.pop("uri", None) or "")
        return self.set_counters(
            self.records, uri, lambda r: r.counts, body, "record", render=self._post_view
        )


__all__ = ["BlueskySim", "graphemes", "jwt_payload", "new_tid"]
