"""Generated ladders of any size, for tests and benchmarks."""

from __future__ import annotations

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)


def ladder(
    competencies: int,
    *,
    levels: int = 6,
    categories: int = 5,
    key: str = "synthetic",
    rule: LevelRule | None = None,
) -> LadderSpec:
    """Build a one-track ladder with about ``competencies`` competencies spread evenly."""
    level_specs = tuple(
        LevelSpec(f"l{i + 1}", f"Level {i + 1}", f"Scope of level {i + 1}.") for i in range(levels)
    )
    category_specs = tuple(
        CategorySpec(f"cat{j + 1}", f"Category {j + 1}") for j in range(categories)
    )
    items = []
    for n in range(competencies):
        level = level_specs[n * levels // competencies]
        category = category_specs[n % categories]
        items.append(
            CompetencySpec(
                key=f"c{n + 1}",
                title=f"Competency {n + 1}: shows a concrete, observable behaviour at {level.name}",
                level=level.key,
                category=category.key,
                description="What good looks like here, in a sentence or two, and why it matters "
                "at this level of the ladder.",
                examples=("A short, realistic example of the behaviour in a team's week.",),
            )
        )
    return LadderSpec(
        key=key,
        name=f"Synthetic ladder ({competencies} competencies)",
        tracks=(TrackSpec("ic", "Individual contributor", tuple(lv.key for lv in level_specs)),),
        levels=level_specs,
        categories=category_specs,
        competencies=tuple(items),
        rule=rule or LevelRule(type="threshold", threshold=0.8, approaching=0.5),
    )
