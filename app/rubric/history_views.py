"""A rubric's timeline, and the rubric as it stood on a past date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.ladders import store
from app.oneonone.models import Meeting
from app.rubric import history, page
from app.rubric.models import Event
from app.rubric.views import loaded_or_404
from app.web import id_value, parse_day

bp = Blueprint("history", __name__)

PAGE = 200  # events per page of the timeline


@bp.get("/rubrics/<int:rubric_id>/history")
@login_required
def timeline(rubric_id: int):
    """List every change to a rubric, newest first, filtered by person, category and kind."""
    loaded = loaded_or_404(rubric_id)
    stored = store.stored(loaded.ladder)
    args = request.args
    person = id_value(args.get("person"))
    kind = args.get("kind") if args.get("kind") in history.KINDS else None
    category = args.get("category") or None
    since_text = args.get("since", "")
    since, after_id, since_label = None, None, ""
    if since_text == "last-1on1":
        last = db.session.scalars(
            select(Meeting)
            .where(Meeting.rubric_id == rubric_id, Meeting.ended_at.is_not(None))
            .order_by(Meeting.ended_at.desc())
        ).first()
        if last is not None:
            after_id = last.last_event_id
            since_label = f"since the 1:1 of {last.started_at:%-d %b %Y}"
    elif (day := parse_day(since_text)) is not None:
        since = datetime.combine(day, time.min)
        since_label = f"since {day:%-d %b %Y}"
    elif since_text:
        flash("Give the date as YYYY-MM-DD (1970 to 2100), or “last-1on1”.", "error")
    in_category = None
    if category:
        in_category = [
            stored.competency_ids[c.key] for c in stored.spec.competencies if c.category == category
        ]
    before = id_value(args.get("before"))
    events = history.load(
        rubric_id,
        viewer_id=current_user.id,
        person=person,
        kind=kind,
        since=since,
        after_id=after_id,
        competency_ids=in_category,
        before_id=before,
        limit=PAGE + 1,  # one more tells whether there is an older page
    )
    older = events[PAGE].id + 1 if len(events) > PAGE else None
    entries = history.describe(events[:PAGE], stored, loaded.owner_id)
    people = [(loaded.owner_id, loaded.owner_name)]
    if loaded.owner_manager_id:
        people.append((loaded.owner_manager_id, loaded.manager_name or "Manager"))
    return render_template(
        "rubric/history.html",
        loaded=loaded,
        entries=entries,
        spec=stored.spec,
        people=people,
        kinds=history.KINDS,
        chosen=dict(person=person, kind=kind, category=category, since=since_text),
        since_label=since_label,
        older=older,
    )


def as_of(loaded, day: date):
    """Rebuild the rubric as it stood at the end of a day, read-only."""
    end = datetime.combine(day + timedelta(days=1), time.min)
    events = db.session.scalars(
        select(Event)
        .where(Event.rubric_id == loaded.rubric.id, Event.created_at < end)
        .order_by(Event.id)
    ).all()
    rows, settings = history.replay(list(events))
    if not settings:
        later = db.session.scalars(
            select(Event)
            .where(
                Event.rubric_id == loaded.rubric.id,
                Event.kind == "settings",
                Event.created_at >= end,
            )
            .order_by(Event.id)
        ).first()
        settings = later.before if later is not None else {}
    last_id = events[-1].id if events else 0
    # The track and target of that day, if they changed since.
    return page.build(
        loaded,
        None,
        rows,
        since=last_id,
        track_key=settings.get("track"),
        target_key=settings.get("target"),
    )


@bp.get("/rubrics/<int:rubric_id>/as-of")
@login_required
def past(rubric_id: int):
    """Show the rubric as it was on a past date, with the level computed as of then."""
    loaded = loaded_or_404(rubric_id)
    day = parse_day(request.args.get("date"))
    if day is None:
        abort(400)
    view = as_of(loaded, day)
    view.side, view.as_of = None, day
    return render_template("rubric/page.html", view=view, only=request.args.get("only"))
