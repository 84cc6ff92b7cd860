"""FullCalendar (React) wrapped as a Reflex component.

FullCalendar 6.1.21 (the last 6.x of every plugin; 7.x moved the plugins and needs a Temporal
polyfill). Named time zones need a plugin: without one FullCalendar shows UTC for any zone
other than 'local'/'UTC'. The Luxon 3 plugin converts with the IANA database, so wall times
stay right across DST changes.

Event callbacks hand Python plain objects: FullCalendar's EventApi objects are circular.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var, VarData
from reflex.vars.object import ObjectVar

FC = "6.1.21"
LUXON = "3.7.2"

_PLUGIN_IMPORTS = {
    f"@fullcalendar/daygrid@{FC}": rx.ImportVar(tag="dayGridPlugin", is_default=True),
    f"@fullcalendar/timegrid@{FC}": rx.ImportVar(tag="timeGridPlugin", is_default=True),
    f"@fullcalendar/list@{FC}": rx.ImportVar(tag="listPlugin", is_default=True),
    f"@fullcalendar/interaction@{FC}": rx.ImportVar(tag="interactionPlugin", is_default=True),
    f"@fullcalendar/luxon3@{FC}": rx.ImportVar(tag="luxonPlugin", is_default=True),
}

PLUGINS = Var(
    _js_expr="[dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin]",
    _var_type=list[Any],
    _var_data=VarData(imports=_PLUGIN_IMPORTS),
)

# Each rendered event carries its post id, for tests, benchmarks and styling:
# `.fc-event[data-post-id]`. (Only what never changes: FullCalendar keeps the element when an
# event changes, so a changing status goes in the class names, which it does update.)
EVENT_DID_MOUNT = Var(
    _js_expr="((info) => { info.el.dataset.postId = info.event.id; })",
    _var_type=Any,
)

# The event's body: time (grid views) + account avatars/platform chips + title. The HTML
# comes from the server with every user-supplied piece escaped.
EVENT_CONTENT = Var(
    _js_expr=(
        "((arg) => ({html: '<div class=\"herald-ev\">' + "
        "((arg.timeText && !arg.view.type.startsWith('list')) ? "
        "'<span class=\"herald-ev-time\">' + arg.timeText + '</span>' : '') + "
        "(arg.event.extendedProps.html || '') + '</div>'}))"
    ),
    _var_type=Any,
)


VIEWS = ("dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek")

# The first view and date come from the page URL (?view=timeGridWeek&date=2027-03-14), read
# in the browser when the calendar mounts: deep links work and a reload keeps the place.
URL_VIEW = Var(
    _js_expr=(
        "((v) => " + repr(list(VIEWS)).replace("'", '"') + ".includes(v) ? v : 'dayGridMonth')"
        "(typeof window === 'undefined' ? '' : "
        "new URLSearchParams(window.location.search).get('view'))"
    ),
    _var_type=str,
)
URL_DATE = Var(
    _js_expr=(
        "(typeof window === 'undefined' ? undefined : "
        "new URLSearchParams(window.location.search).get('date') || undefined)"
    ),
    _var_type=str,
)


def _raw(var: Var) -> str:
    return str(var)


def _drop_spec(info: ObjectVar[dict]) -> tuple[Var[dict[str, Any]]]:
    # Keep FullCalendar's revert() so the server can undo the move when it refuses it.
    i = _raw(info)
    return (
        Var(
            _js_expr=(
                f"((window.__heraldRevert = {i}.revert), "
                f"({{id: {i}.event.id, start: {i}.event.startStr, "
                f"old_start: {i}.oldEvent.startStr, all_day: {i}.event.allDay}}))"
            ),
            _var_type=dict[str, Any],
        ),
    )


# Keep the view and date in the address bar (without a navigation), so a reload or a shared
# link opens the same place.
_REMEMBER_PLACE = (
    "((info) => {{ try {{ const u = new URL(window.location.href); "
    "u.searchParams.set('view', info.view.type); "
    "u.searchParams.set('date', info.view.calendar.formatIso(info.view.currentStart, true)); "
    "window.history.replaceState(window.history.state, '', u); }} catch (e) {{}} }})({i})"
)


def _dates_spec(info: ObjectVar[dict]) -> tuple[Var[dict[str, Any]]]:
    i = _raw(info)
    return (
        Var(
            _js_expr=(
                f"({_REMEMBER_PLACE.format(i=i)}, "
                f"{{start: {i}.startStr, end: {i}.endStr, view: {i}.view.type}})"
            ),
            _var_type=dict[str, Any],
        ),
    )


def _click_spec(info: ObjectVar[dict]) -> tuple[Var[str]]:
    return (Var(_js_expr=f"{_raw(info)}.event.id", _var_type=str),)


def _date_click_spec(info: ObjectVar[dict]) -> tuple[Var[dict[str, Any]]]:
    i = _raw(info)
    return (
        Var(
            _js_expr=f"({{date: {i}.dateStr, all_day: {i}.allDay, view: {i}.view.type}})",
            _var_type=dict[str, Any],
        ),
    )


class FullCalendar(rx.NoSSRComponent):
    library = f"@fullcalendar/react@{FC}"
    tag = "FullCalendar"
    is_default = True
    lib_dependencies: list[str] = [  # noqa: RUF012
        f"@fullcalendar/core@{FC}",
        f"@fullcalendar/daygrid@{FC}",
        f"@fullcalendar/timegrid@{FC}",
        f"@fullcalendar/list@{FC}",
        f"@fullcalendar/interaction@{FC}",
        f"@fullcalendar/luxon3@{FC}",
        f"luxon@{LUXON}",
    ]

    plugins: rx.Var[list[Any]]
    initial_view: rx.Var[str]
    initial_date: rx.Var[str]
    time_zone: rx.Var[str]
    header_toolbar: rx.Var[dict[str, Any]]
    button_text: rx.Var[dict[str, Any]]
    events: rx.Var[list[dict[str, Any]]]
    editable: rx.Var[bool]
    event_duration_editable: rx.Var[bool]
    event_interactive: rx.Var[bool]
    event_display: rx.Var[str]
    event_time_format: rx.Var[dict[str, Any]]
    slot_label_format: rx.Var[dict[str, Any]]
    day_max_events: rx.Var[bool | int]
    now_indicator: rx.Var[bool]
    nav_links: rx.Var[bool]
    height: rx.Var[str | int]
    scroll_time: rx.Var[str]
    event_did_mount: rx.Var[Any]
    event_content: rx.Var[Any]

    dates_set: rx.EventHandler[_dates_spec]
    event_drop: rx.EventHandler[_drop_spec]
    event_click: rx.EventHandler[_click_spec]
    date_click: rx.EventHandler[_date_click_spec]

    def add_imports(self):
        return _PLUGIN_IMPORTS

    @classmethod
    def create(cls, *children, **props):
        props.setdefault("plugins", PLUGINS)
        props.setdefault("initial_view", URL_VIEW)
        props.setdefault("initial_date", URL_DATE)
        props.setdefault("event_did_mount", EVENT_DID_MOUNT)
        props.setdefault("event_content", EVENT_CONTENT)
        props.setdefault(
            "header_toolbar",
            {
                "left": "prev,next today",
                "center": "title",
                "right": "dayGridMonth,timeGridWeek,timeGridDay,listWeek",
            },
        )
        props.setdefault(
            "button_text",
            {"today": "Today", "month": "Month", "week": "Week", "day": "Day", "list": "List"},
        )
        return super().create(*children, **props)


fullcalendar = FullCalendar.create
