"""Settings → Profile, Billing and API keys. Handlers call the same services as the REST API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import reflex as rx

from app.models import Role, Tier
from app.services import ai, api_keys, auth, plans
from app.ui import format
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, first_load, setter, shows_errors, signed_in


class ProfileState(AuthState):
    full_name: str = ""
    timezone: str = "UTC"
    time_format: str = "24h"
    profile_error: str = ""
    password_error: str = ""
    saving: bool = False
    timezones: list[str] = []

    @rx.event
    @signed_in(workspace=False)
    def load(self, me: SignedIn):
        self.full_name = me.user.full_name
        self.timezone = me.user.timezone
        self.time_format = me.user.time_format
        self.profile_error = self.password_error = ""
        if not self.timezones:
            self.timezones = sorted(auth.available_timezones())

    set_full_name = setter("full_name")
    set_timezone = setter("timezone")

    @rx.var
    def zone_preview(self) -> str:
        """What the choice means, as it is being made: `Now: Thu 3 Dec, 9:12 AM in New York
        (EST).` (empty while the zone typed is not one)."""
        if self.timezone not in auth.available_timezones():
            return ""
        now = dt.datetime.now(dt.UTC)
        when = format.short(now, self.timezone, hours=self.time_format)
        return f"Now: {when} in {format.zone_name(self.timezone, now)}."

    set_time_format = setter("time_format")

    @rx.event
    def use_browser_timezone(self, value: str):
        if value:
            self.timezone = value

    @rx.event
    @shows_errors(inline="profile_error")
    @signed_in(workspace=False)
    def save_profile(self, me: SignedIn, _form: dict):
        saved = auth.update_profile(me.user, self.full_name, self.timezone, self.time_format)
        self.profile_error = ""
        self._load_user(saved)
        self.browser_zone = ""
        self.full_name, self.timezone = saved.full_name, saved.timezone
        self.time_format = saved.time_format
        return rx.toast.success("Profile saved.")

    @rx.event
    @shows_errors(inline="password_error")
    @signed_in(workspace=False)
    def change_password(self, me: SignedIn, form: dict):
        new = form.get("new_password", "")
        if new != form.get("confirm_password", ""):
            self.password_error = "The new passwords do not match."
            return
        ended = auth.change_password(
            me.user, form.get("current_password", ""), new, self._session_token()
        )
        self.password_error = ""
        others = f" {ended} other session(s) signed out." if ended else ""
        return [
            rx.set_value("current_password", ""),
            rx.set_value("new_password", ""),
            rx.set_value("confirm_password", ""),
            rx.toast.success("Password changed." + others),
        ]


@dataclasses.dataclass
class PlanCard:
    id: str = ""
    name: str = ""
    price: str = ""
    blurb: str = ""
    current: bool = False
    features: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class UsageRow:
    name: str = ""
    label: str = ""
    used: str = ""
    limit: str = ""
    percent: int = 0
    state: str = "ok"  # ok | near | over
    unlimited: bool = False


def _percent(used: int, limit: int | None) -> int:
    if not limit:
        return 0
    return min(100, round(100 * used / limit))


class BillingState(AuthState):
    tier: str = ""
    tier_name: str = ""
    can_change: bool = False
    billing: bool = False  # plans apply here (HERALD_BILLING=on)
    period: str = ""
    rows: list[UsageRow] = []
    cards: list[PlanCard] = []
    warnings: list[str] = []
    ai_rows: list[dict[str, str]] = []
    ai_model: str = ""
    ai_configured: bool = False
    error: str = ""
    loading: bool = True
    switching: str = ""

    def _refresh(self, user, wid: uuid.UUID) -> None:
        plan = plans.get_plan(user, wid)
        self.tier, self.tier_name, self.can_change = plan.tier.value, plan.name, plan.can_change
        self.billing = plan.billing
        start = plan.period_start
        self.period = format.month(start)
        rows = []
        for name in plans.LABELS:
            used = plan.usage.get(name)
            limit = plan.limits.get(name)
            pct = _percent(used, limit)
            text = plans.LABELS[name]
            rows.append(
                UsageRow(
                    name=name,
                    label=text[0].upper() + text[1:],
                    used=plans.format_amount(name, used),
                    limit=plans.format_amount(name, limit),
                    percent=pct,
                    state="over"
                    if limit is not None and used >= limit
                    else ("near" if pct >= 80 else "ok"),
                    unlimited=limit is None,
                )
            )
        self.rows = rows
        self.cards = [
            PlanCard(
                id=info.id.value,
                name=info.name,
                price=info.price,
                blurb=info.blurb,
                current=info.id == plan.tier,
                features=[
                    f"{plans.format_amount(n, info.limits.get(n))} "
                    f"{plans.label(n, info.limits.get(n))}"
                    for n in plans.LABELS
                ],
            )
            for info in (plans.TIERS[t] for t in plans.ORDER)
            if plan.billing
        ]
        summary = ai.usage_summary(user, wid)
        self.ai_model, self.ai_configured = summary.model, summary.configured
        self.ai_rows = [
            {"label": "Captions generated", "value": f"{summary.succeeded:,}"},
            {"label": "Requests to the AI server", "value": f"{summary.requests:,}"},
            {"label": "Tokens (prompt + completion)", "value": f"{summary.total_tokens:,}"},
            {
                "label": "Hourly budget",
                "value": f"{summary.requests_per_hour} per hour"
                if summary.requests_per_hour
                else "unlimited",
            },
        ]

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        first_load(self, me)

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def switch(self, me: SignedIn, tier: str):
        try:
            plan = plans.change_tier(me.user, me.wid, Tier(tier))
        except ValueError as exc:
            self.error = str(exc)
            return rx.toast.error(self.error)
        self.error = ""
        self.warnings = plan.warnings
        self._refresh(me.user, me.wid)
        self._load_user(me.user)
        return rx.toast.success(f"This workspace is now on the {plan.name} plan.")


class KeysState(AuthState):
    keys: list[dict[str, str]] = []
    new_secret: str = ""
    new_name: str = ""
    error: str = ""
    loading: bool = True
    # The key whose revocation is being confirmed.
    revoke_id: str = ""
    revoke_name: str = ""

    @rx.event
    def ask_revoke(self, key_id: str, name: str):
        self.revoke_id, self.revoke_name = key_id, name

    @rx.event
    def close_revoke(self, is_open: bool = False):
        if not is_open:
            self.revoke_id = ""

    @rx.event
    def confirm_revoke(self):
        key_id, self.revoke_id = self.revoke_id, ""
        return self.revoke(key_id)

    def _refresh(self, user, wid: uuid.UUID) -> None:
        self.keys = [
            {
                "id": str(k.id),
                "name": k.name,
                "prefix": k.prefix + "…",
                "role": k.role.value,
                "created": format.datetime_zone(
                    k.created_at, self.user_timezone, hours=self.user_time_format
                ),
                "last_used": format.datetime_zone(
                    k.last_used_at, self.user_timezone, "never", hours=self.user_time_format
                ),
                "expires": format.datetime_zone(
                    k.expires_at, self.user_timezone, "never", hours=self.user_time_format
                ),
            }
            for k in api_keys.list_keys(user, wid)
        ]

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        self.new_secret = ""
        if not self.is_workspace_admin:
            self.keys = []
            self.error = "Only workspace admins manage API keys."
            self.loading = False
            return
        first_load(self, me)

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def create(self, me: SignedIn, form: dict):
        created = api_keys.create_key(
            me.user, me.wid, form.get("name", ""), Role(form.get("role") or "editor")
        )
        self.error = ""
        self.new_secret = created.secret
        self.new_name = created.key.name
        self._refresh(me.user, me.wid)
        return rx.toast.success(f"Key “{created.key.name}” created. Copy it now.")

    @rx.event
    def dismiss_secret(self):
        self.new_secret = ""

    @rx.event
    @shows_errors
    @signed_in
    def revoke(self, me: SignedIn, key_id: str):
        try:
            api_keys.revoke_key(me.user, me.wid, uuid.UUID(key_id))
        except ValueError:
            return rx.toast.error("Key not found.")
        self._refresh(me.user, me.wid)
        return rx.toast.success("Key revoked: it stops working now.")
