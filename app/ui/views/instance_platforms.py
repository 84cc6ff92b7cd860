"""Instance settings: media storage (read-only) and the platforms' OAuth apps."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack
from app.ui.components.forms import data_item, remove_button
from app.ui.components.section import settings_block, settings_card
from app.ui.state.instance import InstanceState


def storage_settings() -> rx.Component:
    st = InstanceState.storage
    return settings_card(
        "Media storage",
        rx.data_list.root(
            data_item("Backend", rx.text(st["backend"])),
            rx.cond(
                st["is_s3"] == "yes",
                rx.fragment(
                    data_item("Bucket", rx.code(st["bucket"])),
                    data_item("Endpoint", rx.code(st["endpoint"])),
                    data_item("Region", rx.text(st["region"])),
                    data_item("Path-style addressing", rx.text(st["path_style"])),
                    data_item("Credentials", rx.text(st["credentials"])),
                ),
                data_item("Folder", rx.code(st["local_path"])),
            ),
            data_item("Largest image", rx.text(st["max_image"])),
            data_item("Largest video", rx.text(st["max_video"])),
            id="storage-settings",
        ),
        muted(
            "Storage is configured in the environment (HERALD_STORAGE, HERALD_S3_BUCKET, "
            "HERALD_S3_ENDPOINT_URL, ...) and read at start: changing it moves where new "
            "media go, so it is not editable here."
        ),
    )


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
                muted("Redirect URI to register with the platform: ", rx.code(a["callback"])),
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
                        remove_button("Remove", InstanceState.remove(a["platform"])),
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


def platform_apps() -> rx.Component:
    return settings_block(
        "Platform apps",
        stack(rx.foreach(InstanceState.apps, _app)),
        about="The OAuth app Herald uses for each network. Secrets are stored encrypted and never "
        "shown again. Values set in the environment (HERALD_<PLATFORM>_CLIENT_ID) win. "
        "Mastodon needs none: Herald registers itself on each server; Bluesky uses app "
        "passwords.",
    )
