"""Instance settings: AI captions (model, server, key; the environment wins)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted
from app.ui.components.forms import data_item, env_input, remove_button, settings_form
from app.ui.components.section import on_off_heading, settings_card
from app.ui.state.instance import InstanceState


def _source(text: rx.Var, env: rx.Var) -> rx.Component:
    return rx.badge(text, color_scheme=rx.cond(env == "yes", "blue", "gray"), variant="soft")


def ai_settings() -> rx.Component:
    ai = InstanceState.ai
    return settings_card(
        on_off_heading("AI captions", ai, "off: no key or server"),
        rx.data_list.root(
            data_item("Model", rx.code(ai["model"]), _source(ai["model_source"], ai["model_env"])),
            data_item(
                "Server",
                rx.code(ai["base_url"]),
                _source(ai["base_url_source"], ai["base_url_env"]),
            ),
            data_item(
                "API key",
                rx.cond(ai["has_key"] == "yes", rx.text("set"), rx.text("not set")),
                _source(ai["api_key_source"], ai["api_key_env"]),
            ),
            data_item("Budget per workspace", rx.text(ai["per_hour"], " per hour")),
            id="ai-effective",
        ),
        muted(
            "Environment variables (HERALD_OPENAI_MODEL, HERALD_OPENAI_BASE_URL, "
            "HERALD_OPENAI_API_KEY) win over what is saved here. The key is stored encrypted "
            "and never shown again."
        ),
        settings_form(
            [
                env_input(
                    ai,
                    "Model",
                    "model",
                    "ai-model",
                    value=InstanceState.ai_model,
                    on_change=InstanceState.set_ai_model,
                    placeholder="gpt-4o-mini",
                ),
                env_input(
                    ai,
                    "OpenAI-compatible base URL",
                    "base_url",
                    "ai-base-url",
                    "20rem",
                    value=InstanceState.ai_base_url,
                    on_change=InstanceState.set_ai_base_url,
                    placeholder="http://localhost:11434/v1 (empty: OpenAI)",
                ),
                env_input(
                    ai,
                    "API key",
                    "api_key",
                    "ai-api-key",
                    "16rem",
                    type="password",
                    auto_complete="off",
                    placeholder=rx.cond(
                        ai["stored_has_key"] == "yes", "Key stored: empty keeps it", "sk-…"
                    ),
                ),
            ],
            rx.button("Save AI settings", type="submit", id="save-ai"),
            ai["stored_has_key"] == "yes",
            remove_button("Remove stored key", InstanceState.clear_ai_key, id="clear-ai-key"),
            InstanceState.save_ai,
        ),
        id="ai-settings",
    )
