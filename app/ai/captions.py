"""Caption generation with any OpenAI-compatible chat API, fitted to the platform's limit.

`generate()` asks for a JSON object `{"caption", "hashtags"}`, validates it strictly (one re-ask
when it is not usable), and fits `caption + blank line + hashtags` to the platform's limit as the
platform's provider counts it: one re-ask with the overage stated, then the least relevant
hashtags go (down to 5), then the caption is cut at a word boundary with '…'. The result is never
over the limit. Failures are typed `AIError`s carrying the usage spent so far.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import openai
from openai import OpenAI

from app.ai import prompts
from app.ai.config import AIConfig
from app.ai.errors import (
    AIError,
    AIInvalidOutput,
    AINotConfigured,
    AIRateLimited,
    AIRefused,
    AITimeout,
    AIUnavailable,
    Usage,
)
from app.ai.prompts import MAX_HASHTAGS, MIN_HASHTAGS, SEPARATOR
from app.providers.registry import provider_class

NOT_CONFIGURED = (
    "AI captions are not set up on this Herald (HERALD_OPENAI_API_KEY): an administrator can "
    "set an OpenAI API key, or HERALD_OPENAI_BASE_URL for an OpenAI-compatible server "
    "(Ollama, vLLM, LM Studio)."
)
ELLIPSIS = "…"
# Sent when only a base URL is configured: local servers ignore it, the client needs one.
NO_KEY = "not-needed"
_TAG_CHARS = re.compile(r"[^\w]", re.UNICODE)
_TRAILING_TAGS = re.compile(r"(?:\s+#\w+)+\s*$", re.UNICODE)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*(.*?)\s*```$", re.DOTALL)
_SECRETISH = re.compile(r"\b(sk|key|pk)-[\w*.-]{4,}", re.IGNORECASE)
_CUT_PUNCT = " \t\n,;:-–—(/"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caption:
    caption: str
    hashtags: list[str]
    # caption + blank line + hashtags: what fits the platform.
    text: str
    length: int
    limit: int
    model: str
    # What happened to fit: "" (fitted as written), "reasked", "trimmed" or "reasked+trimmed".
    adjusted: str
    usage: Usage


def compose(caption: str, hashtags: list[str]) -> str:
    return caption + (SEPARATOR + " ".join(hashtags) if hashtags else "")


def generate(
    topic: str,
    tone: str,
    platform: str,
    context: str = "",
    *,
    limit: int | None = None,
    config: AIConfig,
) -> Caption:
    """A caption and 5-10 hashtags for `platform`, fitted to its limit (or `limit`, if lower)."""
    cfg = config
    if not cfg.configured:
        raise AINotConfigured(NOT_CONFIGURED)
    if tone not in prompts.TONES:
        raise ValueError(f"unknown tone {tone!r}")
    provider = provider_class(platform)
    limits = provider.default_limits
    max_length = min(limits.max_text_length, limit) if limit else limits.max_text_length
    chat = _Chat(cfg)
    try:
        return _generate(chat, topic, tone, platform, context, provider.display_name, max_length)
    except AIError as exc:
        exc.usage = chat.usage
        raise


def _generate(
    chat: _Chat,
    topic: str,
    tone: str,
    platform: str,
    context: str,
    display_name: str,
    max_length: int,
) -> Caption:
    count = provider_class(platform).default_limits.count_text
    messages: list[dict[str, str]] = [
        {"role": "system", "content": prompts.SYSTEM_PROMPT},
        {
            "role": "user",
            "content": prompts.user_prompt(
                topic=topic,
                tone=tone,
                context=context,
                platform=platform,
                display_name=display_name,
                max_length=max_length,
            ),
        },
    ]
    caption, hashtags, raw = chat.ask_valid(messages)
    adjusted = []
    length = count(compose(caption, hashtags))
    if length > max_length:
        adjusted.append("reasked")
        messages += [
            {"role": "assistant", "content": raw},
            {
                "role": "user",
                "content": prompts.shorten_prompt(
                    length=length,
                    max_length=max_length,
                    display_name=display_name,
                    counting=prompts.notes_for(platform).counting,
                ),
            },
        ]
        try:
            shorter = chat.ask_once(messages)
        except AIError:
            shorter = None  # the first answer is usable: trim it instead
        if shorter is not None and count(compose(*shorter)) < length:
            caption, hashtags = shorter
    caption, hashtags, trimmed = fit(caption, hashtags, max_length, count)
    if trimmed:
        adjusted.append("trimmed")
    text = compose(caption, hashtags)
    return Caption(
        caption=caption,
        hashtags=hashtags,
        text=text,
        length=count(text),
        limit=max_length,
        model=chat.usage.model or chat.config.model,
        adjusted="+".join(adjusted),
        usage=chat.usage,
    )


# --------------------------------------------------------------------------- the AI server


@lru_cache(maxsize=4)
def _client(api_key: str, base_url: str, timeout: float) -> OpenAI:
    # No SDK retries: a timeout must not silently triple, and re-asks are decided here.
    return OpenAI(
        api_key=api_key or NO_KEY, base_url=base_url or None, timeout=timeout, max_retries=0
    )


class _Chat:
    """One generation's conversation with the AI server; `usage` adds up every request."""

    def __init__(self, config: AIConfig) -> None:
        self.config = config
        self.usage = Usage(model=config.model)

    def ask_valid(self, messages: list[dict[str, str]]) -> tuple[str, list[str], str]:
        """A validated answer; an unusable one is re-asked once, then AIInvalidOutput."""
        raw = self._complete(messages)
        try:
            return (*parse_answer(raw), raw)
        except ValueError as first:
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": prompts.retry_prompt(str(first))},
            ]
        raw = self._complete(messages)
        try:
            return (*parse_answer(raw), raw)
        except ValueError as second:
            raise AIInvalidOutput(
                f"The AI answered something other than the expected caption JSON twice "
                f"({second}). Try again, or use another model (HERALD_OPENAI_MODEL).",
            ) from None

    def ask_once(self, messages: list[dict[str, str]]) -> tuple[str, list[str]] | None:
        """One more answer, or None when it is not usable."""
        raw = self._complete(messages)
        try:
            return parse_answer(raw)
        except ValueError:
            return None

    def _complete(self, messages: list[dict[str, str]]) -> str:
        cfg = self.config
        client = _client(cfg.api_key, cfg.base_url, cfg.timeout)
        try:
            response = client.chat.completions.create(
                model=cfg.model,
                messages=messages,  # type: ignore[arg-type]
                response_format={"type": "json_object"},
                temperature=0.7,
            )
        except openai.APITimeoutError:
            self.usage.requests += 1
            raise AITimeout(
                f"The AI server did not answer within {cfg.timeout:g} seconds. Try again in a "
                f"moment (HERALD_OPENAI_TIMEOUT_SECONDS sets the limit)."
            ) from None
        except openai.RateLimitError as exc:
            self.usage.requests += 1
            retry = _retry_after(exc.response.headers.get("retry-after"))
            raise AIRateLimited(
                f"The AI service is rate limiting Herald; try again in {retry} seconds.",
                retry_after=retry,
            ) from None
        except openai.APIConnectionError as exc:
            raise AIUnavailable(f"Could not reach the AI server: {_redact(str(exc))}") from None
        except openai.APIStatusError as exc:
            self.usage.requests += 1
            raise AIUnavailable(_status_message(exc)) from None
        except openai.OpenAIError as exc:
            raise AIUnavailable(f"The AI request failed: {_redact(str(exc))}") from None
        self.usage.requests += 1
        if response.usage is not None:
            self.usage.prompt_tokens += response.usage.prompt_tokens or 0
            self.usage.completion_tokens += response.usage.completion_tokens or 0
        if response.model:
            self.usage.model = response.model
        if not response.choices:
            return ""
        choice = response.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if refusal or choice.finish_reason == "content_filter":
            reason = f": {refusal.strip()}" if refusal else " (content filter)"
            raise AIRefused(
                f"The AI declined to write this caption{reason}. Rephrase the topic or context."
            )
        if choice.finish_reason == "length":
            return ""  # cut off mid-answer: not usable JSON
        return choice.message.content or ""


def _retry_after(value: str | None, default: int = 30) -> int:
    try:
        return max(1, int(float(value))) if value else default
    except ValueError:
        return default


def _redact(text: str) -> str:
    return _SECRETISH.sub("[redacted]", text)[:300]


def _status_message(exc: openai.APIStatusError) -> str:
    if exc.status_code in (401, 403):
        return (
            f"The AI server refused Herald's credentials (HTTP {exc.status_code}); check "
            f"HERALD_OPENAI_API_KEY."
        )
    if exc.status_code == 404:
        return (
            "The AI server does not know this model or endpoint (HTTP 404); check "
            "HERALD_OPENAI_MODEL and HERALD_OPENAI_BASE_URL."
        )
    detail = exc.body.get("message") if isinstance(exc.body, dict) else None
    suffix = f": {_redact(str(detail))}" if detail else ""
    return f"The AI server answered HTTP {exc.status_code}{suffix}. Try again later."


# --------------------------------------------------------------------------- validation


def parse_answer(raw: str) -> tuple[str, list[str]]:
    """(caption, hashtags with '#') from the model's JSON, or ValueError saying what is wrong."""
    text = raw.strip()
    if not text:
        raise ValueError("the answer was empty")
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    caption, tags = data.get("caption"), data.get("hashtags")
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError('"caption" must be a non-empty string')
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError('"hashtags" must be a list of strings')
    caption = caption.strip()
    trailing = _TRAILING_TAGS.search(caption)
    if trailing and trailing.start() > 0:  # a hashtag block the model appended to the caption
        tags = [*tags, *trailing.group(0).split()]
        caption = caption[: trailing.start()].rstrip()
    hashtags = normalise_hashtags(tags)
    if len(hashtags) < MIN_HASHTAGS:
        raise ValueError(
            f"it has {len(hashtags)} usable hashtags; {MIN_HASHTAGS} to {MAX_HASHTAGS} are needed"
        )
    return caption, hashtags[:MAX_HASHTAGS]


def normalise_hashtags(tags: list[str]) -> list[str]:
    """'#Tag' form: no spaces or punctuation, not all digits, no case-insensitive duplicates."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        word = _TAG_CHARS.sub("", tag)
        if not word or word.isdigit() or len(word) > 60 or word.casefold() in seen:
            continue
        seen.add(word.casefold())
        out.append("#" + word)
    return out


# --------------------------------------------------------------------------- fitting


def fit(
    caption: str, hashtags: list[str], max_length: int, count: Callable[[str], int]
) -> tuple[str, list[str], bool]:
    """Fit `caption + blank line + hashtags` into `max_length` as `count` counts.

    The least relevant (last) hashtags go first, down to 5; then the caption is cut at a word
    boundary with '…'. Fewer than 5 hashtags remain only when the caption would otherwise get
    less than half of the limit.
    """
    tags = list(hashtags)

    def fits(c: str, t: list[str]) -> bool:
        return count(compose(c, t)) <= max_length

    if fits(caption, tags):
        return caption, tags, False
    while len(tags) > MIN_HASHTAGS and not fits(caption, tags):
        tags.pop()
    if fits(caption, tags):
        return caption, tags, True
    half = max_length // 2
    while tags and max_length - count(SEPARATOR + " ".join(tags)) < half:
        tags.pop()
        if fits(caption, tags):
            return caption, tags, True
    while True:
        cut = trim_caption(caption, lambda c: fits(c, tags))
        if cut is not None:
            return cut, tags, True
        if not tags:
            return "", [], True  # nothing at all fits (a limit below one character)
        tags.pop()


def trim_caption(caption: str, ok: Callable[[str], bool]) -> str | None:
    """The longest `caption` prefix + '…' that is `ok`, cut at a word boundary when one fits."""
    words = [m.start() for m in re.finditer(r"\s+", caption)]
    for ends in (words, range(1, len(caption))):  # word boundaries, else any character
        found = _longest(len(ends), lambda i, e=ends: caption[: e[i]], ok)
        if found is not None:
            return found
    return ELLIPSIS if ok(ELLIPSIS) else None


def _longest(n: int, prefix: Callable[[int], str], ok: Callable[[str], bool]) -> str | None:
    """The longest `prefix(i) + '…'` (i < n, growing with i) that is ok.

    Binary search, then a check downwards: counts are only near-monotone (a cut can turn a
    link into plain text).
    """

    def candidate(i: int) -> str | None:
        p = prefix(i).rstrip(_CUT_PUNCT)
        return p + ELLIPSIS if p else None

    def good(i: int) -> bool:
        c = candidate(i)
        return c is not None and ok(c)

    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if good(mid):
            lo = mid + 1
        else:
            hi = mid
    for i in range(min(lo, n) - 1, -1, -1):
        c = candidate(i)
        if c is not None and ok(c):
            return c
    return None
