"""/sandbox: what this workspace's sandbox accounts published to the simulated networks."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.state.sandbox import SandboxState


def _post(p: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(p["platform"], color_scheme="violet"),
                muted("@", p["account"], size="2"),
                muted(p["at"]),
                align="center",
                wrap="wrap",
            ),
            rx.text(p["text"], white_space="pre-wrap"),
            muted(p["media"]),
            rx.link(
                rx.text("View the post", size="1"),
                href=p["permalink"],
                is_external=True,
                class_name="permalink",
            ),
            spacing="1",
        ),
        width="100%",
        class_name="sandbox-post",
    )


@protected_page("/sandbox", "Sandbox feed", on_load=[SandboxState.load])
def sandbox_feed() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                "Posts your sandbox accounts published to the simulated networks, newest first.",
                color_scheme="gray",
            ),
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Refresh",
                variant="soft",
                on_click=SandboxState.load,
                id="refresh-sandbox",
            ),  # fmt: skip
            justify="between",
            width="100%",
            align="center",
        ),
        form_error(SandboxState.error),
        rx.cond(
            SandboxState.posts.length() > 0,
            rx.vstack(rx.foreach(SandboxState.posts, _post), width="100%", id="sandbox-posts"),
            rx.text("Nothing published yet.", color_scheme="gray"),
        ),
        width="100%",
        spacing="4",
    )
