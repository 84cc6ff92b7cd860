"""A post's status, derived from its destinations, and the destination states that mean a request
is (or may be) with the platform. Shared by the posts service and the engine."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app.models import DestinationStatus, Post, PostStatus

# A request is, or may be, with the platform: nothing may change the destination meanwhile.
ACTIVE = (DestinationStatus.publishing, DestinationStatus.processing, DestinationStatus.unknown)
WAITING = (DestinationStatus.pending, DestinationStatus.queued)

# The derivation, in SQL (migration 0006), for engine code that runs plain statements.
DERIVE = text("SELECT herald_derive_post_status(:id)")


def refresh_post_status(s: Session, post_id: uuid.UUID) -> None:
    """Recompute a post's status from its destinations (ORM session flavour). The derivation is
    the database function `herald_derive_post_status` (migration 0006), shared with the engine's
    outcomes."""
    s.flush()
    post = s.exec(select(Post).where(Post.id == post_id).with_for_update()).one()
    new = s.connection().execute(DERIVE, {"id": post_id}).scalar()
    if new is not None:
        set_committed_value(post, "status", PostStatus(new))
