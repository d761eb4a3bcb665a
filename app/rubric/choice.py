"""Which ladder a person lands on: one rule, used by /me, the team page and the switcher.

1. The ladder an admin or their manager assigned them, unless it is archived.
2. Otherwise the ladder of the rubric they (or their manager) changed last, so nobody's
   work moves out of sight; a rubric nobody changed yet counts from when it was opened.
3. Otherwise the installation's default ladder, else the oldest ladder.

Importing or creating a ladder changes none of these, so it never moves anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.audit import log as audit
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.history.events import Kind, record
from app.history.models import Event
from app.ladders import store
from app.ladders.manage import LadderChangeRefused
from app.ladders.models import Ladder, LadderAssignment
from app.rubric import queries
from app.rubric.models import Rubric


@dataclass(frozen=True)
class OwnRubric:
    """One of a person's rubrics, as the switcher lists it."""

    rubric_id: int
    ladder_key: str
    ladder_name: str
    archived: bool


def ladders_of(user_ids: list[int]) -> dict[int, Ladder]:
    """Return the ladder each person lands on, in three queries whatever their number."""
    if not user_ids:
        return {}
    live = Ladder.archived_at.is_(None)
    chosen: dict[int, Ladder] = {}
    for user_id, ladder in db.session.execute(
        select(LadderAssignment.user_id, Ladder)
        .join(Ladder, LadderAssignment.ladder_id == Ladder.id)
        .where(LadderAssignment.user_id.in_(user_ids), live)
    ):
        chosen[user_id] = ladder
    last_change = select(func.max(Event.id)).where(Event.rubric_id == Rubric.id).scalar_subquery()
    rows = db.session.execute(
        select(Rubric.user_id, Ladder, last_change)
        .join(Ladder, Rubric.ladder_id == Ladder.id)
        .where(Rubric.user_id.in_(user_ids), live)
        # The newest change wins; a rubric without any comes after those with one.
        .order_by(Rubric.user_id, last_change.desc().nulls_last(), Rubric.created_at.desc())
    )
    for user_id, ladder, _ in rows:
        chosen.setdefault(user_id, ladder)
    if len(chosen) < len(set(user_ids)):
        fallback = db.session.scalar(
            select(Ladder).where(live).order_by(Ladder.is_default.desc(), Ladder.id).limit(1)
        )
        if fallback is not None:
            for user_id in user_ids:
                chosen.setdefault(user_id, fallback)
    return chosen


def ladder_of(user_id: int) -> Ladder | None:
    """Return the ladder one person lands on, None when there is no ladder at all."""
    return ladders_of([user_id]).get(user_id)


def rubrics_of(user_id: int) -> list[OwnRubric]:
    """List a person's rubrics by ladder name, archived ladders included, for the switcher."""
    rows = db.session.execute(
        select(Rubric.id, Ladder.key, Ladder.name, Ladder.archived_at)
        .join(Ladder, Rubric.ladder_id == Ladder.id)
        .where(Rubric.user_id == user_id)
        .order_by(Ladder.name, Ladder.key)
    )
    return [OwnRubric(rid, key, name, archived is not None) for rid, key, name, archived in rows]


def assignment_of(user_id: int) -> LadderAssignment | None:
    """The person's assignment, if anyone made one."""
    return db.session.get(LadderAssignment, user_id)


def rubric_counts() -> dict[int, int]:
    """How many rubrics each ladder has, by ladder id (a ladder in use cannot be deleted)."""
    rows = db.session.execute(select(Rubric.ladder_id, func.count()).group_by(Rubric.ladder_id))
    return dict(rows.all())


def assign(person: User, ladder: Ladder, track_key: str | None, actor: User | str) -> Rubric:
    """Make a ladder (and track) the one a person lands on; return their rubric there.

    Their rubrics on other ladders stay as they are, reachable from the switcher. A track
    given here becomes the rubric's track, recorded in its history like any track change.
    """
    if ladder.archived:
        raise LadderChangeRefused(f"{ladder.name} is archived: it takes no new assignments.")
    spec = store.stored(ladder).spec
    if track_key is not None and track_key not in {t.key for t in spec.tracks}:
        names = ", ".join(t.key for t in spec.tracks)
        raise LadderChangeRefused(
            f"{ladder.name} ({ladder.key}) has no track {track_key!r} (it has {names})."
        )
    # First, as it may commit on its own: opening a rubric is a write transaction of its own.
    rubric = queries.rubric_for(person, ladder)
    found = db.session.get(LadderAssignment, person.id)
    before = (found.ladder_id, found.track_key) if found else None
    if found is None:
        found = LadderAssignment(user_id=person.id)
        db.session.add(found)
    found.ladder_id, found.track_key = ladder.id, track_key
    found.assigned_by_id = actor.id if isinstance(actor, User) else None
    found.assigned_at = utcnow()
    if before != (ladder.id, track_key):
        track = f", track {track_key}" if track_key else ""
        audit.record("ladder.assigned", actor, person, detail=f"{ladder.key}{track}")
    if track_key is not None and rubric.track_key != track_key:
        target = rubric.target_key
        track = spec.track(track_key)
        if target not in track.levels:
            target = None  # the old target is not on the new track: none, said in history
        actor_id = actor.id if isinstance(actor, User) else None
        before_settings = {"track": rubric.track_key, "target": rubric.target_key}
        rubric.track_key, rubric.target_key = track_key, target
        record(
            rubric.id,
            actor_id,
            Kind.SETTINGS,
            before=before_settings,
            after={"track": track_key, "target": target},
        )
    return rubric
