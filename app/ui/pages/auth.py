"""/login and /register."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack
from app.ui.components.forms import field, form_error, submit_button
from app.ui.components.layout import public_page
from app.ui.components.time_fields import hours_choice, zone_input
from app.ui.state.login import ForgotState, LoginState, VerifyState


def _card(title: str, subtitle: str, form: rx.Component, footer: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            stack(
                rx.hstack(
                    rx.icon("megaphone", size=28, color=rx.color("accent", 9)),
                    rx.heading("Herald", size="6"),
                    align="center",
                ),
                rx.heading(title, size="5"),
                muted(subtitle, size="2"),
                form_error(LoginState.error),
                form,
                footer,
                spacing="4",
            ),
            size="4",
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )


def _notice(message: object, icon: str, id: str, **props) -> rx.Component:
    """A full-width callout of the card: a notice, an answer or a result."""
    return rx.callout(message, icon=icon, id=id, width="100%", **props)


def _form(on_submit, submit: rx.Component, *fields: rx.Component) -> rx.Component:
    return rx.form(rx.vstack(*fields, submit, spacing="3"), on_submit=on_submit, width="100%")


@public_page("/login", "Sign in", LoginState.redirect_if_signed_in)
def login() -> rx.Component:
    form = _form(
        LoginState.submit_login,
        submit_button("Sign in", LoginState.busy),
        field("Email", "email", "email", placeholder="you@example.com", auto_focus=True),
        field("Password", "password", "password", auto_complete="current-password"),
    )
    footer = rx.vstack(
        rx.link("Forgot password?", href="/forgot-password", id="to-forgot", size="2"),
        rx.text(
            "New here? ",
            rx.link("Create an account", href="/register", id="to-register"),
            size="2",
        ),
        spacing="2",
    )
    return _card("Sign in", "Welcome back.", form, footer)


def _sign_up_form(submit_label: str) -> rx.Component:
    """Name, email and a new password twice: sign-up and a fresh instance's admin account."""
    return _form(
        LoginState.submit_register,
        submit_button(submit_label, LoginState.busy),
        field("Name", "full_name", placeholder="Ada Lovelace", auto_focus=True),
        field("Email", "email", "email", placeholder="you@example.com"),
        field("Password", "password", "password", auto_complete="new-password"),
        muted("At least 10 characters, hard to guess: a few uncommon words work well."),
        field("Confirm password", "confirm", "password", auto_complete="new-password"),
        zone_input(
            LoginState.reg_timezone,
            LoginState.set_reg_timezone,
            LoginState.timezones,
            "Proposed from your browser: the calendar and composer use it.",
        ),
        hours_choice(LoginState.reg_time_format, LoginState.set_reg_time_format),
    )


@public_page(
    "/register", "Create account", LoginState.redirect_if_signed_in, LoginState.detect_browser
)
def register() -> rx.Component:
    form = _sign_up_form("Create account")
    footer = rx.text(
        "Already have an account? ", rx.link("Sign in", href="/login", id="to-login"), size="2"
    )
    notice = rx.cond(
        LoginState.signup_notice != "",
        _notice(LoginState.signup_notice, "info", "signup-notice"),
    )
    body = stack(notice, form)
    return _card("Create your account", "Schedule posts everywhere, on time.", body, footer)


@public_page(
    "/setup", "Create the admin account", LoginState.setup_guard, LoginState.detect_browser
)
def setup() -> rx.Component:
    """A fresh instance (nobody signed up yet): its first account is the instance admin."""
    form = _sign_up_form("Create the admin account")
    intro = _notice(
        "This Herald is new. The account you create now administers it: platform apps, "
        "sign-up policy, users. You can invite your team next.",
        "shield-check",
        "setup-notice",
    )
    body = stack(intro, form)
    return _card("Create the admin account", "Welcome to your Herald.", body, rx.fragment())


@public_page("/reset-password", "New password", LoginState.clear_form)
def reset_password() -> rx.Component:
    form = _form(
        LoginState.submit_reset,
        submit_button("Set password", LoginState.busy),
        field("New password", "password", "password", auto_complete="new-password"),
        muted("At least 10 characters."),
        field("Confirm password", "confirm", "password", auto_complete="new-password"),
    )
    footer = rx.text(rx.link("Back to sign in", href="/login", id="to-login"), size="2")
    return _card("Choose a new password", "Your other sessions will be signed out.", form, footer)


@public_page("/forgot-password", "Forgot password", LoginState.clear_form, ForgotState.load)
def forgot_password() -> rx.Component:
    form = _form(
        ForgotState.submit,
        submit_button("Email me a link", ForgotState.busy),
        field("Email", "email", "email", placeholder="you@example.com", auto_focus=True),
    )
    no_email = _notice(
        "This Herald cannot send email, so it cannot mail you a link. Ask its administrator "
        "to reset your password (they can, from the server: herald users reset-password).",
        "mail-x",
        "forgot-no-email",
        color_scheme="amber",
    )
    body = stack(
        form_error(ForgotState.error, width="100%"),
        rx.cond(
            ForgotState.answer != "",
            _notice(
                ForgotState.answer,
                "mail-check",
                "forgot-answer",
                color_scheme=rx.cond(ForgotState.email_configured, "grass", "amber"),
            ),
            rx.cond(ForgotState.email_configured, form, no_email),
        ),
    )
    footer = rx.text(rx.link("Back to sign in", href="/login", id="to-login"), size="2")
    return _card(
        "Forgot your password?",
        "We email you a link to choose a new one.",
        body,
        footer,
    )


@public_page("/verify-email", "Confirm email", VerifyState.load)
def verify_email() -> rx.Component:
    result = rx.cond(
        VerifyState.message != "",
        _notice(
            VerifyState.message,
            "mail",
            "verify-result",
            color_scheme=rx.cond(VerifyState.verified, "grass", "red"),
        ),
        rx.spinner(),
    )
    footer = rx.text(rx.link("Continue to Herald", href="/", id="to-home"), size="2")
    return _card("Confirm your email", "", result, footer)
