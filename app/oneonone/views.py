"""1:1 sessions: start one on a rubric, keep shared notes and action items, then end it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.access import rubric_or_404, side_of, side_or_404
from app.account.views import viewer_zone
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.history.events import Kind, latest_id, record
from app.history.events import since as events_since
from app.notifications import notify
from app.oneonone import agenda, rhythm
from app.oneonone import notes as shared
from app.oneonone.forms import (
    ActionForm,
    AgendaForm,
    EndForm,
    NotesForm,
    PrivateNoteForm,
    ScheduleForm,
)
from app.oneonone.models import ActionItem, AgendaItem, Meeting
from app.oneonone.panel import PANEL, action_form, back_to, may_change
from app.oneonone.panel import context as panel_context
from app.oneonone.queries import open_meeting
from app.rubric.side import Side
from app.web import fragment, id_value, is_htmx, page_or_fragment, see_other

bp = Blueprint("oneonone", __name__)

TEMPLATE = "oneonone/show.html"
END_TEMPLATE = "oneonone/end.html"
EDIT_AGENDA = "oneonone/agenda_edit.html"


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
        rhythm.use_up(rubric_id, rhythm.local_today(viewer_zone()))
        db.session.commit()
    if request.form.get("back") == "rubric":
        return see_other("rubric.show", "oneonone", rubric_id=rubric_id)
    return see_other("oneonone.show", meeting_id=meeting.id)


@bp.get("/1on1s/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    """Show a 1:1: notes, action items, and what changed on the rubric during it."""
    meeting, owned = meeting_or_404(meeting_id)
    return render_template(TEMPLATE, **context(meeting, owned))


def context(
    meeting: Meeting,
    owned,
    *,
    notes=None,
    action=None,
    agenda_form=None,
    schedule_form=None,
    **extra,
):
    """What the 1:1 page shows: notes and their history, the panel (agenda, actions, ...)."""
    if "revisions" not in extra and not is_htmx():
        extra["revisions"] = shared.history(meeting)  # htmx answers never show the history
    return dict(
        panel_context(
            owned,
            meeting,
            back="meeting",
            action=action,
            agenda_form=agenda_form,
            schedule_form=schedule_form,
        ),
        meeting=meeting,
        notes_form=notes or NotesForm(formdata=None),
        can_edit=meeting.open and side_of(owned) is not None,
        can_end=meeting.open and side_of(owned) is not None,
        can_reopen=side_of(owned) is Side.MANAGER and rhythm.reopenable(meeting, viewer_zone()),
        since=latest_id(meeting.rubric_id),
        **extra,
    )


@bp.post("/1on1s/<int:meeting_id>/notes")
@login_required
def save_notes(meeting_id: int):
    """Save the shared notes, merging in whatever others saved since they were loaded."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    if not meeting.open:
        abort(409)
    form = NotesForm()
    if not form.validate_on_submit():
        return notes_response(meeting, owned, form, problem=form.problem, status=422)
    origin = form.origin.data if "origin" in request.form else None
    try:
        saved = shared.save(
            meeting, current_user, id_value(form.version.data), form.notes.data or "", origin
        )
    except shared.UnknownRevision:
        # A page from another 1:1 or a tampered form: keep the typed text in the box.
        problem = (
            "These notes were typed on a revision this 1:1 does not have. Your text is "
            "still in the box: copy it, reload the page and paste what is missing."
        )
        return notes_response(meeting, owned, form, problem=problem, status=422)
    db.session.commit()
    if saved.conflicts and not is_htmx():
        flash(conflict_words(saved), "warning")
    form = NotesForm(formdata=None)  # the box shows the merged notes
    return notes_response(meeting, owned, form, saved=saved)


def conflict_words(saved: shared.Saved) -> str:
    """Tell the saver that both versions of some lines are kept, and how to settle them."""
    who = " and ".join(saved.others) or "someone else"
    lines = "a passage" if saved.conflicts == 1 else f"{saved.conflicts} passages"
    return (
        f"You and {who} changed {lines} at the same time. Both versions are kept in the "
        "notes, between lines starting with <<<<<<< and >>>>>>>: keep what you need and "
        "delete the marker lines."
    )


def notes_response(meeting, owned, form, *, status=200, saved=None, **flags):
    """Answer a notes save: its state for the page's script, the page (or a redirect)."""
    if status == 200 and not is_htmx():
        return see_other("oneonone.show", "notes-heading", meeting_id=meeting.id)
    saved_at = utcnow().strftime("%H:%M:%S UTC")
    conflict = conflict_words(saved) if saved and saved.conflicts else None
    extra = context(
        meeting, owned, notes=form, meeting_saved_at=saved_at, saved=saved, conflict=conflict
    )
    return page_or_fragment(TEMPLATE, ["notes_state"], status, **extra, **flags)


@bp.post("/1on1s/<int:meeting_id>/notes/revisions/<int:number>/restore")
@login_required
def restore_notes(meeting_id: int, number: int):
    """Make an earlier revision of the shared notes current again, as a new revision."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    if not meeting.open:
        abort(409)
    try:
        row = shared.restore(meeting, current_user, number)
    except shared.UnknownRevision:
        abort(404)
    db.session.commit()
    flash(f"Revision {number} is back, as revision {row.number}. Nothing was lost.", "success")
    return see_other("oneonone.show", "notes-heading", meeting_id=meeting.id)


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
        record(meeting.rubric_id, current_user.id, Kind.ACTION_ADDED, after=action_event(form))
        db.session.commit()
        form = action_form(owned.people(), formdata=None)  # a saved item clears the form
    if is_htmx():
        ctx = panel_context(owned, meeting, back=request.form.get("back", ""), action=form)
        blocks = ["action_form", "action_list"] if saved else ["action_form"]
        return fragment(PANEL, blocks, 200 if saved else 422, **ctx, oob=True)
    if not saved:
        # Without JS the 1:1 page shows the same form, with the text as typed.
        return render_template(TEMPLATE, **context(meeting, owned, action=form)), 422
    return back_to(owned, meeting, request.form.get("back"), "actions-section")


def action_event(form: ActionForm) -> dict:
    return {"text": form.text.data, "owner": form.owner.data}


@bp.post("/actions/<int:action_id>/done")
@login_required
def toggle_action(action_id: int):
    """Mark an action item done or not done, even after the 1:1 ended."""
    action = db.session.get(ActionItem, action_id)
    if action is None:
        abort(404)
    meeting, owned = meeting_or_404(action.meeting_id, for_update=True)
    side_or_404(owned)
    done = request.form.get("done") == "1"
    if done != action.done:
        action.done = done
        record(
            meeting.rubric_id,
            current_user.id,
            Kind.ACTION_DONE,
            after={"text": action.text, "done": done},
        )
        db.session.commit()
    back = request.form.get("back")
    if is_htmx():
        shown = open_meeting(owned.rubric.id) if back == "rubric" else meeting
        ctx = panel_context(owned, shown, back=back or "", oob=True)
        return fragment(PANEL, ["action_list"], **ctx)
    return back_to(owned, meeting if back == "meeting" else None, back, "actions-section")


@bp.get("/1on1s/<int:meeting_id>/end")
@login_required
def confirm_end(meeting_id: int):
    """Ask whether to end a 1:1, since its notes become read-only."""
    meeting, owned = meeting_or_404(meeting_id)
    side_or_404(owned)
    if not meeting.open:
        return see_other("oneonone.show", meeting_id=meeting.id)
    return render_template(END_TEMPLATE, meeting=meeting, owned=owned, form=EndForm(formdata=None))


@bp.post("/1on1s/<int:meeting_id>/end")
@login_required
def end(meeting_id: int):
    """End a 1:1 once confirmed: its notes and the list of changes are frozen from now on."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    form = EndForm()
    if meeting.open and not form.validate_on_submit():
        return render_template(END_TEMPLATE, meeting=meeting, owned=owned, form=form), 422
    if meeting.open:
        meeting.ended_at = utcnow()
        record(
            meeting.rubric_id, current_user.id, Kind.MEETING_ENDED, after={"meeting": meeting.id}
        )
        # Its own "ended" event closes the range, so "since the last 1:1" starts after it.
        meeting.last_event_id = latest_id(meeting.rubric_id)
        db.session.commit()
        again = " You can reopen it today if it was ended by mistake."
        again = again if side_of(owned) is Side.MANAGER else ""
        flash(f"The 1:1 is ended and saved.{again}", "success")
    return see_other("oneonone.show", meeting_id=meeting.id)


@bp.post("/1on1s/<int:meeting_id>/reopen")
@login_required
def reopen(meeting_id: int):
    """Reopen a 1:1 the manager ended today, to go on with it."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned, only=Side.MANAGER)
    if meeting.open:
        return see_other("oneonone.show", meeting_id=meeting.id)
    if not rhythm.reopenable(meeting, viewer_zone()):
        flash("A 1:1 can be reopened only on the day it ended. Start a new one.", "error")
        return see_other("oneonone.show", meeting_id=meeting.id)
    under_way = open_meeting(meeting.rubric_id)
    if under_way is not None:
        flash("Another 1:1 is under way: end it first, or go on in that one.", "error")
        return see_other("oneonone.show", meeting_id=meeting.id)
    rhythm.reopen(meeting, current_user)
    db.session.commit()
    flash("The 1:1 is open again.", "success")
    return see_other("oneonone.show", meeting_id=meeting.id)


@bp.post("/rubrics/<int:rubric_id>/next-1on1")
@login_required
def schedule(rubric_id: int):
    """Set the day of the pair's next 1:1 and tell the engineer."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side_or_404(owned, only=Side.MANAGER)
    today = rhythm.local_today(viewer_zone())
    form = ScheduleForm(today=today)
    saved = form.validate_on_submit()
    if saved:
        rhythm.schedule(rubric_id, current_user, form.day.data)
        engineer = db.session.get(User, owned.owner_id)
        notify.oneonone_changed(
            engineer,
            by=current_user,
            when=form.day.data,
            agenda_changed=False,
            link=url_for("rubric.show", rubric_id=rubric_id, _anchor="next-heading"),
        )
        db.session.commit()
        form = ScheduleForm(formdata=None, today=today)
    back = request.form.get("back", "")
    meeting = open_meeting(rubric_id)
    if is_htmx():
        ctx = panel_context(owned, meeting, back=back, schedule_form=form, scheduled=saved)
        return fragment(PANEL, ["next_meeting"], 200 if saved else 422, **ctx)
    if not saved:
        if meeting is not None:
            return render_template(TEMPLATE, **context(meeting, owned, schedule_form=form)), 422
        flash(form.problem, "error")
    else:
        flash(f"The next 1:1 is on {form_day(rubric_id, today)}.", "success")
    return back_to(owned, meeting, back, "next-heading")


def form_day(rubric_id: int, today) -> str:
    found = rhythm.next_of(rubric_id, today)
    return f"{found.day:%A %-d %B %Y}" if found else "the day chosen"


@bp.post("/rubrics/<int:rubric_id>/agenda")
@login_required
def add_agenda(rubric_id: int):
    """Add a talking point to the pair's agenda, before or during a 1:1."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side_or_404(owned)
    form = AgendaForm()
    saved = form.validate_on_submit()
    if saved:
        db.session.add(
            AgendaItem(rubric_id=rubric_id, text=form.text.data, author_id=current_user.id)
        )
        record(rubric_id, current_user.id, Kind.AGENDA_ADDED, after={"text": form.text.data})
        db.session.commit()
        form = AgendaForm(formdata=None)  # a saved item clears the box
    back = request.form.get("back", "")
    meeting = open_meeting(rubric_id)
    if is_htmx():
        ctx = panel_context(owned, meeting, back=back, agenda_form=form, oob=True)
        blocks = ["agenda_form", "agenda_list"] if saved else ["agenda_form"]
        return fragment(PANEL, blocks, 200 if saved else 422, **ctx)
    if not saved:
        # Without JS: the agenda of the 1:1 page (or the 1:1s list) with the text as typed.
        if meeting is not None:
            ctx = context(meeting, owned, agenda_form=form)
            return render_template(TEMPLATE, **ctx), 422
        flash(form.problem, "error")
    return back_to(owned, meeting, back, "agenda-heading")


@bp.post("/agenda/<int:agenda_id>/done")
@login_required
def tick_agenda(agenda_id: int):
    """Tick a talking point off (in the 1:1 under way), or put it back on the agenda."""
    item = db.session.get(AgendaItem, agenda_id)
    if item is None:
        abort(404)
    owned = rubric_or_404(item.rubric_id, for_update=True)
    side_or_404(owned)
    db.session.refresh(item)
    meeting = open_meeting(owned.rubric.id)
    done = request.form.get("done") == "1"
    if done != item.done:
        item.done_at = utcnow() if done else None
        item.done_in_id = meeting.id if done and meeting is not None else None
        record(
            owned.rubric.id,
            current_user.id,
            Kind.AGENDA_DONE,
            after={"text": item.text, "done": done},
        )
        db.session.commit()
    back = request.form.get("back", "")
    if is_htmx():
        return fragment(
            PANEL, ["agenda_list"], **panel_context(owned, meeting, back=back, oob=True)
        )
    return back_to(owned, meeting, back, "agenda-heading")


def agenda_item_to_change(agenda_id: int):
    """Load a talking point the current user may edit or delete (its author, the manager)."""
    item = db.session.get(AgendaItem, agenda_id)
    if item is None:
        abort(404)
    owned = rubric_or_404(item.rubric_id, for_update=request.method == "POST")
    side_or_404(owned)
    if not may_change(owned, item):
        abort(403)  # they see it, but it is someone else's point
    return item, owned


def back_value() -> str:
    back = request.values.get("back", "")
    return back if back in ("rubric", "meeting") else "rubric"


@bp.get("/agenda/<int:agenda_id>/edit")
@login_required
def edit_agenda(agenda_id: int):
    """Show a talking point to reword or take off the agenda."""
    item, owned = agenda_item_to_change(agenda_id)
    form = AgendaForm(formdata=None, text=item.text)
    ctx = dict(item=item, owned=owned, form=form, back=back_value())
    return render_template(EDIT_AGENDA, meeting=open_meeting(owned.rubric.id), **ctx)


@bp.post("/agenda/<int:agenda_id>/edit")
@login_required
def save_agenda(agenda_id: int):
    """Reword a talking point."""
    item, owned = agenda_item_to_change(agenda_id)
    form = AgendaForm()
    back = back_value()
    if not form.validate_on_submit():
        ctx = dict(item=item, owned=owned, form=form, back=back)
        return render_template(EDIT_AGENDA, meeting=open_meeting(owned.rubric.id), **ctx), 422
    if form.text.data != item.text:
        record(
            owned.rubric.id,
            current_user.id,
            Kind.AGENDA_EDITED,
            before={"text": item.text},
            after={"text": form.text.data},
        )
        item.text = form.text.data
        db.session.commit()
    flash("The talking point is saved.", "success")
    return back_to(owned, open_meeting(owned.rubric.id), back, "agenda-heading")


@bp.post("/agenda/<int:agenda_id>/delete")
@login_required
def delete_agenda(agenda_id: int):
    """Take a talking point off the agenda for good."""
    item, owned = agenda_item_to_change(agenda_id)
    record(owned.rubric.id, current_user.id, Kind.AGENDA_DELETED, before={"text": item.text})
    db.session.delete(item)
    db.session.commit()
    flash(f"“{item.text}” is off the agenda. History keeps what it said.", "success")
    return back_to(owned, open_meeting(owned.rubric.id), back_value(), "agenda-heading")


@bp.post("/1on1s/<int:meeting_id>/private")
@login_required
def save_private(meeting_id: int):
    """Save one's own private notes on a 1:1: nobody else ever sees them."""
    meeting, owned = meeting_or_404(meeting_id, for_update=True)
    side_or_404(owned)
    if not meeting.open:
        abort(409)  # like the shared notes: what was written during the 1:1 stays as it was
    form = PrivateNoteForm()
    if not form.validate_on_submit():
        if is_htmx():
            return fragment(PANEL, ["private_status"], 422, private_problem=form.problem)
        ctx = context(meeting, owned, private_form=form, private_problem=form.problem)
        return render_template(TEMPLATE, **ctx), 422
    agenda.save_private(meeting, current_user.id, form.text.data or "")
    db.session.commit()
    if is_htmx():
        saved_at = utcnow().strftime("%H:%M:%S UTC")
        return fragment(PANEL, ["private_status"], private_saved=saved_at)
    flash("Your private notes are saved.", "success")
    return back_to(owned, meeting, request.form.get("back"), "private-heading")


@bp.get("/1on1s/<int:meeting_id>/live")
@login_required
def live(meeting_id: int):
    """Answer the 1:1 page's poll: 204 when nothing changed, else the panel's lists."""
    rubric_id = db.session.scalar(select(Meeting.rubric_id).where(Meeting.id == meeting_id))
    if rubric_id is None:
        abort(404)
    since = id_value(request.args.get("since")) or 0
    owned = rubric_or_404(rubric_id)
    latest = latest_id(rubric_id)
    if latest <= since:
        return Response(status=204)
    meeting = db.session.get(Meeting, meeting_id)
    kinds = {e.kind for e in events_since(rubric_id, since)}
    ctx = panel_context(owned, meeting, back="meeting", oob=True)
    parts = [
        render_block(PANEL, name, **ctx) for name in ("agenda_list", "action_list", "changes_list")
    ]
    if Kind.NOTES.value in kinds:
        # New revisions: the script merges the text in; the history lists them.
        notes_ctx = context(meeting, owned, oob=True, revisions=shared.history(meeting))
        parts += [render_block(TEMPLATE, name, **notes_ctx) for name in ("notes_live", "revisions")]
    if kinds & {Kind.MEETING_ENDED.value}:
        # Ended elsewhere: say so, as the page is read-only now.
        parts.append(render_block(TEMPLATE, "ended_notice_oob", meeting=meeting))
    parts.append(render_block(TEMPLATE, "live", meeting=meeting, since=latest, oob=True))
    return Response("".join(parts))
