"""The part of Pinterest's OpenAPI document (REST API v5.23.0; /work/shared/specs/pinterest)
the simulator validates against: components.schemas of the operations it serves (constraints
kept, descriptions dropped) and the checker that answers in Pinterest's wording.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.platform import json_type

_DIGITS = "^\\d+$"
_CONTENT_TYPE = {"type": "string", "enum": ["image/jpeg", "image/png"]}
_BASE64_DATA = {"type": "string", "pattern": "^[a-zA-Z0-9+/=]+$"}
# What each image of a carousel may say of itself (PinMediaSourceImages*Item).
_ITEM_TEXT = {name: {"type": "string"} for name in ("description", "link", "title")}


def _images(item: str, source_type: str) -> dict[str, Any]:
    """A carousel media source: 2 to 5 `item`s (PinMediaSourceImagesBase64, ...ImagesURL)."""
    return {
        "type": "object",
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "items": {"type": "array", "items": {"$ref": item}, "maxItems": 5, "minItems": 2},
            "source_type": {"type": "string", "enum": [source_type]},
        },
        "required": ["source_type", "items"],
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "PinCreate": {
        "type": "object",
        "properties": {
            "alt_text": {"type": "string", "maxLength": 500, "nullable": True},
            "board_id": {"type": "string", "pattern": _DIGITS},
            "board_section_id": {"type": "string", "nullable": True, "pattern": _DIGITS},
            "description": {"type": "string", "maxLength": 800, "nullable": True},
            "dominant_color": {"type": "string", "nullable": True},
            "link": {"type": "string", "maxLength": 2048, "nullable": True},
            "media_source": {"$ref": "PinMediaSource"},
            "parent_pin_id": {"type": "string", "nullable": True, "pattern": _DIGITS},
            "sponsor_id": {"type": "string", "nullable": True, "pattern": _DIGITS},
            "title": {"type": "string", "maxLength": 100, "nullable": True},
        },
        # Not `required` in the document, but the API refuses a pin without them.
        "x-required": ["board_id", "media_source"],
    },
    "PinMediaSource": {
        "type": "object",
        "discriminator": {
            "propertyName": "source_type",
            "mapping": {
                "image_base64": "PinMediaSourceImageBase64",
                "image_url": "PinMediaSourceImageURL",
                "video_id": "PinMediaSourceVideoID",
                "multiple_image_base64": "PinMediaSourceImagesBase64",
                "multiple_image_urls": "PinMediaSourceImagesURL",
                "pin_url": "PinMediaSourcePinURL",
            },
        },
    },
    "PinMediaSourceImageBase64": {
        "type": "object",
        "properties": {
            "content_type": _CONTENT_TYPE,
            "data": _BASE64_DATA,
            "is_standard": {"type": "boolean"},
            "source_type": {"type": "string", "enum": ["image_base64"]},
        },
        "required": ["source_type", "content_type", "data"],
    },
    "PinMediaSourceImageURL": {
        "type": "object",
        "properties": {
            "is_standard": {"type": "boolean"},
            "source_type": {"type": "string", "enum": ["image_url"]},
            "url": {"type": "string"},
        },
        "required": ["source_type", "url"],
    },
    "PinMediaSourceImagesBase64": _images(
        "PinMediaSourceImagesBase64Item", "multiple_image_base64"
    ),
    "PinMediaSourceImagesBase64Item": {
        "type": "object",
        "properties": {"content_type": _CONTENT_TYPE, "data": _BASE64_DATA, **_ITEM_TEXT},
        "required": ["content_type", "data"],
    },
    "PinMediaSourceImagesURL": _images("PinMediaSourceImagesURLItem", "multiple_image_urls"),
    "PinMediaSourceImagesURLItem": {
        "type": "object",
        "properties": {**_ITEM_TEXT, "url": {"type": "string"}},
        "required": ["url"],
    },
    "PinMediaSourceVideoID": {
        "type": "object",
        "properties": {
            "cover_image_content_type": _CONTENT_TYPE,
            "cover_image_data": {"type": "string"},
            "cover_image_key_frame_time": {"type": "integer", "minimum": 0},
            "cover_image_url": {"type": "string"},
            "is_standard": {"type": "boolean"},
            "media_id": {"type": "string", "pattern": _DIGITS},
            "source_type": {"type": "string", "enum": ["video_id"]},
        },
        "required": ["media_id", "source_type"],
    },
    "PinMediaSourcePinURL": {
        "type": "object",
        "properties": {
            "is_affiliate_link": {"type": "boolean"},
            "source_type": {"type": "string", "enum": ["pin_url"]},
        },
        "required": ["source_type"],
    },
    "MediaUploadCreate": {
        "type": "object",
        "properties": {"media_type": {"type": "string", "enum": ["video"]}},
        "required": ["media_type"],
    },
}


def check_schema(value: Any, schema: dict[str, Any], path: str = "body") -> list[str]:
    """The subset of JSON schema the embedded Pinterest schemas use (with the discriminator)."""
    if "$ref" in schema:
        return check_schema(value, SCHEMAS[schema["$ref"]], path)
    found = json_type(value)
    if value is None and schema.get("nullable"):
        return []
    expected = schema.get("type")
    if expected and found != expected and not (expected == "number" and found == "integer"):
        return [f"{path}: expected {expected}, got {found}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: must be one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than maxLength={schema['maxLength']}")
    if found == "integer" and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: less than minimum={schema['minimum']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{path}: constraint: minItems={schema['minItems']}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: constraint: maxItems={schema['maxItems']}")
        for i, item in enumerate(value):
            errors += check_schema(item, schema.get("items", {}), f"{path}[{i}]")
    if isinstance(value, dict):
        disc = schema.get("discriminator")
        if disc:
            name = disc["propertyName"]
            target = disc["mapping"].get(value.get(name))  # type: ignore[arg-type]
            if target is None:
                known = ", ".join(disc["mapping"])
                return [f"{path}.{name}: must be one of {known}"]
            return check_schema(value, SCHEMAS[target], path)
        props = schema.get("properties", {})
        for name in schema.get("required", []) + schema.get("x-required", []):
            if name not in value:
                errors.append(f"{path}.{name}: Missing data for required field.")
        for name, item in value.items():
            if name in props:
                errors += check_schema(item, props[name], f"{path}.{name}")
    return errors
