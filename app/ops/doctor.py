"""`herald doctor`: what this deployment is made of, whether its pieces answer, and what a
public deployment still lacks. Exit status 1 when something is broken (✗), 0 otherwise."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from app.config import settings

OK, WARN, FAIL = "✓", "!", "✗"


@dataclass
class Report:
    lines: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, mark: str, topic: str, text: str) -> None:
        self.lines.append((mark, topic, text))

    def check(self, topic: str, probe: Callable[[], str]) -> None:
        """Run `probe`; its return value is the ✓ text, an exception the ✗ text."""
        try:
            self.add(OK, topic, probe())
        except Exception as exc:  # any failure is the finding
            self.add(FAIL, topic, f"{type(exc).__name__}: {exc}"[:300])

    @property
    def failed(self) -> bool:
        return any(mark == FAIL for mark, _, _ in self.lines)


def _registration_policy() -> str | None:
    """open / invite / closed: the environment, else what the admin stored, else the default;
    None when the database cannot say."""
    try:
        from app.services.instance_settings import registration

        return registration().policy
    except Exception:
        return settings.registration


def _email() -> str | None:
    """How email is set up (the environment, else what the admin stored); None when the
    database cannot say."""
    try:
        from app.services.mail import smtp_config

        config = smtp_config()
    except Exception:
        return None
    if not config.configured:
        return "off"
    return f"{config.host}:{config.port} ({config.security})"


def _settings(report: Report) -> None:
    report.add(OK, "base URL", settings.base_url + (" (local only)" * settings.local_only))
    report.add(
        OK,
        "database",
        "HERALD_DATABASE_URL" if settings.database_url else "embedded (make run only)",
    )
    report.add(OK, "redis", "HERALD_REDIS_URL" if settings.redis_url else "embedded")
    key = "HERALD_SECRET_KEY" if settings.secret_key.get_secret_value() else "generated file"
    report.add(OK, "secret key", key)
    report.add(
        OK,
        "media storage",
        settings.storage + (f" ({settings.s3_bucket})" * (settings.storage == "s3")),
    )
    report.add(OK, "sandbox", "on" if settings.sandbox_on else "off")
    report.add(OK, "registration", _registration_policy() or "unknown (database unreachable)")
    report.add(OK, "email", _email() or "unknown (database unreachable)")
    report.add(OK, "sentry", "on" if settings.sentry_dsn.get_secret_value() else "off")
    metrics = []
    if settings.metrics_token.get_secret_value():
        metrics.append("/metrics with token")
    if settings.metrics_port:
        metrics.append(f"port {settings.metrics_port}")
    report.add(OK, "metrics", ", ".join(metrics) or "off")


def _connectivity(report: Report) -> None:
    from sqlalchemy import text

    from app import db
    from app.redis_client import redis
    from app.services import health

    def database() -> str:
        with db.engine().connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())

    def redis_info() -> str:
        info = redis().info("server")
        persistence = redis().info("persistence")
        aof = "AOF on" if persistence.get("aof_enabled") else "AOF off"
        return f"Redis {info.get('redis_version')}, {aof}"

    def schema() -> str:
        from app.ops import migrations

        pending = migrations.pending()
        if pending:
            raise RuntimeError(f"{len(pending)} pending: run `herald migrate` ({pending[-1]})")
        return f"current ({migrations.current_revision()})"

    if settings.database_url:
        report.check("postgresql", lambda: f"PostgreSQL {database()}")
        report.check("migrations", schema)
    if settings.redis_url:
        report.check("redis", redis_info)
        checks = health.status()["checks"]
        for name in ("worker", "scheduler"):
            if checks[name]["ok"]:
                report.add(OK, name, f"{checks[name]['count']} alive")
            else:
                report.add(FAIL, name, checks[name]["error"])
    if settings.storage == "s3":

        def bucket() -> str:
            from app.storage import get_storage

            get_storage().client.head_bucket(Bucket=settings.s3_bucket)  # type: ignore[attr-defined]
            return f"bucket {settings.s3_bucket} reachable"

        report.check("s3", bucket)


def _public_gaps(report: Report) -> None:
    """What a deployment reachable from the internet should have and does not."""
    if settings.local_only:
        return
    gaps = []
    if not settings.base_url.startswith("https://"):
        gaps.append("HERALD_BASE_URL is not https: sessions travel in clear; put TLS in front")
    if not settings.secret_key.get_secret_value():
        gaps.append(
            "HERALD_SECRET_KEY unset: every node needs the same one (it is generated per data dir)"
        )
    if not settings.database_url or not settings.redis_url:
        gaps.append("embedded PostgreSQL/Redis: use real servers (backups, several nodes)")
    if settings.sandbox_on:
        gaps.append("sandbox mode is on: simulated networks are a demo; HERALD_SANDBOX=0")
    if _registration_policy() == "open":
        gaps.append("registration is open to anyone who finds the URL")
    if _email() == "off":
        gaps.append("no email (HERALD_SMTP_HOST): people who forget their password depend on you")
    if not settings.sentry_dsn.get_secret_value():
        gaps.append("no HERALD_SENTRY_DSN: errors are only in the logs")
    if not (settings.metrics_token.get_secret_value() or settings.metrics_port):
        gaps.append("no metrics: set HERALD_METRICS_TOKEN (or HERALD_METRICS_PORT) for Prometheus")
    if not any(os.environ.get(k) for k in os.environ if k.endswith("_CLIENT_ID")):
        gaps.append("no platform OAuth app in the environment (check Settings → Instance)")
    for gap in gaps:
        report.add(WARN, "public", gap)
    if not gaps:
        report.add(OK, "public", "nothing missing that doctor knows of")


def run() -> int:
    report = Report()
    _settings(report)
    _connectivity(report)
    _public_gaps(report)
    width = max(len(topic) for _, topic, _ in report.lines)
    for mark, topic, text in report.lines:
        print(f"{mark} {topic:<{width}}  {text}")
    return 1 if report.failed else 0
