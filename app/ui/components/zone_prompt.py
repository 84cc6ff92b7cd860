"""The one-time question to a user still on UTC whose browser is elsewhere: use its zone?"""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import notice
from app.ui.components.buttons import row_button
from app.ui.state.auth import AuthState


def zone_prompt() -> rx.Component:
    """'Your browser is in America/New_York: show times there?' [Use it] [Keep UTC]. Either
    answer is saved, so it is asked once."""
    return notice(
        AuthState.browser_zone != "",
        rx.text(
            "Your browser is in ",
            rx.text.strong(AuthState.browser_zone),
            ", but Herald shows your times in ",
            rx.text.strong(AuthState.user_timezone),
            ". Use your browser's time zone?",
        ),
        rx.hstack(
            rx.button(
                "Use " + AuthState.browser_zone,
                size="1",
                on_click=AuthState.answer_zone_prompt(True),
                id="zone-prompt-use",
            ),
            row_button(
                "Keep " + AuthState.user_timezone,
                color_scheme="gray",
                on_click=AuthState.answer_zone_prompt(False),
                id="zone-prompt-keep",
            ),
            spacing="2",
        ),
        icon="globe",
        color="blue",
        id="zone-prompt",
        role="status",
        margin_bottom="16px",
    )
