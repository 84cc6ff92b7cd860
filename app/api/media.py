"""/api/media: the media library (presigned upload, confirm, list, get, delete), plus the
upload and download URLs Herald serves itself when media are stored locally."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import media
from app.services.errors import InvalidInput

router = APIRouter(prefix="/api", tags=["media"])


class PresignIn(BaseModel):
    filename: str = Field(min_length=1, max_length=300)
    content_type: str = Field(max_length=100, description="The file's MIME type, e.g. image/png.")
    size: int = Field(description="The file's size in bytes.")


class ConfirmIn(BaseModel):
    key: str = Field(max_length=500)
    filename: str | None = Field(default=None, max_length=300, description="Name to show.")


@router.post("/media/presign", response_model=media.UploadTicket)
def presign(body: PresignIn, wid: WorkspaceDep, user: CurrentUser) -> media.UploadTicket:
    """An upload straight to storage for one file. Type and size are checked first."""
    return media.presign(user, wid, body.filename, body.content_type, body.size)


@router.post("/media", status_code=201, response_model=media.MediaView)
def confirm(
    body: ConfirmIn,
    response: Response,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> media.MediaView:
    """Check the uploaded file (real type from its bytes, size, dimensions, duration,
    checksum) and add it to the library. A refused file is deleted from storage."""
    view, created = media.confirm(user, wid, body.key, body.filename)
    if not created:
        response.status_code = 200
    return view


@router.get("/media", response_model=media.MediaPage)
def list_media(
    wid: WorkspaceDep,
    user: CurrentUser,
    type: Literal["image", "video"] | None = None,
    start: dt.datetime | None = Query(default=None, alias="from"),
    end: dt.datetime | None = Query(default=None, alias="to"),
    q: str | None = Query(default=None, max_length=200, description="Part of the file name."),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> media.MediaPage:
    return media.list_media(
        user, wid, kind=type, start=start, end=end, q=q, limit=limit, offset=offset
    )


@router.get("/media/{media_id}", response_model=media.MediaView)
def get_media(media_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> media.MediaView:
    return media.get_media(user, wid, media_id)


@router.delete("/media/{media_id}", status_code=204)
def delete_media(media_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> Response:
    """Refused (409) while a scheduled or publishing post uses the file."""
    media.delete_media(user, wid, media_id)
    return Response(status_code=204)


# --------------------------------------------------------------------------- local storage

# A multipart form's fields and boundaries: what Content-Length may exceed the file by.
_FORM_SLACK = 64 * 1024
_DRAIN = 8 * 1024 * 1024


class _FormFile:
    """Streams the part named `file` of a multipart form as it arrives; other parts are
    small fields (S3's presigned POST layout: fields first, the file last)."""

    def __init__(self, body: AsyncIterator[bytes], boundary: bytes) -> None:
        self.body = body
        self.fields: dict[str, str] = {}
        self.started = self.done = False
        self._pending: list[bytes] = []
        self._header_field = self._header_value = b""
        self._name = ""
        self._in_file = False
        self._value = bytearray()
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._hfield,
                "on_header_value": self._hvalue,
                "on_header_end": self._hend,
                "on_headers_finished": self._hdone,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )

    def _begin(self) -> None:
        self._name, self._value = "", bytearray()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _hend(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, params = parse_options_header(self._header_value)
            self._name = params.get(b"name", b"").decode("latin-1")
        self._header_field = self._header_value = b""

    def _hdone(self) -> None:
        if self._name == "file" and not self.started:
            self._in_file = self.started = True

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(data[start:end])
        elif not self.started and len(self._value) < 8192:
            self._value += data[start:end]

    def _end(self) -> None:
        if self._in_file:
            self._in_file, self.done = False, True
        elif not self.started and self._name:
            self.fields[self._name.lower()] = self._value.decode("utf-8", "replace")

    async def read_fields(self) -> None:
        """Consume the body up to the start of the file part."""
        while not self.started:
            try:
                chunk = await anext(self.body)
            except StopAsyncIteration:
                self._parser.finalize()
                return
            self._parser.write(chunk)

    async def file(self) -> AsyncIterator[bytes]:
        while True:
            if self._pending:
                data, self._pending = b"".join(self._pending), []
                yield data
            if self.done:
                return
            try:
                chunk = await anext(self.body)
            except StopAsyncIteration:
                self._parser.finalize()
                if self._pending:
                    yield b"".join(self._pending)
                return
            self._parser.write(chunk)


async def _drain(body: AsyncIterator[bytes]) -> None:
    """Read (and drop) what the client is still sending, so it can read our error."""
    seen = 0
    try:
        async for chunk in body:
            seen += len(chunk)
            if seen > _DRAIN:
                return
    except ClientDisconnect:
        return


@router.post("/media/upload/{token}", status_code=204, operation_id="upload_media_form")
@router.put("/media/upload/{token}", status_code=204, operation_id="upload_media_raw")
async def upload(token: str, request: Request) -> Response:
    """Upload URL of local storage (from `/api/media/presign`): a multipart POST like S3's
    presigned POST (fields, then `file`), or a PUT of the raw bytes with the Content-Type.
    The size cap holds while the bytes stream in; nothing is kept from a refused upload."""
    body = request.stream().__aiter__()
    header = request.headers.get("content-type", "")
    length = request.headers.get("content-length")
    size = int(length) if length and length.isdigit() else None
    try:
        if request.method == "POST" and header.lower().startswith("multipart/form-data"):
            boundary = parse_options_header(header)[1].get(b"boundary")
            if not boundary:
                raise InvalidInput("The multipart form has no boundary.", code="bad_form")
            form = _FormFile(body, boundary)
            await form.read_fields()
            chunks, declared = form.file(), form.fields.get("content-type")
            size = size - _FORM_SLACK if size is not None else None
        else:
            chunks, declared = body, header
        await media.receive_upload(token, chunks, content_type=declared, length=size)
    except ClientDisconnect:
        return Response(status_code=400)
    except Exception:
        if size is None or size <= _DRAIN:
            await _drain(body)
        raise
    return Response(status_code=204)


@router.get("/media/file/{token}", response_class=FileResponse, operation_id="media_file")
@router.head("/media/file/{token}", response_class=FileResponse, operation_id="media_file_head")
def media_file(token: str) -> FileResponse:
    """A stored file behind a signed, expiring link (`url` of a media item, local storage);
    streamed with its content type, Range requests supported."""
    path, mime = media.local_file(token)
    return FileResponse(
        path,
        media_type=mime,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"},
    )
