"""The outbox: mails written in the transaction of the change they tell about, sent later."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class Status(StrEnum):
    PENDING = "pending"  # waiting for its first try, or for the next one after a failure
    CLAIMED = "claimed"  # a worker took it and has not yet handed it to the SMTP server
    HANDING = "handing"  # a worker is handing it over: the server may already have it
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of tries
    UNCERTAIN = "uncertain"  # the worker stopped mid-hand-over; never retried, never twice


class OutboxMail(db.Model):
    """One mail to one person, with its parts rendered when it was written."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Extra headers such as List-Unsubscribe, decided when the mail was written.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Fixed when written, so a mail a server somehow got twice still reads as one.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    # Bodies holding a one-time link are blanked once the mail is out of our hands.
    sensitive: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
