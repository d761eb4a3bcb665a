"""`flask mail test EMAIL`, `flask mail send-pending` and `flask mail status`."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import click
from flask import Flask, current_app, render_template
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.auth.forms import EMAIL_RE
from app.extensions import db
from app.mail.models import OutboxMail, Status
from app.mail.sender import SENT, Connection, SmtpSetupError

mail = AppGroup("mail", help="Send and check email.")


def base_url() -> str:
    return current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")


@mail.command("test")
@click.argument("email")
def test(email):
    """Send a test mail to EMAIL now, bypassing the outbox, and say what the server said."""
    setup = current_app.extensions.get("rungs_mail")
    if setup is None:
        click.echo("Error: mail is off; set RUNGS_SMTP_URL and RUNGS_MAIL_FROM.", err=True)
        sys.exit(1)
    if not EMAIL_RE.match(email.strip()):
        click.echo(f"Error: {email!r} is not an email address.", err=True)
        sys.exit(1)
    context = {"base": base_url(), "server": setup.smtp.describe(), "title": "Rungs test mail"}
    message = EmailMessage()
    message["From"] = setup.sender
    message["To"] = email.strip()
    message["Subject"] = "Rungs test mail"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=setup.sender.domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template("mail/test.txt", **context))
    message.add_alternative(render_template("mail/test.html", **context), subtype="html")
    click.echo(f"Sending a test mail to {email.strip()} through {setup.smtp.describe()}...")
    try:
        with Connection(setup.smtp) as connection:
            outcome = connection.send(message, lambda: True)
    except SmtpSetupError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    if outcome.result != SENT:
        click.echo(f"Error: the server did not take the mail: {outcome.detail}", err=True)
        sys.exit(1)
    click.echo(f"Sent: the server answered {outcome.detail}")


@mail.command("send-pending")
def send_pending():
    """Build due digests, send the outbox, and forget old mails and notifications."""
    from app import worker

    summary = worker.run_once()
    click.echo(summary.text())
    if summary.mail.errors:
        click.echo(f"Error: {summary.mail.errors[0]}", err=True)
        sys.exit(1)


@mail.command("status")
def status():
    """Count the outbox's mails by status and show the latest problems."""
    counts = dict(
        db.session.execute(
            select(OutboxMail.status, func.count()).group_by(OutboxMail.status)
        ).all()
    )
    click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in Status))
    problems = db.session.scalars(
        select(OutboxMail)
        .where(
            OutboxMail.status.in_([Status.FAILED, Status.UNCERTAIN, Status.PENDING]),
            OutboxMail.last_error != "",
        )
        .order_by(OutboxMail.id.desc())
        .limit(10)
    ).all()
    for row in problems:
        click.echo(
            f"#{row.id} {row.status} to {row.to_address} ({row.kind}, {row.attempts} tries): "
            f"{row.last_error}"
        )


def init_app(app: Flask) -> None:
    """Register the mail commands."""
    app.cli.add_command(mail)
