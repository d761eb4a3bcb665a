"""Time importing generated ladder files of 1,000 and 5,000 competencies into the database."""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.extensions import db
from app.ladders import importer, synthetic
from app.ladders.formats import export_rungs
from bench.dataset import OUT

SIZES = (1_000, 5_000)


@dataclass(frozen=True)
class Timing:
    plan: float  # parse, validate and compare with what is stored, in seconds
    apply: float  # save and commit

    @property
    def total(self) -> float:
        return self.plan + self.apply


def measure(app) -> dict[int, Timing]:
    """Export each generated ladder to a file, then time importer.plan and apply on it."""
    found = {}
    for size in SIZES:
        path = OUT / f"ladder-{size}.yaml"
        path.write_text(export_rungs(synthetic.ladder(size, key=f"import{size}")))
        data = path.read_bytes()
        with app.app_context():
            start = time.perf_counter()
            plan = importer.plan(data, filename=path.name)
            planned = time.perf_counter()
            importer.apply(plan)
            db.session.commit()
            found[size] = Timing(planned - start, time.perf_counter() - planned)
    return found
