"""twitter-text's own conformance suite (vendored data, see twitter_text/SOURCE.md) against X's
text rules in app/providers/x_text.py.

Run as twitter-text's README asks: the YAML files are read as they are, not converted. What runs:
every counting section of validate.yml (`tweets` with config v1, `WeightedTweetsCounterTest` with
v2, `WeightedTweetsWithDiscountedEmojiCounterTest` and `UnicodeDirectionalMarkerCounterTest` with
v3, all seven fields of each result), every URL section of extract.yml, all of tlds.yml, and
tld_lib.yml against the TLD list Herald links with. validate.yml's `usernames`, `lists`,
`hashtags`, `urls` and `urls_without_protocol` check whether a handle, hashtag or URL string is
well formed; they do not change how a post is counted and Herald does not implement them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.providers import x_text
from app.providers.tld_lists import TWITTER_TEXT_COUNTRY, TWITTER_TEXT_GENERIC

DATA = Path(__file__).parent / "twitter_text"


def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)["tests"]


def cases(name: str, *sections: str) -> list[Any]:
    tests = _load(name)
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section in sections
        for case in tests[section]
    ]


CONFIGS = {
    "WeightedTweetsCounterTest": x_text.CONFIG_V2,
    "WeightedTweetsWithDiscountedEmojiCounterTest": x_text.CONFIG_V3,
    "UnicodeDirectionalMarkerCounterTest": x_text.CONFIG_V3,
}


@pytest.mark.parametrize(("section", "case"), cases("validate.yml", *CONFIGS))
def test_validate_weighted_length(section: str, case: dict[str, Any]) -> None:
    got = x_text.parse_tweet(case["text"], CONFIGS[section])
    want = case["expected"]
    assert {
        "weightedLength": got.weighted_length,
        "valid": got.valid,
        "permillage": got.permillage,
        "displayRangeStart": got.display_range_start,
        "displayRangeEnd": got.display_range_end,
        "validRangeStart": got.valid_range_start,
        "validRangeEnd": got.valid_range_end,
    } == want


@pytest.mark.parametrize(("section", "case"), cases("validate.yml", "tweets"))
def test_validate_tweets(section: str, case: dict[str, Any]) -> None:
    assert x_text.parse_tweet(case["text"], x_text.CONFIG_V1).valid is case["expected"]


@pytest.mark.parametrize(("section", "case"), cases("extract.yml", "urls", "tco_urls_with_params"))
def test_extract_urls(section: str, case: dict[str, Any]) -> None:
    got = [url for url, _, _ in x_text.extract_urls_with_indices(case["text"])]
    assert got == case["expected"]


@pytest.mark.parametrize(
    ("section", "case"), cases("extract.yml", "urls_with_indices", "urls_with_directional_markers")
)
def test_extract_urls_with_indices(section: str, case: dict[str, Any]) -> None:
    got = [
        {"url": url, "indices": [start, end]}
        for url, start, end in x_text.extract_urls_with_indices(case["text"])
    ]
    assert got == case["expected"]


@pytest.mark.parametrize(("section", "case"), cases("tlds.yml", "country", "generic"))
def test_tlds(section: str, case: dict[str, Any]) -> None:
    got = [url for url, _, _ in x_text.extract_urls_with_indices(case["text"])]
    assert got == case["expected"]


def test_herald_links_with_the_current_tld_list() -> None:
    with (DATA / "tld_lib.yml").open(encoding="utf-8") as f:
        lib = yaml.safe_load(f)
    assert set(lib["country"]) == TWITTER_TEXT_COUNTRY
    assert set(lib["generic"]) == TWITTER_TEXT_GENERIC
