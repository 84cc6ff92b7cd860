"""/api/ai over HTTP against a local OpenAI-compatible fake server (real HTTP): the request we
send, JSON validation, fitting to each platform's limit as the platform counts, typed errors,
the per-workspace budget, roles and recorded usage."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zoneinfo
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlmodel import select

from app import db
from app.config import settings
from app.models import AIUsage, Workspace
from app.providers.base import count_graphemes
from app.providers.registry import provider_class
from tests.integration.helpers import error_of, registered
from tests.support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("clean_db")

KEY = "sk-test-herald-0123456789"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def ai_on(fake, monkeypatch) -> FakeOpenAI:
    fake.reset()
    monkeypatch.setattr(settings, "openai_api_key", SecretStr(KEY))
    monkeypatch.setattr(settings, "openai_base_url", fake.base_url)
    monkeypatch.setattr(settings, "openai_model", "gpt-4o-mini")
    monkeypatch.setattr(settings, "openai_timeout_seconds", 5.0)
    monkeypatch.setattr(settings, "ai_requests_per_hour", 60)
    return fake


@pytest.fixture
def team():
    client, me = registered("owner@example.com", "Owner")
    wid = me["workspaces"][0]["id"]
    client.headers["X-Workspace-Id"] = wid
    return {"client": client, "wid": wid}


def generate(team, **body):
    payload = {"topic": "Herald 1.0 launch", "tone": "witty", "platform": "linkedin"}
    payload.update(body)
    return team["client"].post("/api/ai/generate", json=payload)


def answer(caption: str, hashtags: list[str]) -> str:
    return json.dumps({"caption": caption, "hashtags": hashtags}, ensure_ascii=False)


def last_user_message(fake: FakeOpenAI) -> str:
    return [m for m in fake.requests[-1].messages if m["role"] == "user"][-1]["content"]


def test_sends_model_prompts_json_mode_and_key_and_answers_a_fitted_caption(ai_on, team):
    r = generate(team, context="Open source, self-hosted, ships with 10 platforms.")
    assert r.status_code == 200, r.text
    out = r.json()

    assert len(ai_on.requests) == 1
    sent = ai_on.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["model"] == "gpt-4o-mini"
    assert sent.body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in sent.messages] == ["system", "user"]
    system, user = sent.content_of("system"), sent.content_of("user")
    assert "Herald" in system and "social media scheduler" in system and "JSON" in system
    assert "5 to 10" in system
    assert "Topic: Herald 1.0 launch" in user
    assert "witty" in user and "LinkedIn" in user and "3000 characters" in user
    assert "an emoji counts 2" in user  # the platform's own way of counting
    assert "Open source, self-hosted" in user and "JSON" in user

    assert out["limit"] == 3000 and out["platform"] == "linkedin"
    assert out["model"] == "gpt-4o-mini" and out["adjusted"] == ""
    assert out["caption"] == "Plot twist: Herald 1.0 launch."
    assert 5 <= len(out["hashtags"]) <= 10
    assert all(t.startswith("#") and " " not in t and "##" not in t for t in out["hashtags"])
    assert out["text"] == out["caption"] + "\n\n" + " ".join(out["hashtags"])
    assert out["length"] == provider_class("linkedin").default_limits.count_text(out["text"])
    assert out["prompt_tokens"] > 0 and out["completion_tokens"] > 0


def test_hashtags_are_normalised_and_a_trailing_hashtag_block_moves_to_the_list(ai_on, team):
    tags = ["#Launch", "open source", "##SelfHosted", "launch", "social-media", "2026", "Herald"]
    ai_on.reply(answer("Herald 1.0 is here. #Scheduling #Launch", tags))
    r = generate(team, platform="mastodon", tone="professional")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["caption"] == "Herald 1.0 is here."
    assert out["hashtags"] == [
        "#Launch", "#opensource", "#SelfHosted", "#socialmedia", "#Herald", "#Scheduling",
    ]  # fmt: skip
    assert out["text"].endswith(
        "\n\n#Launch #opensource #SelfHosted #socialmedia #Herald #Scheduling"
    )


def test_x_weighted_limit_reasks_once_then_trims_never_over(ai_on, team):
    x = provider_class("x").default_limits
    # Links count 23 and emoji 2 on X: this caption is far over 280 weighted characters.
    long = " ".join(
        f"Day {i}: read https://example.com/posts/{i}/a-long-path 🚀 for the full story."
        for i in range(12)
    )
    tags = ["Launch", "OpenSource", "SelfHosted", "Scheduler", "Python", "Social", "Herald"]
    ai_on.reply(answer(long, tags)).reply(answer(long + " Even longer now.", tags))
    r = generate(team, platform="x", tone="urgent")
    assert r.status_code == 200, r.text
    out = r.json()

    assert len(ai_on.requests) == 2  # the re-ask happened, once
    reask = last_user_message(ai_on)
    first_length = x.count_text(long + "\n\n" + " ".join("#" + t for t in tags))
    assert f"That post is {first_length} characters" in reask
    assert f"{first_length - 280} over the limit of 280" in reask
    assert ai_on.requests[1].messages[-2]["role"] == "assistant"  # our first answer, replayed

    assert out["limit"] == 280 and out["adjusted"] == "reasked+trimmed"
    assert out["length"] == x.count_text(out["text"]) <= 280
    assert len(out["text"]) < len(long)
    assert out["caption"].endswith("…") and long.startswith(out["caption"][:-1])
    assert out["hashtags"] == ["#" + t for t in tags[:5]]  # least relevant dropped, 5 kept
    assert out["text"] == out["caption"] + "\n\n" + " ".join(out["hashtags"])


def test_a_shorter_reask_answer_is_used_as_written(ai_on, team):
    tags = ["Launch", "OpenSource", "SelfHosted", "Scheduler", "Python"]
    ai_on.reply(answer("word " * 80, tags)).reply(answer("Herald 1.0 ships today.", tags))
    r = generate(team, platform="x")
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(ai_on.requests) == 2 and out["adjusted"] == "reasked"
    assert out["caption"] == "Herald 1.0 ships today." and len(out["hashtags"]) == 5


def test_bluesky_counts_graphemes(ai_on, team):
    # A family emoji: 7 code points, 1 grapheme.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    caption = "Family day " + " ".join([family] * 140)
    tags = ["Family", "Weekend", "Together", "Bluesky", "Herald", "Sunday"]
    ai_on.reply(answer(caption, tags)).reply(answer(caption, tags))
    r = generate(team, platform="bluesky", tone="casual")
    assert r.status_code == 200, r.text
    out = r.json()
    assert "300 characters" in ai_on.requests[0].content_of("user")
    assert "graphemes" in ai_on.requests[0].content_of("user")
    assert out["limit"] == 300 and out["length"] == count_graphemes(out["text"]) <= 300
    assert len(out["text"]) > 300  # code points: counting them would have cut far more
    assert out["caption"].endswith(family + "…")  # cut between clusters, never inside one
    assert len(out["hashtags"]) >= 5


def test_invalid_json_is_reasked_once_then_502(ai_on, team):
    ai_on.reply("Sure! Here is a caption: Herald rocks").reply(answer("Fine.", ["Herald"]))
    r = generate(team)
    assert r.status_code == 502
    err = error_of(r)
    assert err["code"] == "ai_invalid_output" and "twice" in err["message"]
    assert len(ai_on.requests) == 2
    assert "not valid JSON" in last_user_message(ai_on)

    ai_on.reset()
    ai_on.reply("{not json").reply(answer("Recovered.", ["a", "b", "c", "d", "e"]))
    r = generate(team)
    assert r.status_code == 200 and r.json()["caption"] == "Recovered."
    assert len(ai_on.requests) == 2


def test_refusal_and_content_filter_are_422(ai_on, team):
    ai_on.refuse("I can't help with that request.")
    r = generate(team)
    assert r.status_code == 422 and error_of(r)["code"] == "ai_refused"
    assert "I can't help with that request." in error_of(r)["message"]
    ai_on.content_filter()
    r = generate(team)
    assert r.status_code == 422 and "content filter" in error_of(r)["message"]
    assert len(ai_on.requests) == 2  # a refusal is not re-asked


def test_timeout_is_504(ai_on, team, monkeypatch):
    monkeypatch.setattr(settings, "openai_timeout_seconds", 0.3)
    ai_on.delay(1.5)
    r = generate(team)
    assert len(ai_on.requests) == 1  # no silent SDK retries
    assert r.status_code == 504 and error_of(r)["code"] == "ai_timeout"
    assert "0.3 seconds" in error_of(r)["message"]


def test_not_configured_is_503_and_a_base_url_alone_is_enough(ai_on, team, monkeypatch):
    monkeypatch.setattr(settings, "openai_api_key", SecretStr(""))
    monkeypatch.setattr(settings, "openai_base_url", "")
    r = generate(team)
    assert r.status_code == 503
    err = error_of(r)
    assert err["code"] == "ai_not_configured"
    assert "AI captions are not set up on this Herald (HERALD_OPENAI_API_KEY)" in err["message"]
    assert ai_on.requests == []
    assert team["client"].get("/api/ai/usage").json()["configured"] is False

    monkeypatch.setattr(settings, "openai_base_url", ai_on.base_url)  # e.g. a local Ollama
    r = generate(team)
    assert r.status_code == 200, r.text
    assert ai_on.requests[-1].headers["authorization"] == "Bearer not-needed"


def test_upstream_errors_are_typed_and_leak_no_key(ai_on, team):
    ai_on.error(429, retry_after=7)
    r = generate(team)
    assert r.status_code == 429 and error_of(r)["code"] == "ai_rate_limited"
    assert r.headers["retry-after"] == "7" and "7 seconds" in error_of(r)["message"]

    ai_on.error(500)
    r = generate(team)
    assert r.status_code == 502 and error_of(r)["code"] == "ai_unavailable"
    assert "HTTP 500" in error_of(r)["message"]

    ai_on.error(401, f"Incorrect API key provided: {KEY[:10]}***{KEY[-4:]}")
    r = generate(team)
    assert r.status_code == 502 and "HERALD_OPENAI_API_KEY" in error_of(r)["message"]
    assert KEY[:10] not in r.text and KEY[-4:] not in r.text
    assert len(ai_on.requests) == 3  # no silent retries


def test_workspace_budget_is_429_after_n_per_hour(ai_on, team, monkeypatch):
    monkeypatch.setattr(settings, "ai_requests_per_hour", 3)
    for _ in range(3):
        assert generate(team).status_code == 200
    r = generate(team)
    assert r.status_code == 429
    err = error_of(r)
    assert err["code"] == "ai_rate_limited" and "used its 3 AI captions" in err["message"]
    assert "minutes" in err["message"] and 1000 < int(r.headers["retry-after"]) <= 1200
    assert len(ai_on.requests) == 3  # the refused one never reached the AI server

    other, me = registered("other@example.com")
    other.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    r = other.post("/api/ai/generate", json={"topic": "t", "tone": "casual", "platform": "x"})
    assert r.status_code == 200


def test_roles_tenants_and_bad_input(ai_on, team):
    outsider, _ = registered("viewer@example.com")
    outsider.headers["X-Workspace-Id"] = team["wid"]
    body = {"topic": "Launch", "tone": "witty", "platform": "x"}
    assert outsider.post("/api/ai/generate", json=body).status_code == 404
    assert outsider.get("/api/ai/usage").status_code == 404
    link = team["client"].post(f"/api/workspaces/{team['wid']}/invites", json={"role": "viewer"})
    token = link.json()["link"].rsplit("/", 1)[1]
    assert outsider.post("/api/invites/accept", json={"token": token}).status_code == 200
    r = outsider.post("/api/ai/generate", json=body)
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    assert outsider.get("/api/ai/usage").status_code == 200  # viewers read

    cases = [
        ({"tone": "angry"}, "tone"),
        ({"platform": "myspace"}, "Unknown platform 'myspace'"),
        ({"topic": "   "}, "topic"),
        ({"topic": "x" * 501}, "topic"),
        ({"context": "c" * 2001}, "context"),
    ]
    for change, says in cases:
        r = generate(team, **change)
        assert r.status_code == 422, (change, r.text)
        assert says in error_of(r)["message"], (change, error_of(r))
    assert ai_on.requests == []


def test_usage_is_recorded_and_summarised(ai_on, team):
    assert generate(team).status_code == 200
    assert generate(team, platform="x", tone="casual").status_code == 200
    ai_on.reply("nope").reply("still nope")
    assert generate(team).status_code == 502

    with db.session() as s:
        rows = s.exec(select(AIUsage).order_by(AIUsage.id)).all()
    assert [(r.platform, r.outcome, r.requests) for r in rows] == [
        ("linkedin", "ok", 1),
        ("x", "ok", 1),
        ("linkedin", "ai_invalid_output", 2),
    ]
    assert all(r.workspace_id == uuid.UUID(team["wid"]) and r.user_id for r in rows)
    assert all(r.model == "gpt-4o-mini" and r.prompt_tokens > 0 for r in rows)
    assert all(r.completion_tokens > 0 for r in rows)

    summary = team["client"].get("/api/ai/usage").json()
    assert summary["requests"] == 3 and summary["succeeded"] == 2
    assert summary["prompt_tokens"] == sum(r.prompt_tokens for r in rows)
    assert summary["total_tokens"] == sum(r.prompt_tokens + r.completion_tokens for r in rows)
    assert summary["configured"] is True and summary["requests_per_hour"] == 60
    start = dt.datetime.fromisoformat(summary["period_start"])
    end = dt.datetime.fromisoformat(summary["period_end"])
    assert start <= dt.datetime.now(dt.UTC) < end
    assert (start.day, start.hour, start.minute) == (1, 0, 0) and end.day == 1


def test_the_usage_month_follows_the_workspace_time_zone(ai_on, team):
    with db.session() as s:  # setup: a workspace in Auckland (no API sets the zone yet)
        s.get(Workspace, uuid.UUID(team["wid"])).timezone = "Pacific/Auckland"
    summary = team["client"].get("/api/ai/usage").json()
    start = dt.datetime.fromisoformat(summary["period_start"])
    local = start.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert (local.day, local.hour) == (1, 0) and start.utcoffset() != dt.timedelta(0)
    assert summary["requests"] == 0
