"""Activity page and Settings → Webhooks. Handlers call the same services as the REST API."""

from __future__ import annotations

import json
import uuid

import reflex as rx

from app.services import activity, posts, webhooks, workspaces
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState
from app.ui.state.settings import when_local

PAGE = 50
# The verb filter's choices: a value passed as the verb prefix, and its label.
VERB_FILTERS = {
    "all": "Everything",
    "post.": "Posts",
    "post.published": "Published",
    "post.failed": "Failed",
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
    keep = {k: v for k, v in details.items() if v not in (None, "", [], {}) and k != "api_key_id"}
    return ", ".join(f"{k}: {v}" for k, v in keep.items())[:300]


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

    def _fetch(self, more: bool = False) -> None:
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        try:
            page = activity.list_events(
                user,
                wid,
                verb=None if self.verb_filter == "all" else self.verb_filter,
                actor=None if self.actor_filter == "all" else self.actor_filter,
                subject_id=self.subject_filter or None,
                before=self.next_before if more and self.next_before else None,
                limit=PAGE,
            )
        except ServiceError as exc:
            self.error = exc.message
            return
        rows = [
            {
                "id": str(e.id),
                "when": when_local(e.created_at, self.user_timezone),
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
    def load(self):
        if self._user() is None:
            return self._login_redirect()
        self.subject_filter = self.router.url.query_parameters.get("subject", "")[:64]
        self.attempts, self.attempts_label = [], ""
        user, wid = self._user(), self._workspace_uuid()
        if user is not None and wid is not None:
            try:
                self.people = [
                    {"id": str(m.user_id), "name": m.full_name or m.email}
                    for m in workspaces.list_members(user, wid)
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
    def show_attempts(self, post_id: str, label: str):
        """The post's publish attempts (the audit trail), under the log."""
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        try:
            found = posts.list_attempts(user, wid, uuid.UUID(post_id))
        except (ValueError, ServiceError):
            self.attempts, self.attempts_label = [], ""
            return rx.toast.error("That post is no longer in this workspace.")
        self.attempts_label = label
        self.attempts = [
            {
                "started": when_local(a.started_at, self.user_timezone),
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

    def _refresh(self) -> None:
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        self.hooks = [
            {
                "id": str(h.id),
                "url": h.url,
                "events": ", ".join(h.events),
                "active": "yes" if h.active else "",
                "reason": h.disabled_reason or "",
                "failures": str(h.failure_count),
            }
            for h in webhooks.list_webhooks(user, wid)
        ]
        if self.open_hook:
            self._deliveries()

    def _deliveries(self) -> None:
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None or not self.open_hook:
            return
        self.deliveries = [
            {
                "id": str(d.id),
                "event": d.event,
                "status": d.status,
                "code": str(d.response_code or "—"),
                "attempts": str(d.attempts),
                "when": when_local(d.last_attempt_at or d.created_at, self.user_timezone),
                "error": d.error or d.response_excerpt,
                "payload": json.dumps(d.payload, indent=2)[:2000],
            }
            for d in webhooks.list_deliveries(user, wid, uuid.UUID(self.open_hook), 50)
        ]

    def _run(self, call, ok: str = ""):
        try:
            call()
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self._refresh()
        return rx.toast.success(ok) if ok else None

    @rx.event
    def load(self):
        if self._user() is None:
            return self._login_redirect()
        self.new_secret, self.open_hook, self.deliveries = "", "", []
        if not self.is_workspace_admin:
            self.hooks, self.loading = [], False
            self.error = "Only workspace admins manage webhooks."
            return
        self._run(lambda: None)
        self.loading = False

    @rx.event
    def toggle_event(self, verb: str, checked: bool):
        rest = [v for v in self.chosen if v != verb]
        self.chosen = [*rest, verb] if checked else rest

    @rx.event
    def create(self, form: dict):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        try:
            created = webhooks.create_webhook(
                user, wid, form.get("url", ""), list(self.chosen), form.get("description", "")
            )
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self.new_secret, self.new_url = created.secret, created.webhook.url
        self.chosen = ["*"]
        self._refresh()
        return rx.toast.success("Webhook added. Copy its signing secret now.")

    @rx.event
    def dismiss_secret(self):
        self.new_secret = ""

    @rx.event
    def set_active(self, hook_id: str, active: bool):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        return self._run(
            lambda: webhooks.update_webhook(user, wid, uuid.UUID(hook_id), active=active),
            "Webhook switched on." if active else "Webhook switched off.",
        )

    @rx.event
    def delete(self, hook_id: str):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        if self.open_hook == hook_id:
            self.open_hook, self.deliveries = "", []
        return self._run(
            lambda: webhooks.delete_webhook(user, wid, uuid.UUID(hook_id)), "Webhook deleted."
        )

    @rx.event
    def send_test(self, hook_id: str):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return
        self.open_hook = hook_id
        return self._run(
            lambda: webhooks.send_test(user, wid, uuid.UUID(hook_id)), "Test event queued."
        )

    @rx.event
    def show_deliveries(self, hook_id: str):
        self.open_hook = "" if self.open_hook == hook_id else hook_id
        self.deliveries = []
        return self._run(lambda: None)

    @rx.event
    def refresh(self):
        return self._run(lambda: None)

    @rx.event
    def redeliver(self, delivery_id: str):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None or not self.open_hook:
            return
        hook = uuid.UUID(self.open_hook)
        return self._run(
            lambda: webhooks.redeliver(user, wid, hook, uuid.UUID(delivery_id)),
            "Queued again.",
        )
