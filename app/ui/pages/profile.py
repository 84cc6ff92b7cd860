"""Settings → Profile: name, time zone, password."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import grid, muted, stack
from app.ui.components.forms import field, form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_page
from app.ui.components.time_fields import hours_choice, zone_input
from app.ui.state.auth import BROWSER_TZ
from app.ui.state.settings import ProfileState


def _form_card(title: str, on_submit: object, *rows: rx.Component) -> rx.Component:
    """One of the page's two forms: a card with `title` over its `rows`."""
    return rx.card(
        rx.form(
            stack(rx.heading(title, size="4"), *rows, spacing="4"),
            on_submit=on_submit,
            width="100%",
        ),
        width="100%",
    )


def _profile_form() -> rx.Component:
    return _form_card(
        "Profile",
        ProfileState.save_profile,
        form_error(ProfileState.profile_error),
        field(
            "Name",
            "full_name",
            value=ProfileState.full_name,
            on_change=ProfileState.set_full_name,
            placeholder="Your name",
            max_length=200,
        ),
        stack(
            zone_input(
                ProfileState.timezone,
                ProfileState.set_timezone,
                ProfileState.timezones,
                "Every time in Herald (calendar, composer, lists) is shown, and read "
                "when you type one, in this zone.",
            ),
            rx.button(
                rx.icon("locate-fixed", size=14),
                "Use this device's",
                type="button",
                variant="soft",
                size="2",
                id="use-browser-tz",
                on_click=rx.call_script(BROWSER_TZ, callback=ProfileState.use_browser_timezone),
            ),
            spacing="2",
        ),
        hours_choice(ProfileState.time_format, ProfileState.set_time_format),
        rx.text(ProfileState.zone_preview, size="2", id="zone-preview"),
        rx.button("Save profile", type="submit", id="save-profile", size="3"),
    )


def _password_form() -> rx.Component:
    return _form_card(
        "Change password",
        ProfileState.change_password,
        muted("At least 10 characters. Your other signed-in browsers are signed out.", size="2"),
        form_error(ProfileState.password_error, "password-error"),
        field(
            "Current password",
            "current_password",
            "password",
            auto_complete="current-password",
            required=True,
        ),
        field(
            "New password", "new_password", "password", auto_complete="new-password", required=True
        ),
        field(
            "Repeat the new password",
            "confirm_password",
            "password",
            auto_complete="new-password",
            required=True,
        ),
        rx.button("Change password", type="submit", id="change-password", size="3"),
    )


@protected_page("/settings/profile", "Profile", on_load=[ProfileState.load])
def profile() -> rx.Component:
    return settings_page(
        "/settings/profile",
        rx.text("Signed in as ", rx.text.strong(ProfileState.user_email), color_scheme="gray"),
        grid(_profile_form(), _password_form(), columns={"initial": "1", "lg": "2"}, spacing="4"),
    )
