"""Signing in and out, throttling, sessions, passwords, setup and invitation links."""

from __future__ import annotations

from datetime import timedelta

from helpers import PASSWORD, sign_in
from sqlalchemy import select

from app.auth.models import Invitation, Throttle, User
from app.auth.throttle import pair_key
from app.clock import utcnow
from app.extensions import db


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html
    assert ">Sign in</button>" in html


def test_sign_in_with_any_email_case_and_sign_out(client, people):
    response = client.post(
        "/login", data={"email": "  Engineer@Example.COM ", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert client.get("/account/password").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/account/password").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, people):
    wrong = client.post("/login", data={"email": people.engineer.email, "password": "nope-nope"})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 422
    message = "That email and password do not match an account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_next_parameter_cannot_leave_the_site(client, people):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"email": people.engineer.email, "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")
    response = client.post(
        "/login?next=/account/password", data={"email": people.engineer.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/password"


def test_five_failures_lock_the_account_and_lock_grows(app, client, people):
    email = people.engineer.email
    for _ in range(5):
        client.post("/login", data={"email": email, "password": "wrong-password"})
    locked = client.post("/login", data={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in locked.get_data(as_text=True)
    with app.app_context():
        first = db.session.get(Throttle, pair_key(email, "127.0.0.1"))
        first_lock = first.locked_until - utcnow()
        # Let the lock pass and fail once more: the next lock is longer.
        first.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    client.post("/login", data={"email": email, "password": "wrong-again"})
    with app.app_context():
        second = db.session.get(Throttle, pair_key(email, "127.0.0.1"))
        assert second.locked_until - utcnow() > first_lock
        second.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    # Once the wait is over the right password works and clears the count.
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 303
    with app.app_context():
        assert db.session.get(Throttle, pair_key(email, "127.0.0.1")) is None


def test_lockout_is_shared_by_every_worker(make_app, people):
    first, second = make_app(), make_app()
    for _ in range(5):
        first.test_client().post(
            "/login", data={"email": people.engineer.email, "password": "wrong-password"}
        )
    response = second.test_client().post(
        "/login", data={"email": people.engineer.email, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_unknown_emails_lock_the_same_way(client, people):
    for _ in range(5):
        client.post("/login", data={"email": "ghost@example.com", "password": "wrong-password"})
    response = client.post("/login", data={"email": "ghost@example.com", "password": "x" * 9})
    assert response.status_code == 429


def test_per_address_limit(make_app, people):
    app = make_app(LOGIN_ADDRESS_LIMIT=3)
    client = app.test_client()
    for n in range(3):
        client.post("/login", data={"email": f"user{n}@example.com", "password": "wrong-password"})
    response = client.post("/login", data={"email": people.engineer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "from your network" in response.get_data(as_text=True)


def test_remember_me_lasts_fourteen_days(client, people):
    response = sign_in(client, people.engineer, remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "remember_token" in c)
    assert "HttpOnly" in cookie
    expires = client.get_cookie("remember_token").expires
    assert (
        timedelta(days=13) < expires - utcnow().replace(tzinfo=expires.tzinfo) <= timedelta(days=14)
    )


def test_sign_out_ends_other_sessions_and_remember_cookies(app, people):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, people.engineer)
    sign_in(phone, people.engineer, remember=True)
    assert phone.get("/account/password").status_code == 200
    laptop.post("/logout")
    assert phone.get("/account/password").status_code == 302
    # The remember-me cookie alone does not bring the session back either.
    phone.delete_cookie("session")
    assert phone.get("/account/password").status_code == 302


def test_password_change_needs_current_and_ends_other_sessions(app, people):
    here, there = app.test_client(), app.test_client()
    sign_in(here, people.engineer)
    sign_in(there, people.engineer)
    new = "a much better passphrase"
    wrong = here.post(
        "/account/password", data={"current": "not-it-at-all", "password": new, "confirm": new}
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.get_data(as_text=True)
    ok = here.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert ok.status_code == 303
    assert here.get("/account/password").status_code == 200  # this session continues
    assert there.get("/account/password").status_code == 302  # the other one is over
    here.post("/logout")
    assert (
        here.post("/login", data={"email": people.engineer.email, "password": new}).status_code
        == 303
    )


def test_password_rules(client, as_role):
    as_role("engineer")
    for bad, message in [
        ("short1", "at least 8 characters"),
        ("password123", "commonly used"),
        ("Qwertyuiop", "commonly used"),
    ]:
        response = client.post(
            "/account/password", data={"current": PASSWORD, "password": bad, "confirm": bad}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    mismatch = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "fine passphrase", "confirm": "other passphrase"},
    )
    assert "do not match" in mismatch.get_data(as_text=True)


def test_setup_link_creates_the_admin_once(app, client, runner):
    result = runner.invoke(args=["setup-url", "--if-no-users"])
    assert result.exit_code == 0
    url = result.output.strip().split()[-1]
    path = url[url.index("/setup/") :]
    assert client.get("/setup/not-the-token").status_code == 404
    assert client.get(path).status_code == 200
    data = {
        "name": "Ada",
        "email": "ada@example.com",
        "password": "admin passphrase",
        "confirm": "admin passphrase",
    }
    response = client.post(path, data=data)
    assert response.status_code == 303
    assert client.get("/admin/users").status_code == 200
    client.post("/logout")
    # Used once; and once an admin exists no setup link works, even a new one.
    assert client.get(path).status_code == 404
    with app.app_context():
        token = Invitation.issue("setup")
        db.session.commit()
    assert client.get(f"/setup/{token}").status_code == 404
    assert runner.invoke(args=["setup-url", "--if-no-users"]).output == ""


def test_invitation_sets_password_once_and_expires(app, client, people):
    with app.app_context():
        user = User(email="new@example.com", name="Nia New", role="engineer")
        db.session.add(user)
        token = Invitation.issue("invite", user=user, days=7)
        expired = Invitation.issue("invite", user=user, days=7)
        db.session.commit()
        row = db.session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    # Before accepting, the account cannot sign in at all.
    assert (
        client.post("/login", data={"email": "new@example.com", "password": "x" * 12}).status_code
        == 422
    )
    assert client.get(f"/invite/{expired}").status_code == 404
    assert "expire after 7 days" in client.get(f"/invite/{expired}").get_data(as_text=True)
    page = client.get(f"/invite/{token}")
    assert "Welcome, Nia New" in page.get_data(as_text=True)
    data = {"password": "my own passphrase", "confirm": "my own passphrase"}
    assert client.post(f"/invite/{token}", data=data).status_code == 303
    assert client.get("/account/password").status_code == 200
    client.post("/logout")
    assert client.get(f"/invite/{token}").status_code == 404
    response = client.post(
        "/login", data={"email": "new@example.com", "password": "my own passphrase"}
    )
    assert response.status_code == 303


def test_failures_sent_at_once_are_all_counted(app, people):
    """Guessing in parallel gains nothing: every failure counts, and the account locks."""
    import threading

    barrier = threading.Barrier(5)

    def guess(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        client.post("/login", data={"email": people.engineer.email, "password": f"guess-{n}-xyz"})

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        row = db.session.get(Throttle, pair_key(people.engineer.email, "127.0.0.1"))
        assert row.failures == 5 and row.locked_until is not None
    response = app.test_client().post(
        "/login", data={"email": people.engineer.email, "password": PASSWORD}
    )
    assert response.status_code == 429
