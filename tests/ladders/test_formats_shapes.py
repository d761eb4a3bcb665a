"""Ladders as people write them, one small fixture per shape (tests/ladders/fixtures/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ladders.formats import LadderFormatError, read, read_many

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str, **kw):
    return read((FIXTURES / name).read_bytes(), filename=Path(name).name, **kw)


def files_in(folder: str) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted((FIXTURES / folder).iterdir())]


def cells(spec) -> dict[tuple[str, str], list[str]]:
    """Competency titles by (level name, category name), in order."""
    levels = {x.key: x.name for x in spec.levels}
    categories = {x.key: x.name for x in spec.categories}
    out: dict[tuple[str, str], list[str]] = {}
    for c in spec.competencies:
        out.setdefault((levels[c.level], categories[c.category]), []).append(c.title)
    return out


def messages(reading) -> list[str]:
    return [w.message for w in reading.warnings]


def test_a_title_then_level_headings_makes_levels_not_categories():
    reading = fixture("title-levels.md")
    spec = reading.spec
    assert reading.layout == "levels-categories"
    assert spec.name == "Developer ladder"
    assert [x.name for x in spec.levels] == ["Junior Developer", "Developer", "Senior Developer"]
    assert [x.name for x in spec.categories] == ["General"]
    assert spec.description == "How we grow developers. Each level builds on the one before."


def test_bold_name_bullets_become_titled_competencies_with_nested_examples():
    spec = fixture("title-levels.md").spec
    first = spec.competencies[0]
    assert (first.title, first.description) == (
        "Technical",
        "Writes clean code for well-defined tasks.",
    )
    assert first.examples == ("Fixes a bug with a regression test", "Follows the style guide")
    delivery = next(c for c in spec.competencies if c.title == "Delivery")
    assert delivery.description == "Breaks work into reviewable pieces."  # "**Name** - text"


def test_a_paragraph_under_a_level_heading_is_its_summary():
    levels = fixture("title-levels.md").spec.levels
    assert [x.summary for x in levels] == [
        "Experience: 0-2 years, mostly guided work.",
        "Experience: 2-5 years.",
        "",
    ]


def test_bullets_indented_by_one_to_three_spaces_are_list_items():
    spec = fixture("levels-categories.md").spec
    assert cells(spec) == {
        ("Engineer I", "Craft"): [
            "Writes tests for the code they change.",
            "Uses `git` well: small commits, clear messages.",
        ],
        ("Engineer I", "Collaboration"): [
            "Asks questions in the open.",
            "Gives *kind*, specific feedback.",
        ],
        ("Engineer II", "Craft"): [
            "Designs modules other people can change.",
            "Owns a service in production.",
        ],
        ("Engineer II", "Collaboration"): ["Leads a small project with two or three people."],
    }
    tests = spec.competencies[0]
    assert tests.description == "Unit tests first; a regression test for each bug."
    assert spec.competencies[4].examples == ("Split the importer into one module per format",)


def test_what_is_skipped_is_said():
    reading = fixture("levels-categories.md")
    assert messages(reading) == [
        "1 paragraph skipped",
        "1 table skipped: choose a grid layout to read tables instead of bullets",
        "section 'FAQ' has no bullets: skipped",
    ]
    assert [w.line for w in reading.warnings] == [27, 29, 36]


def test_category_headings_above_level_headings():
    reading = fixture("categories-levels.md")
    assert reading.layout == "categories-levels"
    assert cells(reading.spec)[("Level 2", "Problem solving")] == [
        "Finds the root cause across systems.",
        "Writes a runbook for a recurring problem.",
    ]


def test_the_layout_can_be_chosen_instead_of_found():
    spec = fixture("categories-levels.md", layout="levels-categories").spec
    assert [x.name for x in spec.levels] == ["Communication", "Problem solving"]


def test_a_page_that_is_not_a_ladder_is_refused_with_what_would_work():
    with pytest.raises(LadderFormatError) as caught:
        fixture("refused/not-a-ladder.md")
    [problem] = caught.value.problems
    assert problem.message.startswith(
        "this does not look like a ladder: the headings over its bullets ('Features', 'FAQ') "
        "do not name levels."
    )
    assert "choose the layout 'level headings, then category headings'" in problem.message
    # Chosen on purpose, it imports: the admin said so.
    forced = fixture("refused/not-a-ladder.md", layout="levels-categories").spec
    assert [x.name for x in forced.levels] == ["Features", "FAQ"]


def test_a_markdown_table_is_read_as_a_grid_with_levels_across():
    reading = fixture("table-grid.md")
    assert reading.layout == "levels-across"
    assert messages(reading) == ["1 table read as a grid"]
    spec = reading.spec
    assert [x.name for x in spec.levels] == ["SRE 1", "SRE 2", "SRE 3"]
    assert cells(spec)[("SRE 1", "Operations")] == [
        "Follows runbooks",
        "Joins the on-call rotation",
    ]
    checks = next(c for c in spec.competencies if c.title == "Builds self-healing checks")
    assert checks.examples == ("Alert on symptoms", "Page only on impact")
    assert ("SRE 3", "Communication") not in cells(spec)  # an empty cell


def test_an_html_table_is_read_as_a_grid_with_levels_down():
    reading = fixture("html-grid.md")
    assert reading.layout == "levels-down"
    assert cells(reading.spec) == {
        ("Designer I", "Craft"): ["Designs screens with guidance", "Uses the design system"],
        ("Designer I", "Collaboration"): ["Presents work in critiques"],
        ("Designer II", "Craft"): ["Designs whole flows", "Prototypes to test ideas"],
        ("Designer II", "Collaboration"): ["Leads critiques"],
        ("Senior Designer", "Craft"): ["Sets patterns for the design system"],
        ("Senior Designer", "Collaboration"): ["Mentors designers"],
    }


def test_a_csv_grid_with_a_column_per_level_and_merged_category_cells():
    reading = fixture("levels-across.csv")
    assert reading.layout == "levels-across"
    spec = reading.spec
    assert [x.name for x in spec.levels] == ["Level 1", "Level 2", "Level 3"]
    # The second row's empty category cell is the merged "Mobile" above it.
    assert cells(spec)[("Level 1", "Mobile")] == [
        "Builds a screen from a design",
        "Writes UI tests",
        "Knows the release process",
    ]
    ships = next(c for c in spec.competencies if c.title == "Ships a feature end to end")
    assert ships.examples == ("The offline mode",)
    reliability = next(c for c in spec.competencies if c.title == "Reliability")
    assert reliability.description == "Adds monitoring to a service"


def test_a_csv_grid_with_a_row_per_level():
    reading = fixture("levels-down.csv")
    assert reading.layout == "levels-down"
    assert cells(reading.spec)[("Senior", "Leadership")] == ["Leads projects", "Grows engineers"]


def test_a_grid_read_as_rows_is_refused_with_the_layout_that_would_work():
    with pytest.raises(LadderFormatError) as caught:
        fixture("levels-across.csv", layout="rows")
    assert any("choose the grid layout" in p.message for p in caught.value.problems)


def test_csv_rows_carry_keys_summaries_and_quoted_formula_cells():
    spec = fixture("rows.csv").spec
    assert [c.key for c in spec.competencies] == [
        "craft-e1-tests",
        "craft-e1-formula",
        "people-e1-dash",
        "craft-staff-direction",
        "people-em-1on1",
    ]
    assert {t.key: t.levels for t in spec.tracks} == {
        "ic": ("e1", "staff"),
        "manager": ("e1", "em"),
    }
    assert [x.summary for x in spec.levels] == ["Learning the ropes", "Technical leadership", ""]
    assert spec.categories[0].summary == "Code, design, operations"
    tests, formula, dash = spec.competencies[:3]
    assert tests.examples == ("Added importer tests", "A test that\nspans two lines")
    # The leading ' that keeps a spreadsheet from running a formula is taken off again.
    assert formula.title == "=HYPERLINK is text here"
    assert (dash.title, dash.description, dash.examples) == (
        "- Starts with a dash",
        "+ and a plus",
        ("@mention",),
    )


def test_monzo_level_beyond_the_declared_count_and_a_tab_after_a_dash():
    reading = fixture("monzo-ops.md")
    assert [(w.line, w.message) for w in reading.warnings] == [
        (10, "a TAB after '-' was read as a space, as YAML 1.2 allows"),
        (
            15,
            "topic 'operations': level 3 is beyond the declared 2 (levels: 2); its 2 "
            "criteria are skipped, as Monzo's site does",
        ),
    ]
    assert [c.title for c in reading.spec.competencies] == [
        "Follows the runbook",
        "Joins on-call",
        "Writes runbooks",
    ]


def test_ft_theme_summaries_are_kept():
    spec = fixture("ft-themes.yml").spec
    assert [(c.name, c.summary) for c in spec.categories] == [
        ("Delivery", "Getting the right things done, well."),
        ("People", "Helping the people around you grow."),
    ]


def test_one_file_per_level_combines_into_levels():
    reading = read_many(files_in("per-level"), combine_as="levels")
    spec = reading.spec
    assert [x.name for x in spec.levels] == ["Software Engineer 1", "Software Engineer 2"]
    assert spec.levels[0].summary == "Our first level: learning the craft."
    assert [x.name for x in spec.categories] == ["Technical skills", "Ownership", "Mentoring"]
    assert [t.levels for t in spec.tracks] == [("software-engineer-1", "software-engineer-2")]
    assert len(spec.competencies) == 7
    assert (spec.key, spec.name) == ("engineer", "Engineer")


def test_one_file_per_track_combines_into_tracks():
    spec = read_many(files_in("tracks"), combine_as="tracks", key="eng").spec
    assert spec.key == "eng"
    assert {t.name: t.levels for t in spec.tracks} == {
        "Individual contributor": ("engineer", "senior-engineer"),
        "Engineering managers": ("engineering-manager", "senior-engineering-manager"),
    }
    assert [x.name for x in spec.categories] == ["Craft", "Impact", "People"]
    assert len(spec.competencies) == 9


def test_tracks_with_levels_of_the_same_name_keep_them_apart():
    ic = (FIXTURES / "tracks" / "ic.md").read_bytes()
    spec = read_many([("a.md", ic), ("b.md", ic)], combine_as="tracks").spec
    assert {t.name: t.levels for t in spec.tracks} == {
        "Individual contributor (a)": (
            "individual-contributor-a-engineer",
            "individual-contributor-a-senior-engineer",
        ),
        "Individual contributor (b)": (
            "individual-contributor-b-engineer",
            "individual-contributor-b-senior-engineer",
        ),
    }
    assert len(spec.competencies) == 8


def test_monzo_generic_criteria_are_inherited_by_topics_of_the_same_name():
    reading = read_many(files_in("monzo"), combine_as="tracks")
    spec = reading.spec
    assert cells(spec)[("Level 1", "Communication")] == [
        "Listens to others",
        "Writes PR descriptions with context",
    ]
    assert cells(spec)[("Level 2", "Communication")] == ["Gives feedback to peers"]
    # generic.md's "impact" topic has no counterpart in backend.md: nothing to inherit.
    assert "Impact" not in {x.name for x in spec.categories}
    assert messages(reading)[0] == "2 criteria of generic.md inherited by topics of the same name"


def test_several_files_report_every_file_that_is_refused():
    with pytest.raises(LadderFormatError) as caught:
        read_many(
            [("a.md", b"# Notes\n\nJust prose.\n"), ("b.csv", b"level,category\nL1,C\n")],
            combine_as="levels",
        )
    assert {p.file for p in caught.value.problems} == {"a.md", "b.csv"}


def test_a_title_over_a_single_level_heading_is_a_one_level_ladder():
    reading = read(b"# Ladder\n\n## Level 1\n- Writes tests\n- Reviews code\n", filename="t.md")
    assert [x.name for x in reading.spec.levels] == ["Level 1"]
    assert [c.title for c in reading.spec.competencies] == ["Writes tests", "Reviews code"]
