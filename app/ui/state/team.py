"""Settings → Team: members, roles and invite links of the current workspace."""

from __future__ import annotations

import uuid

import reflex as rx

from app.services import workspaces as ws
from app.ui import format
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in


class TeamState(AuthState):
    members: list[dict[str, str]] = []
    invites: list[dict[str, str]] = []
    new_link: str = ""
    # What happened to the new invite's email: "" (none given), sent, or not_sent (no SMTP).
    new_link_mail: str = ""
    error: str = ""
    # The confirmation open: "remove", "leave" or "revoke", of whom/which, and its name.
    confirm_kind: str = ""
    confirm_target: str = ""
    confirm_name: str = ""

    def _refresh(self, user, wid: uuid.UUID) -> None:
        self.members = [
            {
                "user_id": str(m.user_id),
                "email": m.email,
                "name": m.full_name or m.email.split("@")[0],
                "role": m.role.value,
                "is_me": "yes" if m.email == self.user_email else "",
            }
            for m in ws.list_members(user, wid)
        ]
        role = next((w["role"] for w in self.workspaces if w["id"] == str(wid)), "")
        self.invites = (
            [
                {
                    "id": str(i.id),
                    "role": i.role.value,
                    "email": i.email or "anyone with the link",
                    "expires": format.datetime_zone(
                        i.expires_at, self.user_timezone, hours=self.user_time_format
                    ),
                }
                for i in ws.list_invites(user, wid)
            ]
            if role == "admin"
            else []
        )

    @shows_errors(inline="error")
    @signed_in
    def _run(self, me: SignedIn, action, success: str = ""):
        """`action(user, workspace)`, then the lists re-read whatever happened."""
        try:
            action(me.user, me.wid)
            self.error = ""
        finally:
            self._refresh(me.user, me.wid)
        return rx.toast.success(success) if success else None

    @rx.event
    def load(self):
        self.new_link = ""
        self.new_link_mail = ""
        return self._run(lambda user, wid: None)

    @rx.event
    def set_role(self, member_id: str, role: str):
        return self._run(
            lambda user, wid: ws.change_role(user, wid, uuid.UUID(member_id), ws.parse_role(role)),
            "Role updated.",
        )

    @rx.event
    def ask(self, kind: str, target: str, name: str):
        """Open the confirmation of removing a member, leaving, or revoking an invite."""
        self.confirm_kind, self.confirm_target, self.confirm_name = kind, target, name

    @rx.event
    def close_confirm(self, is_open: bool = False):
        if not is_open:
            self.confirm_kind = ""

    @rx.event
    def confirm(self):
        kind, target, self.confirm_kind = self.confirm_kind, self.confirm_target, ""
        if kind == "revoke":
            return self.revoke(target)
        if kind in ("remove", "leave"):
            if kind == "leave":
                return self._leave(target)
            return self.remove(target)

    @shows_errors(inline="error")
    @signed_in
    def _leave(self, me: SignedIn, member_id: str):
        ws.remove_member(me.user, me.wid, uuid.UUID(member_id))
        self.workspace_id = ""
        return [rx.toast.success("You left the workspace."), rx.redirect("/")]

    @rx.event
    def remove(self, member_id: str):
        return self._run(
            lambda user, wid: ws.remove_member(user, wid, uuid.UUID(member_id)), "Member removed."
        )

    @rx.event
    def create_invite(self, form: dict):
        def action(user, wid):
            created = ws.create_invite(
                user, wid, ws.parse_role(form.get("role", "editor")), form.get("email") or None
            )
            self.new_link = created.link
            self.new_link_mail = (
                ("sent" if created.emailed else "not_sent") if created.invite.email else ""
            )

        return self._run(action, "Invite link created.")

    @rx.event
    def revoke(self, invite_id: str):
        return self._run(
            lambda user, wid: ws.revoke_invite(user, wid, uuid.UUID(invite_id)), "Invite revoked."
        )
