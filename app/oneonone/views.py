"""1:1 sessions: start one on a rubric, keep shared notes and action items, then end it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from app.access import rubric_or_404, side_of, side_or_404
from app.clock import utcnow
from app.extensions import db
from app.history import timeline
from app.history.events import RUBRIC_CHANGES, Kind, latest_id, record
from app.ladders import store
from app.oneonone.forms import ActionForm, NotesForm
from app.oneonone.models import ActionItem, Meeting
from app.oneonone.queries import open_meeting
from app.web import fragment, id_value, is_htmx, page_or_fragment, see_other

bp = Blueprint("oneonone", __name__)

TEMPLATE = "oneonone/show.html"


def meeting_or_404(meeting_id: int, *, for_update: bool = False):
    """Return a 1:1 and its rubric if the current user may see that rubric."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    owned = rubric_or_404(meeting.rubric_id, for_update=for_update)
    if for_update:
        # Read again under the rubric's lock: a save that waited for it must see the
        # version the previous writer left, or its conflict check would pass wrongly.
        db.session.refresh(meeting)
    return meeting, owned


@bp.get("/rubrics/<int:rubric_id>/1on1s")
@login_required
def index(rubric_id: int):
    """List a rubric's 1:1s, the open one first."""
    owned = rubric_or_404(rubric_id)
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.rubric_id == rubric_id).order_by(Meeting.started_at.desc())
    ).all()
    return render_template(
        "oneonone/index.html",
        owned=owned,
        meetings=meetings,
        can_start=side_of(owned) is not None,
    )


@bp.post("/rubrics/<int:rubric_id>/1on1s")
@login_required
def start(rubric_id: int):
    """Start a 1:1, or join the one already under way."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side_or_404(owned)
    meeting = open_meeting(rubric_id)
    if meeting is None:
        meeting = Meeting(
            rubric_id=rubric_id, started_by_id=current_user.id, first_event_id=latest_id(rubric_id)
        )
        db.session.add(meeting)
        db.session.flush()
        record(rubric_id, current_user.id, Kind.MEETING_STARTED, after={"meeting": meeting.id})
        db.session.commit()
    return see_other("oneonone.show", meeting_id=meeting.id)


@bp.get("/1on1s/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    """Show a 1:1: notes, action items, and what changed on the rubric during it."""
    meeting, owned = meeting_or_404(meeting_id)
    return render_template(TEMPLATE, **context(meeting, owned))


def context(meeting: Meeting, owned, *, notes=None, action=None, **extra) -> dict:
    """What the 1:1 page shows: notes, actions, and the rubric's changes meanwhile."""
    stored = store.stored(owned.ladder)
    events = timeline.load(
        meeting.rubric_id,
        viewer_id=current_user.id,
        after_id=meeting.first_event_id,
        upto_id=meeting.last_event_id,
    )
    changes = [
        e for e in timeline.describe(events, stored) if Kind(e.event.kind).group in RUBRIC_CHANGES
    ]
    participants = owned.people()
    if action is None:
        action = action_form(participants, formdata=None)
    return dict(
        meeting=meeting,
        owned=owned,
        changes=changes,
        participants=participants,
        notes_form=notes or NotesForm(formdata=None),
        action=action,
        can_edit=meeting.open and side_of(owned) is not None,
        can_act=side_of(owned) is not None,  # action items stay tickable after the 1:1
        **extra,
    )


def action_form(participants: list[tuple[int, str]], **kwargs) -> ActionForm:
    form = ActionForm(**kwargs)
    form.owner.choices = [SelectChoice(uid, name) for uid, name in participants]
    return form


@bp.post("/1on1s/<int:meeting_id>/notes")
@login_required
def save_notes(meeting_id: int):
    """Autosave the shared notes, refusing to overwrite a version the writer has not seen."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    if not meeting.open:
        abort(409)
    form = NotesForm()
    text = form.notes.data or ""
    if not form.validate_on_submit():
        return notes_response(meeting, owned, form, problem=form.problem, status=422)
    if id_value(form.version.data) != meeting.notes_version:
        # Someone else saved first: keep both texts in front of this writer, lose neither.
        return notes_response(meeting, owned, form, conflict=True, status=409)
    if text != meeting.notes:
        before = meeting.notes
        meeting.notes, meeting.notes_version = text, meeting.notes_version + 1
        record(
            meeting.rubric_id,
            current_user.id,
            Kind.NOTES,
            before={"meeting": meeting.id, "text": before},
            after={"meeting": meeting.id, "text": text},
        )
        db.session.commit()
    return notes_response(meeting, owned, form, saved=True)


def notes_response(meeting, owned, form, *, status=200, **flags):
    """Answer a notes save: the status line for htmx, the page (or a redirect) without."""
    if status == 200 and not is_htmx():
        return see_other("oneonone.show", meeting_id=meeting.id)
    saved_at = utcnow().strftime("%H:%M:%S UTC")
    extra = context(meeting, owned, notes=form, meeting_saved_at=saved_at, **flags)
    return page_or_fragment(TEMPLATE, ["notes_state"], status, **extra)


@bp.post("/1on1s/<int:meeting_id>/actions")
@login_required
def add_action(meeting_id: int):
    """Add an action item with an owner and an optional due date."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    if not meeting.open:
        abort(409)
    form = action_form(owned.people())
    saved = form.validate_on_submit()
    if saved:
        meeting.actions.append(
            ActionItem(text=form.text.data, owner_id=form.owner.data, due=form.due.data)
        )
        db.session.commit()
        form = action_form(owned.people(), formdata=None)  # a saved item clears the form
    if is_htmx():
        return fragment(
            TEMPLATE, ["actions"], 200 if saved else 422, **context(meeting, owned, action=form)
        )
    if not saved:
        flash(form.problem, "error")
    return redirect(url_for("oneonone.show", meeting_id=meeting.id) + "#actions", code=303)


@bp.post("/actions/<int:action_id>/done")
@login_required
def toggle_action(action_id: int):
    """Mark an action item done or not done, even after the 1:1 ended."""
    action = db.session.get(ActionItem, action_id)
    if action is None:
        abort(404)
    meeting, owned = meeting_or_404(action.meeting_id, for_update=True)
    side_or_404(owned)
    action.done = request.form.get("done") == "1"
    db.session.commit()
    if is_htmx():
        return fragment(TEMPLATE, ["actions"], **context(meeting, owned))
    return redirect(url_for("oneonone.show", meeting_id=meeting.id) + "#actions", code=303)


@bp.post("/1on1s/<int:meeting_id>/end")
@login_required
def end(meeting_id: int):
    """End a 1:1: its notes and the list of changes are frozen from now on."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    if meeting.open:
        meeting.ended_at = utcnow()
        record(
            meeting.rubric_id, current_user.id, Kind.MEETING_ENDED, after={"meeting": meeting.id}
        )
        # Its own "ended" event closes the range, so "since the last 1:1" starts after it.
        meeting.last_event_id = latest_id(meeting.rubric_id)
        db.session.commit()
        flash("The 1:1 is ended and saved.", "success")
    return see_other("oneonone.show", meeting_id=meeting.id)
