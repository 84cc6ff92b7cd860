"""The UI's one guard and one error path (app/ui/state/handlers.py) on real states, a real
session cookie and PostgreSQL: the handler gets the signed-in user and workspace, anyone else
goes to /login (or, for polls, nothing happens), and a ServiceError becomes a toast and the
state's inline message."""

from __future__ import annotations

import uuid

from reflex.istate.data import RouterData

from app import db
from app.api.deps import SESSION_COOKIE
from app.models import Workspace
from app.services import auth
from app.services.workspaces import list_workspaces
from app.ui.components.outage import OutageState
from app.ui.state.handlers import SignedIn, signed_in
from app.ui.state.workspace import WorkspaceState


def _router(path: str, token: str = "") -> RouterData:
    headers = {"cookie": f"{SESSION_COOKIE}={token}"} if token else {}
    return RouterData.from_router_data(
        {"pathname": path, "asPath": path, "query": {}, "headers": headers}
    )


def _signed_up() -> tuple[str, uuid.UUID]:
    signed = auth.register(f"ui-{uuid.uuid4().hex[:6]}@example.com", "a long password!")
    return signed.token, list_workspaces(signed.user)[0].id


def _args(spec) -> dict:
    return {k._js_expr: v._var_value for k, v in spec.args}


def test_the_signed_in_user_and_workspace_reach_the_handler(clean_db):
    token, wid = _signed_up()
    state = WorkspaceState()
    state.router = _router("/settings/workspace", token)
    state.workspace_id = str(wid)
    state.rename({"name": "Renamed by the UI"})
    with db.session() as s:
        assert s.get(Workspace, wid).name == "Renamed by the UI"
    assert state.error == ""


def test_anyone_else_is_sent_to_sign_in_and_comes_back(clean_db):
    _signed_up()  # not a fresh instance: no /setup
    state = WorkspaceState()
    state.router = _router("/settings/workspace")
    spec = state.rename({"name": "Nope"})
    assert _args(spec)["path"] == "/login?next=/settings/workspace"


def test_polls_of_signed_out_pages_do_nothing(clean_db):
    state = OutageState()
    state.router = _router("/")
    assert state.refresh() is None


def test_a_service_error_is_a_toast_and_the_inline_message(clean_db):
    token, wid = _signed_up()
    state = WorkspaceState()
    state.router = _router("/settings/workspace", token)
    state.workspace_id = str(wid)
    spec = state.rename({"name": "   "})
    assert state.error  # the service's own message, shown next to the form
    toast = str(dict((k._js_expr, v) for k, v in spec.args)["function"])  # and as a toast
    assert "['__toast']" in toast and '"error"' in toast and state.error in toast


def test_guarded_handlers_keep_their_own_parameters_for_reflex():
    @signed_in
    def rename(self, me: SignedIn, form: dict, later: bool = False):
        """A handler."""

    params = list(rename.__signature__.parameters)
    assert params == ["self", "form", "later"]
    assert "me" not in rename.__annotations__
    assert rename.__doc__ == "A handler."
