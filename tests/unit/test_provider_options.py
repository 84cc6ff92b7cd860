"""Each provider is the one description of its network's post options: the composer's form, the
validation messages and the preview title are derived from its options model."""

from __future__ import annotations

import pytest

from app.providers.base import PublishRequest
from app.providers.options import option_problems, option_specs
from app.providers.registry import all_providers, provider_class
from app.ui.state.composer_model import (
    UNSET,
    config_to_options,
    form_specs,
    live_defaults,
    option_fields,
    options_to_config,
    preview_title,
)

PLATFORMS = [p.id for p in all_providers()]


def test_every_network_is_found_and_describes_itself() -> None:
    assert set(PLATFORMS) == {
        "bluesky", "facebook", "instagram", "linkedin", "mastodon", "pinterest", "threads",
        "tiktok", "x", "youtube",
    }  # fmt: skip
    for cls in all_providers():
        assert cls.text_rules.NOTE and cls.look.mark and cls.look.color
        assert cls.rate_budgets, cls.id
        for spec in option_specs(cls.options_model):
            assert spec.label and spec.label != spec.name, (cls.id, spec.name)
            if spec.kind == "select" and not spec.live:
                assert spec.choices, (cls.id, spec.name)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_problems_are_in_words(platform: str) -> None:
    model = provider_class(platform).options_model
    wrong = {spec.name: 12345 for spec in option_specs(model) if spec.kind != "data"}
    problems = option_problems(model, {**wrong, "colour": "red"}, "Net")
    assert "Net has no option called “colour”." in problems
    for problem in problems:
        assert "option '" not in problem and "_" not in problem.split("“")[0], problem


def test_messages_name_the_label() -> None:
    pinterest = provider_class("pinterest")
    problems = option_problems(pinterest.options_model, {"board_id": "abc"}, "Pinterest")
    assert problems == ["“Board” must be a board id (digits)."]
    problems = option_problems(pinterest.options_model, {}, "Pinterest")
    assert problems == ["Choose “Board” for Pinterest."]
    tiktok = provider_class("tiktok")
    options = {"privacy_level": "SELF_ONLY", "is_aigc": 1}
    problems = option_problems(tiktok.options_model, options, "TikTok")
    assert problems == ["“AI-generated content” must be true or false."]


def test_youtube_validation_wording() -> None:
    youtube = provider_class("youtube")(client_id="c")
    problems = youtube.validate(PublishRequest("text", options={"title": " ", "privacy": "x"}))
    assert "YouTube needs a video title." in problems
    assert "“Privacy” must be one of: public, unlisted, private." in problems


def test_the_composer_form_comes_from_the_schema() -> None:
    live = {"board_id": [["11", "Cats"], ["12", "Dogs"]]}
    board, title, *_ = option_fields("pinterest", {}, live)
    assert (board.kind, board.value, board.label) == ("select", UNSET, "Board")
    assert [(c.value, c.label) for c in board.choices] == [("11", "Cats"), ("12", "Dogs")]
    assert board.help == "Required: where the pin goes."
    assert title.kind == "text" and title.label == "Pin title"
    reply = option_fields("x", {"reply_settings": "following"}, {})[0]
    assert reply.value == "following"
    assert (reply.choices[0].value, reply.choices[0].label) == (UNSET, "Everyone")
    # REST-only options are not in the form.
    assert [s.name for s in form_specs("x")] == ["reply_settings"]


def test_required_live_choices_get_a_default() -> None:
    levels = [["PUBLIC_TO_EVERYONE", "Public to everyone"], ["SELF_ONLY", "Self only"]]
    assert live_defaults("tiktok", {}, {"privacy_level": levels}) == {"privacy_level": "SELF_ONLY"}
    assert live_defaults("pinterest", {}, {"board_id": [["7", "B"]]}) == {"board_id": "7"}
    kept = live_defaults("pinterest", {"board_id": "8"}, {"board_id": [["7", "B"]]})
    assert kept == {"board_id": "8"}


def test_form_values_round_trip_as_typed_config() -> None:
    form = {
        "youtube": {"title": "T", "tags": "a, b", "made_for_kids": "yes", "privacy": UNSET},
        "x": {"reply_settings": ""},
    }
    config = options_to_config(form, {"youtube", "x"})
    assert config == {"youtube": {"title": "T", "tags": ["a", "b"], "made_for_kids": True}}
    assert config_to_options(config) == {
        "youtube": {"title": "T", "tags": "a, b", "made_for_kids": "yes"}
    }
    assert preview_title("youtube", {"title": "Hello"}) == "Hello"
    assert preview_title("x", {"title": "not shown"}) == ""
