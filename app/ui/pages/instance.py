"""Settings → Instance (instance admins only): registration, email, AI settings, storage, users,
platform apps."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_nav
from app.ui.state.instance import InstanceState

SOURCES = {"env": ("environment", "blue"), "settings": ("saved here", "green")}


def _app(a: rx.Var) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.text(a["name"], weight="bold"),
                    rx.badge(
                        rx.match(
                            a["source"],
                            ("env", "from environment"),
                            ("settings", "configured"),
                            "not configured",
                        ),
                        color_scheme=rx.match(
                            a["source"], ("env", "blue"), ("settings", "green"), "gray"
                        ),
                    ),  # fmt: skip
                    align="center",
                    spacing="2",
                ),
                rx.text(
                    "Redirect URI to register with the platform: ",
                    rx.code(a["callback"]),
                    size="1",
                    color_scheme="gray",
                ),
                rx.el.input(type="hidden", name="platform", value=a["platform"]),
                rx.hstack(
                    rx.input(
                        name="client_id",
                        default_value=a["client_id"],
                        placeholder="Client id",
                        disabled=a["source"] == "env",
                        id="client-id-" + a["platform"].to(str),
                        width="16rem",
                    ),
                    rx.input(
                        name="client_secret",
                        type="password",
                        placeholder=rx.cond(
                            a["has_secret"] == "yes", "Secret stored: empty keeps it", "Secret"
                        ),
                        disabled=a["source"] == "env",
                        id="client-secret-" + a["platform"].to(str),
                        width="16rem",
                    ),
                    rx.button(
                        "Save",
                        type="submit",
                        disabled=a["source"] == "env",
                        id="save-app-" + a["platform"].to(str),
                    ),
                    rx.cond(
                        a["source"] == "settings",
                        rx.button(
                            "Remove",
                            type="button",
                            variant="soft",
                            color_scheme="red",
                            on_click=InstanceState.remove(a["platform"]),
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            on_submit=InstanceState.save,
        ),
        width="100%",
        class_name="platform-app",
        data_platform=a["platform"],
    )


def _source(text: rx.Var, env: rx.Var) -> rx.Component:
    return rx.badge(text, color_scheme=rx.cond(env == "yes", "blue", "gray"), variant="soft")


def _item(label: str, value, source=None) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(rx.hstack(value, source or rx.fragment(), spacing="2", wrap="wrap")),
    )


def _ai() -> rx.Component:
    ai = InstanceState.ai
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("AI captions", size="4"),
                rx.cond(
                    ai["configured"] == "yes",
                    rx.badge("on", color_scheme="grass"),
                    rx.badge("off: no key or server", color_scheme="gray"),
                ),
                align="center",
                spacing="2",
            ),
            rx.data_list.root(
                _item("Model", rx.code(ai["model"]), _source(ai["model_source"], ai["model_env"])),
                _item(
                    "Server",
                    rx.code(ai["base_url"]),
                    _source(ai["base_url_source"], ai["base_url_env"]),
                ),
                _item(
                    "API key",
                    rx.cond(ai["has_key"] == "yes", rx.text("set"), rx.text("not set")),
                    _source(ai["api_key_source"], ai["api_key_env"]),
                ),
                _item("Budget per workspace", rx.text(ai["per_hour"], " per hour")),
                id="ai-effective",
            ),
            rx.text(
                "Environment variables (HERALD_OPENAI_MODEL, HERALD_OPENAI_BASE_URL, "
                "HERALD_OPENAI_API_KEY) win over what is saved here. The key is stored encrypted "
                "and never shown again.",
                size="1",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.vstack(
                            rx.text("Model", as_="label", html_for="ai-model", size="2"),
                            rx.input(
                                id="ai-model",
                                name="model",
                                value=InstanceState.ai_model,
                                on_change=InstanceState.set_ai_model,
                                placeholder="gpt-4o-mini",
                                disabled=ai["model_env"] == "yes",
                                width="14rem",
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.text(
                                "OpenAI-compatible base URL",
                                as_="label",
                                html_for="ai-base-url",
                                size="2",
                            ),
                            rx.input(
                                id="ai-base-url",
                                name="base_url",
                                value=InstanceState.ai_base_url,
                                on_change=InstanceState.set_ai_base_url,
                                placeholder="http://localhost:11434/v1 (empty: OpenAI)",
                                disabled=ai["base_url_env"] == "yes",
                                width="20rem",
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.text("API key", as_="label", html_for="ai-api-key", size="2"),
                            rx.input(
                                id="ai-api-key",
                                name="api_key",
                                type="password",
                                auto_complete="off",
                                placeholder=rx.cond(
                                    ai["stored_has_key"] == "yes",
                                    "Key stored: empty keeps it",
                                    "sk-…",
                                ),
                                disabled=ai["api_key_env"] == "yes",
                                width="16rem",
                            ),
                            spacing="1",
                        ),
                        spacing="3",
                        wrap="wrap",
                        align="end",
                    ),
                    rx.hstack(
                        rx.button("Save AI settings", type="submit", id="save-ai"),
                        rx.cond(
                            ai["stored_has_key"] == "yes",
                            rx.button(
                                "Remove stored key",
                                type="button",
                                variant="soft",
                                color_scheme="red",
                                on_click=InstanceState.clear_ai_key,
                                id="clear-ai-key",
                            ),
                        ),
                        spacing="2",
                    ),
                    spacing="3",
                ),
                on_submit=InstanceState.save_ai,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="ai-settings",
    )


def _smtp_input(label: str, name: str, width: str = "14rem", **props) -> rx.Component:
    em = InstanceState.email
    return rx.vstack(
        rx.text(label, as_="label", html_for=f"smtp-{name}", size="2"),
        rx.input(
            id=f"smtp-{name}",
            name=name,
            disabled=em[f"{name}_env"] == "yes",
            width=width,
            **props,
        ),
        spacing="1",
    )


def _email() -> rx.Component:
    em = InstanceState.email
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Email (SMTP)", size="4"),
                rx.cond(
                    em["configured"] == "yes",
                    rx.badge("on", color_scheme="grass"),
                    rx.badge("off: nothing is emailed", color_scheme="gray"),
                ),
                rx.cond(
                    em["failed"] != "0",
                    rx.badge(em["failed"], " failed", color_scheme="red"),
                ),
                rx.cond(
                    em["pending"] != "0",
                    rx.badge(em["pending"], " waiting", color_scheme="amber"),
                ),
                align="center",
                spacing="2",
                id="email-status",
            ),
            rx.text(
                "Password reset links, invites and email confirmations are sent from this "
                "server. Without it nothing is emailed: people who forget their password ask "
                "you (herald users reset-password), invite links are shared by hand. "
                "HERALD_SMTP_* environment variables win over what is saved here; the password "
                "is stored encrypted and never shown again.",
                size="1",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.hstack(
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
                            placeholder=rx.cond(
                                em["has_password"] == "yes", "Set: empty keeps it", ""
                            ),
                        ),
                        spacing="3",
                        wrap="wrap",
                        align="end",
                    ),
                    rx.hstack(
                        rx.button("Save email settings", type="submit", id="save-email"),
                        rx.cond(
                            em["stored_password"] == "yes",
                            rx.button(
                                "Remove stored password",
                                type="button",
                                variant="soft",
                                color_scheme="red",
                                on_click=InstanceState.clear_email_password,
                            ),
                        ),
                        spacing="2",
                    ),
                    spacing="3",
                ),
                on_submit=InstanceState.save_email,
                key=em["host"] + em["port"] + em["from_addr"] + em["security"],
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="to",
                        placeholder="Send to (empty: you)",
                        type="email",
                        id="test-email-to",
                        width="16rem",
                    ),  # fmt: skip
                    rx.button(
                        "Send a test email",
                        type="submit",
                        variant="soft",
                        disabled=em["configured"] != "yes",
                        id="send-test-email",
                    ),
                    rx.cond(
                        InstanceState.test_email_id != "",
                        rx.button(
                            "Check",
                            type="button",
                            variant="ghost",
                            on_click=InstanceState.refresh_test_email,
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
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="email-settings",
    )


def _storage() -> rx.Component:
    st = InstanceState.storage
    return rx.card(
        rx.vstack(
            rx.heading("Media storage", size="4"),
            rx.data_list.root(
                _item("Backend", rx.text(st["backend"])),
                rx.cond(
                    st["is_s3"] == "yes",
                    rx.fragment(
                        _item("Bucket", rx.code(st["bucket"])),
                        _item("Endpoint", rx.code(st["endpoint"])),
                        _item("Region", rx.text(st["region"])),
                        _item("Path-style addressing", rx.text(st["path_style"])),
                        _item("Credentials", rx.text(st["credentials"])),
                    ),
                    _item("Folder", rx.code(st["local_path"])),
                ),
                _item("Largest image", rx.text(st["max_image"])),
                _item("Largest video", rx.text(st["max_video"])),
                id="storage-settings",
            ),
            rx.text(
                "Storage is configured in the environment (HERALD_STORAGE, HERALD_S3_BUCKET, "
                "HERALD_S3_ENDPOINT_URL, ...) and read at start: changing it moves where new "
                "media go, so it is not editable here.",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _user_row(u: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(u["name"], weight="medium"),
                rx.text(u["email"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(u["created"]),
        rx.table.cell(u["workspaces"]),
        rx.table.cell(
            rx.hstack(
                rx.cond(u["admin"] == "yes", rx.badge("instance admin", color_scheme="blue")),
                rx.cond(u["active"] != "yes", rx.badge("disabled", color_scheme="red")),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    u["admin"] == "yes",
                    rx.button(
                        "Remove admin",
                        size="1",
                        variant="soft",
                        on_click=InstanceState.demote(u["id"]),
                        class_name="demote-user",
                    ),
                    rx.button(
                        "Make admin",
                        size="1",
                        variant="soft",
                        on_click=InstanceState.promote(u["id"]),
                        disabled=u["active"] != "yes",
                        class_name="promote-user",
                    ),
                ),
                rx.cond(
                    u["me"] == "yes",
                    rx.fragment(),
                    rx.cond(
                        u["active"] == "yes",
                        rx.alert_dialog.root(
                            rx.alert_dialog.trigger(
                                rx.button(
                                    "Disable",
                                    size="1",
                                    variant="soft",
                                    color_scheme="red",
                                    class_name="disable-user",
                                )
                            ),
                            rx.alert_dialog.content(
                                rx.alert_dialog.title("Disable ", u["email"], "?"),
                                rx.alert_dialog.description(
                                    "They are signed out everywhere now, cannot sign in, and "
                                    "their API keys stop working. You can enable them again."
                                ),
                                rx.hstack(
                                    rx.alert_dialog.cancel(
                                        rx.button("Cancel", variant="soft", color_scheme="gray")
                                    ),
                                    rx.alert_dialog.action(
                                        rx.button(
                                            "Disable",
                                            color_scheme="red",
                                            on_click=InstanceState.disable(u["id"]),
                                            id="confirm-disable",
                                        )
                                    ),
                                    justify="end",
                                    spacing="3",
                                    margin_top="16px",
                                ),
                            ),
                        ),
                        rx.button(
                            "Enable",
                            size="1",
                            variant="soft",
                            on_click=InstanceState.enable(u["id"]),
                            class_name="enable-user",
                        ),
                    ),
                ),
                spacing="2",
            )
        ),
        class_name="user-row",
        data_email=u["email"],
    )


def _users() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Users", size="4"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("User"),
                            rx.table.column_header_cell("Joined"),
                            rx.table.column_header_cell("Workspaces"),
                            rx.table.column_header_cell(""),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(InstanceState.users, _user_row)),
                    width="100%",
                    id="users",
                ),
                width="100%",
                overflow_x="auto",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _apps() -> rx.Component:
    return rx.vstack(
        rx.heading("Platform apps", size="4"),
        rx.text(
            "The OAuth app Herald uses for each network. Secrets are stored encrypted and never "
            "shown again. Values set in the environment (HERALD_<PLATFORM>_CLIENT_ID) win. "
            "Mastodon needs none: Herald registers itself on each server; Bluesky uses app "
            "passwords.",
            color_scheme="gray",
            size="2",
        ),
        rx.vstack(rx.foreach(InstanceState.apps, _app), width="100%", spacing="3"),
        spacing="3",
        width="100%",
    )


REGISTRATION = {
    "open": "Open: anyone who reaches this Herald can create an account.",
    "invite": "Invite-only: only people with an invite link to a workspace can sign up.",
    "closed": "Closed: nobody can sign up.",
}


def _registration() -> rx.Component:
    return rx.vstack(
        rx.heading("Registration", size="4"),
        rx.text(
            "Who may create an account (the first account, the instance admin, always could).",
            color_scheme="gray",
            size="2",
        ),
        rx.radio_group.root(
            rx.vstack(
                *[
                    rx.text(
                        rx.flex(rx.radio_group.item(value=value), label, spacing="2"),
                        as_="label",
                        size="2",
                    )
                    for value, label in REGISTRATION.items()
                ],
                spacing="2",
            ),
            value=InstanceState.registration,
            on_change=InstanceState.save_registration,
            id="registration-policy",
        ),
        rx.text(InstanceState.registration_note, size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


@protected_page("/settings/instance", "Instance settings", on_load=[InstanceState.load])
def instance() -> rx.Component:
    return rx.vstack(
        settings_nav("/settings/instance"),
        form_error(InstanceState.error),
        rx.cond(
            InstanceState.is_instance_admin,
            rx.vstack(
                _registration(),
                _email(),
                _ai(),
                _storage(),
                _users(),
                _apps(),
                spacing="5",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
