"""Changing a rubric: a rating, the focus, the track and target. Each records its event.

The view loads the rubric (locked; a rating click on SQLite reads first and writes in
turn, see :func:`queries.load_click`), calls one function here, and renders the read model
it gets back: the database write, the history and the standing stay in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import utcnow
from app.extensions import db
from app.history.events import Kind, event_row, record
from app.levels import incremental
from app.levels.standing import Standing
from app.rubric import queries, standings
from app.rubric.models import Rating
from app.rubric.page import FOCUS_LIMIT, RubricPage, build


@dataclass(frozen=True)
class RatingChange:
    """What one rating click did: the step before and after, and the standing around it."""

    before_step: str | None
    step: str
    # Each category's level before, only when the click crossed "demonstrated" (set_rating)
    levels_before: tuple[str | None, ...] | None
    after: Standing

    @property
    def levels_moved(self) -> bool:
        """Tell whether any category's level moved: the radar needs redrawing then."""
        return self.levels_before is not None and (self.levels_before != self.after.category_levels)


def set_rating(
    page: RubricPage,
    competency_id: int,
    step: str,
    actor_id: int,
    *,
    compare: bool = True,
    seen: queries.Seen | None = None,
) -> RatingChange:
    """Set the page side's rating of one competency and record it in the history.

    Levels count only demonstrated competencies: unless the click crosses that line no
    level can move, so the levels before the change are worked out only when it does
    (and ``compare`` asks for it). ``seen``: the page was read without the writers' turn,
    and this is what its write compares (:func:`queries.write_click`); the write raises
    :class:`queries.Overtaken` if another click changed it since.
    """
    side = page.primary
    old = page.row(competency_id)
    before_step = old.step(side)
    crossed = page.scale.may_move_levels(before_step, step)
    before = page.category_levels() if crossed and compare else None
    if step != before_step:
        if seen is not None and page.stored.competency_keys[competency_id] not in page.index.places:
            # Off the track, a rating changes no standing, so the compare would not see
            # another click on it come in between: take the writers' turn to read it.
            raise queries.Overtaken
        now = utcnow()
        keep_standing(page, competency_id, before_step, step)
        event = event_row(
            page.rubric.id,
            actor_id,
            Kind.rating(side),
            competency_id=competency_id,
            before={"step": before_step},
            after={"step": step},
        )
        queries.write_click(
            page.rubric.id,
            competency_id,
            side,
            step,
            actor_id,
            now,
            event,
            standings.changed(page),
            seen,
        )
        db.session.commit()
        page.set_row(competency_id, old.with_step(side, step, actor_id, now))
    elif page.kept_changed:
        standings.save(page, seen)  # counted again though nothing changed: keep the count
        db.session.commit()
    return RatingChange(before_step, step, before, page.standing)


def keep_standing(page: RubricPage, competency_id: int, before: str | None, step: str) -> None:
    """Change the side's kept standing by this one rating, in the click's transaction.

    A page without kept standings (or one whose count disagrees with the row just read:
    something wrote ratings behind its back) counts both sides again first.
    """
    key = page.stored.competency_keys[competency_id]
    if page.kept is None:
        standings.recount(page)
    if not incremental.apply(page.kept[page.primary], page.index, key, before, step):
        standings.recount(page)
        incremental.apply(page.kept[page.primary], page.index, key, before, step)
    page.kept_changed.add(page.primary)


def set_focus(page: RubricPage, competency_id: int, wanted: bool, actor_id: int) -> str | None:
    """Mark or unmark a competency as one the person works on now; say why not if refused."""
    old = page.row(competency_id)
    if wanted and not old.focus and len(page.focused()) >= FOCUS_LIMIT:
        return (
            f"You already focus on {FOCUS_LIMIT} competencies. "
            "Finish or unmark one first: a short plan is easier to keep."
        )
    if wanted != old.focus:
        queries.upsert_rating(page.rubric.id, competency_id, focus=wanted)
        record(
            page.rubric.id,
            actor_id,
            Kind.FOCUS,
            competency_id=competency_id,
            before={"focus": old.focus},
            after={"focus": wanted},
        )
        db.session.commit()
        page.set_row(competency_id, old._replace(focus=wanted))
    return None


def set_track(owned: queries.OwnedRubric, track: str, target: str | None, actor_id: int) -> bool:
    """Choose the rubric's track and target level; tell whether anything changed."""
    rubric = owned.rubric
    before = {"track": rubric.track_key, "target": rubric.target_key}
    after = {"track": track, "target": target}
    if before == after:
        return False
    rubric.track_key, rubric.target_key = track, target
    record(rubric.id, actor_id, Kind.SETTINGS, before=before, after=after)
    # Another track has other cells: count the standings for it now, in this transaction.
    found = build(owned, None, {})
    standings.recount(found)
    standings.save(found)
    db.session.commit()
    return True


def confirm_rating(page: RubricPage, competency_id: int, actor_id: int) -> bool:
    """Keep the page side's rating after a rewording: it fits the new words too.

    The rating's time moves to now, which is what clears the "wording changed" mark.
    """
    side = page.primary
    old = page.row(competency_id)
    step = old.step(side)
    if step is None:
        return False
    now = utcnow()
    _, by_column, at_column = Rating.side_columns(side)
    queries.upsert_rating(
        page.rubric.id, competency_id, **{by_column.key: actor_id, at_column.key: now}
    )
    record(
        page.rubric.id,
        actor_id,
        Kind.RATING_CONFIRMED,
        competency_id=competency_id,
        after={"side": side.value, "step": step},
    )
    db.session.commit()
    page.set_row(competency_id, old.with_step(side, step, actor_id, now))
    return True
