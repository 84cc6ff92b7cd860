"""The composer's browser counters (JavaScript) agree with the providers' Python counters."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.providers import (
    bluesky,
    facebook,
    instagram,
    linkedin,
    mastodon,
    threads,
    tiktok,
    x,
    youtube,
)
from app.providers.registry import all_providers, provider_class
from app.ui.components.counter import COUNTING, counter_js

NODE = shutil.which("node") or str(Path(sys.executable).parent / "node")

TEXTS = [
    "",
    "Hello world",
    "Launch day! 🚀 Our new product ships today #launch @herald",
    "Family: 👨‍👩‍👧‍👦 flag: 🇫🇷 keycap: 1️⃣ skin: 👍🏽 heart: ❤️",
    "日本語のテキストです。中文也可以。한국어도요",
    "Read https://example.com/path?q=1, then http://foo.org.",
    "Visit example.com and github.io/herald/ or docs.python.org/3/",
    "Mail me at someone@example.com (not a link) e.g. like this",
    "Remote mention @alice@mastodon.social and @bob here",
    "Accents: café, naïve, Zoë; combining: e\u0301 a\u0308",
    "CRLF\r\nline two\nline three",
    "Ünïcödé ☕ ☀️ ✨ ©️ ® ™",
    "See https://en.wikipedia.org/wiki/Foo_(bar) and (https://example.com/x).",
    "x" * 300,
    "Tags #one #two #three https://t.co/abc123 done.",
]

PY_COUNTERS = {
    "x": x.weighted_length,
    "graphemes": bluesky.BlueskyProvider.default_limits.count_text,
    "mastodon": mastodon.count_status_length,
    "threads": threads.text_length,
    "utf16": facebook.text_length,
    "codepoints": len,
    "utf8": youtube.description_bytes,
}


def test_every_platform_has_a_counting_rule_that_matches_its_provider():
    assert set(COUNTING) == {p.id for p in all_providers()}
    for platform, kind in COUNTING.items():
        limits = provider_class(platform).default_limits
        for text in TEXTS:
            assert limits.count_text(text) == PY_COUNTERS[kind](text), (platform, text)
    assert linkedin.text_length is not None and tiktok.text_length is not None
    assert instagram.InstagramProvider.default_limits.count_text("é") == 1


@pytest.mark.skipif(not Path(NODE).exists(), reason="node is not installed")
def test_javascript_counts_like_python(tmp_path: Path):
    script = tmp_path / "count.mjs"
    script.write_text(
        "globalThis.window = globalThis;\n"
        + counter_js()
        + f"\nconst texts = {json.dumps(TEXTS)};\n"
        + f"const platforms = {json.dumps(sorted(COUNTING))};\n"
        + "const out = {};\n"
        + "for (const p of platforms) out[p] = texts.map((t) => window.heraldCount(p, t, 23));\n"
        + "console.log(JSON.stringify(out));\n"
    )
    got = json.loads(
        subprocess.run([NODE, str(script)], capture_output=True, text=True, check=True).stdout
    )
    for platform in sorted(COUNTING):
        limits = provider_class(platform).default_limits
        want = [limits.count_text(t) for t in TEXTS]
        assert got[platform] == want, platform
