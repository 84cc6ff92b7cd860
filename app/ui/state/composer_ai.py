"""The composer's "Generate with AI" dialog: a caption and hashtags for one network.

The topic lives in the browser (a client-side React state, like the post's text) and goes with
the Generate click, so what is sent is what the dialog shows, however fast the click follows
the typing."""

from __future__ import annotations

import reflex as rx

from app.ai.prompts import TONES
from app.providers.registry import all_providers
from app.services import ai
from app.services.errors import ServiceError
from app.ui.components.counter import client_text
from app.ui.format import platform_name
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_model import Choice
from app.ui.state.handlers import setter

# The topic field's content in the browser; Generate sends it (ComposerAIState.generate).
AI_TOPIC = client_text("composer_ai_topic", "")


class ComposerAIState(ComposerState):
    ai_open: bool = False
    ai_tone: str = "professional"
    ai_platform: str = ""
    ai_caption: str = ""
    ai_hashtags: str = ""
    ai_error: str = ""
    ai_busy: bool = False
    ai_note: str = ""

    @rx.event
    def close_ai(self):
        """After ComposerState.load: the dialog starts closed."""
        self.ai_open = False

    @rx.event
    def open_ai(self):
        self.ai_open = True
        self.ai_error = self.ai_note = ""
        if not self.ai_platform or self.ai_platform not in self.selected_platforms:
            platforms = self.selected_platforms
            self.ai_platform = platforms[0] if platforms else "x"

    set_ai_open = setter("ai_open", bool)
    set_ai_tone = setter("ai_tone")
    set_ai_platform = setter("ai_platform")
    set_ai_caption = setter("ai_caption")
    set_ai_hashtags = setter("ai_hashtags")

    @rx.event(background=True)
    async def generate(self, topic: str):
        """`topic`: the topic field as the browser shows it at the click (AI_TOPIC)."""
        async with self:
            user, wid = self._user(), self._workspace_uuid()
            if user is None or wid is None:
                return
            if self.ai_busy:
                return
            self.ai_busy = True
            self.ai_error = self.ai_note = ""
            tone, platform = self.ai_tone, self.ai_platform or "x"
        try:
            result = await rx.run_in_thread(
                lambda: ai.generate_caption(user, wid, topic, tone, platform)
            )
        except ServiceError as exc:
            async with self:
                self.ai_busy = False
                self.ai_error = exc.message
            return
        async with self:
            self.ai_busy = False
            self.ai_caption = result.caption
            self.ai_hashtags = " ".join(
                t if t.startswith("#") else f"#{t}" for t in result.hashtags
            )
            self.ai_note = (
                f"{result.length}/{result.limit} characters for {platform_name(platform)}"
                + (f" · {result.adjusted}" if result.adjusted else "")
            )

    @rx.event
    def insert_ai(self):
        caption = self.ai_caption.strip()
        tags = self.ai_hashtags.strip()
        if not caption and not tags:
            self.ai_error = "Generate or write a caption first."
            return
        addition = "\n\n".join(x for x in (caption, tags) if x)
        self.text = addition if not self.text.strip() else f"{self.text.rstrip()}\n\n{addition}"
        self.ai_open = False
        return [TEXT.push(self.text), rx.toast.success("Caption inserted: edit it as you like.")]

    @rx.var
    def tone_options(self) -> list[str]:
        return list(TONES)

    @rx.var
    def ai_platform_options(self) -> list[Choice]:
        platforms = self.selected_platforms or [p.id for p in all_providers()]
        return [Choice(p, platform_name(p)) for p in platforms]
