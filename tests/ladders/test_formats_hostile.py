"""The importers on well-formed files with the wrong things in the right places (hypothesis).

tests/ladders/test_formats_properties.py feeds them random bytes and mutated real files;
these strategies build valid YAML, CSV or Markdown that reaches deeper code.
"""

from __future__ import annotations

import csv
import io

import yaml
from helpers import small_ladder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ladders import formats
from app.ladders.formats import LadderFormatError, rungs
from app.ladders.formats.slug import KEY_PATTERN

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Ladder importers ----------------------------------------------------------------

NAMES = st.sampled_from(["x.yml", "x.csv", "x.md", "x.txt", "x"])
FORMAT = st.sampled_from(("auto", *formats.FORMATS))
HOSTILE_TEXT = st.sampled_from(
    ["", " ", "../../etc/passwd", "a" * 300, "\u202eevil", "é\u0301", "🧗" * 5, "<b>x</b>", "\x00"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    HOSTILE_TEXT,
)
# Keys each YAML format knows, so the drawn documents get past "unknown field" into the
# code that reads values; plus a few it does not know.
RUNGS_KEYS = sorted(
    {
        *rungs.TOP_KEYS,
        *rungs.RULE_KEYS,
        *rungs.SCALE_KEYS,
        *rungs.TRACK_KEYS,
        *rungs.LEVEL_KEYS,
        *rungs.CATEGORY_KEYS,
        *rungs.COMPETENCY_KEYS,
    }
) + ["zzz"]  # the keys the native format knows, from its parser, and one it does not
FT_KEYS = [
    "name",
    "summary",
    "levels",
    "themes",
    "competencies",
    "id",
    "level",
    "theme",
    "proficiency",
    "supportingUrls",
    "url",
    "label",
    "googleSheetId",
    "zzz",
]
MONZO_KEYS = [
    "title",
    "topics",
    "name",
    "content",
    "level",
    "criteria",
    "exampleCriteria",
    "examples",
    "levels",
    "path",
    "zzz",
]


def documents(keys: list[str]):
    """Nested YAML-able data whose mapping keys come mostly from one format's vocabulary."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=8))
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=6)
        ),
        max_leaves=30,
    )


def parse_or_refuse(data: bytes, filename: str, fmt: str, key: str | None = None) -> None:
    """Parse, accepting only a valid spec or LadderFormatError with meaningful problems."""
    try:
        spec = formats.parse(data, filename=filename, format=fmt, key=key)
    except LadderFormatError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem.message, str) and problem.message.strip()
        assert str(error).strip()
    else:
        assert KEY_PATTERN.match(spec.key), spec.key  # a stored key is always URL-safe


def dump(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@FAST
@given(
    data=st.dictionaries(st.sampled_from(RUNGS_KEYS), documents(RUNGS_KEYS), max_size=10),
    fmt=st.sampled_from(["auto", "rungs"]),
)
def test_rungs_documents_of_any_shape(data, fmt):
    parse_or_refuse(dump({"rungs": 1, **data}), "ladder.yml", fmt)


@FAST
@given(data=st.dictionaries(st.sampled_from(FT_KEYS), documents(FT_KEYS), max_size=8))
def test_ft_documents_of_any_shape(data):
    parse_or_refuse(dump({"themes": [], "competencies": [], **data}), "ft.yml", "ft")


@FAST
@given(
    data=st.dictionaries(st.sampled_from(MONZO_KEYS), documents(MONZO_KEYS), max_size=6),
    body=st.text(max_size=100),
)
def test_monzo_front_matter_of_any_shape(data, body):
    front = yaml.safe_dump({"topics": [], **data}, allow_unicode=True)
    parse_or_refuse(f"---\n{front}---\n{body}".encode(), "backend.md", "monzo")


CELLS = st.one_of(st.text(max_size=15), HOSTILE_TEXT, st.sampled_from(["=1+1", "@SUM(A1)", ""]))


@FAST
@given(
    header=st.lists(
        st.sampled_from(
            [
                "track",
                "level",
                "category",
                "competency",
                "description",
                "examples",
                "points",
                "extra",
                "",
            ]
        ),
        max_size=8,
    ),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=12),
)
def test_csv_files_of_any_shape(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    parse_or_refuse(out.getvalue().encode("utf-8"), "ladder.csv", "csv")


OUTLINE_LINES = st.one_of(
    st.tuples(
        st.sampled_from(["# ", "## ", "### ", "#### ", "- ", "  - ", "* ", "1. ", "> ", ""]),
        st.one_of(st.text(max_size=20), HOSTILE_TEXT),
    ).map("".join),
    st.sampled_from(["---", "```", "", "|a|b|", "<!-- x -->"]),
)


@FAST
@given(lines=st.lists(OUTLINE_LINES, max_size=40), fmt=st.sampled_from(["auto", "outline"]))
def test_markdown_outlines_of_any_shape(lines, fmt):
    parse_or_refuse("\n".join(lines).encode("utf-8", "surrogatepass"), "README.md", fmt)


@FAST
@given(key=st.one_of(HOSTILE_TEXT, st.text(max_size=40)), filename=st.one_of(NAMES, HOSTILE_TEXT))
def test_hostile_keys_and_file_names_are_refused_or_made_safe(key, filename):
    valid = formats.export_rungs(small_ladder()).encode("utf-8")
    parse_or_refuse(valid, filename, "auto", key=key or None)
    parse_or_refuse(valid, filename, "rungs", key=key or None)
