"""What is still missing on the way to a level: the gaps a person works on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.ladders.spec import CompetencySpec
from app.levels.index import TrackIndex
from app.levels.rules import Tallies, excluded, extra_needed, rating, weight


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

    @property
    def open_count(self) -> int:
        """Count the competencies not yet demonstrated on the way to the target."""
        return sum(len(c.items) for c in self.categories)

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


NO_GAPS = Gaps(None, "", False, (), 0)


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
        return NO_GAPS
    rule = index.rule
    target = index.levels[goal]
    reached = goal_reached(index, goal, level, points)
    found = []
    for ci, category in enumerate(index.categories):
        needed = 0
        items: list[GapItem] = []
        for li in gap_cells(index, tallies, ci, goal, reached):
            missing = [
                c
                for c in index.cells[li][ci]
                if rating(ratings, c.key) < 1.0 and not excluded(ratings, c.key)
            ]
            needed += extra_needed(rule, tallies[li][ci], (weight(c) for c in missing))
            items.extend(_item(c, ratings) for c in missing)
        if items:
            found.append(CategoryGaps(category.key, category.name, needed, tuple(items)))
    total = sum(c.needed for c in found)
    return Gaps(target.key, target.name, reached, tuple(found), total)


def goal_reached(index: TrackIndex, goal: int, level: int, points: int | None) -> bool:
    """Tell whether the level at position ``goal`` is reached: by points, or by position."""
    if points is not None:
        return index.rule.level_points.get(index.levels[goal].key, points + 1) <= points
    return goal <= level


def gap_cells(index: TrackIndex, tallies: Tallies, ci: int, goal: int, reached: bool) -> list[int]:
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
