"""`flask backup` and `flask restore`: a consistent copy while people work, and back again."""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import sqlite3
import stat
import threading
from contextlib import closing
from types import SimpleNamespace

import flask_migrate
import pytest
from helpers import (
    PASSWORD,
    gunicorn,
    http_request,
    login_form,
    open_rubric,
    rate,
    sign_in,
    small_ladder,
)
from sqlalchemy import URL, create_engine, func, make_url, select, text

from app import create_app
from app.audit.models import AuditEvent
from app.auth import passwords
from app.auth.models import Invitation, User
from app.backup import cli as backup_cli
from app.backup import postgres
from app.config import normalise_url
from app.extensions import db
from app.history.models import Event
from app.ladders import store
from app.rubric.models import Rating

ON_POSTGRES = (
    make_url(
        normalise_url(os.environ.get("RUNGS_TEST_DATABASE_URL") or "sqlite://")
    ).get_backend_name()
    == "postgresql"
)
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite backups; the suite runs on PostgreSQL")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="pg_dump backups; the suite runs on SQLite"
)

PASSWORD_HASH = passwords.hash_password(PASSWORD)
STEPS = ("not-yet", "sometimes", "consistently")
# The first bytes of what a backup holds: a SQLite database, or a pg_dump custom archive.
MAGIC = b"PGDMP" if ON_POSTGRES else b"SQLite format 3\x00"


def cli(app):
    """A CLI runner for APP with the backup commands, registered if the factory does not yet."""
    if "backup" not in app.cli.commands:
        backup_cli.init_app(app)
    return app.test_cli_runner()


@pytest.fixture
def tools():
    """On PostgreSQL, pg_dump, pg_restore and psql must be installed (in CI: required)."""
    if not ON_POSTGRES:
        return
    missing = [name for name in ("pg_dump", "pg_restore", "psql") if shutil.which(name) is None]
    if missing:
        reason = f"{', '.join(missing)} missing: apt-get install postgresql-client"
        if os.environ.get("RUNGS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (required in CI, RUNGS_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


@pytest.fixture
def fresh_app(database_url, tmp_path):
    """A second installation on its own empty, migrated database (dropped after the test)."""
    url = make_url(database_url)
    server = None
    if url.get_backend_name() == "sqlite":
        fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        name = f"rungs_fresh_{secrets.token_hex(6)}"
        server = create_engine(url, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        fresh_url = url.set(database=name).render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "another-secret-key",
            "SQLALCHEMY_DATABASE_URI": fresh_url,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if server is not None:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def summary(output: str) -> str:
    """The 'N tables, M rows (...)' part of what backup or restore printed."""
    match = re.search(r"(\d+ tables, \d+ rows.*)\.$", output.strip(), re.MULTILINE)
    assert match, output
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_backup_under_load_restores_into_a_fresh_instance(tools, app, people, fresh_app, tmp_path):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ids = list(store.stored(store.by_key("small")).competency_ids.values())
    engineer, manager = app.test_client(), app.test_client()
    sign_in(engineer, people.engineer)
    sign_in(manager, people.manager)
    rubric_id, _ = open_rubric(engineer)

    writes = 0
    lock = threading.Lock()
    backed_up = threading.Event()
    enrolled = threading.Event()  # set once the first person is in: the copy must hold one
    failures: list[str] = []

    def wrote() -> bool:
        """Count a write; tell whether to stop (well after the backup finished)."""
        nonlocal writes
        with lock:
            writes += 1
        return backed_up.is_set() and writes > after_backup + 30

    def rater(seed: int, client) -> None:
        chooser = random.Random(seed)
        for _ in range(2000):
            response = rate(client, rubric_id, chooser.choice(ids), chooser.choice(STEPS))
            if response.status_code != 200:
                failures.append(f"{response.status_code}: {response.get_data(as_text=True)[:200]}")
                return
            if wrote():
                return

    def enroller() -> None:
        # Each person and their invitation are one transaction: a backup has both or neither.
        with app.app_context():
            for n in range(2000):
                user = User(
                    email=f"load-{n}@example.com", name=f"Load {n}", password_hash=PASSWORD_HASH
                )
                db.session.add(user)
                Invitation.issue("invite", user=user, days=7)
                db.session.commit()
                enrolled.set()
                if wrote():
                    return

    after_backup = 10**9
    threads = [
        threading.Thread(target=rater, args=(1, engineer)),
        threading.Thread(target=rater, args=(2, manager)),
        threading.Thread(target=enroller),
    ]
    for thread in threads:
        thread.start()
    try:
        while (
            (writes < 30 or not enrolled.is_set())
            and not failures
            and any(t.is_alive() for t in threads)
        ):
            backed_up.wait(0.01)
        file = tmp_path / "rungs.backup"
        result = cli(app).invoke(args=["backup", str(file)])
    finally:
        with lock:
            after_backup = writes
        backed_up.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {file} (")
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # it holds password hashes
    assert file.read_bytes().startswith(MAGIC)
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".partial")]
    if not ON_POSTGRES:
        with closing(sqlite3.connect(file)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            # A single self-contained file: no -wal beside it holds part of the data.
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    with app.app_context():
        final_users, final_events = count(User), count(Event)

    restored = cli(fresh_app).invoke(args=["restore", str(file)])
    assert restored.exit_code == 0, restored.output
    # What restore put back is, table by table, what backup said it wrote.
    assert summary(restored.output) == summary(result.output)

    with fresh_app.app_context():
        # The copy was taken in the middle of the writes: some, not all, are in it.
        in_copy = count(User) - 5 + count(Event)
        assert 0 < in_copy < final_users - 5 + final_events
        # Every row is complete: each person came with their invitation, in order ...
        emails = set(db.session.scalars(select(User.email).where(User.email.like("load-%"))))
        assert emails == {f"load-{n}@example.com" for n in range(len(emails))}
        invited = db.session.scalars(select(Invitation.user_id)).all()
        assert sorted(invited) == sorted(
            db.session.scalars(select(User.id).where(User.email.like("load-%")))
        )
        # ... and each rating is the last change its history recorded, which chains unbroken.
        last: dict[tuple[int, str], str | None] = {}
        for event in db.session.scalars(select(Event).order_by(Event.id)):
            key = (event.competency_id, event.kind.split(".")[1])
            assert event.before["step"] == last.get(key)
            last[key] = event.after["step"]
        final = {}
        for row in db.session.scalars(select(Rating).where(Rating.rubric_id == rubric_id)):
            if row.self_step:
                final[(row.competency_id, "self")] = row.self_step
            if row.manager_step:
                final[(row.competency_id, "manager")] = row.manager_step
        assert final == last and final

    # The restored instance serves the same people and rubric, and takes new changes.
    client = fresh_app.test_client()
    assert sign_in(client, people.engineer).status_code == 303
    assert open_rubric(client)[0] == rubric_id
    cid, side_step = next((c, s) for (c, side), s in final.items() if side == "self")
    # ?open=mid: the higher level loads on demand, so ask for it to be on the page too.
    page = client.get(f"/rubrics/{rubric_id}?open=mid").get_data(as_text=True)
    assert re.search(rf'id="r{cid}-{side_step}"[^>]* checked>', page)
    new_step = next(s for s in STEPS if s != side_step)
    assert rate(client, rubric_id, cid, new_step).status_code == 200
    newcomer = fresh_app.test_client()
    assert sign_in(newcomer, SimpleNamespace(email="load-0@example.com")).status_code == 303


def test_backup_refuses_to_overwrite_a_file_unless_forced(app, people, tools, tmp_path):
    file = tmp_path / "rungs.backup"
    file.write_bytes(b"last week's backup")
    runner = cli(app)
    refused = runner.invoke(args=["backup", str(file)])
    assert refused.exit_code == 1
    assert refused.output == f"Error: {file} already exists; pass --force to overwrite it.\n"
    assert file.read_bytes() == b"last week's backup"
    forced = runner.invoke(args=["backup", str(file), "--force"])
    assert forced.exit_code == 0, forced.output
    assert file.read_bytes().startswith(MAGIC)
    assert "users 5" in forced.output
    assert os.listdir(tmp_path) == ["rungs.backup"]  # no partial file left behind


def test_restore_refuses_a_database_with_data_unless_forced(app, people, tools, tmp_path):
    file = tmp_path / "rungs.backup"
    runner = cli(app)
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    with app.app_context():
        db.session.add(User(email="late@example.com", name="Late Comer"))
        db.session.commit()

    refused = runner.invoke(args=["restore", str(file)])
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: The database already holds data; pass --force to replace all of it "
        "with the backup.\n"
    )
    with app.app_context():
        assert User.by_email("late@example.com") is not None

    forced = runner.invoke(args=["restore", str(file), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "users 5" in forced.output
    with app.app_context():
        db.session.remove()
        assert User.by_email("late@example.com") is None
        assert User.by_email("engineer@example.com").manager.email == "manager@example.com"
    assert sign_in(app.test_client(), people.engineer).status_code == 303


def test_restore_refuses_files_that_are_not_backups(app, people, tools, tmp_path):
    runner = cli(app)
    missing = runner.invoke(args=["restore", str(tmp_path / "nope"), "--force"])
    assert (missing.exit_code, missing.output) == (
        1,
        f"Error: {tmp_path / 'nope'}: no such file.\n",
    )
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup at all, " * 100)
    refused = runner.invoke(args=["restore", str(junk), "--force"])
    assert refused.exit_code == 1
    expected = "is not a pg_dump archive" if ON_POSTGRES else "is not a usable SQLite database"
    assert refused.output.startswith(f"Error: {junk} {expected} (")
    assert refused.output.count("\n") == 1
    with app.app_context():
        assert count(User) == 5  # nothing was touched


@sqlite_only
def test_restore_refuses_a_damaged_or_foreign_sqlite_file(app, people, tmp_path):
    runner = cli(app)
    file = tmp_path / "rungs.backup"
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    data = bytearray(file.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # scribble over every page after the first
        data[start + 100 : start + 400] = os.urandom(300)
    file.write_bytes(bytes(data))
    damaged = runner.invoke(args=["restore", str(file), "--force"])
    assert damaged.exit_code == 1
    assert re.match(rf"Error: {re.escape(str(file))} (is damaged|is not a usable)", damaged.output)

    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    foreign = runner.invoke(args=["restore", str(other), "--force"])
    assert foreign.output == (
        f"Error: {other} is not a Rungs backup: it has no alembic_version table.\n"
    )
    with app.app_context():
        assert count(User) == 5


@sqlite_only
def test_sqlite_backup_will_not_overwrite_the_live_database(app, people):
    runner = cli(app)
    with app.app_context():
        live = db.engine.url.database
    refused = runner.invoke(args=["backup", live, "--force"])
    assert refused.exit_code == 1
    assert "is the live database itself" in refused.output
    with app.app_context():
        assert count(User) == 5


def test_missing_pg_dump_is_a_one_line_error(monkeypatch, tmp_path):
    # Runs on every database: the tools are looked for before any connection is made.
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://rungs@127.0.0.1:9/rungs",
        }
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    runner = cli(app)
    hint = "install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client)."
    result = runner.invoke(args=["backup", str(tmp_path / "rungs.backup")])
    assert (result.exit_code, result.output) == (1, f"Error: pg_dump is not installed: {hint}\n")
    assert os.listdir(tmp_path) == []
    (tmp_path / "rungs.backup").write_bytes(b"PGDMP")
    result = runner.invoke(args=["restore", str(tmp_path / "rungs.backup")])
    assert (result.exit_code, result.output) == (1, f"Error: pg_restore is not installed: {hint}\n")


@postgres_only
def test_failing_pg_dump_is_a_one_line_error_and_leaves_no_file(
    app, people, tools, tmp_path, monkeypatch
):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        "echo 'pg_dump: error: server version: 99.0; pg_dump version: 15.2' >&2\n"
        "echo 'pg_dump: error: aborting because of server version mismatch' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = cli(app).invoke(args=["backup", str(tmp_path / "rungs.backup")])
    assert result.exit_code == 1
    assert result.output == (
        "Error: pg_dump failed: pg_dump: error: aborting because of server version mismatch\n"
    )
    assert sorted(os.listdir(tmp_path)) == ["bin"]


def test_pg_dump_gets_no_password_on_its_command_line():
    url = URL.create(
        "postgresql+psycopg",
        username="rungs",
        password="s3cret:with@colon",
        host="db.example.com",
        port=5433,
        database="rungs",
    )
    with postgres.libpq(url) as (conninfo, env):
        assert conninfo == "postgresql://rungs@db.example.com:5433/rungs"
        with open(env["PGPASSFILE"]) as passfile:
            assert passfile.read() == "*:*:*:*:s3cret\\:with@colon\n"
        assert stat.S_IMODE(os.stat(env["PGPASSFILE"]).st_mode) == 0o600
    assert not os.path.exists(env["PGPASSFILE"])


@pytest.fixture
def unknown_revision_backup(app, people, tools, tmp_path):
    """A backup whose schema revision this code does not know, as a newer Rungs writes."""
    file = tmp_path / "from-the-future.backup"
    with app.app_context():
        (head,) = db.session.execute(text("SELECT version_num FROM alembic_version")).one()
        db.session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
        db.session.commit()
        try:
            assert cli(app).invoke(args=["backup", str(file)]).exit_code == 0
        finally:
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()
    return file


def test_restore_refuses_a_backup_from_an_unknown_schema_revision(app, unknown_revision_backup):
    with app.app_context():
        db.session.add(User(email="late@example.com", name="Late Comer"))
        db.session.commit()
    refused = cli(app).invoke(args=["restore", str(unknown_revision_backup), "--force"])
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: The backup's schema is at revision f00dfeedbeef, which this version of Rungs "
        "does not know: it was written by a newer (or another) version. Restore it with that "
        "version, or upgrade this one first.\n"
    )
    with app.app_context():
        db.session.remove()
        assert User.by_email("late@example.com") is not None  # nothing was replaced
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert version != "f00dfeedbeef"


def served_writes(port: int, email: str) -> None:
    """Sign in through a server, so that it holds the database as a serving app does."""
    cookie, token = login_form(port)
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert http_request(port, "POST", "/login", form, cookie)[0] == 303


def test_restore_refuses_while_an_app_server_uses_the_database(
    migrated, app, people, tools, tmp_path
):
    file = tmp_path / "rungs.backup"
    runner = cli(app)
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    with gunicorn(migrated, tmp_path / "gunicorn.log", workers=2) as port:
        served_writes(port, people.engineer.email)
        refused = runner.invoke(args=["restore", str(file), "--force"])
        assert refused.exit_code == 1, refused.output
        assert refused.output.startswith("Error: The database is in use by ")
        assert "Stop the app servers first" in refused.output
        assert "--force-while-running" in refused.output
        with app.app_context():
            db.session.remove()
            events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        assert events >= 1  # the server's sign-in, which a restore would silently undo

        forced = runner.invoke(args=["restore", str(file), "--force", "--force-while-running"])
        assert forced.exit_code == 0, forced.output
    with app.app_context():
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_restore_goes_ahead_once_the_servers_have_stopped(migrated, app, people, tools, tmp_path):
    file = tmp_path / "rungs.backup"
    runner = cli(app)
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    with gunicorn(migrated, tmp_path / "gunicorn.log", workers=2) as port:
        served_writes(port, people.engineer.email)
    restored = runner.invoke(args=["restore", str(file), "--force"])
    assert restored.exit_code == 0, restored.output
