"""What several provider tests assert about failed publishes: a refused connection is known not
sent, and a post is found after a timeout hid the answer."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.providers.accounts import TokenSet
from app.providers.base import Provider
from app.providers.errors import RateLimited, TransientError
from app.providers.posts import MediaItem, PublishRequest
from simulator import Simulator
from tests.providers.helpers import one_post, publish_error, set_counts


def refused_base() -> str:
    """An http://127.0.0.1:<port> base nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def assert_refused_not_sent(
    cls: type[Provider], http: httpx.Client, token: TokenSet, request: PublishRequest, **kw: Any
) -> None:
    """A publish whose connection is refused (a `cls` provider pointed at an address nobody
    listens on) is transient and known not sent (safe to retry)."""
    provider = cls(api_base=refused_base(), client=http, **kw)
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
    read_timeout_s: float | None = None,
) -> dict[str, Any]:
    """The network takes the post at `path` but its answer never comes: publish raises a
    TransientError marked sent, with no HTTP status (after about `read_timeout_s`, the
    client's read timeout, when given), and find_recent lists the post (what settles the
    outcome). Returns the post the network kept."""
    since = since or datetime.now(UTC)
    sim.inject(provider.id, "timeout_after_accept", path=path)
    started = time.monotonic()
    with pytest.raises(TransientError) as exc:
        provider.publish(token, request)
    assert exc.value.sent is True and exc.value.status is None
    if read_timeout_s is not None:
        assert 0.9 * read_timeout_s < time.monotonic() - started < 3 * read_timeout_s
    post = one_post(sim, provider.id)
    found = provider.find_recent(token, since)
    assert [(r.platform_post_id, r.text) for r in found] == [(post["post_id"], request.text)]
    return post


def assert_post_metrics(
    provider: Provider,
    token: TokenSet,
    post_id: str,
    counts_url: str,
    counts: dict[str, Any],
    expected: dict[str, int],
) -> None:
    """With the simulator's counters of the post at `counts_url` set to `counts`, post_metrics
    answers `expected` (the network's counters in Herald's names)."""
    set_counts(counts_url, counts)
    assert provider.post_metrics(token, post_id) == expected


def assert_account_metrics(
    provider: Provider,
    token: TokenSet,
    counts_url: str,
    counts: dict[str, Any],
    expected: dict[str, int],
) -> None:
    """With the simulator's counters of the account at `counts_url` set to `counts`,
    account_metrics answers `expected`."""
    set_counts(counts_url, counts)
    assert provider.account_metrics(token) == expected


def assert_5xx_sent_but_not_on_upload(
    provider: Provider,
    token: TokenSet,
    sim: Simulator,
    publish: tuple[str, int],
    upload: tuple[str, int],
    media: list[MediaItem],
) -> None:
    """A 5xx answer (`(path, status)`) to the call that publishes may come after the post was
    made: the error is marked sent, with that status. One to a media upload before it is known
    not sent, and nothing is posted."""
    sim.inject(provider.id, str(publish[1]), path=publish[0])
    exc = publish_error(provider, token, PublishRequest(text="x"), TransientError)
    assert exc.sent is True and exc.status == publish[1]
    sim.inject(provider.id, str(upload[1]), path=upload[0])
    request = PublishRequest(text="x", media=media)
    assert publish_error(provider, token, request, TransientError).sent is False
    assert sim.posts(provider.id) == []


def assert_throttled_until_estimate(
    provider: Provider, token: TokenSet, request: PublishRequest, code: str
) -> None:
    """A Graph throttle (the test injected a 429 with a 600 s reset) is RateLimited with the
    platform's `code`, retried when the usage header's estimate says (about 10 minutes)."""
    exc = publish_error(provider, token, request, RateLimited)
    assert exc.code == code
    wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
    assert 500 < wait < 700
