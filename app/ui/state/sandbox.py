"""/sandbox: the workspace's posts on the simulated networks."""

from __future__ import annotations

import datetime as dt

import reflex as rx

from app.services import sandbox
from app.ui import format
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in


class SandboxState(AuthState):
    posts: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    @shows_errors(inline="error", toast=False)
    @signed_in
    def load(self, me: SignedIn):
        self.posts = []
        rows = sandbox.posts(me.user, me.wid)
        self.error = ""
        self.posts = [
            {
                "platform": str(p["platform"]),
                "account": str(p["account"]),
                "at": format.datetime_zone(
                    dt.datetime.fromisoformat(str(p["received_at"])),
                    self.user_timezone,
                    hours=self.user_time_format,
                ),
                "text": str(p["text"] or ""),
                "media": f"{p['media']} attachment(s)" if p["media"] else "",
                "id": str(p["post_id"]),
                "permalink": str(p.get("permalink") or ""),
            }
            for p in rows
        ]
