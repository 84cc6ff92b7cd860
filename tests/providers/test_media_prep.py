"""Images converted for the network that refuses them, as publishing does it (media_prep):
a PNG in S3 (moto's server) goes to the Instagram simulator, which refuses PNG images as the
Graph API does, then converted to JPEG and stored beside the original, which stays as it was."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from app.providers.accounts import TokenSet
from app.providers.errors import PermanentError
from app.providers.instagram import InstagramProvider
from app.providers.posts import PublishRequest
from app.services import checks, media_convert, media_prep
from app.services.claims import ClaimedMedia
from app.services.media import media_item
from app.storage import get_storage
from simulator import Simulator
from simulator.instagram import InstagramSim
from tests.providers.helpers import one_post
from tests.providers.test_instagram import make_provider, minted  # noqa: F401 (fixtures use them)
from tests.support.s3 import moto_s3, store_in_s3

SIMULATED = [InstagramSim]
SEED = 5
BUCKET = "herald-convert"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_s3(BUCKET) as url:
        yield url


@pytest.fixture
def s3(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store_in_s3(monkeypatch, moto_url, BUCKET)


def _stored_png(size: tuple[int, int] = (600, 500)) -> ClaimedMedia:
    out = io.BytesIO()
    Image.new("RGBA", size, (20, 120, 200, 160)).save(out, "PNG")
    data = out.getvalue()
    key = f"{uuid.uuid4()}/{uuid.uuid4().hex}-logo.png"
    get_storage().put(key, data, "image/png")
    return ClaimedMedia(key, "logo.png", "image/png", len(data), size[0], size[1])


def test_png_refused_as_is_then_converted_to_jpeg(
    s3: None, provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    stored = _stored_png()
    item = media_item(stored, "A blue square")
    # Sent as it is, the platform refuses it (the image is fetched by its .png address), and
    # so does the provider's own validation before any request.
    with pytest.raises(PermanentError, match="JPEG images only"):
        provider.publish(token, PublishRequest("Our new logo", media=[item]))
    with pytest.raises(PermanentError, match="Only JPEG images are accepted"):
        provider._container(token, token.extra["account_id"], {"image_url": item.url})
    # The composer and Schedule announce the conversion instead of refusing the post.
    found = checks.check(provider, "Our new logo", [item], {})
    assert found.problems == []
    assert found.notes == ["logo.png (PNG) will be converted to JPEG for Instagram."]

    [ready] = media_prep.prepare(provider, [stored], [item])
    assert (ready.mime, ready.filename, ready.alt_text) == (
        "image/jpeg",
        "logo.jpg",
        "A blue square",
    )
    result = provider.publish(token, PublishRequest("Our new logo", media=[ready]))
    assert result.state == "published"
    post = one_post(sim, "instagram")
    [sent] = post["media"]
    assert sent["alt_text"] == "A blue square"
    assert ".jpg" in sent["url"] and ".png?" not in sent["url"]

    # The converted copy is a real JPEG of the same size; the original is untouched.
    with httpx.Client() as client:
        body = client.get(sent["url"]).content
    with Image.open(io.BytesIO(body)) as im:
        assert (im.format, im.size) == ("JPEG", (600, 500))
    with get_storage().open(stored.storage_key) as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"

    # Deleting the medium from the library deletes the copies too: they are found again.
    assert len(media_prep.converted_copies(stored)) >= 1
    assert any("converted/instagram/" in k for k in media_prep.converted_copies(stored))
    copy_key = next(k for k in media_prep.converted_copies(stored) if "/instagram/" in k)
    assert get_storage().head(copy_key) is not None

    # A retry reuses the copy instead of converting again.
    [again] = media_prep.prepare(provider, [stored], [item])
    assert again.size == ready.size and again.url and ".jpg" in again.url


def test_large_image_scaled_down_for_instagram(
    s3: None, provider: InstagramProvider, token: TokenSet, sim: Simulator
) -> None:
    stored = _stored_png((2400, 1800))
    [ready] = media_prep.prepare(provider, [stored], [media_item(stored)])
    assert (ready.width, ready.height) == (1440, 1080)
    assert provider.publish(token, PublishRequest("Big", media=[ready])).state == "published"
    key = media_prep.converted_key(stored.storage_key, "instagram", _plan(provider, stored))
    with get_storage().open(key) as fh:
        data = fh.read()
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (1440, 1080)


def _plan(provider: InstagramProvider, stored: ClaimedMedia) -> media_convert.Conversion:
    conv = media_convert.plan(provider, provider.limits, media_item(stored))
    assert conv is not None
    return conv
