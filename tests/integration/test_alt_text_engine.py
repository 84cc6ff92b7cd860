"""Alt text end to end: written with the post (services, the REST API's `media_alt`), kept per
attached medium, read back for editing, published by the engine's worker processes to the
Mastodon simulator as the attachment's description; and Schedule refuses what the composer's
live check refuses, in the same words."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from PIL import Image

from app.models import DestinationStatus, Media
from app.services import posts
from app.services.errors import InvalidInput
from simulator import SimServer
from tests.integration.engine import (
    new_world,
    soon,
    wait_settled,
)
from tests.integration.thread_media import stored_media

SEED = 7


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    return new_world(server, account=("mastodon", "alice"))


def _media(wid: uuid.UUID, name: str) -> Media:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 90)).save(out, "PNG")
    return stored_media(wid, out.getvalue(), name, width=32, height=24)


def test_alt_text_is_kept_and_published(world) -> None:
    first, second = _media(world["wid"], "a.png"), _media(world["wid"], "b.png")
    data = posts.PostInput(
        content="Two pictures, one described",
        account_ids=[world["account"].id],
        scheduled_at=soon(0.5),
        media_ids=[first.id, second.id],
        media_alt={first.id: "  A green rectangle  ", second.id: "   "},
    )
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    assert view.media_alt == {first.id: "A green rectangle"}
    again = posts.get_post(world["user"], world["wid"], view.id)
    assert again.media_alt == {first.id: "A green rectangle"}
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.published, dest.error_message
    base = world["server"].url_for("mastodon")
    status = httpx.get(f"{base}/api/v1/statuses/{dest.platform_post_id}").json()
    assert status["content"].find("Two pictures, one described") >= 0
    described = [m["description"] for m in status["media_attachments"]]
    assert described == ["A green rectangle", None]


def test_schedule_refuses_in_the_live_check_words(world) -> None:
    data = posts.PostInput(
        content="x" * 501, account_ids=[world["account"].id], scheduled_at=soon(60)
    )
    with pytest.raises(InvalidInput) as refused:
        posts.create_post(world["user"], world["wid"], data, mode="schedule")
    problem = refused.value.details["destinations"][str(world["account"].id)][0]
    # One account: the message is the problem itself, with no "mastodon · alice:" prefix.
    assert refused.value.message == problem
    assert problem.startswith("The post is 501 characters; this instance allows 500")
    long_alt = posts.PostInput(
        content="Described too much",
        account_ids=[world["account"].id],
        scheduled_at=soon(60),
        media_ids=[_media(world["wid"], "c.png").id],
    )
    long_alt.media_alt = {long_alt.media_ids[0]: "d" * 1501}
    with pytest.raises(InvalidInput) as refused:
        posts.create_post(world["user"], world["wid"], long_alt, mode="schedule")
    assert refused.value.message == (
        "The alt text of c.png is 1,501 characters; Mastodon takes up to 1,500."
    )
