"""Where a person stands on a ladder track, computed from their ratings.

Build a :class:`TrackIndex` once per (ladder, track) with :func:`build_index`, then call
:func:`evaluate` per request. Everything is linear in the number of competencies.

Decisions a reader needs to know:

- A (level, category) cell without competencies is met: a level nobody has to show
  anything for is reached as soon as the levels below it are. So the overall level under
  ``all`` and ``threshold`` is the lowest of the category levels.
- Under ``points`` a category's milestones are the track levels that have competencies in
  that category, in order; empty levels are skipped rather than counted, so a
  Snowflake-style ladder with competencies at five of fifteen levels has milestones 0-5.
- Only demonstrated ratings (>= 1) reach levels; partial ratings count by their value in
  :attr:`CategoryStanding.progress` so bars move on "Sometimes".
- Categories without a competency in the track are left out, and add no points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelRule, LevelSpec
from app.rubric import rules
from app.rubric.rules import CategoryGaps, GapItem, Gaps, Tallies, gaps_for

__all__ = [
    "CategoryGaps",
    "CategoryStanding",
    "GapItem",
    "Gaps",
    "Standing",
    "TrackIndex",
    "build_index",
    "evaluate",
    "gaps_to",
]

Cells = tuple[tuple[tuple[CompetencySpec, ...], ...], ...]


@dataclass(frozen=True)
class TrackIndex:
    """A ladder track laid out for evaluation; build it once with :func:`build_index`."""

    ladder_key: str
    track_key: str
    track_name: str
    rule: LevelRule
    levels: tuple[LevelSpec, ...]  # in track order, lowest first
    categories: tuple[CategorySpec, ...]  # those with competencies in the track, ladder order
    cells: Cells  # cells[level position][category position], competencies in ladder order

    def position(self, level_key: str) -> int:
        """Return the position of a level in the track, or raise ValueError."""
        pos = _find(self, level_key)
        if pos < 0:
            raise ValueError(f"level {level_key!r} is not in track {self.track_key!r}")
        return pos


@dataclass(frozen=True)
class CategoryStanding:
    """Where a person stands in one category."""

    key: str
    name: str
    level: str | None  # highest level reached in this category
    level_name: str | None
    next_level: str | None  # None at the top
    next_level_name: str | None
    progress: float  # share of the next level done here, weighted, partial ratings by value
    demonstrated: int  # competencies demonstrated in this category across the track
    total: int  # competencies in this category across the track


@dataclass(frozen=True)
class Standing:
    """Where a person stands on a track, and what is left to reach the target."""

    level: str | None
    level_name: str | None
    next_level: str | None
    next_level_name: str | None
    approaching: bool
    label: str
    categories: tuple[CategoryStanding, ...]
    points: int | None  # only for ``points`` ladders
    points_to_next: int | None
    target: str | None  # None when there is nothing above the current level
    gaps: Gaps


def build_index(spec: LadderSpec, track_key: str) -> TrackIndex:
    """Lay out one track of a ladder for evaluation; raise ValueError if inconsistent."""
    rules.validate(spec.rule)
    track = next((t for t in spec.tracks if t.key == track_key), None)
    if track is None:
        raise ValueError(f"ladder {spec.key!r} has no track {track_key!r}")
    levels_by_key = {level.key: level for level in spec.levels}
    missing = [key for key in track.levels if key not in levels_by_key]
    if missing:
        raise ValueError(f"track {track_key!r} names unknown levels {missing}")
    level_pos = {key: i for i, key in enumerate(track.levels)}
    category_pos = {category.key: i for i, category in enumerate(spec.categories)}

    grid: list[list[list[CompetencySpec]]] = [[[] for _ in spec.categories] for _ in track.levels]
    for competency in spec.competencies:
        li = level_pos.get(competency.level)
        if li is None:
            continue  # another track's level
        ci = category_pos.get(competency.category)
        if ci is None:
            raise ValueError(f"competency {competency.key!r} has an unknown category")
        if rules.weight(competency) < 0:
            raise ValueError(f"competency {competency.key!r} has negative points")
        grid[li][ci].append(competency)

    used = [ci for ci in range(len(spec.categories)) if any(row[ci] for row in grid)]
    return TrackIndex(
        ladder_key=spec.key,
        track_key=track.key,
        track_name=track.name,
        rule=spec.rule,
        levels=tuple(levels_by_key[key] for key in track.levels),
        categories=tuple(spec.categories[ci] for ci in used),
        cells=tuple(tuple(tuple(row[ci]) for ci in used) for row in grid),
    )


def evaluate(
    index: TrackIndex, ratings: Mapping[str, float], target: str | None = None
) -> Standing:
    """Work out the level, category levels, progress and gaps of one person."""
    tallies = _tally(index, ratings)
    reached = _category_reached(index, tallies)
    pos, points = _overall(index, reached)
    nxt = _next_level(index, pos)
    points_to_next = None
    if points is not None and nxt >= 0:
        points_to_next = (_lp(index, nxt) or 0) - points

    approaching = nxt >= 0 and _approaching(index, tallies, pos, nxt, points)
    chosen = _find(index, target) if target is not None else -1
    goal = chosen if chosen > pos else nxt
    gaps = gaps_for(index, ratings, tallies, max(goal, pos), pos, points)
    label = _name(index, pos) or "No level yet"
    if approaching:
        label += f", approaching {_name(index, nxt)}"
    return Standing(
        level=_key(index, pos),
        level_name=_name(index, pos),
        next_level=_key(index, nxt),
        next_level_name=_name(index, nxt),
        approaching=approaching,
        label=label,
        categories=_categories(index, tallies, reached),
        points=points,
        points_to_next=points_to_next,
        target=_key(index, goal),
        gaps=gaps,
    )


def gaps_to(index: TrackIndex, ratings: Mapping[str, float], level_key: str) -> Gaps:
    """Return what is missing to reach any level of the track, reached or not."""
    goal = index.position(level_key)
    tallies = _tally(index, ratings)
    pos, points = _overall(index, _category_reached(index, tallies))
    return gaps_for(index, ratings, tallies, goal, pos, points)


def _tally(index: TrackIndex, ratings: Mapping[str, float]) -> Tallies:
    """Add up every cell of the track once."""
    return tuple(tuple(rules.tally(cell, ratings) for cell in row) for row in index.cells)


def _category_reached(index: TrackIndex, tallies: Tallies) -> list[tuple[int, int]]:
    """Return, per category, the position of the level reached (-1 none) and its milestone."""
    result = []
    for ci in range(len(index.categories)):
        pos, milestone = -1, 0
        for li, row in enumerate(tallies):
            cell = row[ci]
            if index.rule.type == "points" and cell.count == 0:
                continue  # not a milestone of this category
            if not rules.cell_met(index.rule, cell):
                break
            pos, milestone = li, milestone + (cell.count > 0)
        result.append((pos, milestone))
    return result


def _overall(index: TrackIndex, reached: list[tuple[int, int]]) -> tuple[int, int | None]:
    """Return the position of the level reached (-1 none) and the points (points rule)."""
    if index.rule.type == "points":
        points = sum(rules.milestone_points(index.rule, m) for _, m in reached)
        return _points_level(index, points), points
    # Cells are cumulative and empty ones are met, so the weakest category sets the level.
    return min((p for p, _ in reached), default=len(index.levels) - 1), None


def _next_level(index: TrackIndex, pos: int) -> int:
    """Return the position of the next level that can be reached, -1 at the top."""
    for i in range(pos + 1, len(index.levels)):
        if index.rule.type != "points" or _lp(index, i) is not None:
            return i
    return -1


def _next_in_category(index: TrackIndex, tallies: Tallies, ci: int, pos: int) -> int:
    """Return the position of the next level to work on in a category, -1 at the top."""
    for li in range(pos + 1, len(index.levels)):
        if index.rule.type != "points" or tallies[li][ci].count:
            return li
    return -1


def _categories(
    index: TrackIndex, tallies: Tallies, reached: list[tuple[int, int]]
) -> tuple[CategoryStanding, ...]:
    """Describe each category's level and progress towards its next one."""
    result = []
    for ci, category in enumerate(index.categories):
        pos = reached[ci][0]
        nxt = _next_in_category(index, tallies, ci, pos)
        column = rules.combine(row[ci] for row in tallies)
        result.append(
            CategoryStanding(
                key=category.key,
                name=category.name,
                level=_key(index, pos),
                level_name=_name(index, pos),
                next_level=_key(index, nxt),
                next_level_name=_name(index, nxt),
                progress=rules.progress(tallies[nxt][ci]) if nxt >= 0 else 1.0,
                demonstrated=column.done,
                total=column.count,
            )
        )
    return tuple(result)


def _approaching(
    index: TrackIndex, tallies: Tallies, pos: int, nxt: int, points: int | None
) -> bool:
    """Tell whether the approaching band of the next level is met."""
    share = index.rule.approaching
    if share is None:
        return False
    if points is None:
        fraction = rules.demonstrated_fraction(rules.combine(tallies[nxt]))
        return fraction >= share - rules.EPSILON
    low = (_lp(index, pos) or 0) if pos >= 0 else 0  # no level yet: count from zero
    high = _lp(index, nxt) or 0
    return points >= low + share * (high - low) - rules.EPSILON


def _points_level(index: TrackIndex, points: int) -> int:
    """Return the highest position whose level points are at most ``points``."""
    best = -1
    for i in range(len(index.levels)):
        needed = _lp(index, i)
        if needed is not None and needed <= points:
            best = i
    return best


def _lp(index: TrackIndex, pos: int) -> int | None:
    """Return the points a level needs, None if points never reach it."""
    return index.rule.level_points.get(index.levels[pos].key)


def _find(index: TrackIndex, level_key: str) -> int:
    """Return the position of a level in the track, -1 if it is not there."""
    return next((i for i, level in enumerate(index.levels) if level.key == level_key), -1)


def _key(index: TrackIndex, pos: int) -> str | None:
    """Return the key of the level at a position, None for -1."""
    return index.levels[pos].key if pos >= 0 else None


def _name(index: TrackIndex, pos: int) -> str | None:
    """Return the name of the level at a position, None for -1."""
    return index.levels[pos].name if pos >= 0 else None
