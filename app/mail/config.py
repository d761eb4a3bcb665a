"""Checking the mail settings when the app starts, so a typo shows at once, not at 3 a.m."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address

from flask import Flask

from app.mail.settings import MailConfigError, SmtpSettings, parse_from, parse_smtp_url


@dataclass(frozen=True)
class MailSetup:
    smtp: SmtpSettings
    sender: Address


def init_app(app: Flask) -> None:
    """Read RUNGS_SMTP_URL and RUNGS_MAIL_FROM, or stop the app saying what is wrong."""
    url = app.config.get("SMTP_URL")
    if not url:
        app.extensions["rungs_mail"] = None  # mail is off: invitation links are shown only
        return
    smtp = parse_smtp_url(str(url))
    sender = parse_from(str(app.config.get("MAIL_FROM") or ""))
    if not app.config.get("BASE_URL"):
        raise MailConfigError(
            "RUNGS_SMTP_URL is set but RUNGS_BASE_URL is not: mails link back to Rungs, so "
            "give the address people open, like RUNGS_BASE_URL=https://rungs.example.com."
        )
    app.extensions["rungs_mail"] = MailSetup(smtp, sender)
