"""The "X is failing — posts are waiting" banner of the dashboard and the calendar.

Reads app.services.outages (the open circuit breakers touching this workspace) when the page
loads and every few seconds while it is open; shows nothing while every platform answers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import reflex as rx

from app.services import outages
from app.services.errors import ServiceError
from app.ui import format
from app.ui.components.poll import live_poll
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, signed_in

POLL_MS = 5000


@dataclasses.dataclass
class OutageCard:
    scope: str = ""
    headline: str = ""
    detail: str = ""


def _clock(epoch: float, zone: str, hours: str = "24h") -> str:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return format.clock(moment, zone, seconds=True, hours=hours)


def _card(o: outages.Outage, zone: str, hours: str = "24h") -> OutageCard:
    waiting = (
        f"{o.waiting} post{'s' if o.waiting != 1 else ''} waiting"
        if o.waiting
        else "posts due meanwhile will wait"
    )
    next_try = (
        "checking now"
        if o.state == "probing"
        else f"next check at {_clock(o.next_probe_at, zone, hours)}"
    )
    detail = (
        f"Failing since {_clock(o.since, zone, hours)}; {next_try}. "
        "Herald publishes as soon as it answers again."
    )
    if o.last_error:
        detail += f" Last answer: {o.last_error}"
    return OutageCard(o.scope, f"{o.name} is not answering — {waiting}", detail)


class OutageState(AuthState):
    outages: list[OutageCard] = []

    @rx.event
    @signed_in(quiet=True)
    def refresh(self, me: SignedIn, _value: str = ""):
        try:
            found = outages.for_workspace(me.user, me.wid)
            self.outages = [_card(o, self.user_timezone, self.user_time_format) for o in found]
        except ServiceError:
            self.outages = []


def _item(card: OutageCard) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("cloud-off")),
        rx.vstack(
            rx.text(card.headline, weight="bold", size="2"),
            rx.text(card.detail, size="1"),
            spacing="1",
        ),
        color_scheme="amber",
        variant="surface",
        width="100%",
        data_scope=card.scope,
        class_name="outage-banner",
    )


def outage_banner() -> rx.Component:
    """Every open outage of this workspace: read as the page mounts (the clock's first
    change, not one more on_load event before the page counts as loaded), then polled while
    the page is open."""
    return rx.fragment(
        rx.foreach(OutageState.outages, _item),
        live_poll(POLL_MS, OutageState.refresh),
    )
