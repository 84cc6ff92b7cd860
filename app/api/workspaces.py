"""/api/workspaces/*: workspaces, members and invitations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser
from app.api.schemas import AcceptIn, InviteIn, RoleIn, WorkspaceIn
from app.services import plans
from app.services import workspaces as ws

router = APIRouter(prefix="/api", tags=["workspaces"])


@router.get("/workspaces", response_model=list[ws.WorkspaceView])
def list_workspaces(user: CurrentUser) -> list[ws.WorkspaceView]:
    return ws.list_workspaces(user)


@router.post("/workspaces", status_code=201, response_model=ws.WorkspaceView)
def create_workspace(body: WorkspaceIn, user: CurrentUser) -> ws.WorkspaceView:
    return ws.create_workspace(user, body.name)


@router.get("/workspaces/{workspace_id}", response_model=ws.WorkspaceView)
def get_workspace(workspace_id: uuid.UUID, user: CurrentUser) -> ws.WorkspaceView:
    return ws.get_workspace(user, workspace_id)


@router.patch("/workspaces/{workspace_id}", response_model=ws.WorkspaceView)
def rename_workspace(
    workspace_id: uuid.UUID, body: WorkspaceIn, user: CurrentUser
) -> ws.WorkspaceView:
    return ws.rename_workspace(user, workspace_id, body.name)


@router.get("/workspaces/{workspace_id}/members", response_model=list[ws.MemberView])
def list_members(workspace_id: uuid.UUID, user: CurrentUser) -> list[ws.MemberView]:
    return ws.list_members(user, workspace_id)


@router.patch("/workspaces/{workspace_id}/members/{member_id}", response_model=ws.MemberView)
def change_role(
    workspace_id: uuid.UUID,
    member_id: uuid.UUID,
    body: RoleIn,
    user: CurrentUser,
) -> ws.MemberView:
    return ws.change_role(user, workspace_id, member_id, ws.parse_role(body.role))


@router.delete("/workspaces/{workspace_id}/members/{member_id}", status_code=204)
def remove_member(workspace_id: uuid.UUID, member_id: uuid.UUID, user: CurrentUser) -> Response:
    ws.remove_member(user, workspace_id, member_id)
    return Response(status_code=204)


@router.get("/workspaces/{workspace_id}/invites", response_model=list[ws.InviteView])
def list_invites(workspace_id: uuid.UUID, user: CurrentUser) -> list[ws.InviteView]:
    return ws.list_invites(user, workspace_id)


@router.post("/workspaces/{workspace_id}/invites", status_code=201, response_model=ws.CreatedInvite)
def create_invite(workspace_id: uuid.UUID, body: InviteIn, user: CurrentUser) -> ws.CreatedInvite:
    return ws.create_invite(user, workspace_id, ws.parse_role(body.role), body.email)


@router.delete("/workspaces/{workspace_id}/invites/{invite_id}", status_code=204)
def revoke_invite(workspace_id: uuid.UUID, invite_id: uuid.UUID, user: CurrentUser) -> Response:
    ws.revoke_invite(user, workspace_id, invite_id)
    return Response(status_code=204)


@router.get("/invites/{token}", response_model=ws.InviteInfo)
def invite_info(token: str) -> ws.InviteInfo:
    """What an invite link offers (no sign-in needed, the token is the secret)."""
    return ws.invite_info(token)


@router.post("/invites/accept", response_model=ws.WorkspaceView)
def accept_invite(body: AcceptIn, user: CurrentUser) -> ws.WorkspaceView:
    return ws.accept_invite(user, body.token)


class TierIn(BaseModel):
    tier: str = Field(description="free, pro or business")


@router.get("/workspaces/{workspace_id}/plan", response_model=plans.PlanView)
def get_plan(workspace_id: uuid.UUID, user: CurrentUser) -> plans.PlanView:
    """The workspace's plan tier, its limits and this month's usage."""
    return plans.get_plan(user, workspace_id)


@router.put("/workspaces/{workspace_id}/plan", response_model=plans.PlanView)
def change_plan(workspace_id: uuid.UUID, body: TierIn, user: CurrentUser) -> plans.PlanView:
    """Switch the plan (no payment here: billing is a setting). A downgrade below what the
    workspace holds (accounts, members, storage) is refused with 402 `plan_limit`. With
    billing off (HERALD_BILLING, the self-hosted default) it is 409 `billing_off`."""
    return plans.change_tier(user, workspace_id, plans.parse_tier(body.tier))
