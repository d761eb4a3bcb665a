"""Property tests: no input crashes the parsers, and rungs export round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.ladders.formats import (
    FORMATS,
    LadderFormatError,
    carry_over,
    diff,
    export_csv,
    export_rungs,
    parse,
    slugify,
)
from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)

LADDERS = Path(__file__).resolve().parents[3] / "shared" / "ladders"
REAL = {
    name: (LADDERS / name).read_bytes()
    for name in (
        "ft-engineering.yml",
        "monzo-backend.md",
        "codecademy-ic.md",
        "monzo-people-malformed.md",
    )
    if (LADDERS / name).exists()
}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["x.yml", "x.csv", "x.md", "x.txt", "x"])
FORMAT = st.sampled_from(("auto", *FORMATS))


def parse_or_refuse(data: bytes, filename: str, fmt: str) -> None:
    """Parse, accepting only success or LadderFormatError with meaningful problems."""
    try:
        parse(data, filename=filename, format=fmt)
    except LadderFormatError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem.message, str) and problem.message.strip()
            assert problem.line is None or problem.line >= 1
        assert str(error)


@FAST
@given(data=st.binary(max_size=2000), filename=NAMES, fmt=FORMAT)
def test_arbitrary_bytes_never_crash(data, filename, fmt):
    parse_or_refuse(data, filename, fmt)


@FAST
@given(text=st.text(max_size=2000), filename=NAMES, fmt=FORMAT)
def test_arbitrary_text_never_crashes(text, filename, fmt):
    parse_or_refuse(text.encode("utf-8", "surrogatepass"), filename, fmt)


# Text made of the characters that matter to YAML, CSV and Markdown finds more corners.
TOKENS = [*"-:#|[]{}&*!?,'\"\t\n \r>%@`~01yn.", "rungs: 1\n", "topics:", "---\n", "- ", "## ", "  "]
SYNTAX = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)


@FAST
@given(text=SYNTAX, filename=NAMES, fmt=FORMAT)
def test_syntax_soup_never_crashes(text, filename, fmt):
    parse_or_refuse(text.encode(), filename, fmt)


@pytest.mark.skipif(not REAL, reason="shared ladder files not present")
@FAST
@given(
    name=st.sampled_from(sorted(REAL)),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["delete", "insert", "duplicate", "replace_line", "truncate"]),
            st.floats(0, 1),
            st.text(max_size=20),
        ),
        min_size=1,
        max_size=4,
    ),
    fmt=FORMAT,
)
def test_mutated_real_files_never_crash(name, edits, fmt):
    lines = REAL[name].decode("utf-8").split("\n")
    for op, where, text in edits:
        i = min(int(where * len(lines)), len(lines) - 1)
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "insert":
            lines.insert(i, text)
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "replace_line":
            lines[i] = text
        elif op == "truncate":
            lines = lines[: max(i, 1)]
    parse_or_refuse("\n".join(lines).encode("utf-8", "surrogatepass"), name, fmt)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_slugify_is_deterministic_nonempty_and_url_safe(text):
    slug = slugify(text)
    assert slug == slugify(text)
    assert slug and len(slug) <= 64
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-")


def _text(min_size: int = 1):
    return (
        st.text(min_size=min_size, max_size=40).map(str.strip).filter(lambda t: len(t) >= min_size)
    )


@st.composite
def ladders(draw):
    """Draw a valid ladder whose text fields hold arbitrary characters."""
    level_keys = draw(
        st.lists(
            st.text("abc-1", min_size=1, max_size=6).map(slugify),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    category_keys = draw(
        st.lists(
            st.sampled_from(["craft", "people", "impact"]), min_size=1, max_size=3, unique=True
        )
    )
    levels = tuple(LevelSpec(k, draw(_text()), draw(_text(0))) for k in level_keys)
    categories = tuple(CategorySpec(k, draw(_text()), draw(_text(0))) for k in category_keys)
    comps = tuple(
        CompetencySpec(
            key=f"c{i}",
            title=draw(_text()),
            level=draw(st.sampled_from(level_keys)),
            category=draw(st.sampled_from(category_keys)),
            description=draw(st.text(max_size=80).map(str.strip)),
            examples=tuple(draw(st.lists(_text(), max_size=3))),
            points=draw(st.none() | st.floats(0, 100, allow_nan=False)),
        )
        for i in range(draw(st.integers(1, 5)))
    )
    rule = draw(
        st.sampled_from(
            [
                LevelRule(),
                LevelRule("threshold", 0.8, 0.5),
                LevelRule("points", None, None, (0, 1, 3), {level_keys[0]: 0}),
            ]
        )
    )
    return LadderSpec(
        key="ladder",
        name=draw(_text()),
        description=draw(st.text(max_size=80).map(str.strip)),
        tracks=(TrackSpec("main", draw(_text()), tuple(level_keys), draw(_text(0))),),
        levels=levels,
        categories=categories,
        competencies=comps,
        rule=rule,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ladders())
def test_rungs_export_round_trips_any_valid_ladder(spec):
    out = export_rungs(spec)
    back = parse(out.encode("utf-8"), filename="round.yml")
    assert back == spec
    assert export_rungs(back) == out


def _csv_holds(spec: LadderSpec) -> bool:
    """CSV normalises line ends and joins track names with '|': what it cannot hold."""
    texts = [t.name for t in spec.tracks] + [x.name for x in (*spec.levels, *spec.categories)]
    texts += [x.summary for x in (*spec.levels, *spec.categories)]
    for c in spec.competencies:
        texts += [c.title, c.description, *c.examples]
    return not any("\r" in t or "\x00" in t for t in texts) and not any(
        "|" in t.name for t in spec.tracks
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ladders())
def test_csv_export_round_trips_any_valid_ladder(spec):
    assume(_csv_holds(spec))
    out = export_csv(spec)
    back = parse(out.encode("utf-8"), filename="round.csv", key=spec.key)
    assert export_csv(back) == out
    again = carry_over(spec, back)
    assert diff(spec, again).unchanged
