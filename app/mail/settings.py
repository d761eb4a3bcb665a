"""Reading the mail settings (RUNGS_SMTP_URL, RUNGS_MAIL_FROM) into checked values.

Plain functions and dataclasses, without Flask: the app checks them at start, and a mistake
stops it with a sentence that says what to write instead.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class MailConfigError(ValueError):
    """A mail setting that cannot work, with a message for the admin."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "ssl" (implicit TLS, smtps://) or "none" (?tls=off)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def describe(self) -> str:
        """Name the server without the password, for logs and the CLI."""
        user = f"{self.username}@" if self.username else ""
        return f"{user}{self.host}:{self.port} ({self.security})"


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read smtp://user:pass@host:587 (STARTTLS), smtps://... (TLS) or smtp://...?tls=off."""
    example = "smtp://user:password@mail.example.com:587 or smtps://...:465"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise MailConfigError(f"RUNGS_SMTP_URL cannot be read ({error}): {example}.") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise MailConfigError(
            f"RUNGS_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme or '(none)'}"
            f"://; write {example}."
        )
    if not parts.hostname:
        raise MailConfigError(f"RUNGS_SMTP_URL names no server; write {example}.")
    if parts.path not in ("", "/"):
        raise MailConfigError("RUNGS_SMTP_URL takes no path after the server and port.")
    options = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(options) - {"tls", "timeout"}
    if unknown:
        raise MailConfigError(
            f"RUNGS_SMTP_URL has unknown options {', '.join(sorted(unknown))}: "
            "only ?tls=off and ?timeout=SECONDS are understood."
        )
    security = "ssl" if parts.scheme == "smtps" else "starttls"
    if "tls" in options:
        if options["tls"] != "off" or parts.scheme == "smtps":
            raise MailConfigError("RUNGS_SMTP_URL: ?tls=off is the only tls option, on smtp://.")
        security = "none"
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if security == "none" and password and not _is_loopback(parts.hostname):
        raise MailConfigError(
            "RUNGS_SMTP_URL has ?tls=off and a password for a server that is not on this "
            "machine: the password would cross the network in clear. Use STARTTLS or smtps://."
        )
    timeout = 30.0
    if "timeout" in options:
        try:
            timeout = float(options["timeout"])
        except ValueError:
            timeout = 0.0
        if not 1 <= timeout <= 300:
            raise MailConfigError("RUNGS_SMTP_URL: ?timeout= takes seconds between 1 and 300.")
    return SmtpSettings(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        security=security,
        username=username,
        password=password,
        timeout=timeout,
    )


def parse_from(value: str) -> Address:
    """Read RUNGS_MAIL_FROM, "rungs@example.com" or "Rungs <rungs@example.com>"."""
    name, addr = parseaddr(value or "")
    if not addr or "@" not in addr or any(c in value for c in "\r\n"):
        raise MailConfigError(
            "RUNGS_MAIL_FROM must be the sender's address, like rungs@example.com or "
            f"'Rungs <rungs@example.com>'; it is {value!r}."
        )
    user, _, domain = addr.rpartition("@")
    if not user or "." not in domain:
        raise MailConfigError(f"RUNGS_MAIL_FROM: {addr!r} is not a complete email address.")
    return Address(display_name=name or "Rungs", username=user, domain=domain)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
