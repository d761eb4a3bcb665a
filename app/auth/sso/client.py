"""The Authlib client of the identity provider, one per app, made from the checked settings.

Authorization code flow with PKCE (S256); Authlib keeps state, nonce and the code verifier in
the session and checks them on the way back, and verifies the ID token's signature against
the provider's published keys and its claims (issuer, audience, expiry, nonce).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from app.auth.sso import settings as sso_settings

TIMEOUT = 10  # seconds for each call to the provider


@dataclass(frozen=True)
class SsoSetup:
    settings: sso_settings.SsoSettings
    client: object  # authlib's FlaskOAuth2App


def init_app(app: Flask) -> None:
    """Read RUNGS_OIDC_* (or stop the app saying what is wrong) and register the client."""
    found = sso_settings.read(app.config)
    if found is None:
        app.extensions["rungs_sso"] = None
        return
    # One registry per app, not a module-level extension: each app (and each test app) may
    # name a different provider.
    oauth = OAuth(app)
    client = oauth.register(
        "oidc",
        client_id=found.client_id,
        client_secret=found.client_secret,
        server_metadata_url=found.discovery_url,
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )
    app.extensions["rungs_sso"] = SsoSetup(found, client)


def setup() -> SsoSetup | None:
    return current_app.extensions.get("rungs_sso")


def enabled() -> bool:
    """Tell whether an identity provider is configured."""
    return setup() is not None


def form_targets() -> list[str]:
    """Origins a sign-in form may be sent on to: the issuer's and its authorization
    endpoint's, read from discovery once (the strict CSP's form-action covers redirects)."""
    found = setup()
    if found is None:
        return []
    origins = [_origin(found.settings.issuer)]
    try:
        metadata = found.client.load_server_metadata()
    except (requests.RequestException, ValueError):
        metadata = {}  # unreachable now: the sign-in itself will say so
    endpoint = metadata.get("authorization_endpoint")
    if endpoint and _origin(endpoint) not in origins:
        origins.append(_origin(endpoint))
    return origins


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def display_name() -> str:
    """What the button says after "Sign in with"."""
    found = setup()
    return found.settings.name if found else ""
