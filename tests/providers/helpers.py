"""What several provider tests use: sample files, the vendor API documents, the one post, the
simulated platform and a provider pointed at it."""

from __future__ import annotations

import io
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.base import Provider, make_code_verifier
from app.providers.errors import TransientError
from app.providers.posts import PublishRequest
from app.providers.results import PublishResult
from simulator import SimServer, Simulator
from simulator.platform import PlatformSim

P = TypeVar("P", bound=PlatformSim)
R = TypeVar("R", bound=Provider)
E = TypeVar("E", bound=Exception)

# The vendor documents live in the shared folder beside the repository (README there).
SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"
# A valid 1x1 PNG: the simulators check uploads by content, not by the declared type.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def one_post(sim: Simulator, platform: str) -> dict[str, Any]:
    """The only post the simulated `platform` accepted (fails when there are none or more)."""
    posts = sim.posts(platform)
    assert len(posts) == 1, posts
    return posts[0]


def platform_of(sim: Simulator, kind: type[P]) -> P:
    """The simulated platform of type `kind`, typed."""
    platform = sim[kind.id]
    assert isinstance(platform, kind)
    return platform


def sim_provider(
    cls: type[R], server: SimServer, http: httpx.Client, client_id: str, secret: str, **kw: Any
) -> R:
    """A provider pointed at its simulated network (API and OAuth on the same server), with the
    app's credentials and media polling fast enough for tests (`media_wait_s` 3 s unless set)."""
    base = server.url_for(cls.id)
    kw.setdefault("api_base", base)
    kw.setdefault("auth_base", base)
    kw.setdefault("media_wait_s", 3.0)
    return cls(client=http, client_id=client_id, client_secret=secret, media_poll_s=0.05, **kw)


def refused_base() -> str:
    """An http://127.0.0.1:<port> base nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def publish_error(provider: Provider, token: TokenSet, request: PublishRequest, kind: type[E]) -> E:
    """The error of `kind` that publishing `request` raises (it must raise one)."""
    with pytest.raises(kind) as exc:
        provider.publish(token, request)
    return exc.value


def assert_refused_not_sent(provider: Provider, token: TokenSet, request: PublishRequest) -> None:
    """A publish whose connection is refused is transient and known not sent (safe to retry)."""
    with pytest.raises(TransientError) as exc:
        provider.publish(token, request)
    assert exc.value.sent is False


def assert_found_after_timeout(
    provider: Provider,
    token: TokenSet,
    sim: Simulator,
    path: str,
    request: PublishRequest,
    since: datetime | None = None,
) -> dict[str, Any]:
    """The network takes the post at `path` but its answer never comes: publish raises a
    TransientError marked sent, and find_recent lists the post (what settles the outcome).
    Returns the post the network kept."""
    since = since or datetime.now(UTC)
    sim.inject(provider.id, "timeout_after_accept", path=path)
    with pytest.raises(TransientError) as exc:
        provider.publish(token, request)
    assert exc.value.sent is True
    post = one_post(sim, provider.id)
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], request.text)]
    return post


def authorize_as(url: str, username: str, who: str = "sim_account") -> httpx.URL:
    """Open an authorize URL as the simulated `username` (consent is automatic; `who` is the
    simulator's query parameter naming the user): where the network sends the browser back to
    Herald, with the code and the state."""
    redirect = httpx.get(url + f"&{who}={username}")
    assert redirect.status_code == 302, redirect.text
    return httpx.URL(redirect.headers["location"])


def pkce_round_trip(provider: Provider, redirect_uri: str, username: str = "alice") -> TokenSet:
    """The real OAuth round trip with PKCE: authorize (auto-approved) → redirect → code exchange."""
    verifier = make_code_verifier()
    url = provider.authorize_url(state="s-123", redirect_uri=redirect_uri, code_verifier=verifier)
    params = authorize_as(url, username).params
    assert params["state"] == "s-123"
    return provider.exchange_code(
        code=params["code"], redirect_uri=redirect_uri, code_verifier=verifier
    )


def set_counts(url: str, counts: dict[str, Any]) -> None:
    """Set counters through the simulator's control API (a /_sim/... URL), as the network's own
    users would move them (likes, followers...)."""
    answer = httpx.post(url, json=counts)
    assert answer.status_code == 200, answer.text


def finalize_once_processed(
    provider: Provider, token: TokenSet, pending: dict[str, Any], processing_s: float
) -> PublishResult:
    """A publish left pending while the network processes its media: still processing (finalize
    keeps it pending), ready after `processing_s`, then finalize publishes it. Returns that."""
    assert provider.check_status(token, pending).state == "processing"
    assert provider.finalize(token, pending).state == "pending"
    time.sleep(processing_s)
    assert provider.check_status(token, pending).state == "ready"
    done = provider.finalize(token, pending)
    assert done.state == "published"
    return done


class CountingStream(io.BytesIO):
    """A media stream that remembers the largest single read (to prove an upload streams)."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        CountingStream.largest = max(CountingStream.largest, len(data))
        return data
