"""Ratings given before a competency's words changed: marked until confirmed; raters told.

Ratings follow competency keys, so a new ladder version keeps them. But a rating given to
old words may not fit the new ones: the rubric marks it "wording changed since you rated
it" until that side confirms it (or rates again), and publishing tells each rater.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select

from app.auth.models import User
from app.extensions import db
from app.ladders import store
from app.ladders.models import Ladder
from app.ladders.wording import Comparison
from app.notifications import notify
from app.rubric.models import Rating, Rubric


def tell_raters(ladder: Ladder, comparison: Comparison) -> int:
    """Notify each person whose rated competencies were reworded; return how many."""
    ids = store.stored(ladder).competency_ids
    titles = {ids[c.key]: c.title for c in comparison.changed if c.reworded and c.key in ids}
    if not titles:
        return 0
    rated: dict[tuple[int, int], list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(Rubric.id, Rubric.user_id, Rating.competency_id)
        .join(Rating, Rating.rubric_id == Rubric.id)
        .where(
            Rubric.ladder_id == ladder.id,
            Rating.competency_id.in_(titles),
            or_(Rating.self_step.is_not(None), Rating.manager_step.is_not(None)),
        )
        .order_by(Rubric.id, Rating.competency_id)
    )
    for rubric_id, user_id, competency_id in rows:
        rated[(rubric_id, user_id)].append(titles[competency_id])
    for (rubric_id, user_id), changed in rated.items():
        person = db.session.get(User, user_id)
        notify.ladder_changed(
            person,
            ladder=ladder.name,
            competencies=changed,
            link=f"/rubrics/{rubric_id}#what-changed",
        )
    return len(rated)
