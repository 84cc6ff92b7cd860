"""Thread parts with media: stored form (rich and plain), and each network's per-part limits
in plain words (validation only: no request leaves)."""

from __future__ import annotations

import uuid

import pytest

from app.providers.base import MediaItem, PublishRequest
from app.providers.registry import get_provider
from app.services import post_threads
from app.services.errors import InvalidInput

BASE = "http://127.0.0.1:9"  # never called: validation is offline


def image(n: int = 0) -> MediaItem:
    return MediaItem.from_bytes(b"\x89PNG" + bytes([n]), "image/png", f"p{n}.png")


def video() -> MediaItem:
    return MediaItem.from_bytes(b"\x00\x00\x00\x18ftypmp42", "video/mp4", "clip.mp4")


def request(part2: list[MediaItem], text: str = "Part 2") -> PublishRequest:
    return PublishRequest(
        text="Part 1", options={"thread": [text, "Part 3"]}, thread_media=[part2, []]
    )


def provider(platform: str):
    if platform == "mastodon":
        from app.providers.mastodon import MastodonProvider

        return get_provider(platform, api_base=BASE, limits=MastodonProvider.default_limits)
    return get_provider(platform, api_base=BASE)


@pytest.mark.parametrize(
    ("platform", "name"), [("x", "X"), ("bluesky", "Bluesky"), ("mastodon", "Mastodon")]
)
def test_five_images_on_a_part_are_refused_naming_the_part(platform: str, name: str) -> None:
    problems = provider(platform).validate(request([image(i) for i in range(5)]))
    assert f"Part 2 has 5 images; {name} takes at most 4." in problems
    assert provider(platform).validate(request([image(i) for i in range(4)])) == []


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon"])
def test_a_video_goes_alone_on_a_reply(platform: str) -> None:
    assert provider(platform).validate(request([video()])) == []
    problems = provider(platform).validate(request([video(), image()]))
    assert problems and all(p.startswith("Part 2: ") for p in problems), problems


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon"])
def test_a_part_may_be_media_alone_but_not_empty(platform: str) -> None:
    assert provider(platform).validate(request([image()], text="")) == []
    assert "Thread part 2 is empty." in provider(platform).validate(request([], text=""))


def test_threads_says_it_cannot_take_library_files_on_parts() -> None:
    problems = provider("threads").validate(request([image()]))
    assert any(
        p.startswith("Part 2 has media; Threads takes media from public URLs") for p in problems
    )


def test_parts_are_read_in_both_stored_forms_and_written_rich() -> None:
    red = uuid.uuid4()
    parts = post_threads.clean_parts(["plain", {"text": "", "media_ids": [str(red)]}])
    stored = post_threads.stored(parts)
    assert stored == [{"text": "plain", "media_ids": []}, {"text": "", "media_ids": [str(red)]}]
    # Text-only threads stored before parts had media still read, as parts without media.
    assert post_threads.read(["old", "texts"]) == [
        post_threads.ThreadPart(text="old"),
        post_threads.ThreadPart(text="texts"),
    ]
    options, media = post_threads.provider_options({"thread": stored, "langs": ["en"]})
    assert options == {"thread": ["plain", ""], "langs": ["en"]} and media == [[], [red]]
    configs = {"x": {"thread": stored}, "mastodon": {"thread": ["legacy"]}}
    assert post_threads.media_ids_of(configs) == [red]
    # A medium deleted from the library leaves the parts; a part left empty goes.
    assert post_threads.without_media(configs, red)["x"]["thread"] == [stored[0]]


@pytest.mark.parametrize(
    "bad",
    [[{"text": "x", "media_ids": ["nope"]}], [{"text": "  "}], [{"text": 3}], [{"media_ids": "x"}]],
)
def test_bad_parts_are_refused_in_words(bad: list) -> None:
    with pytest.raises(InvalidInput) as refused:
        post_threads.clean_parts(bad)
    assert refused.value.code == "invalid_thread" and "part 2" in refused.value.message.lower()
