"""Drag-and-drop media upload with a progress bar, straight to storage.

The browser reads the chosen files' names, types and sizes; the state asks the media service
for presigned uploads (`media.presign`: type and size are checked before a byte moves); the
browser sends each file to its upload URL with XMLHttpRequest (progress shown as it goes); the
state then confirms each upload (`media.confirm`: real type from the bytes, dimensions,
checksum) and hands the recorded media to the page (`_on_uploaded`).

Use it by mixing `UploaderMixin` into a page state (before AuthState) and placing
`upload_zone(State, "some-id")` on the page.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.function import FunctionVar

from app.services import media
from app.services.errors import ServiceError
from app.ui.components.blocks import muted, row, stack
from app.ui.components.section import title_meta
from app.ui.state.handlers import SignedIn, signed_in


def _js_event(code: str) -> Any:
    """A raw browser-side event handler (no server round trip)."""
    return Var(_js_expr=code).to(FunctionVar, rx.event.EventChain)


# Enter or Space on a focused role=button element clicks it (keyboard access).
KEY_CLICK = {
    "onKeyDown": _js_event(
        "(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault();"
        " e.currentTarget.click(); } }"
    )
}


def _read_meta_js(input_id: str) -> str:
    return f"""(() => {{
  const el = document.getElementById({json.dumps(input_id)});
  const files = el && el.files ? Array.from(el.files) : [];
  return files.map((f) => ({{name: f.name, type: f.type || "", size: f.size}}));
}})()"""


def _upload_js(input_id: str, tickets: list[dict[str, Any]]) -> str:
    """Send every file to its presigned upload; progress goes to `#<input_id>-bar/-label`."""
    return f"""(async () => {{
  const id = {json.dumps(input_id)};
  const tickets = {json.dumps(tickets)};
  const el = document.getElementById(id);
  const files = el && el.files ? Array.from(el.files) : [];
  const total = tickets.reduce((n, t) => n + (files[t.index] ? files[t.index].size : 0), 0) || 1;
  const done = {{}};
  const show = (label) => {{
    const sent = Object.values(done).reduce((a, b) => a + b, 0);
    const pct = Math.min(100, Math.round((100 * sent) / total));
    const bar = document.getElementById(id + "-bar");
    const text = document.getElementById(id + "-label");
    const box = document.getElementById(id + "-progress");
    if (bar) bar.style.width = pct + "%";
    if (box) {{
      box.setAttribute("aria-valuenow", String(pct));
      box.dataset.progress = String(pct);
    }}
    if (text) text.textContent = label + " " + pct + "%";
  }};
  const send = (t) => new Promise((resolve) => {{
    const f = files[t.index];
    if (!f) return resolve({{key: t.key, name: t.name, ok: false, error: "The file is gone."}});
    const x = new XMLHttpRequest();
    x.open(t.method, t.upload_url);
    let body = f;
    if (t.method === "POST") {{
      body = new FormData();
      for (const [k, v] of Object.entries(t.fields || {{}})) body.append(k, v);
      body.append("file", f, f.name);
    }} else {{
      for (const [k, v] of Object.entries(t.headers || {{}})) x.setRequestHeader(k, v);
    }}
    x.upload.onprogress = (e) => {{ done[t.key] = e.loaded; show("Uploading " + f.name); }};
    x.onload = () => {{
      done[t.key] = f.size; show("Uploaded " + f.name);
      if (x.status < 300) resolve({{key: t.key, name: f.name, ok: true, error: ""}});
      else {{
        let msg = "The upload failed (HTTP " + x.status + ").";
        try {{ msg = JSON.parse(x.responseText).error.message || msg; }} catch (_) {{}}
        resolve({{key: t.key, name: f.name, ok: false, error: f.name + ": " + msg}});
      }}
    }};
    x.onerror = () => resolve({{key: t.key, name: f.name, ok: false,
                                error: f.name + ": network error during the upload."}});
    x.send(body);
  }});
  show("Uploading");
  const results = [];
  for (const t of tickets) results.push(await send(t));
  if (el) el.value = "";
  return results;
}})()"""


class UploaderMixin(rx.State, mixin=True):
    """Upload handlers for a page state that also inherits AuthState."""

    upload_busy: bool = False
    upload_errors: list[str] = []

    def _on_uploaded(self, views: list[media.MediaView]):  # pragma: no cover - overridden
        return None

    @rx.event
    @signed_in(workspace=False)
    def upload_chosen(self, me: SignedIn, input_id: str):
        """The file input changed (a pick or a drop): read what was chosen."""
        self.upload_errors = []
        return rx.call_script(
            _read_meta_js(input_id),
            callback=type(self).upload_presign(input_id),  # type: ignore[call-arg]
        )

    @rx.event
    @signed_in
    def upload_presign(
        self, me: SignedIn, input_id: str, metas: list[dict[str, Any]] | None = None
    ):
        tickets: list[dict[str, Any]] = []
        errors: list[str] = []
        for index, meta in enumerate(metas or []):
            name = str(meta.get("name") or "file")
            try:
                t = media.presign(
                    me.user, me.wid, name, str(meta.get("type") or ""), int(meta.get("size") or 0)
                )
            except ServiceError as exc:
                errors.append(f"{name}: {exc.message}")
                continue
            tickets.append(
                {"index": index, "name": name, "key": t.key, "upload_url": t.upload_url,
                 "method": t.method, "fields": t.fields, "headers": t.headers}
            )  # fmt: skip
        self.upload_errors = errors
        if not tickets:
            self.upload_busy = False
            return [rx.toast.error(e) for e in errors[:3]]
        self.upload_busy = True
        return rx.call_script(
            _upload_js(input_id, tickets),
            callback=type(self).upload_confirm,  # type: ignore[arg-type]
        )

    @rx.event
    def upload_confirm(self, results: list[dict[str, Any]] | None = None):
        self.upload_busy = False
        return self._confirm_uploads(results or [])

    @signed_in
    def _confirm_uploads(self, me: SignedIn, results: list[dict[str, Any]]):
        views: list[media.MediaView] = []
        errors = list(self.upload_errors)
        for r in results:
            if not r.get("ok"):
                errors.append(str(r.get("error") or "The upload failed."))
                continue
            try:
                key, name = str(r.get("key", "")), str(r.get("name", ""))
                view, _ = media.confirm(me.user, me.wid, key, name)
            except ServiceError as exc:
                errors.append(exc.message)
                continue
            views.append(view)
        self.upload_errors = errors
        events: list[Any] = [rx.toast.error(e) for e in errors[:3]]
        if views:
            names = ", ".join(v.filename for v in views[:3]) + ("…" if len(views) > 3 else "")
            events.append(rx.toast.success(f"Uploaded {names}."))
            extra = self._on_uploaded(views)
            if extra is not None:
                events.extend(extra if isinstance(extra, list) else [extra])
        return events


def upload_zone(
    state: type[UploaderMixin], input_id: str, *, compact: bool = False
) -> rx.Component:
    """A drop zone (also click or keyboard to browse) with the upload's progress bar."""
    drop = _js_event(
        "(e) => { e.preventDefault(); e.stopPropagation();"
        " e.currentTarget.dataset.over = '';"
        f" const input = document.getElementById({json.dumps(input_id)});"
        " if (!input || !e.dataTransfer || !e.dataTransfer.files.length) return;"
        " input.files = e.dataTransfer.files;"
        " input.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    over = _js_event("(e) => { e.preventDefault(); e.currentTarget.dataset.over = 'yes'; }")
    leave = _js_event("(e) => { e.currentTarget.dataset.over = ''; }")
    browse = _js_event(f"(e) => {{ document.getElementById({json.dumps(input_id)})?.click(); }}")
    keys = _js_event(
        "(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault();"
        f" document.getElementById({json.dumps(input_id)})?.click(); }} }}"
    )
    return stack(
        rx.el.input(
            type="file",
            id=input_id,
            multiple=True,
            accept="image/*,video/*",
            on_change=state.upload_chosen(input_id),
            style={"display": "none"},
        ),
        rx.box(
            row(
                rx.icon("cloud-upload", size=20 if compact else 28, color=rx.color("accent", 10)),
                title_meta("Drop images or videos here", "or click to browse", size="2"),
                justify="center",
                spacing="3",
            ),
            id=f"{input_id}-zone",
            role="button",
            tab_index=0,
            aria_label="Upload media: drop files or press Enter to browse",
            custom_attrs={
                "onDrop": drop,
                "onDragOver": over,
                "onDragLeave": leave,
                "onClick": browse,
                "onKeyDown": keys,
            },
            padding="12px" if compact else "20px",
            border=f"2px dashed {rx.color('gray', 7)}",
            border_radius="var(--radius-3)",
            cursor="pointer",
            width="100%",
            background=rx.color("gray", 2),
            _hover={"border_color": rx.color("accent", 8)},
            _focus_visible={"outline": f"2px solid {rx.color('accent', 8)}"},
            style={
                "&[data-over='yes']": {
                    "border_color": rx.color("accent", 9),
                    "background": rx.color("accent", 3),
                }
            },
        ),  # fmt: skip
        rx.box(
            rx.box(
                rx.box(
                    id=f"{input_id}-bar",
                    height="100%",
                    width="0%",
                    background=rx.color("accent", 9),
                    border_radius="999px",
                    transition="width 120ms linear",
                ),
                id=f"{input_id}-progress",
                role="progressbar",
                aria_valuemin=0,
                aria_valuemax=100,
                height="6px",
                width="100%",
                background=rx.color("gray", 4),
                border_radius="999px",
                overflow="hidden",
            ),
            muted("", id=f"{input_id}-label"),
            display=rx.cond(state.upload_busy, "block", "none"),
            width="100%",
        ),
        rx.foreach(
            state.upload_errors,
            lambda e: rx.text(e, size="1", color_scheme="red", class_name="upload-error"),
        ),
        spacing="2",
    )
