"""Settings → Instance: platform app credentials (instance admins only)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
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
                rx.input(type="hidden", name="platform", value=a["platform"]),
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


@protected_page("/settings/instance", "Instance settings", on_load=[InstanceState.load])
def instance() -> rx.Component:
    return rx.vstack(
        rx.text(
            "The OAuth app Herald uses for each network. Secrets are stored encrypted and never "
            "shown again. Values set in the environment (HERALD_<PLATFORM>_CLIENT_ID) win. "
            "Mastodon needs none: Herald registers itself on each server; Bluesky uses app "
            "passwords.",
            color_scheme="gray",
        ),
        form_error(InstanceState.error),
        rx.vstack(rx.foreach(InstanceState.apps, _app), width="100%", spacing="3"),
        spacing="4",
        width="100%",
    )
