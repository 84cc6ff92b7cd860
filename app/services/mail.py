"""Email over SMTP: settings (environment > stored by the instance admin > default), the outbox,
and delivery on a worker.

Sending an email is writing a row to `email_outbox` in the same transaction as the action
(`send(s, ...)`); once that commits, a worker job sends it with `smtplib`. A temporary failure
(connection refused, timeout, 4xx) is retried with a doubling delay within a budget
(`mail_max_attempts`, and `mail_give_up_seconds` after it was written); a permanent one (5xx,
e.g. the recipient refused) fails at once. A repeated sweep sends whatever is due, so a lost
job or a worker that died mid-send delays an email, never drops it.

Without an SMTP host and From address nothing is written: `send` returns False and the caller
says what was not sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event, func, or_
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.crypto import decrypt, encrypt
from app.models import InstanceSetting, OutboxEmail, User, utcnow
from app.services import backoff, schedule
from app.services.access import require_instance_admin
from app.services.errors import InvalidInput, NotFound
from app.services.instance_settings import read_settings, store_settings
from app.services.mail_templates import Rendered, test_message
from app.services.views import copy_view

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "tls")
# name -> (settings field, key in instance_settings, secret)
SMTP_SETTINGS = {
    "host": ("smtp_host", "smtp.host", False),
    "port": ("smtp_port", "smtp.port", False),
    "username": ("smtp_username", "smtp.username", False),
    "password": ("smtp_password", "smtp.password", True),
    "from_addr": ("smtp_from", "smtp.from", False),
    "security": ("smtp_security", "smtp.security", False),
}
REQUIRE_VERIFIED_KEY = "mail.require_verified"
# Emails whose link is a credential: their body is dropped once sent (or failed for good).
SECRET_KINDS = frozenset({"reset", "verify", "invite"})


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    from_addr: str
    security: str
    timeout: float

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_addr)


def _plain(value: object) -> str:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


def _from_env(name: str) -> str | None:
    """The value given in the environment (or .env), or None when it was not given."""
    field = SMTP_SETTINGS[name][0]
    value = _plain(getattr(settings, field))
    default = _plain(type(settings).model_fields[field].default)
    given = f"HERALD_{field.upper()}" in {k.upper() for k in os.environ}
    return value if given or value != default else None


def _stored() -> dict[str, str]:
    return read_settings({key: name for name, (_, key, _) in SMTP_SETTINGS.items()}, "SMTP")


def smtp_config() -> SmtpConfig:
    """The SMTP settings in effect: environment > stored > default."""
    stored = _stored()

    def pick(name: str) -> str:
        env = _from_env(name)
        if env is not None:
            return env.strip()
        field = SMTP_SETTINGS[name][0]
        return (stored.get(name) or _plain(type(settings).model_fields[field].default)).strip()

    security = pick("security")
    return SmtpConfig(
        host=pick("host"),
        port=int(pick("port") or 587),
        username=pick("username"),
        password=pick("password"),
        from_addr=pick("from_addr"),
        security=security if security in SECURITY_MODES else "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


def configured() -> bool:
    """Whether Herald can send email (an SMTP host and a From address are set)."""
    return smtp_config().configured


def require_verified_email() -> bool:
    """The instance admin's choice: new accounts must confirm their email address."""
    # Every signed-in page asks (one statement: no transaction round trips, db.in_autocommit).
    row = db.in_autocommit(lambda s: s.get(InstanceSetting, REQUIRE_VERIFIED_KEY))
    return row is not None and row.value == "1"


# --------------------------------------------------------------------------- admin settings


class SmtpSettingsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    configured: bool = Field(description="An SMTP host and a From address are set.")
    host: str
    port: int
    username: str
    from_addr: str
    security: str = Field(description="none, starttls or tls")
    has_password: bool = Field(description="Whether a password is set; it is never returned.")
    sources: dict[str, str] = Field(description='Per setting: "env", "stored" or "default"')
    require_verified: bool = Field(description="New accounts must confirm their email.")
    pending: int = Field(description="Emails waiting to be sent (or retried).")
    failed: int = Field(description="Emails that could not be sent.")


def smtp_settings(user: User) -> SmtpSettingsView:
    require_instance_admin(user, "see the email settings")
    config, stored = smtp_config(), _stored()
    sources = {
        name: "env" if _from_env(name) is not None else "stored" if stored.get(name) else "default"
        for name in SMTP_SETTINGS
    }
    with db.session() as s:
        counts = dict(
            s.exec(
                select(OutboxEmail.status, func.count())
                .where(col(OutboxEmail.status).in_(("pending", "sending", "failed")))
                .group_by(OutboxEmail.status)
            ).all()
        )
    return copy_view(
        SmtpSettingsView,
        config,
        has_password=bool(config.password),
        sources=sources,
        require_verified=require_verified_email(),
        pending=int(counts.get("pending", 0)) + int(counts.get("sending", 0)),
        failed=int(counts.get("failed", 0)),
    )


def _invalid(message: str, field: str, code: str = "invalid_smtp") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def _clean(name: str, value: str) -> str:
    value = value.strip()
    if name == "host" and (len(value) > 253 or any(c.isspace() for c in value)):
        raise _invalid("Host must be a host name or IP address.", "host")
    if name == "port" and (not value.isdigit() or not 1 <= int(value) <= 65535):
        raise _invalid("Port must be a number from 1 to 65535.", "port")
    if name == "security" and value not in SECURITY_MODES:
        raise _invalid("Security must be none, starttls or tls.", "security")
    if name == "from_addr" and value:
        _, address = parseaddr(value)
        if "@" not in address or len(value) > 320 or "\n" in value or "\r" in value:
            raise _invalid('From must be an address, e.g. "Herald <herald@example.com>".', "from")
    if name == "username" and len(value) > 320:
        raise _invalid("Username is too long.", "username")
    if name == "password" and (len(value) > 1000 or "\n" in value):
        raise _invalid("That does not look like a password.", "password")
    return value


def save_smtp_settings(
    user: User,
    *,
    values: dict[str, str | int | None] | None = None,
    clear_password: bool = False,
    require_verified: bool | None = None,
) -> SmtpSettingsView:
    """Store SMTP settings. In `values` (host, port, username, password, from_addr, security)
    None leaves a setting as it is and "" removes the stored value; an empty password keeps
    the stored one (`clear_password` removes it). A setting given in the environment cannot
    be changed here."""
    require_instance_admin(user, "change the email settings")
    changes: dict[str, tuple[str, bool] | None] = {}
    for name, raw in (values or {}).items():
        if name not in SMTP_SETTINGS or raw is None:
            continue
        value = _clean(name, str(raw))
        field, key, secret = SMTP_SETTINGS[name]
        env = _from_env(name)
        if env is not None:
            if name != "password" and value != env:
                raise _invalid(
                    f"This is set in the environment (HERALD_{field.upper()}).",
                    name,
                    "setting_from_env",
                )
            continue
        if secret:
            if value:
                changes[key] = (encrypt(value), True)
            continue
        changes[key] = (value, False) if value else None
    if clear_password and _from_env("password") is None:
        changes[SMTP_SETTINGS["password"][1]] = None
    if require_verified is not None:
        changes[REQUIRE_VERIFIED_KEY] = ("1", False) if require_verified else None
    store_settings(changes, user)
    return smtp_settings(user)


def send_test(user: User, to: str = "") -> uuid.UUID:
    """Queue a test email (to `to`, or the admin's own address); see `outbox_status`."""
    require_instance_admin(user, "send a test email")
    to = (to or user.email).strip()
    if "@" not in parseaddr(to)[1] or len(to) > 320 or "\n" in to or "\r" in to:
        raise _invalid("Enter the address to send the test email to.", "to")
    if not configured():
        raise InvalidInput(
            "Email is not configured: set an SMTP host and a From address first.",
            code="smtp_not_configured",
        )
    with db.session() as s:
        outbox_id = send(s, to, test_message(settings.base_url), kind="test")
    assert outbox_id is not None
    return outbox_id


class OutboxView(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: uuid.UUID
    kind: str
    to_addr: str
    status: str = Field(description="pending, sending, sent or failed")
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def outbox_status(user: User, outbox_id: uuid.UUID | str) -> OutboxView:
    require_instance_admin(user, "see the outbox")
    try:
        key = outbox_id if isinstance(outbox_id, uuid.UUID) else uuid.UUID(outbox_id)
    except ValueError:
        raise NotFound("Email not found.") from None
    with db.session() as s:
        row = s.get(OutboxEmail, key)
    if row is None:
        raise NotFound("Email not found.")
    return OutboxView.model_validate(row)


# --------------------------------------------------------------------------- the outbox


def send(s: Session, to: str, message: Rendered, *, kind: str) -> uuid.UUID | None:
    """Write an email to the outbox in `s` (the caller's transaction); a worker sends it once
    the transaction commits. Returns its id, or None when email is not configured (nothing is
    written: tell the user what was not sent)."""
    if "\n" in to or "\r" in to or "@" not in parseaddr(to)[1]:
        raise InvalidInput("That is not an email address.", code="invalid_email")
    if not configured():
        return None
    row = OutboxEmail(
        kind=kind[:40],
        to_addr=to[:320],
        subject=message.subject[:300].replace("\n", " "),
        text_body=encrypt(message.text),  # links in them are credentials: encrypted at rest
        html_body=encrypt(message.html) if message.html else "",
    )
    s.add(row)
    s.flush()
    queued: list[uuid.UUID] = s.info.setdefault("herald_mail_queued", [])
    if not queued:
        event.listen(s, "after_commit", _queue_after_commit, once=True)
    queued.append(row.id)
    return row.id


def _queue_after_commit(s: Session) -> None:
    ids = s.info.pop("herald_mail_queued", [])
    for outbox_id in ids:
        try:
            schedule.schedule_mail(outbox_id)
        except Exception:  # Redis away: the sweep sends it
            log.warning("could not queue email %s; the outbox sweep will send it", outbox_id)


class _Temporary(Exception):
    pass


class _Permanent(Exception):
    pass


def _message(config: SmtpConfig, row: OutboxEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.from_addr
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    domain = parseaddr(config.from_addr)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(idstring=row.id.hex, domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(decrypt(row.text_body))
    if row.html_body:
        msg.add_alternative(decrypt(row.html_body), subtype="html")
    return msg


def _smtp_send(config: SmtpConfig, msg: EmailMessage) -> None:
    """One SMTP conversation, bounded by the timeout; errors classified for the retry."""
    context = ssl.create_default_context()
    try:
        if config.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            client.ehlo()
            if config.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if config.username:
                client.login(config.username, config.password)
            client.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{c} {m.decode(errors='replace')}" for c, m in exc.recipients.values())
        error = _Permanent if all(c >= 500 for c in codes) else _Temporary
        raise error(f"recipient refused: {detail}") from exc
    except smtplib.SMTPAuthenticationError as exc:  # fixable by the admin: retried
        raise _Temporary(f"SMTP authentication failed ({exc.smtp_code})") from exc
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        error = _Permanent if exc.smtp_code >= 500 else _Temporary
        raise error(f"SMTP {exc.smtp_code} {text}".strip()) from exc
    except (smtplib.SMTPException, OSError) as exc:  # refused, DNS, timeout, TLS, dropped
        raise _Temporary(f"{type(exc).__name__}: {exc}") from exc


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, capped."""
    return backoff.delay(
        attempts, settings.mail_retry_base_seconds, settings.mail_retry_max_seconds, jitter=False
    )


def _claim(outbox_id: uuid.UUID, now: dt.datetime) -> OutboxEmail | None:
    """Take a due email for sending (one worker at a time), or None."""
    with db.session() as s:
        row = s.exec(
            select(OutboxEmail)
            .where(
                OutboxEmail.id == outbox_id,
                or_(
                    (col(OutboxEmail.status) == "pending")
                    & (col(OutboxEmail.next_attempt_at) <= now),
                    (col(OutboxEmail.status) == "sending") & (col(OutboxEmail.locked_until) < now),
                ),
            )
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.status = "sending"
        row.attempts += 1
        row.locked_until = now + dt.timedelta(seconds=settings.smtp_timeout_seconds * 4 + 30)
        s.add(row)
        return row


def deliver(outbox_id: uuid.UUID) -> str:
    """Send one outbox email if it is due; returns what happened (sent, retry, failed, or
    "not due")."""
    now = utcnow()
    row = _claim(outbox_id, now)
    if row is None:
        return "not due"
    config = smtp_config()
    outcome, error, retry_at = "sent", "", None
    try:
        if not config.configured:
            raise _Temporary("email is not configured (no SMTP host or From address)")
        try:
            message = _message(config, row)
        except ValueError as exc:  # the encryption key changed since it was written
            raise _Permanent("cannot decrypt the email (encryption key changed?)") from exc
        _smtp_send(config, message)
    except _Permanent as exc:
        outcome, error = "failed", str(exc)
    except _Temporary as exc:
        error = str(exc)
        retry_at = utcnow() + dt.timedelta(seconds=retry_delay(row.attempts))
        deadline = row.created_at + dt.timedelta(seconds=settings.mail_give_up_seconds)
        spent = row.attempts >= settings.mail_max_attempts or retry_at > deadline
        outcome = "failed" if spent else "retry"
    with db.session() as s:
        fresh = s.get(OutboxEmail, row.id, with_for_update=True)
        if fresh is None:
            return "gone"
        fresh.locked_until = None
        fresh.last_error = error[:1000]
        if outcome == "sent":
            fresh.status, fresh.sent_at = "sent", utcnow()
        elif outcome == "failed":
            fresh.status = "failed"
        else:
            assert retry_at is not None
            fresh.status, fresh.next_attempt_at = "pending", retry_at
        if outcome != "retry" and fresh.kind in SECRET_KINDS:
            fresh.text_body = fresh.html_body = ""  # its link is nobody's business any more
        s.add(fresh)
    if outcome == "retry":
        log.warning("email %s (%s) not sent yet: %s; retrying", row.id, row.kind, error)
        try:
            assert retry_at is not None
            schedule.schedule_mail(row.id, retry_at)
        except Exception:
            log.warning("could not schedule the retry of email %s; the sweep will", row.id)
    elif outcome == "failed":
        log.error("email %s (%s) to %s failed: %s", row.id, row.kind, row.to_addr, error)
    return outcome


def sweep(limit: int = 200, budget_seconds: float = 50.0) -> dict[str, int]:
    """Send the emails that are due (retries whose job was lost, crashed sends), at most
    `limit` and for at most `budget_seconds`."""
    now = utcnow()
    deadline = time.monotonic() + budget_seconds
    with db.session() as s:
        ids = s.exec(
            select(OutboxEmail.id)
            .where(
                or_(
                    (col(OutboxEmail.status) == "pending")
                    & (col(OutboxEmail.next_attempt_at) <= now),
                    (col(OutboxEmail.status) == "sending") & (col(OutboxEmail.locked_until) < now),
                )
            )
            .order_by(col(OutboxEmail.next_attempt_at))
            .limit(limit)
        ).all()
    counts: dict[str, int] = {}
    for outbox_id in ids:
        if time.monotonic() > deadline:
            break
        outcome = deliver(outbox_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
