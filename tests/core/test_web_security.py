"""Cookies, HSTS and CORS: what the browser is told to protect (ASVS V3.3, V3.4)."""

from __future__ import annotations

import re

from helpers import sign_in

# V3.3, V3.4: cookies, HSTS, CORS ------------------------------------------------------


def cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_cookies_are_httponly_and_samesite_lax(client, people):
    found = cookies(sign_in(client, people.engineer, remember=True))
    assert set(found) == {"session", "remember_token"}
    for cookie in found.values():
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_https_mode_cookies_use_the_host_prefix(make_app, people):
    client = make_app(HTTPS=True).test_client()
    found = cookies(sign_in(client, people.engineer, remember=True))
    assert set(found) == {"__Host-session", "__Host-remember_token"}
    for cookie in found.values():
        # __Host- needs Secure, Path=/ and no Domain, or browsers drop the cookie.
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_lasts_a_year_with_subdomains_in_https_mode(make_app):
    header = make_app(HTTPS=True).test_client().get("/login").headers["Strict-Transport-Security"]
    age = int(re.search(r"max-age=(\d+)", header).group(1))
    assert age >= 31_536_000 and "includeSubDomains" in header


def test_no_cross_origin_access_is_granted(client, as_role):
    as_role("engineer")
    for method in ("GET", "OPTIONS"):
        response = client.open("/me", method=method, headers={"Origin": "https://evil.example"})
        assert not any(h.lower().startswith("access-control-") for h, _ in response.headers.items())
