"""The calendar's pure pieces: FullCalendar events (colours, titles, avatar chips), the
dates FullCalendar sends, and the texts of the post dialog's confirmations."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from app.models import DestinationStatus, PostStatus
from app.providers.registry import all_providers
from app.services import posts
from app.services.post_status import WAITING
from app.ui.components.network_logo import logo_url
from app.ui.format import platform_name, zone

# Each network's colour, from its provider (close to its brand where that stays readable).
PLATFORM_COLORS = {p.id: p.look.color for p in all_providers()}
STATUS_COLORS = {
    "draft": "#71717a",
    "scheduled": "#2563eb",
    "publishing": "#d97706",
    "published": "#16a34a",
    "partially_published": "#ca8a04",
    "failed": "#dc2626",
    "cancelled": "#a1a1aa",
    "awaiting_approval": "#9333ea",
    "rejected": "#be123c",
}
STATUS_LABELS = {
    "draft": "Draft",
    "scheduled": "Scheduled",
    "publishing": "Publishing",
    "published": "Published",
    "partially_published": "Partly published",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "awaiting_approval": "Awaiting approval",
    "rejected": "Rejected",
}
# Posts of one range are read in pages of the service's maximum page size.
PAGE = 500
MAX_EVENTS = 5000
TITLE_WORDS = 6
TITLE_CHARS = 48
# Live refresh: posts due within HOT_AHEAD seconds (or overdue by less than STALE_DUE, or
# publishing) are watched on every tick; otherwise the page re-reads every QUIET_REFRESH.
HOT_AHEAD = 120
STALE_DUE = 15 * 60
QUIET_REFRESH = 20
NEW_POST_HOUR = 9  # a whole day clicked in the month view: suggest 09:00 that day
# The calendar's views, the first one its default (app/ui/components/fullcalendar.py).
VIEWS = ("dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek")
# The month view gets no more posts a day than its cells show (the browser says how many
# rows fit; MONTH_ROWS until it has): the rest of a busy day is one "+N more" that opens the
# day. FullCalendar draws (and measures) every event it is given, shown or not.
MONTH_ROWS = 2
MORE_PREFIX = "more:"


def title_of(content: str) -> str:
    words = content.split()
    if not words:
        return "(no text)"
    title = " ".join(words[:TITLE_WORDS])
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    elif len(words) > TITLE_WORDS:
        title += "…"
    return title


def parse_when(value: str, timezone: str) -> dt.datetime:
    """A FullCalendar date string: with an offset, naive (wall time in `timezone`), or a date."""
    value = value.strip()
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, NEW_POST_HOUR, tzinfo=zone(timezone))
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone(timezone))
    return when


def first_range(view: str, date: str, timezone: str) -> tuple[str, str, str]:
    """The (view, start, end) the calendar opens on for `?view=` and `?date=` (today in
    `timezone` without one), computed as FullCalendar does with its defaults (weeks start on
    Sunday, a month shows six whole weeks): the page reads those posts with its first load
    instead of waiting for the calendar's first `datesSet`."""
    view = view if view in VIEWS else VIEWS[0]
    try:
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        day = dt.datetime.now(zone(timezone)).date()
    if view == "dayGridMonth":
        first = day.replace(day=1)
        start, days = first - dt.timedelta(days=(first.weekday() + 1) % 7), 42
    elif view == "timeGridDay":
        start, days = day, 1
    else:  # a week
        start, days = day - dt.timedelta(days=(day.weekday() + 1) % 7), 7
    tz = zone(timezone)
    begin = dt.datetime.combine(start, dt.time(), tz)
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(), tz)
    return view, begin.isoformat(), end.isoformat()


def shown_status(post: posts.PostView) -> str:
    """The status the calendar shows: an unscheduled post waiting for approval (or sent back)
    says so, in its own colour."""
    if post.status == PostStatus.draft and post.approval.value in ("pending", "rejected"):
        return "awaiting_approval" if post.approval.value == "pending" else "rejected"
    return post.status.value


def _avatar_html(dest: posts.DestinationView, avatar: str) -> str:
    name = html.escape(f"{platform_name(dest.platform)} · {dest.account_name}", quote=True)
    color = PLATFORM_COLORS.get(dest.platform, "#64748b")
    glyph = _glyph_html(dest.platform)
    if avatar.startswith(("https://", "http://", "/")):
        src = html.escape(avatar, quote=True)
        return (
            f'<span class="herald-ev-avwrap"><img class="herald-ev-avatar" src="{src}" alt="" '
            f'title="{name}" loading="lazy" style="border-color:{color}">'
            f'<span class="herald-ev-badge" style="background:{color}">{glyph}</span></span>'
        )
    return f'<span class="herald-ev-chip" title="{name}" style="background:{color}">{glyph}</span>'


def _glyph_html(platform: str) -> str:
    """The network's logo (assets/networks, white through a CSS mask; see network_logo)."""
    url = html.escape(logo_url(platform), quote=True)
    return (
        f'<span class="herald-ev-glyph" data-platform="{html.escape(platform, quote=True)}" '
        f'style="mask-image:url({url});-webkit-mask-image:url({url})"></span>'
    )


def _color(status: str, platforms: list[str], color_by: str) -> tuple[str, str]:
    """(background, border): by platform the border still tells the status."""
    if color_by == "status" or not platforms:
        color = STATUS_COLORS.get(status, "#64748b")
        return color, color
    return PLATFORM_COLORS.get(platforms[0], "#64748b"), STATUS_COLORS.get(status, "#64748b")


def recolor(event: dict[str, Any], color_by: str) -> dict[str, Any]:
    props = event.get("extendedProps", {})
    if props.get("day"):  # a day's "+N more" (month_cut) keeps its look
        return event
    platforms = [p for p in str(props.get("platforms", "")).split(",") if p]
    background, border = _color(str(props.get("status", "")), platforms, color_by)
    return {**event, "backgroundColor": background, "borderColor": border}


def chips_html(post: posts.PostView, avatars: dict[str, str]) -> str:
    """The avatars (or network chips) of a post's first three accounts, and "+N" for more."""
    chips = "".join(
        _avatar_html(d, avatars.get(str(d.account_id), "")) for d in post.destinations[:3]
    )
    more = len(post.destinations) - 3
    if more > 0:
        chips += f'<span class="herald-ev-more">+{more}</span>'
    return f'<span class="herald-ev-avatars">{chips}</span>'


def chip_index(chips: list[str], markup: str) -> int:
    """The index of `markup` in `chips`, appended when new. Events name their avatars by this
    index: most posts share a few accounts, so each distinct markup travels once. The list
    only grows, so an index never changes meaning while the page is open."""
    try:
        return chips.index(markup)
    except ValueError:
        chips.append(markup)
        return len(chips) - 1


def event_of(
    post: posts.PostView,
    avatars: dict[str, str],
    color_by: str,
    can_edit: bool,
    chips: list[str],
    comments: int = 0,
) -> dict[str, Any]:
    """A FullCalendar event: its fields only. The browser renders its content (time, avatars
    `chips[extendedProps.chips]`, status for screen readers, title, comment count) from
    them: app/ui/components/fullcalendar.py."""
    status = shown_status(post)
    platforms = list(dict.fromkeys(d.platform for d in post.destinations))
    background, border = _color(status, platforms, color_by)
    return {
        "id": str(post.id),
        "title": title_of(post.content),
        "start": post.scheduled_at.astimezone(dt.UTC).isoformat() if post.scheduled_at else "",
        "editable": can_edit and post.status == PostStatus.scheduled,
        "backgroundColor": background,
        "borderColor": border,
        "classNames": [f"herald-status-{status}"],
        "extendedProps": {
            "status": status,
            "platforms": ",".join(platforms),
            "chips": chip_index(chips, chips_html(post, avatars)),
            "comments": comments,
        },
    }


def month_cut(
    found: list[posts.PostView], rows: int, timezone: str
) -> tuple[list[posts.PostView], list[dict[str, Any]]]:
    """The posts a month view shows (at most `rows` a day, earliest first) and a "+N more"
    event for each day that has more: it takes the last row and sorts after the day's shown
    posts."""
    rows = max(1, rows)
    tz = zone(timezone)
    days: dict[dt.date, list[posts.PostView]] = {}
    shown: list[posts.PostView] = []
    for post in found:
        if post.scheduled_at is None:
            shown.append(post)
        else:
            days.setdefault(post.scheduled_at.astimezone(tz).date(), []).append(post)
    more: list[dict[str, Any]] = []
    for day, day_posts in days.items():
        day_posts.sort(key=lambda p: (p.scheduled_at, str(p.id)))
        if len(day_posts) <= rows:
            shown += day_posts
            continue
        shown += day_posts[: rows - 1]
        hidden = day_posts[rows - 1 :]
        first_hidden = hidden[0].scheduled_at
        assert first_hidden is not None
        more.append(
            {
                "id": MORE_PREFIX + day.isoformat(),
                "title": f"+{len(hidden)} more",
                "start": (first_hidden + dt.timedelta(seconds=1)).astimezone(dt.UTC).isoformat(),
                "editable": False,
                "classNames": ["herald-more"],
                "extendedProps": {"day": day.isoformat()},
            }
        )
    return shown, more


# The comment count's icon on an event (app/ui/components/fullcalendar.py draws it).
COMMENT_ICON = (
    '<svg width="10" height="10" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2.5" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 '
    '2-2h14a2 2 0 0 1 2 2z"/></svg>'
)


def stop_message(view: posts.PostView) -> str:
    """What stopping a post did, network by network: what stays online, what may already be
    there, what is still being sent, and that the rest will not go out."""

    def names(wanted) -> str:
        return ", ".join(
            f"{platform_name(d.platform)} · {d.account_name}"
            + (f" ({d.permalink})" if d.permalink else "")
            for d in view.destinations
            if wanted(d)
        )

    parts = []
    live = names(lambda d: d.status == DestinationStatus.published)
    sending = names(lambda d: d.status == DestinationStatus.publishing)
    unsure = names(lambda d: d.status == DestinationStatus.unknown)
    if live:
        parts.append(f"Already published on {live}: it stays there.")
    if sending:
        parts.append(f"Being sent to {sending} right now: Herald stops after this attempt.")
    if unsure:
        parts.append(f"May already be on {unsure}: Herald is checking and will not send it again.")
    stopped = names(lambda d: d.status == DestinationStatus.cancelled)
    if not parts:
        return f"Post cancelled: nothing was published ({stopped})."
    if stopped:
        parts.append(f"Not published on {stopped}.")
    return " ".join(parts)


def delete_text(view: posts.PostView) -> str:
    """What deleting the post does, for its confirmation."""
    waiting = sum(1 for d in view.destinations if d.status in WAITING)
    published = sum(1 for d in view.destinations if d.status == DestinationStatus.published)
    parts = []
    if waiting:
        parts.append(
            f"It will not go out to the {waiting} account{'s' * (waiting != 1)} still waiting "
            "for it."
        )
    if published:
        copies = (
            "The copy already published stays"
            if published == 1
            else (f"The {published} copies already published stay")
        )
        them = "it" if published == 1 else "them"
        parts.append(f"{copies} on the networks: delete {them} there if needed.")
    parts.append("Its history in Herald (attempts, analytics) goes too. This cannot be undone.")
    return " ".join(parts)
