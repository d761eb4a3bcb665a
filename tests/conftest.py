"""Fixtures shared by the whole suite: an app on a migrated database, clients, people."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import flask_migrate
import pytest
from helpers import (
    IDP_CLIENT,
    IDP_FOLDER,
    PASSWORD,
    IdentityProvider,
    MailServer,
    self_signed_certificate,
    sign_in,
)
from sqlalchemy import MetaData, create_engine, text

from app import create_app
from app.auth import passwords
from app.auth.models import Role, User
from app.config import normalise_url
from app.extensions import db

_PASSWORD_HASH = passwords.hash_password(PASSWORD)
# hashed once: argon2 is slow on purpose


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The database under test: RUNGS_TEST_DATABASE_URL, or a fresh SQLite file."""
    url = os.environ.get("RUNGS_TEST_DATABASE_URL")
    if url:
        return normalise_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "rungs-test.sqlite3")


def config_for(database_url: str, **extra) -> dict:
    """The configuration every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """Empty the database and build the schema through the migrations, once per run."""
    engine = create_engine(database_url)
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    app = create_app(config_for(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


def empty_tables(app) -> None:
    """Delete every row, children first, so the next test starts clean."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def make_app(migrated):
    """Build apps on the test database with extra configuration; rows are removed after."""
    apps = []

    def build(**extra):
        app = create_app(config_for(migrated, **extra))
        apps.append(app)
        return app

    yield build
    if not apps:
        return
    empty_tables(apps[0])
    for app in apps[1:]:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class People:
    admin: User
    manager: User
    engineer: User  # reports to manager
    other_manager: User
    other_engineer: User  # reports to other_manager


def add_user(email: str, name: str, role: str, manager: User | None = None) -> User:
    """Add an active user whose password is PASSWORD."""
    user = User(email=email, name=name, role=role, manager=manager, password_hash=_PASSWORD_HASH)
    db.session.add(user)
    return user


@pytest.fixture
def people(app) -> People:
    """A small organisation: an admin and two managers with one engineer each."""
    with app.app_context():
        admin = add_user("admin@example.com", "Ada Admin", Role.ADMIN)
        manager = add_user("manager@example.com", "Maya Manager", Role.MANAGER)
        other_manager = add_user("other.manager@example.com", "Omar Other", Role.MANAGER)
        engineer = add_user("engineer@example.com", "Eli Engineer", Role.ENGINEER, manager)
        other = add_user("other@example.com", "Olga Other", Role.ENGINEER, other_manager)
        db.session.commit()
        found = People(admin, manager, engineer, other_manager, other)
        for user in vars(found).values():
            db.session.refresh(user)
        db.session.expunge_all()
        return found


@pytest.fixture
def as_role(client, people):
    """Sign the test client in as one of the people: as_role("engineer")."""

    def login(role: str):
        user = getattr(people, role)
        response = sign_in(client, user)
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def pair(app, people):
    """The engineer's and the manager's clients, both signed in, on the engineer's rubric
    of the small ladder: returns (engineer, manager, rubric id, competency ids by key)."""
    from helpers import open_rubric, small_ladder

    from app.ladders import store

    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ids = dict(store.stored(store.by_key("small")).competency_ids)
    engineer, manager = app.test_client(), app.test_client()
    sign_in(engineer, people.engineer)
    sign_in(manager, people.manager)
    rubric_id, _ = open_rubric(engineer)
    return engineer, manager, rubric_id, ids


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, for the TLS mail servers."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def mail_server():
    """A real SMTP server on 127.0.0.1 (plain, for a relay on this machine)."""
    server = MailServer("plain")
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, mail_server):
    """An app that sends its mail to the test SMTP server."""
    return make_app(
        SMTP_URL=mail_server.url,
        MAIL_FROM="Rungs <rungs@example.com>",
        BASE_URL="https://rungs.example.com",
    )


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    """A real OpenID Provider on 127.0.0.1, for the test client's callbacks; skipped without
    Node.js and the npm package, unless CI requires it."""
    ready = shutil.which("node") and (IDP_FOLDER / "node_modules" / "oidc-provider").is_dir()
    if not ready:
        if os.environ.get("RUNGS_REQUIRE_IDP") == "1":
            pytest.fail("Node.js and oidc-provider are required (RUNGS_REQUIRE_IDP=1): make test")
        pytest.skip("Node.js or oidc-provider is missing: make test installs it")
    provider = IdentityProvider(
        ["http://localhost/sso/callback"], tmp_path_factory.mktemp("idp") / "provider.log"
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso_app(make_app, identity_provider):
    """An app that signs people in with the test identity provider."""
    return make_app(
        OIDC_ISSUER=identity_provider.issuer,
        OIDC_CLIENT_ID=IDP_CLIENT["client_id"],
        OIDC_CLIENT_SECRET=IDP_CLIENT["client_secret"],
        OIDC_NAME="Test IdP",
        OIDC_DOMAINS="joinable.example",
    )
