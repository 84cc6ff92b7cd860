"""Activity page and Settings → Webhooks. Handlers call the same services as the REST API."""

from __future__ import annotations

import json
import uuid

import reflex as rx

from app.services import activity, posts, webhooks, workspaces
from app.services.errors import ServiceError
from app.ui import format
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, guarded_event, shows_errors, signed_in, toggled

PAGE = 50
# The verb filter's choices: a value passed as the verb prefix, and its label.
VERB_FILTERS = {
    "all": "Everything",
    "post.": "Posts",
    "post.published": "Published",
    "post.failed": "Failed",
    "approval.": "Approvals",
    "account.": "Accounts",
    "member.": "Members",
    "invite.": "Invites",
    "webhook.": "Webhooks",
}


def _summary(details: dict) -> str:
    """One line of what the event's details say."""
    dests = details.get("destinations")
    if isinstance(dests, list):
        return ", ".join(
            f"{d.get('platform')} · {d.get('account')}: {d.get('status')}"
            + (f" ({d.get('error')})" if d.get("error") else "")
            for d in dests
            if isinstance(d, dict)
        )
    if isinstance(details.get("excerpt"), str):  # a comment: what it says
        return f"“{details['excerpt']}”"
    keep = {k: v for k, v in details.items() if v not in (None, "", [], {}) and k != "api_key_id"}
    return ", ".join(f"{k}: {v}" for k, v in keep.items())[:300]


# The webhook handlers: errors shown inline (and as toasts); nothing happens when signed out.
hook_event = guarded_event(inline="error", quiet=True)


class ActivityState(AuthState):
    events: list[dict[str, str]] = []
    verb_filter: str = "all"
    actor_filter: str = "all"  # "all", "herald" or a user id
    subject_filter: str = ""
    next_before: int = 0
    error: str = ""
    loading: bool = True
    attempts_label: str = ""
    attempts: list[dict[str, str]] = []
    people: list[dict[str, str]] = []

    @shows_errors(inline="error", toast=False)
    @signed_in(quiet=True)
    def _fetch(self, me: SignedIn, more: bool = False) -> None:
        page = activity.list_events(
            me.user,
            me.wid,
            verb=None if self.verb_filter == "all" else self.verb_filter,
            actor=None if self.actor_filter == "all" else self.actor_filter,
            subject_id=self.subject_filter or None,
            before=self.next_before if more and self.next_before else None,
            limit=PAGE,
        )
        rows = [
            {
                "id": str(e.id),
                "when": format.datetime_zone(
                    e.created_at, self.user_timezone, hours=self.user_time_format
                ),
                "actor": e.actor,
                "engine": "yes" if e.actor_id is None else "",
                "verb": e.verb,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "subject": e.subject_label or e.subject_id,
                "summary": _summary(e.details),
            }
            for e in page.items
        ]
        self.events = [*self.events, *rows] if more else rows
        self.next_before = page.next_before or 0
        self.error = ""

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        self.subject_filter = self.router.url.query_parameters.get("subject", "")[:64]
        self.attempts, self.attempts_label = [], ""
        try:
            self.people = [
                {"id": str(m.user_id), "name": m.full_name or m.email}
                for m in workspaces.list_members(me.user, me.wid)
            ]
        except ServiceError:
            self.people = []
        self._fetch()
        self.loading = False

    @rx.event
    def set_verb_filter(self, value: str):
        self.verb_filter = value if value in VERB_FILTERS else "all"
        self._fetch()

    @rx.event
    def set_actor_filter(self, value: str):
        self.actor_filter = value
        self._fetch()

    @rx.event
    def clear_subject(self):
        self.subject_filter = ""
        self._fetch()

    @rx.event
    def load_more(self):
        self._fetch(more=True)

    @rx.event
    @signed_in(quiet=True)
    def show_attempts(self, me: SignedIn, post_id: str, label: str):
        """The post's publish attempts (the audit trail), under the log."""
        try:
            found = posts.list_attempts(me.user, me.wid, uuid.UUID(post_id))
        except (ValueError, ServiceError):
            self.attempts, self.attempts_label = [], ""
            return rx.toast.error("That post is no longer in this workspace.")
        self.attempts_label = label
        self.attempts = [
            {
                "started": format.datetime_zone(
                    a.started_at, self.user_timezone, hours=self.user_time_format
                ),
                "outcome": a.outcome or "in progress",
                "http": str(a.http_status or ""),
                "error": a.error or "",
            }
            for a in found
        ]


class WebhooksState(AuthState):
    hooks: list[dict[str, str]] = []
    chosen: list[str] = ["*"]
    new_secret: str = ""
    new_url: str = ""
    error: str = ""
    loading: bool = True
    open_hook: str = ""
    deliveries: list[dict[str, str]] = []

    @rx.var
    def event_choices(self) -> list[str]:
        return ["*", *activity.VERBS]

    def _refresh(self, me: SignedIn, ok: str = ""):
        """Re-read the webhooks (and the open one's deliveries) after a change that went well."""
        self.error = ""
        self.hooks = [
            {
                "id": str(h.id),
                "url": h.url,
                "events": ", ".join(h.events),
                "active": "yes" if h.active else "",
                "reason": h.disabled_reason or "",
                "failures": str(h.failure_count),
            }
            for h in webhooks.list_webhooks(me.user, me.wid)
        ]
        if self.open_hook:
            self.deliveries = [
                {
                    "id": str(d.id),
                    "event": d.event,
                    "status": d.status,
                    "code": str(d.response_code or "—"),
                    "attempts": str(d.attempts),
                    "when": format.datetime_zone(
                        d.last_attempt_at or d.created_at,
                        self.user_timezone,
                        hours=self.user_time_format,
                    ),
                    "error": d.error or d.response_excerpt,
                    "payload": json.dumps(d.payload, indent=2)[:2000],
                }
                for d in webhooks.list_deliveries(me.user, me.wid, uuid.UUID(self.open_hook), 50)
            ]
        return rx.toast.success(ok) if ok else None

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def load(self, me: SignedIn):
        self.new_secret, self.open_hook, self.deliveries = "", "", []
        if not self.is_workspace_admin:
            self.hooks, self.loading = [], False
            self.error = "Only workspace admins manage webhooks."
            return
        self.loading = False
        self._refresh(me)

    @rx.event
    def toggle_event(self, verb: str, checked: bool):
        self.chosen = toggled(self.chosen, verb, checked)

    @hook_event
    def create(self, me: SignedIn, form: dict):
        created = webhooks.create_webhook(
            me.user, me.wid, form.get("url", ""), list(self.chosen), form.get("description", "")
        )
        self.new_secret, self.new_url = created.secret, created.webhook.url
        self.chosen = ["*"]
        return self._refresh(me, "Webhook added. Copy its signing secret now.")

    @rx.event
    def dismiss_secret(self):
        self.new_secret = ""

    @hook_event
    def set_active(self, me: SignedIn, hook_id: str, active: bool):
        webhooks.update_webhook(me.user, me.wid, uuid.UUID(hook_id), active=active)
        return self._refresh(me, "Webhook switched on." if active else "Webhook switched off.")

    @hook_event
    def delete(self, me: SignedIn, hook_id: str):
        if self.open_hook == hook_id:
            self.open_hook, self.deliveries = "", []
        webhooks.delete_webhook(me.user, me.wid, uuid.UUID(hook_id))
        return self._refresh(me, "Webhook deleted.")

    @hook_event
    def send_test(self, me: SignedIn, hook_id: str):
        self.open_hook = hook_id
        webhooks.send_test(me.user, me.wid, uuid.UUID(hook_id))
        return self._refresh(me, "Test event queued.")

    @hook_event
    def show_deliveries(self, me: SignedIn, hook_id: str):
        self.open_hook = "" if self.open_hook == hook_id else hook_id
        self.deliveries = []
        return self._refresh(me)

    @hook_event
    def refresh(self, me: SignedIn):
        return self._refresh(me)

    @hook_event
    def redeliver(self, me: SignedIn, delivery_id: str):
        if not self.open_hook:
            return None
        webhooks.redeliver(me.user, me.wid, uuid.UUID(self.open_hook), uuid.UUID(delivery_id))
        return self._refresh(me, "Queued again.")
