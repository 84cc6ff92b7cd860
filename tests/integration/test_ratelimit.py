"""Publish budgets: token buckets in the run's real Redis."""

from __future__ import annotations

import json
import time

import pytest

from app.config import settings
from app.services import ratelimit

pytestmark = pytest.mark.usefixtures("clean_db")


def test_account_budget_refuses_when_empty_and_says_how_long_to_wait(monkeypatch):
    monkeypatch.setattr(settings, "rate_budgets", json.dumps({"mastodon": {"account": [3, 30]}}))
    assert [ratelimit.take("mastodon", "acct-1").allowed for _ in range(3)] == [True] * 3
    refused = ratelimit.take("mastodon", "acct-1")
    assert not refused.allowed
    assert 5 <= refused.wait_seconds <= 10.5  # one token refills every 10 s
    # Another account has its own bucket.
    assert ratelimit.take("mastodon", "acct-2").allowed


def test_budget_refills_over_time(monkeypatch):
    monkeypatch.setattr(settings, "rate_budgets", json.dumps({"mastodon": {"account": [1, 0.5]}}))
    assert ratelimit.take("mastodon", "acct-r").allowed
    assert not ratelimit.take("mastodon", "acct-r").allowed
    time.sleep(0.6)
    assert ratelimit.take("mastodon", "acct-r").allowed


def test_platform_budget_is_shared_by_all_accounts(monkeypatch):
    budgets = {"x": {"account": [100, 900], "platform": [2, 3600]}}
    monkeypatch.setattr(settings, "rate_budgets", json.dumps(budgets))
    assert ratelimit.take("x", "a").allowed and ratelimit.take("x", "b").allowed
    refused = ratelimit.take("x", "c")
    assert not refused.allowed and refused.wait_seconds > 60


def test_defaults_follow_the_platforms_published_quotas():
    assert ratelimit.budgets("mastodon") == {"account": (300, 10800.0)}
    assert ratelimit.budgets("x")["platform"] == (10_000, 86400.0)
