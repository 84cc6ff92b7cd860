"""/calendar: posts on a month/week/day/list calendar; drag to reschedule, click to open."""

from __future__ import annotations

import reflex as rx

from app.ui.components.confirm import confirm_dialog
from app.ui.components.forms import form_error
from app.ui.components.fullcalendar import fullcalendar
from app.ui.components.layout import protected_page
from app.ui.components.outage import OutageState, outage_banner
from app.ui.state.calendar import CalendarState

# Live status: how often the open page re-reads the visible posts.
REFRESH_MS = 4000

DEST_COLORS = {
    "published": "green",
    "failed": "red",
    "publishing": "amber",
    "processing": "amber",
    "unknown": "orange",
    "cancelled": "gray",
    "pending": "blue",
    "queued": "blue",
}

# FullCalendar's look, mapped onto the Radix theme (light and dark follow it).
CALENDAR_STYLE = {
    "--fc-border-color": "var(--gray-a5)",
    "--fc-page-bg-color": "var(--color-panel-solid)",
    "--fc-neutral-bg-color": "var(--gray-a2)",
    "--fc-neutral-text-color": "var(--gray-11)",
    "--fc-list-event-hover-bg-color": "var(--gray-a3)",
    "--fc-today-bg-color": "var(--accent-a3)",
    "--fc-now-indicator-color": "var(--red-9)",
    "--fc-highlight-color": "var(--accent-a4)",
    "--fc-button-text-color": "var(--accent-contrast)",
    "--fc-button-bg-color": "var(--accent-9)",
    "--fc-button-border-color": "var(--accent-9)",
    "--fc-button-hover-bg-color": "var(--accent-10)",
    "--fc-button-hover-border-color": "var(--accent-10)",
    "--fc-button-active-bg-color": "var(--accent-11)",
    "--fc-button-active-border-color": "var(--accent-11)",
    "--fc-event-text-color": "#ffffff",
    "color": "var(--gray-12)",
    "font_size": "14px",
    "width": "100%",
    "& .fc .fc-toolbar": {"flex_wrap": "wrap", "gap": "8px"},
    "& .fc .fc-toolbar-title": {"font_size": "1.25rem", "font_weight": "600"},
    "& .fc .fc-button": {"text_transform": "none", "box_shadow": "none"},
    "& .fc .fc-button:focus-visible": {"outline": "2px solid var(--accent-8)"},
    "& .fc .fc-col-header-cell-cushion, & .fc .fc-daygrid-day-number": {
        "color": "var(--gray-11)",
        "text_decoration": "none",
    },
    "& .fc .fc-popover": {"background": "var(--color-panel-solid)", "z_index": "5"},
    "& .fc .fc-list-day-cushion": {"background": "var(--gray-a2)"},
    "& .fc-event": {"cursor": "pointer", "border_width": "2px"},
    "& .fc-event:focus-visible": {"outline": "2px solid var(--accent-8)", "outline_offset": "1px"},
    "& .herald-ev": {
        "display": "flex",
        "align_items": "center",
        "gap": "4px",
        "overflow": "hidden",
        "white_space": "nowrap",
        "padding": "0 2px",
        "min_width": "0",
    },
    "& .herald-ev-time": {"font_weight": "600", "flex_shrink": "0"},
    "& .herald-ev-avatars": {"display": "inline-flex", "gap": "1px", "flex_shrink": "0"},
    "& .herald-ev-avatar, & .herald-ev-chip": {
        "width": "15px",
        "height": "15px",
        "border_radius": "50%",
        "border": "1px solid rgba(255,255,255,0.8)",
        "flex_shrink": "0",
    },
    "& .herald-ev-avatar": {"object_fit": "cover", "background": "#fff"},
    "& .herald-ev-chip": {
        "display": "inline-flex",
        "align_items": "center",
        "justify_content": "center",
        "font_size": "9px",
        "font_weight": "700",
        "color": "#fff",
    },
    "& .herald-ev-more": {"font_size": "10px", "opacity": "0.9"},
    "& .herald-ev-title": {"overflow": "hidden", "text_overflow": "ellipsis"},
    "& .herald-sr": {
        "position": "absolute",
        "width": "1px",
        "height": "1px",
        "overflow": "hidden",
        "clip": "rect(0 0 0 0)",
        "white_space": "nowrap",
    },
    "& .fc-list-event .herald-ev": {"color": "var(--gray-12)"},
    "& .herald-status-cancelled .herald-ev-title": {"text_decoration": "line-through"},
    "& .herald-status-draft": {"border_style": "dashed", "opacity": "0.85"},
    "& .herald-status-failed": {"box_shadow": "inset 3px 0 0 0 #7f1d1d"},
}


def _select(
    trigger_id: str, value, on_change, all_label: str, options, label_key: str = "label"
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=trigger_id, aria_label=all_label, min_width="150px"),
        rx.select.content(
            rx.select.item(all_label, value="all"),
            rx.foreach(options, lambda o: rx.select.item(o[label_key], value=o["id"])),
        ),
        value=value,
        on_change=on_change,
        size="2",
    )


STATUS_OPTIONS = [
    {"id": k, "label": v}
    for k, v in {
        "draft": "Draft",
        "scheduled": "Scheduled",
        "publishing": "Publishing",
        "published": "Published",
        "partially_published": "Partly published",
        "failed": "Failed",
        "cancelled": "Cancelled",
    }.items()
]


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.button(
                rx.icon("plus", size=16),
                rx.cond(
                    CalendarState.selected_label != "",
                    rx.text("New post · ", CalendarState.selected_label),
                    rx.text("New post"),
                ),
                on_click=CalendarState.new_post,
                id="new-post",
                data_href=CalendarState.new_post_href,
            ),
            rx.cond(
                CalendarState.selected_label != "",
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=CalendarState.clear_selection,
                    aria_label="Forget the chosen time",
                    id="clear-selection",
                ),
            ),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        rx.hstack(
            _select(
                "filter-account",
                CalendarState.f_account,
                CalendarState.set_account,
                "All accounts",
                CalendarState.account_options,
            ),
            _select(
                "filter-platform",
                CalendarState.f_platform,
                CalendarState.set_platform,
                "All networks",
                CalendarState.platform_options,
            ),
            _select(
                "filter-status",
                CalendarState.f_status,
                CalendarState.set_status,
                "All statuses",
                STATUS_OPTIONS,
            ),
            rx.cond(
                CalendarState.filtered,
                rx.button(
                    "Clear filters",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=CalendarState.clear_filters,
                    id="clear-filters",
                ),
            ),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        wrap="wrap",
        gap="3",
        align="center",
        width="100%",
    )


def _legend() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.text("Colour by", size="2", color_scheme="gray"),
            rx.segmented_control.root(
                rx.segmented_control.item("Network", value="platform"),
                rx.segmented_control.item("Status", value="status"),
                value=CalendarState.color_by,
                on_change=CalendarState.set_color_by,
                size="1",
                id="color-by",
            ),
            align="center",
            spacing="2",
        ),
        rx.flex(
            rx.foreach(
                CalendarState.legend,
                lambda item: rx.hstack(
                    rx.box(
                        width="10px",
                        height="10px",
                        border_radius="3px",
                        background=item["color"],
                    ),
                    rx.text(item["label"], size="1"),
                    align="center",
                    spacing="1",
                    class_name="legend-item",
                ),
            ),
            column_gap="16px",
            row_gap="4px",
            wrap="wrap",
            id="legend",
        ),
        rx.spacer(),
        rx.text(
            CalendarState.count,
            rx.cond(CalendarState.count == 1, " post", " posts"),
            rx.cond(CalendarState.truncated, " (first ones only: narrow the view)", ""),
            " · times in ",
            CalendarState.user_timezone,
            size="1",
            color_scheme="gray",
            id="calendar-summary",
        ),
        wrap="wrap",
        gap="3",
        align="center",
        width="100%",
    )


def _destination(d: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.avatar(
            src=d["avatar"], fallback=d["platform_name"].to(str)[:1], size="2", radius="full"
        ),
        rx.vstack(
            rx.text(d["platform_name"], " · ", d["account"], size="2", weight="medium"),
            rx.cond(
                d["permalink"] != "",
                rx.link(
                    "View on ",
                    d["platform_name"],
                    href=d["permalink"],
                    is_external=True,
                    size="1",
                    class_name="dest-permalink",
                ),
            ),
            rx.cond(
                d["published_at"] != "",
                rx.text("Published ", d["published_at"], size="1", color_scheme="gray"),
            ),
            rx.cond(
                d["error"] != "",
                rx.text(d["error"], size="1", color_scheme="red", class_name="dest-error"),
            ),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.badge(
            d["status"],
            color_scheme=rx.match(d["status"], *DEST_COLORS.items(), "gray"),
            class_name="dest-status",
        ),
        align="center",
        width="100%",
        class_name="post-destination",
        data_platform=d["platform"],
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        open=CalendarState.confirm_delete,
        on_open_change=CalendarState.ask_delete,
        title="Delete this post?",
        description=CalendarState.post["delete_text"].to(str),
        cancel_label="Keep it",
        confirm_label="Delete",
        on_confirm=CalendarState.delete_open_post,
        busy=CalendarState.busy,
        confirm_id="post-delete-confirm",
        dialog_id="post-delete-dialog",
    )


def _actions() -> rx.Component:
    post = CalendarState.post
    return rx.fragment(
        _delete_dialog(),
        rx.flex(
            rx.cond(
                CalendarState.can_edit,
                rx.fragment(
                    rx.cond(
                        post["can_edit"].to(bool),
                        rx.button(
                            rx.icon("square-pen", size=14),
                            "Edit in composer",
                            on_click=rx.redirect(post["edit_href"].to(str)),
                            id="post-edit",
                        ),
                    ),
                    rx.cond(
                        post["can_retry"].to(bool),
                        rx.button(
                            rx.icon("rotate-cw", size=14),
                            "Retry failed",
                            variant="soft",
                            color_scheme="amber",
                            on_click=CalendarState.retry_open_post,
                            loading=CalendarState.busy,
                            id="post-retry",
                        ),
                    ),
                    rx.cond(
                        post["can_cancel"].to(bool),
                        rx.button(
                            rx.icon("ban", size=14),
                            post["cancel_label"].to(str),
                            variant="soft",
                            color_scheme="gray",
                            on_click=CalendarState.cancel_open_post,
                            loading=CalendarState.busy,
                            id="post-cancel",
                        ),
                    ),
                    rx.cond(
                        post["can_delete"].to(bool),
                        rx.button(
                            rx.icon("trash-2", size=14),
                            "Delete",
                            variant="soft",
                            color_scheme="red",
                            on_click=CalendarState.ask_delete(True),
                            id="post-delete",
                        ),
                    ),
                ),
            ),
            rx.spacer(),
            rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
            gap="2",
            wrap="wrap",
            width="100%",
        ),
    )


def _post_dialog() -> rx.Component:
    post = CalendarState.post
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.dialog.title("Post", margin="0"),
                    rx.badge(
                        post["status_label"].to(str),
                        color_scheme=rx.match(
                            post["status"].to(str),
                            ("published", "green"),
                            ("failed", "red"),
                            ("publishing", "amber"),
                            ("partially_published", "orange"),
                            ("cancelled", "gray"),
                            ("draft", "gray"),
                            "blue",
                        ),
                        id="post-status",
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.dialog.description(
                    rx.hstack(
                        rx.icon("clock", size=14),
                        rx.text(post["when"].to(str), id="post-when"),
                        align="center",
                        spacing="1",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.text(post["content"].to(str), white_space="pre-wrap", size="2"),
                    padding="12px",
                    border_radius="var(--radius-3)",
                    background=rx.color("gray", 2),
                    border=f"1px solid {rx.color('gray', 5)}",
                    width="100%",
                    max_height="240px",
                    overflow_y="auto",
                    id="post-content",
                ),
                rx.text("Destinations", size="2", weight="bold"),
                rx.vstack(
                    rx.foreach(CalendarState.destinations, _destination),
                    spacing="3",
                    width="100%",
                    id="post-destinations",
                ),
                rx.divider(),
                _actions(),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
            id="post-dialog",
        ),
        open=CalendarState.open_post_id != "",
        on_open_change=CalendarState.set_dialog_open,
    )


def _calendar() -> rx.Component:
    return rx.box(
        fullcalendar(
            events=CalendarState.events,
            time_zone=CalendarState.user_timezone,
            editable=CalendarState.can_edit,
            event_duration_editable=False,
            event_interactive=True,
            event_display="block",
            event_time_format={"hour": "2-digit", "minute": "2-digit", "hour12": False},
            slot_label_format={"hour": "2-digit", "minute": "2-digit", "hour12": False},
            day_max_events=True,
            now_indicator=True,
            nav_links=True,
            scroll_time="08:00:00",
            height="max(640px, calc(100vh - 260px))",
            dates_set=CalendarState.range_changed,
            event_drop=CalendarState.moved,
            event_click=CalendarState.open_post,
            date_click=CalendarState.date_clicked,
        ),
        id="calendar",
        style=CALENDAR_STYLE,
    )


@protected_page("/calendar", "Calendar", on_load=[CalendarState.load, OutageState.refresh])
def calendar() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        _legend(),
        outage_banner(),
        form_error(CalendarState.error),
        _calendar(),
        _post_dialog(),
        # Live status while the page is open: a timer re-reads the visible posts.
        rx.moment(interval=REFRESH_MS, on_change=CalendarState.tick, display="none"),
        spacing="3",
        width="100%",
    )
