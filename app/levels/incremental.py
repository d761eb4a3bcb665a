"""A standing kept up to date one rating at a time, so a click costs the same at any size.

:func:`full` counts a side's ratings once; :func:`apply` changes that count by the one
rating that changed; :func:`evaluate` turns it into the same :class:`Standing` as
:func:`app.levels.standing.evaluate` gives from every rating. Nothing here reads every
competency: a click touches one cell and the few gaps the page shows.

What a cell keeps, and why:

- per scale step, how many of its competencies are at that step and their summed weight:
  every number of a :class:`~app.levels.rules.CellTally` follows in a few additions, and the
  sums come out as they would from scratch (the same terms, added in scale order), so a
  standing built click by click equals one recomputed from scratch;
- ``marks``, one character per competency in ladder order ("-" unrated, else the step's
  position in the scale): the open competencies of a cell, in order, for the gaps, at one
  byte per competency instead of a row each.

A kept standing is only valid for the ladder version, track and scale it was built for;
the caller recomputes it when any of them changed.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from app.ladders.spec import EXCLUDED, Scale
from app.levels import rules, standing
from app.levels.gaps import NO_GAPS, CategoryGaps, GapItem, Gaps, gap_cells, goal_reached
from app.levels.index import TrackIndex
from app.levels.rules import CellTally, Tallies
from app.levels.standing import Standing, from_tallies

UNRATED = "-"
_ZERO = ord("0")


def _mark(step: int) -> str:
    return chr(_ZERO + step)


@dataclass
class KeptCell:
    """What one (level, category) cell of a side's ratings adds up to, and who is open."""

    counts: list[int]  # per scale step: competencies rated at that step
    weights: list[float]  # per scale step: their summed weight
    marks: str  # per competency of the cell, in ladder order: "-" or the step's position

    def copy(self) -> KeptCell:
        return KeptCell(list(self.counts), list(self.weights), self.marks)

    def tally(self, values: Sequence[float], count: int, weight: float) -> CellTally:
        """Return the tally; ``values`` are the steps', ``count`` and ``weight`` the cell's.

        A step worth EXCLUDED ("no opportunity yet") takes its competencies out of the
        cell, as :func:`app.levels.rules.tally` leaves them out.
        """
        done = 0
        done_weight = value_weight = value_sum = 0.0
        for value, n, w in zip(values, self.counts, self.weights, strict=True):
            if n and value == EXCLUDED:
                count -= n
                weight -= w
            elif n:
                value_weight += w * value
                value_sum += n * value
                if value >= 1.0:
                    done += n
                    done_weight += w
        return CellTally(count, done, weight, done_weight, value_weight, value_sum)


@dataclass
class Kept:
    """A side's standing as counts per cell: change it with :func:`apply`."""

    steps: tuple[str, ...]  # the scale's step keys: what a mark's position means
    cells: list[list[KeptCell]]  # [level position][category position], as the index

    def copy(self) -> Kept:
        """Return a copy whose counts change independently of this one."""
        return Kept(self.steps, [[c.copy() for c in row] for row in self.cells])

    @property
    def rated(self) -> bool:
        """Tell whether anything of the track is rated at all."""
        return any(sum(c.counts) for row in self.cells for c in row)

    def to_json(self) -> dict:
        """Return the standing as plain JSON data, to store."""
        return {
            "steps": list(self.steps),
            "cells": [[[c.counts, c.weights, c.marks] for c in row] for row in self.cells],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Kept:
        """Read a stored standing back."""
        return cls(
            tuple(data["steps"]),
            [[KeptCell(list(n), list(w), m) for n, w, m in row] for row in data["cells"]],
        )


def full(index: TrackIndex, scale: Scale, steps: Mapping[str, str | None]) -> Kept:
    """Count a side's ratings (competency key to step key) from scratch."""
    position = {step.key: i for i, step in enumerate(scale.choices)}
    size = len(scale.choices)
    cells = []
    for row in index.cells:
        kept_row = []
        for cell in row:
            counts, weights, marks = [0] * size, [0.0] * size, []
            for competency in cell:
                s = position.get(steps.get(competency.key))  # unknown steps count as unrated
                if s is None:
                    marks.append(UNRATED)
                    continue
                counts[s] += 1
                weights[s] += rules.weight(competency)
                marks.append(_mark(s))
            kept_row.append(KeptCell(counts, weights, "".join(marks)))
        cells.append(kept_row)
    return Kept(steps_of(scale), cells)


def steps_of(scale: Scale) -> tuple[str, ...]:
    """The step keys a kept standing counts by: the scale's, and "no opportunity" if offered."""
    return tuple(step.key for step in scale.choices)


def apply(
    kept: Kept, index: TrackIndex, competency_key: str, old: str | None, new: str | None
) -> bool:
    """Change the standing by one rating, from step ``old`` to ``new``; tell if it agreed.

    Returns False, changing nothing, when the standing did not have ``old`` for that
    competency: it went stale behind the caller's back, who recomputes it then. A
    competency outside the track changes nothing and agrees.
    """
    place = index.places.get(competency_key)
    if place is None:
        return True
    li, ci, i = place
    cell = kept.cells[li][ci]
    position = _positions(kept.steps)
    was, now = position.get(old), position.get(new)
    if cell.marks[i] != (UNRATED if was is None else _mark(was)):
        return False
    if was == now:
        return True
    w = rules.weight(index.cells[li][ci][i])
    if was is not None:
        cell.counts[was] -= 1
        cell.weights[was] -= w
    if now is not None:
        cell.counts[now] += 1
        cell.weights[now] += w
    cell.marks = cell.marks[:i] + (UNRATED if now is None else _mark(now)) + cell.marks[i + 1 :]
    return True


@functools.lru_cache(maxsize=32)
def _positions(steps: tuple[str, ...]) -> dict[str, int]:
    """Return each step key's position in the scale (a ladder has one scale)."""
    return {key: n for n, key in enumerate(steps)}


def tallies(index: TrackIndex, scale: Scale, kept: Kept) -> Tallies:
    """Return the tallies of every cell, from the counts alone."""
    values = [
        EXCLUDED if step.value == EXCLUDED else rules.clamp(step.value) for step in scale.choices
    ]
    return tuple(
        tuple(
            cell.tally(values, len(index.cells[li][ci]), index.cell_weights[li][ci])
            for ci, cell in enumerate(row)
        )
        for li, row in enumerate(kept.cells)
    )


def category_levels(index: TrackIndex, scale: Scale, kept: Kept) -> tuple[str | None, ...]:
    """Return each category's level of a kept side, as :func:`evaluate`'s standing says."""
    return standing.category_levels(index, tallies(index, scale, kept))


# Standings worked out per track index, newest last: a click asks for the same few again.
MEMO_SIZE = 64
_memo_lock = threading.Lock()


def evaluate(index: TrackIndex, scale: Scale, kept: Kept, target: str | None = None) -> Standing:
    """Work out the standing of a kept side, as :func:`app.levels.standing.evaluate` would.

    A standing depends on nothing but the marks of the cells (the counts follow from them)
    and the target, so the last few are remembered on the index: a click asks for the
    other side's (unchanged since that side last rated) and works out only its own new
    one; what it compares with before the change is :func:`category_levels`, no standing.
    """
    key = (target, kept.steps, tuple(cell.marks for row in kept.cells for cell in row))
    memo = index.memo(evaluate)
    with _memo_lock:
        found = memo.pop(key, None)
        if found is not None:
            memo[key] = found
            return found
    # The gaps list their items when read, from the counts: keep a copy that no click changes.
    found = _evaluate(index, scale, kept.copy(), target)
    with _memo_lock:
        memo[key] = found
        while len(memo) > MEMO_SIZE:
            del memo[next(iter(memo))]
    return found


def _evaluate(index: TrackIndex, scale: Scale, kept: Kept, target: str | None) -> Standing:
    counted = tallies(index, scale, kept)

    def gaps(goal: int, level: int, points: int | None) -> Gaps:
        return _gaps(index, scale, kept, counted, goal, level, points)

    return from_tallies(index, counted, gaps, target)


def _gaps(
    index: TrackIndex,
    scale: Scale,
    kept: Kept,
    counted: Tallies,
    goal: int,
    level: int,
    points: int | None,
) -> Gaps:
    """Return the gaps to ``goal`` from the counts; their items are listed when read."""
    if goal < 0:
        return NO_GAPS
    target = index.levels[goal]
    reached = goal_reached(index, goal, level, points)
    found = []
    for ci, category in enumerate(index.categories):
        cells = gap_cells(index, counted, ci, goal, reached)
        cells = [li for li in cells if _open(counted[li][ci])]
        if not cells:
            continue
        needed = sum(_needed(index, scale, kept, counted, li, ci) for li in cells)
        items = OpenItems(index, scale, kept, ci, tuple(cells), counted)
        found.append(CategoryGaps(category.key, category.name, needed, items))
    total = sum(c.needed for c in found)
    return Gaps(target.key, target.name, reached, tuple(found), total)


def _open(t: CellTally) -> int:
    return t.count - t.done


def _needed(index: TrackIndex, scale: Scale, kept: Kept, counted: Tallies, li: int, ci: int) -> int:
    """Return the fewest demonstrations that meet the rule in one cell.

    A cell whose competencies weigh the same needs no look at them: the count follows from
    the tally. Mixed weights under ``threshold`` take the heaviest open ones first.
    """
    rule, t = index.rule, counted[li][ci]
    if rule.type != "threshold":
        return rules.extra_needed(rule, t, ())
    uniform = index.uniform_weights[li][ci]
    if uniform is None:
        cell, marks = index.cells[li][ci], kept.cells[li][ci].marks
        done = _done_marks(scale)
        missing = (rules.weight(c) for c, m in zip(cell, marks, strict=True) if m not in done)
        return rules.extra_needed(rule, t, missing)
    if t.weight <= 0:
        return 0
    goal = rules.threshold_of(rule) * t.weight - rules.EPSILON
    if t.done_weight >= goal:
        return 0
    # What extra_needed would count adding ``uniform`` at a time, without the loop.
    return min(math.ceil((goal - t.done_weight) / uniform), _open(t))


def _done_marks(scale: Scale) -> str:
    """Return the marks of the steps that leave nothing open: demonstrated, or out of the
    count ("no opportunity yet")."""
    return "".join(
        _mark(s)
        for s, step in enumerate(scale.choices)
        if step.value >= 1.0 or step.value == EXCLUDED
    )


class OpenItems(Sequence[GapItem]):
    """The open competencies of one category's gap cells, built only as far as read.

    The page shows a few and counts the rest: a gap list of thousands costs what is shown.
    """

    def __init__(self, index, scale, kept, ci, cells, counted):
        self._index, self._scale, self._kept = index, scale, kept
        self._ci, self._cells = ci, cells
        self._len = sum(_open(counted[li][ci]) for li in cells)
        done = _done_marks(scale)
        # Marks that are not demonstrated: unrated, or a step worth less than 1.
        self._pattern = re.compile(f"[^{re.escape(done)}]" if done else ".")

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[GapItem]:
        scale = self._scale
        for li in self._cells:
            cell = self._index.cells[li][self._ci]
            for match in self._pattern.finditer(self._kept.cells[li][self._ci].marks):
                competency = cell[match.start()]
                mark = match.group()
                value = (
                    0.0 if mark == UNRATED else rules.clamp(scale.choices[ord(mark) - _ZERO].value)
                )
                yield GapItem(competency.key, competency.title, competency.level, value, value > 0)

    def __getitem__(self, which):
        if isinstance(which, slice):
            start, stop, step = which.indices(self._len)
            if step == 1 and start == 0:
                found = []
                for item in self:
                    if len(found) >= stop:
                        break
                    found.append(item)
                return tuple(found)
            return tuple(self)[which]
        if which < 0:
            which += self._len
        for n, item in enumerate(self):
            if n == which:
                return item
        raise IndexError(which)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return f"OpenItems({list(self)!r})"
