"""Engine settings that make SQLite safe for several workers."""

from __future__ import annotations

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


def insert_for(session, model):
    """Return the dialect's INSERT for a model, which knows ON CONFLICT (SQLite, PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
