"""The guarded outbound HTTP client: every request to a URL that a user, a workspace setting or a
foreign server's answer can influence goes through here (post options such as a thumbnail URL,
federated servers, OAuth discovery, media by URL, later webhooks).

- http and https only, on every redirect hop;
- the host is resolved once per connection and the socket is opened to the address that was
  checked (no second lookup a DNS rebinding could answer differently);
- loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved and unspecified
  addresses are refused, IPv6 included (and IPv4 hidden in IPv6: mapped, compatible, NAT64,
  6to4, Teredo); a name with any such address is refused;
- answers are capped in size and their bodies must arrive within a deadline;
- foreign error text is reduced to a short, single-line message (`short_message`).

The only exceptions are the entries of `HERALD_OUTBOUND_ALLOW` (the simulator in development,
tests): a host name, an IP address or a network, each optionally with a port, e.g.
`127.0.0.1:8900, sim.internal, 10.1.0.0/16`.
"""

from __future__ import annotations

import html
import ipaddress
import itertools
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

from app.config import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
# Ranges `is_global` lets through that must not be reachable from a server either.
_EXTRA_BLOCKED = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # CGNAT (Alibaba's metadata service lives here)
        "192.0.0.0/24",  # IETF protocol assignments (Oracle's metadata at 192.0.0.192)
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # local-use NAT64
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(httpx.TransportError):
    """The request was not sent (or its answer not read): the address is not allowed, the URL is
    not http(s), or the answer is too large."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the operating system's resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"{host} could not be resolved") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or int(ip) >> 32 == 0:  # NAT64 or IPv4-compatible (::a.b.c.d)
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str | IPAddress) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local,
    CGNAT, multicast, reserved and the IPv6 forms of those."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        inner = _embedded_v4(ip)
        if inner is not None and not is_public(inner):
            return False
    return (
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_link_local
        and not ip.is_loopback
        and not ip.is_unspecified
        and not any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version)
    )


@dataclass(frozen=True)
class AllowEntry:
    host: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    def matches(self, host: str, ip: IPAddress | None, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.host is not None:
            return self.host == host.lower().rstrip(".")
        assert self.network is not None
        return ip is not None and ip.version == self.network.version and ip in self.network


def parse_allow(value: str) -> list[AllowEntry]:
    """`HERALD_OUTBOUND_ALLOW`: comma-separated host names, IPs or networks, each with an
    optional `:port` (IPv6 in brackets: `[::1]:8900`)."""
    entries = []
    for raw in value.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        port: int | None = None
        match = re.fullmatch(r"\[([0-9a-f:.]+)\](?::(\d+))?|([^:/]+(?:/\d+)?)(?::(\d+))?", item)
        if match is None:  # a bare IPv6 address or network, no port
            target = item
        else:
            target = match.group(1) or match.group(3)
            digits = match.group(2) or match.group(4)
            port = int(digits) if digits else None
        try:
            network = ipaddress.ip_network(target, strict=False)
            entries.append(AllowEntry(network=network, port=port))
        except ValueError:
            entries.append(AllowEntry(host=target.rstrip("."), port=port))
    return entries


def allowed(host: str, address: str, port: int) -> bool:
    """Whether a connection to `address` (resolved from `host`) on `port` may be made."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(e.matches(host, ip, port) for e in parse_allow(settings.outbound_allow)):
        return True
    return is_public(address)


def check(url: str, resolver: Resolver = system_resolver) -> None:
    """Refuse early (OutboundRefused) a URL the guarded client would refuse to connect to; the
    connection checks again, so this is for a clear answer, not the defence."""
    parts = httpx.URL(url)
    if parts.scheme not in SCHEMES or not parts.host:
        raise OutboundRefused(f"only http(s) URLs are allowed, not {parts.scheme!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    _checked(parts.host, port, resolver)


def listed(url: str) -> bool:
    """Whether the URL's host (a name, or an IP literal) is on HERALD_OUTBOUND_ALLOW."""
    parts = httpx.URL(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        ip: IPAddress | None = ipaddress.ip_address(parts.host)
    except ValueError:
        ip = None
    return any(e.matches(parts.host, ip, port) for e in parse_allow(settings.outbound_allow))


def _checked(host: str, port: int, resolver: Resolver) -> list[str]:
    """The addresses of `host`, all of them allowed, or OutboundRefused."""
    host = host.strip("[]")
    addresses = resolver(host, port)
    if not addresses:
        raise httpx.ConnectError(f"{host} could not be resolved")
    if any(not allowed(host, a, port) for a in addresses):
        raise OutboundRefused(
            f"{host} is (or resolves to) a private or reserved address; Herald does not "
            "connect there"
        )
    return addresses


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves once, checks every address, connects to a checked one."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._sync = SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = _checked(host, port, self._resolver)
        last: Exception | None = None
        for address in addresses:
            try:
                return self._sync.connect_tcp(
                    address.split("%", 1)[0], port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise OutboundRefused("Unix sockets are not reachable from outbound requests")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Capped(httpx.SyncByteStream):
    """A response body that stops at `max_bytes` and at `deadline` (monotonic)."""

    def __init__(self, stream: httpx.SyncByteStream, max_bytes: int, deadline: float) -> None:
        self._stream = stream
        self._max = max_bytes
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._stream:
            seen += len(chunk)
            if seen > self._max:
                raise OutboundRefused(f"the answer is larger than {self._max} bytes")
            if time.monotonic() > self._deadline:
                raise httpx.ReadTimeout("the answer took too long to arrive")
            yield chunk

    def close(self) -> None:
        self._stream.close()


@cache
def ssl_context(trust_env: bool = False) -> ssl.SSLContext:
    """The process's TLS context (`trust_env`: honouring SSL_CERT_FILE / SSL_CERT_DIR), shared
    by its clients: building one reads the whole CA bundle, about 75 ms and 1 MB each."""
    return httpx.create_ssl_context(trust_env=trust_env)


class ThreadShards(httpx.BaseTransport):
    """`shards` transports made by `make`; a thread always sends through the same one.

    httpcore's connection pool looks at each of its connections several times per request,
    under one lock (and at every connection again for each idle one): a worker process's 64 job
    threads sharing one pool of 70 connections spent more CPU there than on the requests
    themselves. A few threads per pool keep each pool a few connections small."""

    def __init__(self, make: Callable[[], httpx.BaseTransport], shards: int) -> None:
        self._shards = [make() for _ in range(max(1, shards))]
        self._next = itertools.count()
        self._mine = threading.local()

    def _shard(self) -> httpx.BaseTransport:
        shard: httpx.BaseTransport | None = getattr(self._mine, "shard", None)
        if shard is None:
            shard = self._mine.shard = self._shards[next(self._next) % len(self._shards)]
        return shard

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._shard().handle_request(request)

    def close(self) -> None:
        for shard in self._shards:
            shard.close()


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the guarded network backend and the caps."""

    def __init__(
        self, *, resolver: Resolver, max_bytes: int, body_seconds: float, connections: int
    ) -> None:
        super().__init__(verify=ssl_context(), trust_env=False)  # (its own pool is replaced)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context(),
            max_connections=connections,
            max_keepalive_connections=connections,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(resolver),
        )
        self._max_bytes = max_bytes
        self._body_seconds = body_seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in SCHEMES or not request.url.host:
            raise OutboundRefused(f"only http(s) URLs are allowed, not {request.url.scheme!r}")
        response = super().handle_request(request)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._max_bytes:
            response.close()
            raise OutboundRefused(f"the answer is larger than {self._max_bytes} bytes")
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _Capped(
            response.stream, self._max_bytes, time.monotonic() + self._body_seconds
        )
        return response


def client(
    *,
    timeout: httpx.Timeout | float | None = None,
    max_bytes: int = 16 * 1024 * 1024,
    body_seconds: float | None = None,
    resolver: Resolver = system_resolver,
    headers: dict[str, str] | None = None,
    connections: int = 20,
    shards: int = 1,
) -> httpx.Client:
    """An httpx client whose every connection (redirects included) is guarded; for providers
    talking to a server a user chose (a Mastodon instance, a Bluesky PDS). `connections`: how
    many requests it sends at once (a worker process shares one client among its jobs);
    `shards` > 1: that many connection pools, one per group of threads (see ThreadShards)."""
    timeout = timeout or httpx.Timeout(
        connect=settings.outbound_connect_seconds,
        read=settings.http_timeout_seconds,
        write=60.0,
        pool=10.0,
    )

    def transport() -> GuardedTransport:
        return GuardedTransport(
            resolver=resolver,
            max_bytes=max_bytes,
            body_seconds=body_seconds or settings.outbound_body_seconds,
            connections=connections,
        )

    return httpx.Client(
        transport=transport() if shards <= 1 else ThreadShards(transport, shards),
        timeout=timeout,
        trust_env=False,
        max_redirects=MAX_REDIRECTS,
        headers=headers,
    )


class FetchError(Exception):
    """A guarded fetch failed; `message` is short and fit to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str
    url: str


def fetch(
    url: str,
    *,
    max_bytes: int,
    seconds: float | None = None,
    resolver: Resolver = system_resolver,
) -> Fetched:
    """GET a URL someone gave us (redirects followed, each hop checked), at most `max_bytes`,
    within about `seconds`. Raises FetchError with a short message."""
    seconds = seconds or settings.outbound_body_seconds
    parts = httpx.URL(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in SCHEMES or not parts.host:
        raise FetchError("Only http(s) links can be fetched.")
    timeout = httpx.Timeout(connect=min(5.0, seconds), read=seconds, write=seconds, pool=seconds)
    try:
        with client(
            timeout=timeout, max_bytes=max_bytes, body_seconds=seconds, resolver=resolver
        ) as http:
            response = http.get(url, follow_redirects=True)
            if not response.is_success:
                raise FetchError(
                    f"{parts.host} answered HTTP {response.status_code} "
                    f"{short_message(response.reason_phrase, 40)}".strip()
                )
            ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Fetched(response.content, ctype, str(response.url))
    except OutboundRefused as exc:
        raise FetchError(f"Refused: {exc}.") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{parts.host} redirected too many times.") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{parts.host} did not answer in time.") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{parts.host} could not be reached.") from exc


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def short_message(text: object, limit: int = 300) -> str:
    """Foreign text made safe to show: tags, control and bidi characters dropped, whitespace
    collapsed, at most `limit` characters."""
    value = html.unescape(_TAG.sub(" ", str(text or "")))
    value = " ".join(_CONTROL.sub(" ", value).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
