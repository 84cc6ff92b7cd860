"""Instance settings: email (SMTP), a test email, confirmed addresses."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import email_input, ghost_button, muted
from app.ui.components.forms import env_input, remove_button, settings_form
from app.ui.components.section import on_off_heading, settings_card
from app.ui.state.instance import InstanceState


def _smtp_input(label: str, name: str, width: str = "14rem", **props) -> rx.Component:
    return env_input(InstanceState.email, label, name, f"smtp-{name}", width, **props)


def email_settings() -> rx.Component:
    em = InstanceState.email
    return settings_card(
        on_off_heading(
            "Email (SMTP)",
            em,
            "off: nothing is emailed",
            rx.cond(
                em["failed"] != "0",
                rx.badge(em["failed"], " failed", color_scheme="red"),
            ),
            rx.cond(
                em["pending"] != "0",
                rx.badge(em["pending"], " waiting", color_scheme="amber"),
            ),
            id="email-status",
        ),
        muted(
            "Password reset links, invites and email confirmations are sent from this "
            "server. Without it nothing is emailed: people who forget their password ask "
            "you (herald users reset-password), invite links are shared by hand. "
            "HERALD_SMTP_* environment variables win over what is saved here; the password "
            "is stored encrypted and never shown again."
        ),
        settings_form(
            [
                _smtp_input(
                    "Host", "host", default_value=em["host"], placeholder="smtp.example.com"
                ),  # fmt: skip
                _smtp_input("Port", "port", "6rem", default_value=em["port"]),
                rx.vstack(
                    rx.text("Security", as_="label", html_for="smtp-security", size="2"),
                    rx.el.select(
                        rx.el.option("STARTTLS", value="starttls"),
                        rx.el.option("TLS", value="tls"),
                        rx.el.option("None", value="none"),
                        name="security",
                        id="smtp-security",
                        default_value=em["security"],
                        disabled=em["security_env"] == "yes",
                    ),
                    spacing="1",
                ),
                _smtp_input(
                    "From",
                    "from_addr",
                    "18rem",
                    default_value=em["from_addr"],
                    placeholder="Herald <herald@example.com>",
                ),  # fmt: skip
                _smtp_input(
                    "Username",
                    "username",
                    default_value=em["username"],
                    auto_complete="off",
                ),  # fmt: skip
                _smtp_input(
                    "Password",
                    "password",
                    type="password",
                    auto_complete="new-password",
                    placeholder=rx.cond(em["has_password"] == "yes", "Set: empty keeps it", ""),
                ),
            ],
            rx.button("Save email settings", type="submit", id="save-email"),
            em["stored_password"] == "yes",
            remove_button("Remove stored password", InstanceState.clear_email_password),
            InstanceState.save_email,
            key=em["host"] + em["port"] + em["from_addr"] + em["security"],
        ),
        rx.form(
            rx.hstack(
                email_input("to", "Send to (empty: you)", "test-email-to", width="16rem"),
                rx.button(
                    "Send a test email",
                    type="submit",
                    variant="soft",
                    disabled=em["configured"] != "yes",
                    id="send-test-email",
                ),
                rx.cond(
                    InstanceState.test_email_id != "",
                    ghost_button(
                        "Check",
                        type="button",
                        on_click=InstanceState.refresh_test_email,
                        color=None,
                    ),  # fmt: skip
                ),
                rx.text(InstanceState.test_email_status, size="2", id="test-email-status"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=InstanceState.send_test_email,
        ),
        rx.text(
            rx.flex(
                rx.switch(
                    checked=InstanceState.require_verified,
                    on_change=InstanceState.set_require_verified,
                    id="require-verified",
                ),
                "Require confirmed email addresses (a banner reminds people; an unconfirmed "
                "account cannot join a workspace)",
                spacing="2",
            ),
            as_="label",
            size="2",
        ),
        id="email-settings",
    )
