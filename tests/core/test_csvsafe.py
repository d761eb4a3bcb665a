"""CSV cells safe from formula injection, and losslessly read back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.csvsafe import escape, unescape


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab 1"), max_size=8) | st.text(max_size=20))
def test_unescape_undoes_escape(text):
    assert unescape(escape(text)) == text


@given(st.text(max_size=20))
def test_no_escaped_cell_starts_a_formula(text):
    assert str(escape(text))[:1] not in set("=+-@\t\r")


def test_numbers_and_plain_text_pass_unchanged():
    assert escape(3) == 3 and escape("Writes tests") == "Writes tests"
    assert escape("'tis") == "'tis" and unescape("'tis") == "'tis"
