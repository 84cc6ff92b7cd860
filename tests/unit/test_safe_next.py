"""Where the sign-in page may send people afterwards: same-origin relative paths only."""

from __future__ import annotations

import pytest

from app.ui.state.auth import safe_next


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/calendar", "/calendar"),
        ("/calendar?view=month#today", "/calendar?view=month#today"),
        ("/invite/abcDEF123_-", "/invite/abcDEF123_-"),
        ("/settings/", "/settings/"),
        ("/a/./b/../c", "/a/c"),
        ("/a/../../x", "/x"),
        ("///evil.example", "/evil.example"),  # collapsed into a path on our origin
        ("//evil.example", "/"),
        ("/\t/evil.example", "/"),  # what /%09/evil.example arrives as
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/\u3000/evil.example", "/"),
        ("/\x00/x", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("", "/"),
    ],
)
def test_safe_next(given: str, expected: str) -> None:
    assert safe_next(given) == expected
