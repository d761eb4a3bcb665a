"""Levels over time: a side's ratings replayed day by day, and the step chart of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from sqlalchemy import select

from app.charts import svg
from app.charts.svg import Series
from app.clock import utcnow
from app.extensions import db
from app.history.events import Kind, kinds_in
from app.history.models import Event
from app.ladders.store import StoredLadder
from app.levels.index import TrackIndex
from app.levels.standing import evaluate
from app.rubric.side import Side


@dataclass(frozen=True)
class History:
    days: tuple[date, ...]
    overall: Series
    categories: tuple[Series, ...]

    def table(self) -> list[tuple[date, int, tuple[int, ...]]]:
        """The numbers behind the chart: per day, overall then each category's rung."""

        def at(series: Series, day: date) -> int:
            value = 0
            for when, level in series.points:
                if when <= day:
                    value = level
            return value

        return [
            (d, at(self.overall, d), tuple(at(s, d) for s in self.categories)) for d in self.days
        ]


def replay_by_day(
    stored: StoredLadder, index: TrackIndex, events: list[Event], side: Side
) -> History:
    """Replay one side's ratings day by day and keep the days a level moved."""
    kind = Kind.rating(side)
    ratings: dict[str, float] = {}
    by_day: dict[date, list[Event]] = {}
    for e in events:
        if e.kind == kind and e.competency_id in stored.competency_keys:
            by_day.setdefault(e.created_at.date(), []).append(e)
    overall: list[tuple[date, int]] = []
    cats: dict[str, list[tuple[date, int]]] = {c.key: [] for c in index.categories}
    names = {c.key: c.name for c in index.categories}
    for day in sorted(by_day):
        for e in by_day[day]:
            key = stored.competency_keys[e.competency_id]
            ratings[key] = stored.spec.scale.value((e.after or {}).get("step"))
        standing = evaluate(index, ratings)
        _keep(overall, day, index.rung(standing.level))
        for c in standing.categories:
            _keep(cats[c.key], day, index.rung(c.level))
    days = tuple(sorted({d for d, _ in overall} | {d for pts in cats.values() for d, _ in pts}))
    return History(
        days=days,
        overall=Series("Overall", tuple(overall)),
        categories=tuple(Series(names[k], tuple(v)) for k, v in cats.items()),
    )


def _keep(points: list[tuple[date, int]], day: date, level: int) -> None:
    """Add a point only where the level moved, so the staircase stays small."""
    if not points or points[-1][1] != level:
        points.append((day, level))


@dataclass(frozen=True)
class StepsChart:
    chart: Markup
    history: History
    names: list[str]  # level names by rung, "None" first


def levels_over_time(
    rubric_id: int, stored: StoredLadder, index: TrackIndex, owner_name: str
) -> StepsChart:
    """Replay the person's own ratings and draw their levels over time."""
    events = db.session.scalars(
        select(Event)
        .where(Event.rubric_id == rubric_id, Event.kind.in_(kinds_in("rating")))
        .order_by(Event.id)
    ).all()
    past = replay_by_day(stored, index, list(events), Side.SELF)
    today = utcnow().date()
    # At least a week wide, so a first day of ratings still draws a visible line.
    start = min(past.days[0] if past.days else today, today - timedelta(days=7))
    names = [lv.name for lv in index.levels]
    chart = svg.steps(
        [past.overall, *past.categories],
        start,
        today,
        len(names),
        names,
        title="Levels over time",
        description=f"{owner_name}'s own ratings: overall level and each "
        f"category's level on each day a level changed.",
    )
    return StepsChart(chart, past, ["None", *names])
