"""Detection, small Monzo/FT/outline files, diff and slugs."""

from __future__ import annotations

import pytest

from app.ladders.formats import (
    FORMATS,
    LadderFormatError,
    Problem,
    detect,
    diff,
    parse,
    read,
    slugify,
)
from app.ladders.formats.errors import MAX_PROBLEMS
from app.ladders.formats.validate import MAX_COMPETENCIES

MONZO = """\
---
title: "🛠️ Backend"
levels: 2
topics:
  - name: "system-design"
    title:
    content:
      - level: 1
        criteria:
          - "Fixes simple bugs"
        exampleCriteria:
          - criteria: "Implements simple handlers"
            examples:
              - "CRUD"
      - level: 2
        criteria: ["Designs tables"]
---
Body text.
"""

FT = """\
name: Product
summary: Product people.
levels:
  - {id: junior, name: Junior}
  - {id: senior-ic, name: Senior IC}
  - {id: senior-pm, name: Senior PM}
themes:
  - {id: craft, name: Craft}
competencies:
  - id: 11111111-1111-4111-8111-111111111111
    level: junior
    theme: craft
    summary: Builds things. Asks questions.
    proficiency: Awareness
    supportingUrls:
      - {label: Guide, url: "https://example.com/guide"}
  - id: 22222222-2222-4222-8222-222222222222
    level: senior-ic
    theme: craft
    summary: Leads builds.
    proficiency: Expert
    examples: ["Led the rebuild"]
"""

OUTLINE = """\
# Our ladder

Intro prose.

## Table of contents
- [Junior](#junior)

## Junior
Some prose about juniors.

- A general bullet
### Craft
- Writes code
  that works
  - Example one
- [A link only](https://example.com)

| a | b |
|---|---|
| - not | a bullet |

```
- not a bullet either
```
### People
* Helps others
## FAQ
### Why?
Because.
"""


def test_formats_are_the_six_documented():
    assert FORMATS == ("rungs", "csv", "xlsx", "ft", "monzo", "outline")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("x.csv", b"anything", "csv"),
        ("x.yml", b"rungs: 1\nname: x\n", "rungs"),
        ("x.yaml", b"name: x\nthemes: []\ncompetencies: []\n", "ft"),
        ("x.md", MONZO.encode(), "monzo"),
        ("x.md", b"---\ntopics: [\n---\n", "monzo"),
        ("x.md", b"# Title\n## Level\n", "outline"),
        ("README", b"# Title\n## Level\n", "outline"),
        ("x.txt", b"rungs: 1\n", "rungs"),
    ],
)
def test_detect(name, data, expected):
    assert detect(name, data) == expected


@pytest.mark.parametrize(("name", "data"), [("x.yml", b"name: x\n"), ("x.bin", b"\x00\x01")])
def test_detect_says_when_it_cannot_tell(name, data):
    with pytest.raises(LadderFormatError) as caught:
        detect(name, data)
    assert "cannot tell the format" in str(caught.value)


def test_unknown_format_is_refused():
    with pytest.raises(LadderFormatError, match="unknown format 'xml'"):
        parse(b"<x/>", filename="x.xml", format="xml")


def test_small_monzo_file():
    spec = parse(MONZO.encode(), filename="backend.md")
    assert spec.name == "Backend"
    assert [x.name for x in spec.categories] == ["System design"]
    assert [(c.title, c.level, c.examples) for c in spec.competencies] == [
        ("Fixes simple bugs", "level-1", ()),
        ("Implements simple handlers", "level-1", ("CRUD",)),
        ("Designs tables", "level-2", ()),
    ]
    assert spec.description == "Body text."


def test_monzo_level_beyond_the_declared_count_is_skipped_with_a_warning():
    reading = read(MONZO.replace("level: 2", "level: 9").encode(), filename="backend.md")
    [warning] = reading.warnings
    # "- level: 9" is line 15 of the file (line 14 of the front matter).
    assert warning.line == 15
    assert "level 9 is beyond the declared 2 (levels: 2); its 1 criteria are skipped" in (
        warning.message
    )
    assert [c.title for c in reading.spec.competencies] == [
        "Fixes simple bugs",
        "Implements simple handlers",
    ]


def test_monzo_level_below_one_names_the_file_line():
    with pytest.raises(LadderFormatError) as caught:
        parse(MONZO.replace("level: 2", "level: 0").encode(), filename="backend.md")
    [problem] = caught.value.problems
    assert problem.line == 15 and "outside 1-2" in problem.message


def test_monzo_without_closing_front_matter_is_refused():
    with pytest.raises(LadderFormatError, match="not closed"):
        parse(MONZO.replace("---\nBody", "Body").encode(), filename="backend.md", format="monzo")


def test_small_ft_file():
    spec = parse(FT.encode(), filename="product.yml")
    assert {t.key: t.levels for t in spec.tracks} == {
        "ic": ("junior", "senior-ic"),
        "manager": ("junior", "senior-pm"),
    }
    first, second = spec.competencies
    assert first.title == "Builds things."
    assert "[Guide](https://example.com/guide)" in first.description
    assert second.title == "Leads builds." and second.examples == ("Led the rebuild",)
    assert second.description == "Expected proficiency: **Expert**"


def test_ft_unknown_theme_is_refused_at_its_line():
    with pytest.raises(LadderFormatError) as caught:
        parse(
            FT.replace(
                "theme: craft\n    summary: Leads", "theme: art\n    summary: Leads"
            ).encode(),
            filename="p.yml",
        )
    [problem] = caught.value.problems
    # "theme: art" is line 19 of FT (the second competency's theme).
    assert problem.line == 19 and "unknown category 'art'" in problem.message


def test_outline_skips_toc_prose_tables_code_and_faq():
    spec = parse(OUTLINE.encode(), filename="ours.md")
    assert spec.name == "Our ladder"
    assert [x.name for x in spec.levels] == ["Junior"]
    assert [x.name for x in spec.categories] == ["General", "Craft", "People"]
    assert [c.title for c in spec.competencies] == [
        "A general bullet",
        "Writes code",
        "Helps others",
    ]
    writes = spec.competencies[1]
    assert writes.description == "that works"
    assert writes.examples == ("Example one",)


def test_outline_with_shallower_headings():
    spec = parse(
        b"# Junior\n## Craft\n- Writes code\n# Senior\n## Craft\n- Leads\n", filename="l.md"
    )
    assert [x.name for x in spec.levels] == ["Junior", "Senior"]
    assert [x.key for x in spec.categories] == ["craft"]
    assert len(spec.competencies) == 2


def test_outline_without_bullets_is_refused():
    with pytest.raises(LadderFormatError, match="no competencies found"):
        parse(b"# Title\n\nJust prose.\n", filename="notes.md")


def test_diff_counts_added_updated_archived():
    old = parse(FT.encode(), filename="product.yml")
    edited = FT.replace("Leads builds.", "Leads big builds.").replace(
        "  - id: 11111111-1111-4111-8111-111111111111",
        "  - id: 33333333-3333-4333-8333-333333333333",
    )
    new = parse(edited.encode(), filename="product.yml")
    change = diff(old, new)
    assert change.competencies.added == ("33333333-3333-4333-8333-333333333333",)
    assert change.competencies.updated == ("22222222-2222-4222-8222-222222222222",)
    assert change.competencies.archived == ("11111111-1111-4111-8111-111111111111",)
    assert change.summary() == "adds 1, updates 1, archives 1"
    assert diff(old, old).summary() == "no changes"
    fresh = diff(None, old)
    assert fresh.summary().startswith("adds 2, updates 0, archives 0")
    assert fresh.levels.added == ("junior", "senior-ic", "senior-pm")


def test_diff_mentions_other_changes():
    old = parse(FT.encode(), filename="product.yml")
    new = parse(FT.replace("name: Craft", "name: Craftsmanship").encode(), filename="product.yml")
    change = diff(old, new)
    assert change.categories.updated == ("craft",)
    assert change.summary() == "adds 0, updates 0, archives 0; also changes categories"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Software Engineering & Design", "software-engineering-design"),
        ("  Café — crème brûlée ", "cafe-creme-brulee"),
        ("Level 1", "level-1"),
    ],
)
def test_slugify(text, expected):
    assert slugify(text) == expected


def test_slugify_non_latin_text_gives_distinct_stable_keys():
    a, b = slugify("エンジニア"), slugify("マネージャー")
    assert a and b and a != b
    assert a == slugify("エンジニア")
    assert slugify("") and slugify("🙂")


def test_slugify_keeps_long_text_short():
    slug = slugify("word " * 100)
    assert 0 < len(slug) <= 64 and not slug.endswith("-")


def test_problem_text():
    assert str(Problem("a.yml", 3, "bad")) == "a.yml:3: bad"
    assert str(Problem("a.yml", None, "bad")) == "a.yml: bad"
    error = LadderFormatError([Problem("a.yml", 3, "x"), Problem("a.yml", 1, "y")])
    assert str(error) == "a.yml:1: y\na.yml:3: x"


def test_a_flood_of_problems_is_capped():
    rows = "".join("L1,Craft\n" for _ in range(MAX_PROBLEMS + 50))
    with pytest.raises(LadderFormatError) as caught:
        parse(("level,category,competency\n" + rows).encode(), filename="x.csv")
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert f"stops reading a file after {MAX_PROBLEMS} problems" in problems[-1].message


@pytest.mark.parametrize(
    ("name", "head", "row"),
    [
        ("x.csv", "level,category,competency\n", "L1,Craft,Same\n"),
        ("x.md", "## L1\n### Craft\n", "- Same\n"),
    ],
)
def test_a_huge_ladder_is_refused_early(name, head, row):
    with pytest.raises(LadderFormatError) as caught:
        parse((head + row * (MAX_COMPETENCIES + 1)).encode(), filename=name)
    assert any(
        f"more than {MAX_COMPETENCIES:,} competencies" in p.message for p in caught.value.problems
    )
    assert len(parse((head + row * 3).encode(), filename=name).competencies) == 3
