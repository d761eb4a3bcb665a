"""Scratch databases for the bench and the safety run: fresh, migrated, dropped after.

Both harnesses drop and recreate their PostgreSQL database, so each insists on a database
name that is obviously its own (``marker`` in it), never the test suite's ``test``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class ScratchError(Exception):
    """The scratch database cannot be made or used; the message says why."""


class maintenance:
    """An autocommit connection to the server's ``postgres`` database."""

    def __init__(self, url: str):
        self.engine = create_engine(
            make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )

    def __enter__(self):
        self.conn = self.engine.connect()
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()
        self.engine.dispose()


def own_name(url: str, marker: str) -> str:
    """Return the PostgreSQL database name, refusing one without ``marker`` in it.

    ``RUNGS_SCRATCH_DATABASE`` naming the very database also lets it through: whoever sets
    it says the database is theirs to drop (a machine that hands each person one database).
    """
    name = make_url(url).database or ""
    if name and os.environ.get("RUNGS_SCRATCH_DATABASE") == name:
        return name
    if not re.fullmatch(rf"[A-Za-z0-9_]*{marker}[A-Za-z0-9_]*", name):
        raise ScratchError(
            f"refusing to drop and recreate {name!r}: use a database name with {marker!r} in "
            f"it, e.g. .../rungs_{marker}"
        )
    return name


def fresh(url: str, marker: str) -> None:
    """Start from nothing: delete the SQLite files, or recreate the PostgreSQL database."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ScratchError("a SQLite file is needed, which every server worker can share")
        path = Path(parsed.database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    elif backend == "postgresql":
        name = own_name(url, marker)
        with maintenance(url) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    else:
        raise ScratchError(f"SQLite or PostgreSQL only, not {backend}")


def drop(url: str, marker: str) -> None:
    """Drop the PostgreSQL database made for the run; a SQLite file stays for a look."""
    if make_url(url).get_backend_name() == "postgresql":
        with maintenance(url) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{own_name(url, marker)}" WITH (FORCE)'))


def migrate(env: dict[str, str]) -> None:
    """Build the schema with ``flask db upgrade``, as an admin would."""
    done = subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise ScratchError(f"flask db upgrade failed:\n{done.stdout}{done.stderr}")
