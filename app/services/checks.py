"""Is a post ready for one network? One function for the composer (on every edit, in the
browser session) and for scheduling (posts.validate_destinations), so a problem shown while
typing is the problem Schedule refuses, and fixing it makes both agree.

Pure Python over the provider's own `validate`: images the network would refuse are judged as
they will be sent after conversion (media_convert), and the conversion is reported as a note
instead of a problem. Nothing here talks to a platform or the database.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any

from app.providers.base import Limits, MediaItem, Provider, PublishRequest
from app.providers.options import option_specs
from app.providers.registry import provider_class
from app.services import media_convert

# An address no request is ever sent to: validation never talks to a platform.
_OFFLINE_BASE = "https://offline.invalid"


@dataclass(frozen=True)
class Check:
    """The outcome for one destination: `problems` block publishing, `notes` say what Herald
    will do about the media (conversions)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@functools.cache
def _offline(platform: str) -> Provider:
    cls = provider_class(platform)
    provider = cls(api_base=cls.default_api_base or _OFFLINE_BASE)
    # Federated networks would read their server's limits on first use: never from here.
    if hasattr(provider, "_limits_loaded"):
        provider._limits_loaded = True
    return provider


def offline_provider(platform: str, max_text_length: int | None = None) -> Provider:
    """A provider for validating only, with the account's text limit when it has its own."""
    provider = copy.copy(_offline(platform))
    if max_text_length and max_text_length != provider.limits.max_text_length:
        provider.limits = dataclasses.replace(provider.limits, max_text_length=max_text_length)
    return provider


def _alt_problems(
    provider: Provider, media: list[MediaItem], found: list[str], where: str = ""
) -> list[str]:
    """Alt texts longer than the network takes (`where`: "Part 3: " for a thread part's)."""
    if any("alt text" in p.lower() for p in found if p.startswith(where)):
        return []  # the network's own check said it already
    out: list[str] = []
    limit = provider.alt_text_limit
    for m in media:
        if m.alt_text and limit and len(m.alt_text) > limit:
            out.append(
                f"{where}The alt text of {m.filename} is {len(m.alt_text):,} characters; "
                f"{provider.display_name} takes up to {limit:,}."
            )
    return out


def _prepared(
    provider: Provider, media: list[MediaItem], notes: list[str], where: str = ""
) -> list[MediaItem]:
    """`media` as they will be sent after conversion; each conversion is added to `notes`."""
    out: list[MediaItem] = []
    for item in media:
        conv = media_convert.plan(provider, provider.limits, item)
        if conv is None:
            out.append(item)
            continue
        notes.append(where + media_convert.describe(conv, item.filename, provider.display_name))
        out.append(media_convert.as_planned(item, conv))
    return out


def check(
    provider: Provider,
    text: str,
    media: list[MediaItem],
    options: dict[str, Any],
    thread_media: list[list[MediaItem]] | None = None,
) -> Check:
    """What stops this post from going to the provider's network, and what Herald will convert.
    The thread's further parts are `options["thread"]` (their texts, checked by the provider
    like the first part's) and `thread_media` (each part's media, checked against the per-post
    limits, converted and described like the first part's); problems name the part."""
    notes: list[str] = []
    prepared = _prepared(provider, media, notes)
    parts = [
        _prepared(provider, items, notes, f"Part {number}: ")
        for number, items in enumerate(thread_media or [], start=2)
    ]
    if not text.strip() and not media:
        return Check(["Write something or attach media."], notes)
    request = PublishRequest(text=text, media=prepared, options=options, thread_media=parts)
    problems = provider.validate(request)
    found = list(problems)
    problems += _alt_problems(provider, prepared, found)
    for number, items in enumerate(parts, start=2):
        problems += _alt_problems(provider, items, found, f"Part {number}: ")
    return Check(list(dict.fromkeys(problems)), notes)


def _fmt(n: int) -> str:
    return f"{n:,}"


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{round(n / 1024):,} KB" if n < mb else f"{round(n / mb):,} MB"


def requirements(platform: str, limits: Limits | None = None) -> str:
    """What the network needs, in one or two sentences, read from the provider."""
    cls = provider_class(platform)
    limits = limits or cls.default_limits
    parts: list[str] = []
    if cls.requires:
        parts.append(f"Needs {cls.requires}.")
    parts.append(f"Text up to {_fmt(limits.max_text_length)} characters.")
    images = sorted({media_convert.type_name(t) for t in limits.media_types if "image/" in t})
    cap = limits.max_size_for("image/jpeg")
    size = f", up to {_size(cap)}" if cap else ""
    if limits.max_media and images and not cls.capabilities.images:
        parts.append(f"A thumbnail image may go with it ({', '.join(images)}{size}).")
    elif limits.max_media and images:
        parts.append(f"Up to {limits.max_media} media; images as {', '.join(images)}{size} each.")
    if cls.alt_text_limit:
        parts.append(f"Alt text up to {_fmt(cls.alt_text_limit)} characters.")
    required = [s.label for s in option_specs(cls.options_model) if s.required and not s.advanced]
    if required:
        parts.append("Required: " + ", ".join(required) + ".")
    return " ".join(parts)
