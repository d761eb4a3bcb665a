"""Sending through the outbox to a real SMTP server on 127.0.0.1: arrives once, or says why."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from helpers import MailServer, sign_in
from sqlalchemy import select, update

from app import worker
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.mail import outbox
from app.mail.models import OutboxMail, Status
from app.mail.worker import LEASE, MAX_ATTEMPTS, REMOVED


def run_worker(app):
    with app.app_context():
        return worker.run_once()


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return found


def invite(client, email="new@example.com", name="Nia New"):
    return client.post("/admin/users", data={"email": email, "name": name, "role": "engineer"})


def queue(app, count: int, to="eli@example.com") -> None:
    """Put mails straight into the outbox, as a change's transaction would."""
    with app.app_context(), app.test_request_context():
        for n in range(count):
            outbox.enqueue(to, f"Mail {n}", f"Text {n}", f"<p>Text {n}</p>", kind="packet.signed")
        db.session.commit()


def test_an_invitation_is_emailed_and_the_link_still_shown_once(mail_app, mail_server, people):
    client = mail_app.test_client()
    sign_in(client, people.admin)
    response = invite(client)
    assert response.status_code == 303
    page = client.get("/admin/users").get_data(as_text=True)
    assert "We are emailing it to new@example.com" in page
    shown = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', page).group(1)
    assert shown.startswith("https://rungs.example.com/invite/")
    assert 'id="invite-link"' not in client.get("/admin/users").get_data(as_text=True)

    assert mail_server.inbox.received == []  # the request sent nothing itself
    summary = run_worker(mail_app)
    assert summary.mail.sent == 1
    (mail,) = mail_server.inbox.wait_for(1)
    assert mail.recipients == ["new@example.com"]
    assert mail.sender == "rungs@example.com"
    assert mail.message["To"] == "new@example.com"
    assert mail.message["From"] == "Rungs <rungs@example.com>"
    assert mail.message["Subject"] == "Ada Admin invited you to Rungs"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message["Message-ID"].endswith("@example.com>")
    assert mail.message["List-Unsubscribe"] is None  # account mails cannot be turned off
    assert shown in mail.part("plain") and "works once, for 7 days" in mail.part("plain")
    assert f'href="{shown}"' in mail.part("html")

    # The mailed link is the invitation: it opens the page to choose a password.
    path = shown.removeprefix("https://rungs.example.com")
    assert "Choose a password" in mail_app.test_client().get(path).get_data(as_text=True)


def test_the_mailed_link_is_removed_from_the_outbox_once_sent(mail_app, mail_server, people):
    client = mail_app.test_client()
    sign_in(client, people.admin)
    invite(client)
    (pending,) = rows(mail_app)
    assert "/invite/" in pending.text_body  # kept only until it is sent
    run_worker(mail_app)
    (sent,) = rows(mail_app)
    assert sent.status == Status.SENT and sent.text_body == REMOVED
    assert "/invite/" not in sent.html_body


def test_a_new_sign_in_link_is_emailed(mail_app, mail_server, people):
    client = mail_app.test_client()
    sign_in(client, people.admin)
    client.post(f"/admin/users/{people.engineer.id}/invite")
    assert "we are emailing it to engineer@example.com" in client.get("/admin/users").get_data(
        as_text=True
    )
    run_worker(mail_app)
    (mail,) = mail_server.inbox.wait_for(1)
    assert mail.message["Subject"] == "Your new Rungs sign-in link"
    assert re.search(r"https://rungs\.example\.com/invite/\S+", mail.part("plain"))


def test_without_mail_the_admin_is_told_to_send_the_link(client, as_role):
    as_role("admin")
    invite(client)
    assert "Send this link: it works once" in client.get("/admin/users").get_data(as_text=True)


def test_the_shell_emails_an_invitation_too(mail_app, mail_server):
    result = mail_app.test_cli_runner().invoke(
        args=["users", "create", "cli@example.com", "--name", "Cli Person"]
    )
    assert result.exit_code == 0, result.output
    assert "Emailing the invitation to cli@example.com" in result.output
    link = re.search(r"Invitation link \(valid 7 days\): (\S+)", result.output).group(1)
    run_worker(mail_app)
    (mail,) = mail_server.inbox.wait_for(1)
    assert link in mail.part("plain")


def test_a_mail_server_that_is_down_blocks_nothing(make_app, people):
    down = MailServer("plain")
    down.stop()  # its port is now closed
    app = make_app(SMTP_URL=down.url, MAIL_FROM="rungs@example.com", BASE_URL="https://r.example")
    client = app.test_client()
    sign_in(client, people.admin)
    assert invite(client).status_code == 303  # the request does not wait for SMTP
    summary = run_worker(app)
    assert summary.mail.retry == 1 and "connection refused" in summary.mail.errors[0]
    (row,) = rows(app)
    assert row.status == Status.PENDING and row.attempts == 1
    assert timedelta(seconds=50) < row.next_attempt_at - utcnow() <= timedelta(minutes=1)


def test_a_temporary_refusal_is_retried_later_with_backoff(mail_app, mail_server):
    mail_server.inbox.replies = ["451 4.3.0 Try again later", "451 4.3.0 Still busy"]
    queue(mail_app, 1)
    assert run_worker(mail_app).mail.retry == 1
    (row,) = rows(mail_app)
    assert (row.status, row.attempts, row.last_error) == (
        Status.PENDING,
        1,
        "451 4.3.0 Try again later",
    )
    assert run_worker(mail_app).mail.sent == 0  # not due yet: nothing is tried
    assert mail_server.inbox.replies == ["451 4.3.0 Still busy"]

    def due_now():
        with mail_app.app_context():
            db.session.execute(update(OutboxMail).values(next_attempt_at=utcnow()))
            db.session.commit()

    due_now()
    run_worker(mail_app)
    (row,) = rows(mail_app)
    assert row.attempts == 2
    assert timedelta(minutes=1, seconds=50) < row.next_attempt_at - utcnow() <= timedelta(minutes=2)
    due_now()
    assert run_worker(mail_app).mail.sent == 1
    assert len(mail_server.inbox.wait_for(1)) == 1
    (row,) = rows(mail_app)
    assert (row.status, row.attempts) == (Status.SENT, 3)


def test_a_permanent_refusal_is_not_retried(mail_app, mail_server):
    mail_server.inbox.replies = ["550 5.1.1 No such user here"]
    queue(mail_app, 1)
    assert run_worker(mail_app).mail.failed == 1
    (row,) = rows(mail_app)
    assert row.status == Status.FAILED and row.last_error == "550 5.1.1 No such user here"
    with mail_app.app_context():
        db.session.execute(update(OutboxMail).values(next_attempt_at=utcnow()))
        db.session.commit()
    run_worker(mail_app)
    assert mail_server.inbox.received == []


def test_a_mail_gives_up_after_its_last_try(mail_app, mail_server):
    mail_server.inbox.replies = ["421 4.7.0 Busy"]
    queue(mail_app, 1)
    with mail_app.app_context():
        db.session.execute(update(OutboxMail).values(attempts=MAX_ATTEMPTS - 1))
        db.session.commit()
    run_worker(mail_app)
    (row,) = rows(mail_app)
    assert row.status == Status.FAILED
    assert row.last_error == f"Gave up after {MAX_ATTEMPTS} tries: 421 4.7.0 Busy"


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_sending_at_once_send_each_mail_once(mail_app, mail_server, workers):
    queue(mail_app, 30)
    start = threading.Barrier(workers)
    errors = []

    def send():
        try:
            start.wait()
            run_worker(mail_app)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    received = mail_server.inbox.wait_for(30)
    subjects = sorted(m.message["Subject"] for m in received)
    assert subjects == sorted(f"Mail {n}" for n in range(30))  # each once, none twice
    assert {row.status for row in rows(mail_app)} == {Status.SENT}


def test_a_mail_whose_worker_died_before_the_hand_over_is_sent_by_another(mail_app, mail_server):
    queue(mail_app, 1)
    with mail_app.app_context():
        db.session.execute(
            update(OutboxMail).values(
                status=Status.CLAIMED,
                claim_token="dead-worker",
                attempts=1,
                lease_until=utcnow() - timedelta(seconds=1),
            )
        )
        db.session.commit()
    assert run_worker(mail_app).mail.sent == 1
    assert len(mail_server.inbox.wait_for(1)) == 1


def test_a_claimed_mail_is_left_alone_while_its_lease_runs(mail_app, mail_server):
    queue(mail_app, 1)
    with mail_app.app_context():
        db.session.execute(
            update(OutboxMail).values(
                status=Status.CLAIMED, claim_token="busy-worker", lease_until=utcnow() + LEASE
            )
        )
        db.session.commit()
    assert run_worker(mail_app).mail.sent == 0
    assert mail_server.inbox.received == []


def test_a_mail_whose_worker_died_during_the_hand_over_is_never_sent_again(mail_app, mail_server):
    queue(mail_app, 1)
    with mail_app.app_context():
        db.session.execute(
            update(OutboxMail).values(
                status=Status.HANDING,
                claim_token="dead-worker",
                attempts=1,
                lease_until=utcnow() - timedelta(seconds=1),
            )
        )
        db.session.commit()
    assert run_worker(mail_app).mail.uncertain == 1
    (row,) = rows(mail_app)
    assert row.status == Status.UNCERTAIN and "not sent again" in row.last_error
    assert mail_server.inbox.received == []


def test_a_connection_lost_after_the_content_went_over_is_not_retried(mail_app, mail_server):
    mail_server.inbox.cut_after_data = True
    queue(mail_app, 1)
    assert run_worker(mail_app).mail.uncertain == 1
    assert len(mail_server.inbox.wait_for(1)) == 1  # the server did get it...
    with mail_app.app_context():
        db.session.execute(update(OutboxMail).values(next_attempt_at=utcnow()))
        db.session.commit()
    mail_server.inbox.cut_after_data = False
    run_worker(mail_app)
    assert len(mail_server.inbox.received) == 1  # ...and does not get it twice
    (row,) = rows(mail_app)
    assert row.status == Status.UNCERTAIN


def test_starttls_with_a_password(make_app, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test certificate
    server = MailServer("starttls", certificate)
    try:
        app = make_app(SMTP_URL=server.url, MAIL_FROM="rungs@example.com", BASE_URL="https://r.ex")
        queue(app, 1)
        assert run_worker(app).mail.sent == 1
        assert len(server.inbox.wait_for(1)) == 1
        assert server.inbox.logins == [("rungs", "mail-password")]
    finally:
        server.stop()


def test_a_wrong_smtp_password_is_reported_and_the_mail_kept(make_app, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    server = MailServer("starttls", certificate)
    try:
        url = server.url.replace("mail-password", "wrong")
        app = make_app(SMTP_URL=url, MAIL_FROM="rungs@example.com", BASE_URL="https://r.ex")
        queue(app, 2)
        summary = run_worker(app)
        assert "refused the user name or password" in summary.mail.errors[0]
        assert [row.status for row in rows(app)] == [Status.PENDING, Status.PENDING]
        assert server.inbox.received == []
    finally:
        server.stop()


def test_an_untrusted_certificate_is_refused(make_app, certificate):
    server = MailServer("starttls", certificate)  # SSL_CERT_FILE not set: self-signed
    try:
        app = make_app(SMTP_URL=server.url, MAIL_FROM="rungs@example.com", BASE_URL="https://r.ex")
        queue(app, 1)
        assert "certificate cannot be trusted" in run_worker(app).mail.errors[0]
        assert server.inbox.received == []
    finally:
        server.stop()


def test_smtps_implicit_tls(make_app, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    server = MailServer("tls", certificate)
    try:
        app = make_app(SMTP_URL=server.url, MAIL_FROM="rungs@example.com", BASE_URL="https://r.ex")
        queue(app, 1)
        assert run_worker(app).mail.sent == 1
        assert len(server.inbox.wait_for(1)) == 1
    finally:
        server.stop()


def test_finished_mails_are_forgotten_after_30_days(mail_app, mail_server):
    queue(mail_app, 2)
    run_worker(mail_app)
    with mail_app.app_context():
        first = db.session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)).first()
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == first)
            .values(created_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
    run_worker(mail_app)
    assert [row.subject for row in rows(mail_app)] == ["Mail 1"]


def test_flask_mail_test_sends_now(mail_app, mail_server):
    result = mail_app.test_cli_runner().invoke(args=["mail", "test", "ada@example.com"])
    assert result.exit_code == 0, result.output
    assert "Sent: the server answered 250" in result.output
    (mail,) = mail_server.inbox.wait_for(1)
    assert mail.recipients == ["ada@example.com"] and mail.message["Subject"] == "Rungs test mail"
    assert "https://rungs.example.com" in mail.part("plain")


def test_flask_mail_test_says_what_went_wrong(make_app):
    down = MailServer("plain")
    down.stop()
    app = make_app(SMTP_URL=down.url, MAIL_FROM="rungs@example.com", BASE_URL="https://r.ex")
    result = app.test_cli_runner().invoke(args=["mail", "test", "ada@example.com"])
    assert result.exit_code == 1
    assert "connection refused (is the server running, on this port?)" in result.output


def test_flask_mail_test_without_mail_configured(app):
    result = app.test_cli_runner().invoke(args=["mail", "test", "ada@example.com"])
    assert result.exit_code == 1 and "mail is off" in result.output


def test_send_pending_and_status_from_the_shell(mail_app, mail_server):
    mail_server.inbox.replies = ["550 5.7.1 Rejected"]
    queue(mail_app, 2)
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Mail: 1 sent, 0 to retry, 1 failed." in result.output
    status = runner.invoke(args=["mail", "status"]).output
    assert "1 sent" in status and "1 failed" in status
    assert "to eli@example.com (packet.signed, 1 tries): 550 5.7.1 Rejected" in status


def test_nothing_is_queued_when_mail_is_off(app, people):
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, people.engineer.id)
        assert outbox.enqueue(user.email, "s", "t", "<p>t</p>", kind="packet.signed") is None
        db.session.commit()
    assert rows(app) == []
