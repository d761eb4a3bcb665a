"""Migrations: build the schema from nothing, go down and up again, and carry old data over.

Every revision in migrations/versions is tested: for each one, a fresh database is upgraded
to it, filled with rows written in plain SQL for the schema of that moment, then upgraded
to head, and the rows must still be there and usable through the app.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from helpers import PASSWORD
from sqlalchemy import MetaData, Table, create_engine, inspect, make_url, select, text

from app import ROOT, create_app
from app.auth import passwords
from app.auth.models import User
from app.extensions import db
from app.ladders import store

SCRIPTS = ScriptDirectory(os.path.join(ROOT, "migrations"))
# Oldest first: 93166c5b2494 (accounts), 2697e5b8f268 (ladders), d0887b316336 (rubrics), ...
CHAIN = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]
NOW = datetime(2026, 11, 26, 9, 30)


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the kind under test, used by one test only and dropped after."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"rungs_scratch_{secrets.token_hex(6)}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def scratch_app(scratch_url):
    """An app on the scratch database; nothing is migrated yet."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": scratch_url,
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def schema_differences(app) -> list:
    """What autogenerate would change to make the database match the models."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_form_one_chain():
    # Two heads happen when two branches each add a migration; `flask db upgrade` then fails.
    assert len(SCRIPTS.get_heads()) == 1, f"several heads: {SCRIPTS.get_heads()}"
    assert len(SCRIPTS.get_bases()) == 1
    assert CHAIN[:3] == ["93166c5b2494", "2697e5b8f268", "d0887b316336"]


def test_upgrade_from_empty_builds_exactly_the_models(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade()
    assert tables(scratch_app) == {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
    assert schema_differences(scratch_app) == []


def test_downgrade_to_base_and_upgrade_again(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
    assert tables(scratch_app) == {"alembic_version"}
    with scratch_app.app_context():
        flask_migrate.upgrade()
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == CHAIN[-1]
    assert schema_differences(scratch_app) == []


@dataclass(frozen=True)
class Ref:
    """The id of a row inserted earlier, by its label."""

    label: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


PASSWORD_HASH = passwords.hash_password(PASSWORD)

# Rows as an installation of that time would have them, oldest tables first. Columns a
# revision does not have yet are left out when inserting; a column it requires but that is
# missing here makes the insert fail, which says: add it below.
SAMPLE: list[tuple[str, str, dict]] = [
    ("users", "ada", {"email": "ada@example.com", "name": "Ada Admin", "role": "admin"}),
    ("users", "maya", {"email": "maya@example.com", "name": "Maya Manager", "role": "manager"}),
    (
        "users",
        "eli",
        {
            "email": "eli@example.com",
            "name": "Eli Engineer",
            "role": "engineer",
            "manager_id": Ref("maya"),
        },
    ),
    (
        "invitations",
        "invite",
        {
            "purpose": "invite",
            "token_hash": token_hash("old-invitation"),
            "user_id": Ref("eli"),
            "created_by_id": Ref("ada"),
            "created_at": NOW,
            "expires_at": datetime(2099, 1, 1),
            "used_at": NOW,
        },
    ),
    ("throttles", "throttle", {"key": "login:old", "failures": 1, "window_start": NOW}),
    (
        "ladders",
        "ladder",
        {
            "key": "old",
            "name": "Old ladder",
            "description": "From an older version.",
            "rule": {
                "type": "all",
                "threshold": None,
                "approaching": None,
                "milestone_points": [],
                "level_points": {},
            },
            "scale": [
                {"key": "not-yet", "label": "Not yet", "value": 0.0},
                {"key": "sometimes", "label": "Sometimes", "value": 0.5},
                {"key": "consistently", "label": "Consistently", "value": 1.0},
            ],
            "version": 1,
            "updated_at": NOW,
        },
    ),
    (
        "tracks",
        "track",
        {
            "ladder_id": Ref("ladder"),
            "key": "ic",
            "name": "Individual contributor",
            "description": "",
            "position": 0,
            "level_keys": ["junior", "mid"],
            "archived": False,
        },
    ),
    *(
        (
            "levels",
            key,
            {
                "ladder_id": Ref("ladder"),
                "key": key,
                "name": name,
                "summary": "",
                "position": n,
                "archived": False,
            },
        )
        for n, (key, name) in enumerate((("junior", "Junior"), ("mid", "Mid-level")))
    ),
    (
        "categories",
        "code",
        {
            "ladder_id": Ref("ladder"),
            "key": "code",
            "name": "Code",
            "summary": "",
            "position": 0,
            "archived": False,
        },
    ),
    *(
        (
            "competencies",
            f"comp-{level}",
            {
                "ladder_id": Ref("ladder"),
                "key": f"code-{level}",
                "title": title,
                "description": "",
                "examples": ["An example."],
                "level_id": Ref(level),
                "category_id": Ref("code"),
                "points": None,
                "position": n,
                "archived": False,
            },
        )
        for n, (level, title) in enumerate(
            (("junior", "Writes tests for old code"), ("mid", "Designs small systems"))
        )
    ),
    (
        "pending_imports",
        "pending",
        {
            "token": "a" * 64,
            "user_id": Ref("ada"),
            "filename": "ladder.yml",
            "format": "rungs",
            "ladder_key": None,
            "data": b"key: pending\n",
            "created_at": NOW,
        },
    ),
    (
        "ladder_versions",
        "version",
        {
            "ladder_id": Ref("ladder"),
            "number": 1,
            "text": "key: old\n",
            "note": "First",
            "author_id": Ref("ada"),
            "author_label": "ada@example.com",
            "published_at": NOW,
        },
    ),
    (
        "ladder_drafts",
        "draft",
        {"ladder_id": Ref("ladder"), "text": "key: old\n", "credits": [], "updated_at": NOW},
    ),
    (
        "ladder_editors",
        "editor",
        {"ladder_id": Ref("ladder"), "user_id": Ref("maya"), "granted_at": NOW},
    ),
    (
        "suggestions",
        "suggestion",
        {
            "ladder_id": Ref("ladder"),
            "competency_key": "tests",
            "title": "Writes tests first",
            "description": "",
            "was_title": "Writes tests",
            "reason": "Clearer",
            "author_id": Ref("eli"),
            "status": "open",
            "decision_note": "",
            "created_at": NOW,
        },
    ),
    (
        "suggestion_comments",
        "comment",
        {
            "suggestion_id": Ref("suggestion"),
            "author_id": Ref("maya"),
            "body": "Yes",
            "created_at": NOW,
        },
    ),
    (
        "ladder_assignments",
        "assignment",
        {
            "user_id": Ref("eli"),
            "ladder_id": Ref("ladder"),
            "track_key": "ic",
            "assigned_by_id": Ref("ada"),
            "assigned_at": NOW,
        },
    ),
    (
        "rubrics",
        "rubric",
        {
            "user_id": Ref("eli"),
            "ladder_id": Ref("ladder"),
            "track_key": "ic",
            "target_key": "mid",
            "created_at": NOW,
        },
    ),
    (
        "ratings",
        "rating",
        {
            "rubric_id": Ref("rubric"),
            "competency_id": Ref("comp-junior"),
            "self_step": "consistently",
            "self_by_id": Ref("eli"),
            "self_at": NOW,
            "manager_step": "consistently",
            "manager_by_id": Ref("maya"),
            "manager_at": NOW,
            "evidence_count": 1,
            "focus": False,
        },
    ),
    (
        "events",
        "event",
        {
            "rubric_id": Ref("rubric"),
            "actor_id": Ref("eli"),
            "kind": "rating.self",
            "competency_id": Ref("comp-junior"),
            "before": {"step": None},
            "after": {"step": "consistently"},
            "created_at": NOW,
        },
    ),
    (
        "evidence",
        "evidence",
        {
            "rubric_id": Ref("rubric"),
            "competency_id": Ref("comp-junior"),
            "author_id": Ref("eli"),
            "body": "Added tests to the billing module.",
            "link": "https://example.com/pr/1",
            "day": date(2026, 11, 20),
            "private": False,
            "version": 1,
            "created_at": NOW,
            "updated_at": NOW,
        },
    ),
    ("presence", "presence", {"rubric_id": Ref("rubric"), "user_id": Ref("eli"), "seen_at": NOW}),
    (
        "rubric_filters",
        "filter",
        {
            "user_id": Ref("maya"),  # the manager's view: Eli's own page below stays unfiltered
            "rubric_id": Ref("rubric"),
            "text": "deploy",
            "show": "unrated,gaps",
            "saved_at": NOW,
        },
    ),
    (
        "standings",
        "standing",
        # From an older ladder version: the app counts it again rather than trusting it.
        {
            "rubric_id": Ref("rubric"),
            "side": "self",
            "ladder_version": 0,
            "track_key": "ic",
            "data": {"steps": [], "cells": []},
        },
    ),
    (
        "meetings",
        "meeting",
        {
            "rubric_id": Ref("rubric"),
            "started_by_id": Ref("maya"),
            "started_at": NOW,
            "ended_at": NOW,
            "notes": "Talked about testing.",
            "notes_version": 1,
            "first_event_id": Ref("event"),
            "last_event_id": Ref("event"),
        },
    ),
    (
        "note_revisions",
        "revision",
        {
            "meeting_id": Ref("meeting"),
            "number": 1,
            "author_id": Ref("maya"),
            "text": "Talked about testing.",
            "created_at": NOW,
            "merged": False,
            "conflicts": 0,
            "restored_from": None,
        },
    ),
    (
        "next_meetings",
        "next",
        {
            "rubric_id": Ref("rubric"),
            "day": date(2026, 12, 10),
            "scheduled_by_id": Ref("maya"),
            "scheduled_at": NOW,
        },
    ),
    (
        "action_items",
        "action",
        {
            "meeting_id": Ref("meeting"),
            "text": "Pair on the billing tests.",
            "owner_id": Ref("eli"),
            "due": date(2026, 12, 3),
            "done": False,
            "created_at": NOW,
        },
    ),
    (
        "agenda_items",
        "agenda",
        {
            "rubric_id": Ref("rubric"),
            "text": "How is the billing migration going?",
            "author_id": Ref("eli"),
            "created_at": NOW,
        },
    ),
    (
        "private_notes",
        "private",
        {
            "meeting_id": Ref("meeting"),
            "author_id": Ref("eli"),
            "text": "Ask about the conference budget.",
            "updated_at": NOW,
        },
    ),
    (
        "outbox",
        "outbox",
        {
            "kind": "packet.signed",
            "to_address": "eli@example.com",
            "subject": "Maya signed your promotion packet",
            "text_body": "Maya signed off your packet.",
            "html_body": "<p>Maya signed off your packet.</p>",
            "headers": {"List-Unsubscribe": "<https://rungs.example.com/unsubscribe/x>"},
            "message_id": "<old.1@example.com>",
            "sensitive": False,
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": NOW,
            "last_error": "",
            "created_at": NOW,
            "sent_at": NOW,
        },
    ),
    (
        "notifications",
        "notification",
        {
            "user_id": Ref("eli"),
            "kind": "packet.signed",
            "title": "Maya signed your promotion packet",
            "body": "Maya signed off your packet.",
            "link": "/rubrics/1/packet",
            "created_at": NOW,
            "read_at": None,
        },
    ),
    (
        "notification_settings",
        "setting",
        {"user_id": Ref("eli"), "kind": "rating.digest", "email": False, "in_app": True},
    ),
    ("digest_states", "digest", {"user_id": Ref("eli"), "covered_until": NOW, "sent_at": NOW}),
    (
        "sign_in_policy",
        "policy",
        {"id": 1, "require_sso": False, "changed_at": NOW, "changed_by_id": Ref("ada")},
    ),
    (
        "audit_events",
        "audit",
        {
            "created_at": NOW,
            "kind": "auth.sign_in",
            "actor_id": Ref("eli"),
            "actor_label": "eli@example.com",
            "subject_id": Ref("eli"),
            "subject_label": "eli@example.com",
            "detail": "",
            "address": "192.0.2.7",
        },
    ),
]

USER_DEFAULTS = {
    "active": True,
    "password_hash": PASSWORD_HASH,
    "session_version": 1,
    "created_at": NOW,
}


def fill(conn) -> dict[str, tuple[str, dict, dict]]:
    """Insert SAMPLE into whatever tables exist; return label -> (table, key, written)."""
    existing = set(inspect(conn).get_table_names()) - {"alembic_version"}
    unknown = existing - {table for table, _, _ in SAMPLE}
    assert not unknown, f"add sample rows for {sorted(unknown)} to SAMPLE in this file"
    metadata = MetaData()
    ids: dict[str, int] = {}
    written = {}
    for name, label, row in SAMPLE:
        if name not in existing:
            continue
        table = Table(name, metadata, autoload_with=conn)
        if name == "users":
            row = {**USER_DEFAULTS, **row}
        values = {
            column: ids[value.label] if isinstance(value, Ref) else value
            for column, value in row.items()
            if column in table.c
        }
        statement = table.insert().values(values)
        if "id" in table.c:
            ids[label] = conn.execute(statement.returning(table.c.id)).scalar_one()
            key = {"id": ids[label]}
        else:
            conn.execute(statement)
            key = {c.name: values[c.name] for c in table.primary_key.columns}
        written[label] = (name, key, values)
    return written


@pytest.mark.parametrize("revision", CHAIN)
def test_rows_written_at_a_revision_survive_the_upgrade_to_head(scratch_app, revision):
    with scratch_app.app_context():
        flask_migrate.upgrade(revision=revision)
        with db.engine.begin() as conn:
            written = fill(conn)
        flask_migrate.upgrade()
        db.engine.dispose()

    # Every row is still there with the values it was written with.
    with scratch_app.app_context(), db.engine.connect() as conn:
        metadata = MetaData()
        for label, (name, key, values) in written.items():
            table = Table(name, metadata, autoload_with=conn)
            found = (
                conn.execute(
                    select(table).where(*(table.c[column] == v for column, v in key.items()))
                )
                .one()
                ._asdict()
            )
            kept = {column: found[column] for column in values if column in found}
            assert kept == {c: v for c, v in values.items() if c in found}, label

    # And the app uses them: people sign in, ladders load, rubrics show their ratings.
    with scratch_app.app_context():
        eli = User.by_email("eli@example.com")
        assert (eli.name, eli.role, eli.manager.email) == (
            "Eli Engineer",
            "engineer",
            "maya@example.com",
        )
        # New rows get fresh ids after the old ones (PostgreSQL sequences were not left behind).
        db.session.add(User(email="new@example.com", name="New Person", password_hash=None))
        db.session.commit()
    client = scratch_app.test_client()
    response = client.post("/login", data={"email": "Eli@example.com", "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    if "ladders" not in {name for name, _, _ in written.values()}:
        return
    with scratch_app.app_context():
        spec = store.stored(store.by_key("old")).spec
        if CHAIN.index(revision) < CHAIN.index("baeccfe684ef"):
            # The ladder people landed on before (the first by name) is the default now.
            assert store.default_ladder().key == "old"
        assert [c.title for c in spec.competencies] == [
            "Writes tests for old code",
            "Designs small systems",
        ]
    landing = client.get("/", follow_redirects=True)
    page = landing.get_data(as_text=True)
    # Levels above the target load on demand; ?open= shows the top one on the same page.
    everything = client.get(f"{landing.request.path}?open=mid").get_data(as_text=True)
    assert "Writes tests for old code" in everything and "Designs small systems" in everything
    if "rubric" in written:
        # Eli rated the junior competency "consistently": his page says he is Junior.
        assert "<strong>Junior</strong>" in page


def test_earlier_notes_saves_become_revisions(scratch_app):
    # Before 479b543afbbb each save of the shared notes was only a "notes" event holding the
    # text: the upgrade rebuilds the revisions from them, authors and all.
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="a13b7c0d1e2f")
        with db.engine.begin() as conn:
            written = fill(conn)
            ids = {label: key.get("id") for label, (_, key, _) in written.items()}
            events = Table("events", MetaData(), autoload_with=conn)
            for actor, saved in (("maya", "Talked"), ("eli", "Talked about testing.")):
                conn.execute(
                    events.insert().values(
                        rubric_id=ids["rubric"],
                        actor_id=ids[actor],
                        kind="notes",
                        before={"meeting": ids["meeting"], "text": ""},
                        after={"meeting": ids["meeting"], "text": saved},
                        created_at=NOW,
                    )
                )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT number, author_id, text FROM note_revisions "
                    "WHERE meeting_id = :m ORDER BY number"
                ),
                {"m": ids["meeting"]},
            ).all()
            version = conn.execute(
                text("SELECT notes_version FROM meetings WHERE id = :m"), {"m": ids["meeting"]}
            ).scalar_one()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, ids["maya"], "Talked"),
        (2, ids["eli"], "Talked about testing."),
    ]
    assert version == 2
