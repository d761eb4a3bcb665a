"""A standing kept click by click equals one recomputed from every rating (hypothesis)."""

from __future__ import annotations

import dataclasses
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ladders import synthetic
from app.ladders.spec import (
    DEFAULT_SCALE,
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    Scale,
    ScaleStep,
    TrackSpec,
)
from app.levels import incremental, standing
from app.levels.index import build_index

LEVELS = ("s0", "s1", "a0", "b0")
TRACKS = (TrackSpec("a", "Track A", ("s0", "s1", "a0")), TrackSpec("b", "Track B", ("s0", "b0")))
# Halves and quarters add up exactly in any order, as whole points do: the two ways of
# counting then agree to the last bit, not only within the rules' epsilon.
POINTS = st.sampled_from([None, None, 0, 1, 2, 3, 0.5, 1.25])
SCALES = st.sampled_from(
    [
        DEFAULT_SCALE,
        # "No opportunity yet" takes a competency out of its cell's count.
        Scale(DEFAULT_SCALE, no_opportunity=True),
        Scale((ScaleStep("no", "No", 0.0), ScaleStep("yes", "Yes", 1.0))),
        Scale(
            (
                ScaleStep("n", "Never", 0.0),
                ScaleStep("q", "Rarely", 0.25),
                ScaleStep("h", "Often", 0.75),
                ScaleStep("y", "Always", 1.0),
                ScaleStep("x", "Beyond", 1.0),
            )
        ),
    ]
)


@st.composite
def rules(draw, rule_type: str) -> LevelRule:
    approaching = draw(st.none() | st.sampled_from([0.0, 0.5, 0.75, 1.0]))
    if rule_type == "threshold":
        threshold = draw(st.sampled_from([0.5, 2 / 3, 0.75, 1.0, 0.3]))
        return LevelRule("threshold", threshold=threshold, approaching=approaching)
    if rule_type == "points":
        table = tuple(sorted(draw(st.lists(st.integers(0, 9), min_size=1, max_size=4))))
        level_points = {key: draw(st.integers(0, 20)) for key in LEVELS if draw(st.booleans())}
        return LevelRule(
            "points",
            approaching=approaching,
            milestone_points=table,
            level_points=level_points or {"s0": 1},
        )
    return LevelRule("all", approaching=approaching)


@st.composite
def ladders(draw, rule_type: str) -> LadderSpec:
    categories = tuple(
        CategorySpec(f"k{i}", f"Category {i}") for i in range(draw(st.integers(1, 3)))
    )
    competencies = []
    for level in LEVELS:
        for category in categories:
            for n in range(draw(st.integers(0, 3))):
                key = f"{level}-{category.key}-{n}"
                competencies.append(
                    CompetencySpec(key, key, level, category.key, points=draw(POINTS))
                )
    return LadderSpec(
        "drawn",
        "Drawn",
        TRACKS,
        tuple(LevelSpec(key, key.upper()) for key in LEVELS),
        categories,
        tuple(competencies),
        rule=draw(rules(rule_type)),
        scale=(scale := draw(SCALES)),
        no_opportunity=scale.no_opportunity,
    )


def edited(spec: LadderSpec, draw) -> LadderSpec:
    """A new version of a ladder: a competency gone, moved or reweighed, or a new rule."""
    kind = draw(st.sampled_from(["drop", "move", "points", "rule", "add"]))
    comps = list(spec.competencies)
    if kind == "rule":
        return dataclasses.replace(spec, rule=draw(rules(draw(st.sampled_from(RULES)))))
    if kind == "add" or not comps:
        # Keys are unique in a ladder (the validator refuses twins): count past the taken.
        taken = {c.key for c in comps}
        key = next(f"new-{n}" for n in range(len(comps) + 2) if f"new-{n}" not in taken)
        level = draw(st.sampled_from(LEVELS))
        comps.append(CompetencySpec(key, key, level, spec.categories[0].key, points=draw(POINTS)))
        return dataclasses.replace(spec, competencies=tuple(comps))
    n = draw(st.integers(0, len(comps) - 1))
    if kind == "drop":
        del comps[n]
    elif kind == "move":
        comps[n] = dataclasses.replace(comps[n], level=draw(st.sampled_from(LEVELS)))
    else:
        comps[n] = dataclasses.replace(comps[n], points=draw(POINTS))
    return dataclasses.replace(spec, competencies=tuple(comps))


RULES = ("all", "threshold", "points")


def values(scale: Scale, steps: dict[str, str | None]) -> dict[str, float]:
    return {key: scale.value(step) for key, step in steps.items() if step is not None}


def assert_same(spec: LadderSpec, track: str, kept: incremental.Kept, steps, target) -> None:
    """The kept standing is the recomputed one, and evaluates to what the engine says."""
    index = build_index(spec, track)
    assert kept == incremental.full(index, spec.scale, steps)
    expected = standing.evaluate(index, values(spec.scale, steps), target)
    found = incremental.evaluate(index, spec.scale, kept, target)
    assert found == expected
    # What a click compares before its change: the same levels, without the standing.
    assert incremental.category_levels(index, spec.scale, kept) == expected.category_levels
    for mine, theirs in zip(found.gaps.categories, expected.gaps.categories, strict=True):
        assert tuple(mine.items) == theirs.items
        assert len(mine.items) == len(theirs.items)
        assert tuple(mine.items[:3]) == theirs.items[:3]


@pytest.mark.parametrize("rule_type", RULES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_kept_standing_equals_full_recomputation(rule_type, data):
    draw = data.draw
    spec = draw(ladders(rule_type))
    track = draw(st.sampled_from(["a", "b"]))
    target = draw(st.none() | st.sampled_from(LEVELS))
    steps: dict[str, str | None] = {}
    kept = incremental.full(build_index(spec, track), spec.scale, steps)
    for _ in range(draw(st.integers(1, 40))):
        action = draw(st.sampled_from(["rate"] * 6 + ["edit", "track"]))
        if action == "rate":
            keys = [c.key for c in spec.competencies] + ["not-in-the-ladder"]
            key = draw(st.sampled_from(keys))
            new = draw(st.none() | st.sampled_from([s.key for s in spec.scale.choices]))
            agreed = incremental.apply(kept, build_index(spec, track), key, steps.get(key), new)
            assert agreed
            steps[key] = new
        else:
            # A new ladder version or another track: the caller recomputes from scratch.
            if action == "edit":
                spec = edited(spec, draw)
                # A rating's step must still be on the scale: a new scale would recompute too.
            else:
                track = "b" if track == "a" else "a"
            kept = incremental.full(build_index(spec, track), spec.scale, steps)
        assert_same(spec, track, kept, steps, target)


def test_a_stale_standing_is_refused_and_left_alone():
    spec = synthetic.ladder(30)
    index = build_index(spec, "ic")
    kept = incremental.full(index, spec.scale, {"c1": "consistently"})
    before = incremental.Kept.from_json(kept.to_json())
    # The caller believes c1 was unrated: the standing says otherwise, so it is recomputed.
    assert not incremental.apply(kept, index, "c1", None, "sometimes")
    assert kept == before


def test_stored_form_round_trips():
    spec = synthetic.ladder(60)
    index = build_index(spec, "ic")
    kept = incremental.full(index, spec.scale, {"c1": "sometimes", "c7": "consistently"})
    assert incremental.Kept.from_json(kept.to_json()) == kept


def test_remembered_standings_stay_true_as_the_kept_one_changes():
    spec = synthetic.ladder(60)
    index = build_index(spec, "ic")
    keys = [c.key for c in spec.competencies]
    steps: dict[str, str | None] = {}
    kept = incremental.full(index, spec.scale, steps)
    seen = []
    for n, key in enumerate(keys[:20] + keys[:5]):
        new = "consistently" if n < 20 else "sometimes"
        assert incremental.apply(kept, index, key, steps.get(key), new)
        steps[key] = new
        found = incremental.evaluate(index, spec.scale, kept, "l3")
        seen.append((dict(steps), found))
    # Asked again, each remembered standing, its gaps' items too, is still the engine's own.
    for steps_then, found in seen:
        expected = standing.evaluate(index, values(spec.scale, steps_then), "l3")
        assert found == expected
        for mine, theirs in zip(found.gaps.categories, expected.gaps.categories, strict=True):
            assert tuple(mine.items) == theirs.items
    again = incremental.full(index, spec.scale, seen[3][0])
    assert incremental.evaluate(index, spec.scale, again, "l3") is seen[3][1]


class LineCounter:
    """Count the lines the level engine runs: work that does not depend on the machine."""

    def __init__(self):
        self.lines = 0

    def __call__(self, frame, event, arg):
        if "app/levels/" not in frame.f_code.co_filename:
            return None
        if event == "line":
            self.lines += 1
        return self

    def __enter__(self):
        sys.settrace(self)
        return self

    def __exit__(self, *exc):
        sys.settrace(None)


def one_click_work(size: int) -> int:
    """Count the engine's lines for one click on a rubric of ``size``, half of it rated.

    A click compares each category's level before and after one rating changed, works out
    both sides' standings and lists the few gaps the response shows, as the rating view does.
    """
    spec = synthetic.ladder(size)
    index = build_index(spec, "ic")
    keys = [c.key for c in spec.competencies]
    mine = {key: "consistently" for key in keys[: size // 2]}
    theirs = {key: "sometimes" for key in keys[::3]}
    kept, other = (incremental.full(index, spec.scale, s) for s in (mine, theirs))

    def click(key: str) -> None:
        before = incremental.category_levels(index, spec.scale, kept)
        incremental.apply(kept, index, key, None, "consistently")
        after = incremental.evaluate(index, spec.scale, kept)
        incremental.evaluate(index, spec.scale, other)
        assert before is not None and after.category_levels is not None
        for category in after.gaps.categories:
            len(category.items)
            tuple(category.items[:4])

    click(keys[size // 2])  # the first click lays the track out, once per ladder version
    with LineCounter() as counter:
        click(keys[size // 2 + 1])
    return counter.lines


def test_a_click_costs_the_same_engine_work_at_5000_as_at_100_competencies():
    small, big = one_click_work(100), one_click_work(5_000)
    assert big <= 1.3 * small, (small, big)
