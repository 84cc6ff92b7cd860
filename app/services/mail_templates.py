"""The emails Herald sends, as plain text and HTML. Small on purpose: no template engine; every
value that comes from a person (names, workspace names, addresses) is escaped in the HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _html(heading: str, paragraphs: list[str], link: str = "", button: str = "") -> str:
    """A minimal HTML body: a heading, paragraphs (already escaped) and an optional button."""
    parts = [f"<h2 style='margin:0 0 16px;font-size:20px'>{escape(heading)}</h2>"]
    parts += [f"<p style='margin:0 0 12px'>{p}</p>" for p in paragraphs]
    if link:
        href = escape(link, quote=True)
        parts.append(
            f"<p style='margin:20px 0'><a href=\"{href}\" style='background:#3e63dd;color:#fff;"
            f"padding:10px 16px;border-radius:6px;text-decoration:none'>{escape(button)}</a></p>"
            f"<p style='margin:0 0 12px;font-size:12px;color:#666'>Or open this link: "
            f'<a href="{href}">{escape(link)}</a></p>'
        )
    body = "".join(parts)
    return (
        "<!doctype html><html><body style='font-family:system-ui,sans-serif;color:#1c2024;"
        "line-height:1.5'><div style='max-width:560px;margin:0 auto;padding:24px'>"
        f"{body}<p style='margin-top:24px;font-size:12px;color:#666'>Herald</p>"
        "</div></body></html>"
    )


def password_reset(name: str, link: str, minutes: int) -> Rendered:
    hello = f"Hello {name}," if name else "Hello,"
    text = (
        f"{hello}\n\nSomeone (hopefully you) asked to reset the password of your Herald "
        f"account. Open this link within {minutes} minutes to choose a new one:\n\n{link}\n\n"
        "It works once. Your other sessions will be signed out. If you did not ask, ignore "
        "this email: your password stays as it is.\n\nHerald\n"
    )
    html = _html(
        "Reset your password",
        [
            escape(hello),
            "Someone (hopefully you) asked to reset the password of your Herald account. "
            f"Open this link within {minutes} minutes to choose a new one.",
            "It works once. Your other sessions will be signed out. If you did not ask, ignore "
            "this email: your password stays as it is.",
        ],
        link,
        "Choose a new password",
    )
    return Rendered("Reset your Herald password", text, html)


def verify_email(name: str, link: str, hours: int) -> Rendered:
    hello = f"Hello {name}," if name else "Hello,"
    text = (
        f"{hello}\n\nPlease confirm that this is your email address by opening this link "
        f"(valid for {hours} hours):\n\n{link}\n\nIf you did not create a Herald account, "
        "ignore this email.\n\nHerald\n"
    )
    html = _html(
        "Confirm your email address",
        [
            escape(hello),
            f"Please confirm that this is your email address (the link is valid for {hours} "
            "hours).",
            "If you did not create a Herald account, ignore this email.",
        ],
        link,
        "Confirm my email",
    )
    return Rendered("Confirm your email address for Herald", text, html)


def invite(inviter: str, workspace: str, role: str, link: str, days: int) -> Rendered:
    text = (
        f'{inviter} invited you to the workspace "{workspace}" on Herald, as {role}.\n\n'
        f"Accept the invitation (valid for {days} days):\n\n{link}\n\nHerald\n"
    )
    html = _html(
        "You are invited",
        [
            f"{escape(inviter)} invited you to the workspace <strong>{escape(workspace)}"
            f"</strong> on Herald, as {escape(role)}.",
            f"The invitation is valid for {days} days.",
        ],
        link,
        "Accept the invitation",
    )
    return Rendered(f"{inviter} invited you to {workspace} on Herald", text, html)


def test_message(base_url: str) -> Rendered:
    text = f"This is a test email from Herald at {base_url}. Email works.\n\nHerald\n"
    html = _html(
        "Email works", [f"This is a test email from Herald at {escape(base_url)}."], "", ""
    )
    return Rendered("Herald test email", text, html)


def notification(title: str, body: str, link: str = "", button: str = "Open Herald") -> Rendered:
    """A generic notice (for notifications, approvals, webhooks failing...)."""
    text = f"{title}\n\n{body}\n\n{link}\n\nHerald\n" if link else f"{title}\n\n{body}\n\nHerald\n"
    paragraphs = [escape(p).replace("\n", "<br>") for p in body.split("\n\n") if p.strip()]
    return Rendered(title, text, _html(title, paragraphs, link, button if link else ""))
