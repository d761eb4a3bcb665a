"""Levels over time, replayed from a rubric's history, and the numbers behind each chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.ladders.store import StoredLadder
from app.levels import index as engine_index
from app.levels import standing as engine
from app.rubric.models import Event

from .svg import Axis, Series


def position(index: engine_index.TrackIndex, level_key: str | None) -> int:
    """A level's place in the track: 0 for none, 1 for the first level, and so on."""
    keys = [lv.key for lv in index.levels]
    return keys.index(level_key) + 1 if level_key in keys else 0


def radar_axes(
    index: engine_index.TrackIndex, mine: engine.Standing, theirs: engine.Standing | None
) -> list[Axis]:
    """One axis per category: the level reached on each side."""
    other = {c.key: c for c in theirs.categories} if theirs else {}
    return [
        Axis(
            c.name,
            position(index, c.level),
            position(index, other[c.key].level) if c.key in other else None,
        )
        for c in mine.categories
    ]


@dataclass(frozen=True)
class History:
    days: tuple[date, ...]
    overall: Series
    categories: tuple[Series, ...]

    def table(self) -> list[tuple[date, int, tuple[int, ...]]]:
        """The numbers behind the chart: per day, overall then each category's level."""

        def at(series: Series, day: date) -> int:
            value = 0
            for when, level in series.points:
                if when <= day:
                    value = level
            return value

        return [
            (d, at(self.overall, d), tuple(at(s, d) for s in self.categories)) for d in self.days
        ]


def history(
    stored: StoredLadder, index: engine_index.TrackIndex, events: list[Event], side: str
) -> History:
    """Replay one side's ratings day by day and keep the days a level moved."""
    scale = {s.key: s.value for s in stored.spec.scale}
    kind = f"rating.{side}"
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
            ratings[stored.competency_keys[e.competency_id]] = scale.get(
                (e.after or {}).get("step"), 0.0
            )
        standing = engine.evaluate(index, ratings)
        _keep(overall, day, position(index, standing.level))
        for c in standing.categories:
            _keep(cats[c.key], day, position(index, c.level))
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
