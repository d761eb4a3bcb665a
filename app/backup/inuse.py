"""Is anything else using the database? A restore must not replace data under live servers.

PostgreSQL answers from pg_stat_activity: every other client connected to the database
(app servers keep their pooled connections open). SQLite keeps no such list, so each app
process that serves requests holds a shared lock on a file beside the database, from its
first request until it exits (the kernel lets go of it even after kill -9); a restore
needs the exclusive lock. docs/deploy.md says what each way cannot see.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, event, text

from app.backup import BackupError
from app.extensions import db

LEAVING = 3  # seconds a server that was just stopped may take to close its connections
_held: dict[str, int] = {}  # lock file -> descriptor: held by this process until it exits
_holding = threading.Lock()


def application_name() -> str:
    """The name this process gives its PostgreSQL connections, so others can be told apart."""
    return f"rungs {os.getpid()}"


def lock_file(database: Path) -> Path:
    """The file beside a SQLite database whose shared lock serving processes hold."""
    return database.with_name(database.name + "-inuse")


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def serve_from(database: Path) -> None:
    """Hold a shared lock on the database's lock file for as long as this process lives.

    Waits while a restore holds the exclusive lock, so a server's first request is answered
    from the restored database, not from the one being replaced.
    """
    path = lock_file(database)
    if str(path) in _held:
        return
    with _holding:
        if str(path) not in _held:
            fd = _open(path)
            fcntl.lockf(fd, fcntl.LOCK_SH)
            _held[str(path)] = fd


@contextmanager
def nobody_else(engine: Engine, force: bool) -> Iterator[None]:
    """Refuse (unless FORCE) while another process uses the database; else hold it."""
    if engine.dialect.name == "sqlite":
        with _sqlite_alone(Path(engine.url.database).resolve(), force):
            yield
        return
    kinds = _postgres_clients(engine)
    # A server stopped a moment ago may still be leaving: give it a few seconds.
    deadline = time.monotonic() + LEAVING
    while kinds and not force and time.monotonic() < deadline:
        time.sleep(0.2)
        kinds = _postgres_clients(engine)
    if kinds and not force:
        total = sum(kinds.values())
        listed = ", ".join(f"{n} from {who}" for who, n in kinds.most_common())
        raise BackupError(_in_use(f"{total} other connection{'s' * (total > 1)} ({listed})"))
    yield


def _postgres_clients(engine: Engine) -> Counter[str]:
    """Count the other clients connected to the database, by who they are."""
    with engine.connect() as conn:
        names = conn.execute(
            text(
                "SELECT application_name FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend' AND application_name <> :mine"
            ),
            {"mine": application_name()},
        ).scalars()
        return Counter(
            "an app server" if name.startswith("rungs ") else repr(name) if name else "a client"
            for name in names
        )


@contextmanager
def _sqlite_alone(database: Path, force: bool) -> Iterator[None]:
    # POSIX locks belong to a process, so a process never conflicts with its own: a restore
    # run by a process that also served requests (the tests) does not count itself. Closing
    # the file ends that process's shared lock too; outside the tests no server restores.
    fd = _open(lock_file(database))
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if not force:
                raise BackupError(_in_use("an app server")) from None
        yield
    finally:
        os.close(fd)


def _in_use(what: str) -> str:
    return (
        f"The database is in use by {what}. Stop the app servers first: a restore replaces "
        "everything they wrote since the backup. To restore under them anyway, pass "
        "--force-while-running."
    )


def init_app(app: Flask) -> None:
    """Make the processes that serve requests recognisable to a restore."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "do_connect")
        def name_connection(_dialect, _record, _args, params):
            params.setdefault("application_name", application_name())

        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):
        return
    path = Path(database).resolve()

    @app.before_request
    def announce_serving():
        serve_from(path)
