"""A ladder track laid out for evaluation: its levels in order and its cells.

A level's place in a track has one convention everywhere: its *position*, 0 for the first
level, -1 for no level. A chart's *rung* is the position plus one, so 0 means no level.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelRule, LevelSpec
from app.levels import rules

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

    @cached_property
    def places(self) -> dict[str, tuple[int, int, int]]:
        """Where each competency sits: (level position, category position, place in cell)."""
        return {
            c.key: (li, ci, i)
            for li, row in enumerate(self.cells)
            for ci, cell in enumerate(row)
            for i, c in enumerate(cell)
        }

    @cached_property
    def cell_weights(self) -> tuple[tuple[float, ...], ...]:
        """The summed weight of each cell, added in ladder order as a tally does."""
        return tuple(
            tuple(sum((rules.weight(c) for c in cell), 0.0) for cell in row) for row in self.cells
        )

    @cached_property
    def uniform_weights(self) -> tuple[tuple[float | None, ...], ...]:
        """The one weight all competencies of a cell share, None where they differ."""

        def shared(cell) -> float | None:
            found = {rules.weight(c) for c in cell}
            return found.pop() if len(found) == 1 else None

        return tuple(tuple(shared(cell) for cell in row) for row in self.cells)

    def memo(self, owner: object) -> dict:
        """Return a dict kept with this index for ``owner`` to remember results in.

        It lives and dies with the index (one per ladder version and track), so nothing
        remembered for one version is ever read for another.
        """
        return self._memos.setdefault(owner, {})

    @cached_property
    def _memos(self) -> dict[object, dict]:
        return {}

    def position(self, level_key: str | None) -> int:
        """Return the position of a level in the track, -1 for none or another track's."""
        if level_key is not None:
            for i, level in enumerate(self.levels):
                if level.key == level_key:
                    return i
        return -1

    def rung(self, level_key: str | None) -> int:
        """Return a level's rung on a chart: 0 for no level, 1 for the first level, ..."""
        return self.position(level_key) + 1

    def key_at(self, position: int) -> str | None:
        """Return the key of the level at a position, None for -1."""
        return self.levels[position].key if position >= 0 else None

    def name_at(self, position: int) -> str | None:
        """Return the name of the level at a position, None for -1."""
        return self.levels[position].name if position >= 0 else None

    def level_points(self, position: int) -> int | None:
        """Return the points a level needs under ``points``, None if points never reach it."""
        return self.rule.level_points.get(self.levels[position].key)


def build_index(spec: LadderSpec, track_key: str) -> TrackIndex:
    """Lay out one track of a ladder for evaluation; raise ValueError if inconsistent."""
    rules.validate(spec.rule, (level.key for level in spec.levels))
    track = spec.track(track_key)
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
