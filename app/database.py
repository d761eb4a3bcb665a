"""Engine settings that make SQLite safe for several workers, and its file private."""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar

from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite

# Requests that may write open their transaction with BEGIN IMMEDIATE on SQLite, so a write
# never fails half-way with "database is locked"; reads stay deferred and never block.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def configure_engine(engine: Engine) -> None:
    """Apply WAL, busy timeout, foreign keys and immediate write transactions on SQLite."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "do_connect")
    def private_file(_dialect, _record, _args, _params):
        create_private(engine.url.database)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def create_private(database: str | None) -> None:
    """Create a missing SQLite database file readable by its owner only (0600).

    It holds password hashes and everyone's career data; SQLite gives the -wal and -shm
    files it adds later the same mode as the database.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    # Exists already, or cannot be made: SQLite opens it, or says why not, in its own words.
    with contextlib.suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def insert_for(session, model):
    """Return the dialect's INSERT for a model, which knows ON CONFLICT (SQLite, PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
