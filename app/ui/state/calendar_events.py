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
    platforms = [p for p in str(props.get("platforms", "")).split(",") if p]
    background, border = _color(str(props.get("status", "")), platforms, color_by)
    return {**event, "backgroundColor": background, "borderColor": border}


def event_of(
    post: posts.PostView,
    avatars: dict[str, str],
    color_by: str,
    can_edit: bool,
    comments: int = 0,
) -> dict[str, Any]:
    status = shown_status(post)
    platforms = list(dict.fromkeys(d.platform for d in post.destinations))
    background, border = _color(status, platforms, color_by)
    title = title_of(post.content)
    chips = "".join(
        _avatar_html(d, avatars.get(str(d.account_id), "")) for d in post.destinations[:3]
    )
    more = len(post.destinations) - 3
    if more > 0:
        chips += f'<span class="herald-ev-more">+{more}</span>'
    # Screen readers hear the status first (the colour says it to the eye).
    state = html.escape(STATUS_LABELS.get(status, status))
    body = (
        f'<span class="herald-sr">{state}: </span>'
        f'<span class="herald-ev-title">{html.escape(title)}</span>'
    )
    if comments:
        body += comment_badge(comments)
    return {
        "id": str(post.id),
        "title": title,
        "start": post.scheduled_at.astimezone(dt.UTC).isoformat() if post.scheduled_at else "",
        "editable": can_edit and post.status == PostStatus.scheduled,
        "backgroundColor": background,
        "borderColor": border,
        "textColor": "#ffffff",
        "classNames": [f"herald-status-{status}"],
        "extendedProps": {
            "status": status,
            "platforms": ",".join(platforms),
            "html": f'<span class="herald-ev-avatars">{chips}</span>{body}',
        },
    }


def comment_badge(n: int) -> str:
    """The comment count an event shows (an icon and the number)."""
    label = f"{n} comment" + ("" if n == 1 else "s")
    return (
        f'<span class="herald-ev-comments" title="{label}"><span class="herald-sr">, {label}'
        f'</span>{COMMENT_ICON}<span aria-hidden="true">{n}</span></span>'
    )


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
