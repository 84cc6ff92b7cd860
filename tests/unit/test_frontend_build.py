"""The frontend build's key and the rewrite of its backend URLs (app/frontend.py), on a
scratch copy of what a Reflex build writes."""

from __future__ import annotations

import gzip
import json

import pytest

from app import frontend


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "page.py").write_text("TITLE = 'a'\n")
    (tmp_path / "app" / "__pycache__").mkdir()
    (tmp_path / "rxconfig.py").write_text("config = 1\n")
    monkeypatch.setattr(frontend, "ROOT", tmp_path)
    return tmp_path


def test_the_key_follows_sources_but_not_bytecode(checkout):
    key = frontend.source_key()
    (checkout / "app" / "__pycache__" / "page.cpython-311.pyc").write_bytes(b"\0")
    assert frontend.source_key() == key
    (checkout / "app" / "page.py").write_text("TITLE = 'b'\n")
    assert frontend.source_key() != key
    (checkout / "app" / "page.py").write_text("TITLE = 'a'\n")
    assert frontend.source_key() == key
    (checkout / "app" / "new.py").write_text("")
    assert frontend.source_key() != key


def test_backend_urls_are_rewritten_in_the_env_chunk_and_its_gzip(tmp_path, monkeypatch):
    static = tmp_path / "build" / "client"
    (static / "assets").mkdir(parents=True)
    old = {
        "PING": "http://localhost:3000/ping",
        "EVENT": "ws://localhost:3000/_event",
        "UPLOAD": "http://localhost:3000/_upload",
    }
    (tmp_path / "env.json").write_text(json.dumps({**old, "TRANSPORT": "websocket"}))
    chunk = static / "assets" / "reflex-env-Abc123.js"
    body = "var e={" + ",".join(f"{k}:`{v}`" for k, v in old.items()) + "};export{e as t};"
    chunk.write_text(body)
    (static / "assets" / "reflex-env-Abc123.js.gz").write_bytes(gzip.compress(body.encode()))
    monkeypatch.setattr(frontend, "STATIC", static)
    monkeypatch.setattr(frontend, "ENV_JSON", tmp_path / "env.json")
    new = {
        "PING": "https://herald.example.com/ping",
        "EVENT": "wss://herald.example.com/_event",
        "UPLOAD": "https://herald.example.com/_upload",
    }
    monkeypatch.setattr(frontend, "backend_urls", lambda: new)

    frontend.point_at_backend()

    text = chunk.read_text()
    assert all(url in text for url in new.values()) and "localhost" not in text
    assert gzip.decompress(chunk.with_name(chunk.name + ".gz").read_bytes()).decode() == text
    assert json.loads((tmp_path / "env.json").read_text())["EVENT"] == new["EVENT"]
    frontend.point_at_backend()  # already pointing there: nothing to do
    assert chunk.read_text() == text
