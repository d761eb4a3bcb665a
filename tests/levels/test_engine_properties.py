"""Properties of the level engine on random small ladders (hypothesis)."""

from __future__ import annotations

from itertools import combinations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)
from app.levels.index import TrackIndex, build_index
from app.levels.standing import evaluate, gaps_to

RULES = ("all", "threshold", "points")
VALUES = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 1))


@st.composite
def ladders(draw, rule_types=RULES) -> LadderSpec:
    """Draw a ladder of one or two tracks that share their first levels."""
    shared = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    own_a = [f"a{i}" for i in range(draw(st.integers(0, 2)))]
    tracks = [TrackSpec("a", "Track A", tuple(shared + own_a))]
    own_b: list[str] = []
    if draw(st.booleans()):
        own_b = [f"b{i}" for i in range(draw(st.integers(0, 2)))]
        tracks.append(TrackSpec("b", "Track B", tuple(shared + own_b)))
    level_keys = shared + own_a + own_b
    categories = [CategorySpec(f"c{i}", f"Category {i}") for i in range(draw(st.integers(1, 4)))]
    competencies = []
    for level in level_keys:
        for category in categories:
            for n in range(draw(st.integers(0, 4))):
                points = draw(st.sampled_from([None, None, 1, 0.5, 2, 3, 0]))
                key = f"{level}-{category.key}-{n}"
                competencies.append(CompetencySpec(key, key, level, category.key, points=points))

    rule_type = draw(st.sampled_from(rule_types))
    approaching = draw(st.none() | st.floats(0, 1))
    if rule_type == "threshold":
        threshold = draw(st.sampled_from([0.5, 2 / 3, 0.75, 1.0]) | st.floats(0.01, 1))
        rule = LevelRule("threshold", threshold=threshold, approaching=approaching)
    elif rule_type == "points":
        table = sorted(draw(st.lists(st.integers(0, 20), min_size=1, max_size=6)))
        level_points = {
            key: draw(st.integers(0, 60)) for key in level_keys if draw(st.integers(0, 4))
        }
        # The one rule validator wants a points rule to name at least one level's points.
        level_points = level_points or {level_keys[0]: draw(st.integers(0, 60))}
        rule = LevelRule(
            "points",
            approaching=approaching,
            milestone_points=tuple(table),
            level_points=level_points,
        )
    else:
        rule = LevelRule("all", approaching=approaching)
    levels = tuple(LevelSpec(key, f"Level {key}") for key in level_keys)
    return LadderSpec(
        "random", "Random", tuple(tracks), levels, tuple(categories), tuple(competencies), rule=rule
    )


@st.composite
def cases(draw, rule_types=RULES) -> tuple[TrackIndex, dict[str, float]]:
    """Draw a track index and ratings for it."""
    spec = draw(ladders(rule_types))
    index = build_index(spec, draw(st.sampled_from([t.key for t in spec.tracks])))
    keys = [c.key for c in spec.competencies]
    ratings = draw(st.dictionaries(st.sampled_from(keys), VALUES)) if keys else {}
    return index, ratings


def rank(index: TrackIndex, level: str | None) -> int:
    """Return the position of a level in the track, -1 for no level."""
    return -1 if level is None else index.position(level)


def track_competencies(index: TrackIndex) -> list[CompetencySpec]:
    """List every competency of the track."""
    return [c for row in index.cells for cell in row for c in cell]


@settings(deadline=None)
@given(cases(), st.data())
def test_raising_one_rating_never_lowers_any_level(case, data):
    index, ratings = case
    competencies = track_competencies(index)
    assume(competencies)
    key = data.draw(st.sampled_from([c.key for c in competencies]))
    raised = {**ratings, key: max(ratings.get(key, 0.0), data.draw(VALUES))}
    before, after = evaluate(index, ratings), evaluate(index, raised)
    assert rank(index, after.level) >= rank(index, before.level)
    for old, new in zip(before.categories, after.categories, strict=True):
        assert rank(index, new.level) >= rank(index, old.level)
        if old.next_level == new.next_level:
            assert new.progress >= old.progress
    if before.points is not None:
        assert after.points >= before.points


@given(cases(rule_types=("all", "threshold")))
def test_everything_demonstrated_gives_the_top_level(case):
    index, _ = case
    standing = evaluate(index, {c.key: 1.0 for c in track_competencies(index)})
    assert standing.level == index.levels[-1].key
    assert standing.next_level is None and not standing.approaching
    assert standing.gaps.total_needed == 0


@given(cases(rule_types=("points",)))
def test_everything_demonstrated_earns_every_milestone(case):
    index, _ = case
    rule = index.rule
    standing = evaluate(index, {c.key: 1.0 for c in track_competencies(index)})
    # Each category earns one milestone per track level that has competencies in it.
    best = 0
    for ci in range(len(index.categories)):
        milestones = sum(1 for row in index.cells if row[ci])
        best += rule.milestone_points[min(milestones, len(rule.milestone_points) - 1)]
    assert standing.points == best
    reachable = [lv.key for lv in index.levels if rule.level_points.get(lv.key, best + 1) <= best]
    assert standing.level == (reachable[-1] if reachable else None)
    assert all(c.next_level is None and c.progress == 1.0 for c in standing.categories)


@given(cases(rule_types=("all", "threshold")))
def test_nothing_rated_gives_no_level_unless_the_lowest_level_asks_nothing(case):
    index, _ = case
    standing = evaluate(index, {})
    # A threshold is a share of weight, so competencies weighing 0 ask nothing of anyone.
    asks = [
        any(c.points is None or c.points > 0 for cell in row for c in cell)
        if index.rule.type == "threshold"
        else any(row)
        for row in index.cells
    ]
    leading_free = next((i for i, a in enumerate(asks) if a), len(asks))
    assert rank(index, standing.level) == leading_free - 1
    assert (standing.level is None) == asks[0]


@given(cases(rule_types=("points",)))
def test_nothing_rated_earns_only_the_first_milestone_points(case):
    index, _ = case
    rule = index.rule
    standing = evaluate(index, {})
    start = len(index.categories) * rule.milestone_points[0]
    assert standing.points == start
    free = [lv.key for lv in index.levels if rule.level_points.get(lv.key, start + 1) <= start]
    assert standing.level == (free[-1] if free else None)
    if start == 0 and rule.level_points.get(index.levels[0].key) == 0:
        assert standing.level is not None  # as in Snowflake, everyone starts at a level


@given(cases(rule_types=("all",)))
def test_all_rule_gaps_are_empty_exactly_when_the_level_is_reached(case):
    index, ratings = case
    current = rank(index, evaluate(index, ratings).level)
    for pos, level in enumerate(index.levels):
        gaps = gaps_to(index, ratings, level.key)
        assert (gaps.categories == ()) == (pos <= current)


@given(cases(rule_types=("all", "threshold")))
def test_needed_is_zero_exactly_when_the_target_is_reached(case):
    index, ratings = case
    standing = evaluate(index, ratings)
    current = rank(index, standing.level)
    if standing.target is not None:
        assert standing.gaps.total_needed > 0
        assert standing.gaps.summary().startswith(f"{standing.gaps.total_needed} to go for")
    for pos, level in enumerate(index.levels):
        gaps = gaps_to(index, ratings, level.key)
        assert gaps.reached == (pos <= current)
        assert (gaps.total_needed == 0) == gaps.reached
        assert gaps.total_needed == sum(c.needed for c in gaps.categories)


@given(cases(rule_types=("all", "threshold")), st.data())
def test_demonstrating_every_gap_reaches_the_target(case, data):
    index, ratings = case
    level = data.draw(st.sampled_from(index.levels)).key
    gaps = gaps_to(index, ratings, level)
    closed = {**ratings, **{i.key: 1.0 for c in gaps.categories for i in c.items}}
    assert rank(index, evaluate(index, closed).level) >= index.position(level)


@settings(deadline=None)
@given(cases(rule_types=("threshold",)), st.data())
def test_threshold_needed_is_the_true_minimum(case, data):
    index, ratings = case
    level = data.draw(st.sampled_from(index.levels)).key
    gaps = gaps_to(index, ratings, level)
    assume(gaps.categories)
    category = data.draw(st.sampled_from(gaps.categories))
    assume(len(category.items) <= 8)
    others = {i.key: 1.0 for c in gaps.categories if c is not category for i in c.items}
    keys = [i.key for i in category.items]

    def reaches(chosen: tuple[str, ...]) -> bool:
        closed = {**ratings, **others, **dict.fromkeys(chosen, 1.0)}
        return rank(index, evaluate(index, closed).level) >= index.position(level)

    assert any(reaches(chosen) for chosen in combinations(keys, category.needed))
    if category.needed:
        assert not any(reaches(chosen) for chosen in combinations(keys, category.needed - 1))


def first_asked(index: TrackIndex, ci: int) -> int:
    """Return the position of the lowest level that asks something of a category."""
    return next(li for li, row in enumerate(index.cells) if row[ci])


@given(cases(rule_types=("all", "threshold")))
def test_the_weakest_category_sets_the_level(case):
    index, ratings = case
    standing = evaluate(index, ratings)
    # A category that has not shown its first level yet holds the level just below it.
    ranks = [
        rank(index, c.level) if c.level else first_asked(index, ci) - 1
        for ci, c in enumerate(standing.categories)
    ]
    assert rank(index, standing.level) == min(ranks, default=len(index.levels) - 1)


@given(cases())
def test_a_category_has_a_level_only_once_something_in_it_is_shown(case):
    index, ratings = case
    for ci, category in enumerate(evaluate(index, ratings).categories):
        if category.level is not None:
            assert rank(index, category.level) >= first_asked(index, ci)
            first = index.cells[first_asked(index, ci)][ci]
            assert any(ratings.get(c.key, 0) >= 1 for c in first) or all(
                c.points == 0 for c in first
            )


@given(cases())
def test_the_label_names_the_level_and_the_approached_one(case):
    index, ratings = case
    standing = evaluate(index, ratings)
    assert standing.label.startswith(standing.level_name or "No level yet")
    assert standing.label.endswith(f", approaching {standing.next_level_name}") == (
        standing.approaching
    )
