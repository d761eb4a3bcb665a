"""`flask sso check`: ask the identity provider for its settings, as sign-in will."""

from __future__ import annotations

import sys

import click
import requests
from flask import Flask
from flask.cli import AppGroup

from app.auth.sso import client

sso = AppGroup("sso", help="Check single sign-on with the identity provider.")


@sso.command("check")
def check():
    """Fetch the provider's discovery document and keys, and say what sign-in will use."""
    setup = client.setup()
    if setup is None:
        click.echo("Single sign-on is not configured (RUNGS_OIDC_ISSUER).", err=True)
        sys.exit(1)
    issuer = setup.settings.issuer
    try:
        metadata = setup.client.load_server_metadata()
        keys = setup.client.fetch_jwk_set(force=True)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        click.echo(f"Error: cannot read {setup.settings.discovery_url}: {error}", err=True)
        sys.exit(1)
    if metadata.get("issuer") != issuer:
        click.echo(
            f"Error: the provider calls itself {metadata.get('issuer')!r}, not {issuer!r}: set "
            "RUNGS_OIDC_ISSUER to exactly its value, or ID tokens will be refused.",
            err=True,
        )
        sys.exit(1)
    methods = metadata.get("code_challenge_methods_supported") or []
    click.echo(f"Issuer: {issuer}")
    click.echo(f"Authorization endpoint: {metadata.get('authorization_endpoint')}")
    click.echo(f"Token endpoint: {metadata.get('token_endpoint')}")
    click.echo(f"Signing keys: {len(keys.get('keys', []))}")
    click.echo(f"PKCE S256: {'yes' if 'S256' in methods else 'not announced (sent anyway)'}")
    click.echo(f"Button: Sign in with {setup.settings.name}")


def init_app(app: Flask) -> None:
    """Register the SSO commands."""
    app.cli.add_command(sso)
