"""PostgreSQL: logical dumps with pg_dump, restored with pg_restore and psql.

The dump is pg_dump's custom format: compressed, and `pg_restore --list` can tell a real
archive from any other file before anything is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, inspect, text

from app.backup import BackupError
from app.backup.summary import row_counts

INSTALL_HINT = (
    "install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client)"
)


def tool(name: str) -> str:
    """Return the path of a PostgreSQL client program, or say how to install it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: {INSTALL_HINT}.")
    return path


@contextmanager
def libpq(url: URL) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield the --dbname argument and environment that connect a client program to URL.

    The password never appears on a command line, where `ps` shows it to every user: it
    goes through a passfile that only we can read, removed afterwards.
    """
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    conninfo = plain.render_as_string(hide_password=False)
    env = dict(os.environ)
    # A restore waiting for a running app server to let go fails instead of hanging.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c lock_timeout=10s").strip()
    if url.password is None:
        yield conninfo, env
        return
    with tempfile.NamedTemporaryFile("w", prefix="rungs-pgpass-") as passfile:
        escaped = url.password.replace("\\", "\\\\").replace(":", "\\:")
        passfile.write(f"*:*:*:*:{escaped}\n")
        passfile.flush()
        env["PGPASSFILE"] = passfile.name
        yield conninfo, env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a client program; turn a failure into a one-line error."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {last_line(done.stderr)}")
    return done


def last_line(output: str) -> str:
    """The line of a program's error output that says what went wrong."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no error message"


def backup(engine: Engine, target: Path) -> dict[str, int]:
    """Dump the database into TARGET; return the rows per table, as of the dump's snapshot."""
    pg_dump = tool("pg_dump")
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # pg_dump reads the snapshot of this transaction, so the counts we print are
            # exactly what the file holds, however busy the app is meanwhile.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = row_counts(conn)
            with libpq(engine.url) as (conninfo, env):
                run(
                    [
                        pg_dump,
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={target}",
                        f"--dbname={conninfo}",
                    ],
                    env,
                )
    return counts


def check(file: Path) -> None:
    """Refuse a file that is not a pg_dump archive of a Rungs database."""
    pg_restore = tool("pg_restore")
    if not file.is_file():
        raise BackupError(f"{file}: no such file.")
    done = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(file)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{file} is not a pg_dump archive ({last_line(done.stderr)}).")
    if not re.search(r"^\d+; .* TABLE \S+ alembic_version ", done.stdout, re.MULTILINE):
        raise BackupError(f"{file} is not a Rungs backup: it has no alembic_version table.")


def revision(file: Path) -> str:
    """The Alembic revision of the schema in a checked archive FILE."""
    done = subprocess.run(  # noqa: S603
        [tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    # The table's data is one COPY block: a line per row, ended by a line "\.".
    rows = re.search(
        r"^COPY \S+ \(version_num\) FROM stdin;\n(.*?)^\\\.$", done.stdout, re.M | re.S
    )
    found = rows[1].split() if rows and done.returncode == 0 else []
    if len(found) != 1:
        raise BackupError(f"{file} is not a Rungs backup: it names no schema revision.")
    return found[0]


def restore(engine: Engine, file: Path) -> None:
    """Replace everything in the database with the archive FILE, in one transaction."""
    pg_restore, psql = tool("pg_restore"), tool("psql")
    with engine.connect() as conn:
        drop = drop_everything(conn)
    engine.dispose()
    with tempfile.TemporaryDirectory(prefix="rungs-restore-") as private:
        # The archive becomes SQL first: piping pg_restore straight into psql would commit
        # half a restore if pg_restore stopped part-way through a damaged archive.
        script = Path(private) / "restore.sql"
        with libpq(engine.url) as (conninfo, env):
            run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(file)], env)
            args = [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction"]
            if drop:
                args.append(f"--command={drop}")
            run([*args, f"--file={script}", f"--dbname={conninfo}"], env)


def drop_everything(conn: Connection) -> str:
    """SQL that drops every table and sequence in the schema, so only the backup remains."""
    inspector = inspect(conn)
    quote = conn.dialect.identifier_preparer.quote
    schema = quote(inspector.default_schema_name)
    tables = [f"{schema}.{quote(name)}" for name in inspector.get_table_names()]
    sequences = [f"{schema}.{quote(name)}" for name in inspector.get_sequence_names()]
    statements = []
    if tables:
        statements.append(f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE;")
    if sequences:
        statements.append(f"DROP SEQUENCE IF EXISTS {', '.join(sequences)} CASCADE;")
    return " ".join(statements)
