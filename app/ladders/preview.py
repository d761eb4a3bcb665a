"""What the import preview shows: the ladder's structure, a sample of each cell, the changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.ladders import browse
from app.ladders.formats import FORMAT_LABELS, LAYOUT_LABELS, Problem
from app.ladders.formats.diff import Named, named
from app.ladders.importer import Plan
from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec
from app.ladders.wording import Changed, compare

# How many competencies of each cell the preview shows: enough to recognise the cell.
SAMPLE = 2


@dataclass(frozen=True)
class Cell:
    category: CategorySpec
    count: int
    first: tuple[CompetencySpec, ...]


@dataclass(frozen=True)
class LevelRow:
    level: LevelSpec
    count: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TrackView:
    track: TrackSpec
    rows: tuple[LevelRow, ...]


@dataclass(frozen=True)
class Preview:
    spec: LadderSpec
    exists: bool
    summary: str
    tracks: tuple[TrackView, ...]
    categories: tuple[tuple[CategorySpec, int], ...]
    changes: tuple[Named, ...]
    warnings: tuple[Problem, ...]
    format: str
    format_label: str
    layout: str | None
    layouts: tuple[tuple[str, str], ...]  # (layout, label) the file could be read in
    reworded: tuple[Changed, ...] = ()  # changed competencies of an existing ladder, word by word


def build(plan: Plan, sample: int = SAMPLE) -> Preview:
    """Shape an import plan for the preview page."""
    spec = plan.spec
    tracks = []
    for track in spec.tracks:
        rows = tuple(
            LevelRow(
                row.level,
                row.count,
                tuple(Cell(cat, len(items), items[:sample]) for cat, items in row.cells),
            )
            for row in browse.grid(spec, track)
        )
        tracks.append(TrackView(track, rows))
    per_category = Counter(c.category for c in spec.competencies)
    reading = plan.reading
    return Preview(
        spec=spec,
        exists=plan.exists,
        summary=plan.diff.summary(),
        tracks=tuple(tracks),
        categories=tuple((c, per_category[c.key]) for c in spec.categories),
        changes=tuple(n for n in named(plan.old, spec) if n) if plan.exists else (),
        warnings=reading.warnings,
        format=reading.format,
        format_label=FORMAT_LABELS.get(reading.format, "several formats"),
        layout=reading.layout,
        layouts=tuple((x, LAYOUT_LABELS[x]) for x in reading.layouts),
        reworded=compare(plan.old, spec).changed if plan.exists else (),
    )
