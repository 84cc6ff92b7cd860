"""The per-network check the composer runs while the user types and Schedule runs before it
writes (services/checks.py): problems in plain words, conversions announced instead of refused,
what each network needs; and the Pillow conversion itself (services/media_convert.py)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from app.providers.base import MediaItem, PublishRequest
from app.providers.registry import all_providers
from app.services import checks, media_convert
from app.ui.state.composer_checks import live_check, video_preview
from app.ui.state.composer_model import MediaRef, Preview

PLATFORMS = [p.id for p in all_providers()]
URL = "https://media.example.com/file"


def _image(fmt: str = "PNG", size: tuple[int, int] = (64, 48), alpha: bool = True) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if alpha and fmt != "JPEG" else "RGB"
    Image.new(mode, size, (200, 30, 30, 0) if mode == "RGBA" else (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _item(data: bytes, mime: str, name: str, alt: str | None = None) -> MediaItem:
    with Image.open(io.BytesIO(data)) as im:
        w, h = im.size
    item = MediaItem.from_bytes(data, mime, name, alt)
    item.url, item.width, item.height = f"{URL}/{name}", w, h
    return item


def _video(name: str = "clip.mp4") -> MediaItem:
    return MediaItem("video/mp4", 5_000_000, io.BytesIO, name, url=f"{URL}/{name}")


def _check(platform: str, text: str, media: list[MediaItem], options: dict | None = None):
    return checks.check(checks.offline_provider(platform), text, media, options or {})


# Internal names never reach a user: option keys (snake_case), "(option '…')", "x · Alice".
_INTERNAL = re.compile(r"option '|\b[a-z]+_[a-z_]+\b| · ")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_messages_are_plain_words(platform: str) -> None:
    found = _check(platform, "x" * 70_000, [_item(_image(), "image/png", "logo.png")])
    assert found.problems, platform
    for message in found.problems + found.notes:
        assert not _INTERNAL.search(message), (platform, message)
    assert checks.requirements(platform).startswith(("Needs", "Text up to"))


def test_too_long_for_x_and_fixed() -> None:
    long = _check("x", "a" * 281, [])
    assert long.problems == [
        "The post is 281 characters as X counts them; the limit is 280 (a link counts as 23, "
        "an emoji or a CJK character as 2)."
    ]
    assert _check("x", "a" * 280, []).problems == []


def test_youtube_needs_a_video_and_a_title() -> None:
    found = _check("youtube", "A description", [_item(_image("JPEG"), "image/jpeg", "t.jpg")])
    assert "A YouTube post needs exactly one video." in found.problems
    assert "Add a video title for YouTube (up to 100 characters)." in found.problems
    ready = _check("youtube", "A description", [_video()], {"title": "My film"})
    assert ready.problems == []
    assert checks.requirements("youtube").startswith("Needs exactly one video.")


def test_instagram_png_is_converted_not_refused() -> None:
    png = _item(_image(), "image/png", "logo.png")
    found = _check("instagram", "Caption", [png])
    assert found.problems == []
    assert found.notes == ["logo.png (PNG) will be converted to JPEG for Instagram."]
    # The provider alone (without the conversion) refuses it: the check judges what is sent.
    raw = checks.offline_provider("instagram").validate(PublishRequest("Caption", media=[png]))
    assert any("JPEG images only" in p for p in raw)
    # A network that takes PNG leaves it alone.
    assert _check("x", "hi", [png]).notes == []


def test_oversized_image_is_scaled_for_instagram() -> None:
    big = _item(_image("JPEG", (2000, 1500)), "image/jpeg", "big.jpg")
    found = _check("instagram", "Caption", [big])
    assert found.problems == []
    assert found.notes == [
        "big.jpg will be scaled down to 1440 pixels on its longer side for Instagram."
    ]
    # Scaling keeps the shape: an image Instagram's feed cannot show is the user's to crop.
    wide = _item(_image("JPEG", (2000, 1000)), "image/jpeg", "wide.jpg")
    assert _check("instagram", "Caption", [wide]).problems == [
        "wide.jpg: Instagram feed images must have an aspect ratio between 4:5 and 1.91:1 "
        "(this one is 1440×720)."
    ]


def test_alt_text_over_the_network_limit() -> None:
    png = _item(_image(), "image/png", "logo.png", alt="a" * 600)
    found = _check("pinterest", "Pin", [png], {"board_id": "123"})
    assert found.problems == ["Alt text is limited to 500 characters."]
    found = _check("bluesky", "Post", [_item(_image(), "image/png", "p.png", alt="b" * 2001)])
    assert found.problems == [
        "The alt text of p.png is 2,001 characters; Bluesky takes up to 2,000."
    ]
    assert _check("mastodon", "Post", [png]).problems == []


def test_account_state_and_server_limit_in_the_live_check() -> None:
    found = live_check("mastodon", "a" * 600, [], {}, 1000, "active")
    assert found.problems == []
    found = live_check("mastodon", "a" * 600, [], {}, None, "expired")
    assert found.problems[0] == "The account is expired: reconnect it first."
    assert "this instance allows 500" in found.problems[1]


def test_convert_png_with_alpha_to_jpeg_on_white() -> None:
    data = _image("PNG", (40, 30), alpha=True)
    conv = media_convert.Conversion("image/png", "image/jpeg")
    body, w, h = media_convert.convert(data, conv)
    with Image.open(io.BytesIO(body)) as im:
        assert (im.format, im.size, im.mode) == ("JPEG", (40, 30), "RGB")
        r, g, b = im.getpixel((5, 5))
        assert min(r, g, b) > 240  # transparent pixels flattened on white, not black
    assert (w, h) == (40, 30)


def test_convert_meets_byte_and_side_caps() -> None:
    noisy = Image.effect_noise((1600, 1200), 90).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    conv = media_convert.Conversion("image/png", "image/jpeg", max_side=1000, max_bytes=150_000)
    body, w, h = media_convert.convert(out.getvalue(), conv)
    assert len(body) <= 150_000 and max(w, h) <= 1000
    assert body[:3] == b"\xff\xd8\xff"


def test_video_networks_preview_a_video_frame() -> None:
    image = MediaRef("1", "https://m/t.jpg", "image", "t.jpg", mime="image/jpeg")
    video = MediaRef("2", "https://m/v.mp4", "video", "v.mp4", mime="video/mp4")
    yt = video_preview(Preview(platform="youtube", media=[image]), [image])
    assert (yt.frame, yt.video, yt.poster, yt.media) == ("16:9", "", "https://m/t.jpg", [])
    yt = video_preview(Preview(platform="youtube"), [video, image])
    assert (yt.video, yt.poster) == ("https://m/v.mp4", "https://m/t.jpg")
    tt = video_preview(Preview(platform="tiktok", media=[image]), [image])
    assert tt.frame == "" and tt.media == [image]  # a photo post stays a photo post
    tt = video_preview(Preview(platform="tiktok"), [video])
    assert (tt.frame, tt.video) == ("9:16", "https://m/v.mp4")
    x = video_preview(Preview(platform="x", media=[video]), [video])
    assert x.frame == "" and x.media == [video]
