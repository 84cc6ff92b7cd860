"""The part of Google's Discovery document for youtube:v3 (revision 20240514;
/work/shared/specs/youtube) the simulator checks requests against: the writable Video schema,
the parameters of the methods it serves, and the proto-JSON checker that answers in Google's
wording.
"""

from __future__ import annotations

import json
from typing import Any

# From youtube.v3.json (revision 20240514): the writable Video schema (descriptions dropped,
# "$ref" kept as schema names) and the parameters of the methods simulated here.

SCHEMAS: dict[str, dict[str, Any]] = {
    "Video": {
        "type": "object",
        "properties": {
            "ageGating": {"$ref": "VideoAgeGating"},
            "contentDetails": {"$ref": "VideoContentDetails"},
            "etag": {"type": "string"},
            "fileDetails": {"$ref": "VideoFileDetails"},
            "id": {"type": "string"},
            "kind": {"type": "string"},
            "liveStreamingDetails": {"$ref": "VideoLiveStreamingDetails"},
            "localizations": {
                "additionalProperties": {"$ref": "VideoLocalization"},
                "type": "object",
            },
            "monetizationDetails": {"$ref": "VideoMonetizationDetails"},
            "player": {"$ref": "VideoPlayer"},
            "processingDetails": {"$ref": "VideoProcessingDetails"},
            "projectDetails": {"$ref": "VideoProjectDetails"},
            "recordingDetails": {"$ref": "VideoRecordingDetails"},
            "snippet": {"$ref": "VideoSnippet"},
            "statistics": {"$ref": "VideoStatistics"},
            "status": {"$ref": "VideoStatus"},
            "suggestions": {"$ref": "VideoSuggestions"},
            "topicDetails": {"$ref": "VideoTopicDetails"},
        },
    },
    "VideoSnippet": {
        "type": "object",
        "properties": {
            "categoryId": {"type": "string"},
            "channelId": {"type": "string"},
            "channelTitle": {"type": "string"},
            "defaultAudioLanguage": {"type": "string"},
            "defaultLanguage": {"type": "string"},
            "description": {"type": "string"},
            "liveBroadcastContent": {
                "enum": ["none", "upcoming", "live", "completed"],
                "type": "string",
            },
            "localized": {"$ref": "VideoLocalization"},
            "publishedAt": {"format": "date-time", "type": "string"},
            "tags": {"items": {"type": "string"}, "type": "array"},
            "thumbnails": {"$ref": "ThumbnailDetails"},
            "title": {"type": "string"},
        },
    },
    "VideoStatus": {
        "type": "object",
        "properties": {
            "embeddable": {"type": "boolean"},
            "failureReason": {
                "enum": [
                    "conversion",
                    "invalidFile",
                    "emptyFile",
                    "tooSmall",
                    "codec",
                    "uploadAborted",
                ],
                "type": "string",
            },
            "license": {"enum": ["youtube", "creativeCommon"], "type": "string"},
            "madeForKids": {"type": "boolean"},
            "privacyStatus": {"enum": ["public", "unlisted", "private"], "type": "string"},
            "publicStatsViewable": {"type": "boolean"},
            "publishAt": {"format": "date-time", "type": "string"},
            "rejectionReason": {
                "enum": [
                    "copyright",
                    "inappropriate",
                    "duplicate",
                    "termsOfUse",
                    "uploaderAccountSuspended",
                    "length",
                    "claim",
                    "uploaderAccountClosed",
                    "trademark",
                    "legal",
                ],
                "type": "string",
            },
            "selfDeclaredMadeForKids": {"type": "boolean"},
            "uploadStatus": {
                "enum": ["uploaded", "processed", "failed", "rejected", "deleted"],
                "type": "string",
            },
        },
    },
    "VideoLocalization": {
        "type": "object",
        "properties": {"description": {"type": "string"}, "title": {"type": "string"}},
    },
    "VideoRecordingDetails": {
        "type": "object",
        "properties": {
            "location": {"$ref": "GeoPoint"},
            "locationDescription": {"type": "string"},
            "recordingDate": {"format": "date-time", "type": "string"},
        },
    },
    "GeoPoint": {
        "type": "object",
        "properties": {
            "altitude": {"format": "double", "type": "number"},
            "latitude": {"format": "double", "type": "number"},
            "longitude": {"format": "double", "type": "number"},
        },
    },
    "ThumbnailDetails": {
        "type": "object",
        "properties": {
            "default": {"$ref": "Thumbnail"},
            "high": {"$ref": "Thumbnail"},
            "maxres": {"$ref": "Thumbnail"},
            "medium": {"$ref": "Thumbnail"},
            "standard": {"$ref": "Thumbnail"},
        },
    },
    "Thumbnail": {
        "type": "object",
        "properties": {
            "height": {"format": "uint32", "type": "integer"},
            "url": {"type": "string"},
            "width": {"format": "uint32", "type": "integer"},
        },
    },
}

GLOBAL_PARAMS = frozenset(
    {
        "$.xgafv",
        "access_token",
        "alt",
        "callback",
        "fields",
        "key",
        "oauth_token",
        "prettyPrint",
        "quotaUser",
        "uploadType",
        "upload_protocol",
    }
)
_S, _B, _R = {"type": "string"}, {"type": "boolean"}, {"type": "string", "repeated": True}
_PART = {"type": "string", "repeated": True, "required": True}
METHOD_PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "channels.list": {
        "categoryId": _S,
        "forHandle": _S,
        "forUsername": _S,
        "hl": _S,
        "id": _R,
        "managedByMe": _B,
        "maxResults": {"type": "integer", "minimum": "0", "maximum": "50"},
        "mine": _B,
        "mySubscribers": _B,
        "onBehalfOfContentOwner": _S,
        "pageToken": _S,
        "part": _PART,
    },
    "videos.list": {
        "chart": {"type": "string", "enum": ["chartUnspecified", "mostPopular"]},
        "hl": _S,
        "id": _R,
        "locale": _S,
        "maxHeight": {"type": "integer", "minimum": "72", "maximum": "8192"},
        "maxResults": {"type": "integer", "minimum": "1", "maximum": "50"},
        "maxWidth": {"type": "integer", "minimum": "72", "maximum": "8192"},
        "myRating": {"type": "string", "enum": ["none", "like", "dislike"]},
        "onBehalfOfContentOwner": _S,
        "pageToken": _S,
        "part": _PART,
        "regionCode": _S,
        "videoCategoryId": _S,
    },
    "videos.delete": {"id": {"type": "string", "required": True}, "onBehalfOfContentOwner": _S},
    "videos.insert": {
        "autoLevels": _B,
        "notifySubscribers": _B,
        "onBehalfOfContentOwner": _S,
        "onBehalfOfContentOwnerChannel": _S,
        "part": _PART,
        "stabilize": _B,
    },
    "playlistItems.list": {
        "id": _R,
        "maxResults": {"type": "integer", "minimum": "0", "maximum": "50"},
        "onBehalfOfContentOwner": _S,
        "pageToken": _S,
        "part": _PART,
        "playlistId": _S,
        "videoId": _S,
    },
    "thumbnails.set": {
        "onBehalfOfContentOwner": _S,
        "videoId": {"type": "string", "required": True},
    },
}


def _check_value(value: Any, prop: dict[str, Any], path: str) -> list[str]:
    if value is None:
        return []
    if "$ref" in prop:
        return check_schema(value, prop["$ref"], path)
    kind = prop.get("type")
    shown = json.dumps(value, ensure_ascii=False)
    if kind == "string":
        if not isinstance(value, str):
            return [f"Invalid value at '{path}' (TYPE_STRING), {shown}"]
        if "enum" in prop and value not in prop["enum"]:
            return [f"Invalid value at '{path}' (type.googleapis.com/youtube.api.v3.Enum), {shown}"]
        return []
    if kind == "boolean":
        return (
            [] if isinstance(value, bool) else [f"Invalid value at '{path}' (TYPE_BOOL), {shown}"]
        )
    if kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.isdigit()
        )
        return [] if ok else [f"Invalid value at '{path}' (TYPE_UINT32), {shown}"]
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"Invalid value at '{path}' (TYPE_DOUBLE), {shown}"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"Invalid value at '{path}' (TYPE_STRING), {shown}"]
        out: list[str] = []
        for i, item in enumerate(value):
            out += _check_value(item, prop.get("items") or {}, f"{path}[{i}]")
        return out
    if kind == "object":
        if not isinstance(value, dict):
            return [f"Invalid value at '{path}' (TYPE_MESSAGE), {shown}"]
        inner = prop.get("additionalProperties") or {}
        out = []
        for key, item in value.items():
            out += _check_value(item, inner, f"{path}[{key}]")
        return out
    return []


def check_schema(value: Any, name: str, path: str = "video") -> list[str]:
    """Problems parsing `value` as the Discovery schema `name` (proto-JSON rules).

    Read-only sub-resources that are not embedded (statistics, processingDetails...) are only
    required to be objects: YouTube ignores them on insert.
    """
    if not isinstance(value, dict):
        return [
            f"Invalid value at '{path}' (type.googleapis.com/youtube.api.v3.{name}), "
            + json.dumps(value, ensure_ascii=False)
        ]
    schema = SCHEMAS.get(name)
    if schema is None:
        return []
    out: list[str] = []
    for key, item in value.items():
        prop = schema["properties"].get(key)
        if prop is None:
            out.append(
                f"Invalid JSON payload received. Unknown name \"{key}\" at '{path}': "
                "Cannot find field."
            )
            continue
        out += _check_value(item, prop, f"{path}.{key}")
    return out
