"""SQLite: copy a live database page by page with SQLite's online backup API.

A file copy of a database in WAL mode can miss the committed pages still in the -wal file,
or catch a page half-written; the backup API reads one consistent snapshot instead.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from app.backup import BackupError


def backup(database: Path, target: Path) -> dict[str, int]:
    """Copy the live DATABASE into TARGET (an empty file); return the rows per table."""
    if not database.is_file():
        raise BackupError(f"The database {database} does not exist.")
    try:
        with (
            closing(sqlite3.connect(database, timeout=30)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            # One step (pages=-1) reads everything inside one read transaction: a snapshot,
            # while other connections keep writing to the WAL.
            src.backup(dst)
            # The copy is a single self-contained file, with no -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            return row_counts(dst)
    except (sqlite3.Error, UnicodeDecodeError) as error:
        raise BackupError(f"Cannot copy {database}: {error}.") from None


def check(file: Path) -> None:
    """Refuse a file that is not an intact SQLite copy of a Rungs database."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file.")
    try:
        with closing(sqlite3.connect(read_only(file), uri=True)) as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except UnicodeDecodeError:
        # SQLite's own message quoted the damaged bytes, which are not even text.
        raise BackupError(f"{file} is damaged: its schema cannot be read.") from None
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{file} is not a usable SQLite database ({error}).") from None
    if result != ["ok"]:
        raise BackupError(f"{file} is damaged (integrity_check: {result[0]}).")
    if "alembic_version" not in tables:
        raise BackupError(f"{file} is not a Rungs backup: it has no alembic_version table.")


def revision(file: Path) -> str:
    """The Alembic revision of the schema in a checked backup FILE."""
    with closing(sqlite3.connect(read_only(file), uri=True)) as conn:
        found = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    if len(found) != 1:
        raise BackupError(f"{file} is not a Rungs backup: it names no schema revision.")
    return found[0]


def restore(file: Path, database: Path) -> None:
    """Replace the contents of DATABASE with the backup FILE, in one transaction."""
    try:
        with (
            closing(sqlite3.connect(read_only(file), uri=True)) as src,
            closing(sqlite3.connect(database, timeout=30)) as dst,
        ):
            src.backup(dst)
            (result,) = dst.execute("PRAGMA quick_check").fetchone()
    except (sqlite3.Error, UnicodeDecodeError) as error:
        raise BackupError(f"Cannot restore into {database}: {error}.") from None
    if result != "ok":
        raise BackupError(f"The restored database fails its check ({result}).")


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Count the rows of every table of an open SQLite database."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # Table names come from the database itself, quoted as identifiers.
    return {
        name: conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]  # noqa: S608
        for name in sorted(names)
    }


def quote(name: str) -> str:
    """Quote NAME as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def read_only(file: Path) -> str:
    """A URI that opens FILE read-only, whatever characters its name holds."""
    return file.resolve().as_uri() + "?mode=ro"
