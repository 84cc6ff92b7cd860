"""/sandbox: the workspace's posts on the simulated networks."""

from __future__ import annotations

import reflex as rx

from app.services import sandbox
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState


class SandboxState(AuthState):
    posts: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def load(self):
        user, wid = self._user(), self._workspace_uuid()
        if user is None:
            return self._login_redirect()
        if wid is None:
            return
        try:
            rows = sandbox.posts(user, wid)
        except ServiceError as exc:
            self.posts, self.error = [], exc.message
            return
        self.error = ""
        self.posts = [
            {
                "platform": str(p["platform"]),
                "account": str(p["account"]),
                "at": str(p["received_at"])[:19].replace("T", " ") + " UTC",
                "text": str(p["text"] or ""),
                "media": f"{p['media']} attachment(s)" if p["media"] else "",
                "id": str(p["post_id"]),
                "permalink": str(p.get("permalink") or ""),
            }
            for p in rows
        ]
