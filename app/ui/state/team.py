"""Settings → Team: members, roles and invite links of the current workspace."""

from __future__ import annotations

import uuid

import reflex as rx

from app.services import workspaces as ws
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState


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

    def _context(self):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return None, None
        return user, wid

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
                    "expires": i.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
                }
                for i in ws.list_invites(user, wid)
            ]
            if role == "admin"
            else []
        )

    def _run(self, action, success: str = ""):
        user, wid = self._context()
        if user is None:
            return self._login_redirect()
        try:
            action(user, wid)
            self.error = ""
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        finally:
            self._refresh(user, wid)
        if success:
            return rx.toast.success(success)

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

    def _leave(self, member_id: str):
        user, wid = self._context()
        if user is None or wid is None:
            return self._login_redirect()
        try:
            ws.remove_member(user, wid, uuid.UUID(member_id))
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
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
