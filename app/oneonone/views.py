"""1:1 sessions: start one on a rubric, keep shared notes and action items, then end it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.ladders import store
from app.markdown import unsafe_links
from app.oneonone.models import ActionItem, Meeting
from app.rubric import history, service
from app.rubric.views import loaded_or_404, side_of, side_or_404
from app.web import id_value, is_htmx, parse_day

bp = Blueprint("meetings", __name__)

MAX_NOTES = 50_000
MAX_ACTION = 500


def meeting_or_404(meeting_id: int, *, for_update: bool = False):
    """Return a 1:1 and its rubric if the current user may see that rubric."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    loaded = loaded_or_404(meeting.rubric_id, for_update=for_update)
    if for_update:
        # Read again under the rubric's lock: a save that waited for it must see the
        # version the previous writer left, or its conflict check would pass wrongly.
        db.session.refresh(meeting)
    return meeting, loaded


def open_meeting(rubric_id: int) -> Meeting | None:
    return db.session.scalars(
        select(Meeting).where(Meeting.rubric_id == rubric_id, Meeting.ended_at.is_(None))
    ).first()


@bp.get("/rubrics/<int:rubric_id>/1on1s")
@login_required
def index(rubric_id: int):
    """List a rubric's 1:1s, the open one first."""
    loaded = loaded_or_404(rubric_id)
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.rubric_id == rubric_id).order_by(Meeting.started_at.desc())
    ).all()
    return render_template(
        "oneonone/index.html",
        loaded=loaded,
        meetings=meetings,
        can_start=side_of(loaded) is not None,
    )


@bp.post("/rubrics/<int:rubric_id>/1on1s")
@login_required
def start(rubric_id: int):
    """Start a 1:1, or join the one already under way."""
    loaded = loaded_or_404(rubric_id, for_update=True)
    side_or_404(loaded)
    meeting = open_meeting(rubric_id)
    if meeting is None:
        meeting = Meeting(
            rubric_id=rubric_id,
            started_by_id=current_user.id,
            first_event_id=service.latest_event_id(rubric_id),
        )
        db.session.add(meeting)
        db.session.flush()
        service.record(rubric_id, current_user.id, "meeting.started", after={"meeting": meeting.id})
        db.session.commit()
    return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)


@bp.get("/1on1s/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    """Show a 1:1: notes, action items, and what changed on the rubric during it."""
    meeting, loaded = meeting_or_404(meeting_id)
    return render_template("oneonone/show.html", **context(meeting, loaded))


def context(meeting: Meeting, loaded, **extra) -> dict:
    stored = store.stored(loaded.ladder)
    events = history.load(
        meeting.rubric_id,
        viewer_id=current_user.id,
        after_id=meeting.first_event_id,
        upto_id=meeting.last_event_id,
    )
    changes = [
        e
        for e in history.describe(events, stored, loaded.owner_id)
        if e.event.kind.startswith(("rating", "evidence", "focus", "settings"))
    ]
    participants = [(loaded.owner_id, loaded.owner_name)]
    if loaded.owner_manager_id:
        participants.append((loaded.owner_manager_id, loaded.manager_name or "Manager"))
    return dict(
        meeting=meeting,
        loaded=loaded,
        changes=changes,
        participants=participants,
        can_edit=meeting.open and side_of(loaded) is not None,
        can_act=side_of(loaded) is not None,  # action items stay tickable after the 1:1
        **extra,
    )


@bp.post("/1on1s/<int:meeting_id>/notes")
@login_required
def save_notes(meeting_id: int):
    """Autosave the shared notes, refusing to overwrite a version the writer has not seen."""
    meeting, loaded = meeting_or_404(meeting_id, for_update=True)
    side_or_404(loaded)
    if not meeting.open:
        abort(409)
    text = request.form.get("notes", "")
    version = id_value(request.form.get("version"))
    problem = None
    if len(text) > MAX_NOTES:
        problem = f"Notes are limited to {MAX_NOTES:,} characters."
    elif bad := unsafe_links(text):
        problem = f"Links must start with http://, https:// or mailto:; remove {bad[0][:60]!r}."
    if problem:
        return notes_response(meeting, loaded, text, problem=problem, status=422)
    if version != meeting.notes_version:
        # Someone else saved first: keep both texts in front of this writer, lose neither.
        return notes_response(meeting, loaded, text, conflict=True, status=409)
    if text != meeting.notes:
        before = meeting.notes
        meeting.notes, meeting.notes_version = text, meeting.notes_version + 1
        service.record(
            meeting.rubric_id,
            current_user.id,
            "notes",
            before={"meeting": meeting.id, "text": before},
            after={"meeting": meeting.id, "text": text},
        )
        db.session.commit()
    return notes_response(meeting, loaded, text, saved=True)


def notes_response(meeting, loaded, text, *, status=200, **flags):
    if not is_htmx():
        if status == 200:
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
        page = render_template("oneonone/show.html", **context(meeting, loaded, mine=text, **flags))
        return Response(page, status)
    html = render_block(
        "oneonone/show.html",
        "notes_state",
        **context(
            meeting,
            loaded,
            mine=text,
            fragment=True,
            meeting_saved_at=utcnow().strftime("%H:%M:%S UTC"),
            **flags,
        ),
    )
    return Response(html, status)


@bp.post("/1on1s/<int:meeting_id>/actions")
@login_required
def add_action(meeting_id: int):
    """Add an action item with an owner and an optional due date."""
    meeting, loaded = meeting_or_404(meeting_id, for_update=True)
    side_or_404(loaded)
    if not meeting.open:
        abort(409)
    text = request.form.get("text", "").strip()
    owner_id = id_value(request.form.get("owner"))
    due = request.form.get("due") or None
    allowed = {loaded.owner_id, loaded.owner_manager_id}
    error = None
    due_day = parse_day(due)
    if due and due_day is None:
        error = "Give the due date as a date between 1970 and 2100."
    if not text:
        error = "Say what needs doing."
    elif len(text) > MAX_ACTION:
        error = f"Keep an action item under {MAX_ACTION} characters."
    elif owner_id not in allowed:
        error = "Choose who owns this action item."
    if error is None:
        meeting.actions.append(ActionItem(text=text, owner_id=owner_id, due=due_day))
        db.session.commit()
    if is_htmx():
        html = render_block(
            "oneonone/show.html",
            "actions",
            **context(meeting, loaded, action_error=error, typed=text if error else ""),
        )
        return Response(html, 422 if error else 200)
    if error:
        flash(error, "error")
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#actions", code=303)


@bp.post("/actions/<int:action_id>/done")
@login_required
def toggle_action(action_id: int):
    """Mark an action item done or not done, even after the 1:1 ended."""
    action = db.session.get(ActionItem, action_id)
    if action is None:
        abort(404)
    meeting, loaded = meeting_or_404(action.meeting_id, for_update=True)
    side_or_404(loaded)
    action.done = request.form.get("done") == "1"
    db.session.commit()
    if is_htmx():
        return render_block("oneonone/show.html", "actions", **context(meeting, loaded))
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#actions", code=303)


@bp.post("/1on1s/<int:meeting_id>/end")
@login_required
def end(meeting_id: int):
    """End a 1:1: its notes and the list of changes are frozen from now on."""
    meeting, loaded = meeting_or_404(meeting_id, for_update=True)
    side_or_404(loaded)
    if meeting.open:
        meeting.ended_at = utcnow()
        service.record(
            meeting.rubric_id, current_user.id, "meeting.ended", after={"meeting": meeting.id}
        )
        # Its own "ended" event closes the range, so "since the last 1:1" starts after it.
        meeting.last_event_id = service.latest_event_id(meeting.rubric_id)
        db.session.commit()
        flash("The 1:1 is ended and saved.", "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)


def last_meetings(rubric_ids: list[int]) -> dict[int, Meeting]:
    """Return each rubric's most recent 1:1, in one query."""
    if not rubric_ids:
        return {}
    found: dict[int, Meeting] = {}
    for meeting in db.session.scalars(
        select(Meeting).where(Meeting.rubric_id.in_(rubric_ids)).order_by(Meeting.started_at)
    ):
        found[meeting.rubric_id] = meeting
    return found
