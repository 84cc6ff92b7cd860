"""Composer: write once, pick accounts, tune per network, attach media, preview, schedule.

The text lives in the browser (a client-side React state, so per-platform counters update on
every keystroke) and reaches this state debounced, for previews and saving. Every action calls
the same app.services functions as the REST API; validation problems come back per
destination from posts.create_post/update_post before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
import zoneinfo
from typing import Any

import reflex as rx

from app.ai.prompts import TONES
from app.models import AccountStatus, PostStatus
from app.providers.registry import provider_class
from app.services import accounts, ai, composer, media, posts, slots
from app.services.errors import InvalidInput, ServiceError
from app.ui.components.counter import client_text
from app.ui.components.uploader import UploaderMixin
from app.ui.state.auth import AuthState

# The text area's content in the browser; counters read it on every keystroke.
TEXT = client_text("composer_text", "")
UPLOAD_ID = "composer-upload"

# Options per network (README "Networks"): (name, label, kind, choices, help).
# kind: text | textarea | select | bool | list (comma separated) | boards | privacy_levels
OPTION_FIELDS: dict[str, list[tuple[str, str, str, list[tuple[str, str]], str]]] = {
    "x": [
        ("reply_settings", "Who can reply", "select",
         [("", "Everyone"), ("following", "People you follow"),
          ("mentionedUsers", "Only people you mention"), ("subscribers", "Subscribers"),
          ("verified", "Verified accounts")], ""),
    ],
    "linkedin": [
        ("visibility", "Visibility", "select",
         [("", "Default (public)"), ("PUBLIC", "Anyone"), ("CONNECTIONS", "Connections only"),
          ("LOGGED_IN", "Signed-in members")], ""),
        ("first_comment", "First comment", "textarea", [], "Posted as a comment right after."),
        ("disable_reshare", "Disable resharing", "bool", [], ""),
    ],
    "facebook": [
        ("link", "Link", "text", [], "A link preview attached to the post."),
        ("first_comment", "First comment", "textarea", [], "Posted as a comment right after."),
    ],
    "instagram": [
        ("post_type", "Post type", "select",
         [("", "Automatic"), ("feed", "Feed post"), ("carousel", "Carousel"), ("reel", "Reel"),
          ("story", "Story")], "Instagram needs an image or a video."),
        ("first_comment", "First comment", "textarea", [], "Posted as a comment right after."),
        ("share_to_feed", "Share reel to feed", "bool", [], ""),
    ],
    "youtube": [
        ("title", "Video title", "text", [], "Required, up to 100 characters."),
        ("privacy", "Privacy", "select",
         [("", "Default (public)"), ("public", "Public"), ("unlisted", "Unlisted"),
          ("private", "Private")], ""),
        ("tags", "Tags", "list", [], "Comma separated."),
        ("made_for_kids", "Made for kids", "bool", [], ""),
    ],
    "tiktok": [
        ("privacy_level", "Who can view", "privacy_levels", [],
         "Required: one of the levels this creator allows."),
        ("title", "Title", "text", [], "Photo posts: a title up to 90 characters."),
        ("disable_comment", "Turn off comments", "bool", [], ""),
        ("disable_duet", "Turn off duets", "bool", [], ""),
        ("disable_stitch", "Turn off stitches", "bool", [], ""),
        ("is_aigc", "AI-generated content", "bool", [], ""),
    ],
    "threads": [
        ("reply_control", "Who can reply", "select",
         [("", "Everyone"), ("accounts_you_follow", "Accounts you follow"),
          ("mentioned_only", "Mentioned only")], ""),
        ("topic_tag", "Topic", "text", [], ""),
        ("link_attachment", "Link attachment", "text", [], ""),
    ],
    "bluesky": [
        ("langs", "Languages", "list", [], "Up to 3 codes, comma separated (e.g. en, fr)."),
    ],
    "mastodon": [
        ("visibility", "Visibility", "select",
         [("", "Default (public)"), ("public", "Public"), ("unlisted", "Unlisted"),
          ("private", "Followers only"), ("direct", "Mentioned people only")], ""),
        ("spoiler_text", "Content warning", "text", [], ""),
        ("sensitive", "Mark media as sensitive", "bool", [], ""),
        ("language", "Language", "text", [], "ISO 639 code, e.g. en."),
    ],
    "pinterest": [
        ("board_id", "Board", "boards", [], "Required: where the pin goes."),
        ("title", "Pin title", "text", [], ""),
        ("link", "Destination link", "text", [], ""),
        ("alt_text", "Alt text", "text", [], ""),
    ],
}  # fmt: skip

STATUS_HINTS = {
    "expired": "Expired: reconnect it on the Accounts page.",
    "revoked": "Revoked: reconnect it on the Accounts page.",
    "error": "Last publish failed with an account error.",
    "expiring": "Token expires soon.",
}

_TOKEN = re.compile(r"(https?://[^\s<>\"]+|(?<![\w@])#[\w]+|(?<![\w@])@[\w.@-]*\w)", re.UNICODE)


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


@dataclasses.dataclass
class OptionField:
    platform: str = ""
    name: str = ""
    label: str = ""
    kind: str = "text"
    value: str = ""
    checked: bool = False
    choices: list[Choice] = dataclasses.field(default_factory=list)
    help: str = ""


@dataclasses.dataclass
class AccountRow:
    id: str = ""
    platform: str = ""
    platform_name: str = ""
    name: str = ""
    username: str = ""
    avatar: str = ""
    status: str = ""
    disabled: bool = False
    hint: str = ""
    selected: bool = False


@dataclasses.dataclass
class TabAccount:
    id: str = ""
    name: str = ""
    avatar: str = ""
    customized: bool = False
    override: str = ""
    problems: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Tab:
    platform: str = ""
    platform_name: str = ""
    max_length: int = 0
    url_length: int = 23
    problem_count: int = 0
    message: str = ""
    accounts: list[TabAccount] = dataclasses.field(default_factory=list)
    fields: list[OptionField] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Segment:
    text: str = ""
    kind: str = "text"  # text | link | tag | mention


@dataclasses.dataclass
class MediaRef:
    id: str = ""
    url: str = ""
    kind: str = "image"
    filename: str = ""
    detail: str = ""


@dataclasses.dataclass
class Preview:
    account_id: str = ""
    platform: str = ""
    platform_name: str = ""
    name: str = ""
    handle: str = ""
    avatar: str = ""
    title: str = ""
    segments: list[Segment] = dataclasses.field(default_factory=list)
    media: list[MediaRef] = dataclasses.field(default_factory=list)
    empty: bool = True


def platform_name(platform: str) -> str:
    try:
        return provider_class(platform).display_name
    except KeyError:
        return platform


def segments(text: str) -> list[Segment]:
    """Text split into plain runs, links, hashtags and mentions (for previews)."""
    out: list[Segment] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos : m.start()], "text"))
        token = m.group(0)
        kind = "link" if token.startswith("http") else "tag" if token[0] == "#" else "mention"
        if kind == "link":
            stripped = token.rstrip(".,:;!?'\")]}")
            out.append(Segment(stripped, "link"))
            if len(stripped) < len(token):
                out.append(Segment(token[len(stripped) :], "text"))
        else:
            out.append(Segment(token, kind))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:], "text"))
    return out


def _handle(platform: str, username: str) -> str:
    if not username:
        return ""
    if platform in ("linkedin", "facebook", "youtube", "pinterest"):
        return username
    return username if username.startswith("@") else f"@{username}"


def media_ref(v: media.MediaView) -> MediaRef:
    dims = f"{v.width}×{v.height}" if v.width and v.height else ""
    dur = f"{v.duration:.1f} s" if v.duration else ""
    detail = " · ".join(x for x in (dims, dur, human_size(v.file_size)) if x)
    return MediaRef(str(v.id), v.url, v.kind, v.filename, detail)


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def options_to_config(options: dict[str, dict[str, str]], platforms: set[str]):
    """The form's string values → platform_configs (typed, empty values left out)."""
    configs: dict[str, dict[str, Any]] = {}
    for platform in sorted(platforms):
        values = options.get(platform, {})
        out: dict[str, Any] = {}
        for name, _label, kind, _choices, _help in OPTION_FIELDS.get(platform, []):
            raw = (values.get(name) or "").strip()
            if not raw:
                continue
            if kind == "bool":
                if raw == "yes":
                    out[name] = True
            elif kind == "list":
                items = [x.strip() for x in raw.split(",") if x.strip()]
                if items:
                    out[name] = items
            else:
                out[name] = raw
        if out:
            configs[platform] = out
    return configs


def config_to_options(configs: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for platform, values in (configs or {}).items():
        if not isinstance(values, dict):
            continue
        row: dict[str, str] = {}
        for name, value in values.items():
            if isinstance(value, bool):
                row[name] = "yes" if value else ""
            elif isinstance(value, list):
                row[name] = ", ".join(str(x) for x in value)
            elif value is not None:
                row[name] = str(value)
        out[platform] = row
    return out


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class ComposerState(UploaderMixin, AuthState):
    text: str = ""
    account_rows: list[AccountRow] = []
    selected: list[str] = []
    overrides: dict[str, str] = {}
    customized: list[str] = []
    options: dict[str, dict[str, str]] = {}
    # Per account: {"max": "...", "url": "...", "message": "...", "boards": [...], ...}
    dest_info: dict[str, dict[str, Any]] = {}
    media_items: list[MediaRef] = []
    date: str = ""
    time: str = ""
    problems: dict[str, list[str]] = {}
    form_error: str = ""
    time_error: str = ""
    post_id: str = ""
    post_status: str = ""
    loading: bool = True
    busy: str = ""
    active_tab: str = "all"
    # Library dialog
    library_open: bool = False
    library: list[MediaRef] = []
    library_kind: str = "all"
    library_loading: bool = False
    # AI dialog
    ai_open: bool = False
    ai_topic: str = ""
    ai_tone: str = "professional"
    ai_platform: str = ""
    ai_caption: str = ""
    ai_hashtags: str = ""
    ai_error: str = ""
    ai_busy: bool = False
    ai_note: str = ""

    def _ctx(self):
        return self._user(), self._workspace_uuid()

    # ----------------------------------------------------------------- loading

    @rx.event
    def load(self):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        self.loading = True
        self.text = ""
        self.selected, self.overrides, self.customized = [], {}, []
        self.options, self.media_items, self.problems = {}, [], {}
        self.form_error = self.time_error = ""
        self.post_id = self.post_status = ""
        self.busy = ""
        self.active_tab = "all"
        self.ai_open = self.library_open = False
        self.upload_errors = []
        self.account_rows = [
            AccountRow(
                id=str(a.id),
                platform=a.platform,
                platform_name=platform_name(a.platform),
                name=a.name or a.username,
                username=_handle(a.platform, a.username),
                avatar=a.avatar_url,
                status=a.status.value,
                disabled=a.status in (AccountStatus.expired, AccountStatus.revoked),
                hint=STATUS_HINTS.get(a.status.value, ""),
            )
            for a in accounts.list_accounts(user, wid)
        ]
        tz = _zone(self.user_timezone)
        query = self.router.url.query_parameters
        when: dt.datetime | None = None
        events: list[Any] = []
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
        if when is None:
            now = dt.datetime.now(tz) + dt.timedelta(hours=1)
            when = now.replace(minute=0, second=0, microsecond=0)
        local = when.astimezone(tz)
        self.date, self.time = local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
        self._rebuild_rows()
        for account_id in self.selected:
            self._load_dest(user, wid, account_id)
        self.loading = False
        events.append(TEXT.push(self.text))
        return events

    def _fill(self, user, wid, view: posts.PostView) -> None:
        self.post_id = str(view.id)
        self.post_status = view.status.value
        self.text = view.content
        self.selected = [str(d.account_id) for d in view.destinations]
        self.overrides = {
            str(d.account_id): d.content_override
            for d in view.destinations
            if d.content_override is not None
        }
        self.customized = list(self.overrides)
        self.options = config_to_options(view.platform_configs)
        refs: list[MediaRef] = []
        for mid in view.media_ids:
            try:
                refs.append(media_ref(media.get_media(user, wid, mid)))
            except ServiceError:
                continue
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

    def _load_dest(self, user, wid, account_id: str) -> None:
        try:
            o = composer.destination_options(user, wid, uuid.UUID(account_id))
        except (ValueError, ServiceError):
            return
        info = {
            "max": o.max_text_length,
            "url": o.url_length,
            "message": o.message,
            "boards": o.boards,
            "levels": o.privacy_levels,
        }
        self.dest_info = {**self.dest_info, account_id: info}
        # Sensible defaults for required choices the user has not made yet.
        opts = dict(self.options.get(o.platform, {}))
        if o.platform == "pinterest" and o.boards and not opts.get("board_id"):
            opts["board_id"] = o.boards[0]["id"]
        if o.platform == "tiktok" and o.privacy_levels and not opts.get("privacy_level"):
            opts["privacy_level"] = (
                "SELF_ONLY" if "SELF_ONLY" in o.privacy_levels else o.privacy_levels[0]
            )
        if opts != self.options.get(o.platform, {}):
            self.options = {**self.options, o.platform: opts}

    def _rebuild_rows(self) -> None:
        chosen = set(self.selected)
        self.account_rows = [
            dataclasses.replace(r, selected=r.id in chosen) for r in self.account_rows
        ]

    # ----------------------------------------------------------------- editing

    @rx.event
    def set_text(self, value: str):
        self.text = value

    @rx.event
    def toggle_account(self, account_id: str):
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
                user, wid = self._ctx()
                if user is not None and wid is not None:
                    self._load_dest(user, wid, account_id)
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
        row = {**self.options.get(platform, {}), name: str(value or "")}
        self.options = {**self.options, platform: row}

    @rx.event
    def toggle_custom(self, account_id: str, on: bool):
        if on:
            self.customized = [*[c for c in self.customized if c != account_id], account_id]
            if account_id not in self.overrides:
                self.overrides = {**self.overrides, account_id: self.text}
        else:
            self.customized = [c for c in self.customized if c != account_id]
            self.overrides = {k: v for k, v in self.overrides.items() if k != account_id}

    @rx.event
    def set_override(self, account_id: str, value: str):
        self.overrides = {**self.overrides, account_id: value}

    @rx.event
    def set_date(self, value: str):
        self.date = value
        self.time_error = ""

    @rx.event
    def set_time(self, value: str):
        self.time = value
        self.time_error = ""

    @rx.event
    def next_free_slot(self):
        """Fill date and time with the selected accounts' next common free posting slot."""
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        if not self.selected:
            return rx.toast.error("Select at least one account first.")
        try:
            when = slots.next_free_slot(user, wid, [uuid.UUID(a) for a in self.selected])
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        if when is None:
            return rx.toast.error(
                "No free slot: set posting times under Settings → Posting schedule."
            )
        local = when.astimezone(_zone(self.user_timezone))
        self.date, self.time = local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
        self.time_error = ""
        return rx.toast.success(f"Next free slot: {local:%a %d %b, %H:%M}.")

    @rx.event
    def remove_media(self, media_id: str):
        self.media_items = [m for m in self.media_items if m.id != media_id]

    @rx.event
    def move_media(self, media_id: str, step: int):
        items = list(self.media_items)
        i = next((k for k, m in enumerate(items) if m.id == media_id), -1)
        j = i + step
        if i < 0 or not 0 <= j < len(items):
            return
        items[i], items[j] = items[j], items[i]
        self.media_items = items

    def _on_uploaded(self, views: list[media.MediaView]):
        have = {m.id for m in self.media_items}
        self.media_items = [
            *self.media_items,
            *[media_ref(v) for v in views if str(v.id) not in have],
        ]
        return None

    # ----------------------------------------------------------------- library

    @rx.event
    def open_library(self):
        self.library_open = True
        return ComposerState.load_library

    @rx.event
    def set_library_open(self, value: bool):
        self.library_open = value

    @rx.event
    def set_library_kind(self, value: str | list[str]):
        self.library_kind = value if isinstance(value, str) else (value[0] if value else "all")
        return ComposerState.load_library

    @rx.event
    def load_library(self):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        self.library_loading = True
        try:
            page = media.list_media(
                user, wid, kind=None if self.library_kind == "all" else self.library_kind,
                limit=100,
            )  # fmt: skip
        except ServiceError as exc:
            self.library_loading = False
            return rx.toast.error(exc.message)
        self.library = [media_ref(v) for v in page.items]
        self.library_loading = False

    @rx.event
    def pick_media(self, media_id: str):
        if any(m.id == media_id for m in self.media_items):
            self.media_items = [m for m in self.media_items if m.id != media_id]
            return
        found = next((m for m in self.library if m.id == media_id), None)
        if found is not None:
            self.media_items = [*self.media_items, found]

    # ----------------------------------------------------------------- AI

    @rx.event
    def open_ai(self):
        self.ai_open = True
        self.ai_error = self.ai_note = ""
        if not self.ai_platform or self.ai_platform not in self.selected_platforms:
            platforms = self.selected_platforms
            self.ai_platform = platforms[0] if platforms else "x"

    @rx.event
    def set_ai_open(self, value: bool):
        self.ai_open = value

    @rx.event
    def set_ai_topic(self, value: str):
        self.ai_topic = value

    @rx.event
    def set_ai_tone(self, value: str):
        self.ai_tone = value

    @rx.event
    def set_ai_platform(self, value: str):
        self.ai_platform = value

    @rx.event
    def set_ai_caption(self, value: str):
        self.ai_caption = value

    @rx.event
    def set_ai_hashtags(self, value: str):
        self.ai_hashtags = value

    @rx.event(background=True)
    async def generate(self):
        async with self:
            user, wid = self._ctx()
            if user is None or wid is None:
                return
            if self.ai_busy:
                return
            self.ai_busy = True
            self.ai_error = self.ai_note = ""
            topic, tone, platform = self.ai_topic, self.ai_tone, self.ai_platform or "x"
        try:
            result = await rx.run_in_thread(
                lambda: ai.generate_caption(user, wid, topic, tone, platform)
            )
        except ServiceError as exc:
            async with self:
                self.ai_busy = False
                self.ai_error = exc.message
            return
        async with self:
            self.ai_busy = False
            self.ai_caption = result.caption
            self.ai_hashtags = " ".join(
                t if t.startswith("#") else f"#{t}" for t in result.hashtags
            )
            self.ai_note = (
                f"{result.length}/{result.limit} characters for {platform_name(platform)}"
                + (f" · {result.adjusted}" if result.adjusted else "")
            )

    @rx.event
    def insert_ai(self):
        caption = self.ai_caption.strip()
        tags = self.ai_hashtags.strip()
        if not caption and not tags:
            self.ai_error = "Generate or write a caption first."
            return
        addition = "\n\n".join(x for x in (caption, tags) if x)
        self.text = addition if not self.text.strip() else f"{self.text.rstrip()}\n\n{addition}"
        self.ai_open = False
        return [TEXT.push(self.text), rx.toast.success("Caption inserted: edit it as you like.")]

    # ----------------------------------------------------------------- saving

    def _input(self, text: str) -> posts.PostInput:
        scheduled: dt.datetime | None = None
        if self.date and self.time:
            scheduled = dt.datetime.fromisoformat(f"{self.date}T{self.time}")
        chosen = set(self.selected)
        return posts.PostInput(
            content=text,
            account_ids=[uuid.UUID(a) for a in self.selected],
            scheduled_at=scheduled,
            timezone=self.user_timezone or "UTC",
            platform_configs=options_to_config(self.options, set(self.selected_platforms)),
            overrides={
                uuid.UUID(a): self.overrides.get(a, "")
                for a in self.customized
                if a in chosen and a in self.overrides
            },
            media_ids=[uuid.UUID(m.id) for m in self.media_items],
        )

    @rx.event
    def submit(self, mode: str, text: str | None = None):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        if self.busy:
            return
        if text is not None:
            self.text = text
        self.problems, self.form_error, self.time_error = {}, "", ""
        if mode != "draft" and not self.selected:
            self.form_error = "Choose at least one account to publish to."
            return rx.toast.error(self.form_error)
        try:
            data = self._input(self.text)
        except ValueError:
            self.time_error = "Pick a valid date and time."
            return rx.toast.error(self.time_error)
        if mode == "now":
            data.scheduled_at = None
        self.busy = mode
        try:
            if self.post_id:
                view = posts.update_post(user, wid, uuid.UUID(self.post_id), data, mode=mode)
            else:
                view, _ = posts.create_post(user, wid, data, mode=mode)
        except InvalidInput as exc:
            self.busy = ""
            details = exc.details if isinstance(exc.details, dict) else {}
            if exc.code == "validation_failed" and details.get("destinations"):
                self.problems = {str(k): list(v) for k, v in details["destinations"].items()}
                first = next(iter(self.problems))
                platform = next((r.platform for r in self.account_rows if r.id == first), "")
                if platform:
                    self.active_tab = platform
                self.form_error = "Fix the problems marked on each network before publishing."
            elif details.get("field") == "scheduled_at" or exc.code in (
                "missing_time", "time_in_past", "nonexistent_time", "invalid_timezone",
            ):  # fmt: skip
                self.time_error = exc.message
            else:
                self.form_error = exc.message
            return rx.toast.error(exc.message)
        except ServiceError as exc:
            self.busy = ""
            self.form_error = exc.message
            return rx.toast.error(exc.message)
        self.busy = ""
        self.post_id, self.post_status = str(view.id), view.status.value
        tz = _zone(self.user_timezone)
        if mode == "draft":
            message, target = "Draft saved.", "/"
        elif mode == "now":
            message, target = "Publishing now: watch it on the dashboard.", "/"
        else:
            local = view.scheduled_at.astimezone(tz) if view.scheduled_at else None
            when = f"{local:%a %-d %b, %H:%M} {local.tzname()}" if local else ""
            message = f"Scheduled for {when}."
            target = f"/calendar?date={local:%Y-%m-%d}" if local else "/calendar"
        return [rx.toast.success(message), rx.redirect(target)]

    @rx.event
    def refresh_status(self, _value: str = ""):
        """Live status of the post being edited (cheap: one read every few seconds)."""
        if not self.post_id or self.busy:
            return
        user, wid = self._ctx()
        if user is None or wid is None:
            return
        try:
            view = posts.get_post(user, wid, uuid.UUID(self.post_id))
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
        for platform in self.selected_platforms:
            ids = [a for a in self.selected if rows.get(a) and rows[a].platform == platform]
            limits = provider_class(platform).default_limits
            max_len, url_len, message = limits.max_text_length, 23, ""
            for a in ids:
                info = self.dest_info.get(a) or {}
                max_len = min(max_len, int(info.get("max") or max_len))
                url_len = int(info.get("url") or url_len)
                message = message or str(info.get("message") or "")
            values = self.options.get(platform, {})
            fields: list[OptionField] = []
            for name, label, kind, choices, help_text in OPTION_FIELDS.get(platform, []):
                opts = [Choice(v or "_", lbl) for v, lbl in choices]
                if kind == "boards":
                    boards = [
                        b for a in ids for b in (self.dest_info.get(a) or {}).get("boards", [])
                    ]
                    opts = [Choice(b["id"], b["name"]) for b in boards]
                    kind = "select"
                elif kind == "privacy_levels":
                    levels: list[str] = []
                    for a in ids:
                        levels += (self.dest_info.get(a) or {}).get("levels", [])
                    opts = [
                        Choice(lv, lv.replace("_", " ").capitalize())
                        for lv in dict.fromkeys(levels)
                    ]
                    kind = "select"
                value = values.get(name, "")
                fields.append(
                    OptionField(platform, name, label, kind, value if value else "_"
                                if kind == "select" else value, value == "yes", opts, help_text)
                )  # fmt: skip
            tab_accounts = [
                TabAccount(
                    id=a,
                    name=rows[a].name,
                    avatar=rows[a].avatar,
                    customized=a in self.customized,
                    override=self.overrides.get(a, ""),
                    problems=self.problems.get(a, []),
                )
                for a in ids
            ]
            out.append(
                Tab(
                    platform=platform,
                    platform_name=platform_name(platform),
                    max_length=max_len,
                    url_length=url_len,
                    problem_count=sum(len(t.problems) for t in tab_accounts),
                    message=message,
                    accounts=tab_accounts,
                    fields=fields,
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
            opts = self.options.get(row.platform, {})
            title = opts.get("title", "") if row.platform in ("youtube", "pinterest") else ""
            out.append(
                Preview(
                    account_id=a,
                    platform=row.platform,
                    platform_name=row.platform_name,
                    name=row.name,
                    handle=row.username,
                    avatar=row.avatar,
                    title=title,
                    segments=segments(text),
                    media=list(self.media_items[:4]),
                    empty=not text.strip() and not self.media_items,
                )
            )
        return out

    @rx.var
    def has_problems(self) -> bool:
        return bool(self.problems)

    @rx.var
    def media_ids(self) -> list[str]:
        return [m.id for m in self.media_items]

    @rx.var
    def can_edit(self) -> bool:
        return self.current_role in ("editor", "admin") and self.post_status not in (
            PostStatus.published.value,
            PostStatus.publishing.value,
        )

    @rx.var
    def tone_options(self) -> list[str]:
        return list(TONES)

    @rx.var
    def ai_platform_options(self) -> list[Choice]:
        platforms = self.selected_platforms or [
            "x", "linkedin", "facebook", "instagram", "threads", "bluesky", "mastodon",
            "tiktok", "youtube", "pinterest",
        ]  # fmt: skip
        return [Choice(p, platform_name(p)) for p in platforms]

    @rx.var
    def timezone_label(self) -> str:
        tz = _zone(self.user_timezone)
        try:
            when = dt.datetime.fromisoformat(f"{self.date}T{self.time or '00:00'}")
            abbr = when.replace(tzinfo=tz).tzname() or ""
        except ValueError:
            abbr = ""
        return f"{self.user_timezone}" + (f" ({abbr})" if abbr else "")

    @rx.var
    def page_heading(self) -> str:
        return "Edit post" if self.post_id else "New post"
