"""/api/workspaces/*: workspaces, members and invitations."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser
from app.api.schemas import (
    AcceptIn,
    CreatedInviteOut,
    InviteIn,
    InviteInfoOut,
    InviteOut,
    MemberOut,
    RoleIn,
    WorkspaceIn,
    WorkspaceOut,
)
from app.services import plans
from app.services import workspaces as ws

router = APIRouter(prefix="/api", tags=["workspaces"])


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(user: CurrentUser) -> list[WorkspaceOut]:
    return [WorkspaceOut.of(w) for w in ws.list_workspaces(user)]


@router.post("/workspaces", status_code=201, response_model=WorkspaceOut)
def create_workspace(body: WorkspaceIn, user: CurrentUser) -> WorkspaceOut:
    return WorkspaceOut.of(ws.create_workspace(user, body.name))


@router.get("/workspaces/{workspace_id}", response_model=WorkspaceOut)
def get_workspace(workspace_id: uuid.UUID, user: CurrentUser) -> WorkspaceOut:
    return WorkspaceOut.of(ws.get_workspace(user, workspace_id))


@router.patch("/workspaces/{workspace_id}", response_model=WorkspaceOut)
def rename_workspace(workspace_id: uuid.UUID, body: WorkspaceIn, user: CurrentUser) -> WorkspaceOut:
    return WorkspaceOut.of(ws.rename_workspace(user, workspace_id, body.name))


@router.get("/workspaces/{workspace_id}/members", response_model=list[MemberOut])
def list_members(workspace_id: uuid.UUID, user: CurrentUser) -> list[MemberOut]:
    return [MemberOut.of(m) for m in ws.list_members(user, workspace_id)]


@router.patch("/workspaces/{workspace_id}/members/{member_id}", response_model=MemberOut)
def change_role(
    workspace_id: uuid.UUID,
    member_id: uuid.UUID,
    body: RoleIn,
    user: CurrentUser,
) -> MemberOut:
    return MemberOut.of(ws.change_role(user, workspace_id, member_id, ws.parse_role(body.role)))


@router.delete("/workspaces/{workspace_id}/members/{member_id}", status_code=204)
def remove_member(workspace_id: uuid.UUID, member_id: uuid.UUID, user: CurrentUser) -> Response:
    ws.remove_member(user, workspace_id, member_id)
    return Response(status_code=204)


@router.get("/workspaces/{workspace_id}/invites", response_model=list[InviteOut])
def list_invites(workspace_id: uuid.UUID, user: CurrentUser) -> list[InviteOut]:
    return [InviteOut.of(i) for i in ws.list_invites(user, workspace_id)]


@router.post("/workspaces/{workspace_id}/invites", status_code=201, response_model=CreatedInviteOut)
def create_invite(workspace_id: uuid.UUID, body: InviteIn, user: CurrentUser) -> CreatedInviteOut:
    created = ws.create_invite(user, workspace_id, ws.parse_role(body.role), body.email)
    return CreatedInviteOut(**created.invite.__dict__, link=created.link, emailed=created.emailed)


@router.delete("/workspaces/{workspace_id}/invites/{invite_id}", status_code=204)
def revoke_invite(workspace_id: uuid.UUID, invite_id: uuid.UUID, user: CurrentUser) -> Response:
    ws.revoke_invite(user, workspace_id, invite_id)
    return Response(status_code=204)


@router.get("/invites/{token}", response_model=InviteInfoOut)
def invite_info(token: str) -> InviteInfoOut:
    """What an invite link offers (no sign-in needed, the token is the secret)."""
    return InviteInfoOut(**ws.invite_info(token).__dict__)


@router.post("/invites/accept", response_model=WorkspaceOut)
def accept_invite(body: AcceptIn, user: CurrentUser) -> WorkspaceOut:
    return WorkspaceOut.of(ws.accept_invite(user, body.token))


class LimitsOut(BaseModel):
    accounts: int | None = Field(description="null: unlimited")
    members: int | None
    posts_per_month: int | None
    ai_captions_per_month: int | None
    storage_bytes: int | None


class UsageOut(BaseModel):
    accounts: int
    members: int
    pending_invites: int
    posts_per_month: int
    ai_captions_per_month: int
    storage_bytes: int


class PlanOut(BaseModel):
    tier: str
    name: str
    limits: LimitsOut
    usage: UsageOut
    period_start: dt.datetime
    period_end: dt.datetime
    can_change: bool
    warnings: list[str]
    billing: bool = Field(
        description="Whether plans apply on this instance (HERALD_BILLING); when false every "
        "limit is null (unlimited) and the plan cannot be changed."
    )

    @classmethod
    def of(cls, p: plans.PlanView) -> PlanOut:
        return cls(
            tier=p.tier.value,
            name=p.name,
            limits=LimitsOut(**asdict(p.limits)),
            usage=UsageOut(**asdict(p.usage)),
            period_start=p.period_start,
            period_end=p.period_end,
            can_change=p.can_change,
            warnings=p.warnings,
            billing=p.billing,
        )


class TierIn(BaseModel):
    tier: str = Field(description="free, pro or business")


@router.get("/workspaces/{workspace_id}/plan", response_model=PlanOut)
def get_plan(workspace_id: uuid.UUID, user: CurrentUser) -> PlanOut:
    """The workspace's plan tier, its limits and this month's usage."""
    return PlanOut.of(plans.get_plan(user, workspace_id))


@router.put("/workspaces/{workspace_id}/plan", response_model=PlanOut)
def change_plan(workspace_id: uuid.UUID, body: TierIn, user: CurrentUser) -> PlanOut:
    """Switch the plan (no payment here: billing is a setting). A downgrade below what the
    workspace holds (accounts, members, storage) is refused with 402 `plan_limit`. With
    billing off (HERALD_BILLING, the self-hosted default) it is 409 `billing_off`."""
    return PlanOut.of(plans.change_tier(user, workspace_id, plans.parse_tier(body.tier)))
