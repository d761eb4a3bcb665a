"""Unit tests of the level engine on a small hand-made ladder."""

from __future__ import annotations

import pytest

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)
from app.levels.index import build_index
from app.levels.standing import evaluate, gaps_to

LEVELS = (
    LevelSpec("e1", "Engineer I"),
    LevelSpec("e2", "Engineer II"),
    LevelSpec("se", "Senior Engineer"),
    LevelSpec("sta", "Staff Engineer"),
    LevelSpec("em", "Engineering Manager"),
)
CATEGORIES = (
    CategorySpec("delivery", "Delivery"),
    CategorySpec("impact", "Impact"),
    CategorySpec("people", "People"),
)
TRACKS = (
    TrackSpec("ic", "Individual contributor", ("e1", "e2", "se", "sta")),
    TrackSpec("mgr", "Manager", ("e1", "e2", "se", "em")),
)
# competency key -> (level, category); keys spell where they sit to keep tests readable.
LAYOUT = {
    "d1": ("e1", "delivery"),
    "i1": ("e1", "impact"),
    "d2a": ("e2", "delivery"),
    "d2b": ("e2", "delivery"),
    "i2": ("e2", "impact"),
    "d3a": ("se", "delivery"),
    "d3b": ("se", "delivery"),
    "d3c": ("se", "delivery"),
    "i3a": ("se", "impact"),
    "i3b": ("se", "impact"),
    "i3c": ("se", "impact"),
    "i3d": ("se", "impact"),
    "d4": ("sta", "delivery"),
    "i4": ("sta", "impact"),
    "p5a": ("em", "people"),
    "p5b": ("em", "people"),
}
UP_TO_E2 = ("d1", "i1", "d2a", "d2b", "i2")


def ladder(
    rule: LevelRule | None = None, layout: dict | None = None, weights: dict | None = None
) -> LadderSpec:
    """Build the test ladder, optionally with another rule, layout or weights."""
    layout = LAYOUT if layout is None else layout
    weights = weights or {}
    competencies = tuple(
        CompetencySpec(key, f"Title of {key}", level, category, points=weights.get(key))
        for key, (level, category) in layout.items()
    )
    return LadderSpec(
        "eng", "Engineering", TRACKS, LEVELS, CATEGORIES, competencies, rule=rule or LevelRule()
    )


def done(*keys: str) -> dict[str, float]:
    """Rate the given competencies as demonstrated."""
    return dict.fromkeys(keys, 1.0)


def by_key(standing):
    """Index a standing's categories by key."""
    return {c.key: c for c in standing.categories}


IC = build_index(ladder(), "ic")


def test_nothing_rated_gives_no_level_and_aims_at_the_first():
    standing = evaluate(IC, {})
    assert standing.level is None
    assert standing.label == "No level yet"
    assert standing.next_level == "e1"
    assert standing.target == "e1"
    assert standing.gaps.summary() == "2 to go for Engineer I: 1 in Delivery, 1 in Impact"
    assert standing.points is None and standing.points_to_next is None


def test_all_rule_reaches_a_level_when_everything_up_to_it_is_demonstrated():
    standing = evaluate(IC, done(*UP_TO_E2))
    assert standing.level == "e2"
    assert standing.label == "Engineer II"
    assert standing.next_level == "se"
    assert standing.gaps.summary() == "7 to go for Senior Engineer: 3 in Delivery, 4 in Impact"


def test_all_rule_is_cumulative_so_skipping_a_level_does_not_count():
    ratings = done("d1", "i1", "d3a", "d3b", "d3c", "i3a", "i3b", "i3c", "i3d")
    standing = evaluate(IC, ratings)
    assert standing.level == "e1"
    # What is missing for Senior Engineer is exactly the skipped Engineer II work.
    gaps = gaps_to(IC, ratings, "se")
    assert [i.key for c in gaps.categories for i in c.items] == ["d2a", "d2b", "i2"]


def test_one_missing_competency_holds_the_level_back():
    standing = evaluate(IC, done(*UP_TO_E2[:-1]))
    assert standing.level == "e1"
    assert standing.gaps.summary() == "1 to go for Engineer II: 1 in Impact"


def test_category_levels_differ_and_the_weakest_sets_the_overall_level():
    ratings = done("d1", "d2a", "d2b", "d3a", "d3b", "d3c", "i1")
    standing = evaluate(IC, ratings)
    cats = by_key(standing)
    assert cats["delivery"].level == "se"
    assert cats["delivery"].next_level == "sta"
    assert cats["impact"].level == "e1"
    assert cats["impact"].level_name == "Engineer I"
    assert standing.level == "e1"
    assert (cats["delivery"].demonstrated, cats["delivery"].total) == (6, 7)


def test_partial_rating_moves_progress_but_does_not_reach():
    before = by_key(evaluate(IC, done("d1", "i1")))["delivery"]
    after_standing = evaluate(IC, {**done("d1", "i1"), "d2a": 0.5})
    after = by_key(after_standing)["delivery"]
    assert before.progress == 0.0
    assert after.progress == pytest.approx(0.25)  # half of one of two competencies
    assert after.level == "e1"
    item = next(i for c in after_standing.gaps.categories for i in c.items if i.key == "d2a")
    assert item.partial and item.value == 0.5 and item.level == "e2"
    assert item.title == "Title of d2a"


def test_everything_demonstrated_reaches_the_top_with_nothing_left():
    standing = evaluate(IC, done(*LAYOUT))
    assert standing.level == "sta"
    assert standing.label == "Staff Engineer"
    assert standing.next_level is None and standing.target is None
    assert standing.gaps.summary() == "Staff Engineer reached"
    assert all(c.progress == 1.0 and c.next_level is None for c in standing.categories)


def test_ratings_above_one_or_unknown_keys_change_nothing():
    assert evaluate(IC, {"d1": 2.0, "i1": 1.0, "nope": 1.0}).level == "e1"
    assert evaluate(IC, {"d1": -1.0, "i1": float("nan")}).level is None


def test_target_above_the_next_level_collects_gaps_up_to_it():
    standing = evaluate(IC, done(*UP_TO_E2), target="sta")
    assert standing.target == "sta"
    assert standing.next_level == "se"
    assert standing.gaps.summary() == "9 to go for Staff Engineer: 4 in Delivery, 5 in Impact"


@pytest.mark.parametrize("target", ["e1", "e2", "em", "unknown"])
def test_target_at_or_below_the_level_or_off_track_falls_back_to_next(target):
    standing = evaluate(IC, done(*UP_TO_E2), target=target)
    assert standing.target == "se"
    assert standing.gaps.target_name == "Senior Engineer"


def test_gaps_to_a_reached_level_are_empty():
    gaps = gaps_to(IC, done(*UP_TO_E2), "e1")
    assert gaps.reached and gaps.total_needed == 0 and gaps.categories == ()
    assert gaps.summary() == "Engineer I reached"


def test_tracks_share_early_levels_and_ignore_each_others_competencies():
    manager = build_index(ladder(), "mgr")
    ratings = done(*UP_TO_E2, "d3a", "d3b", "d3c", "i3a", "i3b", "i3c", "i3d", "d4", "i4")
    assert evaluate(IC, ratings).level == "sta"
    standing = evaluate(manager, ratings)
    assert standing.level == "se"
    assert standing.next_level_name == "Engineering Manager"
    assert standing.gaps.summary() == "2 to go for Engineering Manager: 2 in People"
    # People has nothing on the IC track, so the IC view does not show it.
    assert [c.key for c in IC.categories] == ["delivery", "impact"]
    assert [c.key for c in manager.categories] == ["delivery", "impact", "people"]
    # Nothing is asked of People below Engineering Manager: those levels hold nobody back,
    # but People has no level of its own before its first competencies are shown.
    people = by_key(evaluate(manager, {}))["people"]
    assert (people.level, people.next_level, people.progress) == (None, "em", 0.0)


@pytest.mark.parametrize("rule", [LevelRule(), LevelRule("threshold", threshold=0.5)])
def test_a_category_that_starts_high_has_no_level_until_it_is_shown(rule):
    manager = build_index(ladder(rule), "mgr")
    ratings = done(*UP_TO_E2, "d3a", "d3b", "d3c", "i3a", "i3b", "i3c", "i3d")
    standing = evaluate(manager, ratings)
    assert standing.level == "se"  # People asks nothing up to Senior Engineer
    assert by_key(standing)["people"].level is None
    assert standing.category_levels == ("em", "em", None)
    shown = by_key(evaluate(manager, {**ratings, **done("p5a", "p5b")}))["people"]
    assert (shown.level, shown.next_level) == ("em", None)


def test_a_lowest_level_without_competencies_is_reached_with_nothing_rated():
    layout = {k: v for k, v in LAYOUT.items() if v[0] != "e1"}
    standing = evaluate(build_index(ladder(layout=layout), "ic"), {})
    assert standing.level == "e1"
    assert standing.next_level == "e2"


def test_approaching_label_once_the_band_of_the_next_level_is_met():
    index = build_index(ladder(LevelRule(approaching=0.5)), "ic")
    assert evaluate(index, done("d1")).label == "No level yet, approaching Engineer I"
    assert evaluate(index, {"d1": 0.5, "i1": 0.5}).label == "No level yet"
    assert evaluate(index, done("d1", "i1", "d2a")).label == "Engineer I"
    standing = evaluate(index, done("d1", "i1", "d2a", "d2b"))
    assert standing.approaching
    assert standing.label == "Engineer I, approaching Engineer II"
    assert not evaluate(index, done(*LAYOUT)).approaching


def test_approaching_is_off_when_the_ladder_does_not_ask_for_it():
    standing = evaluate(IC, done("d1", "i1", "d2a", "d2b"))
    assert not standing.approaching
    assert standing.label == "Engineer I"


# Threshold: three quarters of each level's weight, per category; d2a and d3a are heavy.
THRESHOLD = build_index(
    ladder(LevelRule("threshold", threshold=0.75), weights={"d2a": 2, "d3a": 3}), "ic"
)


def test_threshold_counts_weight_not_heads():
    # Senior Delivery weighs d3a 3, d3b 1, d3c 1: the heavy one alone is 3/5 < 3/4.
    base = done(*UP_TO_E2, "i3a", "i3b", "i3c")
    assert evaluate(THRESHOLD, {**base, **done("d3a")}).level == "e2"
    assert evaluate(THRESHOLD, {**base, **done("d3b", "d3c")}).level == "e2"
    assert evaluate(THRESHOLD, {**base, **done("d3a", "d3b")}).level == "se"


def test_threshold_needed_is_the_fewest_demonstrations_heaviest_first():
    base = done(*UP_TO_E2, "i3a", "i3b", "i3c")
    gaps = evaluate(THRESHOLD, base).gaps
    delivery = next(c for c in gaps.categories if c.key == "delivery")
    # d3a then one light one make 4/5; every missing one is still listed.
    assert delivery.needed == 2
    assert [i.key for i in delivery.items] == ["d3a", "d3b", "d3c"]
    assert gaps.summary() == "2 to go for Senior Engineer: 2 in Delivery"
    light = evaluate(THRESHOLD, {**base, **done("d3b", "d3c")}).gaps
    assert light.summary() == "1 to go for Senior Engineer: 1 in Delivery"


def test_threshold_reached_level_may_keep_listed_items_but_needs_nothing():
    ratings = done("d1", "i1", "d2a", "i2")  # d2a alone is 2/3 of Delivery: not enough
    assert evaluate(THRESHOLD, ratings).level == "e1"
    ratings = done("d1", "i1", "d2a", "d2b", "i2", "i3a", "i3b", "i3c", "d3a", "d3b")
    gaps = gaps_to(THRESHOLD, ratings, "se")
    assert gaps.reached and gaps.total_needed == 0
    assert gaps.summary() == "Senior Engineer reached"
    assert {i.key for c in gaps.categories for i in c.items} == {"d3c", "i3d"}


def test_threshold_level_without_competencies_in_a_category_is_met():
    layout = {k: v for k, v in LAYOUT.items() if k != "i2"}
    index = build_index(ladder(LevelRule("threshold", threshold=1.0), layout=layout), "ic")
    assert evaluate(index, done("d1", "i1", "d2a", "d2b")).level == "e2"


POINTS = LevelRule("points", milestone_points=(0, 1, 3), level_points={"e1": 1, "e2": 3, "sta": 6})


def test_points_add_up_milestones_and_skip_levels_without_a_threshold():
    index = build_index(ladder(POINTS), "ic")
    none = evaluate(index, {})
    assert (none.level, none.points, none.points_to_next) == (None, 0, 1)
    one = evaluate(index, done("d1"))
    assert (one.level, one.points, one.points_to_next) == ("e1", 1, 2)
    # Senior Engineer has no level_points, so the next level is Staff Engineer.
    standing = evaluate(index, done("d1", "i1", "d2a", "d2b", "i2"))
    assert standing.points == 6  # two categories at milestone 2: 3 + 3
    assert (standing.level, standing.next_level) == ("sta", None)
    # Milestones past the table keep its last value.
    senior = done("d3a", "d3b", "d3c", "i3a", "i3b", "i3c", "i3d")
    assert evaluate(index, {**done(*UP_TO_E2), **senior}).points == 6


def test_points_gaps_list_the_next_milestone_of_each_category():
    index = build_index(ladder(POINTS), "ic")
    standing = evaluate(index, done("d1", "d2b"))
    assert standing.target == "e2"
    assert standing.gaps.summary() == "2 to go for Engineer II: 1 in Delivery, 1 in Impact"
    items = {c.key: [i.key for i in c.items] for c in standing.gaps.categories}
    assert items == {"delivery": ["d2a"], "impact": ["i1"]}
    assert by_key(standing)["delivery"].level == "e1"
    assert by_key(standing)["delivery"].progress == pytest.approx(0.5)


def test_points_approaching_is_a_share_of_the_way_between_thresholds():
    rule = LevelRule(
        "points",
        approaching=0.5,
        milestone_points=(0, 1, 3, 6, 12),
        level_points={"e1": 0, "e2": 4, "se": 10},
    )
    index = build_index(ladder(rule), "ic")
    assert evaluate(index, done("d1")).label == "Engineer I"  # 1 of 4
    assert evaluate(index, done("d1", "i1")).label == "Engineer I, approaching Engineer II"
    # From Engineer II (4) to Senior Engineer (10) the band starts half way, at 7.
    assert evaluate(index, done(*UP_TO_E2)).label == "Engineer II"  # 6 points
    seven = evaluate(index, done("d1", "i1", "d2a", "d2b", "d3a", "d3b", "d3c"))
    assert (seven.points, seven.label) == (7, "Engineer II, approaching Senior Engineer")


@pytest.mark.parametrize(
    ("rule", "track"),
    [
        (LevelRule(), "nope"),
        (LevelRule("threshold"), "ic"),
        (LevelRule("threshold", threshold=1.5), "ic"),
        (LevelRule("points"), "ic"),
        (LevelRule("points", milestone_points=(0, 3, 1)), "ic"),
    ],
)
def test_build_index_refuses_a_ladder_it_cannot_evaluate(rule, track):
    with pytest.raises(ValueError):
        build_index(ladder(rule), track)
