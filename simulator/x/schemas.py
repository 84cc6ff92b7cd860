"""The part of X's OpenAPI document (X API v2, 2.167; /work/shared/specs/x) the simulator
validates against: component schemas of the operations it serves, with "description" removed
and "$ref" shortened to the schema name, the field enums of its query parameters, and the
checker that answers in X's own wording. A test compares them with the document.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.platform import json_type


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object schema that allows no other properties (key order as in the document)."""
    schema: dict[str, Any] = {"additionalProperties": False, "properties": properties}
    if required is not None:
        schema["required"] = required
    return schema | {"type": "object"}


SCHEMAS: dict[str, dict[str, Any]] = {
    "AppendMediaUploadRequest": _closed(
        {
            "media": {
                "anyOf": [
                    {"format": "binary", "type": "string"},
                    {"format": "byte", "type": "string"},
                ]
            },
            "segment_index": {"maximum": 999, "minimum": 0, "type": "integer"},
        },
        required=["media", "segment_index"],
    ),
    "CreateMediaMetadataMetadata": {
        "properties": {
            "allow_download_status": {"$ref": "CreateMediaMetadataMetadataAllowDownloadStatus"},
            "alt_text": {"$ref": "CreateMediaMetadataMetadataAltText"},
            "audience_policy": {"type": "object"},
            "content_expiration": {"$ref": "CreateMediaMetadataMetadataContentExpiration"},
            "domain_restrictions": {"$ref": "CreateMediaMetadataMetadataDomainRestrictions"},
            "found_media_origin": {"$ref": "CreateMediaMetadataMetadataFoundMediaOrigin"},
            "geo_restrictions": {"type": "object"},
            "management_info": {"$ref": "CreateMediaMetadataMetadataManagementInfo"},
            "preview_image": {"$ref": "CreateMediaMetadataMetadataPreviewImage"},
            "sensitive_media_warning": {"type": "object"},
            "shared_info": {"$ref": "CreateMediaMetadataMetadataSharedInfo"},
            "sticker_info": {"$ref": "CreateMediaMetadataMetadataStickerInfo"},
            "upload_source": {"$ref": "CreateMediaMetadataMetadataUploadSource"},
        },
        "type": "object",
    },
    "CreateMediaMetadataMetadataAllowDownloadStatus": {
        "properties": {"allow_download": {"type": "boolean"}},
        "type": "object",
    },
    "CreateMediaMetadataMetadataAltText": {
        "properties": {"text": {"maxLength": 1000, "type": "string"}},
        "required": ["text"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataContentExpiration": {
        "properties": {"timestamp_sec": {"type": "number"}},
        "required": ["timestamp_sec"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataDomainRestrictions": {
        "properties": {"whitelist": {"items": {"type": "string"}, "type": "array"}},
        "required": ["whitelist"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataFoundMediaOrigin": {
        "properties": {"id": {"type": "string"}, "provider": {"type": "string"}},
        "required": ["provider", "id"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataManagementInfo": {
        "properties": {"managed": {"type": "boolean"}},
        "required": ["managed"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataPreviewImage": {
        "properties": {"media_key": {"type": "object"}},
        "required": ["media_key"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataSharedInfo": {
        "properties": {"shared": {"type": "boolean"}},
        "required": ["shared"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataStickerInfo": {
        "properties": {
            "stickers": {
                "items": {"$ref": "CreateMediaMetadataMetadataStickerInfoStickers"},
                "type": "array",
            }
        },
        "required": ["stickers"],
        "type": "object",
    },
    "CreateMediaMetadataMetadataStickerInfoStickers": {"properties": {}, "type": "object"},
    "CreateMediaMetadataMetadataUploadSource": {
        "properties": {"upload_source": {"type": "string"}},
        "required": ["upload_source"],
        "type": "object",
    },
    "CreateMediaMetadataRequest": {
        "properties": {
            "id": {"pattern": "^[0-9]{1,19}$", "type": "string"},
            "metadata": {"$ref": "CreateMediaMetadataMetadata"},
        },
        "required": ["id"],
        "type": "object",
    },
    "CreatePostsEditOptions": _closed(
        {"previous_post_id": {"pattern": "^[0-9]{1,19}$", "type": "string"}},
        required=["previous_post_id"],
    ),
    "CreatePostsGeo": _closed({"place_id": {"type": "string"}}, required=["place_id"]),
    "CreatePostsMedia": _closed(
        {
            "call_to_actions": {"$ref": "CreatePostsMediaCallToActions"},
            "embeddable": {"type": "boolean"},
            "media_ids": {
                "items": {"pattern": "^[0-9]{1,19}$", "type": "string"},
                "maxItems": 4,
                "minItems": 1,
                "type": "array",
            },
            "preview_media_id": {"pattern": "^[0-9]{1,19}$", "type": "string"},
            "tagged_user_ids": {
                "items": {"pattern": "^[0-9]{1,19}$", "type": "string"},
                "maxItems": 10,
                "type": "array",
            },
            "title": {"type": "string"},
        },
        required=["media_ids"],
    ),
    "CreatePostsMediaCallToActions": _closed(
        {
            "app_install": {"$ref": "CreatePostsMediaCallToActionsAppInstall"},
            "visit_site": {"$ref": "CreatePostsMediaCallToActionsVisitSite"},
            "watch_now": {"$ref": "CreatePostsMediaCallToActionsWatchNow"},
        }
    ),
    "CreatePostsMediaCallToActionsAppInstall": _closed(
        {
            "app_store_id": {"type": "string"},
            "ipad_app_store_id": {"type": "string"},
            "play_store_id": {"type": "string"},
        }
    ),
    "CreatePostsMediaCallToActionsVisitSite": _closed(
        {"url": {"type": "string"}}, required=["url"]
    ),
    "CreatePostsMediaCallToActionsWatchNow": _closed({"url": {"type": "string"}}, required=["url"]),
    "CreatePostsPoll": _closed(
        {
            "duration_minutes": {"maximum": 10080, "minimum": 5, "type": "integer"},
            "options": {
                "items": {"maxLength": 25, "minLength": 1, "type": "string"},
                "maxItems": 4,
                "minItems": 2,
                "type": "array",
            },
            "reply_settings": {
                "enum": ["following", "mentionedUsers", "subscribers", "verified"],
                "type": "string",
            },
        },
        required=["options", "duration_minutes"],
    ),
    "CreatePostsReply": _closed(
        {
            "auto_populate_reply_metadata": {"type": "boolean"},
            "exclude_reply_user_ids": {"items": {"type": "string"}, "type": "array"},
            "in_reply_to_tweet_id": {"pattern": "^[0-9]{1,19}$", "type": "string"},
        },
        required=["in_reply_to_tweet_id"],
    ),
    "CreatePostsRequest": _closed(
        {
            "card_uri": {"type": "string"},
            "community_id": {"pattern": "^[0-9]{1,19}$", "type": "string"},
            "direct_message_deep_link": {"type": "string"},
            "edit_options": {"$ref": "CreatePostsEditOptions"},
            "for_super_followers_only": {"type": "boolean"},
            "geo": {"$ref": "CreatePostsGeo"},
            "made_with_ai": {"type": "boolean"},
            "media": {"$ref": "CreatePostsMedia"},
            "nullcast": {"type": "boolean"},
            "paid_partnership": {"type": "boolean"},
            "poll": {"$ref": "CreatePostsPoll"},
            "quote_tweet_id": {"pattern": "^[0-9]{1,19}$", "type": "string"},
            "reply": {"$ref": "CreatePostsReply"},
            "reply_settings": {
                "enum": ["following", "mentionedUsers", "subscribers", "verified"],
                "type": "string",
            },
            "share_with_followers": {"type": "boolean"},
            "text": {"default": "", "type": "string"},
        }
    ),
    "InitializeMediaUploadRequest": _closed(
        {
            "additional_owners": {
                "items": {"pattern": "^[0-9]{1,19}$", "type": "string"},
                "type": "array",
            },
            "media_category": {
                "enum": [
                    "amplify_video",
                    "tweet_gif",
                    "tweet_image",
                    "tweet_video",
                    "dm_gif",
                    "dm_image",
                    "dm_video",
                    "subtitles",
                ],
                "type": "string",
            },
            "media_type": {
                "enum": [
                    "video/mp4",
                    "video/webm",
                    "video/mp2t",
                    "video/quicktime",
                    "text/srt",
                    "text/vtt",
                    "image/jpeg",
                    "image/gif",
                    "image/bmp",
                    "image/png",
                    "image/webp",
                    "image/pjpeg",
                    "image/tiff",
                    "model/gltf-binary",
                    "model/vnd.usdz+zip",
                ],
                "type": "string",
            },
            "shared": {"type": "boolean"},
            "total_bytes": {"maximum": 17179869184, "minimum": 0, "type": "integer"},
        }
    ),
    "MediaUploadRequest": _closed(
        {
            "additional_owners": {"type": "string"},
            "media": {
                "anyOf": [
                    {"format": "binary", "type": "string"},
                    {"format": "byte", "type": "string"},
                ]
            },
            "media_category": {
                "enum": [
                    "tweet_image",
                    "tweet_video",
                    "tweet_gif",
                    "dm_image",
                    "dm_video",
                    "dm_gif",
                    "subtitles",
                ],
                "type": "string",
            },
        },
        required=["media", "media_category"],
    ),
}

FIELD_ENUMS: dict[str, list[str]] = {
    "post.fields": [
        "article",
        "article_title",
        "attachments",
        "card_uri",
        "community_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "entities",
        "geo",
        "id",
        "lang",
        "matched_media_notes",
        "media_metadata",
        "non_public_metrics",
        "note_post",
        "note_request_suggestions",
        "organic_metrics",
        "paid_partnership",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "reply_settings",
        "scopes",
        "source",
        "suggested_source_links",
        "suggested_source_links_with_counts",
        "text",
        "withheld",
    ],
    "user.fields": [
        "confirmed_email",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "is_identity_verified",
        "location",
        "name",
        "parody",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscribes_to_you",
        "subscription",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_followers_count",
        "verified_type",
        "withheld",
    ],
}


class Invalid(Exception):
    """A request X refuses with 400 invalid-request; carries the `errors[].message` texts."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


_TYPES = {
    "object": (dict, "object"),
    "array": (list, "array"),
    "string": (str, "string"),
    "boolean": (bool, "boolean"),
}


def check_schema(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """JSON-schema subset used by the X document, with networknt-style messages."""
    if "$ref" in schema:
        return check_schema(value, SCHEMAS[schema["$ref"]], path)
    if "anyOf" in schema:
        if any(not check_schema(value, s, path) for s in schema["anyOf"]):
            return []
        return [f"{path}: should be valid to any of the schemas string"]
    errors: list[str] = []
    expected = schema.get("type")
    found = json_type(value)
    if expected == "integer" and found != "integer":
        return [f"{path}: {found} found, integer expected"]
    if expected == "number" and found not in ("integer", "number"):
        return [f"{path}: {found} found, number expected"]
    if expected in _TYPES and found != expected:
        return [f"{path}: {found} found, {expected} expected"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: does not have a value in the enumeration {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match the regex pattern {schema['pattern']}")
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: must be at least {schema['minLength']} characters long")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: may only be {schema['maxLength']} characters long")
    if found in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: must have a minimum value of {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: must have a maximum value of {schema['maximum']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(
                f"{path}: expected at least {schema['minItems']} items but found {len(value)}"
            )
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(
                f"{path}: expected maximum item count: {schema['maxItems']}, found: {len(value)}"
            )
        for i, item in enumerate(value):
            errors += check_schema(item, schema.get("items", {}), f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}.{name}: is missing but it is required")
        for name, item in value.items():
            if name in props:
                errors += check_schema(item, props[name], f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(
                    f"{path}.{name}: is not defined in the schema and the schema does not "
                    "allow additional properties"
                )
    return errors
