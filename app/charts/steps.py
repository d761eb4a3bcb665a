"""The levels-over-time chart of a rubric, replayed from its rating events."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.charts import progress, svg
from app.clock import utcnow
from app.extensions import db
from app.rubric.models import Event


def steps_chart(view) -> dict:
    """Replay the person's own ratings and draw their levels over time."""
    events = db.session.scalars(
        select(Event)
        .where(Event.rubric_id == view.rubric.id, Event.kind.startswith("rating."))
        .order_by(Event.id)
    ).all()
    past = progress.history(view.stored, view.index, list(events), "self")
    today = utcnow().date()
    # At least a week wide, so a first day of ratings still draws a visible line.
    start = min(past.days[0] if past.days else today, today - timedelta(days=7))
    names = [lv.name for lv in view.index.levels]
    chart = svg.steps(
        [past.overall, *past.categories],
        start,
        today,
        len(names),
        names,
        title="Levels over time",
        description=f"{view.owner_name}'s own ratings: overall level and each "
        f"category's level on each day a level changed.",
    )
    return dict(steps=chart, history=past, names=["None", *names])
