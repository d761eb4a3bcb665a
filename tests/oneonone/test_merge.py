"""The line merge of the shared notes, without Flask: what both typed is always kept."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from app.oneonone.merge import END, Merged, line_diff, merge


def both(base: str, theirs: str, mine: str):
    return merge(base, theirs, mine, their_name="Maya", my_name="Eli")


def test_edits_of_different_lines_merge_cleanly():
    assert both("a\nb\nc", "A\nb\nc", "a\nb\nC") == Merged("A\nb\nC", 0)


def test_a_line_inserted_next_to_a_changed_one_is_no_clash():
    assert both("a\nb", "new\na\nb", "a\nB").text == "new\na\nB"


def test_a_clash_keeps_both_versions_between_markers():
    result = both("goal: June", "goal: March", "goal: May")
    assert result.conflicts == 1
    assert result.text.splitlines() == [
        "<<<<<<< Maya wrote:",
        "goal: March",
        "======= Eli wrote:",
        "goal: May",
        END,
    ]


def test_crlf_from_browsers_is_one_line_ending():
    assert both("a\r\nb", "a\nb\nc", "z\r\na\r\nb").text == "z\na\nb\nc"


lines = st.lists(st.text("abcxyz ", min_size=1, max_size=6), max_size=6)


@given(base=lines, theirs=lines, mine=lines)
def test_lines_both_added_anywhere_are_all_kept(base, theirs, mine):
    # Each side adds its own distinct lines to the base; the merge keeps every one of them.
    theirs = [f"T{i} {t}" for i, t in enumerate(theirs)]
    mine = [f"M{i} {m}" for i, m in enumerate(mine)]
    their_text = "\n".join(theirs + base)
    my_text = "\n".join(base[: len(base) // 2] + mine + base[len(base) // 2 :])
    result = both("\n".join(base), their_text, my_text).text.split("\n")
    for line in theirs + mine:
        assert line in result


def test_diff_marks_added_and_removed_lines():
    signs = [(d.sign, d.text) for d in line_diff("a\nb\nc", "a\nB\nc")]
    assert signs == [(" ", "a"), ("-", "b"), ("+", "B"), (" ", "c")]


def test_the_merge_imports_without_flask():
    code = "import sys, app.oneonone.merge; sys.exit('flask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
