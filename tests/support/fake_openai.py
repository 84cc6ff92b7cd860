"""A local OpenAI-compatible server over real HTTP, for tests and offline demos.

`with FakeOpenAI() as fake:` serves `POST /v1/chat/completions` and `GET /v1/models` at
`fake.base_url` (a free port on 127.0.0.1). Every request is recorded in `fake.requests`
(path, headers, JSON body) so tests can check what Herald sends. Answers come from a queue of
scripted behaviours (`fake.reply(...)`, `fake.refuse()`, `fake.error(429)`, `fake.delay(2)`);
with an empty queue the server answers a deterministic, plausible caption built from the prompt.

Run it alone for a demo: `python -m tests.support.fake_openai --port 8901`, then
`HERALD_OPENAI_BASE_URL=http://127.0.0.1:8901/v1 HERALD_OPENAI_API_KEY=fake make run`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulator.server import ServerThread

MODELS = ("gpt-4o-mini", "fake-caption-model")
_STOP = {"a", "an", "and", "the", "of", "for", "to", "in", "on", "our", "with", "is", "at", "by"}


@dataclass(frozen=True)
class Recorded:
    """One request the server received (as webhook_receiver.Received)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def content_of(self, role: str) -> str:
        """All message contents of one role, joined by newlines."""
        return "\n".join(str(m.get("content", "")) for m in self.messages if m.get("role") == role)


@dataclass
class Scripted:
    """One queued behaviour; `kind` is content | refusal | content_filter | error | delay."""

    kind: str
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def caption_for(prompt: str) -> dict[str, Any]:
    """A deterministic caption JSON for a user prompt (reads its `Topic:` and `Tone:` lines)."""
    topic = _line(prompt, "Topic") or "our latest update"
    tone = (_line(prompt, "Tone") or "professional").split()[0].strip(".,:;—-").lower()
    opener = {
        "witty": "Plot twist:",
        "casual": "Hey friends,",
        "urgent": "Don't miss this:",
    }.get(tone, "We're pleased to share:")
    words = [w for w in re.findall(r"[A-Za-z0-9]+", topic) if w.lower() not in _STOP]
    tags: list[str] = []
    for w in [*words, "News", "Update", "Community", "Social", "Herald"]:
        tag = w[:1].upper() + w[1:]
        if tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return {"caption": f"{opener} {topic.rstrip('.')}.", "hashtags": tags[:7]}


def _line(prompt: str, label: str) -> str:
    m = re.search(rf"^{label}:\s*(.+)$", prompt, re.MULTILINE)
    return m.group(1).strip() if m else ""


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeOpenAI(ServerThread):
    """The server; `base_url` is what an OpenAI client takes (ends in /v1)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, model: str = "") -> None:
        self.model = model  # when set, answers name this model instead of the requested one
        self.requests: list[Recorded] = []
        self._queue: deque[Scripted] = deque()
        self._lock = threading.Lock()
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        super().__init__(
            app,
            host,
            port,
            label="fake OpenAI server",
            thread_name="openai",
            graceful_s=1,
            join_s=5,
        )

    # ------------------------------------------------------------------ scripting

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def reply(self, content: str | dict[str, Any]) -> FakeOpenAI:
        """Queue an answer whose message content is `content` (a dict is sent as JSON)."""
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        return self._push(Scripted("content", content=text))

    def refuse(self, message: str = "I'm sorry, I can't help with that.") -> FakeOpenAI:
        """Queue a refusal (`message.refusal` set, content null)."""
        return self._push(Scripted("refusal", content=message))

    def content_filter(self) -> FakeOpenAI:
        """Queue an answer cut by the content filter (finish_reason content_filter)."""
        return self._push(Scripted("content_filter"))

    def error(
        self, status: int, message: str = "", *, retry_after: int | None = None
    ) -> FakeOpenAI:
        """Queue an HTTP error answer in OpenAI's error shape."""
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        text = message or {429: "Rate limit reached", 500: "The server had an error"}.get(
            status, f"HTTP {status}"
        )
        return self._push(Scripted("error", content=text, status=status, headers=headers))

    def delay(self, seconds: float) -> FakeOpenAI:
        """Queue an answer that comes after `seconds` (longer than a client timeout)."""
        return self._push(Scripted("delay", seconds=seconds))

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    def _push(self, item: Scripted) -> FakeOpenAI:
        with self._lock:
            self._queue.append(item)
        return self

    def _next(self) -> Scripted | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    # ------------------------------------------------------------------ HTTP

    async def _models(self, request: Request) -> JSONResponse:
        self._record(request, {})
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in MODELS]
        return JSONResponse({"object": "list", "data": data})

    async def _chat(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "The request body is not valid JSON", "invalid_request_error")
        self._record(request, body)
        if not isinstance(body, dict) or not body.get("messages") or not body.get("model"):
            return _error(400, "'model' and 'messages' are required", "invalid_request_error")
        item = self._next() or Scripted("default")
        if item.kind == "error":
            kind = "rate_limit_exceeded" if item.status == 429 else "server_error"
            return _error(item.status, item.content, kind, item.headers)
        if item.kind == "delay":  # in small steps, so stopping the server never waits on it
            deadline = time.monotonic() + item.seconds
            while time.monotonic() < deadline and not self._server.should_exit:
                await asyncio.sleep(0.02)
        model = self.model or str(body["model"])
        prompt = "\n".join(
            str(m.get("content", "")) for m in body["messages"] if m.get("role") == "user"
        )
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        finish = "stop"
        if item.kind == "refusal":
            message["refusal"] = item.content
        elif item.kind == "content_filter":
            finish = "content_filter"
        elif item.kind == "content":
            message["content"] = item.content
        else:
            message["content"] = json.dumps(caption_for(prompt), ensure_ascii=False)
        completion = str(message["content"] or message["refusal"] or "")
        prompt_tokens = sum(_tokens(str(m.get("content", ""))) for m in body["messages"])
        return JSONResponse(
            {
                "id": f"chatcmpl-fake{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": _tokens(completion),
                    "total_tokens": prompt_tokens + _tokens(completion),
                },
            }
        )

    def _record(self, request: Request, body: Any) -> None:
        with self._lock:
            self.requests.append(
                Recorded(
                    request.method,
                    request.url.path,
                    {k.lower(): v for k, v in request.headers.items()},
                    body if isinstance(body, dict) else {"_raw": body},
                )
            )


def _error(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
    return JSONResponse(body, status_code=status, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description="A local OpenAI-compatible caption server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8901)
    args = parser.parse_args()
    server = FakeOpenAI(args.host, args.port).start()
    print(f"fake OpenAI server at {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
