"""Composer: write once, pick accounts, tune per network, attach media, preview, schedule.

The text lives in the browser (a client-side React state, so per-platform counters update on
every keystroke) and reaches this state debounced, for previews and saving. Every action calls
the same app.services functions as the REST API; validation problems come back per
destination from posts.create_post/update_post before anything is written.

`ComposerState` is the post being edited (text, accounts, per-network options, media, the
problems found); its substates hold the rest: media library (composer_media), AI captions
(composer_ai), date, time and saving (composer_schedule). They read and write the post through
the inherited vars, so no handler needs another substate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import reflex as rx

from app.models import AccountStatus, PostStatus, User
from app.providers.registry import provider_class
from app.services import accounts, composer, media, posts
from app.services.errors import ServiceError
from app.services.post_threads import THREAD_PLATFORMS
from app.ui.components.counter import client_text
from app.ui.format import platform_name, zone
from app.ui.state import composer_checks
from app.ui.state.auth import AuthState
from app.ui.state.composer_model import (
    STATUS_HINTS,
    UNSET,
    AccountRow,
    MediaRef,
    Preview,
    Tab,
    TabAccount,
    config_to_options,
    handle,
    live_defaults,
    media_ref,
    option_fields,
    options_to_config,
    preview_title,
    segments,
)
from app.ui.state.handlers import SignedIn, signed_in, toggled

# The text area's content in the browser; counters read it on every keystroke.
TEXT = client_text("composer_text", "")


def _refs(user: User, wid: uuid.UUID, ids: list[uuid.UUID]) -> list[MediaRef]:
    """Library media as the composer shows them (one deleted meanwhile is left out)."""
    refs: list[MediaRef] = []
    for mid in ids:
        try:
            refs.append(media_ref(media.get_media(user, wid, mid)))
        except ServiceError:
            continue
    return refs


class ComposerState(AuthState):
    text: str = ""
    account_rows: list[AccountRow] = []
    selected: list[str] = []
    overrides: dict[str, str] = {}
    customized: list[str] = []
    options: dict[str, dict[str, str]] = {}
    # Per account: {"max": n, "url": n, "message": "...", "choices": {option: [[value, label]]}}
    dest_info: dict[str, dict[str, Any]] = {}
    media_items: list[MediaRef] = []
    # What the last save refused, per account; live checks replace it on the next edit.
    problems: dict[str, list[str]] = {}
    form_error: str = ""
    post_id: str = ""
    post_status: str = ""
    # The version of the post loaded (sent back with an edit: app.services.post_versions), and
    # the newer one a save ran into (the composer then offers to keep or drop this edit).
    post_version: int = 0
    stale_version: int = 0
    loading: bool = True
    busy: str = ""
    active_tab: str = "all"
    # The thread's further parts (ComposerThreadState edits them; saved with the post).
    thread_parts: list[str] = []
    # Each further part's media, beside thread_parts (same length).
    thread_media: list[list[MediaRef]] = []
    # Which part the media library picks for: -1 the post itself, k thread_parts[k].
    media_part: int = -1
    # When the post is (or would be) scheduled, for ComposerScheduleState.load_when.
    _start: dt.datetime | None = None

    # ----------------------------------------------------------------- loading

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        user, wid = me.user, me.wid
        self.loading = True
        self.text = ""
        self.selected, self.overrides, self.customized = [], {}, []
        self.options, self.media_items, self.problems = {}, [], {}
        self.thread_parts, self.thread_media, self.media_part = [], [], -1
        self.form_error = ""
        self.post_id = self.post_status = ""
        self.post_version = self.stale_version = 0
        self.busy = ""
        self.active_tab = "all"
        self.account_rows = [
            AccountRow(
                id=str(a.id),
                platform=a.platform,
                platform_name=platform_name(a.platform),
                name=a.name or a.username,
                username=handle(a.platform, a.username),
                avatar=a.avatar_url,
                status=a.status.value,
                disabled=a.status in (AccountStatus.expired, AccountStatus.revoked),
                hint=STATUS_HINTS.get(a.status.value, ""),
            )
            for a in accounts.list_accounts(user, wid)
        ]
        tz = zone(self.user_timezone)
        query = self.router.url.query_parameters
        when: dt.datetime | None = None
        if query.get("post"):
            try:
                view = posts.get_post(user, wid, uuid.UUID(query["post"]))
            except (ValueError, ServiceError):
                self.form_error = "That post does not exist (any more) in this workspace."
                view = None
            if view is not None:
                self._fill(user, wid, view)
                when = view.scheduled_at
        elif query.get("at"):
            try:
                when = dt.datetime.fromisoformat(query["at"].replace(" ", "+"))
                if when.tzinfo is None:
                    when = when.replace(tzinfo=tz)
            except ValueError:
                when = None
        self._start = when
        self._rebuild_rows()
        for account_id in self.selected:
            self._load_dest(user, wid, account_id)
        self.loading = False
        return TEXT.push(self.text)

    def _fill(self, user: User, wid: uuid.UUID, view: posts.PostView) -> None:
        self.post_id = str(view.id)
        self.post_status = view.status.value
        self.post_version = view.version
        self.text = view.content
        self.selected = [str(d.account_id) for d in view.destinations]
        self.overrides = {
            str(d.account_id): d.content_override
            for d in view.destinations
            if d.content_override is not None
        }
        self.customized = list(self.overrides)
        self.options = config_to_options(view.platform_configs)
        self.thread_parts = [p.text for p in view.thread]
        self.thread_media = [_refs(user, wid, p.media_ids) for p in view.thread]
        for part, refs_ in zip(view.thread, self.thread_media, strict=True):
            for ref in refs_:
                ref.alt = part.media_alt.get(uuid.UUID(ref.id), "")
        refs = _refs(user, wid, view.media_ids)
        for ref in refs:
            ref.alt = view.media_alt.get(uuid.UUID(ref.id), "")
        self.media_items = refs
        known = {r.id for r in self.account_rows}
        for d in view.destinations:  # an account since disconnected still shows
            if str(d.account_id) not in known:
                self.account_rows.append(
                    AccountRow(
                        id=str(d.account_id), platform=d.platform,
                        platform_name=platform_name(d.platform), name=d.account_name,
                        status="revoked", disabled=True, hint=STATUS_HINTS["revoked"],
                    )
                )  # fmt: skip

    def _load_dest(self, user: User, wid: uuid.UUID, account_id: str) -> None:
        try:
            o = composer.destination_options(user, wid, uuid.UUID(account_id))
        except (ValueError, ServiceError):
            return
        choices = {name: [[v, label] for v, label in found] for name, found in o.choices.items()}
        info = {
            "max": o.max_text_length,
            "url": o.url_length,
            "message": o.message,
            "choices": choices,
        }
        self.dest_info = {**self.dest_info, account_id: info}
        # Sensible defaults for required choices the user has not made yet.
        opts = live_defaults(o.platform, self.options.get(o.platform, {}), choices)
        if opts != self.options.get(o.platform, {}):
            self.options = {**self.options, o.platform: opts}

    def _rebuild_rows(self) -> None:
        chosen = set(self.selected)
        self.account_rows = [
            dataclasses.replace(r, selected=r.id in chosen) for r in self.account_rows
        ]

    # ----------------------------------------------------------------- editing

    def _edited(self) -> None:
        """The post changed: what the last save refused gives way to the live checks."""
        if self.problems:
            self.problems = {}
            self.form_error = ""

    @rx.event
    def set_text(self, value: str):
        if value != self.text:  # a debounced echo of what Schedule already sent is no edit
            self.text = value
            self._edited()

    @rx.event
    @signed_in
    def toggle_account(self, me: SignedIn, account_id: str):
        row = next((r for r in self.account_rows if r.id == account_id), None)
        if row is None:
            return
        if account_id in self.selected:
            self.selected = [a for a in self.selected if a != account_id]
        elif row.disabled:
            return rx.toast.warning(f"{row.name}: {row.hint}")
        else:
            self.selected = [*self.selected, account_id]
            if account_id not in self.dest_info:
                self._load_dest(me.user, me.wid, account_id)
        self.problems = {k: v for k, v in self.problems.items() if k in self.selected}
        self._rebuild_rows()
        if self.active_tab != "all" and self.active_tab not in self.selected_platforms:
            self.active_tab = "all"

    @rx.event
    def set_tab(self, value: str):
        self.active_tab = value

    @rx.event
    def set_option(self, platform: str, name: str, value: Any):
        if isinstance(value, bool):
            value = "yes" if value else ""
        value = "" if value == UNSET else str(value or "")
        if value == self.options.get(platform, {}).get(name, ""):
            return
        self.options = {**self.options, platform: {**self.options.get(platform, {}), name: value}}
        self._edited()

    @rx.event
    def toggle_custom(self, account_id: str, on: bool):
        self.customized = toggled(self.customized, account_id, on)
        if on:
            if account_id not in self.overrides:
                self.overrides = {**self.overrides, account_id: self.text}
        else:
            self.overrides = {k: v for k, v in self.overrides.items() if k != account_id}

    @rx.event
    def set_override(self, account_id: str, value: str):
        if value != self.overrides.get(account_id):
            self.overrides = {**self.overrides, account_id: value}
            self._edited()

    @rx.event
    @signed_in(quiet=True)
    def refresh_status(self, me: SignedIn, _value: str = ""):
        """Live status of the post being edited (cheap: one read every few seconds)."""
        if not self.post_id or self.busy:
            return
        try:
            view = posts.get_post(me.user, me.wid, uuid.UUID(self.post_id))
        except (ValueError, ServiceError):
            return
        if view.status.value != self.post_status:
            self.post_status = view.status.value

    # ----------------------------------------------------------------- computed

    @rx.var
    def selected_platforms(self) -> list[str]:
        seen: list[str] = []
        by_id = {r.id: r.platform for r in self.account_rows}
        for a in self.selected:
            p = by_id.get(a)
            if p and p not in seen:
                seen.append(p)
        return seen

    @rx.var
    def tabs(self) -> list[Tab]:
        rows = {r.id: r for r in self.account_rows}
        out: list[Tab] = []
        items = composer_checks.media_items(self.media_items)
        configs = options_to_config(self.options, set(self.selected_platforms))
        # The thread goes to the thread networks only, as Schedule stores it (post_threads).
        part_items = [composer_checks.media_items(m) for m in self._part_media()]
        for platform in self.selected_platforms:
            options = configs.get(platform, {})
            thread = platform in THREAD_PLATFORMS and bool(self.thread_parts)
            if thread:
                options = {**options, "thread": list(self.thread_parts)}
            ids = [a for a in self.selected if rows.get(a) and rows[a].platform == platform]
            limits = provider_class(platform).default_limits
            max_len, url_len, message = limits.max_text_length, limits.url_length, ""
            live: dict[str, list[list[str]]] = {}
            for a in ids:
                info = self.dest_info.get(a) or {}
                max_len = min(max_len, int(info.get("max") or max_len))
                url_len = int(info.get("url") or url_len)
                message = message or str(info.get("message") or "")
                for name, found in (info.get("choices") or {}).items():
                    merged = live.setdefault(name, [])
                    merged += [c for c in found if c not in merged]
            tab_accounts: list[TabAccount] = []
            notes: list[str] = []
            for a in ids:
                custom = a in self.customized and a in self.overrides
                found = composer_checks.live_check(
                    platform,
                    self.overrides[a] if custom else self.text,
                    items,
                    options,
                    int((self.dest_info.get(a) or {}).get("max") or 0) or None,
                    rows[a].status,
                    part_items if thread else None,
                )
                notes += [n for n in found.notes if n not in notes]
                problems = list(dict.fromkeys([*found.problems, *self.problems.get(a, [])]))
                tab_accounts.append(
                    TabAccount(
                        id=a,
                        name=rows[a].name,
                        avatar=rows[a].avatar,
                        customized=a in self.customized,
                        override=self.overrides.get(a, ""),
                        problems=problems,
                    )
                )
            out.append(
                Tab(
                    platform=platform,
                    platform_name=platform_name(platform),
                    max_length=max_len,
                    url_length=url_len,
                    problem_count=sum(len(t.problems) for t in tab_accounts),
                    message=message,
                    needs=composer_checks.needs(platform),
                    blank=not self.text.strip()
                    and not self.media_items
                    and not any(self.overrides.get(a, "").strip() for a in ids)
                    and not (thread and any(p.strip() for p in self.thread_parts)),
                    notes=notes,
                    accounts=tab_accounts,
                    fields=option_fields(platform, self.options.get(platform, {}), live),
                )
            )
        return out

    @rx.var
    def previews(self) -> list[Preview]:
        rows = {r.id: r for r in self.account_rows}
        out: list[Preview] = []
        for a in self.selected:
            row = rows.get(a)
            if row is None:
                continue
            text = self.overrides.get(a, self.text) if a in self.customized else self.text
            preview = Preview(
                account_id=a,
                platform=row.platform,
                platform_name=row.platform_name,
                name=row.name,
                handle=row.username,
                avatar=row.avatar,
                title=preview_title(row.platform, self.options.get(row.platform, {})),
                segments=segments(text),
                media=list(self.media_items[:4]),
                empty=not text.strip() and not self.media_items,
            )
            out.append(composer_checks.video_preview(preview, self.media_items))
        return out

    def _part_media(self) -> list[list[MediaRef]]:
        """thread_media, as long as thread_parts whatever happened."""
        media = list(self.thread_media[: len(self.thread_parts)])
        return media + [[] for _ in range(len(self.thread_parts) - len(media))]

    @rx.var
    def has_problems(self) -> bool:
        return any(t.problem_count for t in self.tabs)

    @rx.var
    def media_ids(self) -> list[str]:
        """The ids attached where the media library picks for (the post, or a thread part)."""
        if 0 <= self.media_part < len(self.thread_media):
            return [m.id for m in self.thread_media[self.media_part]]
        return [m.id for m in self.media_items]

    @rx.var
    def can_edit(self) -> bool:
        return self.current_role in ("editor", "admin") and self.post_status not in (
            PostStatus.published.value,
            PostStatus.publishing.value,
        )

    @rx.var
    def page_heading(self) -> str:
        return "Edit post" if self.post_id else "New post"
