"""Levels over time: a side's ratings replayed day by day, and the step chart of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from markupsafe import Markup
from sqlalchemy import select

from app.charts import svg
from app.charts.svg import Series
from app.clock import utcnow
from app.extensions import db
from app.history.events import Kind
from app.history.models import Event
from app.ladders.store import StoredLadder
from app.levels import incremental
from app.levels.index import TrackIndex
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


class Change(NamedTuple):
    """One rating change as the replay needs it (a result row of the same names will do)."""

    competency_id: int | None
    step: str | None  # the step it set
    created_at: datetime


def replay_by_day(stored: StoredLadder, index: TrackIndex, changes: Iterable[Change]) -> History:
    """Replay one side's rating changes (oldest first) day by day; keep the days a level moved.

    The standing is kept by counts (app/levels/incremental) and changed by each rating,
    so a long history costs one step per change and one evaluation per day, not a recount
    of every competency each day.
    """
    by_day: dict[date, list[Change]] = {}
    for change in changes:
        if change.competency_id in stored.competency_keys:
            by_day.setdefault(change.created_at.date(), []).append(change)
    scale = stored.spec.scale
    kept = incremental.full(index, scale, {})
    steps: dict[str, str | None] = {}
    overall: list[tuple[date, int]] = []
    cats: dict[str, list[tuple[date, int]]] = {c.key: [] for c in index.categories}
    names = {c.key: c.name for c in index.categories}
    for day in sorted(by_day):
        # Only where a day ends counts: a competency changed five times moves once.
        ends = {}
        for change in by_day[day]:
            step = change.step
            ends[stored.competency_keys[change.competency_id]] = step if scale.has(step) else None
        for key, step in ends.items():
            incremental.apply(kept, index, key, steps.get(key), step)
            steps[key] = step
        standing = incremental.evaluate(index, scale, kept)
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
    # Only the person's own changes, and only the columns the replay reads: a rubric's
    # history grows with every click, and this runs on every page view.
    step = Event.after["step"].as_string().label("step")  # not the whole JSON, decoded
    changes = db.session.execute(
        select(Event.competency_id, step, Event.created_at)
        .where(Event.rubric_id == rubric_id, Event.kind == Kind.rating(Side.SELF).value)
        .order_by(Event.id)
    )
    past = replay_by_day(stored, index, changes)
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
