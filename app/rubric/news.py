"""What changed for a person since they last looked at their rubric: a new ladder version.

The competencies they rated whose words changed, new ones at their level and target, and
whether their level moves under the new version. Read on the page; "Got it" records it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.ladders import versions
from app.ladders.spec import CompetencySpec
from app.ladders.wording import Changed, compare
from app.levels.index import build_index
from app.levels.standing import evaluate
from app.rubric.page import RubricPage


@dataclass(frozen=True)
class LadderNews:
    seen: int  # the version the person last looked at
    latest: int
    note: str  # the newest version's changelog
    rated_changed: tuple[Changed, ...]  # reworded competencies they (or their manager) rated
    new_here: tuple[CompetencySpec, ...]  # added at their current or target level
    level_before: str
    level_now: str

    @property
    def level_moved(self) -> bool:
        return self.level_before != self.level_now


def since_last_visit(found: RubricPage) -> LadderNews | None:
    """What the newer ladder versions changed for the page's owner; None if nothing did."""
    latest = found.owned.ladder_version
    if not latest or latest < 2 or found.as_of:
        return None
    rubric = found.rubric
    seen = rubric.seen_version
    if seen is None:
        kept = versions.in_force(found.ladder, rubric.created_at)
        seen = kept.number if kept else 1
    if seen >= latest:
        return None
    old = versions.version(found.ladder, seen)
    if old is None:
        return None
    before = versions.spec_of(old.text, found.ladder.key)
    now = found.stored.spec
    comparison = compare(before, now)
    ids = found.stored.competency_ids
    rows = found.all_rows()  # a big page read only the plan's rows: the news needs them all
    rated = {
        key
        for key, cid in ids.items()
        if (row := rows.get(cid)) and (row.self_step or row.manager_step)
    }
    standing = found.standing
    levels = {standing.level, standing.next_level, standing.target} - {None}
    new_here = tuple(c for c in comparison.added if c.level in levels or not levels)
    rated_changed = tuple(c for c in comparison.changed if c.key in rated and c.reworded)
    try:
        old_index = build_index(before, found.track.key)
    except ValueError:  # the track is new in this version: nothing to compare it with
        level_before = standing.label
    else:
        level_before = evaluate(old_index, found.ratings(found.primary), found.target_key).label
    if not (rated_changed or new_here or comparison):
        return None
    newest = versions.version(found.ladder, latest)
    return LadderNews(
        seen,
        latest,
        newest.note if newest else "",
        rated_changed,
        new_here,
        level_before,
        standing.label,
    )
