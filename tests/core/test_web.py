"""Security headers, CSRF, error pages, htmx session expiry, and the access rules."""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD, csrf_from, sign_in


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script_or_style(client, as_role):
    as_role("admin")
    for path in ("/login", "/admin/users", "/team", "/me", "/ladders/"):
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        # Every <script>, whatever its attributes, loads a file and holds nothing itself.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.I | re.S)
        assert scripts, path
        for attributes, body in scripts:
            assert " src=" in attributes and not body.strip(), (path, attributes)
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html, re.I), path


def test_https_mode_sets_hsts_and_secure_host_cookies(make_app, people):
    app = make_app(HTTPS=True)
    client = app.test_client()
    response = sign_in(client, people.engineer, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("__Host-session=") and "Secure" in c for c in cookies)
    assert any(c.startswith("__Host-remember_token=") and "Secure" in c for c in cookies)
    assert "max-age=" in client.get("/login").headers["Strict-Transport-Security"]


def test_csrf_is_enforced(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = client.post("/login", data={"email": people.engineer.email, "password": "x"})
    assert refused.status_code == 400
    assert "Bad request" in refused.get_data(as_text=True)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    ok = client.post(
        "/login", data={"email": people.engineer.email, "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 303
    # htmx sends the token as a header, read from the page's meta tag.
    page = client.get("/account/password").get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", headers={"X-CSRFToken": csrf_from(page)}).status_code == 303


def test_htmx_request_after_session_expiry_gets_hx_redirect(client, people):
    response = client.get("/me", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login")
    assert client.get("/me").status_code == 302


def test_friendly_error_pages(make_app, client, as_role):
    as_role("engineer")
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)
    assert client.get("/logout").status_code == 405
    app = make_app(MAX_CONTENT_LENGTH=1024)
    big = app.test_client().post("/login", data={"email": "a" * 5000})
    assert big.status_code == 413 and "The limit is" in big.get_data(as_text=True)


def test_500_is_friendly_and_logged(make_app, caplog):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "kaput" not in response.get_data(as_text=True)
    assert "Unhandled error" in caplog.text


@pytest.mark.parametrize(
    ("role", "team_sees"),
    [("engineer", None), ("manager", "Eli Engineer"), ("admin", "Olga Other")],
)
def test_landing_page_by_role(client, as_role, role, team_sees):
    as_role(role)
    target = client.get("/").headers["Location"]
    if team_sees is None:
        assert target == "/me"
    else:
        assert target == "/team"
        assert team_sees in client.get("/team").get_data(as_text=True)


def test_htmx_post_after_signing_out_elsewhere_asks_to_sign_in(make_app, people):
    """A page left open after signing out: its next htmx POST gets HX-Redirect, not 400."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/rubrics/1/ratings/1", data={"step": "sometimes"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login")


def test_sqlite_connections_are_set_up_for_several_workers(app):
    """WAL, a busy timeout, foreign keys and synchronous=NORMAL on every SQLite connection."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings; the suite runs on PostgreSQL")
        with db.engine.connect() as conn:
            pragma = {
                name: conn.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
    assert pragma == {
        "journal_mode": "wal",
        "busy_timeout": 10000,
        "foreign_keys": 1,
        "synchronous": 1,
    }


def test_secret_key_is_generated_once_with_mode_600(tmp_path, monkeypatch):
    """Without a configured key, one is written to the instance folder once and reused."""
    import stat

    from app.config import instance_secret

    path = tmp_path / "secret_key"
    first = instance_secret(path)
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert instance_secret(path) == first
