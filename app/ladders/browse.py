"""Shaping a ladder for reading: the level-by-category grid, search and level comparison."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec


@dataclass(frozen=True)
class Row:
    level: LevelSpec
    cells: tuple[tuple[CategorySpec, tuple[CompetencySpec, ...]], ...]
    count: int


def matches(competency: CompetencySpec, query: str) -> bool:
    """Tell whether a competency mentions every word of the query, ignoring case."""
    haystack = " ".join((competency.title, competency.description, *competency.examples)).casefold()
    return all(word in haystack for word in query.casefold().split())


def grid(spec: LadderSpec, track: TrackSpec, query: str = "") -> list[Row]:
    """Lay out the track's levels by categories, keeping only competencies that match."""
    query = query.strip()
    cells: dict[tuple[str, str], list[CompetencySpec]] = defaultdict(list)
    for c in spec.competencies:
        if not query or matches(c, query):
            cells[(c.level, c.category)].append(c)
    levels = {lv.key: lv for lv in spec.levels}
    rows = []
    for key in track.levels:
        row = tuple((cat, tuple(cells.get((key, cat.key), ()))) for cat in spec.categories)
        rows.append(Row(levels[key], row, sum(len(items) for _, items in row)))
    return rows


@dataclass(frozen=True)
class Comparison:
    lower: LevelSpec
    upper: LevelSpec
    # Per category: what the lower level asks, and what the levels above it up to upper add.
    categories: tuple[
        tuple[CategorySpec, tuple[CompetencySpec, ...], tuple[CompetencySpec, ...]], ...
    ]


def compare(spec: LadderSpec, track: TrackSpec, a: str, b: str) -> Comparison:
    """Compare two levels of a track: the lower level beside everything added on the way up."""
    order = {key: i for i, key in enumerate(track.levels)}
    lo, hi = sorted((a, b), key=lambda k: order[k])
    between = {k for k in track.levels if order[lo] < order[k] <= order[hi]}
    levels = {lv.key: lv for lv in spec.levels}
    rows = []
    for cat in spec.categories:
        here = tuple(c for c in spec.competencies if c.category == cat.key and c.level == lo)
        added = tuple(c for c in spec.competencies if c.category == cat.key and c.level in between)
        rows.append((cat, here, added))
    return Comparison(levels[lo], levels[hi], tuple(rows))
