"""The SQLite database file: readable by its owner only, like the backups and the secret key."""

from __future__ import annotations

import os
import stat

import flask_migrate
import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def loose_umask():
    """The usual umask, which leaves new files readable by everyone (0644)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_sqlite_database_and_its_wal_files_are_private(tmp_path, loose_umask):
    path = tmp_path / "rungs.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:  # an open connection keeps -wal and -shm in place
            conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
            modes = {
                name: stat.S_IMODE(os.stat(tmp_path / name).st_mode)
                for name in os.listdir(tmp_path)
            }
        db.engine.dispose()
    assert set(modes) >= {"rungs.sqlite3", "rungs.sqlite3-wal", "rungs.sqlite3-shm"}
    assert modes == dict.fromkeys(modes, 0o600)
