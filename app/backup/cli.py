"""`flask backup FILE` and `flask restore FILE`: copies of the live database, and back."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from app.auth import loader
from app.backup import BackupError, inuse, postgres, sqlite
from app.backup.summary import describe, holds_data, row_counts, size
from app.extensions import db


def fail(message: str) -> None:
    """Print a one-line error and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def sqlite_path() -> Path:
    """The file of the configured SQLite database."""
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        fail("The configured SQLite database is not a plain file; there is nothing to copy.")
    return Path(database).resolve()


def unreachable(error: DBAPIError) -> str:
    """The first line of what the database driver said, e.g. why it cannot connect."""
    lines = str(error.orig).strip().splitlines() or ["unknown error"]
    return f"The database refused: {lines[0]}"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@with_appcontext
def backup_command(file: Path, force: bool):
    """Write a consistent copy of the live database to FILE.

    SQLite is copied with SQLite's online backup API, PostgreSQL dumped with pg_dump
    (custom format); the app can keep serving meanwhile.
    """
    if file.exists() and not force:
        fail(f"{file} already exists; pass --force to overwrite it.")
    dialect = db.engine.dialect.name
    if dialect == "sqlite" and file.resolve() == sqlite_path():
        fail(f"{file} is the live database itself; choose another file.")
    if dialect not in ("sqlite", "postgresql"):
        fail(f"Backups support SQLite and PostgreSQL, not {dialect}.")
    # Write next to FILE, then rename: an interrupted backup never leaves a truncated FILE,
    # and the copy (it holds password hashes) is readable by its owner only.
    partial = file.with_name(f".{file.name}.{os.getpid()}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        fail(f"Cannot write {file}: {error.strerror}.")
    try:
        if dialect == "sqlite":
            counts = sqlite.backup(sqlite_path(), partial)
        else:
            counts = postgres.backup(db.engine, partial)
        os.replace(partial, file)
    except BackupError as error:
        fail(str(error))
    except DBAPIError as error:
        fail(unreachable(error))
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Wrote {file} ({size(file.stat().st_size)}): {describe(counts)}.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@click.option(
    "--force-while-running",
    is_flag=True,
    help="Restore even while app servers use the database; what they wrote is lost.",
)
@with_appcontext
def restore_command(file: Path, force: bool, force_while_running: bool):
    """Replace the configured database with the backup FILE.

    Stop the app servers first: restore refuses while they use the database unless
    --force-while-running, and a database that holds data unless --force. A backup from
    a schema this version does not know (a newer Rungs) is refused.
    """
    dialect = db.engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        fail(f"Backups support SQLite and PostgreSQL, not {dialect}.")
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    try:
        if dialect == "sqlite":
            target = sqlite_path()
            if file.exists() and file.resolve() == target:
                fail(f"{file} is the live database itself.")
            sqlite.check(file)
            revision = sqlite.revision(file)
        else:
            postgres.check(file)
            revision = postgres.revision(file)
        if revision not in {script.revision for script in scripts.walk_revisions()}:
            raise BackupError(
                f"The backup's schema is at revision {revision}, which this version of Rungs "
                "does not know: it was written by a newer (or another) version. Restore it "
                "with that version, or upgrade this one first."
            )
        db.session.remove()
        db.engine.dispose()
        with inuse.nobody_else(db.engine, force_while_running):
            with db.engine.connect() as conn:
                occupied = holds_data(conn)
            if occupied and not force:
                fail(
                    "The database already holds data; pass --force to replace all of it "
                    "with the backup."
                )
            db.engine.dispose()
            if dialect == "sqlite":
                sqlite.restore(file, target)
            else:
                postgres.restore(db.engine, file)
    except BackupError as error:
        fail(str(error))
    except DBAPIError as error:
        fail(unreachable(error))
    db.engine.dispose()
    # Servers still running keep copies of the users they loaded: the restored ones count.
    loader.forget_everyone()
    with db.engine.connect() as conn:
        counts = row_counts(conn)
    click.echo(f"Restored {file}: {describe(counts)}.")
    head = scripts.get_current_head()
    if revision != head:
        click.echo(
            f"The backup's schema is at revision {revision}; run `flask db upgrade` "
            f"to bring it to this version's {head}."
        )


def init_app(app: Flask) -> None:
    """Register the backup commands, and let restore see the processes that serve."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    inuse.init_app(app)
