"""Loading and changing rubrics with as few queries as a click can afford."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.clock import utcnow
from app.database import insert_for, write_intent
from app.extensions import db
from app.ladders import store
from app.ladders.models import Ladder
from app.levels import index as engine_index
from app.rubric.models import Event, Rating, Rubric


@dataclass
class Loaded:
    """A rubric with its ladder and the owner's manager, fetched in one query."""

    rubric: Rubric
    ladder: Ladder
    owner_manager_id: int | None
    owner_name: str
    manager_name: str | None

    @property
    def owner_id(self) -> int:
        return self.rubric.user_id


class RatingRow(NamedTuple):
    """One competency's rating row; a tuple, since a page builds thousands of them."""

    self_step: str | None
    manager_step: str | None
    evidence_count: int
    focus: bool
    self_at: datetime | None = None
    manager_at: datetime | None = None
    manager_by_id: int | None = None


# Built once: constructing an alias per call costs SQLAlchemy a fresh compile each time.
_Manager = aliased(User)


def poll_state(rubric_id: int) -> tuple[int, int | None, int] | None:
    """Return the owner, the owner's manager and the newest event id, in one light query."""
    latest = (
        select(func.coalesce(func.max(Event.id), 0))
        .where(Event.rubric_id == rubric_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(Rubric.user_id, User.manager_id, latest)
        .join(User, Rubric.user_id == User.id)
        .where(Rubric.id == rubric_id)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def load(rubric_id: int, *, for_update: bool = False) -> Loaded | None:
    """Fetch a rubric, its ladder and its owner's manager id in a single query.

    ``for_update`` locks the rubric row on PostgreSQL so concurrent changes to one rubric
    take turns and each sees the other's result; SQLite's BEGIN IMMEDIATE already does.
    """
    query = (
        select(Rubric, Ladder, User.manager_id, User.name, _Manager.name)
        .join(Ladder, Rubric.ladder_id == Ladder.id)
        .join(User, Rubric.user_id == User.id)
        .outerjoin(_Manager, User.manager_id == _Manager.id)
        .where(Rubric.id == rubric_id)
    )
    if for_update:
        query = query.with_for_update(of=Rubric)
    row = db.session.execute(query).first()
    return Loaded(*row) if row else None


def ratings(rubric_id: int) -> dict[int, RatingRow]:
    """Return every rating row of a rubric by competency id, in one query."""
    rows = db.session.execute(
        select(
            Rating.competency_id,
            Rating.self_step,
            Rating.manager_step,
            Rating.evidence_count,
            Rating.focus,
            Rating.self_at,
            Rating.manager_at,
            Rating.manager_by_id,
        ).where(Rating.rubric_id == rubric_id)
    )
    return {r[0]: RatingRow(*r[1:]) for r in rows}


def upsert_rating(rubric_id: int, competency_id: int, **values) -> None:
    """Insert or update one rating row in a single statement."""
    statement = insert_for(db.session, Rating).values(
        rubric_id=rubric_id, competency_id=competency_id, **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Rating.rubric_id, Rating.competency_id], set_=values
    )
    db.session.execute(statement)


def record(
    rubric_id: int,
    actor_id: int | None,
    kind: str,
    *,
    competency_id: int | None = None,
    before=None,
    after=None,
) -> None:
    """Append an event to the rubric's history."""
    db.session.execute(
        Event.__table__.insert().values(
            rubric_id=rubric_id,
            actor_id=actor_id,
            kind=kind,
            competency_id=competency_id,
            before=before,
            after=after,
            created_at=utcnow(),
        )
    )


def latest_event_id(rubric_id: int) -> int:
    """Return the id of the rubric's newest event: its version, for live updates."""
    return db.session.scalar(
        select(func.coalesce(func.max(Event.id), 0)).where(Event.rubric_id == rubric_id)
    )


_index_cache: dict[tuple[int, int, str], engine_index.TrackIndex] = {}
_index_lock = threading.Lock()


def track_index(stored: store.StoredLadder, track_key: str) -> engine_index.TrackIndex:
    """Return the engine's index of a track, built once per ladder version."""
    key = (stored.id, stored.version, track_key)
    index = _index_cache.get(key)
    if index is None:
        index = engine_index.build_index(stored.spec, track_key)
        with _index_lock:
            for old in [k for k in _index_cache if k[0] == stored.id and k[1] != stored.version]:
                _index_cache.pop(old, None)
            _index_cache[key] = index
    return index


def values(stored: store.StoredLadder, rows: dict[int, RatingRow], side: str) -> dict[str, float]:
    """Turn one side's rating steps into the engine's competency-key-to-value map."""
    scale = {step.key: step.value for step in stored.spec.scale}
    keys = stored.competency_keys
    found = {}
    for cid, row in rows.items():
        step = row.self_step if side == "self" else row.manager_step
        if step is not None and cid in keys:
            found[keys[cid]] = scale.get(step, 0.0)
    return found


def rubric_for(user: User, ladder: Ladder) -> Rubric:
    """Return the person's rubric on a ladder, creating it on the ladder's first track.

    Two people may open a new rubric at the same moment, and this runs inside a GET: the
    insert gets a write transaction of its own and gives way to a concurrent one.
    """

    def find() -> Rubric | None:
        return db.session.scalar(
            select(Rubric).where(Rubric.user_id == user.id, Rubric.ladder_id == ladder.id)
        )

    rubric = find()
    if rubric is None:
        track = store.stored(ladder).spec.tracks[0].key
        db.session.commit()  # end the read transaction; the insert needs a write one
        token = write_intent.set(True)
        try:
            db.session.execute(
                insert_for(db.session, Rubric)
                .values(user_id=user.id, ladder_id=ladder.id, track_key=track, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=[Rubric.user_id, Rubric.ladder_id])
            )
            db.session.commit()
        finally:
            write_intent.reset(token)
        rubric = find()
    return rubric


def with_change(
    old: RatingRow | None, side: str, step: str, actor_id: int, at: datetime
) -> RatingRow:
    """Return a rating row as it is after one side's change."""
    old = old or RatingRow(None, None, 0, False)
    if side == "self":
        return old._replace(self_step=step, self_at=at)
    return old._replace(manager_step=step, manager_at=at, manager_by_id=actor_id)
