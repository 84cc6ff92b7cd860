"""FullCalendar (React) wrapped as a Reflex component.

FullCalendar 6.1.21 (the last 6.x of every plugin; 7.x moved the plugins and needs a Temporal
polyfill). Named time zones need a plugin: without one FullCalendar shows UTC for any zone
other than 'local'/'UTC'. The Luxon 3 plugin converts with the IANA database, so wall times
stay right across DST changes.

Event callbacks hand Python plain objects: FullCalendar's EventApi objects are circular.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex.vars import Var, VarData
from reflex.vars.object import ObjectVar

from app.ui.state.calendar_events import COMMENT_ICON, STATUS_LABELS, VIEWS

FC = "6.1.21"
LUXON = "3.7.2"
# A month view's measures in CSS pixels (calendar_grid's font size): the row of day names,
# a cell's day number with its padding, and one event with its margins.
DAY_NAMES_PX = 26
DAY_NUMBER_PX = 33
EVENT_ROW_PX = 23

_PLUGIN_IMPORTS = {
    f"@fullcalendar/daygrid@{FC}": rx.ImportVar(tag="dayGridPlugin", is_default=True),
    f"@fullcalendar/timegrid@{FC}": rx.ImportVar(tag="timeGridPlugin", is_default=True),
    f"@fullcalendar/list@{FC}": rx.ImportVar(tag="listPlugin", is_default=True),
    f"@fullcalendar/interaction@{FC}": rx.ImportVar(tag="interactionPlugin", is_default=True),
    f"@fullcalendar/luxon3@{FC}": rx.ImportVar(tag="luxonPlugin", is_default=True),
}

# The options that never change are module-level constants: written inline in the page they
# would be new objects on every render, and FullCalendar takes a changed option as a reason to
# reset its options and draw again (each time a state var of the page changes).
HEADER_TOOLBAR = {
    "left": "prev,next today",
    "center": "title",
    "right": "dayGridMonth,timeGridWeek,timeGridDay,listWeek",
}
BUTTON_TEXT = {"today": "Today", "month": "Month", "week": "Week", "day": "Day", "list": "List"}
OPTIONS_JS = f"""
const heraldPlugins = [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin];
const heraldHeaderToolbar = {json.dumps(HEADER_TOOLBAR)};
const heraldButtonText = {json.dumps(BUTTON_TEXT)};
// FullCalendar reads initialView and initialDate once, when it is created: a change of either
// (the address bar keeps the place) is not a reason to render it again.
const heraldSameProps = (a, b) => Object.keys(a).length === Object.keys(b).length
  && Object.keys(b).every((k) => k.startsWith('initial') || a[k] === b[k]);
"""
PLUGINS = Var(_js_expr="heraldPlugins", _var_type=list[Any])

# The events' look, drawn in the browser from each event's fields: time (grid views),
# account avatars/platform chips (server-made markup, shared by index: `content_data` is
# that list), the status for screen readers, the title and the comment count, every text
# escaped here. Each rendered event also carries its post id, for tests, benchmarks and
# styling: `.fc-event[data-post-id]` (only what never changes: FullCalendar keeps the element
# when an event changes, so a changing status goes in the class names, which it updates).
# Module-level functions, so FullCalendar sees the same option on every render and does not
# redraw every event when an unrelated state var changes.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
RENDER_EVENT_JS = f"""
const heraldEscapes = {json.dumps(_ESCAPES)};
const heraldEscape = (text) => String(text).replace(/[&<>"']/g, (c) => heraldEscapes[c]);
const heraldStatusLabels = {json.dumps(STATUS_LABELS)};
const heraldCommentIcon = {json.dumps(COMMENT_ICON)};
function heraldEventDidMount(info) {{
  const day = info.event.extendedProps.day;
  if (day) info.el.dataset.moreDay = day; else info.el.dataset.postId = info.event.id;
}}
function heraldEventContent(arg, chips) {{
  const props = arg.event.extendedProps;
  if (props.day) {{
    return {{html: '<div class="herald-ev herald-ev-more-link">' + heraldEscape(arg.event.title)
      + '</div>'}};
  }}
  const label = heraldStatusLabels[props.status] || props.status || "";
  let html = '<div class="herald-ev">';
  if (arg.timeText && !arg.view.type.startsWith('list')) {{
    html += '<span class="herald-ev-time">' + heraldEscape(arg.timeText) + '</span>';
  }}
  html += ((chips || [])[props.chips] || '')
    + '<span class="herald-sr">' + heraldEscape(label) + ': </span>'
    + '<span class="herald-ev-title">' + heraldEscape(arg.event.title) + '</span>';
  const n = props.comments || 0;
  if (n) {{
    const said = n + ' comment' + (n === 1 ? '' : 's');
    html += '<span class="herald-ev-comments" title="' + said + '"><span class="herald-sr">, '
      + said + '</span>' + heraldCommentIcon + '<span aria-hidden="true">' + n + '</span></span>';
  }}
  return {{html: html + '</div>'}};
}}
"""
EVENT_DID_MOUNT = Var(_js_expr="heraldEventDidMount", _var_type=Any)
# The hook's name for the content function bound to this render's `content_data`.
_CONTENT_FN = "heraldContent"


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


# How many events a month cell has room for (0 until the calendar has a size): the server
# sends no more a day (calendar_events.month_cut). Read off the view's height when the dates
# are set, before the grid is laid out: six weeks under the day names, each cell's day number
# above its events.
_MONTH_ROWS = (
    "(() => { const h = document.querySelector('#calendar .fc-view-harness'); "
    "return h ? Math.max(0, Math.floor("
    f"((h.clientHeight - {DAY_NAMES_PX}) / 6 - {DAY_NUMBER_PX}) / {EVENT_ROW_PX})) : 0; }})()"
)


def _dates_spec(info: ObjectVar[dict]) -> tuple[Var[dict[str, Any]]]:
    i = _raw(info)
    return (
        Var(
            _js_expr=(
                f"({_REMEMBER_PLACE.format(i=i)}, "
                f"{{start: {i}.startStr, end: {i}.endStr, view: {i}.view.type, "
                f"rows: {_MONTH_ROWS}}})"
            ),
            _var_type=dict[str, Any],
        ),
    )


def _click_spec(info: ObjectVar[dict]) -> tuple[Var[str]]:
    # A day's "+N more" (calendar_events.month_cut) opens that day here; the server ignores it.
    i = _raw(info)
    return (
        Var(
            _js_expr=(
                f"(({i}.event.extendedProps.day && "
                f"{i}.view.calendar.changeView('timeGridDay', {i}.event.extendedProps.day)), "
                f"{i}.event.id)"
            ),
            _var_type=str,
        ),
    )


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
    # What the events' content reads besides the event (not a FullCalendar option).
    content_data: rx.Var[list[str]]

    dates_set: rx.EventHandler[_dates_spec]
    event_drop: rx.EventHandler[_drop_spec]
    event_click: rx.EventHandler[_click_spec]
    date_click: rx.EventHandler[_date_click_spec]

    def add_imports(self):
        react = [rx.ImportVar(tag="useCallback"), rx.ImportVar(tag="memo")]
        return {**_PLUGIN_IMPORTS, "react": react}

    def _get_dynamic_imports(self) -> str:
        # Loaded in the browser only, as every NoSSRComponent, and memoised: FullCalendar's
        # React class resets all its options whenever it renders, and without memo it renders
        # each time the page does (any state change of the page), even with the same props.
        return (
            f"const {self.tag} = ClientSide(() => import('@fullcalendar/react')"
            ".then((mod) => memo(mod.default.default ?? mod.default, heraldSameProps)), "
            f"{json.dumps(self.tag)})"
        )

    def add_custom_code(self) -> list[str]:
        return [OPTIONS_JS, RENDER_EVENT_JS]

    def add_hooks(self) -> list[str | Var]:
        data = self.content_data if self.content_data is not None else Var.create([])
        return [
            Var(
                _js_expr=(
                    f"const {_CONTENT_FN} = useCallback("
                    f"(arg) => heraldEventContent(arg, {data}), [{data}])"
                ),
                _var_data=VarData.merge(data._get_all_var_data()),
            )
        ]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "content_data"]

    @classmethod
    def create(cls, *children, **props):
        props.setdefault("plugins", PLUGINS)
        props.setdefault("initial_view", URL_VIEW)
        props.setdefault("initial_date", URL_DATE)
        props.setdefault("event_did_mount", EVENT_DID_MOUNT)
        props.setdefault("event_content", Var(_js_expr=_CONTENT_FN, _var_type=Any))
        props.setdefault("header_toolbar", Var(_js_expr="heraldHeaderToolbar", _var_type=dict))
        props.setdefault("button_text", Var(_js_expr="heraldButtonText", _var_type=dict))
        return super().create(*children, **props)


fullcalendar = FullCalendar.create
