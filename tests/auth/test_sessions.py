"""Sessions: a new one at sign-in, and deactivation ends the live ones (ASVS V7)."""

from __future__ import annotations

from helpers import PASSWORD, sign_in


def test_next_cannot_leave_the_site_with_control_characters(client, people):
    # Browsers drop tabs and line breaks from URLs, so "/\t/evil" would become "//evil".
    for target in ("/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example"):
        data = {"email": people.engineer.email, "password": PASSWORD}
        response = client.post("/login", query_string={"next": target}, data=data)
        assert response.headers["Location"] == "/", target
        client.post("/logout")


# V7: sessions ------------------------------------------------------------------------


def test_sign_in_starts_a_new_session(client, people):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value
    sign_in(client, people.engineer)
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    assert client.get_cookie("session").value != before


def test_cli_deactivation_ends_live_sessions(client, runner, people):
    sign_in(client, people.engineer)
    assert client.get("/account/password").status_code == 200
    assert runner.invoke(args=["users", "deactivate", people.engineer.email]).exit_code == 0
    assert client.get("/account/password").status_code == 302
