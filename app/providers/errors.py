"""The errors a provider raises. The worker decides what to do with one; the provider only says
what happened, and in particular whether a failed request may have reached the platform
(`TransientError.sent`), which is what the "never blindly retry" invariant hangs on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from app.net.outbound import short_message


class ProviderError(Exception):
    """Base of every error a provider raises. `message` is fit to show a user: whatever a
    foreign server put in it is reduced to one short line without markup."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        message = short_message(message)
        super().__init__(message)
        self.message = message
        self.status = status  # HTTP status, when there was a response
        self.code = code  # the platform's own error code, when it has one
        self.details = details or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status})"


class AuthError(ProviderError):
    """The token is expired, revoked or lacks a scope. Only this marks an account broken."""

    def __init__(self, message: str, *, refresh_may_help: bool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.refresh_may_help = refresh_may_help


class RateLimited(ProviderError):
    """The platform said "slow down"; try again at `retry_at` (UTC), not before."""

    def __init__(self, retry_at: datetime, message: str = "Rate limited", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_at = retry_at


class TransientError(ProviderError):
    """A failure that may go away.

    `sent=False`: nothing was created on the platform (the request never left, or the platform
    answered that it did nothing), so retrying is safe. `sent=True`: the outcome is unknown (5xx,
    timeout or dropped connection after the request was sent); check `find_recent` or rely on
    the platform's idempotency key before retrying.
    """

    def __init__(self, message: str, *, sent: bool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.sent = sent

    @staticmethod
    @contextmanager
    def nothing_created() -> Iterator[None]:
        """Around steps that create nothing on the platform (uploads, unpublished containers,
        reads): a TransientError they raise is marked not sent, since retrying them cannot
        duplicate a post."""
        try:
            yield
        except TransientError as exc:
            exc.sent = False
            raise


class PermanentError(ProviderError):
    """The platform refused the request (4xx); retrying the same request will not help."""

    def __init__(self, message: str, *, duplicate: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.duplicate = duplicate
