"""Read and write ladders as CSV: one row per competency, or a levels-by-categories grid."""

from __future__ import annotations

import csv
import heapq
import io
from collections import Counter
from dataclasses import dataclass, replace

from app import csvsafe
from app.ladders.formats import grid
from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.slug import competency_key, slugify, unique
from app.ladders.formats.validate import MAX_COMPETENCIES, Parsed
from app.ladders.formats.yamlread import Path
from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec

ROWS = "rows"
LAYOUTS = (ROWS, *grid.LAYOUTS)
LABELS = {ROWS: "one row per competency", **grid.LABELS}
COLUMNS = ("track", "level", "category", "competency", "description", "examples")
# Written when the ladder has them, so that export -> import changes nothing.
OPTIONAL = (
    "points",
    "key",
    "track_key",
    "level_key",
    "category_key",
    "level_summary",
    "category_summary",
)
REQUIRED = ("level", "category", "competency")
TRACK_SEPARATOR = "|"
DEFAULT_TRACK = "main"
# Examples with line breaks of their own are written as a list, one "* " item each.
EXAMPLE_MARK = "* "


@dataclass(frozen=True)
class _Row:
    line: int
    cell: dict[str, str]
    tracks: tuple[str, ...]  # track names; empty means every track of the file
    track_keys: tuple[str, ...]
    examples: tuple[str, ...]
    points: float | None


def layout_of(text: str) -> str:
    """Tell which layout a CSV file uses, from its header row (and a sample for a grid)."""
    try:
        reader = csv.reader(io.StringIO(text))
        rows = []
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
            if len(rows) > 50:
                break
    except csv.Error:
        return ROWS  # parse_csv says what is wrong
    return header_layout(grid.Sheet("", rows))


def header_layout(sheet: grid.Sheet) -> str:
    """A header naming Rungs' columns means a row per competency; anything else is a grid.

    A grid's first header cell may say "Level" or "Category": it labels the first column."""
    if not sheet.rows:
        return ROWS
    names = [c.strip().lower() for c in sheet.rows[0][1]]
    if "competency" in names or set(names[1:]) & set(COLUMNS + OPTIONAL):
        return ROWS
    return grid.guess(sheet)


def parse_csv(text: str, *, file: str, key: str, name: str, layout: str = ROWS) -> Parsed:
    """Parse CSV text into a ladder, in the given layout (see LAYOUTS)."""
    if layout in grid.LAYOUTS:
        problems = Problems()
        sheet = grid.Sheet("", _table(text, file, problems))
        if problems:
            raise LadderFormatError(problems)
        return grid.parse_grid([sheet], file=file, key=key, name=name, layout=layout)
    problems = Problems()
    rows = _rows(text, file, problems)
    if not rows and problems:
        # No usable header or no readable row: the ladder checks would only repeat that.
        raise LadderFormatError(problems)
    levels: dict[str, LevelSpec] = {}
    categories: dict[str, CategorySpec] = {}
    track_names: dict[str, str] = {}
    for row in rows:
        # First appearance fixes the order and the display name of levels, categories, tracks;
        # a summary may sit on any row of its level or category (export puts it on the first).
        lk, ck = _level_key(row), _category_key(row)
        level = levels.setdefault(lk, LevelSpec(lk, row.cell["level"]))
        if not level.summary and row.cell.get("level_summary"):
            levels[lk] = replace(level, summary=row.cell["level_summary"])
        category = categories.setdefault(ck, CategorySpec(ck, row.cell["category"]))
        if not category.summary and row.cell.get("category_summary"):
            categories[ck] = replace(category, summary=row.cell["category_summary"])
        for track, track_key in zip(row.tracks, row.track_keys, strict=True):
            track_names.setdefault(track_key, track)
    if not track_names and rows:
        track_names[DEFAULT_TRACK] = name
    members: dict[str, set[str]] = {t: set() for t in track_names}
    # Keys written in the file are taken first, so that a made-up one never collides.
    used: dict[str, int] = {r.cell["key"]: 2 for r in rows if r.cell.get("key")}
    comps: list[CompetencySpec] = []
    lines: dict[Path, int] = {}
    for row in rows:
        level = _level_key(row)
        for track in row.track_keys or list(track_names):
            members[track].add(level)
        base = competency_key(row.cell["category"], row.cell["level"], row.cell["competency"])
        lines[("competencies", len(comps))] = row.line
        comps.append(
            CompetencySpec(
                key=row.cell.get("key") or unique(base, used),
                title=row.cell["competency"],
                level=level,
                category=_category_key(row),
                description=row.cell.get("description", ""),
                examples=row.examples,
                points=row.points,
            )
        )
    tracks = tuple(
        TrackSpec(key=t, name=n, levels=tuple(lv for lv in levels if lv in members[t]))
        for t, n in track_names.items()
    )
    order = _category_order([(_level_key(r), _category_key(r)) for r in rows])
    spec = LadderSpec(
        key=key,
        name=name,
        tracks=tracks,
        levels=tuple(levels.values()),
        categories=tuple(categories[k] for k in order),
        competencies=tuple(comps),
    )
    return Parsed(spec, lines, problems, layout=ROWS)


def _category_order(cells: list[tuple[str, str]]) -> list[str]:
    """Order categories so that each level's rows list them in order, as export writes them.

    A category first seen at a higher level (Monzo's "leadership" starts at level 3) still
    goes where the rows of that level put it: the orders of all levels, merged."""
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    waiting: Counter[str] = Counter()
    previous: tuple[str, str] | None = None
    for level, category in cells:
        first.setdefault(category, len(first))
        after.setdefault(category, set())
        same_level = previous is not None and previous[0] == level
        if same_level and previous[1] != category and category not in after[previous[1]]:
            after[previous[1]].add(category)
            waiting[category] += 1
        previous = (level, category)
    ready = [(first[c], c) for c in first if not waiting[c]]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, category = heapq.heappop(ready)
        out.append(category)
        for nxt in after[category]:
            waiting[nxt] -= 1
            if not waiting[nxt]:
                heapq.heappush(ready, (first[nxt], nxt))
    # Rows that contradict each other (a hand-edited file) leave a cycle: first seen wins.
    out += [c for c in first if c not in set(out)]
    return out


def _level_key(row: _Row) -> str:
    return row.cell.get("level_key") or slugify(row.cell["level"])


def _category_key(row: _Row) -> str:
    return row.cell.get("category_key") or slugify(row.cell["category"])


def _table(text: str, file: str, problems: Problems) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            rows.append((start, [csvsafe.unescape(c) for c in cells]))
            if len(rows) > MAX_COMPETENCIES + 1:
                break  # the header and one row too many: validate() says so
    except csv.Error as exc:
        problems.append(Problem(file, end + 1, f"this is not valid CSV: {exc}"))
    return rows


def _rows(text: str, file: str, problems: Problems) -> list[_Row]:
    rows: list[_Row] = []
    header: list[str] | None = None
    table = _table(text, file, problems)
    for start, cells in table:
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
    if header is None and not problems:
        problems.append(
            Problem(file, None, f"the file is empty: expected a header row {','.join(COLUMNS)}")
        )
    return rows


def _header(cells: list[str], file: str, line: int, problems: Problems) -> list[str] | None:
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
        if "competency" in missing and len(names) > 1:
            msg = (
                f"the header row lacks the column(s): {', '.join(missing)}; if the levels "
                "appear as columns, choose the grid layout (a column per level)"
            )
        else:
            msg = f"the header row lacks the column(s): {', '.join(missing)}"
        problems.append(Problem(file, line, msg))
    return names if len(problems) == before else None


def _row(
    header: list[str], cells: list[str], file: str, line: int, problems: Problems
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
    tracks = _split(cell.get("track", ""))
    track_keys = _split(cell.get("track_key", ""))
    if not track_keys:
        track_keys = tuple(slugify(t) for t in tracks)
    elif len(track_keys) != len(tracks):
        msg = f"the row names {len(tracks)} track(s) but {len(track_keys)} track key(s)"
        problems.append(Problem(file, line, msg))
        return None
    return _Row(line, cell, tracks, track_keys, examples_of(cell.get("examples", "")), points)


def _split(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(TRACK_SEPARATOR) if t.strip())


def examples_of(text: str) -> tuple[str, ...]:
    """Read an examples cell: one per line, or ``* `` items whose lines go on indented."""
    lines = text.split("\n")
    if not lines[0].startswith(EXAMPLE_MARK):
        return tuple(e.strip() for e in lines if e.strip())
    items: list[list[str]] = []
    for ln in lines:
        if ln.startswith(EXAMPLE_MARK):
            items.append([ln[len(EXAMPLE_MARK) :]])
        elif items:
            items[-1].append(ln[2:] if ln.startswith("  ") else ln.strip())
    return tuple(e for e in ("\n".join(parts).strip() for parts in items) if e)


def examples_cell(examples: tuple[str, ...]) -> str:
    """Write examples one per line, or as ``* `` items when one line per example would lie."""
    if any("\n" in e or e.startswith(EXAMPLE_MARK) for e in examples):
        return "\n".join(EXAMPLE_MARK + e.replace("\n", "\n  ") for e in examples)
    return "\n".join(examples)


def export_csv(spec: LadderSpec) -> str:
    """Return ``spec`` as CSV: names to read, keys and summaries so that it comes back whole.

    What CSV cannot hold (the ladder's name and description, rule, scale, track descriptions)
    is kept from the stored ladder when the file is imported into it again.
    """
    level_name = {x.key: x.name for x in spec.levels}
    category_name = {x.key: x.name for x in spec.categories}
    level_order = {x.key: i for i, x in enumerate(spec.levels)}
    category_order = {x.key: i for i, x in enumerate(spec.categories)}
    # Only levels and categories with a row can carry a summary (carry_over keeps the rest).
    with_rows = {c.level for c in spec.competencies}, {c.category for c in spec.competencies}
    summaries = {
        column: {x.key: x.summary for x in items if x.summary and x.key in keys}
        for column, items, keys in (
            ("level_summary", spec.levels, with_rows[0]),
            ("category_summary", spec.categories, with_rows[1]),
        )
    }
    columns = [*COLUMNS]
    if any(c.points is not None for c in spec.competencies):
        columns.append("points")
    columns += ["key", "track_key", "level_key", "category_key"]
    columns += [name for name, found in summaries.items() if found]
    out = io.StringIO()
    # "\n" rather than csv's default "\r\n": the export is meant to live in git as well.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    # Rows go level by level so that re-importing (first appearance) keeps the level order.
    comps = sorted(
        spec.competencies,
        key=lambda c: (
            level_order.get(c.level, len(level_order)),
            category_order.get(c.category, 0),
        ),
    )
    written: set[tuple[str, str]] = set()
    for c in comps:
        tracks = [t for t in spec.tracks if c.level in t.levels]
        value = {
            "track": TRACK_SEPARATOR.join(t.name for t in tracks),
            "level": level_name.get(c.level, c.level),
            "category": category_name.get(c.category, c.category),
            "competency": c.title,
            "description": c.description,
            "examples": examples_cell(c.examples),
            "points": "" if c.points is None else _number(c.points),
            "key": c.key,
            "track_key": TRACK_SEPARATOR.join(t.key for t in tracks),
            "level_key": c.level,
            "category_key": c.category,
        }
        for column, part in (("level_summary", c.level), ("category_summary", c.category)):
            # A summary goes on the first row of its level or category only.
            first = (column, part) not in written
            written.add((column, part))
            value[column] = summaries[column].get(part, "") if first else ""
        writer.writerow([csvsafe.escape(value[column]) for column in columns])
    return out.getvalue()


def carry_over(old: LadderSpec, new: LadderSpec) -> LadderSpec:
    """Keep from the stored ladder what a CSV file cannot hold.

    The ladder's name, description, rule and scale; track descriptions; levels and
    categories that have no competency (a CSV row is a competency, so they have no row); and
    summaries no row carries (the export writes one on the first row of its level or
    category: deleting that row must not lose it).
    """
    used_levels = {c.level for c in old.competencies}
    used_categories = {c.category for c in old.competencies}
    levels = _keep_empty(
        old.levels, _in_order_of(old.levels, _summaries(old.levels, new.levels)), used_levels
    )
    categories = _keep_empty(
        old.categories,
        _in_order_of(old.categories, _summaries(old.categories, new.categories)),
        used_categories,
    )
    old_tracks = {t.key: t for t in old.tracks}
    new_level_keys = {x.key for x in new.levels}
    tracks = []
    for t in new.tracks:
        before = old_tracks.get(t.key)
        if before is None:
            tracks.append(t)
            continue
        keys = list(t.levels)
        for i, lv in enumerate(before.levels):
            if lv not in keys and lv not in used_levels and lv not in new_level_keys:
                after = before.levels[i - 1] if i else None
                keys.insert(keys.index(after) + 1 if after in keys else 0, lv)
        tracks.append(replace(t, description=before.description, levels=tuple(keys)))
    return replace(
        new,
        name=old.name,
        description=old.description,
        rule=old.rule,
        scale=old.scale,
        no_opportunity=old.no_opportunity,
        tracks=tuple(tracks),
        levels=levels,
        categories=categories,
    )


def _summaries(old, new):
    before = {x.key: x.summary for x in old}
    return tuple(
        replace(x, summary=before[x.key]) if not x.summary and before.get(x.key) else x for x in new
    )


def _in_order_of(old, new):
    """Put items the stored ladder has in its order; new ones stay after their predecessor."""
    rank = {x.key: i for i, x in enumerate(old)}
    keyed, last = [], -1
    for j, x in enumerate(new):
        last = rank.get(x.key, last)
        keyed.append(((last, x.key not in rank, j), x))
    return tuple(x for _, x in sorted(keyed, key=lambda pair: pair[0]))


def _keep_empty(old, new, used: set[str]):
    keys = {x.key for x in new}
    out = list(new)
    for i, x in enumerate(old):
        if x.key not in keys and x.key not in used:
            out.insert(min(i, len(out)), x)
    return tuple(out)


def _number(value: float) -> str:
    # repr keeps every digit; "2" reads better than "2.0" for the common whole weights.
    return str(int(value)) if value.is_integer() else repr(value)
