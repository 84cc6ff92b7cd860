"""Settings → API keys: create (shown once), list, revoke."""

from __future__ import annotations

import reflex as rx

from app.ui.components.confirm import confirm_dialog
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_nav
from app.ui.state.auth import AuthState
from app.ui.state.settings import KeysState

ROLES = ["admin", "editor", "viewer"]


def _new_secret() -> rx.Component:
    return rx.cond(
        KeysState.new_secret != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text(
                    "Copy the key “",
                    KeysState.new_name,
                    "” now: it is shown only once and cannot be seen again.",
                    weight="medium",
                ),
                rx.hstack(
                    rx.input(
                        value=KeysState.new_secret,
                        read_only=True,
                        id="new-key",
                        font_family="monospace",
                        width="100%",
                        aria_label="New API key",
                        on_focus=rx.call_script("document.getElementById('new-key').select()"),
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=[rx.set_clipboard(KeysState.new_secret), rx.toast("Key copied.")],
                        id="copy-key",
                    ),
                    rx.button(
                        "Done",
                        variant="soft",
                        color_scheme="gray",
                        on_click=KeysState.dismiss_secret,
                        id="dismiss-key",
                    ),
                    width="100%",
                ),
                rx.text(
                    "Use it as ",
                    rx.code("Authorization: Bearer <key>"),
                    " with the REST API (docs at ",
                    rx.link("/api/docs", href="/api/docs", is_external=True),
                    ").",
                    size="1",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            id="new-key-callout",
            width="100%",
        ),
    )


def _create() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Create a key", size="4"),
                rx.hstack(
                    rx.input(
                        name="name",
                        id="key-name",
                        placeholder="Name, e.g. Zapier",
                        required=True,
                        max_length=100,
                        width="16rem",
                        aria_label="Key name",
                    ),
                    rx.select(ROLES, name="role", default_value="editor", id="key-role"),
                    rx.button("Create key", type="submit", id="create-key"),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(
                    "A key acts as you in this workspace, with at most the role chosen here. "
                    "Keys cannot manage members, keys or plans.",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="3",
            ),
            on_submit=KeysState.create,
            reset_on_submit=True,
        ),
        width="100%",
    )


def _row(k: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(k["name"], weight="medium")),
        rx.table.cell(rx.code(k["prefix"])),
        rx.table.cell(rx.badge(k["role"])),
        rx.table.cell(k["created"]),
        rx.table.cell(k["last_used"]),
        rx.table.cell(
            rx.button(
                "Revoke",
                size="1",
                variant="soft",
                color_scheme="red",
                class_name="revoke-key",
                on_click=KeysState.ask_revoke(k["id"], k["name"]),
            )
        ),
        class_name="key-row",
        data_name=k["name"],
    )


def _revoke_dialog() -> rx.Component:
    return confirm_dialog(
        open=KeysState.revoke_id != "",
        on_open_change=KeysState.close_revoke,
        title=rx.text("Revoke “", KeysState.revoke_name, "”?"),
        description="Anything using this key stops working at once. This cannot be undone.",
        confirm_label="Revoke key",
        on_confirm=KeysState.confirm_revoke,
        confirm_id="confirm-revoke",
        dialog_id="revoke-key-dialog",
    )


def _list() -> rx.Component:
    return rx.cond(
        KeysState.keys.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Key"),
                        rx.table.column_header_cell("Role"),
                        rx.table.column_header_cell("Created"),
                        rx.table.column_header_cell("Last used"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(KeysState.keys, _row)),
                width="100%",
                id="keys",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.card(
            rx.vstack(
                rx.icon("key-round", size=28, color=rx.color("gray", 9)),
                rx.text("No API keys yet.", color_scheme="gray"),
                align="center",
                padding="24px",
            ),
            width="100%",
            id="no-keys",
        ),
    )


@protected_page("/settings/keys", "API keys", on_load=[KeysState.load])
def keys() -> rx.Component:
    return rx.vstack(
        settings_nav("/settings/keys"),
        rx.text(
            "Keys let scripts and other tools use ",
            rx.text.strong(AuthState.current_workspace_name),
            " through the REST API.",
            color_scheme="gray",
        ),
        form_error(KeysState.error),
        rx.cond(
            AuthState.is_workspace_admin,
            rx.vstack(
                _new_secret(),
                _revoke_dialog(),
                _create(),
                rx.cond(
                    KeysState.loading,
                    rx.center(rx.spinner(), width="100%", padding="24px"),
                    _list(),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
