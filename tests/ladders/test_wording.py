"""Comparing two versions of a ladder: added, removed, reworded, word by word (no Flask)."""

from __future__ import annotations

import dataclasses

from helpers import small_ladder

from app.ladders.wording import as_text, compare, word_diff


def test_word_diff_marks_only_the_words_that_changed():
    pieces = word_diff("Writes clear tests for old code", "Writes fast tests for new code")
    assert [(p.op, p.text) for p in pieces] == [
        ("same", "Writes "),
        ("removed", "clear"),
        ("added", "fast"),
        ("same", " tests for "),
        ("removed", "old"),
        ("added", "new"),
        ("same", " code"),
    ]
    assert "".join(p.text for p in pieces if p.op != "removed") == "Writes fast tests for new code"


def test_compare_names_added_removed_and_reworded_competencies():
    old = small_ladder()
    items = list(old.competencies)
    items[0] = dataclasses.replace(items[0], title="Code at Junior, reworded")
    gone = items.pop(1)
    items.append(dataclasses.replace(items[0], key="code-junior-3", title="Brand new"))
    new = dataclasses.replace(old, competencies=tuple(items))
    found = compare(old, new)
    assert [c.key for c in found.changed] == ["code-junior-1"]
    assert found.changed[0].reworded and found.changed[0].fields[0].field == "title"
    assert [c.key for c in found.removed] == [gone.key]
    assert [c.key for c in found.added] == ["code-junior-3"]
    text = as_text(found)
    assert "~ code-junior-1: Code at Junior, reworded" in text
    assert "title: Code at Junior{+,+} #1" not in text  # words, not characters
    assert "[-#1-]" in text and "{+reworded+}" in text


def test_a_move_to_another_level_is_not_a_rewording():
    old = small_ladder()
    items = list(old.competencies)
    items[0] = dataclasses.replace(items[0], level="mid")
    found = compare(old, dataclasses.replace(old, competencies=tuple(items)))
    assert found.changed[0].fields[0].field == "level" and not found.changed[0].reworded


def test_the_same_ladder_compares_empty():
    assert not compare(small_ladder(), small_ladder())
    assert as_text(compare(small_ladder(), small_ladder())) == "No differences."
