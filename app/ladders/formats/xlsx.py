"""Read ladders kept in Excel workbooks (.xlsx): a grid or a list per sheet, a track per sheet.

openpyxl reads the workbook in read-only mode, which streams the sheets. Read-only sheets do
not report merged cells; a merged label cell reads as its first cell followed by empty ones,
and the grid repeats an empty label from the row above, which reads a merged category right.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

from app.ladders.formats import combine, csvfmt, grid
from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.validate import MAX_COMPETENCIES, Parsed

LAYOUTS = csvfmt.LAYOUTS
# A workbook is a zip: its parts may together unpack to this much. Read-only openpyxl still
# parses all of a sheet's XML, about 40,000 cells a second here: the caps keep a hostile
# workbook to a few seconds, far above any real ladder (5,000 competencies in rows: 65,000).
MAX_UNPACKED = 16 * 1024 * 1024
MAX_CELLS = 100_000


def sheets(data: bytes, file: str) -> list[grid.Sheet]:
    """Read every sheet's rows as text, refusing workbooks that unpack past the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise LadderFormatError(
            [Problem(file, None, "the file is not an .xlsx workbook")]
        ) from None
    if unpacked > MAX_UNPACKED:
        msg = f"the workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED:,}"
        raise LadderFormatError([Problem(file, None, msg)])
    # Imported here: a slow import that most ladder files never need. openpyxl parses the
    # workbook's XML through defusedxml (a dependency): no DTDs' entities, no external ones.
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise LadderFormatError([_unreadable(file, exc)]) from None
    try:
        return _read_sheets(book, file)
    except LadderFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet's XML is only parsed while it is read
        raise LadderFormatError([_unreadable(file, exc)]) from None
    finally:
        book.close()


def _unreadable(file: str, exc: BaseException) -> Problem:
    # openpyxl wraps the XML parser's error: name the first cause, it says more.
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    msg = f"the workbook cannot be read ({type(exc).__name__}): save it again as .xlsx"
    return Problem(file, None, msg)


def _read_sheets(book, file: str) -> list[grid.Sheet]:
    out: list[grid.Sheet] = []
    cells = 0
    for ws in book.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        ws.reset_dimensions()  # the stored size may lie; read the rows that are there
        sheet = grid.Sheet(ws.title)
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells += len(row)
            if cells > MAX_CELLS:
                msg = f"the workbook has more than {MAX_CELLS:,} cells"
                raise LadderFormatError([Problem(file, None, msg)])
            texts = [_text(v) for v in row]
            while texts and not texts[-1]:
                texts.pop()
            sheet.rows.append((n, texts))
            if len(sheet.rows) > MAX_COMPETENCIES + 1:
                break
        out.append(sheet)
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def layout_of(found: list[grid.Sheet]) -> str:
    """Guess a workbook's layout from its first sheet with rows."""
    for sheet in found:
        rows = [(n, cells) for n, cells in sheet.rows if any(c.strip() for c in cells)]
        if rows:
            return csvfmt.header_layout(grid.Sheet(sheet.name, rows))
    return grid.ACROSS


def parse_xlsx(
    data: bytes, *, file: str, key: str, name: str, layout: str = "auto"
) -> tuple[Parsed, str]:
    """Parse a workbook; return what was read and the layout used."""
    found = [s for s in sheets(data, file) if any(any(c.strip() for c in r) for _, r in s.rows)]
    if not found:
        raise LadderFormatError([Problem(file, None, "the workbook has no sheet with text")])
    chosen = layout if layout in LAYOUTS else layout_of(found)
    if chosen in grid.LAYOUTS:
        return grid.parse_grid(found, file=file, key=key, name=name, layout=chosen), chosen
    parts = [
        csvfmt.parse_csv(_as_csv(sheet), file=f"{file} [{sheet.name}]", key=key, name=name)
        for sheet in found
    ]
    if len(parts) == 1:
        return parts[0], chosen
    # One sheet per track: the rows of each sheet are that track's competencies.
    spec = combine.tracks([(s.name, p.spec) for s, p in zip(found, parts, strict=True)], key, name)
    problems = Problems(p for part in parts for p in part.problems)
    return Parsed(spec, {}, problems, [w for part in parts for w in part.warnings]), chosen


def _as_csv(sheet: grid.Sheet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    width = max((len(cells) for _, cells in sheet.rows), default=0)
    for _, cells in sheet.rows:
        writer.writerow(cells + [""] * (width - len(cells)))
    return out.getvalue()
