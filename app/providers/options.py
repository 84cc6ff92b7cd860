"""A network's post options as one pydantic model, and what is derived from it.

Each provider declares `options_model`: a `PostOptions` subclass whose fields carry a title (the
label), a description (the help), their type (which says the widget: a switch for `bool`, a
choice for `Literal`, a comma-separated list for `list[str]`), whether they are required and
their choices' labels. The composer's form, `/api/platforms` and the validation messages are
all read from it, so a network's options are described in one place.
"""

from __future__ import annotations

import types
import typing
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


class PostOptions(BaseModel):
    """Base of every network's options: unknown names and wrong types are problems."""

    model_config = ConfigDict(extra="forbid", strict=True)


def option(
    title: str,
    help: str = "",  # noqa: A002 - the word the form shows it under
    *,
    required: bool = False,
    choices: dict[str, str] | None = None,
    unset: str = "",
    multiline: bool = False,
    live: bool = False,
    prefer: str = "",
    advanced: bool = False,
    preview_title: bool = False,
    expect: str = "",
    **constraints: Any,
) -> Any:
    """A field of a PostOptions model.

    `choices` labels the values of a Literal; `unset` labels "not set" for an optional choice;
    `live` choices come from the provider's `option_choices(token)` (`prefer` is picked first
    when offered); `advanced` options exist for the REST API only (not in the composer's form);
    `preview_title` shows the value as the preview's title; `expect` completes the sentence
    "… must be" when a value does not match its pattern.
    """
    extra: dict[str, JsonValue] = {
        "choices": dict(choices or {}),
        "unset": unset,
        "multiline": multiline,
        "live": live,
        "prefer": prefer,
        "advanced": advanced,
        "preview_title": preview_title,
        "expect": expect,
    }
    if required:
        return Field(..., title=title, description=help, json_schema_extra=extra, **constraints)
    return Field(None, title=title, description=help, json_schema_extra=extra, **constraints)


def thread_option() -> Any:
    """The `thread` option of the networks that post threads (REST API only)."""
    return option("Thread", "Further posts, each a reply to the one before.", advanced=True)


def reply_to_option(**constraints: Any) -> Any:
    """The option naming the post a new one answers (REST API only), under the network's name."""
    return option("Reply to", "The id of the post this one answers.", advanced=True, **constraints)


@dataclass(frozen=True)
class OptionSpec:
    """One option as the composer and `/api/platforms` see it."""

    name: str
    label: str
    help: str
    # text | textarea | select | bool | list | number | data (structured, REST API only)
    kind: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    unset: str = ""
    live: bool = False
    prefer: str = ""
    advanced: bool = False
    preview_title: bool = False
    expect: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["choices"] = [{"value": v, "label": label} for v, label in self.choices]
        return out


def _kind(annotation: Any, extra: dict[str, Any]) -> tuple[str, list[str]]:
    """The widget a type asks for, and the values of a Literal."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "select", [str(v) for v in typing.get_args(annotation)]
    if extra.get("live"):
        return "select", []
    if annotation is bool:
        return "bool", []
    if annotation is int:
        return "number", []
    if annotation is str:
        return ("textarea" if extra.get("multiline") else "text"), []
    if origin is list and typing.get_args(annotation) == (str,):
        return "list", []
    return "data", []


def _spec(name: str, info: FieldInfo) -> OptionSpec:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    kind, values = _kind(info.annotation, extra)
    labels: dict[str, str] = dict(extra.get("choices") or {})  # type: ignore[arg-type]
    return OptionSpec(
        name=name,
        label=info.title or name,
        help=info.description or "",
        kind=kind,
        required=info.default is PydanticUndefined and info.default_factory is None,
        choices=[(v, labels.get(v, v)) for v in values],
        unset=str(extra.get("unset") or ""),
        live=bool(extra.get("live")),
        prefer=str(extra.get("prefer") or ""),
        advanced=bool(extra.get("advanced")),
        preview_title=bool(extra.get("preview_title")),
        expect=str(extra.get("expect") or ""),
    )


def option_specs(model: type[PostOptions]) -> list[OptionSpec]:
    """Every option of a network, in declaration order."""
    return [_spec(name, info) for name, info in model.model_fields.items()]


def _missing(spec: OptionSpec, network: str) -> str:
    """A required option not given: what to do, e.g. "Add a video title for YouTube (up to 100
    characters)." """
    if spec.kind in ("select", "bool"):
        return f"Choose “{spec.label}” for {network}."
    what = spec.label[:1].lower() + spec.label[1:]
    article = "an" if what[:1] in "aeiou" else "a"
    text = f"Add {article} {what} for {network}"
    hint = spec.help.strip().rstrip(".")
    if hint and len(hint) <= 40:
        text += f" ({hint[:1].lower()}{hint[1:]})"
    return text + "."


def _sentence(spec: OptionSpec | None, error: Any, network: str) -> str:
    """One pydantic error in plain words, naming the option by its label."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if spec is None:
        return f"{network} has no option called “{error['loc'][0]}”."
    label = f"“{spec.label}”"
    if kind == "missing":
        return _missing(spec, network)
    if kind == "literal_error":
        return f"{label} must be one of: {', '.join(v for v, _ in spec.choices)}."
    if kind == "bool_type":
        return f"{label} must be true or false."
    if kind == "list_type" or (spec.kind == "list" and len(error["loc"]) > 1):
        return f"{label} must be a list of texts."
    if kind == "string_type":
        return f"{label} must be text."
    if kind in ("int_type", "int_from_float"):
        return f"{label} must be a whole number."
    if kind == "too_long":
        return f"{label} takes at most {ctx.get('max_length')} values."
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return f"{label} must not be negative."
    if kind == "string_pattern_mismatch":
        return f"{label} must be {spec.expect or 'in the expected format'}."
    return f"{label}: {error['msg']}."


def option_problems(model: type[PostOptions], options: dict[str, Any], network: str) -> list[str]:
    """What is wrong with `options` for this network, one sentence per option."""
    try:
        model.model_validate(options)
    except ValidationError as exc:
        specs = {s.name: s for s in option_specs(model)}
        seen: set[str] = set()
        out: list[str] = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            if name in seen:
                continue
            seen.add(name)
            out.append(_sentence(specs.get(name), error, network))
        return out
    return []
