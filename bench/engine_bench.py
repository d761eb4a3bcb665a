"""Time the level engine on generated ladders of 100, 1,000 and 5,000 competencies.

Run from the repository root: ``.venv/bin/python -m bench.engine_bench``. The engine is
meant to be linear, so 5,000 competencies should cost at most 6x what 1,000 cost.
"""

from __future__ import annotations

import random
import sys
import timeit

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)
from app.rubric.engine import build_index, evaluate

SIZES = (100, 1_000, 5_000)
LIMIT = 6.0
RULES = {
    "all": LevelRule("all", approaching=0.5),
    "threshold": LevelRule("threshold", threshold=0.75, approaching=0.5),
    "points": LevelRule(
        "points",
        milestone_points=(0, 1, 3, 6, 12, 20),
        level_points={"l0": 0, "l1": 10, "l2": 30, "l3": 60, "l4": 100, "l5": 140},
    ),
}


def ladder(size: int, rule: LevelRule) -> LadderSpec:
    """Generate a one-track ladder of ``size`` competencies over 6 levels and 8 categories."""
    levels = tuple(LevelSpec(f"l{i}", f"Level {i}") for i in range(6))
    categories = tuple(CategorySpec(f"c{i}", f"Category {i}") for i in range(8))
    competencies = tuple(
        CompetencySpec(
            f"k{n}",
            f"Competency {n}",
            levels[n * len(levels) // size].key,  # levels stay in order, sizes even
            categories[n % len(categories)].key,
            points=(n % 3) + 1,
        )
        for n in range(size)
    )
    track = TrackSpec("main", "Main", tuple(level.key for level in levels))
    return LadderSpec("bench", "Bench", (track,), levels, categories, competencies, rule=rule)


def ratings(spec: LadderSpec, seed: int = 7) -> dict[str, float]:
    """Rate the lower levels mostly demonstrated and the upper ones sparsely."""
    rng = random.Random(seed)
    result = {}
    for competency in spec.competencies:
        level = int(competency.level[1:])
        result[competency.key] = rng.choice((1.0, 1.0, 1.0, 0.5) if level < 3 else (0.0, 0.5, 1.0))
    return result


def per_call(func, repeat: int = 5) -> float:
    """Return the best time of one call, in seconds."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main() -> int:
    """Print time per call for each rule and size, and the 5,000/1,000 ratio."""
    worst = 0.0
    for name, rule in RULES.items():
        times = {}
        for size in SIZES:
            spec = ladder(size, rule)
            rated = ratings(spec)
            index = build_index(spec, "main")
            build = per_call(lambda spec=spec: build_index(spec, "main"))
            times[size] = per_call(lambda index=index, rated=rated: evaluate(index, rated))
            print(
                f"{name:>9} {size:>6,} competencies: evaluate {times[size] * 1e3:8.3f} ms,"
                f" build_index {build * 1e3:8.3f} ms"
            )
        ratio = times[5_000] / times[1_000]
        worst = max(worst, ratio)
        print(f"{name:>9} 5,000/1,000 ratio: {ratio:.2f} (limit {LIMIT:g})")
    print("OK: linear" if worst <= LIMIT else "TOO SLOW: not linear")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
