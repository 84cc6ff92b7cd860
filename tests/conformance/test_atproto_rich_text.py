"""atproto's own rich-text detection tests (data in atproto/, see SOURCE.md) against Bluesky's
text rules in app/providers/bluesky_text.py: every row of the three tables, compared the way the
TypeScript test compares them (through RichText.segments())."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.providers.bluesky_text import FACET, build_facets, detect_facets

CASES = json.loads((Path(__file__).parent / "atproto" / "rich_text_detection.json").read_text())


def segments(text: str, facets: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    """RichText.segments(): the text cut at the facets' byte ranges (overlaps skipped)."""
    raw = text.encode("utf-8")
    if not facets:
        return [(text, None)]
    out: list[tuple[str, dict[str, Any] | None]] = []
    cursor = 0
    for facet in facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if cursor < start:
            out.append((raw[cursor:start].decode(), None))
        elif cursor > start:
            continue
        if start < end:
            sub = raw[start:end].decode()
            out.append((sub, facet if sub.strip() else None))
        cursor = end
    if cursor < len(raw):
        out.append((raw[cursor:].decode(), None))
    return out


def _output(text: str, facet: dict[str, Any] | None) -> list[str]:
    if facet is None:
        return [text]
    feature = facet["features"][0]
    return [text, feature.get("did") or feature.get("uri") or ""]


def _tags(facets: list[dict[str, Any]], text: str, cashtags: bool) -> tuple[list, list]:
    tags, indices = [], []
    for _, facet in segments(text, facets):
        if facet is None:
            continue
        feature = facet["features"][0]
        is_tag = feature["$type"] == f"{FACET}#tag"
        if cashtags and not (is_tag and feature["tag"].startswith("$")):
            continue
        if is_tag:
            tags.append(feature["tag"])
        indices.append(facet["index"])
    return tags, indices


@pytest.mark.parametrize("case", CASES["segments"], ids=lambda c: c["text"])
def test_segments(case: dict[str, Any]) -> None:
    facets = build_facets(case["text"], lambda handle: f"did:fake:{handle}")
    got = [_output(t, f) for t, f in segments(case["text"], facets)]
    assert got == case["segments"]


@pytest.mark.parametrize("case", CASES["tags"], ids=lambda c: c["text"])
def test_tags(case: dict[str, Any]) -> None:
    facets = build_facets(case["text"], lambda handle: f"did:fake:{handle}")
    assert _tags(facets, case["text"], cashtags=False) == (case["tags"], case["indices"])


@pytest.mark.parametrize("case", CASES["cashtags"], ids=lambda c: c["text"])
def test_cashtags(case: dict[str, Any]) -> None:
    facets = detect_facets(case["text"])  # detectFacetsWithoutResolution
    assert _tags(facets, case["text"], cashtags=True) == (case["tags"], case["indices"])
