"""Signing in with a real OpenID Provider (oidc-provider) on 127.0.0.1, and requiring it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import PASSWORD, sign_in
from sqlalchemy import func, select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Invitation, Role, User
from app.auth.sso.settings import SsoConfigError
from app.extensions import db


def start(client):
    response = client.post("/sso/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sso_sign_in(client, idp, login, before_callback=None):
    """Go through the provider as ``login`` and come back; return Rungs' answer."""
    back = idp.authorize(start(client), login)
    assert back.startswith("http://localhost/sso/callback?"), back
    if before_callback:
        before_callback()
    return client.get(back.removeprefix("http://localhost"))


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def signed_in_as(client) -> str | None:
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    if "<summary>" not in page:
        return None
    return page.split("<summary>", 1)[1].split("</summary>", 1)[0]


def refused(response, says: str) -> None:
    assert response.status_code in (400, 403), response.status_code
    page = response.get_data(as_text=True)
    assert says in page, page
    assert 'role="alert"' in page


def test_the_sign_in_page_offers_the_provider(sso_app):
    page = sso_app.test_client().get("/login").get_data(as_text=True)
    assert "Sign in with Test IdP" in page and "or with your email and password" in page


def test_the_request_uses_pkce_state_and_nonce(sso_app, identity_provider):
    query = parse_qs(urlsplit(start(sso_app.test_client())).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://localhost/sso/callback"]


def test_an_invited_person_signs_in_and_is_linked(sso_app, identity_provider, people):
    with sso_app.app_context():
        invited = User(email="nia@example.com", name="Nia New", role=Role.ENGINEER)
        db.session.add(invited)
        Invitation.issue("invite", user=invited, days=7)
        db.session.commit()
    client = sso_app.test_client()
    response = sso_sign_in(client, identity_provider, "nia")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert signed_in_as(client) == "Nia New"
    with sso_app.app_context():
        nia = User.by_email("nia@example.com")
        assert (nia.oidc_issuer, nia.oidc_subject) == (identity_provider.issuer, "nia")
        assert (
            db.session.scalar(
                select(func.count()).select_from(Invitation).where(Invitation.used_at.is_(None))
            )
            == 0
        )  # the emailed invitation is spent
    # Next time the provider's subject alone finds the account.
    again = sso_app.test_client()
    assert sso_sign_in(again, identity_provider, "nia").status_code == 303
    assert signed_in_as(again) == "Nia New"


def test_a_person_with_a_password_can_link_too(sso_app, identity_provider, people):
    client = sso_app.test_client()
    assert sso_sign_in(client, identity_provider, "eli").status_code == 303
    assert signed_in_as(client) == "Eli Engineer"
    with sso_app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
    assert kinds == ["account.sso_linked", "auth.sign_in"]


def test_where_it_was_going_after_sign_in(sso_app, identity_provider, people):
    client = sso_app.test_client()
    back = identity_provider.authorize(
        client.post("/sso/start?next=/notifications").headers["Location"], "eli"
    )
    response = client.get(back.removeprefix("http://localhost"))
    assert response.headers["Location"] == "/notifications"


def test_an_unknown_person_gets_no_account(sso_app, identity_provider, people):
    before = users(sso_app)
    client = sso_app.test_client()
    response = sso_sign_in(client, identity_provider, "sam")
    refused(response, "No Rungs account uses sam@elsewhere.example. Ask your Rungs admin")
    assert users(sso_app) == before and signed_in_as(client) is None


def test_an_unverified_email_matches_no_account(sso_app, identity_provider, people):
    with sso_app.app_context():
        db.session.add(User(email="una@example.com", name="Una", role=Role.ENGINEER))
        db.session.commit()
    before = users(sso_app)
    client = sso_app.test_client()
    response = sso_sign_in(client, identity_provider, "una")
    refused(response, "Test IdP has not verified the email address una@example.com")
    assert users(sso_app) == before and signed_in_as(client) is None
    with sso_app.app_context():
        assert User.by_email("una@example.com").oidc_subject is None


def test_a_wrong_nonce_is_refused(sso_app, identity_provider, people):
    client = sso_app.test_client()
    location = start(client)
    with client.session_transaction() as session:
        (key,) = [k for k in session if k.startswith("_state_oidc_")]
        state = session[key]
        state["data"]["nonce"] = "not-the-nonce-sent"  # an ID token meant for another attempt
        session[key] = state
    back = identity_provider.authorize(location, "eli")
    response = client.get(back.removeprefix("http://localhost"))
    refused(response, "was not issued for this attempt (the nonce does not match)")
    assert signed_in_as(client) is None
    with sso_app.app_context():
        assert User.by_email("engineer@example.com").oidc_subject is None


def test_an_expired_id_token_is_refused(sso_app, identity_provider, people):
    client = sso_app.test_client()
    # The provider's clock runs an hour late: its ID token expired before Rungs reads it.
    try:
        response = sso_sign_in(
            client, identity_provider, "eli", lambda: identity_provider.set_clock(-3600)
        )
    finally:
        identity_provider.set_clock(0)
    refused(response, "had already expired when it reached Rungs")
    assert signed_in_as(client) is None


def test_a_callback_from_another_browser_is_refused(sso_app, identity_provider, people):
    back = identity_provider.authorize(start(sso_app.test_client()), "eli")
    other = sso_app.test_client()
    response = other.get(back.removeprefix("http://localhost"))
    refused(response, "does not match one started in this browser")
    assert signed_in_as(other) is None


def test_a_deactivated_person_is_refused(sso_app, identity_provider, people):
    with sso_app.app_context():
        db.session.get(User, people.engineer.id).active = False
        db.session.commit()
    response = sso_sign_in(sso_app.test_client(), identity_provider, "eli")
    refused(response, "This Rungs account is deactivated")


def test_an_allowed_domain_joins_as_an_engineer(sso_app, identity_provider, people):
    client = sso_app.test_client()
    response = sso_sign_in(client, identity_provider, "dee")
    assert response.status_code == 303
    assert signed_in_as(client) == "Dee Domain"
    with sso_app.app_context():
        dee = User.by_email("dee@joinable.example")
        assert (dee.role, dee.manager_id, dee.password_hash) == (Role.ENGINEER, None, None)


def test_refusals_are_in_the_audit_log(sso_app, identity_provider, people):
    sso_sign_in(sso_app.test_client(), identity_provider, "sam")
    with sso_app.app_context():
        entry = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "auth.sso_refused")
        ).one()
    assert entry.detail == "no account for sam@elsewhere.example"


# Requiring single sign-on ------------------------------------------------------------


def break_glass(app, email="glass@example.com"):
    result = app.test_cli_runner().invoke(
        args=["users", "create", email, "--name", "Glass", "--role", "admin", "--break-glass",
              "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def require(client):
    return client.post("/admin/sign-in", data={"require": "on"}, follow_redirects=True)


def test_requiring_sso_needs_the_admin_linked_and_a_break_glass_admin(
    sso_app, identity_provider, people
):
    admin = sso_app.test_client()
    sign_in(admin, people.admin)
    page = require(admin).get_data(as_text=True)
    assert "Sign in with Test IdP once yourself first" in page
    sso_sign_in(admin, identity_provider, "ada")
    page = require(admin).get_data(as_text=True)
    assert "Create a break-glass admin on the server first" in page
    break_glass(sso_app)
    page = require(admin).get_data(as_text=True)
    assert "Everyone now signs in with Test IdP, except break-glass admins." in page
    assert "Single sign-on is required." in page


def test_with_sso_required_passwords_work_only_for_break_glass_admins(
    sso_app, identity_provider, people
):
    admin = sso_app.test_client()
    sso_sign_in(admin, identity_provider, "ada")
    break_glass(sso_app)
    require(admin)
    refused_login = sign_in(sso_app.test_client(), people.engineer)  # the right password
    assert refused_login.status_code == 422
    assert "Passwords are off here: sign in with Test IdP" in refused_login.get_data(as_text=True)
    glass = sso_app.test_client()
    response = glass.post("/login", data={"email": "glass@example.com", "password": PASSWORD})
    assert response.status_code == 303
    login_page = sso_app.test_client().get("/login").get_data(as_text=True)
    assert "<summary>Break-glass admin: sign in with a password</summary>" in login_page
    # SSO still works for everyone else.
    assert sso_sign_in(sso_app.test_client(), identity_provider, "eli").status_code == 303


def test_with_sso_required_an_invitation_offers_only_sso(sso_app, identity_provider, people):
    admin = sso_app.test_client()
    sso_sign_in(admin, identity_provider, "ada")
    break_glass(sso_app)
    require(admin)
    with sso_app.app_context():
        invited = User(email="nia@example.com", name="Nia New", role=Role.ENGINEER)
        db.session.add(invited)
        token = Invitation.issue("invite", user=invited, days=7)
        db.session.commit()
    client = sso_app.test_client()
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "Your team signs in to Rungs with Test IdP" in page and "New password" not in page
    client.post(f"/invite/{token}", data={"password": "a fine new passphrase", "confirm": "a fine new passphrase"})  # fmt: skip
    with sso_app.app_context():
        assert User.by_email("nia@example.com").password_hash is None


def test_break_glass_needs_an_admin_with_a_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "x@example.com", "--name", "X", "--break-glass"]
    )
    assert result.exit_code == 1 and "--role admin --password-stdin" in result.output


def test_without_a_provider_there_is_no_button_and_nothing_to_require(client, as_role):
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.post("/sso/start").status_code == 404
    as_role("admin")
    page = require(client).get_data(as_text=True)
    assert "Configure an identity provider first" in page


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"OIDC_ISSUER": "https://idp.example.com"}, "needs RUNGS_OIDC_CLIENT_ID, RUNGS_OIDC_CLIENT_SECRET"),
        (
            {"OIDC_ISSUER": "http://idp.example.com", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
            "must use https://",
        ),
        (
            {"OIDC_ISSUER": "idp.example.com", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
            "must be the provider's https:// address",
        ),
        (
            {"OIDC_ISSUER": "https://idp.example.com", "OIDC_CLIENT_ID": "a",
             "OIDC_CLIENT_SECRET": "b", "OIDC_DOMAINS": "example.com, *.example.org"},
            "'*.example.org' is not one",
        ),
    ],
)  # fmt: skip
def test_the_app_does_not_start_with_sso_settings_that_cannot_work(migrated, settings, says):
    with pytest.raises(SsoConfigError, match=says):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": migrated, **settings})


def test_flask_sso_check_reads_the_provider(sso_app, identity_provider):
    result = sso_app.test_cli_runner().invoke(args=["sso", "check"])
    assert result.exit_code == 0, result.output
    assert f"Issuer: {identity_provider.issuer}" in result.output
    assert "PKCE S256: yes" in result.output and "Signing keys: 1" in result.output


def test_the_pages_with_the_button_let_its_form_go_to_the_provider(sso_app, identity_provider):
    # Chromium applies form-action to the redirect that follows the button's POST.
    csp = sso_app.test_client().get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {identity_provider.issuer};" in csp
    other = sso_app.test_client().get("/notifications").headers["Content-Security-Policy"]
    assert "form-action 'self';" in other
