"""Email addresses as Herald stores and compares them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from app.services.errors import InvalidInput


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"Enter a valid email address ({exc}).",
            code="invalid_email",
            details={"field": "email"},
        ) from exc
