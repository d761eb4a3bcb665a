"""The safety run's own databases: create, migrate, fill with a team, check, drop."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PASSWORD = "safety run password, not a secret"  # noqa: S105
COMPETENCIES = 200
ENGINEERS = 4
MANAGERS = 2


@dataclass(frozen=True)
class Shared:
    """One engineer's rubric, which the engineer and their manager both change."""

    rubric_id: int
    engineer: str  # email
    engineer_id: int
    manager: str
    manager_id: int


@dataclass(frozen=True)
class Team:
    rubrics: list[Shared]
    competency_ids: list[int]  # the whole ladder, in ladder order


def label(url: str) -> str:
    return "SQLite" if make_url(url).get_backend_name() == "sqlite" else "PostgreSQL"


def populate(url: str) -> Team:
    """Save a generated ladder, managers, engineers and one rubric per engineer."""
    from app import create_app
    from app.auth import passwords
    from app.auth.models import Role, User
    from app.extensions import db
    from app.ladders import store, synthetic
    from app.rubric.models import Rubric

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "populate only"})
    with app.app_context():
        spec = synthetic.ladder(COMPETENCIES)
        ladder = store.save(spec)
        db.session.commit()
        ids = list(store.stored(ladder).competency_ids.values())
        hashed = passwords.hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
        managers = [
            User(
                email=f"manager{i}@safety.example",
                name=f"Manager {i}",
                role=Role.MANAGER,
                password_hash=hashed,
            )
            for i in range(1, MANAGERS + 1)
        ]
        engineers = [
            User(
                email=f"engineer{i}@safety.example",
                name=f"Engineer {i}",
                role=Role.ENGINEER,
                manager=managers[i % MANAGERS],
                password_hash=hashed,
            )
            for i in range(1, ENGINEERS + 1)
        ]
        db.session.add_all(managers + engineers)
        db.session.flush()
        rubrics = []
        for user in engineers:
            rubric = Rubric(user_id=user.id, ladder_id=ladder.id, track_key=spec.tracks[0].key)
            db.session.add(rubric)
            db.session.flush()
            boss = user.manager
            rubrics.append(Shared(rubric.id, user.email, user.id, boss.email, boss.id))
        db.session.commit()
        db.engine.dispose()
    return Team(rubrics, ids)


def integrity(url: str) -> tuple[bool, str]:
    """Ask the database itself whether its files are sound; return (ok, what was checked)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            conn.close()
        ok = result == ["ok"] and not foreign
        return ok, f"integrity_check: {result[0]}; foreign_key_check: {len(foreign)} rows"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            # Raises on a damaged index; heapallindexed also checks every row is indexed.
            indexes = conn.execute(
                text(
                    "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " JOIN pg_am a ON a.oid = c.relam"
                    " WHERE n.nspname = 'public' AND a.amname = 'btree'"
                )
            ).scalar()
            damaged = conn.execute(
                text(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                    " ON n.oid = c.relnamespace, LATERAL verify_heapam(c.oid)"
                    " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
            ).scalar()
    finally:
        engine.dispose()
    return damaged == 0, f"amcheck: {indexes} btree indexes sound, {damaged} heap problems"
