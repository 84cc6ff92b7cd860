"""Media page: the workspace's library with filters, details and delete; uploads through the
shared uploader. Every action calls app.services.media, like the REST API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import reflex as rx

from app.services import media
from app.ui import format
from app.ui.components.uploader import UploaderMixin
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in

PAGE_SIZE = 500
SIZES = {
    "all": (0, None),
    "small": (0, 1024 * 1024),
    "medium": (1024 * 1024, 10 * 1024 * 1024),
    "large": (10 * 1024 * 1024, None),
}


@dataclasses.dataclass
class MediaCard:
    id: str = ""
    url: str = ""
    kind: str = "image"
    filename: str = ""
    file_type: str = ""
    size: str = ""
    dimensions: str = ""
    duration: str = ""
    checksum: str = ""
    created: str = ""


def _card(v: media.MediaView, zone: str, hours: str = "24h") -> MediaCard:
    return MediaCard(
        id=str(v.id),
        url=v.url,
        kind=v.kind,
        filename=v.filename,
        file_type=v.file_type,
        size=format.size(v.file_size),
        dimensions=f"{v.width} × {v.height}" if v.width and v.height else "",
        duration=f"{v.duration:.1f} s" if v.duration else "",
        checksum=v.checksum,
        created=format.datetime_zone(v.created_at, zone, hours=hours),
    )


# The filters `set_filter` sets (the kind has its own setter: a segmented control).
FILTERS = ("size", "date_from", "date_to", "query")


class MediaState(UploaderMixin, AuthState):
    items: list[MediaCard] = []
    total: int = 0
    loading: bool = True
    kind: str = "all"
    size: str = "all"
    date_from: str = ""
    date_to: str = ""
    query: str = ""
    selected_id: str = ""
    confirm_delete: bool = False
    deleting: bool = False
    error: str = ""

    @rx.event
    def load(self):
        self.selected_id, self.confirm_delete, self.error = "", False, ""
        self.upload_errors = []
        return self._refresh()

    @shows_errors(inline="error")
    @signed_in
    def _refresh(self, me: SignedIn):
        tz = format.zone(self.user_timezone)
        start = end = None
        try:
            if self.date_from:
                start = dt.datetime.combine(dt.date.fromisoformat(self.date_from), dt.time(),
                                            tzinfo=tz)  # fmt: skip
            if self.date_to:
                end = dt.datetime.combine(
                    dt.date.fromisoformat(self.date_to) + dt.timedelta(days=1), dt.time(), tzinfo=tz
                )
        except ValueError:
            self.error = "Pick valid dates."
            return None
        self.loading = True
        try:
            page = media.list_media(
                me.user, me.wid, kind=None if self.kind == "all" else self.kind, start=start,
                end=end, q=self.query or None, limit=PAGE_SIZE,
            )  # fmt: skip
        finally:
            self.loading = False
        low, high = SIZES.get(self.size, (0, None))
        views = [
            v for v in page.items if v.file_size >= low and (high is None or v.file_size < high)
        ]
        self.items = [_card(v, self.user_timezone, self.user_time_format) for v in views]
        self.total = page.total
        self.error = ""
        if self.selected_id and all(i.id != self.selected_id for i in self.items):
            self.selected_id = ""
        return None

    def _on_uploaded(self, views: list[media.MediaView]):
        result = self._refresh()
        if views:
            self.selected_id = str(views[0].id)
        return result

    @rx.event
    def set_kind(self, value: str | list[str]):
        self.kind = value if isinstance(value, str) else (value[0] if value else "all")
        return self._refresh()

    @rx.event
    def set_filter(self, name: str, value: str):
        """One of FILTERS changed: list the library again."""
        if name in FILTERS:
            setattr(self, name, value)
            return self._refresh()
        return None

    @rx.event
    def clear_filters(self):
        self.kind, self.size, self.date_from, self.date_to, self.query = "all", "all", "", "", ""
        return self._refresh()

    @rx.event
    def select(self, media_id: str):
        self.selected_id = "" if self.selected_id == media_id else media_id
        self.confirm_delete = False
        self.error = ""

    @rx.event
    def close_details(self):
        self.selected_id = ""
        self.confirm_delete = False

    @rx.event
    def ask_delete(self, value: bool = True):
        self.confirm_delete = value

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def delete_selected(self, me: SignedIn):
        if not self.selected_id:
            return None
        name = self.selected.filename or "The file"
        self.deleting = True
        try:
            media.delete_media(me.user, me.wid, uuid.UUID(self.selected_id))
        finally:
            self.deleting = False
            self.confirm_delete = False
        self.selected_id = ""
        self._refresh()
        return rx.toast.success(f"{name} deleted.")

    @rx.var
    def selected(self) -> MediaCard:
        return next((i for i in self.items if i.id == self.selected_id), MediaCard())

    @rx.var
    def filtered(self) -> bool:
        return (self.kind, self.size, self.date_from, self.date_to, self.query) != (
            "all", "all", "", "", "",
        )  # fmt: skip

    @rx.var
    def can_edit(self) -> bool:
        return self.current_role in ("editor", "admin")

    @rx.var
    def summary(self) -> str:
        n = len(self.items)
        return f"{n} file{'s' if n != 1 else ''}" + (f" of {self.total}" if self.total != n else "")
