"""Engine settings that make SQLite safe for several workers, and its file private.

Also how the database is written (upserts, several writes in one statement) and read when
a read must cost no more than its statement (:class:`Prepared`, :class:`LoneRead`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Engine, Executable, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

# Requests that may write open their transaction with BEGIN IMMEDIATE on SQLite, so a write
# never fails half-way with "database is locked"; reads stay deferred and never block.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


@contextlib.contextmanager
def intending(write: bool):
    """Begin the transactions started inside the block as a reader's or a writer's."""
    token = write_intent.set(write)
    try:
        yield
    finally:
        write_intent.reset(token)


def configure_engine(engine: Engine) -> None:
    """Apply WAL, busy timeout, foreign keys and turn-taking write transactions on SQLite."""
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

    lock_path = lock_file_for(engine.url.database)

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        if not write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        if lock_path:
            # SQLite's busy handler sleeps in growing steps (up to 100 ms) when the write
            # lock is taken; a blocking flock wakes the moment the holder lets go.
            _writer_lock(conn.connection, lock_path).acquire()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.connection)
            raise

    @event.listens_for(engine, "commit")
    def on_commit(conn):
        # Commit here, so the next writer is let in only once this one's data is on disk;
        # SQLAlchemy's own commit that follows finds no transaction left and does nothing.
        if _holds(conn.connection):
            conn.connection.dbapi_connection.commit()
            _release(conn.connection)

    @event.listens_for(engine, "rollback")
    def on_rollback(conn):
        if _holds(conn.connection):
            conn.connection.dbapi_connection.rollback()
            _release(conn.connection)

    # A connection returned, dropped or broken mid-transaction never keeps the others out.
    @event.listens_for(engine, "reset")
    def on_reset(_dbapi_connection, record, _state):
        _release(record)

    @event.listens_for(engine, "invalidate")
    def on_invalidate(_dbapi_connection, record, _exception):
        _release(record)

    @event.listens_for(engine, "close")
    def on_close(_dbapi_connection, record):
        lock = record.info.pop(_LOCK, None)
        if lock is not None:
            lock.close()


_LOCK = "rungs_writer_lock"


class WriterLock:
    """One connection's handle on the file that SQLite writers take turns on."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False

    def acquire(self) -> None:
        """Wait, without polling, until no other connection writes."""
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        os.close(self.fd)


def lock_file_for(database: str | None) -> str | None:
    """Return the lock file beside an SQLite database file; None for in-memory databases."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + "-writer.lock"


def _writer_lock(connection, path: str) -> WriterLock:
    """Return the writer lock of a pooled connection, opening its file the first time."""
    info = connection.info  # kept with the DBAPI connection across checkouts
    lock = info.get(_LOCK)
    if lock is None:
        lock = info[_LOCK] = WriterLock(path)
    return lock


def _holds(connection) -> bool:
    lock = connection.info.get(_LOCK)
    return lock is not None and lock.held


def _release(connection) -> None:
    lock = connection.info.get(_LOCK)
    if lock is not None:
        lock.release()


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


def rows_of(session, statement, params: dict | None = None):
    """Run a Core select on the session's connection and transaction, past the ORM.

    The ORM's result layer costs about a millisecond per 500 rows of plain columns, which
    a rubric page reads; no entity comes back, so nothing needs it. Pending changes are
    flushed first, as ``session.execute`` would.
    """
    session.flush()
    return session.connection().execute(statement, params or {})


def insert_for(session, model):
    """Return the dialect's INSERT for a model, which knows ON CONFLICT (SQLite, PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


@dataclass(frozen=True)
class Write:
    """Rows to insert into one table; with ``keys``, rows whose keys exist are updated."""

    model: type
    rows: list[dict]
    keys: tuple[str, ...] = ()


def upsert(session, model, keys: tuple[str, ...], rows: list[dict]) -> None:
    """Insert rows, or update their other columns where ``keys`` exist, in one statement."""
    write(session, [Write(model, rows, keys)])


def write(session, writes: list[Write]) -> None:
    """Run inserts and upserts: one statement on PostgreSQL, one per table on SQLite.

    SQLAlchemy cannot cache an ``on_conflict_do_update`` construct and compiles it anew
    on every call, which costs a click more than its SQL does; this text is built once per
    shape and says the same to SQLite and PostgreSQL. PostgreSQL runs several writes as
    one statement (data-modifying WITH); SQLite sends each, several rows as executemany.
    They go to the session's connection past the ORM, as :func:`rows_of` reads.
    """
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(writes) > 1:
        shape = tuple(_shape(w, len(w.rows)) for w in writes)
        params = {
            f"w{i}r{r}_{name}": value
            for i, w in enumerate(writes)
            for r, row in enumerate(w.rows)
            for name, value in row.items()
        }
        connection.execute(_combined(shape), params)
        return
    for w in writes:
        statement = _combined((_shape(w, 1),))
        params = [{f"w0r0_{k}": v for k, v in row.items()} for row in w.rows]
        connection.execute(statement, params if len(params) > 1 else params[0])


def _shape(w: Write, rows: int) -> tuple:
    return (w.model.__table__, w.keys, tuple(w.rows[0]), rows)


@functools.lru_cache(maxsize=64)
def _combined(shape: tuple):
    """Build the statement of :func:`write`: the last write is the statement, the others
    come before it as WITH queries."""
    from sqlalchemy import text

    parts, params = [], []
    for i, (table, keys, names, rows) in enumerate(shape):
        sql, found = _dml(table, keys, names, rows, f"w{i}")
        parts.append(sql)
        params += found
    *before, last = parts
    sql = last
    if before:
        sql = "WITH " + ", ".join(f"w{i} AS ({p})" for i, p in enumerate(before)) + " " + last
    return text(sql).bindparams(*params)


def _dml(table, keys: tuple[str, ...], names: tuple[str, ...], rows: int, prefix: str):
    """Return one INSERT (ON CONFLICT ... DO UPDATE with ``keys``) and its parameters."""
    from sqlalchemy import bindparam

    # Columns left out of the rows get their scalar default on insert (and keep theirs on
    # update): a text statement does not apply them by itself.
    defaults = {
        c.name: c.default.arg
        for c in table.columns
        if c.name not in names and c.default is not None and c.default.is_scalar
    }
    inserted = (*names, *defaults)
    params, values = [], []
    for r in range(rows):
        marks = []
        for n in names:
            params.append(bindparam(f"{prefix}r{r}_{n}", type_=table.c[n].type))
            marks.append(f":{prefix}r{r}_{n}")
        for n, v in defaults.items():
            params.append(bindparam(f"{prefix}r{r}_{n}", value=v, type_=table.c[n].type))
            marks.append(f":{prefix}r{r}_{n}")
        values.append(f"({', '.join(marks)})")
    columns = ", ".join(f'"{n}"' for n in inserted)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES {", ".join(values)}'  # noqa: S608 - the table's own names
    if keys:
        updates = [n for n in names if n not in keys]
        action = ", ".join(f'"{n}" = excluded."{n}"' for n in updates)
        conflict = ", ".join(f'"{k}"' for k in keys)
        sql += f" ON CONFLICT ({conflict}) " + (
            f"DO UPDATE SET {action}" if updates else "DO NOTHING"
        )
    return sql, params


class Prepared:
    """A read-only statement built and compiled once per dialect, run on the driver's cursor.

    SQLAlchemy's statement cache, result layer and type processing cost more than many of
    the app's hottest queries: a rubric page reads hundreds of rating rows, a quiet poll
    one. Rows come as the driver returns them, which for integers and text is what
    SQLAlchemy would give; SQLite gives booleans as integers and timestamps as text.
    Statements still pass SQLAlchemy's cursor events (the tests and the bench count them
    there), and driver errors become its own.
    """

    def __init__(self, build: Callable[[], Executable]):
        self.build = build
        self.compiled: dict[str, _Compiled] = {}

    def _for(self, engine_or_connection) -> _Compiled:
        dialect = engine_or_connection.dialect
        compiled = self.compiled.get(dialect.name)
        if compiled is None:
            compiled = self.compiled[dialect.name] = _Compiled.of(self.build(), dialect)
        return compiled

    def rows(self, session, **params) -> list[tuple]:
        """Run the statement in the session's transaction (pending changes flushed first)."""
        session.flush()
        conn = session.connection()
        compiled = self._for(conn)
        return _run(conn, compiled, compiled.values(params), all_rows=True)


class LoneRead(Prepared):
    """A read-only statement run alone: one round trip, no transaction, no ORM session.

    For the hottest request, the quiet live poll, where SQLAlchemy's own work outweighed
    the query several times over. It runs on a pooled connection outside any transaction,
    so no BEGIN or ROLLBACK goes with it: SQLite's driver starts none (see
    ``on_connect``) and PostgreSQL's connection is put in autocommit for it. One statement
    sees one snapshot either way.
    """

    def first(self, engine: Engine, **params) -> tuple | None:
        """Run the statement with these parameters and return its first row, if any.

        On the pool's connection itself: a SQLAlchemy Connection around it cost the poll
        more than its query. What SQLAlchemy would do is done here: listeners of
        ``before_cursor_execute`` hear the statement (with no Connection: they count it),
        a driver error comes as SQLAlchemy's, and a lost connection leaves the pool.
        """
        compiled = self._for(engine)
        values = compiled.values(params)
        dialect = engine.dialect
        raw = engine.raw_connection()
        driver = raw.driver_connection
        autocommit = dialect.name == "postgresql"
        try:
            if autocommit:
                driver.autocommit = True
            cursor = raw.cursor()
            try:
                if engine.dispatch.before_cursor_execute:
                    engine.dispatch.before_cursor_execute(
                        None, cursor, compiled.sql, values, None, False
                    )
                cursor.execute(compiled.sql, values)
                return cursor.fetchone()
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error as err:
            lost = dialect.is_disconnect(err, driver, None)
            if lost:
                raw.invalidate(err)
            raise DBAPIError.instance(
                compiled.sql,
                values,
                err,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
            ) from err
        finally:
            try:
                if autocommit and raw.is_valid:
                    driver.autocommit = False  # raises if an interrupt left a query running
            finally:
                raw.close()  # back to the pool, whose reset rolls back what is left


def _run(conn, compiled: _Compiled, values, *, all_rows: bool):
    cursor = conn.connection.cursor()
    try:
        # SQLAlchemy's private primitive for statements it runs itself: it sends the
        # cursor events and turns driver errors into its own, a lost connection
        # invalidated, but begins no transaction and builds no result.
        conn._cursor_execute(cursor, compiled.sql, values)
        return cursor.fetchall() if all_rows else cursor.fetchone()
    finally:
        cursor.close()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # the order of positional parameters (SQLite's "?")
    defaults: dict
    processors: dict[str, Callable]  # what the statement's types do to a value on the way in

    @classmethod
    def of(cls, statement: Executable, dialect) -> _Compiled:
        compiled = statement.compile(dialect=dialect)
        processors = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        names = tuple(compiled.positiontup) if compiled.positional else None
        return cls(compiled.string, names, compiled.params, processors)

    def values(self, params: dict) -> tuple | dict:
        found = {**self.defaults, **params}
        for name, processor in self.processors.items():
            found[name] = processor(found[name])
        return tuple(found[n] for n in self.names) if self.names is not None else found
