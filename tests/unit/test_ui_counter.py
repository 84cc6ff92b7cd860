"""The composer's browser counters (JavaScript) agree with the networks' text rules (Python) on
every case: the texts below, Mastodon's and Herald's edge cases, and every text of twitter-text's
conformance files and of atproto's rich-text tests, for every platform."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.providers import mastodon_text, threads_text, x_text
from app.providers.registry import all_providers, provider_class, text_rules
from app.providers.text_units import count_graphemes, utf8_length, utf16_length
from app.ui.components.counter import COUNTING, NOTES, STRICT, counter_js

NODE = shutil.which("node") or str(Path(sys.executable).parent / "node")
CONFORMANCE = Path(__file__).parent.parent / "conformance"

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
    # Graphemes: Indic conjuncts (Unicode 15.1), emoji ZWJ, flags, keycaps, combining marks.
    "नमस्ते क्षत्रिय ক্ষমা বাংলা",
    "👩‍❤️‍💋‍👨 🏳️‍⚧️ 🏴‍☠️ 🇺🇳🇫 1️⃣#️⃣*⃣ a\u0301\u0327\u0308 각 \u0915\u094d\u200d",
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f 🧑🏽‍💻 🫶🏾",
    # X: the cases.
    "x" * 270 + " bit.ly",
    "https://www.example.sport/ " + "a" * 60,
    "africa.africa radio.radio pay.pay fun.fun food.food bharat.ভারত readme.md",
    "http://xn--はじめよう.com/ and https://xn--ls8h.la/",
    "日本語のexample.comです and foo-example.com and _example.com",
    "https://example.com/" + "a" * 4080,
    "https://t.co/" + "a" * 41 + " https://t.co/abc?x=1",
    # Mastodon: boundaries, protocols, domains, 4,096 cap, long remote domains.
    "a" * 76 + "http://" + "b" * 30 + ".com/example",
    "http://example.com/valid?" + "#foo?" * 1000,
    "@alice@" + "b" * 506 + ".com and @bob@example.com@x and @carol@exämple.com",
    "gemini://example.org/x dat://example.com ftp://example.org https://example.notatld/x",
    "https://"
    + "a" * 64
    + ".com https://☃.net/ https://🐱.example.com/ https://ＥＸＡＭＰＬＥ.com/",
    "https://example.com/a_(日本) https://mastodon.social/@bob@x.org",
    "  \n\u3000",
]

PY_COUNTERS = {
    "x": x_text.weighted_length,
    "graphemes": count_graphemes,
    "mastodon": mastodon_text.count_status_length,
    "threads": threads_text.text_length,
    "utf16": utf16_length,
    "utf8": utf8_length,
    "codepoints": len,
}


def conformance_texts() -> list[str]:
    texts: list[str] = []
    for name in ("validate.yml", "extract.yml", "tlds.yml"):
        with (CONFORMANCE / "twitter_text" / name).open(encoding="utf-8") as f:
            for cases in yaml.safe_load(f)["tests"].values():
                texts += [c["text"] for c in cases if isinstance(c.get("text"), str)]
    atproto = json.loads((CONFORMANCE / "atproto" / "rich_text_detection.json").read_text())
    texts += [c["text"] for table in ("segments", "tags", "cashtags") for c in atproto[table]]
    return texts


def test_every_platform_counts_with_its_text_rules() -> None:
    assert set(COUNTING) == set(NOTES) == set(STRICT) == {p.id for p in all_providers()}
    for platform, kind in COUNTING.items():
        limits = provider_class(platform).default_limits
        for text in TEXTS:
            assert limits.count_text(text) == PY_COUNTERS[kind](text), (platform, text)
    # Where the network documents no rule, the strict count is the largest plausible one.
    for platform in (p for p, strict in STRICT.items() if strict):
        assert COUNTING[platform] == "utf16" and "strictly" in NOTES[platform]
        assert text_rules(platform).text_length("😀é") == 3


@pytest.mark.skipif(not Path(NODE).exists(), reason="node is not installed")
@pytest.mark.parametrize("url_length", [23, 30])
def test_javascript_counts_like_python(tmp_path: Path, url_length: int) -> None:
    texts = TEXTS + conformance_texts()
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    script = tmp_path / "count.mjs"
    script.write_text(
        "import { readFileSync } from 'node:fs';\n"
        "globalThis.window = globalThis;\n"
        + counter_js()
        + f"\nconst texts = JSON.parse(readFileSync({json.dumps(str(tmp_path / 'texts.json'))}));"
        + f"\nconst platforms = {json.dumps(sorted(COUNTING))};\n"
        + "const out = {};\n"
        + "for (const p of platforms) "
        + f"out[p] = texts.map((t) => window.heraldCount(p, t, {url_length}));\n"
        + "console.log(JSON.stringify(out));\n"
    )
    run = subprocess.run([NODE, str(script)], capture_output=True, text=True, check=True)
    got = json.loads(run.stdout)
    for platform in sorted(COUNTING):
        count = PY_COUNTERS[COUNTING[platform]]
        if COUNTING[platform] in ("x", "mastodon"):
            want = [count(t, url_length=url_length) for t in texts]
        else:
            want = [count(t) for t in texts]
        wrong = [
            (t[:80], g, w) for t, g, w in zip(texts, got[platform], want, strict=True) if g != w
        ]
        assert not wrong, (platform, len(wrong), wrong[:5])
