"""Writing mails to the outbox, in the caller's transaction: nothing is sent from a request."""

from __future__ import annotations

from email.utils import make_msgid

from flask import current_app, has_request_context, request, url_for

from app.clock import utcnow
from app.extensions import db
from app.mail.models import OutboxMail, Status

SUBJECT_MAX = 300


def configured() -> bool:
    """Tell whether this installation sends mail (RUNGS_SMTP_URL is set)."""
    return current_app.extensions.get("rungs_mail") is not None


def absolute(path: str) -> str:
    """Turn a path from url_for into an address people can open from a mail.

    RUNGS_BASE_URL when set (mail is refused at start without it), else the request's host.
    """
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://127.0.0.1:5000").rstrip("/") + path


def link(endpoint: str, **values) -> str:
    """The absolute address of an endpoint, for a mail, with or without a request (CLI)."""
    if has_request_context():
        return absolute(url_for(endpoint, **values))
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        return absolute(url_for(endpoint, **values))


def enqueue(
    to_address: str,
    subject: str,
    text: str,
    html: str,
    *,
    kind: str,
    headers: dict[str, str] | None = None,
    sensitive: bool = False,
) -> OutboxMail | None:
    """Add a mail to the outbox; the caller's commit writes it with the change it tells of.

    Returns None, writing nothing, when mail is not configured: mails kept for a server set
    up weeks later would arrive stale.
    """
    if not configured():
        return None
    sender = current_app.extensions["rungs_mail"].sender
    row = OutboxMail(
        kind=kind,
        to_address=to_address,
        subject=" ".join(subject.split())[:SUBJECT_MAX],
        text_body=text,
        html_body=html,
        headers=headers or {},
        message_id=make_msgid(domain=sender.domain),
        sensitive=sensitive,
        status=Status.PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    return row
