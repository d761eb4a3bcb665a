"""The native rungs YAML format: reading, refusing bad files, and stable export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.ladders.formats import MAX_BYTES, LadderFormatError, export_rungs, parse
from app.ladders.formats.rungs import TOP_KEYS
from app.ladders.spec import DEFAULT_SCALE

ROOT = Path(__file__).resolve().parents[2]

LADDER = """\
rungs: 1
key: engineering
name: Engineering
description: |
  How we grow engineers.

  Not a checklist.
rule:
  type: threshold
  threshold: 0.8
  approaching: 0.5
tracks:
  - key: ic
    name: Individual contributor
    description: Deep technical work.
    levels: [e1, e2, staff]
  - key: manager
    name: Engineering manager
    levels: [e1, e2, em]
levels:
  - {key: e1, name: Engineer I, summary: Learning}
  - {key: e2, name: Engineer II}
  - {key: staff, name: Staff engineer}
  - {key: em, name: Engineering manager}
categories:
  - {key: craft, name: Technical craft, summary: Code and design}
  - {key: people, name: People}
competencies:
  - key: craft-e1-tests
    title: Writes tests for the code they change
    level: e1
    category: craft
    description: |
      Unit tests for new logic.

      A regression test for each bug.
    examples: ["Added tests for the importer", "yes", "2024-01-31", "#1: a hash"]
    points: 2
  - key: craft-e2-design
    title: "Designs: small features"
    level: e2
    category: craft
  - key: people-em-1on1
    title: Runs one-to-ones
    level: em
    category: people
    points: 1.5
  - key: craft-staff-vision
    title: Sets technical direction — für alle
    level: staff
    category: craft
"""


def parse_text(text: str, name: str = "ladder.yml", **kw):
    return parse(text.encode(), filename=name, **kw)


def problems_of(text: str, name: str = "ladder.yml", **kw) -> list:
    with pytest.raises(LadderFormatError) as caught:
        parse_text(text, name, **kw)
    problems = caught.value.problems
    assert problems, "a refused file must say why"
    return problems


def messages(text: str, **kw) -> str:
    return "\n".join(str(p) for p in problems_of(text, **kw))


def test_reads_every_field():
    spec = parse_text(LADDER)
    assert (spec.key, spec.name) == ("engineering", "Engineering")
    assert spec.description == "How we grow engineers.\n\nNot a checklist."
    assert (spec.rule.type, spec.rule.threshold, spec.rule.approaching) == ("threshold", 0.8, 0.5)
    assert spec.scale == DEFAULT_SCALE
    assert [t.levels for t in spec.tracks] == [("e1", "e2", "staff"), ("e1", "e2", "em")]
    first = spec.competencies[0]
    assert first.examples == ("Added tests for the importer", "yes", "2024-01-31", "#1: a hash")
    assert first.points == 2.0
    assert spec.competencies[1].title == "Designs: small features"
    assert spec.competencies[2].points == 1.5


def test_export_import_export_is_byte_identical():
    first = export_rungs(parse_text(LADDER))
    second = export_rungs(parse_text(first))
    assert second == first
    assert parse_text(first) == parse_text(LADDER)


def test_export_is_readable_yaml():
    out = export_rungs(parse_text(LADDER))
    assert out.startswith("rungs: 1\nkey: engineering\nname: Engineering\n")
    assert "levels: [e1, e2, staff]" in out
    assert "description: |" in out
    assert "für alle" in out  # unicode written as itself, not escaped
    assert "summary" not in out.split("levels:\n")[1].split("\n- key: e2")[1].split("\n- key:")[0]


def test_default_ladder_round_trips():
    default = ROOT / "app" / "ladders" / "default" / "engineering.yml"
    if not default.exists():
        pytest.skip("the default ladder is not in this tree")
    first = export_rungs(parse(default.read_bytes(), filename=default.name))
    assert export_rungs(parse_text(first)) == first


def test_key_argument_overrides_the_file_key():
    assert parse_text(LADDER, key="other").key == "other"
    assert parse_text(LADDER.replace("key: engineering\n", "")).key == "engineering"


def test_points_rule_and_custom_scale_round_trip():
    text = LADDER.replace(
        "rule:\n  type: threshold\n  threshold: 0.8\n  approaching: 0.5\n",
        "rule:\n  type: points\n  milestone_points: [0, 1, 3]\n  level_points: {e1: 0, e2: 4}\n"
        "scale:\n  - {key: no, label: 'No', value: 0}\n  - {key: yes, label: 'Yes', value: 1}\n",
    )
    spec = parse_text(text)
    assert spec.rule.milestone_points == (0, 1, 3)
    assert spec.rule.level_points == {"e1": 0, "e2": 4}
    assert [s.key for s in spec.scale] == ["no", "yes"]
    out = export_rungs(spec)
    assert export_rungs(parse_text(out)) == out
    assert parse_text(out) == spec


@pytest.mark.parametrize(
    ("change", "expected", "line"),
    [
        (("rungs: 1", "rungs: 2"), "unsupported format version", 1),
        (("rungs: 1\n", ""), "'rungs: 1'", None),
        (("name: Engineering", "name: ''"), "ladder name must not be empty", 3),
        (("level: e2\n", "level: e9\n"), "unknown level 'e9'", 41),
        (("category: people", "category: nope"), "unknown category 'nope'", 46),
        (("key: craft-e2-design", "key: craft-e1-tests"), "duplicate competency key", 39),
        (
            ("{key: e2, name: Engineer II}", "{key: e1, name: Engineer II}"),
            "duplicate level key",
            22,
        ),
        (("{key: people, name: People}", "{key: craft, name: People}"), "duplicate category", 27),
        (("key: manager", "key: ic"), "duplicate track key", 17),
        (("title: Runs one-to-ones", "title: '  '"), "empty title", 44),
        (("{key: em, name: Engineering manager}", "{key: em, name: ''}"), "empty name", 24),
        (("levels: [e1, e2, em]", "levels: []"), "has no levels", 17),
        (("levels: [e1, e2, em]", "levels: [e1, e2, cto]"), "names unknown level 'cto'", 19),
        (("threshold: 0.8", "threshold: 1.5"), "between 0 and 1", 10),
        (("approaching: 0.5", "approaching: -0.5"), "between 0 and 1", 11),
        (("type: threshold\n  threshold: 0.8\n", "type: points\n"), "needs level_points", 8),
        (
            ("type: threshold\n  threshold: 0.8\n", "type: all\n  threshold: 0.8\n"),
            "only applies",
            10,
        ),
        (("type: threshold\n  threshold: 0.8\n", "type: threshold\n"), "needs a threshold", 8),
        (("type: threshold", "type: majority"), "must be one of", 9),
        (("points: 2", "points: -1"), "not a number >= 0", 38),
        (("points: 2", "points: lots"), "must be a number", 38),
        (("description: Deep", "descripton: Deep"), "unknown field 'descripton'", 15),
        (("key: craft-e1-tests", "key: Craft E1"), "lowercase", 29),
    ],
)
def test_bad_native_files_are_refused_with_line(change, expected, line):
    # Expected lines are those of the changed text in LADDER (numbered with enumerate).
    old, new = change
    assert old in LADDER
    found = problems_of(LADDER.replace(old, new, 1))
    matching = [p for p in found if expected in p.message]
    assert matching, f"expected {expected!r} in {[str(p) for p in found]}"
    assert matching[0].line == line
    assert matching[0].file == "ladder.yml"


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ("scale: []", "at least one step"),
        (
            "scale:\n  - {key: a, label: A, value: 0.5}\n  - {key: b, label: B, value: 0.2}",
            "increase",
        ),
        (
            "scale:\n  - {key: a, label: A, value: 0}\n  - {key: b, label: B, value: 1.5}",
            "between 0 and 1",
        ),
        ("scale:\n  - {key: a, label: A, value: 0}\n  - {key: b, label: B, value: 0.9}", "value 1"),
        ("scale:\n  - {key: a, label: A}", "needs a value"),
    ],
)
def test_bad_scales_are_refused(scale, expected):
    assert expected in messages(LADDER.replace("tracks:\n", scale + "\ntracks:\n", 1))


def test_every_problem_is_listed_not_just_the_first():
    bad = LADDER.replace("level: e2\n", "level: e9\n").replace("category: people", "category: x")
    bad = bad.replace("threshold: 0.8", "threshold: 2")
    found = problems_of(bad)
    assert len(found) == 3
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_structure_surprises_become_problems():
    assert "must be a mapping" in messages("- just\n- a list\n", format="rungs")
    assert "must be a list, not a mapping" in messages(
        LADDER.replace("levels: [e1, e2, staff]", "levels: {a: 1}")
    )
    assert "must be text, not a list" in messages(
        LADDER.replace("title: Runs one-to-ones", "title: [a, b]")
    )
    assert "put it in quotes" in messages(LADDER.replace("name: Engineering\n", "name: true\n", 1))
    assert "competencies item 2 must be a mapping" in messages(
        LADDER.replace("  - key: craft-e2-design\n", "  - oops\n  - key: craft-e2-design\n")
    )
    assert "the file is empty" in messages("", format="rungs")


def test_yaml_errors_name_the_line():
    found = problems_of(LADDER.replace("name: Engineering\n", "name: [Engineering\n"))
    assert len(found) == 1 and found[0].line is not None and "invalid YAML" in found[0].message
    tab = problems_of("rungs: 1\nname: x\nlevels:\n\t- a\n")
    assert tab[0].line == 4 and "TAB" in tab[0].message
    repeated = problems_of(
        LADDER.replace("name: Engineering\n", "name: Engineering\nname: Again\n")
    )
    assert any(p.line == 4 and "repeated" in p.message for p in repeated)


def test_hostile_yaml_is_refused_quickly():
    assert "nested more than" in messages("rungs: 1\nname: " + "[" * 100_000)
    assert "invalid YAML" in messages("rungs: 1\nname: !!python/object:os.system x\n")
    laughs = "rungs: 1\na: &a [x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)
    )
    assert "once its aliases are expanded" in messages(laughs)


def test_size_and_encoding_are_checked_first():
    too_big = b"rungs: 1\n" + b"#" * MAX_BYTES
    found = problems_of(too_big.decode())
    assert "5 MB" in found[0].message and len(found) == 1
    with pytest.raises(LadderFormatError) as caught:
        parse(b"rungs: 1\nname: caf\xe9\n", filename="ladder.yml")
    assert caught.value.problems[0].line == 2
    assert "UTF-8" in caught.value.problems[0].message


def test_schema_names_the_same_top_level_keys():
    schema = json.loads((ROOT / "docs" / "ladder.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tuple(schema["properties"]) == TOP_KEYS
    assert schema["additionalProperties"] is False
    competency = schema["$defs"]["competency"]["properties"]
    assert tuple(competency) == (
        "key",
        "title",
        "level",
        "category",
        "description",
        "examples",
        "points",
    )
