"""Arithmetic of the level rules, cell by cell, and the one validator of a rule.

A cell is the competencies of one (level, category) of a track. This module says what a
cell's ratings add up to and whether that meets the rule; the index and the standing walk
the cells.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.ladders.spec import EXCLUDED, CompetencySpec, LevelRule

RULE_TYPES = ("all", "threshold", "points")

# Weighted sums of floats (0.1 + 0.2 ...) must not miss a threshold they meet on paper.
EPSILON = 1e-9

RulePath = tuple[str, ...]  # where in a ladder file a problem sits: ("rule", "threshold")


def weight(competency: CompetencySpec) -> float:
    """Return the weight of a competency: its points, 1 when unset."""
    return 1.0 if competency.points is None else float(competency.points)


def rating(ratings: Mapping[str, float], key: str) -> float:
    """Return the rating of ``key`` clamped to 0..1; missing or NaN is 0."""
    return clamp(ratings.get(key, 0.0))


def clamp(value: float) -> float:
    """Return a rating value clamped to 0..1; NaN is 0."""
    # ``not value > 0`` also catches NaN, which would poison every sum it touches.
    if not value > 0:
        return 0.0
    return min(float(value), 1.0)


def excluded(ratings: Mapping[str, float], key: str) -> bool:
    """Tell whether a competency is rated "no opportunity yet": out of its cell's count."""
    return ratings.get(key) == EXCLUDED


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


Tallies = tuple[tuple[CellTally, ...], ...]  # tallies[level position][category position]


def tally(cell: Sequence[CompetencySpec], ratings: Mapping[str, float]) -> CellTally:
    """Add up the ratings of one cell, leaving out those with no opportunity yet."""
    count = done = 0
    total = done_weight = value_weight = value_sum = 0.0
    for competency in cell:
        if excluded(ratings, competency.key):
            continue
        count += 1
        w = weight(competency)
        value = rating(ratings, competency.key)
        total += w
        value_weight += w * value
        value_sum += value
        if value >= 1.0:
            done += 1
            done_weight += w
    return CellTally(count, done, total, done_weight, value_weight, value_sum)


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
    return t.done_weight >= threshold_of(rule) * t.weight - EPSILON


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
    goal = threshold_of(rule) * t.weight - EPSILON
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


def problems(rule: LevelRule, level_keys: Iterable[str]) -> list[tuple[RulePath, str]]:
    """Return what keeps a rule from giving monotone, meaningful levels, and where.

    The ladder validator reports these beside the file's lines; the engine refuses a track
    whose rule has any.
    """
    known = set(level_keys)
    out: list[tuple[RulePath, str]] = []

    def add(message: str, *where: str) -> None:
        out.append((("rule", *where), message))

    kind = _q(rule.type)
    if rule.type not in RULE_TYPES:
        add(f"rule type {kind} must be one of: {', '.join(RULE_TYPES)}", "type")
    if rule.threshold is not None and not _within(rule.threshold, above_zero=True):
        add(f"rule threshold {rule.threshold} must be between 0 and 1, above 0", "threshold")
    if rule.approaching is not None and not _within(rule.approaching):
        add(f"rule approaching {rule.approaching} must be between 0 and 1", "approaching")
    if rule.type == "threshold" and rule.threshold is None:
        add("a threshold rule needs a threshold above 0 and at most 1")
    if rule.type != "threshold" and rule.threshold is not None:
        add(f"a threshold only applies to threshold rules, not {kind}", "threshold")
    if rule.type != "points":
        if rule.milestone_points or rule.level_points:
            add(f"milestone_points and level_points only apply to points rules, not {kind}")
        return out
    table = rule.milestone_points
    if not rule.level_points:
        add("a points rule needs level_points (minimum total points per level)")
    if not table:
        add("a points rule needs milestone_points (points per milestone)")
    # Decreasing points would let one more demonstration lower someone's level.
    if any(b < a for a, b in zip(table, table[1:], strict=False)):
        add("milestone_points must not decrease", "milestone_points")
    if any(p < 0 for p in table):
        add("milestone_points must not be negative", "milestone_points")
    for level, points in rule.level_points.items():
        if level not in known:
            add(f"level_points names unknown level {_q(level)}", "level_points", level)
        if points < 0:
            add(f"level_points for {_q(level)} must not be negative", "level_points", level)
    return out


def validate(rule: LevelRule, level_keys: Iterable[str]) -> None:
    """Raise ValueError with the first problem of a rule, if it has any."""
    found = problems(rule, level_keys)
    if found:
        raise ValueError(found[0][1])


def _within(value: float, *, above_zero: bool = False) -> bool:
    """Tell whether a share is a finite number in 0..1 (above 0 when asked)."""
    return math.isfinite(value) and (value > 0 if above_zero else value >= 0) and value <= 1


def _q(text: str) -> str:
    """Quote a key for a message, shortened: a hostile file can make it a paragraph."""
    return repr(text if len(text) <= 50 else text[:49] + "…")


def threshold_of(rule: LevelRule) -> float:
    """Return the threshold of a rule that validate() accepted."""
    return rule.threshold or 0.0
