"""The bench's database: fresh, migrated, with a generated ladder and a team rating on it."""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app.auth import passwords
from app.auth.models import Role, User
from app.clock import utcnow
from app.config import normalise_url
from app.extensions import db
from app.history.models import Event
from app.ladders import store, synthetic
from app.rubric.models import Rating, Rubric
from bench import scratch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
PASSWORD = "bench password, not a secret"  # noqa: S105
MANAGERS = 5
ENGINEERS = 45
STEPS = ("not-yet", "sometimes", "consistently")


class BenchError(scratch.ScratchError):
    """The bench itself could not run (as opposed to a budget being missed)."""


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    manager_id: int | None


@dataclass(frozen=True)
class Dataset:
    ladder_key: str
    competencies: int
    engineers: list[Person]
    managers: list[Person]
    ratings: int
    events: int


def database_url() -> str:
    """RUNGS_DATABASE_URL when set, else a fresh SQLite file under bench/out/."""
    url = os.environ.get("RUNGS_DATABASE_URL")
    return normalise_url(url) if url else "sqlite:///" + str(OUT / "rungs-bench.sqlite3")


def describe(url: str) -> str:
    """Name the database without its password, for the report."""
    return make_url(url).render_as_string(hide_password=True)


def populate(app, competencies: int = 1_000, seed: int = 20) -> Dataset:
    """Save a generated ladder and 50 people whose rubrics are 30-60% rated."""
    rng = random.Random(seed)
    with app.app_context():
        spec = synthetic.ladder(competencies)
        ladder = store.save(spec)
        db.session.commit()
        ids = list(store.stored(ladder).competency_ids.values())
        hashed = passwords.hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
        managers = [
            User(email=f"manager{i}@bench.example", name=f"Manager {i}", role=Role.MANAGER)
            for i in range(1, MANAGERS + 1)
        ]
        engineers = [
            User(
                email=f"engineer{i}@bench.example",
                name=f"Engineer {i}",
                role=Role.ENGINEER,
                manager=managers[i % MANAGERS],
            )
            for i in range(1, ENGINEERS + 1)
        ]
        for user in managers + engineers:
            user.password_hash = hashed
        db.session.add_all(managers + engineers)
        db.session.flush()
        totals = [0, 0]
        for user in managers + engineers:
            rubric = Rubric(user_id=user.id, ladder_id=ladder.id, track_key=spec.tracks[0].key)
            db.session.add(rubric)
            db.session.flush()
            added = rate_randomly(rubric.id, user, ids, rng)
            totals = [totals[0] + added[0], totals[1] + added[1]]
        db.session.commit()
        return Dataset(
            spec.key,
            len(ids),
            [Person(u.id, u.email, u.manager_id) for u in engineers],
            [Person(u.id, u.email, None) for u in managers],
            *totals,
        )


def rate_randomly(rubric_id: int, user: User, ids: list[int], rng: random.Random):
    """Rate 30-60% of the competencies, half of those by the manager too; log each as an event.

    Returns (rating rows, events) added; the caller commits.
    """
    now = utcnow()
    chosen = rng.sample(ids, rng.randint(len(ids) * 3 // 10, len(ids) * 6 // 10))
    ratings, events = [], []
    for cid in chosen:
        row = {
            "rubric_id": rubric_id,
            "competency_id": cid,
            "self_step": rng.choice(STEPS),
            "self_by_id": user.id,
            "self_at": now,
            "evidence_count": 0,
            "focus": False,
        }
        if user.manager_id and rng.random() < 0.5:
            row |= {"manager_step": rng.choice(STEPS), "manager_by_id": user.manager_id}
            row["manager_at"] = now
        ratings.append(row)
        events.append(
            {
                "rubric_id": rubric_id,
                "actor_id": user.id,
                "kind": "rating.self",
                "competency_id": cid,
                "before": {"step": None},
                "after": {"step": row["self_step"]},
                "created_at": now,
            }
        )
    if ratings:
        db.session.execute(insert(Rating), ratings)
        db.session.execute(insert(Event), events)
    return len(ratings), len(events)


def add_sized_ladder(app, size: int, person: Person, seed: int = 21) -> str:
    """Save a ``size``-competency ladder and give ``person`` a partly rated rubric on it."""
    rng = random.Random(seed + size)
    key = f"bench{size}"
    with app.app_context():
        spec = synthetic.ladder(size, key=key)
        ladder = store.save(spec)
        db.session.flush()
        ids = list(store.stored(ladder).competency_ids.values())
        user = db.session.get(User, person.id)
        rubric = Rubric(user_id=user.id, ladder_id=ladder.id, track_key=spec.tracks[0].key)
        db.session.add(rubric)
        db.session.flush()
        rate_randomly(rubric.id, user, ids, rng)
        db.session.commit()
    return key


def event_count(app) -> int:
    """Count the history rows: every rating change that was written adds one."""
    with app.app_context():
        return db.session.scalar(text("SELECT count(*) FROM events"))
