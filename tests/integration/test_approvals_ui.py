"""The approval handlers of the UI on real states, a real session cookie and PostgreSQL: the
settings switch, and approving a post whose time passed while it waited (the form asks for a
new time instead of publishing late), then approving it for the new time."""

from __future__ import annotations

import datetime as dt
import uuid

from reflex.istate.data import RouterData
from sqlalchemy import text

from app import db
from app.api.deps import SESSION_COOKIE
from app.models import Membership, PostApproval, PostStatus, Role
from app.services import approval_rules, auth, posts
from app.services.workspaces import list_workspaces
from app.ui.state.approvals import ApprovalListState, ApprovalSettingState
from app.ui.state.approvals_calendar import CalendarApprovalState


def _router(path: str, token: str) -> RouterData:
    headers = {"cookie": f"{SESSION_COOKIE}={token}"}
    return RouterData.from_router_data(
        {"pathname": path, "asPath": path, "query": {}, "headers": headers}
    )


def _signed_up(name: str):
    return auth.register(f"{name}-{uuid.uuid4().hex[:6]}@example.com", "a long password!")


def test_switch_then_a_late_approval_asks_for_a_new_time(clean_db):
    admin = _signed_up("admin")
    wid = list_workspaces(admin.user)[0].id
    editor = _signed_up("editor")
    with db.session() as s:
        s.add(Membership(workspace_id=wid, user_id=editor.user.id, role=Role.editor))

    setting = ApprovalSettingState()
    setting.router = _router("/settings/workspace", admin.token)
    setting.workspace_id = str(wid)
    setting.set_required(True)
    assert setting.require_approval and approval_rules.is_required(admin.user, wid)

    # The editor's post waits, and its time passes meanwhile (set in the database: no test
    # waits an hour).
    data = posts.PostInput(content="Late", scheduled_at=dt.datetime.now(dt.UTC))
    view, _ = posts.create_post(editor.user, wid, data, mode="draft")
    with db.session() as s:
        s.connection().execute(
            text(
                "UPDATE posts SET approval = 'pending', scheduled_at = now() - interval '1 hour' "
                "WHERE id = :id"
            ),
            {"id": view.id},
        )

    listing = ApprovalListState()
    listing.router = _router("/", admin.token)
    listing.workspace_id = str(wid)
    listing.load()
    assert (listing.can_approve, listing.pending) == (True, 1)
    assert [i.id for i in listing.items] == [str(view.id)]

    state = CalendarApprovalState()
    state.router = _router("/calendar", admin.token)
    state.workspace_id = str(wid)
    state.open_post_id = str(view.id)
    state.ap_approve()
    assert "has passed" in state.ap_passed and state.ap_for == str(view.id)
    assert state.ap_date and state.ap_time
    assert posts.get_post(admin.user, wid, view.id).approval == PostApproval.pending

    state.ap_date = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    state.ap_time = "12:00"
    state.ap_approve_at()
    approved = posts.get_post(admin.user, wid, view.id)
    assert approved.approval == PostApproval.approved and approved.status == PostStatus.scheduled
    assert approved.scheduled_at is not None and approved.scheduled_at.hour == 12
    assert state.ap_passed == ""
