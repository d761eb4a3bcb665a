"""The read model of a team: where each person stands, and the gaps they share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import store
from app.ladders.models import Ladder
from app.levels.index import TrackIndex
from app.levels.standing import Standing, evaluate, gaps_to
from app.oneonone import rhythm
from app.oneonone.queries import last_meetings
from app.rubric import choice
from app.rubric.models import Rubric
from app.rubric.page import side_ratings
from app.rubric.queries import ratings_of_rubrics
from app.rubric.side import Side


@dataclass(frozen=True)
class Row:
    person: User
    rubric: Rubric | None
    track: str
    standing: Standing | None
    manager_standing: Standing | None
    last_meeting: object | None
    index: TrackIndex | None = None
    ratings: dict | None = None
    ladder: Ladder | None = None  # the ladder this row is on
    next_meeting: date | None = None

    def category_rung(self, key: str) -> int:
        """The rung reached in a category (0 for none), for the heatmap's shade."""
        found = self.standing.category(key)
        return self.index.rung(found.level if found else None)


def reports_of(viewer: User) -> list[User]:
    """The people whose data a manager (their reports) or an admin (everyone) sees."""
    query = select(User).where(User.active)
    if not viewer.is_admin:
        query = query.where(User.manager_id == viewer.id)
    return list(db.session.scalars(query.order_by(User.name)))


def team_rows(
    people: list[User], ladder: Ladder | None = None, today: date | None = None
) -> list[Row]:
    """Compute where each person stands, with one query for all their ratings.

    Each person is shown on the ladder they land on (``choice``), or all on ``ladder``.
    """
    chosen = {p.id: ladder for p in people} if ladder else choice.ladders_of([p.id for p in people])
    wanted = {(p.id, chosen[p.id].id) for p in people if p.id in chosen}
    rubrics = {
        r.user_id: r
        for r in db.session.scalars(
            select(Rubric).where(
                Rubric.user_id.in_([p.id for p in people]),
                Rubric.ladder_id.in_({lad.id for lad in chosen.values()}),
            )
        )
        if (r.user_id, r.ladder_id) in wanted
    }
    by_rubric = ratings_of_rubrics([r.id for r in rubrics.values()])
    meetings = last_meetings(list(by_rubric))
    upcoming = rhythm.upcoming_by_rubric(list(by_rubric), today or utcnow().date())
    rows = []
    for person in people:
        rubric = rubrics.get(person.id)
        if rubric is None:
            rows.append(Row(person, None, "", None, None, None, ladder=chosen.get(person.id)))
            continue
        stored = store.stored(chosen[person.id])
        index = stored.index(rubric.track_key)
        rated = by_rubric[rubric.id]
        mine = side_ratings(stored, rated, Side.SELF)
        theirs = side_ratings(stored, rated, Side.MANAGER)
        rows.append(
            Row(
                person,
                rubric,
                index.track_name,
                evaluate(index, mine, rubric.target_key),
                evaluate(index, theirs, rubric.target_key) if theirs else None,
                meetings.get(rubric.id),
                index,
                mine,
                chosen[person.id],
                upcoming.get(rubric.id),
            )
        )
    return rows


@dataclass(frozen=True)
class SharedGap:
    title: str
    category: str
    level: str
    missing: tuple[str, ...]  # who still lacks it for their next level


def team_gaps(rows: list[Row], limit: int = 10) -> list[SharedGap]:
    """The competencies of each person's next level that most of the team is missing."""
    found: dict[str, SharedGap] = {}
    for row in rows:
        if row.standing.next_level is None:
            continue
        gaps = gaps_to(row.index, row.ratings, row.standing.next_level)
        levels = {lv.key: lv.name for lv in row.index.levels}
        for category in gaps.categories:
            for item in category.items:
                if item.level != row.standing.next_level:
                    continue  # only what the next level adds
                seen = found.get(item.key)
                who = (*seen.missing, row.person.name) if seen else (row.person.name,)
                found[item.key] = SharedGap(item.title, category.name, levels[item.level], who)
    shared = sorted(found.values(), key=lambda g: (-len(g.missing), g.title))
    return [g for g in shared if len(g.missing) > 1][:limit] or shared[:limit]
