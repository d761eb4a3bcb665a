"""Where a person stands on a ladder track, computed from their ratings.

Build a :class:`~app.levels.index.TrackIndex` once per (ladder, track), then call
:func:`evaluate` per request. Everything is linear in the number of competencies.

Decisions a reader needs to know:

- A (level, category) cell without competencies is met: a level nobody has to show
  anything for is reached as soon as the levels below it are. So the overall level under
  ``all`` and ``threshold`` is the lowest level up to which every category's cells are met.
- A category's own level is reached only when the category asks something at or below it
  and that is demonstrated: a category that starts at level 3 (Monzo's Leadership) has no
  level of its own before its first competencies are shown, though it holds nobody back.
- Under ``points`` a category's milestones are the track levels that have competencies in
  that category, in order; empty levels are skipped rather than counted, so a
  Snowflake-style ladder with competencies at five of fifteen levels has milestones 0-5.
- Only demonstrated ratings (>= 1) reach levels; partial ratings count by their value in
  :attr:`CategoryStanding.progress` so bars move on "Sometimes".
- Categories without a competency in the track are left out, and add no points.
- A competency rated "no opportunity yet" (value ``EXCLUDED``) is neither demonstrated nor
  a gap: it leaves its cell's count, so a cell whose other competencies are demonstrated is
  met, and a cell of nothing but such competencies is met like an empty one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.levels import rules
from app.levels.gaps import Gaps, gaps_for
from app.levels.index import TrackIndex
from app.levels.rules import Tallies

# What is missing to the level at position ``goal``, given the level and points reached.
GapsOf = Callable[[int, int, "int | None"], Gaps]


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

    @property
    def category_levels(self) -> tuple[str | None, ...]:
        """The level reached in each category, in order: what the radar draws."""
        return tuple(c.level for c in self.categories)

    def category(self, key: str) -> CategoryStanding | None:
        """Return the standing in one category, None if the track has no such category."""
        return next((c for c in self.categories if c.key == key), None)


def evaluate(
    index: TrackIndex, ratings: Mapping[str, float], target: str | None = None
) -> Standing:
    """Work out the level, category levels, progress and gaps of one person."""
    tallies = _tally(index, ratings)

    def gaps(goal: int, level: int, points: int | None) -> Gaps:
        return gaps_for(index, ratings, tallies, goal, level, points)

    return from_tallies(index, tallies, gaps, target)


def from_tallies(
    index: TrackIndex, tallies: Tallies, gaps: GapsOf, target: str | None = None
) -> Standing:
    """Work out a standing from cell tallies; ``gaps`` lists what is missing to a goal.

    The tallies may come from the ratings (:func:`evaluate`) or from a standing kept up to
    date click by click (:mod:`app.levels.incremental`): the arithmetic is the same.
    """
    reached = _category_reached(index, tallies)
    pos, points = _overall(index, reached)
    nxt = _next_level(index, pos)
    points_to_next = None
    if points is not None and nxt >= 0:
        points_to_next = (index.level_points(nxt) or 0) - points

    approaching = nxt >= 0 and _approaching(index, tallies, pos, nxt, points)
    chosen = index.position(target)
    goal = chosen if chosen > pos else nxt
    found = gaps(max(goal, pos), pos, points)
    label = index.name_at(pos) or "No level yet"
    if approaching:
        label += f", approaching {index.name_at(nxt)}"
    return Standing(
        level=index.key_at(pos),
        level_name=index.name_at(pos),
        next_level=index.key_at(nxt),
        next_level_name=index.name_at(nxt),
        approaching=approaching,
        label=label,
        categories=_categories(index, tallies, reached),
        points=points,
        points_to_next=points_to_next,
        target=index.key_at(goal),
        gaps=found,
    )


def gaps_to(index: TrackIndex, ratings: Mapping[str, float], level_key: str) -> Gaps:
    """Return what is missing to reach any level of the track, reached or not."""
    goal = index.position(level_key)
    if goal < 0:
        raise ValueError(f"level {level_key!r} is not in track {index.track_key!r}")
    tallies = _tally(index, ratings)
    pos, points = _overall(index, _category_reached(index, tallies))
    return gaps_for(index, ratings, tallies, goal, pos, points)


def _tally(index: TrackIndex, ratings: Mapping[str, float]) -> Tallies:
    """Add up every cell of the track once."""
    return tuple(tuple(rules.tally(cell, ratings) for cell in row) for row in index.cells)


@dataclass(frozen=True)
class _Reached:
    """How far one category goes: met through ``through``, its own level at ``shown``."""

    through: int  # last position up to which every cell is met (-1 none): holds the level back
    shown: int  # the category's own level (-1 none): only once something in it is shown
    milestone: int  # milestones earned under ``points``


def category_levels(index: TrackIndex, tallies: Tallies) -> tuple[str | None, ...]:
    """Return each category's level, as :attr:`Standing.category_levels` would, without
    working out the rest of the standing."""
    return tuple(index.key_at(r.shown) for r in _category_reached(index, tallies))


def _category_reached(index: TrackIndex, tallies: Tallies) -> list[_Reached]:
    """Return, per category, how far its met cells go and the level it has reached."""
    result = []
    for ci in range(len(index.categories)):
        through, milestone, asked = -1, 0, False
        for li, row in enumerate(tallies):
            cell = row[ci]
            if index.rule.type == "points" and cell.count == 0:
                continue  # not a milestone of this category
            if not rules.cell_met(index.rule, cell):
                break
            through, milestone = li, milestone + (cell.count > 0)
            asked = asked or cell.count > 0
        result.append(_Reached(through, through if asked else -1, milestone))
    return result


def _overall(index: TrackIndex, reached: list[_Reached]) -> tuple[int, int | None]:
    """Return the position of the level reached (-1 none) and the points (points rule)."""
    if index.rule.type == "points":
        points = sum(rules.milestone_points(index.rule, r.milestone) for r in reached)
        return _points_level(index, points), points
    # Cells are cumulative and empty ones are met, so the weakest category sets the level.
    return min((r.through for r in reached), default=len(index.levels) - 1), None


def _next_level(index: TrackIndex, pos: int) -> int:
    """Return the position of the next level that can be reached, -1 at the top."""
    for i in range(pos + 1, len(index.levels)):
        if index.rule.type != "points" or index.level_points(i) is not None:
            return i
    return -1


def _next_in_category(tallies: Tallies, ci: int, pos: int) -> int:
    """Return the position of the next level that asks something of a category, -1 at the top.

    Levels that ask nothing of it are passed over: they follow from the ones below.
    """
    for li in range(pos + 1, len(tallies)):
        if tallies[li][ci].count:
            return li
    return -1


def _categories(
    index: TrackIndex, tallies: Tallies, reached: list[_Reached]
) -> tuple[CategoryStanding, ...]:
    """Describe each category's level and progress towards its next one."""
    result = []
    for ci, category in enumerate(index.categories):
        pos = reached[ci].shown
        nxt = _next_in_category(tallies, ci, pos)
        column = rules.combine(row[ci] for row in tallies)
        result.append(
            CategoryStanding(
                key=category.key,
                name=category.name,
                level=index.key_at(pos),
                level_name=index.name_at(pos),
                next_level=index.key_at(nxt),
                next_level_name=index.name_at(nxt),
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
    low = (index.level_points(pos) or 0) if pos >= 0 else 0  # no level yet: count from zero
    high = index.level_points(nxt) or 0
    return points >= low + share * (high - low) - rules.EPSILON


def _points_level(index: TrackIndex, points: int) -> int:
    """Return the highest position whose level points are at most ``points``."""
    best = -1
    for i in range(len(index.levels)):
        needed = index.level_points(i)
        if needed is not None and needed <= points:
            best = i
    return best
