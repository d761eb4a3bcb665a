"""Import the real-world ladders in ../shared/ladders; counts were checked by hand."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.ladders.formats import LadderFormatError, detect, export_csv, export_rungs, parse, read

LADDERS = Path(__file__).resolve().parents[3] / "shared" / "ladders"
REAL = ("ft-engineering.yml", "monzo-backend.md", "codecademy-ic.md")

pytestmark = pytest.mark.skipif(not LADDERS.is_dir(), reason="shared ladder files not present")


def load(name: str):
    return parse((LADDERS / name).read_bytes(), filename=name)


def by_title(spec, title: str):
    matches = [c for c in spec.competencies if c.title == title]
    assert len(matches) == 1, f"{title!r} found {len(matches)} times"
    return matches[0]


def test_detects_each_real_format():
    found = {name: detect(name, (LADDERS / name).read_bytes()) for name in REAL}
    assert found == {
        "ft-engineering.yml": "ft",
        "monzo-backend.md": "monzo",
        "codecademy-ic.md": "outline",
    }
    malformed = "monzo-people-malformed.md"
    assert detect(malformed, (LADDERS / malformed).read_bytes()) == "monzo"


def test_ft_engineering_counts():
    spec = load("ft-engineering.yml")
    # `grep -c '^  - id: ' ` under levels: 8; themes: 9 (sed -n 32,86p | grep -c '  - id:');
    # competencies: `grep -c '^  - id: [0-9a-f]\{8\}-'` = 72, 9 per level (uniq -c on level:).
    assert len(spec.levels) == 8
    assert len(spec.categories) == 9
    assert len(spec.competencies) == 72
    assert set(Counter(c.level for c in spec.competencies).values()) == {9}
    assert spec.key == "ft-engineering"
    assert spec.name == "Engineering"
    assert spec.rule.type == "threshold"


def test_ft_splits_into_two_tracks_sharing_early_levels():
    spec = load("ft-engineering.yml")
    tracks = {t.key: t.levels for t in spec.tracks}
    assert tracks == {
        "ic": ("junior", "engineer", "senior-1", "senior-2-ic", "principal-ic"),
        "manager": (
            "junior",
            "engineer",
            "senior-1",
            "senior-2-pm",
            "principal-pm",
            "tech-director",
        ),
    }


def test_ft_competency_title_is_first_sentence_and_description_keeps_the_rest():
    spec = load("ft-engineering.yml")
    first = spec.competencies[0]
    assert first.key == "fb43098c-588c-421c-b87a-92b0bfd2ad7c"
    assert first.title == "Aware of how the team delivers and the best practices they use."
    assert "Plans and delivers own work tasks." in first.description
    assert "Awareness" in first.description
    assert (first.level, first.category) == ("junior", "planning-organising")
    # A numbered technical summary loses its "1." marker in the title.
    tech = by_title(
        spec,
        "Writes well-tested code and documentation in keeping with our guidelines and conventions.",
    )
    assert tech.level == "junior" and tech.category == "technical"
    assert "2. Uses tooling and systems at a basic level" in tech.description


def test_monzo_backend_counts():
    spec = load("monzo-backend.md")
    # Front matter = lines 2-258. `grep -c '^          - "'` = 121 criteria and
    # `grep -c '^          - criteria:'` = 14 example criteria: 135 competencies.
    # `grep -c '^              - '` = 22 examples. `levels: 6`; 5 `  - name:` topics.
    assert len(spec.levels) == 6
    assert [x.name for x in spec.levels][:2] == ["Level 1", "Level 2"]
    assert len(spec.categories) == 5
    assert len(spec.competencies) == 135
    assert sum(len(c.examples) for c in spec.competencies) == 22
    assert [t.levels for t in spec.tracks] == [tuple(f"level-{n}" for n in range(1, 7))]
    # awk per topic and level: mastery level 2 has 7 criteria + 2 example criteria.
    assert sum(1 for c in spec.competencies if (c.category, c.level) == ("mastery", "level-2")) == 9


def test_monzo_names_and_examples():
    spec = load("monzo-backend.md")
    # Empty titles fall back to the humanised name; emoji are dropped from the others.
    assert [x.name for x in spec.categories] == [
        "Communication",
        "Impact",
        "Leadership",
        "Influence",
        "Mastery",
    ]
    assert spec.name == "Backend Engineering Framework"
    rpc = by_title(spec, "Implements simple RPC handlers")
    assert rpc.examples == ("Basic CRUD handlers", "Internal/external API proxies")
    assert (rpc.level, rpc.category) == ("level-2", "mastery")
    plain = by_title(spec, "Provides regular status updates to their mentor/buddy")
    assert plain.level == "level-1" and plain.examples == ()
    assert spec.description.startswith("### About our engineering progression frameworks")
    assert spec.rule.type == "threshold"


def test_codecademy_outline_counts():
    spec = load("codecademy-ic.md")
    # `grep -c '^- '` = 109 bullets, of which `grep -c '^- \['` = 5 are the table of contents:
    # 104 competencies. awk per `## ` level: 16, 17, 21, 25, 25. "## FAQ" has no bullets.
    assert [x.name for x in spec.levels] == [
        "Software Engineering Apprentice",
        "Software Engineer",
        "Software Engineer 2",
        "Senior Software Engineer",
        "Staff Software Engineer",
    ]
    assert [x.name for x in spec.categories] == [
        "Software Engineering & Design",
        "Execution & Results",
        "Collaboration & Communication",
        "Community & Citizenship",
    ]
    per_level = Counter(c.level for c in spec.competencies)
    assert [per_level[x.key] for x in spec.levels] == [16, 17, 21, 25, 25]
    assert len(spec.competencies) == 104
    assert spec.name == "Codecademy Engineering Competencies"
    assert len(spec.tracks) == 1 and len(spec.tracks[0].levels) == 5


def test_codecademy_specific_competencies():
    spec = load("codecademy-ic.md")
    interview = [
        c
        for c in spec.competencies
        if c.title == "You are interview-trained and share the interview load for your team."
    ]
    assert {c.level for c in interview} == {"software-engineer-2", "senior-software-engineer"}
    # Line 171 is an indented continuation of the bullet above it: it becomes the description.
    vetting = [c for c in spec.competencies if c.description.startswith("I.e. you have delivered")]
    assert len(vetting) == 1
    assert vetting[0].level == "staff-software-engineer"
    assert vetting[0].title.startswith("You have established a track record of investigating")


def test_monzo_people_with_a_tab_after_a_dash_is_read_as_yaml_1_2_reads_it():
    reading = read((LADDERS / "monzo-people-malformed.md").read_bytes(), filename="people.md")
    # The shared ladders README: 146 criteria; `grep -cP '^\s+- "|^\s+-\t"'` = 146, the
    # one written `-<TAB>"..."` on file line 205 (`grep -nP '\t'`) included.
    assert len(reading.spec.competencies) == 146
    [warning] = reading.warnings
    assert (warning.line, warning.message) == (
        205,
        "a TAB after '-' was read as a space, as YAML 1.2 allows",
    )
    [tabbed] = [
        c for c in reading.spec.competencies if c.title.startswith("Understands people risk")
    ]
    assert tabbed.title.endswith("produces quality how-tos.")


def test_a_tab_elsewhere_is_still_refused_at_its_file_line():
    text = (LADDERS / "monzo-people-malformed.md").read_text().replace("  title:", "\ttitle:", 1)
    with pytest.raises(LadderFormatError) as caught:
        parse(text.encode(), filename="people.md")
    [problem] = caught.value.problems
    assert "TAB" in problem.message


@pytest.mark.parametrize("name", REAL)
def test_real_files_convert_to_rungs_stably(name):
    first = export_rungs(load(name))
    again = export_rungs(parse(first.encode(), filename="converted.yml"))
    assert again == first


@pytest.mark.parametrize("name", REAL)
def test_real_files_survive_csv(name):
    spec = load(name)
    back = parse(export_csv(spec).encode(), filename="converted.csv")

    def rows(s):
        levels = {x.key: x.name for x in s.levels}
        categories = {x.key: x.name for x in s.categories}
        return sorted(
            (
                c.title,
                c.description,
                c.examples,
                levels[c.level],
                categories[c.category],
                tuple(sorted(t.name for t in s.tracks if c.level in t.levels)),
            )
            for c in s.competencies
        )

    assert rows(back) == rows(spec)
    assert [x.name for x in back.levels] == [x.name for x in spec.levels]
