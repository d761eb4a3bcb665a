"""Read and write ladders as CSV: one row per competency, for spreadsheet people."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.slug import competency_key, slugify, unique
from app.ladders.formats.validate import MAX_COMPETENCIES, Parsed
from app.ladders.formats.yamlread import Path
from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec

COLUMNS = ("track", "level", "category", "competency", "description", "examples")
OPTIONAL = ("points",)
REQUIRED = ("level", "category", "competency")
TRACK_SEPARATOR = "|"
DEFAULT_TRACK = "main"


@dataclass(frozen=True)
class _Row:
    line: int
    tracks: tuple[str, ...]  # track names; empty means every track of the file
    level: str
    category: str
    title: str
    description: str
    examples: tuple[str, ...]
    points: float | None


def parse_csv(text: str, *, file: str, key: str, name: str) -> Parsed:
    """Parse CSV text (header row first) into a one-track or multi-track ladder."""
    problems = Problems()
    rows = _rows(text, file, problems)
    if not rows and problems:
        # No usable header or no readable row: the ladder checks would only repeat that.
        raise LadderFormatError(problems)
    levels: dict[str, LevelSpec] = {}
    categories: dict[str, CategorySpec] = {}
    track_names: dict[str, str] = {}
    for row in rows:
        # First appearance fixes the order and the display name of levels, categories, tracks.
        levels.setdefault(slugify(row.level), LevelSpec(slugify(row.level), row.level))
        categories.setdefault(
            slugify(row.category), CategorySpec(slugify(row.category), row.category)
        )
        for track in row.tracks:
            track_names.setdefault(slugify(track), track)
    if not track_names and rows:
        track_names[DEFAULT_TRACK] = name
    members: dict[str, set[str]] = {t: set() for t in track_names}
    used: dict[str, int] = {}
    comps: list[CompetencySpec] = []
    lines: dict[Path, int] = {}
    for row in rows:
        level = slugify(row.level)
        for track in [slugify(t) for t in row.tracks] or list(track_names):
            members[track].add(level)
        base = competency_key(row.category, row.level, row.title)
        lines[("competencies", len(comps))] = row.line
        comps.append(
            CompetencySpec(
                key=unique(base, used),
                title=row.title,
                level=level,
                category=slugify(row.category),
                description=row.description,
                examples=row.examples,
                points=row.points,
            )
        )
    tracks = tuple(
        TrackSpec(key=t, name=n, levels=tuple(lv for lv in levels if lv in members[t]))
        for t, n in track_names.items()
    )
    spec = LadderSpec(
        key=key,
        name=name,
        tracks=tracks,
        levels=tuple(levels.values()),
        categories=tuple(categories.values()),
        competencies=tuple(comps),
    )
    return Parsed(spec, lines, problems)


def _rows(text: str, file: str, problems: list[Problem]) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    rows: list[_Row] = []
    header: list[str] | None = None
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = _header(cells, file, start, problems)
                if header is None:
                    return []
                continue
            row = _row(header, cells, file, start, problems)
            if row is not None:
                rows.append(row)
            if len(rows) > MAX_COMPETENCIES:
                break  # validate() says so; reading on would only cost time
    except csv.Error as exc:
        problems.append(Problem(file, end + 1, f"this is not valid CSV: {exc}"))
    if header is None and not problems:
        problems.append(
            Problem(file, None, f"the file is empty: expected a header row {','.join(COLUMNS)}")
        )
    return rows


def _header(cells: list[str], file: str, line: int, problems: list[Problem]) -> list[str] | None:
    names = [c.strip().lower() for c in cells]
    before = len(problems)
    for n in names:
        if n not in COLUMNS + OPTIONAL:
            problems.append(
                Problem(file, line, f"unknown column {n[:40]!r} (expected: {', '.join(COLUMNS)})")
            )
    for n in sorted(n for n, times in Counter(names).items() if times > 1):
        problems.append(Problem(file, line, f"column {n[:40]!r} appears more than once"))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(
            Problem(file, line, f"the header row lacks the column(s): {', '.join(missing)}")
        )
    return names if len(problems) == before else None


def _row(
    header: list[str], cells: list[str], file: str, line: int, problems: list[Problem]
) -> _Row | None:
    if len(cells) != len(header):
        word = "missing" if len(cells) < len(header) else "extra"
        msg = f"row has {len(cells)} cells but the header has {len(header)} ({word} cells)"
        problems.append(Problem(file, line, msg))
        return None
    cell = {h: c.strip() for h, c in zip(header, cells, strict=True)}
    empty = [c for c in REQUIRED if not cell[c]]
    if empty:
        problems.append(Problem(file, line, f"row has an empty {' and '.join(empty)} cell"))
        return None
    points = None
    if cell.get("points"):
        try:
            points = float(cell["points"])
        except ValueError:
            problems.append(Problem(file, line, f"points {cell['points'][:20]!r} is not a number"))
    return _Row(
        line=line,
        tracks=tuple(t.strip() for t in cell.get("track", "").split(TRACK_SEPARATOR) if t.strip()),
        level=cell["level"],
        category=cell["category"],
        title=cell["competency"],
        description=cell.get("description", ""),
        examples=tuple(e.strip() for e in cell.get("examples", "").split("\n") if e.strip()),
        points=points,
    )


def export_csv(spec: LadderSpec) -> str:
    """Return ``spec`` as CSV with level, category and track names rather than keys."""
    level_name = {x.key: x.name for x in spec.levels}
    category_name = {x.key: x.name for x in spec.categories}
    level_order = {x.key: i for i, x in enumerate(spec.levels)}
    category_order = {x.key: i for i, x in enumerate(spec.categories)}
    with_points = any(c.points is not None for c in spec.competencies)
    out = io.StringIO()
    # "\n" rather than csv's default "\r\n": the export is meant to live in git as well.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + (OPTIONAL if with_points else ()))
    # Rows go level by level so that re-importing (first appearance) keeps the level order.
    comps = sorted(
        spec.competencies,
        key=lambda c: (
            level_order.get(c.level, len(level_order)),
            category_order.get(c.category, 0),
        ),
    )
    for c in comps:
        tracks = TRACK_SEPARATOR.join(t.name for t in spec.tracks if c.level in t.levels)
        row = [
            tracks,
            level_name.get(c.level, c.level),
            category_name.get(c.category, c.category),
            c.title,
            c.description,
            "\n".join(c.examples),
        ]
        if with_points:
            row.append("" if c.points is None else _number(c.points))
        writer.writerow(row)
    return out.getvalue()


def _number(value: float) -> str:
    # repr keeps every digit; "2" reads better than "2.0" for the common whole weights.
    return str(int(value)) if value.is_integer() else repr(value)
