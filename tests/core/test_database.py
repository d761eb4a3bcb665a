"""The SQLite database: a private file, and writers that take turns without sleeping."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time

import flask_migrate
import pytest
from sqlalchemy import create_engine, event

from app import create_app
from app.auth.models import User
from app.database import configure_engine
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


@pytest.fixture
def sqlite_engine(tmp_path):
    """An SQLite file with Rungs' engine settings and one table to write to."""
    engine = create_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    configure_engine(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE marks (who TEXT, at REAL)")
    yield engine
    engine.dispose()


def test_sqlite_writers_in_two_processes_take_turns_without_locked_errors(sqlite_engine):
    url = str(sqlite_engine.url)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        outcomes = pool.starmap(write_many, [(url, "a", 150), (url, "b", 150)])
    assert outcomes == ["ok", "ok"]
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM marks").scalar() == 300


def write_many(url: str, who: str, times: int) -> str:
    """Write many short transactions with a short busy timeout; say what went wrong."""
    engine = create_engine(url)
    configure_engine(engine)

    @event.listens_for(engine, "connect")
    def impatient(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=50")  # a sleeping writer would fail

    try:
        for i in range(times):
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO marks VALUES (?, ?)", (who, i))
                time.sleep(0.001)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the test shows the message
        return str(exc)
    finally:
        engine.dispose()


class Endings:
    """How each transaction of an app's engine ended, in order."""

    def __init__(self, app):
        from sqlalchemy import event

        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []
        event.listen(self.engine, "commit", self.on_commit)
        event.listen(self.engine, "rollback", self.on_rollback)

    def on_commit(self, _conn):
        self.seen.append("commit")

    def on_rollback(self, _conn):
        self.seen.append("rollback")


def test_a_request_that_only_read_commits_and_one_that_failed_or_left_changes_rolls_back(
    make_app, people
):
    from helpers import open_rubric, small_ladder
    from helpers import sign_in as sign_in_client

    from app.ladders import store

    app = make_app()

    @app.get("/test/left-a-change")
    def left_a_change():
        user = db.session.get(User, people.engineer.id)
        user.name = "Never saved"  # a view's mistake: changed, never committed
        return "ok"

    @app.get("/test/failed")
    def failed():
        db.session.get(User, people.engineer.id).name = "Never saved either"
        db.session.flush()  # sent, not committed
        raise RuntimeError("boom")

    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    client = app.test_client()
    sign_in_client(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    endings = Endings(app)
    assert client.get(f"/rubrics/{rubric_id}").status_code == 200
    # psycopg forgets its prepared statements on ROLLBACK: a read ends with COMMIT.
    assert endings.seen == ["commit"]
    endings.seen.clear()
    assert client.get("/test/left-a-change").status_code == 200
    assert endings.seen == ["rollback"]
    with app.app_context():
        assert db.session.get(User, people.engineer.id).name != "Never saved"
    endings.seen.clear()
    assert client.get("/test/failed").status_code == 500
    assert endings.seen[0] == "rollback"  # then the error page's own reads commit
    with app.app_context():
        assert db.session.get(User, people.engineer.id).name == people.engineer.name
