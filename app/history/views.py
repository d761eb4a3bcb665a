"""A rubric's timeline, the rubric as it stood on a past date, and its levels over time."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_login import current_user, login_required

from app.access import rubric_or_404
from app.account.views import viewer_zone
from app.history import past
from app.history import timeline as events
from app.history.events import GROUPS
from app.history.steps import levels_over_time
from app.ladders import store
from app.oneonone.queries import last_ended
from app.rubric.filters import Filter
from app.rubric.render import TEMPLATE as RUBRIC_TEMPLATE
from app.rubric.render import context
from app.web import fragment, id_value, is_htmx, parse_day

bp = Blueprint("history", __name__)

PAGE = 200  # events per page of the timeline


@bp.get("/rubrics/<int:rubric_id>/history")
@login_required
def timeline(rubric_id: int):
    """List every change to a rubric, newest first, filtered by person, category and kind."""
    owned = rubric_or_404(rubric_id)
    stored = store.stored(owned.ladder)
    args = request.args
    person = id_value(args.get("person"))
    kind = args.get("kind") if args.get("kind") in GROUPS else None
    category = args.get("category") or None
    since_text = args.get("since", "")
    since, after_id, since_label = None, None, ""
    if since_text == "last-1on1":
        last = last_ended(rubric_id)
        if last is not None:
            after_id = last.last_event_id
            since_label = f"since the 1:1 of {last.started_at:%-d %b %Y}"
    elif (day := parse_day(since_text)) is not None:
        # The day as the viewer lives it, in the stored UTC.
        start = datetime.combine(day, time.min, tzinfo=viewer_zone())
        since = start.astimezone(UTC).replace(tzinfo=None)
        since_label = f"since {day:%-d %b %Y}"
    elif since_text:
        flash("Give the date as YYYY-MM-DD (1970 to 2100), or “last-1on1”.", "error")
    in_category = None
    if category:
        in_category = [
            stored.competency_ids[c.key] for c in stored.spec.competencies if c.category == category
        ]
    before = id_value(args.get("before"))
    found = events.load(
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
    older = found[PAGE].id + 1 if len(found) > PAGE else None
    return render_template(
        "history/timeline.html",
        owned=owned,
        entries=events.describe(found[:PAGE], stored),
        spec=stored.spec,
        people=owned.people(),
        kinds=GROUPS,
        chosen=dict(person=person, kind=kind, category=category, since=since_text),
        since_label=since_label,
        older=older,
    )


@bp.get("/rubrics/<int:rubric_id>/as-of")
@login_required
def as_of(rubric_id: int):
    """Show the rubric as it was on a past date, with the level computed as of then."""
    owned = rubric_or_404(rubric_id)
    day = parse_day(request.args.get("date"))
    if day is None:
        abort(400)
    then = past.as_of(owned, day)
    # A past day is read-only: its address may name a filter, but none is remembered for it.
    only = Filter.from_args(request.args)
    return render_template(RUBRIC_TEMPLATE, **context(then, only=only))


@bp.get("/rubrics/<int:rubric_id>/charts")
@login_required
def chart(rubric_id: int):
    """Show the levels-over-time chart (htmx swaps it in place when levels move)."""
    owned = rubric_or_404(rubric_id)
    stored = store.stored(owned.ladder)
    index = stored.index(owned.rubric.track_key)
    steps = levels_over_time(rubric_id, stored, index, owned.owner_name)
    if is_htmx():
        return fragment(RUBRIC_TEMPLATE, ["steps"], steps=steps)
    response = Response(render_template("history/chart.html", owned=owned, steps=steps))
    response.vary.add("HX-Request")
    return response
