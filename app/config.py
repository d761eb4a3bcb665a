"""Configuration: defaults, then instance/config.py, then RUNGS_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
    # Uploads are ladder files (5 MB at most) and form posts; anything larger is refused early.
    "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "HTTPS": False,
    "LOGIN_ADDRESS_LIMIT": 50,
    "LOGIN_ADDRESS_WINDOW": 15 * 60,
    # Seconds between rounds of the background worker (digests, mail); 0 turns it off.
    "WORKER_INTERVAL": 60,
}


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, the instance folder, the environment or the tests."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("RUNGS")
    else:
        app.config.from_mapping(test_config)

    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "rungs.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(url)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")

    if app.config["HTTPS"]:
        # The __Host- prefix pins the cookie to this host over HTTPS with path "/".
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            SESSION_COOKIE_NAME="__Host-session",
            REMEMBER_COOKIE_NAME="__Host-remember_token",
            PREFERRED_URL_SCHEME="https",
        )


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the admin wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it once (mode 600) if it is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return path.read_text().strip()
