"""What several provider tests use: sample files, the vendor API documents, the one post, the
simulated platform, a provider pointed at it and the error a publish raises."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.base import Provider
from app.providers.posts import PublishRequest
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


def publish_error(provider: Provider, token: TokenSet, request: PublishRequest, kind: type[E]) -> E:
    """The error of `kind` that publishing `request` raises (it must raise one)."""
    with pytest.raises(kind) as exc:
        provider.publish(token, request)
    return exc.value


def set_counts(url: str, counts: dict[str, Any]) -> None:
    """Set counters through the simulator's control API (a /_sim/... URL), as the network's own
    users would move them (likes, followers...)."""
    answer = httpx.post(url, json=counts)
    assert answer.status_code == 200, answer.text


class CountingStream(io.BytesIO):
    """A media stream that remembers the largest single read (to prove an upload streams)."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        CountingStream.largest = max(CountingStream.largest, len(data))
        return data
