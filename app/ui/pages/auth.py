"""/login and /register."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import field, form_error
from app.ui.state.login import LoginState


def _card(title: str, subtitle: str, form: rx.Component, footer: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("megaphone", size=28, color=rx.color("accent", 9)),
                    rx.heading("Herald", size="6"),
                    align="center",
                ),
                rx.heading(title, size="5"),
                rx.text(subtitle, color_scheme="gray", size="2"),
                form_error(LoginState.error),
                form,
                footer,
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )


@rx.page(route="/login", title="Sign in · Herald", on_load=LoginState.redirect_if_signed_in)
def login() -> rx.Component:
    form = rx.form(
        rx.vstack(
            field("Email", "email", "email", placeholder="you@example.com", auto_focus=True),
            field("Password", "password", "password", auto_complete="current-password"),
            rx.button(
                "Sign in",
                type="submit",
                size="3",
                width="100%",
                loading=LoginState.busy,
                id="submit",
            ),
            spacing="3",
        ),
        on_submit=LoginState.submit_login,
        width="100%",
    )
    footer = rx.text(
        "New here? ",
        rx.link("Create an account", href="/register", id="to-register"),
        size="2",
    )
    return _card("Sign in", "Welcome back.", form, footer)


@rx.page(
    route="/register", title="Create account · Herald", on_load=LoginState.redirect_if_signed_in
)
def register() -> rx.Component:
    form = rx.form(
        rx.vstack(
            field("Name", "full_name", placeholder="Ada Lovelace", auto_focus=True),
            field("Email", "email", "email", placeholder="you@example.com"),
            field("Password", "password", "password", auto_complete="new-password"),
            rx.text(
                "At least 10 characters, hard to guess: a few uncommon words work well.",
                size="1",
                color_scheme="gray",
            ),
            field("Confirm password", "confirm", "password", auto_complete="new-password"),
            rx.button(
                "Create account",
                type="submit",
                size="3",
                width="100%",
                loading=LoginState.busy,
                id="submit",
            ),
            spacing="3",
        ),
        on_submit=LoginState.submit_register,
        width="100%",
    )
    footer = rx.text(
        "Already have an account? ", rx.link("Sign in", href="/login", id="to-login"), size="2"
    )
    notice = rx.cond(
        LoginState.signup_notice != "",
        rx.callout(LoginState.signup_notice, icon="info", id="signup-notice", width="100%"),
    )
    body = rx.vstack(notice, form, width="100%", spacing="3")
    return _card("Create your account", "Schedule posts everywhere, on time.", body, footer)


@rx.page(route="/setup", title="Create the admin account · Herald", on_load=LoginState.setup_guard)
def setup() -> rx.Component:
    """A fresh instance (nobody signed up yet): its first account is the instance admin."""
    form = rx.form(
        rx.vstack(
            field("Name", "full_name", placeholder="Ada Lovelace", auto_focus=True),
            field("Email", "email", "email", placeholder="you@example.com"),
            field("Password", "password", "password", auto_complete="new-password"),
            rx.text(
                "At least 10 characters, hard to guess: a few uncommon words work well.",
                size="1",
                color_scheme="gray",
            ),
            field("Confirm password", "confirm", "password", auto_complete="new-password"),
            rx.button(
                "Create the admin account",
                type="submit",
                size="3",
                width="100%",
                loading=LoginState.busy,
                id="submit",
            ),
            spacing="3",
        ),
        on_submit=LoginState.submit_register,
        width="100%",
    )
    intro = rx.callout(
        "This Herald is new. The account you create now administers it: platform apps, "
        "sign-up policy, users. You can invite your team next.",
        icon="shield-check",
        id="setup-notice",
        width="100%",
    )
    body = rx.vstack(intro, form, width="100%", spacing="3")
    return _card("Create the admin account", "Welcome to your Herald.", body, rx.fragment())


@rx.page(route="/reset-password", title="New password · Herald")
def reset_password() -> rx.Component:
    form = rx.form(
        rx.vstack(
            field("New password", "password", "password", auto_complete="new-password"),
            rx.text("At least 10 characters.", size="1", color_scheme="gray"),
            field("Confirm password", "confirm", "password", auto_complete="new-password"),
            rx.button("Set password", type="submit", size="3", width="100%", id="submit"),
            spacing="3",
        ),
        on_submit=LoginState.submit_reset,
        width="100%",
    )
    footer = rx.text(rx.link("Back to sign in", href="/login", id="to-login"), size="2")
    return _card("Choose a new password", "Your other sessions will be signed out.", form, footer)
