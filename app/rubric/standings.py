"""Each side's kept standing of a rubric: trusted while it fits, counted again when not.

A stored standing fits while the ladder version (which changes with every import, and so
with its rule and scale) and the rubric's track are the ones it was counted for. When it
does not fit, or a click finds it disagrees with the one rating row it read, both sides are
counted again from every rating row: one more query, once.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.levels import incremental
from app.levels.incremental import Kept
from app.rubric import queries
from app.rubric.models import Rubric
from app.rubric.page import RubricPage, build
from app.rubric.queries import RatingRow, StoredStanding
from app.rubric.side import Side


def fits(page: RubricPage, stored: StoredStanding | None) -> Kept | None:
    """Return the stored standing if it was counted for this page's ladder and track."""
    if stored is None:
        return None
    if stored.ladder_version != page.ladder.version or stored.track_key != page.index.track_key:
        return None
    kept = Kept.from_json(stored.data)
    if kept.steps != incremental.steps_of(page.scale):
        return None
    if [len(row) for row in kept.cells] != [len(row) for row in page.index.cells]:
        return None
    return kept


def count(page: RubricPage, rows: dict[int, RatingRow], side: Side) -> Kept:
    """Count one side's standing from every rating row."""
    keys = page.stored.competency_keys
    steps = {keys[cid]: row.step(side) for cid, row in rows.items() if cid in keys}
    return incremental.full(page.index, page.scale, steps)


def attach(page: RubricPage, stored: dict[Side, StoredStanding]) -> None:
    """Give a click's page both sides' standings, counting them again if they do not fit."""
    kept = {side: fits(page, stored.get(side)) for side in Side}
    if any(k is None for k in kept.values()):
        recount(page)
    else:
        page.kept = kept


def trust(page: RubricPage, stored: dict[Side, StoredStanding]) -> bool:
    """Give a page both kept standings if they fit, else let it count them from its rows.

    Evaluating a kept standing skips counting hundreds of rows, and a click's "after" is
    what the next page load evaluates again (remembered on the track index). Tell whether
    they fit.
    """
    kept = {side: fits(page, stored.get(side)) for side in Side}
    if any(k is None for k in kept.values()):
        return False
    page.kept = kept
    return True


def recount(page: RubricPage) -> None:
    """Count both sides again from every rating row; the click's save writes them."""
    rows = queries.ratings(page.rubric.id)
    page.kept = {side: count(page, rows, side) for side in Side}
    page.kept_changed.update(Side)


def changed(page: RubricPage) -> dict[Side, StoredStanding]:
    """Return the sides whose standing changed, as stored, and forget they did."""
    version, track = page.ladder.version, page.index.track_key
    found = {
        side: StoredStanding(version, track, page.kept[side].to_json())
        for side in sorted(page.kept_changed)
    }
    page.kept_changed.clear()
    return found


def save(page: RubricPage, seen: queries.Seen | None = None) -> None:
    """Write the sides whose standing changed, in the caller's transaction.

    ``seen``: what a click read without the writers' turn (see
    :func:`queries.save_standings`).
    """
    found = changed(page)
    if found:
        queries.save_standings(page.rubric.id, found, seen)


def recompute(rubric_id: int | None = None) -> int:
    """Count and store the standings of one rubric, or of all; return how many rubrics."""
    query = select(Rubric.id).order_by(Rubric.id)
    if rubric_id is not None:
        query = query.where(Rubric.id == rubric_id)
    done = 0
    for rid in db.session.scalars(query).all():
        owned = queries.load(rid, for_update=True)
        found = build(owned, None, {})
        recount(found)
        save(found)
        db.session.commit()
        done += 1
    return done
