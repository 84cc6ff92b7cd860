"""The guarded outbound client over real HTTP: the SSRF matrix (addresses, IPv6 and IPv4 hidden
in it, names resolving to loopback, redirects, DNS rebinding), size and time caps, and the
places users reach it: a Mastodon instance URL, a Bluesky server, a YouTube thumbnail_url.

A "probe" server on loopback stands in for an internal service; it records every request, so
"refused" means it was never reached. The test run allows 127.0.0.1 (its simulators); each test
here sets the allow-list it needs, empty by default.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from app.config import settings
from app.net import outbound
from app.providers.base import MediaItem, PublishRequest
from simulator import SimServer, Simulator
from simulator.youtube import YouTubeSim
from tests.integration.helpers import error_of, registered
from tests.support.http_probe import PNG, Probe

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture(autouse=True)
def no_allow_list(monkeypatch) -> None:
    monkeypatch.setattr(settings, "outbound_allow", "")


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    with Probe("127.0.0.1") as p:
        yield p


@pytest.fixture
def hits(probe: Probe) -> list[str]:
    probe.hits.clear()
    return probe.hits


def refused(url: str, **kw) -> str:
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(url, max_bytes=10_000, seconds=3, **kw)
    return caught.value.message


def forms_of_loopback(port: int) -> list[str]:
    """The internal server's address, written every way a user could."""
    return [
        f"http://127.0.0.1:{port}/secret",
        f"http://localhost:{port}/secret",  # a DNS name resolving to loopback
        f"http://LOCALHOST.:{port}/secret",
        f"http://127.1:{port}/secret",
        f"http://2130706433:{port}/secret",  # decimal
        f"http://0x7f000001:{port}/secret",  # hex
        f"http://017700000001:{port}/secret",  # octal
        f"http://[::1]:{port}/secret",
        f"http://[::ffff:127.0.0.1]:{port}/secret",  # IPv4-mapped IPv6
        f"http://[::ffff:7f00:1]:{port}/secret",
        f"http://[::127.0.0.1]:{port}/secret",  # IPv4-compatible
        f"http://[64:ff9b::7f00:1]:{port}/secret",  # NAT64 of 127.0.0.1
        f"http://[2002:7f00:1::]:{port}/secret",  # 6to4 of 127.0.0.1
        f"http://0.0.0.0:{port}/secret",
        f"https://127.0.0.1:{port}/secret",
    ]


def test_every_form_of_loopback_is_refused_before_connecting(probe, hits):
    for url in forms_of_loopback(probe.port):
        message = refused(url)
        assert "Refused" in message or "could not be" in message, (url, message)
    assert hits == []


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1", "172.16.5.4", "192.168.1.1",  # private
        "169.254.169.254", "[fe80::1]",  # link-local: cloud metadata
        "100.64.0.1", "100.100.100.200",  # CGNAT (Alibaba metadata)
        "192.0.0.192",  # Oracle metadata
        "224.0.0.1", "[ff02::1]",  # multicast
        "240.0.0.1", "255.255.255.255",  # reserved, broadcast
        "[fd00:ec2::254]", "[fc00::1]",  # unique local (AWS IPv6 metadata)
        "198.18.0.1", "[::]",
    ],
)  # fmt: skip
def test_private_reserved_and_metadata_addresses_are_refused(address):
    assert refused(f"http://{address}/latest/meta-data/").startswith("Refused")


def test_only_http_and_https(probe, hits):
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/",
                "dict://127.0.0.1:11211/", "javascript:alert(1)"):  # fmt: skip
        assert refused(url) == "Only http(s) links can be fetched."
    assert hits == []


def test_every_redirect_hop_is_checked(probe, hits, monkeypatch):
    with Probe("127.0.0.1") as public:
        # The operator allows one server (think: a public host); it redirects inward.
        monkeypatch.setattr(settings, "outbound_allow", f"127.0.0.1:{public.port}")
        for target in (f"{probe.url}/secret", f"http://[::1]:{probe.port}/secret",
                       f"http://localhost:{probe.port}/secret", "file:///etc/passwd"):  # fmt: skip
            message = refused(f"{public.url}/redirect?to={target}")
            assert "Refused" in message or "could not be reached" in message, (target, message)
        assert public.hits and all(h.startswith("/redirect") for h in public.hits)
        # A redirect to an allowed place is followed.
        got = outbound.fetch(f"{public.url}/redirect?to=/png", max_bytes=1000)
        assert got.content == PNG and got.url.endswith("/png")
    assert hits == []


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected(monkeypatch):
    """DNS rebinding: the resolver answers an allowed address first and an internal one after.
    The client resolves once, checks, and connects to what it checked."""
    with Probe("127.0.0.1") as good, Probe("127.0.0.2", good.port) as internal:
        monkeypatch.setattr(settings, "outbound_allow", "127.0.0.1")  # the "public" address
        answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])
        calls: list[str] = []

        def rebinding(host: str, port: int) -> list[str]:
            calls.append(host)
            return next(answers)

        got = outbound.fetch(f"http://rebind.example:{good.port}/x", max_bytes=100,
                             resolver=rebinding)  # fmt: skip
        assert got.content == b"internal secret" and good.hits == ["/x"]
        assert calls == ["rebind.example"]  # resolved once for the one connection
        # Asked again, the name now points inward: refused, nothing reaches the internal server.
        refused(f"http://rebind.example:{good.port}/x", resolver=rebinding)
        assert internal.hits == []
        # A name with one public and one internal address is refused as a whole.
        mixed = refused(f"http://mixed.example:{good.port}/x",
                        resolver=lambda h, p: ["93.184.215.14", "127.0.0.2"])  # fmt: skip
        assert mixed.startswith("Refused") and internal.hits == []


def test_size_and_time_caps(probe, monkeypatch):
    monkeypatch.setattr(settings, "outbound_allow", f"127.0.0.1:{probe.port}")
    assert "larger than" in refused(f"{probe.url}/big")  # refused by its Content-Length
    assert "larger than" in refused(f"{probe.url}/chunked")  # cut while streaming
    with pytest.raises(outbound.FetchError, match="did not answer in time"):
        outbound.fetch(f"{probe.url}/drip", max_bytes=10_000, seconds=1)


def test_short_message_keeps_foreign_text_to_one_safe_line():
    text = "<h1>Oops</h1>\n<script>x()</script>\x1b[31m\u202edetail &amp; " + "A" * 1000
    short = outbound.short_message(text, 120)
    assert len(short) <= 120 and "<" not in short and "\n" not in short and "\x1b" not in short
    assert short.startswith("Oops") and "& " in short and "\u202e" not in short


# ------------------------------------------------------------------ where users reach it


@pytest.fixture
def admin():
    c, me = registered("admin@example.com", "Admin")
    c.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    return c


def test_mastodon_instance_url_cannot_point_inside(admin, probe, hits):
    for instance in (f"http://127.0.0.1:{probe.port}/x", f"https://127.0.0.1:{probe.port}",
                     "https://10.0.0.7", f"https://localhost:{probe.port}",
                     "https://[::ffff:169.254.169.254]", "https://169.254.169.254"):  # fmt: skip
        r = admin.post("/api/accounts/connect/mastodon", json={"instance_url": instance})
        assert r.status_code == 422, (instance, r.text)
        assert error_of(r)["code"] in ("private_address", "invalid_instance"), r.text
        assert error_of(r)["details"]["field"] == "instance_url"
    assert hits == []


def test_bluesky_server_cannot_point_inside(admin, probe, hits):
    r = admin.post("/api/accounts/login/bluesky", json={
        "identifier": "me.bsky.social", "app_password": "abcd-efgh-ijkl-mnop",
        "service_url": f"https://127.0.0.1:{probe.port}"})  # fmt: skip
    assert r.status_code == 422 and error_of(r)["code"] == "private_address", r.text
    assert hits == []


def test_a_foreign_servers_error_text_comes_back_short_and_sanitised(admin, probe, monkeypatch):
    """A (public, here allow-listed) server answering with an HTML error page full of internal
    details: the user sees one short line, no markup, no reflection channel."""
    monkeypatch.setattr(settings, "outbound_allow", f"127.0.0.1:{probe.port}")
    r = admin.post("/api/accounts/connect/mastodon",
                   json={"instance_url": f"http://127.0.0.1:{probe.port}/error"})  # fmt: skip
    assert r.status_code == 502, r.text
    message = error_of(r)["message"]
    assert len(message) <= 400 and "<" not in message and "\n" not in message, message
    assert "\x1b" not in message and message.count("db=10.0.0.5") < 30


def test_youtube_thumbnail_url_pointing_inside_is_never_fetched(probe, hits, monkeypatch):
    from tests.providers.test_youtube import make_provider, minted, mp4

    with SimServer(Simulator(platforms=[YouTubeSim], seed=5)) as sim, sim_http() as http:
        # The platform API is the operator's (the simulator); the thumbnail URL is the user's.
        provider = make_provider(sim, http)
        token = minted(sim.sim)

        def publish(url: str) -> dict:
            video = mp4(30_000, seed=uuid.uuid4().int % 1000)
            item = MediaItem.from_bytes(video, "video/mp4", "clip.mp4")
            options = {"title": "Launch", "thumbnail_url": url}
            return provider.publish(token, PublishRequest("", [item], options)).extra

        for url in (f"{probe.url}/png", f"http://localhost:{probe.port}/png",
                    "http://169.254.169.254/latest/meta-data/iam/"):  # fmt: skip
            extra = publish(url)
            assert "Refused" in extra["thumbnail_error"], extra
        assert hits == []
        # A thumbnail on an allowed (public) server is fetched and set.
        monkeypatch.setattr(settings, "outbound_allow", f"127.0.0.1:{probe.port}")
        assert "thumbnail_error" not in publish(f"{probe.url}/png")
        assert "not a JPEG or PNG" in publish(f"{probe.url}/secret")["thumbnail_error"]


def sim_http():
    import httpx

    return httpx.Client(timeout=httpx.Timeout(5.0, read=5.0))
