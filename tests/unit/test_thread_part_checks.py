"""The live checks of a thread's further parts (services/checks.py, the composer's live check
and Schedule's validation share it): each part's text length, media and alt text per network,
in plain words naming the part, and gone when fixed; a part image's alt text kept with the
thread (services/post_threads.py)."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from app.providers.base import MediaItem
from app.services import checks, post_threads
from app.services.errors import InvalidInput
from app.ui.state.composer_checks import live_check

LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500, "threads": 500}


def _check(platform: str, parts: list[str], media: list[list[MediaItem]] | None = None):
    provider = checks.offline_provider(platform)
    return checks.check(provider, "Part 1", [], {"thread": parts}, media)


def _png(name: str, alt: str | None = None, side: int = 64) -> MediaItem:
    out = io.BytesIO()
    Image.new("RGBA", (side, side), (200, 30, 30, 0)).save(out, "PNG")
    item = MediaItem.from_bytes(out.getvalue(), "image/png", name, alt)
    item.url, item.width, item.height = f"https://media.example.com/{name}", side, side
    return item


@pytest.mark.parametrize("platform", sorted(LIMITS))
def test_a_too_long_part_is_named_and_goes_away_when_shortened(platform: str) -> None:
    limit = LIMITS[platform]
    long = _check(platform, ["Fine", "y" * (limit + 1)])
    [problem] = [p for p in long.problems if "characters" in p]
    assert problem.startswith(f"Thread part 3 is {limit + 1} characters"), problem
    assert _check(platform, ["Fine", "y" * limit]).problems == []


def test_the_composer_and_schedule_say_the_same_words() -> None:
    """live_check (the composer) and checks.check (posts.validate_destinations) agree."""
    options = {"thread": ["y" * 281]}
    live = live_check("x", "Part 1", [], options, None, "active", [[]])
    scheduled = checks.check(checks.offline_provider("x"), "Part 1", [], options, [[]])
    assert live.problems == scheduled.problems
    assert live.problems == [
        "Thread part 2 is 281 characters as X counts them; the limit is 280 (a link counts as "
        "23, an emoji or a CJK character as 2)."
    ]


def test_only_a_part_written_gets_a_verdict() -> None:
    """The first part empty but a further one written: a verdict (the words Schedule uses),
    not the blank state of a composer with nothing written."""
    found = live_check("x", "", [], {"thread": ["y" * 300]}, None, "active", [[]])
    assert found.problems == ["Write something or attach media."]
    assert live_check("x", "", [], {}, None, "active").problems == []


def test_too_many_images_on_a_part_while_attaching() -> None:
    five = [[_png(f"p{i}.png") for i in range(5)]]
    assert (
        "Part 2 has 5 images; Bluesky takes at most 4." in _check("bluesky", ["Two"], five).problems
    )
    assert _check("bluesky", ["Two"], [five[0][:4]]).problems == []


def test_a_part_image_is_converted_not_refused() -> None:
    """A BMP on a part for X (which takes none) is announced as converted, as on part 1."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(out, "BMP")
    bmp = MediaItem.from_bytes(out.getvalue(), "image/bmp", "scan.bmp")
    bmp.url, bmp.width, bmp.height = "https://media.example.com/scan.bmp", 40, 30
    found = _check("x", ["Two"], [[bmp]])
    assert found.problems == []
    assert [n for n in found.notes if n.startswith("Part 2: scan.bmp (BMP) will be converted")]


@pytest.mark.parametrize(("platform", "limit"), [("mastodon", 1500), ("bluesky", 2000)])
def test_a_part_image_alt_text_too_long(platform: str, limit: int) -> None:
    parts = [[], [_png("c.png", "d" * (limit + 1))]]
    found = _check(platform, ["Two", "Three"], parts)
    network = checks.offline_provider(platform).display_name
    assert (
        f"Part 3: The alt text of c.png is {limit + 1:,} characters; {network} takes up to "
        f"{limit:,}." in found.problems
    )
    parts[1][0].alt_text = "d" * limit
    assert _check(platform, ["Two", "Three"], parts).problems == []


def test_x_says_a_part_alt_text_is_too_long_once() -> None:
    found = _check("x", ["Two"], [[_png("c.png", "d" * 1001)]])
    assert [p for p in found.problems if "alt text" in p] == [
        "Part 2: c.png: alt text is limited to 1000 characters."
    ]


def test_part_alt_text_is_kept_with_the_thread() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    parts = post_threads.clean_parts(
        [
            {
                "text": "Two",
                "media_ids": [str(a), str(b)],
                "media_alt": {str(a): "  A red square  ", str(b): "  ", str(uuid.uuid4()): "x"},
            },
            "Three",
        ]
    )
    assert parts[0].media_alt == {a: "A red square"}
    stored = post_threads.stored(parts)
    assert stored == [
        {"text": "Two", "media_ids": [str(a), str(b)], "media_alt": {str(a): "A red square"}},
        {"text": "Three", "media_ids": []},
    ]
    assert post_threads.read(stored) == parts
    options = {"thread": stored}
    assert post_threads.parts_alt(options) == [{a: "A red square"}, {}]
    # The image deleted from the library: its alt text goes with it.
    kept = post_threads.without_media({"x": options}, a)["x"]["thread"]
    assert kept[0] == {"text": "Two", "media_ids": [str(b)]}


def test_part_alt_text_refusals() -> None:
    a = uuid.uuid4()
    with pytest.raises(InvalidInput) as refused:
        post_threads.clean_parts([{"text": "Two", "media_ids": [str(a)], "media_alt": "x"}])
    assert refused.value.code == "invalid_thread"
    with pytest.raises(InvalidInput) as refused:
        post_threads.clean_parts(
            [{"text": "Two", "media_ids": [str(a)], "media_alt": {str(a): "d" * 5001}}]
        )
    assert refused.value.message == "Thread part 2: alt text is limited to 5,000 characters."
    with pytest.raises(InvalidInput) as refused:
        post_threads.clean_parts(["Two", "  "])
    assert refused.value.message == post_threads.empty_part(3)
