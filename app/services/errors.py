"""Typed service errors; the API turns them into `{"error": {"code", "message", "details"}}`.

A subclass names its HTTP status and error code in its header:
`class NotFound(ServiceError, status=404, code="not_found")`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

ChoiceT = TypeVar("ChoiceT", bound=StrEnum)


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidInput(ServiceError, status=422, code="invalid_input"): ...


class Unauthenticated(ServiceError, status=401, code="unauthenticated"): ...


class Forbidden(ServiceError, status=403, code="forbidden"): ...


class NotFound(ServiceError, status=404, code="not_found"): ...


class Conflict(ServiceError, status=409, code="conflict"): ...


class Gone(ServiceError, status=410, code="gone"): ...


class TooManyRequests(ServiceError, status=429, code="too_many_requests"):
    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def parse_choice(kind: type[ChoiceT], value: str, *, label: str, field: str) -> ChoiceT:
    """`value` as a member of `kind`, or InvalidInput (code `invalid_<field>`) naming the
    choices: "<label> must be one of a, b, c."."""
    try:
        return kind(value)
    except ValueError as exc:
        choices = ", ".join(kind)
        raise InvalidInput(
            f"{label} must be one of {choices}.",
            code=f"invalid_{field}",
            details={"field": field},
        ) from exc
