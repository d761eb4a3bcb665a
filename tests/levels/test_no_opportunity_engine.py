"""'No opportunity yet': a rating that takes its competency out of its cell's count."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ladders.spec import (
    EXCLUDED,
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)
from app.levels.index import build_index
from app.levels.standing import evaluate


def ladder(rule: LevelRule) -> LadderSpec:
    """Two levels, one category, three competencies at each level."""
    levels = (LevelSpec("one", "One"), LevelSpec("two", "Two"))
    comps = tuple(
        CompetencySpec(f"{lv.key}-{n}", f"{lv.name} #{n}", lv.key, "craft")
        for lv in levels
        for n in range(3)
    )
    return LadderSpec(
        "t",
        "T",
        (TrackSpec("ic", "IC", ("one", "two")),),
        levels,
        (CategorySpec("craft", "Craft"),),
        comps,
        rule=rule,
        no_opportunity=True,
    )


RULES = [LevelRule("all"), LevelRule("threshold", threshold=1.0)]


@pytest.mark.parametrize("rule", RULES)
def test_an_unmet_competency_with_no_opportunity_leaves_the_denominator(rule):
    index = build_index(ladder(rule), "ic")
    ratings = {"one-0": 1.0, "one-1": 1.0, "one-2": EXCLUDED}
    standing = evaluate(index, ratings, "two")
    assert standing.level == "one"
    craft = standing.category("craft")
    assert (craft.demonstrated, craft.total) == (2, 5)  # three at Two, two of One's counted


@pytest.mark.parametrize("rule", RULES)
def test_the_same_competency_not_yet_rated_holds_the_level_back(rule):
    index = build_index(ladder(rule), "ic")
    assert evaluate(index, {"one-0": 1.0, "one-1": 1.0}, "two").level is None


def test_no_opportunity_is_not_a_gap():
    index = build_index(ladder(LevelRule("all")), "ic")
    gaps = evaluate(index, {"one-0": 1.0, "two-1": EXCLUDED}, "two").gaps
    open_keys = {item.key for cat in gaps.categories for item in cat.items}
    assert open_keys == {"one-1", "one-2", "two-0", "two-2"}
    assert gaps.total_needed == 4


def test_a_cell_of_nothing_but_no_opportunity_is_met_like_an_empty_one():
    index = build_index(ladder(LevelRule("all")), "ic")
    ratings = dict.fromkeys(("one-0", "one-1", "one-2"), EXCLUDED)
    assert evaluate(index, ratings).level == "one"


@given(
    st.dictionaries(
        st.sampled_from([f"{lv}-{n}" for lv in ("one", "two") for n in range(3)]),
        st.sampled_from([0.0, 0.5, 1.0, EXCLUDED]),
    )
)
def test_no_opportunity_never_lowers_a_level(ratings):
    """Marking an unmet competency "no opportunity" can only keep or raise the level."""
    index = build_index(ladder(LevelRule("threshold", threshold=0.6)), "ic")
    before = index.position(evaluate(index, ratings).level)
    for key, value in ratings.items():
        if value < 1.0 and value != EXCLUDED:
            marked = {**ratings, key: EXCLUDED}
            assert index.position(evaluate(index, marked).level) >= before
