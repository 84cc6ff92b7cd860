"""What the composer shows, as plain data: account chips, per-network tabs with their option
form, previews. The option forms and preview details are read from each provider (its options
model and `look`), so no network is named here."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from app.providers.options import OptionSpec, option_specs
from app.providers.registry import provider_class
from app.services import media
from app.ui import format

STATUS_HINTS = {
    "expired": "Expired: reconnect it on the Accounts page.",
    "revoked": "Revoked: reconnect it on the Accounts page.",
    "error": "Last publish failed with an account error.",
    "expiring": "Token expires soon.",
}
# A select cannot hold an empty value: "not set" travels as this.
UNSET = "_"

_TOKEN = re.compile(r"(https?://[^\s<>\"]+|(?<![\w@])#[\w]+|(?<![\w@])@[\w.@-]*\w)", re.UNICODE)


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


@dataclasses.dataclass
class OptionField:
    platform: str = ""
    name: str = ""
    label: str = ""
    kind: str = "text"
    value: str = ""
    checked: bool = False
    choices: list[Choice] = dataclasses.field(default_factory=list)
    help: str = ""


@dataclasses.dataclass
class AccountRow:
    id: str = ""
    platform: str = ""
    platform_name: str = ""
    name: str = ""
    username: str = ""
    avatar: str = ""
    status: str = ""
    disabled: bool = False
    hint: str = ""
    selected: bool = False


@dataclasses.dataclass
class TabAccount:
    id: str = ""
    name: str = ""
    avatar: str = ""
    customized: bool = False
    override: str = ""
    problems: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Tab:
    platform: str = ""
    platform_name: str = ""
    max_length: int = 0
    url_length: int = 23
    problem_count: int = 0
    message: str = ""
    # What the network needs, in words, and what Herald will do to the media for it.
    needs: str = ""
    blank: bool = True  # nothing written or attached yet (no verdict shown)
    notes: list[str] = dataclasses.field(default_factory=list)
    accounts: list[TabAccount] = dataclasses.field(default_factory=list)
    fields: list[OptionField] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Segment:
    text: str = ""
    kind: str = "text"  # text | link | tag | mention


@dataclasses.dataclass
class MediaRef:
    id: str = ""
    url: str = ""
    kind: str = "image"
    filename: str = ""
    detail: str = ""
    mime: str = ""
    size: int = 0
    width: int = 0
    height: int = 0
    alt: str = ""  # alt text for this post (composer_alt)


@dataclasses.dataclass
class Preview:
    account_id: str = ""
    platform: str = ""
    platform_name: str = ""
    name: str = ""
    handle: str = ""
    avatar: str = ""
    title: str = ""
    segments: list[Segment] = dataclasses.field(default_factory=list)
    media: list[MediaRef] = dataclasses.field(default_factory=list)
    empty: bool = True
    # Video networks: the frame's shape ("" = a regular post), the video and its thumbnail.
    frame: str = ""
    video: str = ""
    poster: str = ""


def segments(text: str) -> list[Segment]:
    """Text split into plain runs, links, hashtags and mentions (for previews)."""
    out: list[Segment] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos : m.start()], "text"))
        token = m.group(0)
        kind = "link" if token.startswith("http") else "tag" if token[0] == "#" else "mention"
        if kind == "link":
            stripped = token.rstrip(".,:;!?'\")]}")
            out.append(Segment(stripped, "link"))
            if len(stripped) < len(token):
                out.append(Segment(token[len(stripped) :], "text"))
        else:
            out.append(Segment(token, kind))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:], "text"))
    return out


def handle(platform: str, username: str) -> str:
    """The author as the network prints it: @name, or the bare name."""
    if not username:
        return ""
    if not provider_class(platform).look.at_handle:
        return username
    return username if username.startswith("@") else f"@{username}"


def media_ref(v: media.MediaView) -> MediaRef:
    dims = f"{v.width}×{v.height}" if v.width and v.height else ""
    dur = f"{v.duration:.1f} s" if v.duration else ""
    detail = " · ".join(x for x in (dims, dur, format.size(v.file_size)) if x)
    return MediaRef(
        str(v.id), v.url, v.kind, v.filename, detail,
        v.file_type, v.file_size, v.width or 0, v.height or 0,
    )  # fmt: skip


# --------------------------------------------------------------------------- options


def form_specs(platform: str) -> list[OptionSpec]:
    """The options the composer's form shows for a network (the REST-only ones left out)."""
    return [s for s in option_specs(provider_class(platform).options_model) if not s.advanced]


def option_fields(
    platform: str, values: dict[str, str], live: dict[str, list[list[str]]]
) -> list[OptionField]:
    """A network's form: one field per option, with the account's live choices."""
    fields: list[OptionField] = []
    for spec in form_specs(platform):
        offered = (live.get(spec.name) or []) if spec.live else spec.choices
        choices = [Choice(v, label) for v, label in offered]
        if spec.kind == "select" and not spec.required:
            choices = [Choice(UNSET, spec.unset or "Default"), *choices]
        value = values.get(spec.name, "")
        help_text = (
            f"Required: {spec.help[:1].lower()}{spec.help[1:]}" if spec.required else spec.help
        )
        fields.append(
            OptionField(
                platform=platform,
                name=spec.name,
                label=spec.label,
                kind=spec.kind if spec.kind in ("select", "bool", "textarea") else "text",
                value=(value or UNSET) if spec.kind == "select" else value,
                checked=value == "yes",
                choices=choices,
                help=help_text,
            )
        )
    return fields


def live_defaults(
    platform: str, values: dict[str, str], live: dict[str, list[list[str]]]
) -> dict[str, str]:
    """`values` with the required live choices the user has not made yet filled in."""
    out = dict(values)
    for spec in form_specs(platform):
        offered = [v for v, _ in live.get(spec.name) or []]
        if spec.live and spec.required and offered and not out.get(spec.name):
            out[spec.name] = spec.prefer if spec.prefer in offered else offered[0]
    return out


def preview_title(platform: str, values: dict[str, str]) -> str:
    spec = next((s for s in form_specs(platform) if s.preview_title), None)
    return values.get(spec.name, "") if spec else ""


def options_to_config(options: dict[str, dict[str, str]], platforms: set[str]) -> dict[str, Any]:
    """The form's string values → platform_configs (typed, empty values left out)."""
    configs: dict[str, dict[str, Any]] = {}
    for platform in sorted(platforms):
        values = options.get(platform, {})
        out: dict[str, Any] = {}
        for spec in form_specs(platform):
            raw = (values.get(spec.name) or "").strip()
            if not raw or raw == UNSET:
                continue
            if spec.kind == "bool":
                if raw == "yes":
                    out[spec.name] = True
            elif spec.kind == "list":
                items = [x.strip() for x in raw.split(",") if x.strip()]
                if items:
                    out[spec.name] = items
            elif spec.kind == "number" and raw.lstrip("-").isdigit():
                out[spec.name] = int(raw)
            else:
                out[spec.name] = raw
        if out:
            configs[platform] = out
    return configs


def config_to_options(configs: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for platform, values in (configs or {}).items():
        if not isinstance(values, dict):
            continue
        row: dict[str, str] = {}
        for name, value in values.items():
            if isinstance(value, bool):
                row[name] = "yes" if value else ""
            elif isinstance(value, list):
                row[name] = ", ".join(str(x) for x in value)
            elif value is not None:
                row[name] = str(value)
        out[platform] = row
    return out
