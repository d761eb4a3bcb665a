"""Talking to the SMTP server: one connection, and what each answer means for a mail.

Without Flask: the worker decides what to write down, this module only says what happened.
A mail is handed over with the SMTP commands one by one (MAIL, RCPT, DATA), so a refusal
before the content is sent is known to be a refusal, and only a connection lost during the
DATA phase leaves the mail's fate unknown.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

from app.mail.settings import SmtpSettings

SENT, RETRY, FAILED, UNCERTAIN = "sent", "retry", "failed", "uncertain"


class SmtpSetupError(Exception):
    """The server could not be reached or would not let us in; nothing was handed over."""


@dataclass(frozen=True)
class Outcome:
    result: str  # SENT, RETRY, FAILED or UNCERTAIN
    detail: str = ""


def reply_text(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"[:400]


class Connection:
    """An SMTP session that opens on first use and is reused for the mails that follow."""

    def __init__(self, settings: SmtpSettings, local_hostname: str | None = None):
        self.settings = settings
        self.local_hostname = local_hostname
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def open(self) -> smtplib.SMTP:
        """Connect, secure and sign in, or raise SmtpSetupError saying which step failed."""
        if self.smtp is not None:
            return self.smtp
        s = self.settings
        context = ssl.create_default_context()
        step = f"connecting to {s.host}:{s.port}"
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context,
                    local_hostname=self.local_hostname,
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(
                    s.host, s.port, timeout=s.timeout, local_hostname=self.local_hostname
                )
            try:
                smtp.ehlo()
                if s.security == "starttls":
                    step = "starting TLS (STARTTLS)"
                    if not smtp.has_extn("starttls"):
                        raise SmtpSetupError(
                            f"{s.host}:{s.port} does not offer STARTTLS; use smtps:// for a "
                            "server that speaks TLS from the start, or ?tls=off for a relay "
                            "on this machine."
                        )
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if s.username:
                    step = f"signing in as {s.username}"
                    smtp.login(s.username, s.password or "")
            except BaseException:
                smtp.close()
                raise
        except SmtpSetupError:
            raise
        except smtplib.SMTPAuthenticationError as error:
            detail = reply_text(error.smtp_code, error.smtp_error)
            raise SmtpSetupError(
                f"The server refused the user name or password: {detail}"
            ) from None
        except ssl.SSLCertVerificationError as error:
            raise SmtpSetupError(
                f"The server's TLS certificate cannot be trusted ({error.verify_message})."
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise SmtpSetupError(f"Failed while {step}: {describe(error)}") from None
        self.smtp = smtp
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def send(self, message: EmailMessage, on_handover: Callable[[], bool]) -> Outcome:
        """Hand one message over; ``on_handover`` runs just before DATA and may call it off.

        Raises SmtpSetupError when the connection cannot even be opened.
        """
        smtp = self.open()
        sender = message["From"].addresses[0].addr_spec
        recipient = message["To"].addresses[0].addr_spec
        data = message.as_bytes(policy=SMTP)
        try:
            code, text = smtp.mail(sender)
            if code != 250:
                return self._refused(code, text, "the sender")
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(code, text, "the recipient")
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            lost = f"Connection lost before the mail was handed over: {describe(error)}"
            return Outcome(RETRY, lost)
        if not on_handover():
            self._reset()
            return Outcome(RETRY, "Another worker took this mail over.")
        try:
            code, text = smtp.data(data)
        except smtplib.SMTPDataError as error:  # DATA itself refused: nothing was sent
            self._reset()
            return self._classify(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return Outcome(
                UNCERTAIN,
                f"Connection lost while handing the mail over ({describe(error)}); the server "
                "may have it, so it is not sent again.",
            )
        if code == 250:
            return Outcome(SENT, reply_text(code, text))
        return self._classify(code, text)

    def _refused(self, code: int, text: bytes, who: str) -> Outcome:
        self._reset()
        outcome = self._classify(code, text)
        return Outcome(outcome.result, f"The server refused {who}: {outcome.detail}")

    @staticmethod
    def _classify(code: int, text: bytes | str) -> Outcome:
        # 4xx: try again later; 5xx: refused for good (RFC 5321 section 4.2.1).
        result = RETRY if 400 <= code < 500 or code == -1 else FAILED
        return Outcome(result, reply_text(code, text))

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None


def describe(error: BaseException) -> str:
    """A short, readable reason for a network or SMTP error."""
    if isinstance(error, socket.timeout | TimeoutError):
        return "the server did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the server running, on this port?)"
    if isinstance(error, socket.gaierror):
        return "the server's name cannot be resolved"
    if isinstance(error, smtplib.SMTPResponseException):
        return reply_text(error.smtp_code, error.smtp_error)
    return str(error) or type(error).__name__
