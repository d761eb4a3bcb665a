"""Arithmetic of the level rules, cell by cell, and the gaps left to a target level.

A cell is the competencies of one (level, category) of a track. The engine walks the
cells; this module says what a cell's ratings add up to, whether that meets the rule, and
what is still missing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.ladders.spec import CompetencySpec, LevelRule

if TYPE_CHECKING:  # the engine imports this module; only annotations need its index
    from app.rubric.engine import TrackIndex

# Weighted sums of floats (0.1 + 0.2 ...) must not miss a threshold they meet on paper.
EPSILON = 1e-9


def weight(competency: CompetencySpec) -> float:
    """Return the weight of a competency: its points, 1 when unset."""
    return 1.0 if competency.points is None else float(competency.points)


def rating(ratings: Mapping[str, float], key: str) -> float:
    """Return the rating of ``key`` clamped to 0..1; missing or NaN is 0."""
    value = ratings.get(key, 0.0)
    # ``not value > 0`` also catches NaN, which would poison every sum it touches.
    if not value > 0:
        return 0.0
    return min(float(value), 1.0)


@dataclass(frozen=True)
class CellTally:
    """What the ratings of one (level, category) cell add up to."""

    count: int = 0
    done: int = 0  # competencies demonstrated (rating >= 1)
    weight: float = 0.0
    done_weight: float = 0.0
    value_weight: float = 0.0  # sum of weight * rating, partial ratings included
    value_sum: float = 0.0  # sum of ratings, for cells whose weights are all zero

    @property
    def complete(self) -> bool:
        """Tell whether every competency of the cell is demonstrated."""
        return self.done == self.count


def tally(cell: Sequence[CompetencySpec], ratings: Mapping[str, float]) -> CellTally:
    """Add up the ratings of one cell."""
    done = 0
    total = done_weight = value_weight = value_sum = 0.0
    for competency in cell:
        w = weight(competency)
        value = rating(ratings, competency.key)
        total += w
        value_weight += w * value
        value_sum += value
        if value >= 1.0:
            done += 1
            done_weight += w
    return CellTally(len(cell), done, total, done_weight, value_weight, value_sum)


def combine(tallies: Iterable[CellTally]) -> CellTally:
    """Add several cells up as if they were one."""
    parts = list(tallies)
    return CellTally(
        sum(t.count for t in parts),
        sum(t.done for t in parts),
        math.fsum(t.weight for t in parts),
        math.fsum(t.done_weight for t in parts),
        math.fsum(t.value_weight for t in parts),
        math.fsum(t.value_sum for t in parts),
    )


def demonstrated_fraction(t: CellTally) -> float:
    """Return the weighted share demonstrated; an empty cell counts as done."""
    if t.weight > 0:
        return t.done_weight / t.weight
    return t.done / t.count if t.count else 1.0


def progress(t: CellTally) -> float:
    """Return the weighted share done, partial ratings counted by their value.

    Counting values (not just demonstrations) makes a bar move when a rating goes from
    "Not yet" to "Sometimes", which is what a person rating themselves expects to see.
    """
    if t.weight > 0:
        return min(t.value_weight / t.weight, 1.0)
    return min(t.value_sum / t.count, 1.0) if t.count else 1.0


def cell_met(rule: LevelRule, t: CellTally) -> bool:
    """Tell whether a cell meets the rule; a cell without competencies is met."""
    if rule.type != "threshold":
        # ``all`` needs everything; a ``points`` milestone is a fully demonstrated level.
        return t.complete
    if t.weight <= 0:
        return True
    return t.done_weight >= _threshold(rule) * t.weight - EPSILON


def extra_needed(rule: LevelRule, t: CellTally, missing: Iterable[float]) -> int:
    """Return how many more demonstrations the cell needs to meet the rule.

    ``missing`` are the weights of its competencies not yet demonstrated. Under
    ``threshold`` the heaviest go first, so the count is the true minimum; the cells of a
    track are disjoint, so summing these minima gives the minimum for a whole target.
    """
    if rule.type != "threshold":
        return t.count - t.done
    if t.weight <= 0:
        return 0
    goal = _threshold(rule) * t.weight - EPSILON
    have = t.done_weight
    needed = 0
    for w in sorted(missing, reverse=True):
        if have >= goal:
            break
        have += w
        needed += 1
    return needed


def milestone_points(rule: LevelRule, milestone: int) -> int:
    """Return what a milestone is worth; milestones past the list keep its last value."""
    table = rule.milestone_points
    return table[min(milestone, len(table) - 1)]


def validate(rule: LevelRule) -> None:
    """Raise ValueError when the rule cannot give monotone, meaningful levels."""
    if rule.type not in ("all", "threshold", "points"):
        raise ValueError(f"unknown level rule {rule.type!r}")
    if rule.type == "threshold" and not (rule.threshold is not None and 0 < rule.threshold <= 1):
        raise ValueError("a threshold rule needs a threshold above 0 and at most 1")
    if rule.approaching is not None and not 0 <= rule.approaching <= 1:
        raise ValueError("approaching must be between 0 and 1")
    if rule.type == "points":
        table = rule.milestone_points
        if not table:
            raise ValueError("a points rule needs milestone_points")
        # Decreasing points would let one more demonstration lower someone's level.
        if any(b < a for a, b in zip(table, table[1:], strict=False)):
            raise ValueError("milestone_points must not decrease")


def _threshold(rule: LevelRule) -> float:
    """Return the threshold of a rule that validate() accepted."""
    return rule.threshold or 0.0


Tallies = tuple[tuple[CellTally, ...], ...]  # tallies[level position][category position]


@dataclass(frozen=True)
class GapItem:
    """A competency not yet demonstrated on the way to the target."""

    key: str
    title: str
    level: str
    value: float  # current rating, 0..1
    partial: bool  # rated, but not demonstrated yet


@dataclass(frozen=True)
class CategoryGaps:
    """What is missing in one category."""

    key: str
    name: str
    needed: int  # fewest further demonstrations that reach the target in this category
    items: tuple[GapItem, ...]


@dataclass(frozen=True)
class Gaps:
    """What is missing to reach a target level."""

    target: str | None  # the current level when there is nothing above it
    target_name: str
    reached: bool
    categories: tuple[CategoryGaps, ...]  # only categories with something missing
    total_needed: int

    def summary(self) -> str:
        """Say in one line how far the target is."""
        if self.target is None:
            return "No level to reach"
        if self.reached:
            return f"{self.target_name} reached"
        if not self.total_needed:
            # Only under ``points``: every milestone is met and still the total falls short.
            return f"{self.target_name} is out of reach by points"
        parts = ", ".join(f"{c.needed} in {c.name}" for c in self.categories if c.needed)
        return f"{self.total_needed} to go for {self.target_name}: {parts}"


def gaps_for(
    index: TrackIndex,
    ratings: Mapping[str, float],
    tallies: Tallies,
    goal: int,
    level: int,
    points: int | None,
) -> Gaps:
    """Return the gaps to the level at position ``goal``; ``level`` is the one reached.

    ``all`` and ``threshold`` list every competency not demonstrated up to the goal, with
    ``needed`` the fewest demonstrations that meet the rule. ``points`` lists what blocks
    each category's next milestone, all of which is needed to earn that milestone.
    """
    if goal < 0:
        return Gaps(None, "", False, (), 0)
    rule = index.rule
    target = index.levels[goal]
    if points is not None:
        reached = rule.level_points.get(target.key, points + 1) <= points
    else:
        reached = goal <= level
    found = []
    for ci, category in enumerate(index.categories):
        cells = _gap_cells(index, tallies, ci, goal, reached)
        needed = 0
        items: list[GapItem] = []
        for li in cells:
            missing = [c for c in index.cells[li][ci] if rating(ratings, c.key) < 1.0]
            needed += extra_needed(rule, tallies[li][ci], (weight(c) for c in missing))
            items.extend(_item(c, ratings) for c in missing)
        if items:
            found.append(CategoryGaps(category.key, category.name, needed, tuple(items)))
    total = sum(c.needed for c in found)
    return Gaps(target.key, target.name, reached, tuple(found), total)


def _gap_cells(index: TrackIndex, tallies: Tallies, ci: int, goal: int, reached: bool) -> list[int]:
    """Return the level positions whose cells of category ``ci`` hold the gaps."""
    if index.rule.type != "points":
        return list(range(goal + 1))
    if reached:
        return []
    for li, row in enumerate(tallies):
        if row[ci].count and not row[ci].complete:
            return [li]  # the category's next milestone
    return []


def _item(competency: CompetencySpec, ratings: Mapping[str, float]) -> GapItem:
    """Describe one missing competency."""
    value = rating(ratings, competency.key)
    return GapItem(competency.key, competency.title, competency.level, value, value > 0)
