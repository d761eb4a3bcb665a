"""The points rule reproduces Medium Snowflake's points-to-level table.

Values from Medium/snowflake src/constants.js: ``milestoneToPoints`` and ``pointsToLevels``.
"""

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
from app.levels.standing import evaluate

MILESTONE_POINTS = (0, 1, 3, 6, 12, 20)
POINTS_TO_LEVELS = {
    0: "1.1",
    5: "1.2",
    11: "1.3",
    17: "2.1",
    23: "2.2",
    29: "2.3",
    36: "3.1",
    43: "3.2",
    50: "3.3",
    58: "4.1",
    66: "4.2",
    74: "4.3",
    90: "5.1",
    110: "5.2",
    135: "5.3",
}
TRACK_NAMES = (
    "Mobile",
    "Web client",
    "Foundations",
    "Servers",
    "Project management",
    "Communication",
    "Craft",
    "Initiative",
    "Career development",
    "Org design",
    "Wellbeing",
    "Accomplishment",
    "Mentorship",
    "Evangelism",
    "Recruiting",
    "Community",
)


def slug(name: str) -> str:
    """Make a category key from a Snowflake track name."""
    return name.lower().replace(" ", "-")


def snowflake() -> LadderSpec:
    """Build a ladder shaped like Snowflake: 16 categories of 5 milestones each."""
    levels = tuple(LevelSpec(key, f"Level {key}") for key in POINTS_TO_LEVELS.values())
    categories = tuple(CategorySpec(slug(name), name) for name in TRACK_NAMES)
    # Milestone m of every category sits at level "m.1"; the other levels are empty.
    competencies = tuple(
        CompetencySpec(f"{c.key}-{m}", f"{c.name} milestone {m}", f"{m}.1", c.key)
        for c in categories
        for m in range(1, 6)
    )
    rule = LevelRule(
        "points",
        milestone_points=MILESTONE_POINTS,
        level_points={key: points for points, key in POINTS_TO_LEVELS.items()},
    )
    track = TrackSpec("engineering", "Engineering", tuple(level.key for level in levels))
    return LadderSpec(
        "snowflake", "Snowflake", (track,), levels, categories, competencies, rule=rule
    )


INDEX = build_index(snowflake(), "engineering")


def test_the_ladder_has_snowflakes_shape():
    assert len(INDEX.categories) == 16
    assert len(INDEX.levels) == 15
    assert all(sum(len(row[ci]) for row in INDEX.cells) == 5 for ci in range(16))


def ratings_for(milestones: list[int]) -> dict[str, float]:
    """Demonstrate the first ``milestones[i]`` milestones of the i-th category."""
    return {
        f"{slug(name)}-{m}": 1.0
        for name, top in zip(TRACK_NAMES, milestones, strict=False)
        for m in range(1, top + 1)
    }


def milestones_summing_to(total: int) -> list[int]:
    """Pick per-category milestones whose Snowflake points add up to ``total``."""
    result = []
    for _ in TRACK_NAMES:
        best = max(m for m, p in enumerate(MILESTONE_POINTS) if p <= total)
        result.append(best)
        total -= MILESTONE_POINTS[best]
    assert total == 0, "the test helper could not hit the total"
    return result


@pytest.mark.parametrize(("threshold", "level"), POINTS_TO_LEVELS.items())
def test_exactly_the_threshold_gives_the_level(threshold, level):
    standing = evaluate(INDEX, ratings_for(milestones_summing_to(threshold)))
    assert standing.points == threshold
    assert standing.level == level


STEPS = list(POINTS_TO_LEVELS.items())


@pytest.mark.parametrize(("below", "step"), list(zip(STEPS, STEPS[1:], strict=False)))
def test_one_point_short_gives_the_previous_level(below, step):
    threshold, level = step
    standing = evaluate(INDEX, ratings_for(milestones_summing_to(threshold - 1)))
    assert standing.points == threshold - 1
    assert standing.level == below[1]
    assert standing.next_level == level
    assert standing.points_to_next == 1


def test_nothing_demonstrated_is_level_one_one():
    standing = evaluate(INDEX, {})
    assert (standing.level, standing.points, standing.points_to_next) == ("1.1", 0, 5)
    assert standing.label == "Level 1.1"


def test_every_milestone_gives_320_points_and_the_top_level():
    standing = evaluate(INDEX, ratings_for([5] * 16))
    assert (standing.level, standing.points, standing.next_level) == ("5.3", 320, None)
    assert all(c.level == "5.1" for c in standing.categories)


def test_milestones_are_cumulative_within_a_category():
    skipped = {"mobile-1": 1.0, "mobile-3": 1.0, "mobile-4": 1.0}
    standing = evaluate(INDEX, skipped)
    assert standing.points == 1
    mobile = standing.categories[0]
    assert (mobile.level, mobile.next_level) == ("1.1", "2.1")
    assert standing.gaps.categories[0].items[0].key == "mobile-2"


def test_a_partly_met_milestone_earns_nothing_yet():
    standing = evaluate(INDEX, {**ratings_for([4]), "mobile-5": 0.5})
    assert standing.points == 12
    assert standing.categories[0].progress == 0.5
