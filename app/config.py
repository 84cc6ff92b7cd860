"""Settings: every value comes from an env var `HERALD_<NAME>` or `.env`; one instance.

When no secret key is configured, one is generated on first run and kept in
`<data_dir>/secret_key` so sessions and encrypted tokens survive restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HERALD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Where embedded services, the generated secret key and local media live.
    data_dir: Path = ROOT / "data"
    # Public URL of the web app (invite links, OAuth callbacks). Empty: http://localhost:<port>.
    base_url: str = ""
    port: int = 3000
    # Empty: `make run` starts an embedded PostgreSQL / Redis under data_dir.
    database_url: str = ""
    redis_url: str = ""
    # Fernet keys (comma separated, first one encrypts). Empty: derived from secret_key.
    secret_key: SecretStr = SecretStr("")
    encryption_keys: SecretStr = SecretStr("")
    session_days: int = 30
    invite_days: int = 7
    # Login throttling. Per email and IP: this many failures are free, then each attempt waits
    # twice as long as the previous one (1 s, 2 s, 4 s...) up to login_max_delay_seconds. Per IP:
    # at most login_max_failures_per_ip failures (any emails) per window.
    login_free_failures: int = 3
    login_max_delay_seconds: int = 900
    login_max_failures_per_ip: int = 30
    login_window_seconds: int = 900
    # Who may create an account after the first (the instance admin): open, invite, closed.
    # Unset: the instance admin's choice in Settings → Instance; by default open on a loopback
    # base URL, invite-only elsewhere.
    registration: Literal["open", "invite", "closed"] | None = None
    # Registrations (attempts) per IP per hour.
    register_per_ip_per_hour: int = 10
    # Worker processes (`make run`, `python -m app.cli worker`); one per core is plenty, because
    # each runs many publishes at once (worker_concurrency threads).
    workers: int = 2
    # Jobs in flight per worker process: publishes wait on the network, not on the CPU.
    worker_concurrency: int = 64
    # Of those, jobs of the media lane (posts with video: long uploads) at most; short posts
    # always keep worker_concurrency - worker_media_concurrency slots.
    worker_media_concurrency: int = 8
    # Web server processes (Granian workers behind Reflex).
    web_workers: int = 2
    # A post overdue by more than this is marked missed instead of published late.
    missed_grace_seconds: int = 900
    # Publish attempts before a destination fails when errors keep being transient.
    max_attempts: int = 5
    # First retry delay; doubles each attempt (with jitter) up to retry_max_seconds.
    retry_base_seconds: float = 5.0
    retry_max_seconds: float = 300.0
    # Platforms list a new post in the account's timeline after a moment: an unclear outcome
    # is checked no sooner than this (and later with the retry backoff).
    verify_delay_seconds: float = 10.0
    # A destination still not published this long after its scheduled time fails (outages,
    # rate limits and retries all end here at the latest).
    give_up_after_seconds: int = 6 * 3600
    # Circuit breaker: after this many consecutive 5xx/timeouts from one platform (or one
    # account, or one federated server) Herald stops sending there for a cool-down, then sends
    # one probe; the cool-down doubles while probes keep failing, up to the maximum.
    breaker_threshold: int = 3
    breaker_cooldown_seconds: float = 10.0
    breaker_max_cooldown_seconds: float = 20.0
    # How often the reconcile job rebuilds the schedule from PostgreSQL.
    reconcile_seconds: int = 60
    token_refresh_seconds: int = 300
    metrics_sync_seconds: int = 3600
    # rq-scheduler poll interval (seconds).
    scheduler_interval: float = 1.0
    # Read timeout of calls to platforms; a publish that times out has an unknown outcome.
    http_timeout_seconds: float = 30.0
    # Guarded outbound requests (URLs users or foreign servers influence): hosts, IPs or
    # networks (optionally :port) allowed although private or loopback, e.g. a simulator.
    outbound_allow: str = ""
    # Connect timeout, and the longest an answer's body may take to arrive, of those requests.
    outbound_connect_seconds: float = 5.0
    outbound_body_seconds: float = 60.0
    # AI captions: an OpenAI API key; without it (and without openai_base_url) the feature is off.
    openai_api_key: SecretStr = SecretStr("")
    # Any OpenAI-compatible server (Ollama, vLLM, LM Studio), e.g. http://localhost:11434/v1.
    openai_base_url: str = ""
    # Chat model asked for captions.
    openai_model: str = "gpt-4o-mini"
    # Timeout of one request to the AI server.
    openai_timeout_seconds: float = 30.0
    # Caption generations allowed per workspace per hour (token bucket); 0 = unlimited.
    ai_requests_per_hour: int = 60
    # JSON overrides of publish budgets, e.g. {"mastodon": {"account": [300, 10800]}}.
    rate_budgets: str = ""
    log_level: str = "INFO"
    # "text" for people, "json" (one object per line) for log collectors.
    log_format: Literal["text", "json"] = "text"
    # Prometheus: /metrics on the web port answers only `Authorization: Bearer <token>`;
    # empty: not served there. metrics_port > 0 also serves it without a token on that port
    # (every role; for a private network, e.g. a worker container).
    metrics_token: SecretStr = SecretStr("")
    metrics_port: int = 0
    # Errors of web, API, workers and scheduler go to Sentry when a DSN is set.
    sentry_dsn: SecretStr = SecretStr("")
    sentry_environment: str = "production"
    # Share of requests and jobs traced for Sentry performance (0 = errors only).
    sentry_traces_sample_rate: float = 0.0
    # Sandbox mode: a "Sandbox" connection for every network, served by the platform simulator,
    # so a newcomer can connect, schedule and watch a post publish with no account anywhere.
    # Unset: on only when base_url is loopback (a local `make run`).
    sandbox: bool | None = None
    # The simulator's address (only Herald talks to it). Empty: `make run` starts one on
    # sandbox_bind:sandbox_port.
    sandbox_url: str = ""
    sandbox_port: int = 8900
    sandbox_bind: str = "127.0.0.1"
    # Shared secret of Herald and its sandbox simulator (the simulator's control and inspection
    # endpoints need it). Empty: derived from secret_key.
    sandbox_secret: SecretStr = SecretStr("")
    # Other origins (besides base_url's) allowed to call the API with credentials (CORS) and to
    # open the UI's websocket, comma separated, e.g. https://admin.example.com.
    cors_origins: str = ""
    # Reverse proxies (IPs or networks, comma separated) whose X-Forwarded-For names the client;
    # empty: the connecting address is the client.
    trusted_proxies: str = ""
    # Secure cookies need HTTPS; on by default when base_url is https.
    cookie_secure: bool | None = Field(default=None)
    # Plans and prices: "off" (a self-hosted instance: every workspace unlimited, no prices
    # shown) or "on" (operators who sell plans: tiers and their limits apply).
    billing: Literal["on", "off"] = "off"

    @field_validator("billing", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        """Also take the usual spellings of a switch (true/1/yes, false/0/no)."""
        text = str(value).strip().lower()
        return {"true": "on", "1": "on", "yes": "on", "false": "off", "0": "off", "no": "off"}.get(
            text, text
        )

    # Plan tier of new workspaces when billing is on (free, pro, business). There is no payment
    # integration: the tier is a workspace setting.
    default_tier: Literal["free", "pro", "business"] = "free"
    # Who switches a workspace's plan: its admins (as on Buffer) or only the instance admin
    # (operators who sell plans outside Herald).
    plan_changes: Literal["workspace_admin", "instance_admin"] = "workspace_admin"
    # Media storage: "local" (files under data_dir/media) or "s3" (any S3-compatible endpoint).
    storage: Literal["local", "s3"] = "local"
    # S3 bucket (private) holding the media.
    s3_bucket: str = ""
    # S3 endpoint (MinIO, R2, ...). Empty: AWS.
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    # S3 credentials. Empty: boto3's default chain (env, profile, instance role).
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    # Path-style addressing (endpoint/bucket/key), needed by MinIO and most self-hosted S3.
    s3_path_style: bool = False
    # Size caps per kind of media, in bytes.
    media_max_image_bytes: int = 20 * 1024 * 1024
    media_max_video_bytes: int = 1024 * 1024 * 1024
    # Allowed media types (comma-separated MIME types), checked against the sniffed bytes.
    media_types: str = (
        "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/quicktime,video/webm"
    )
    # Lifetime of presigned GET URLs (thumbnails, workers, platforms that pull media by URL).
    media_url_seconds: int = 3600
    # Lifetime of a presigned upload; one not confirmed within an hour after is deleted.
    media_upload_seconds: int = 900
    # Uploads one user may start per hour (presigned links handed out); 0 = unlimited.
    media_uploads_per_hour: int = 200
    # How often uploads never confirmed are swept (object and record deleted).
    upload_sweep_seconds: int = 600
    # Outgoing webhooks: how often due deliveries are swept, how many tries a delivery gets
    # (exponential backoff from webhook_retry_base_seconds, within webhook_deadline_seconds of
    # the event), the request timeout, and after how many consecutive failed attempts a
    # webhook is switched off.
    webhook_sweep_seconds: int = 10
    webhook_max_attempts: int = 6
    webhook_retry_base_seconds: float = 60.0
    webhook_deadline_seconds: float = 3600.0
    webhook_timeout_seconds: float = 10.0
    webhook_disable_after: int = 10
    # Finished deliveries are kept this long in the delivery log (the activity log stays).
    webhook_log_days: int = 30

    # Email over SMTP (password reset, invites, verification, notifications). Empty host: no
    # email; the instance admin may also set these in Settings → Instance (the environment
    # wins). security: "starttls" (port 587), "tls" (implicit TLS, port 465) or "none".
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    # The From address, e.g. "Herald <herald@example.com>".
    smtp_from: str = ""
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    # Connect/read timeout of one SMTP conversation.
    smtp_timeout_seconds: float = 20.0
    # A mail that fails with a temporary error is retried this many times in all, the first
    # retry after mail_retry_base_seconds, doubling up to mail_retry_max_seconds; it fails for
    # good after the attempts or mail_give_up_seconds after it was written, whichever is first.
    mail_max_attempts: int = 6
    mail_retry_base_seconds: float = 30.0
    mail_retry_max_seconds: float = 1800.0
    mail_give_up_seconds: int = 24 * 3600
    # How often the outbox is swept for mails due (retries, or ones whose job was lost).
    mail_sweep_seconds: int = 60
    # How often notification emails are sent (immediate ones) and digests checked for.
    notify_sweep_seconds: int = 15
    # Notifications older than this (their email sent) are deleted; the activity log keeps events.
    notify_keep_days: int = Field(default=90, ge=1)
    # Forgot-password requests per IP per hour, and mails sent per email address per hour.
    forgot_per_ip_per_hour: int = 10
    forgot_per_email_per_hour: int = 3
    # Lifetime of a password reset link sent by email, and of an email verification link.
    reset_link_minutes: int = 60
    verify_link_hours: int = 48

    def model_post_init(self, _context: object) -> None:
        if not self.base_url:
            self.base_url = f"http://localhost:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        self.sandbox_url = self.sandbox_url.rstrip("/")

    @cached_property
    def resolved_secret_key(self) -> str:
        value = self.secret_key.get_secret_value()
        if value:
            return value
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key

    @property
    def local_only(self) -> bool:
        """The base URL is on this machine (localhost, 127.0.0.1, ::1): a developer's `make run`."""
        host = urlsplit(self.base_url).hostname or ""
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def sandbox_on(self) -> bool:
        """Sandbox mode: as HERALD_SANDBOX says; unset, only where it is safe (a loopback base
        URL, i.e. a local `make run`)."""
        return self.sandbox if self.sandbox is not None else self.local_only

    @cached_property
    def resolved_sandbox_secret(self) -> str:
        value = self.sandbox_secret.get_secret_value()
        if value:
            return value
        key = self.resolved_secret_key.encode()
        return hmac.new(key, b"herald-sandbox-secret", hashlib.sha256).hexdigest()

    @property
    def allowed_origins(self) -> list[str]:
        """Origins of Herald's own pages (and the configured others): CORS with credentials,
        the websocket's Origin check, the cross-site check of cookie mutations. A loopback base
        URL also allows its loopback aliases on the same port."""
        parts = urlsplit(self.base_url)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        if self.local_only:
            port = f":{parts.port}" if parts.port else ""
            for host in ("localhost", "127.0.0.1", "[::1]"):
                origins.append(f"{parts.scheme}://{host}{port}")
        origins += [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]
        return list(dict.fromkeys(origins))

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.startswith("https://")


settings = Settings()
