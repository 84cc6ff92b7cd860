"""Media made ready for one network just before publishing: images it would refuse are
converted (media_convert) and stored next to the original as a copy of their own, so platforms
that fetch media by URL (Instagram, Threads, Pinterest...) fetch the converted file. The
library keeps the original; a copy is made once per network and reused by retries.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Sequence
from typing import Protocol

from PIL import UnidentifiedImageError

from app.providers.base import MediaItem, PermanentError, Provider
from app.providers.registry import all_providers
from app.services import checks, media_convert
from app.storage import get_storage, url_for


class StoredMedia(Protocol):
    """What an attachment needs of a stored medium: a Media row, or the publishing engine's
    lighter record of one (`claims.ClaimedMedia`)."""

    @property
    def storage_key(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def file_type(self) -> str: ...
    @property
    def file_size(self) -> int: ...
    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...


log = logging.getLogger(__name__)


def converted_key(storage_key: str, platform: str, conv: media_convert.Conversion) -> str:
    """Where the copy for `platform` lives: one per original, network and conversion."""
    limits = f"{conv.max_side or 0}-{conv.max_bytes or 0}"
    return f"converted/{platform}/{storage_key}.{limits}{media_convert.SUFFIX[conv.mime]}"


def _convert(provider: Provider, stored: StoredMedia, item: MediaItem) -> MediaItem:
    conv = media_convert.plan(provider, provider.limits, item)
    if conv is None:
        return item
    key = converted_key(stored.storage_key, provider.id, conv)
    storage = get_storage()
    info = storage.head(key)
    width: int | None
    height: int | None
    if info is None:
        with item.open() as fh:
            data = fh.read()
        try:
            body, width, height = media_convert.convert(data, conv)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise PermanentError(
                f"{item.filename} could not be converted to "
                f"{media_convert.type_name(conv.mime)} for {provider.display_name}: it does not "
                "read as an image."
            ) from exc
        storage.put(key, body, conv.mime)
        size = len(body)
        log.info("converted %s for %s: %s, %d bytes", stored.storage_key, provider.id, key, size)
    else:  # converted by an earlier attempt
        planned = media_convert.as_planned(item, conv)
        size, width, height = info.size, planned.width, planned.height
    return dataclasses.replace(
        item,
        mime=conv.mime,
        size=size,
        open=lambda: get_storage().open(key),
        filename=media_convert.renamed(item, conv),
        url=url_for(key, content_type=conv.mime),
        width=width,
        height=height,
    )


def converted_copies(stored: StoredMedia) -> list[str]:
    """Where the network copies of a medium may be (to delete them with it)."""
    item = media_item_facts(stored)
    keys: list[str] = []
    for cls in all_providers():
        provider = checks.offline_provider(cls.id)
        conv = media_convert.plan(provider, provider.limits, item)
        if conv is not None:
            keys.append(converted_key(stored.storage_key, cls.id, conv))
    return keys


def media_item_facts(stored: StoredMedia) -> MediaItem:
    """A medium's facts as conversion plans read them (no URL, no bytes)."""
    return MediaItem(
        stored.file_type, stored.file_size, io.BytesIO, stored.filename,
        width=stored.width, height=stored.height,
    )  # fmt: skip


def prepare(
    provider: Provider, stored: Sequence[StoredMedia], items: list[MediaItem]
) -> list[MediaItem]:
    """`items` (built from `stored`, in the same order) as this network will take them."""
    return [_convert(provider, s, i) for s, i in zip(stored, items, strict=True)]
