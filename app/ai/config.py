"""What a caption request needs to reach the model (key, URL, model, timeout). Apart from
captions.py so that reading the settings (mail, instance settings, the workers) never imports
the OpenAI client."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class AIConfig:
    api_key: str = ""
    base_url: str = ""
    model: str = DEFAULT_MODEL
    timeout: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)
