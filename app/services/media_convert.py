"""Images a network would refuse, made acceptable: another format, fewer pixels, fewer bytes.

`plan` decides from the provider's limits alone (accepted types, byte cap, longest side) what has
to change for one image, cheaply and without reading it, so the composer can say "PNG will be
converted to JPEG for Instagram" while the user types and validation can judge the image as it
will be sent. `convert` does it with Pillow at publish time; the original stays in the library.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from app.providers.base import Limits, MediaItem, Provider

# What Pillow can read and write for the networks (animated GIFs lose their animation).
CONVERTIBLE = frozenset(
    {"image/png", "image/webp", "image/gif", "image/bmp", "image/tiff", "image/jpeg"}
)
# Preferred targets, in order: JPEG is accepted everywhere that takes images.
TARGETS = ("image/jpeg", "image/png", "image/webp")
NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
    "image/heic": "HEIC",
}
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class Conversion:
    """What happens to one image for one network (`mime` is what is sent)."""

    source: str
    mime: str
    max_side: int | None = None
    max_bytes: int | None = None

    @property
    def changes_format(self) -> bool:
        return self.mime != self.source


def type_name(mime: str) -> str:
    return NAMES.get(mime, mime.split("/", 1)[-1].upper())


def _accepted(limits: Limits) -> set[str]:
    return {t for t in limits.media_types if t.startswith("image/")}


def plan(provider: Provider | type[Provider], limits: Limits, item: MediaItem) -> Conversion | None:
    """The conversion `item` needs for this network, or None when it goes as it is (or when no
    conversion could help: not an image, a type Pillow cannot read, a network taking no images)."""
    if item.kind != "image" or item.mime not in CONVERTIBLE:
        return None
    accepted = _accepted(limits)
    if not accepted:
        return None
    target = item.mime if item.mime in accepted else None
    if target is None:
        target = next((t for t in TARGETS if t in accepted), None)
    if target is None:
        return None
    cap = limits.max_size_for(target)
    side = provider.max_image_side
    too_big = cap is not None and item.size > cap
    too_wide = bool(side and item.width and item.height and max(item.width, item.height) > side)
    if target == item.mime and not too_big and not too_wide:
        return None
    if target == item.mime == "image/gif":
        return None  # shrinking an animation would drop it: leave the refusal to validation
    return Conversion(item.mime, target, side if too_wide else None, cap if too_big else None)


def describe(conv: Conversion, filename: str, network: str) -> str:
    """The conversion in the user's words."""
    if conv.changes_format:
        what = f"{filename} ({type_name(conv.source)}) will be converted to "
        what += f"{type_name(conv.mime)} for {network}"
        if conv.source == "image/gif":
            what += " (as a still image)"
        return what + "."
    if conv.max_side:
        side = conv.max_side
        return f"{filename} will be scaled down to {side} pixels on its longer side for {network}."
    return f"{filename} will be compressed to fit {network}'s size limit."


def as_planned(item: MediaItem, conv: Conversion) -> MediaItem:
    """`item` as validation should judge it once converted (type changed, within the caps)."""
    size = min(item.size, conv.max_bytes) if conv.max_bytes else item.size
    width, height = item.width, item.height
    if conv.max_side and width and height and max(width, height) > conv.max_side:
        scale = conv.max_side / max(width, height)
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
    return dataclasses.replace(
        item, mime=conv.mime, size=size, width=width, height=height, filename=renamed(item, conv)
    )


def renamed(item: MediaItem, conv: Conversion) -> str:
    if not conv.changes_format:
        return item.filename
    stem = item.filename.rsplit(".", 1)[0] if "." in item.filename else item.filename
    return stem + SUFFIX[conv.mime]


def _flatten(image: Image.Image) -> Image.Image:
    """Transparency on white (JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def convert(data: bytes, conv: Conversion) -> tuple[bytes, int, int]:
    """The image re-encoded as `conv` says: (bytes, width, height). Quality, then size, give
    way until the byte cap is met."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        image = ImageOps.exif_transpose(opened) or opened
        image.load()
    fmt = _FORMATS[conv.mime]
    if fmt == "JPEG":
        image = _flatten(image)
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    if conv.max_side and max(image.size) > conv.max_side:
        image.thumbnail((conv.max_side, conv.max_side), Image.Resampling.LANCZOS)
    quality = 90
    while True:
        out = io.BytesIO()
        kwargs: dict[str, object] = {"optimize": True}
        if fmt in ("JPEG", "WEBP"):
            kwargs["quality"] = quality
        image.save(out, fmt, **kwargs)
        body = out.getvalue()
        if conv.max_bytes is None or len(body) <= conv.max_bytes or max(image.size) <= 64:
            return body, image.width, image.height
        if fmt in ("JPEG", "WEBP") and quality > 60:
            quality -= 10
            continue
        w, h = image.size
        image = image.resize((max(1, int(w * 0.8)), max(1, int(h * 0.8))), Image.Resampling.LANCZOS)
