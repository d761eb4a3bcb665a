"""Passwords and sign-in as ASVS V6 asks: checked as typed, throttled, the same cost for every email."""

from __future__ import annotations

import pytest
from helpers import PASSWORD
from sqlalchemy import func, select

from app.auth import passwords
from app.auth.models import User
from app.extensions import db

# V6: passwords and sign-in -----------------------------------------------------------


def test_passwords_are_checked_exactly_as_typed(app, client, people):
    odd = "  Mixed CASE pass phrase  "
    with app.app_context():
        user = db.session.get(User, people.engineer.id)
        user.password_hash = passwords.hash_password(odd)
        db.session.commit()
    email = people.engineer.email
    for wrong in (odd.strip(), odd.lower(), odd.upper(), odd[:-1]):
        assert client.post("/login", data={"email": email, "password": wrong}).status_code == 422
    assert client.post("/login", data={"email": email, "password": odd}).status_code == 303


@pytest.mark.parametrize(
    "password",
    [
        "lowercase only words",  # no composition rules
        "90210731945682713",  # digits only, long enough and not on the list
        "пароль-с-юникодом-🙂",
        "x" * 64 + "y" * 64,  # long passphrases are fine
    ],
)
def test_any_composition_of_eight_or_more_characters_is_accepted(client, as_role, password):
    as_role("engineer")
    data = {"current": PASSWORD, "password": password, "confirm": password}
    assert client.post("/account/password", data=data).status_code == 303


def test_common_password_list_is_big_enough_and_used(client, as_role):
    listed = passwords.common_passwords()
    assert sum(1 for p in listed if len(p) >= passwords.MIN_LENGTH) >= 3000
    as_role("engineer")
    for weak in ("password1", "Password1", "1234567"):
        data = {"current": PASSWORD, "password": weak, "confirm": weak}
        assert client.post("/account/password", data=data).status_code == 422


def test_guessing_the_current_password_is_throttled_like_signing_in(client, as_role, people):
    as_role("engineer")
    wrong = {
        "current": "not my password",
        "password": "a new passphrase",
        "confirm": "a new passphrase",
    }
    for _ in range(5):
        assert client.post("/account/password", data=wrong).status_code == 422
    right = {**wrong, "current": PASSWORD}
    refused = client.post("/account/password", data=right)
    assert refused.status_code == 422
    assert "Too many failed sign-ins for this account" in refused.get_data(as_text=True)
    client.post("/logout")
    locked = client.post("/login", data={"email": people.engineer.email, "password": PASSWORD})
    assert locked.status_code == 429


def test_failed_sign_ins_cost_the_same_whoever_the_email_belongs_to(
    app, client, people, monkeypatch
):
    """One password hash check per attempt, so timing does not tell which accounts exist."""
    calls = []
    real = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda h, p: calls.append(h) or real(h, p))
    with app.app_context():
        db.session.get(User, people.other_engineer.id).active = False
        db.session.add(User(email="invited@example.com", name="In Vited", role="engineer"))
        db.session.commit()
    for email in (
        "nobody@example.com",
        people.engineer.email,  # wrong password
        people.other_engineer.email,  # deactivated
        "invited@example.com",  # no password yet
    ):
        calls.clear()
        response = client.post("/login", data={"email": email, "password": "wrong password"})
        assert response.status_code == 422
        assert len(calls) == 1, email


def test_no_account_exists_until_someone_sets_one_up(app, runner):
    runner.invoke(args=["ladder", "load-default"])
    runner.invoke(args=["setup-url", "--if-no-users"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
