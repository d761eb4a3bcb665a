"""Time the level engine on generated ladders of 100, 1,000 and 5,000 competencies.

Run from the repository root: ``.venv/bin/python -m bench.engine_bench``. The engine is
meant to be linear, so 5,000 competencies should cost at most 6x what 1,000 cost.
"""

from __future__ import annotations

import random
import sys
import timeit
from functools import partial

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


def interleaved(funcs: dict[int, object], repeat: int, batch: float = 0.05) -> dict[int, float]:
    """Best time of one call of each function, sizes taking turns round by round.

    Taking turns spreads every size over the same stretch of time, so a burst of other
    work on the machine cannot land on one size only and skew the ratio between them.
    """
    timers = {size: timeit.Timer(func) for size, func in funcs.items()}
    numbers = {size: max(1, round(batch / timer.timeit(1))) for size, timer in timers.items()}
    best = dict.fromkeys(funcs, float("inf"))
    for _ in range(repeat):
        for size, timer in timers.items():
            best[size] = min(best[size], timer.timeit(numbers[size]) / numbers[size])
    return best


def measure(repeat: int = 9) -> dict[str, dict[int, tuple[float, float]]]:
    """Return {rule: {size: (evaluate seconds, build_index seconds)}}, best of ``repeat``."""
    found: dict[str, dict[int, tuple[float, float]]] = {}
    for name, rule in RULES.items():
        specs = {size: ladder(size, rule) for size in SIZES}
        rated = {size: ratings(spec) for size, spec in specs.items()}
        indexes = {size: build_index(spec, "main") for size, spec in specs.items()}
        runs = interleaved({s: partial(evaluate, indexes[s], rated[s]) for s in SIZES}, repeat)
        builds = interleaved({s: partial(build_index, specs[s], "main") for s in SIZES}, repeat)
        found[name] = {size: (runs[size], builds[size]) for size in SIZES}
    return found


def main() -> int:
    """Print time per call for each rule and size, and the 5,000/1,000 ratio."""
    worst = 0.0
    for name, times in measure().items():
        for size, (run, build) in times.items():
            print(
                f"{name:>9} {size:>6,} competencies: evaluate {run * 1e3:8.3f} ms,"
                f" build_index {build * 1e3:8.3f} ms"
            )
        ratio = times[5_000][0] / times[1_000][0]
        worst = max(worst, ratio)
        print(f"{name:>9} 5,000/1,000 ratio: {ratio:.2f} (limit {LIMIT:g})")
    print("OK: linear" if worst <= LIMIT else "TOO SLOW: not linear")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
