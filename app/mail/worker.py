"""Sending the outbox: claim one mail at a time, hand it over, write down what happened.

Several workers may run at once (a thread in each app server, a systemd timer): a mail is
claimed with a conditional UPDATE, so exactly one of them gets it. A claim is a lease; a mail
whose worker died before handing it over is claimed again when the lease runs out. Once the
hand-over has begun (status HANDING) the mail is never sent again: if the worker dies then,
the mail is marked UNCERTAIN for the admin to look at, since sending twice is worse.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from app.clock import utcnow
from app.extensions import db
from app.mail import message
from app.mail.models import OutboxMail, Status
from app.mail.sender import RETRY, SENT, UNCERTAIN, Connection, Outcome, SmtpSetupError

LEASE = timedelta(minutes=10)  # far longer than a hand-over can take (timeouts are 30 s)
MAX_ATTEMPTS = 10  # with the backoff below, about a day and a half of trying
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
KEEP_FINISHED = timedelta(days=30)
REMOVED = "(Removed once sent: this mail held a one-time link.)"


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, 8... minutes after each failed try, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_WAIT)


@dataclass
class Report:
    configured: bool = True
    sent: int = 0
    retry: int = 0
    failed: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.configured:
            return "Mail is not configured (RUNGS_SMTP_URL): nothing sent."
        parts = [f"{self.sent} sent", f"{self.retry} to retry", f"{self.failed} failed"]
        if self.uncertain:
            parts.append(f"{self.uncertain} uncertain")
        return "Mail: " + ", ".join(parts) + "."


def _claimable(now):
    return or_(
        and_(OutboxMail.status == Status.PENDING, OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.status == Status.CLAIMED, OutboxMail.lease_until < now),
    )


def claim_next() -> OutboxMail | None:
    """Take the next due mail for this worker, or None; each mail goes to one worker only."""
    now = utcnow()
    candidates = db.session.scalars(
        select(OutboxMail.id)
        .where(_claimable(now))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(10)
    ).all()
    db.session.commit()
    for mail_id in candidates:
        token = secrets.token_hex(16)
        # The condition is checked again inside the UPDATE: on PostgreSQL a second worker
        # waits for the first one's row lock and then finds the row no longer claimable;
        # on SQLite writes take turns (BEGIN IMMEDIATE).
        claimed = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, _claimable(now))
            .values(
                status=Status.CLAIMED,
                claim_token=token,
                lease_until=now + LEASE,
                attempts=OutboxMail.attempts + 1,
            )
        ).rowcount
        db.session.commit()
        if claimed == 1:
            return db.session.get(OutboxMail, mail_id, populate_existing=True)
    return None


def mark_handing(row: OutboxMail) -> bool:
    """Write down that the hand-over starts; False if this worker's claim was lost."""
    changed = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == row.id,
            OutboxMail.claim_token == row.claim_token,
            OutboxMail.status == Status.CLAIMED,
        )
        .values(status=Status.HANDING)
    ).rowcount
    db.session.commit()
    return changed == 1


def record(row: OutboxMail, outcome: Outcome) -> str:
    """Write down what happened to a claimed mail; return the status it ends with."""
    now = utcnow()
    values: dict = {"claim_token": None, "lease_until": None, "last_error": outcome.detail[:500]}
    if outcome.result == SENT:
        values.update(status=Status.SENT, sent_at=now, last_error="")
    elif outcome.result == RETRY and row.attempts < MAX_ATTEMPTS:
        values.update(status=Status.PENDING, next_attempt_at=now + backoff(row.attempts))
    elif outcome.result == RETRY:
        values.update(
            status=Status.FAILED,
            last_error=f"Gave up after {row.attempts} tries: {outcome.detail}"[:500],
        )
    elif outcome.result == UNCERTAIN:
        values.update(status=Status.UNCERTAIN)
    else:
        values.update(status=Status.FAILED)
    if row.sensitive and values["status"] != Status.PENDING:
        values.update(text_body=REMOVED, html_body=f"<p>{REMOVED}</p>")
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == row.id, OutboxMail.claim_token == row.claim_token)
        .values(**values)
    )
    db.session.commit()
    log = current_app.logger.info if values["status"] == Status.SENT else current_app.logger.warning
    log("Mail %s (%s) to %s: %s %s", row.id, row.kind, row.to_address, values["status"],
        outcome.detail)  # fmt: skip
    return values["status"]


def abandon_stale_handovers() -> int:
    """Mark mails whose worker died during the hand-over as uncertain: never sent twice."""
    now = utcnow()
    count = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.status == Status.HANDING, OutboxMail.lease_until < now)
        .values(
            status=Status.UNCERTAIN,
            claim_token=None,
            last_error="A worker stopped while handing this mail to the SMTP server; it may "
            "have arrived, so it is not sent again.",
        )
    ).rowcount
    db.session.commit()
    return count


def send_pending(limit: int = 200) -> Report:
    """Send what is due, up to ``limit`` mails, over one SMTP connection."""
    setup = current_app.extensions.get("rungs_mail")
    if setup is None:
        return Report(configured=False)
    report = Report(uncertain=abandon_stale_handovers())
    with Connection(setup.smtp) as connection:
        for _ in range(limit):
            row = claim_next()
            if row is None:
                break
            try:
                outcome = connection.send(
                    message.build(row, setup.sender), lambda row=row: mark_handing(row)
                )
            except SmtpSetupError as error:
                # The server is unreachable or refuses us: every other mail would fail the
                # same way, so this one waits its turn and the run stops here.
                status = record(row, Outcome(RETRY, str(error)))
                report.errors.append(str(error))
                _count(report, status)
                break
            _count(report, record(row, outcome))
    return report


def _count(report: Report, status: str) -> None:
    if status == Status.SENT:
        report.sent += 1
    elif status == Status.PENDING:
        report.retry += 1
    elif status == Status.UNCERTAIN:
        report.uncertain += 1
    else:
        report.failed += 1


def purge() -> int:
    """Forget finished mails after 30 days."""
    finished = (Status.SENT, Status.FAILED, Status.UNCERTAIN)
    count = db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.status.in_(finished), OutboxMail.created_at < utcnow() - KEEP_FINISHED
        )
    ).rowcount
    db.session.commit()
    return count
