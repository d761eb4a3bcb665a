"""Excel workbooks: a grid per sheet with merged category cells, a track per sheet, or rows."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.ladders.formats import LadderFormatError, detect, export_csv, parse, read
from app.ladders.formats.xlsx import MAX_UNPACKED


def workbook(sheets: dict[str, list[list[object]]], merge: dict[str, list[str]] | None = None):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in (merge or {}).get(title, []):
            ws.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


IC = [
    ["Category", "Engineer I", "Engineer II"],
    ["Craft", "Writes tests\nReads code", "Designs modules"],
    [None, "Uses git well", None],  # the merged "Craft" cell, A2:A3
    ["People", "Asks for help", "- Mentors interns\n  - Two last summer"],
]
MANAGER = [
    ["Category", "Engineer I", "Engineering manager"],
    ["Craft", "Writes tests\nReads code", "Reviews designs"],
    [None, "Uses git well", None],
    ["People", "Asks for help", "Runs one-to-ones"],
]


def test_a_grid_per_sheet_makes_a_track_per_sheet():
    data = workbook({"IC": IC, "Manager": MANAGER}, merge={"IC": ["A2:A3"], "Manager": ["A2:A3"]})
    assert detect("ladder.xlsx", data) == "xlsx"
    reading = read(data, filename="eng-ladder.xlsx")
    assert (reading.format, reading.layout) == ("xlsx", "levels-across")
    spec = reading.spec
    assert {t.name: t.levels for t in spec.tracks} == {
        "IC": ("engineer-i", "engineer-ii"),
        "Manager": ("engineer-i", "engineering-manager"),
    }
    assert [x.name for x in spec.categories] == ["Craft", "People"]
    titles = [(c.level, c.category, c.title) for c in spec.competencies]
    # Engineer I, shared by both sheets with the same cells, is read once.
    assert titles.count(("engineer-i", "craft", "Writes tests")) == 1
    assert ("engineer-i", "craft", "Uses git well") in titles  # under the merged cell
    mentors = next(c for c in spec.competencies if c.title == "Mentors interns")
    assert mentors.examples == ("Two last summer",)
    assert len(spec.competencies) == 8


def test_a_sheet_of_rows_reads_like_csv_and_a_csv_export_reads_back():
    rows = [
        ["track", "level", "category", "competency", "description", "examples"],
        ["IC", "Engineer I", "Craft", "Writes tests", "Unit tests.", "Added tests\nFixed a flake"],
        ["IC", "Engineer II", "Craft", "Designs modules", None, None],
    ]
    reading = read(workbook({"Ladder": rows}), filename="eng.xlsx")
    assert reading.layout == "rows"
    first = reading.spec.competencies[0]
    assert (first.title, first.examples) == ("Writes tests", ("Added tests", "Fixed a flake"))
    again = parse(export_csv(reading.spec).encode(), filename="eng.csv")
    assert export_csv(again) == export_csv(reading.spec)


def test_the_layout_of_a_workbook_can_be_switched():
    data = workbook({"Grid": [["Level", "Craft"], ["Engineer I", "Writes tests"]]})
    assert read(data, filename="x.xlsx").layout == "levels-down"
    across = read(data, filename="x.xlsx", layout="levels-across").spec
    assert [x.name for x in across.levels] == ["Craft"]


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(LadderFormatError, match="not an .xlsx workbook"):
        parse(b"PK\x03\x04 not really a zip", filename="x.xlsx")


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_reading():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (MAX_UNPACKED + 1))
    with pytest.raises(LadderFormatError, match="unpacks to"):
        parse(out.getvalue(), filename="bomb.xlsx")


def test_a_workbook_whose_xml_declares_entities_is_refused():
    """Billion laughs in a sheet: defusedxml, under openpyxl, refuses entity declarations."""
    good = workbook({"Grid": [["Category", "L1"], ["Craft", "Writes tests"]]})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                laughs = b'<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                body = laughs + body.replace(b"Writes tests", b"&b;")
            dst.writestr(info, body)
    with pytest.raises(LadderFormatError, match=r"cannot be read \(EntitiesForbidden\)"):
        parse(out.getvalue(), filename="laughs.xlsx")


def test_a_workbook_of_too_many_cells_is_refused_in_bounded_time():
    import time

    from app.ladders.formats.xlsx import MAX_CELLS

    row = [f"text {c}" for c in range(50)]
    data = workbook({"Big": [row] * (MAX_CELLS // 50 + 10)})
    started = time.perf_counter()
    with pytest.raises(LadderFormatError, match=f"more than {MAX_CELLS:,} cells"):
        parse(data, filename="big.xlsx")
    assert time.perf_counter() - started < 10
