"""RQ jobs: thin entry points into the services (the engine lives in app.services.publishing).

Job functions take plain strings so a job survives any serialisation.
"""

from __future__ import annotations

import logging
import uuid

from app.services import accounts, mail, media, metrics, notifications, publishing, webhooks
from app.services import reconcile as reconcile_service

logging.getLogger("app").setLevel(logging.INFO)


def ping() -> str:
    """A no-op job: proves that a worker picks up work (used by smoke tests)."""
    return "pong"


def publish(destination_id: str) -> str:
    return publishing.publish(uuid.UUID(destination_id))


def check(destination_id: str) -> str:
    return publishing.check(uuid.UUID(destination_id))


def verify(destination_id: str) -> str:
    return publishing.verify(uuid.UUID(destination_id))


def reconcile() -> dict[str, int]:
    return reconcile_service.run()


def refresh_tokens() -> dict[str, int]:
    return accounts.refresh_due_accounts()


def sync_metrics() -> dict[str, int]:
    return metrics.sync()


def sync_workspace_metrics(workspace_id: str) -> dict[str, int]:
    """ "Sync now" of one workspace (app.services.metrics.request_sync)."""
    return metrics.sync(workspace_id=uuid.UUID(workspace_id))


def sweep_uploads() -> int:
    """Delete uploads never confirmed (app.services.media.sweep_uploads)."""
    return media.sweep_uploads()


def send_mail(outbox_id: str) -> str:
    """Send one outbox email (app.services.mail.deliver)."""
    return mail.deliver(uuid.UUID(outbox_id))


def sweep_mail() -> dict[str, int]:
    """Send the outbox emails that are due (retries, lost jobs)."""
    return mail.sweep()


def deliver_webhooks() -> dict[str, int]:
    """Send the webhook deliveries that are due (app.services.webhooks.deliver_due)."""
    return webhooks.deliver_due()


def send_notifications() -> dict[str, int]:
    """Notification emails due now and digests (app.services.notifications.sweep)."""
    return notifications.sweep()
