"""Settings → API keys: create (shown once), list, revoke."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, named_input
from app.ui.components.buttons import danger_button
from app.ui.components.confirm import confirm_dialog
from app.ui.components.layout import protected_page
from app.ui.components.section import data_table, empty_card
from app.ui.components.settings_blocks import (
    admin_settings,
    create_card,
    once_loaded,
    secret_once,
)
from app.ui.state.settings import KeysState

ROLES = ["admin", "editor", "viewer"]


def _new_secret() -> rx.Component:
    return secret_once(
        KeysState.new_secret,
        rx.text(
            "Copy the key “",
            KeysState.new_name,
            "” now: it is shown only once and cannot be seen again.",
            weight="medium",
        ),
        rx.text(
            "Use it as ",
            rx.code("Authorization: Bearer <key>"),
            " with the REST API (docs at ",
            rx.link("/api/docs", href="/api/docs", is_external=True),
            ").",
            size="1",
        ),
        KeysState.dismiss_secret,
        noun="key",
        label="New API key",
        copied="Key copied.",
    )


def _create() -> rx.Component:
    return create_card(
        "Create a key",
        [
            named_input("name", "key-name", "Key name", "Name, e.g. Zapier", "16rem", 100),
            rx.select(ROLES, name="role", default_value="editor", id="key-role"),
            rx.button("Create key", type="submit", id="create-key"),
        ],
        muted(
            "A key acts as you in this workspace, with at most the role chosen here. "
            "Keys cannot manage members, keys or plans."
        ),
        on_submit=KeysState.create,
    )


def _row(k: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(k["name"], weight="medium")),
        rx.table.cell(rx.code(k["prefix"])),
        rx.table.cell(rx.badge(k["role"])),
        rx.table.cell(k["created"]),
        rx.table.cell(k["last_used"]),
        rx.table.cell(
            danger_button(
                "Revoke", KeysState.ask_revoke(k["id"], k["name"]), class_name="revoke-key"
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
        data_table(
            ("Name", "Key", "Role", "Created", "Last used", ""),
            KeysState.keys,
            _row,
            "keys",
        ),
        empty_card(
            "key-round",
            rx.text("No API keys yet.", color_scheme="gray"),
            icon_size=28,
            shade=9,
            padding="24px",
            id="no-keys",
        ),
    )


@protected_page("/settings/keys", "API keys", on_load=[KeysState.load])
def keys() -> rx.Component:
    return admin_settings(
        "/settings/keys",
        "Keys let scripts and other tools use ",
        " through the REST API.",
        KeysState.error,
        _new_secret(),
        _revoke_dialog(),
        _create(),
        once_loaded(KeysState.loading, _list()),
    )
