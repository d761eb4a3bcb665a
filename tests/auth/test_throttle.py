"""The sign-in throttle: locks per account and address, per address, unlock, and races."""

from __future__ import annotations

import threading

import pytest
from helpers import PASSWORD, csrf_from, gunicorn, http_request, login_form, sign_in
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db

ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER = {"REMOTE_ADDR": "203.0.113.10"}
WRONG = "not the password at all"


def guess(client, email: str, password: str = WRONG, where=ATTACKER, headers=None):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base=where,
        headers=headers or {},
    )


def kinds(app, kind: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
        ).all()


def test_a_long_forwarded_address_is_counted_not_a_server_error(make_app, people):
    """Behind the proxy the address is the client's: any length, and every failure counts."""
    app = make_app(HTTPS=True)
    client = app.test_client()
    proxy = {"X-Forwarded-For": "f" * 400, "X-Forwarded-Proto": "https"}
    for _ in range(5):
        assert guess(client, people.admin.email, headers=proxy).status_code == 422
    locked = guess(client, people.admin.email, PASSWORD, headers=proxy)
    assert locked.status_code == 429


def test_an_email_that_grows_when_lower_cased_is_counted_not_a_server_error(client, people):
    typed = "İ" * 240 + "@x.io"  # 245 characters, 485 once lower-cased
    for _ in range(5):
        response = guess(client, typed)
        assert response.status_code == 422
        assert "do not match an account" in response.get_data(as_text=True)
    assert guess(client, typed).status_code == 429


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(client, people):
    """Anyone may know the admin's email: guessing it locks the guesser, not the admin."""
    for _ in range(12):
        guess(client, people.admin.email)
    refused = guess(client, people.admin.email, PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert "Too many failed sign-ins for this account" in refused.get_data(as_text=True)
    owner = guess(client, people.admin.email, PASSWORD, where=OWNER)
    assert owner.status_code == 303


def test_the_owners_success_does_not_lift_the_lock_of_the_guesser(app, people):
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(5):
        guess(attacker, people.engineer.email)
    assert guess(owner, people.engineer.email, PASSWORD, where=OWNER).status_code == 303
    assert guess(attacker, people.engineer.email, PASSWORD).status_code == 429


def test_successful_sign_ins_do_not_use_up_the_address_limit(make_app, people):
    """A busy office behind one address signs in all day; only failures count."""
    app = make_app(LOGIN_ADDRESS_LIMIT=3)
    for _ in range(4):
        client = app.test_client()
        assert guess(client, people.manager.email, PASSWORD).status_code == 303
    assert guess(app.test_client(), people.engineer.email, PASSWORD).status_code == 303


def test_unlock_command_lifts_the_lock_and_is_audited(app, client, runner, people):
    for _ in range(6):
        guess(client, people.admin.email)
    assert guess(client, people.admin.email, PASSWORD).status_code == 429
    result = runner.invoke(args=["users", "unlock", "Admin@Example.com"])
    assert result.exit_code == 0, result.output
    assert result.output == "Unlocked admin@example.com: failed sign-ins forgotten.\n"
    (event,) = kinds(app, "account.unlocked")
    assert event.subject_id == people.admin.id and event.actor_label.startswith("command line")
    assert guess(client, people.admin.email, PASSWORD).status_code == 303


def test_unlock_command_says_when_there_is_nothing_to_unlock(runner, people):
    result = runner.invoke(args=["users", "unlock", people.engineer.email])
    assert (result.exit_code, result.output) == (
        0,
        "engineer@example.com has no failed sign-ins to forget.\n",
    )
    missing = runner.invoke(args=["users", "unlock", "ghost@example.com"])
    assert missing.exit_code == 1
    assert missing.output == "Error: No user has the email ghost@example.com.\n"


def test_admins_unlock_a_locked_account_from_the_people_page(app, client, people):
    attacker = app.test_client()
    for _ in range(5):
        guess(attacker, people.engineer.email)
    sign_in(client, people.admin)
    page = client.get("/admin/users").get_data(as_text=True)
    button = f'aria-label="Unlock sign-in for {people.engineer.name}"'
    assert button in page
    assert page.count("Unlock sign-in for") == 1  # only the locked account has the button
    response = client.post(f"/admin/users/{people.engineer.id}/unlock")
    assert response.status_code == 303
    after = client.get("/admin/users").get_data(as_text=True)
    assert f"Sign-ins of {people.engineer.name} are unlocked." in after
    assert button not in after
    (event,) = kinds(app, "account.unlocked")
    assert (event.actor_id, event.subject_id) == (people.admin.id, people.engineer.id)
    assert guess(attacker, people.engineer.email, PASSWORD).status_code == 303


def test_unlock_button_needs_its_csrf_token(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"email": people.admin.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 303
    assert client.post(f"/admin/users/{people.engineer.id}/unlock").status_code == 400


@pytest.mark.parametrize("workers", [2, 4])
def test_parallel_guesses_get_no_more_password_checks_than_allowed(
    migrated, app, people, tmp_path, workers
):
    """Thirty guesses at once against several gunicorn workers: five are checked, no more."""
    with gunicorn(migrated, tmp_path / "gunicorn.log", workers=workers) as port:
        forms = [login_form(port) for _ in range(30)]
        start = threading.Barrier(len(forms))
        answers: list[int] = []

        def send(cookie: str, token: str, n: int) -> None:
            data = {"email": people.engineer.email, "password": f"guess {n}", "csrf_token": token}
            start.wait()
            answers.append(http_request(port, "POST", "/login", data, cookie)[0])

        threads = [
            threading.Thread(target=send, args=(cookie, token, n))
            for n, (cookie, token) in enumerate(forms)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # 422: the password was checked and wrong; 429: refused before any check.
    assert sorted(answers) == [422] * 5 + [429] * 25
    assert len(kinds(app, "auth.sign_in_failed")) == 5
