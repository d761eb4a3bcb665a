"""Read a levels-by-categories grid: a spreadsheet, a Markdown table or an HTML table.

Two layouts: ``levels-across`` (a column per level, a row per category, as Medium's
Snowflake or most Google Sheets) and ``levels-down`` (a row per level, a column per
category). Each sheet of a workbook is a track; a label cell left empty (a merged cell)
repeats the label above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.items import cell_items
from app.ladders.formats.slug import competency_key, slugify, strip_decoration, unique
from app.ladders.formats.validate import MAX_COMPETENCIES, TOO_MANY, Parsed
from app.ladders.formats.yamlread import Path
from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec

ACROSS, DOWN = "levels-across", "levels-down"
LAYOUTS = (ACROSS, DOWN)
LABELS = {
    ACROSS: "a grid with a column per level and a row per category",
    DOWN: "a grid with a row per level and a column per category",
}
# Words that name levels in real ladders; a header of mostly such words holds the levels.
_LEVELISH = re.compile(
    r"\b(levels?|lvl|l\d+|[a-z]{1,3}\d+|junior|jr|mid|middle|senior|sr|staff|principal|lead|"
    r"associate|intern|apprentice|graduate|entry|director|manager|engineer|distinguished|"
    r"fellow|head|vp|i{1,3}|iv|v|vi{1,3})\b|\d",
    re.IGNORECASE,
)


@dataclass
class Sheet:
    """Rows of one table: ``(line, cells)``; ``name`` is the sheet's name, if it has one."""

    name: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def levelish(names: list[str]) -> float:
    """Return the share of ``names`` that look like level names."""
    names = [n for n in names if n.strip()]
    return sum(1 for n in names if _LEVELISH.search(n)) / len(names) if names else 0.0


def guess(sheet: Sheet) -> str:
    """Guess whether the levels of a grid run across (header row) or down (first column)."""
    rows = [cells for _, cells in sheet.rows if any(c.strip() for c in cells)]
    if not rows:
        return ACROSS
    header = rows[0][1:]
    first_column = [cells[0] for cells in rows[1:] if cells]
    return DOWN if levelish(first_column) > levelish(header) else ACROSS


def parse_grid(
    sheets: list[Sheet], *, file: str, key: str, name: str, layout: str, what: str = "row"
) -> Parsed:
    """Read grids into a ladder; each sheet with a name is a track when there are several."""
    problems = Problems()
    warnings: list[Problem] = []
    levels: dict[str, LevelSpec] = {}
    categories: dict[str, CategorySpec] = {}
    track_levels: dict[str, tuple[str, list[str]]] = {}
    comps: list[CompetencySpec] = []
    lines: dict[Path, int] = {}
    used: dict[str, int] = {}
    seen: set[tuple[str, str, str]] = set()
    several = len([s for s in sheets if s.rows]) > 1
    for sheet in sheets:
        rows = [
            (n, [c.strip() for c in cells])
            for n, cells in sheet.rows
            if any(c.strip() for c in cells)
        ]
        if len(rows) < 2:
            if sheet.name and several:
                warnings.append(Problem(file, None, f"sheet {sheet.name[:40]!r} is empty: skipped"))
            continue
        header = rows[0][1]
        cells = _cells(rows, layout)
        track_key = slugify(sheet.name) if several and sheet.name else "main"
        track = track_levels.setdefault(track_key, (sheet.name if several else name, []))
        for level_name in _level_names(header, rows, layout):
            lk = slugify(level_name)
            levels.setdefault(lk, LevelSpec(lk, level_name))
            if lk not in track[1]:
                track[1].append(lk)
        for line, level_name, category_name, text in cells:
            lk, ck = slugify(level_name), slugify(category_name)
            categories.setdefault(ck, CategorySpec(ck, category_name))
            for item in cell_items(text):
                if (lk, ck, item.title) in seen:
                    continue  # the same level copied onto two sheets: one competency
                seen.add((lk, ck, item.title))
                lines[("competencies", len(comps))] = line
                comps.append(
                    CompetencySpec(
                        unique(competency_key(category_name, level_name, item.title), used),
                        item.title,
                        lk,
                        ck,
                        item.description,
                        item.examples,
                    )
                )
                if len(comps) > MAX_COMPETENCIES:
                    raise LadderFormatError([Problem(file, line, TOO_MANY)])
    tracks = tuple(TrackSpec(k, n, tuple(lv)) for k, (n, lv) in track_levels.items() if lv)
    spec = LadderSpec(
        key=key,
        name=name,
        tracks=tracks,
        levels=tuple(levels.values()),
        categories=tuple(categories.values()),
        competencies=tuple(comps),
    )
    return Parsed(spec, lines, problems, warnings, layout)


def _level_names(header: list[str], rows: list[tuple[int, list[str]]], layout: str) -> list[str]:
    if layout == ACROSS:
        return [strip_decoration(h) for h in header[1:] if h]
    names: list[str] = []
    for _, cells in rows[1:]:
        if cells and cells[0] and strip_decoration(cells[0]) not in names:
            names.append(strip_decoration(cells[0]))
    return names


def _cells(rows: list[tuple[int, list[str]]], layout: str) -> list[tuple[int, str, str, str]]:
    """Return ``(line, level, category, text)`` for each non-empty cell of a grid."""
    header = [strip_decoration(h) for h in rows[0][1]]
    out = []
    label = ""
    for line, cells in rows[1:]:
        # An empty label cell is a merged cell (or a continuation): it repeats the one above.
        label = strip_decoration(cells[0]) if cells and cells[0] else label
        if not label:
            continue
        for i, text in enumerate(cells[1:], start=1):
            column = header[i] if i < len(header) else ""
            if not text or not column:
                continue
            level, category = (column, label) if layout == ACROSS else (label, column)
            out.append((line, level, category, text))
    return out
