"""Settings → Profile: name, time zone, password."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_nav
from app.ui.components.time_fields import hours_choice, zone_input
from app.ui.state.auth import BROWSER_TZ
from app.ui.state.settings import ProfileState


def _label(text: str, html_for: str) -> rx.Component:
    return rx.text(text, as_="label", html_for=html_for, size="2", weight="medium")


def _profile_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Profile", size="4"),
                form_error(ProfileState.profile_error),
                rx.vstack(
                    _label("Name", "full_name"),
                    rx.input(
                        id="full_name",
                        name="full_name",
                        value=ProfileState.full_name,
                        on_change=ProfileState.set_full_name,
                        placeholder="Your name",
                        max_length=200,
                        size="3",
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
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
                        on_click=rx.call_script(
                            BROWSER_TZ, callback=ProfileState.use_browser_timezone
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                hours_choice(ProfileState.time_format, ProfileState.set_time_format),
                rx.text(ProfileState.zone_preview, size="2", id="zone-preview"),
                rx.button("Save profile", type="submit", id="save-profile", size="3"),
                spacing="4",
                width="100%",
            ),
            on_submit=ProfileState.save_profile,
            width="100%",
        ),
        width="100%",
    )


def _password_input(label: str, name: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        _label(label, name),
        rx.input(
            id=name,
            name=name,
            type="password",
            auto_complete=autocomplete,
            size="3",
            width="100%",
            required=True,
        ),
        spacing="1",
        width="100%",
    )


def _password_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Change password", size="4"),
                rx.text(
                    "At least 10 characters. Your other signed-in browsers are signed out.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    ProfileState.password_error != "",
                    rx.callout(
                        ProfileState.password_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        id="password-error",
                    ),
                ),
                _password_input("Current password", "current_password", "current-password"),
                _password_input("New password", "new_password", "new-password"),
                _password_input("Repeat the new password", "confirm_password", "new-password"),
                rx.button("Change password", type="submit", id="change-password", size="3"),
                spacing="4",
                width="100%",
            ),
            on_submit=ProfileState.change_password,
            width="100%",
        ),
        width="100%",
    )


@protected_page("/settings/profile", "Profile", on_load=[ProfileState.load])
def profile() -> rx.Component:
    return rx.vstack(
        settings_nav("/settings/profile"),
        rx.text("Signed in as ", rx.text.strong(ProfileState.user_email), color_scheme="gray"),
        rx.grid(
            _profile_form(),
            _password_form(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
