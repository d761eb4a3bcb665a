"""The 1:1 panel as the templates need it: the read model of agenda.py plus forms and words.

Shared by the rubric page (the panel beside the rubric), its live poll and the 1:1 page.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from wtforms import SelectChoice

from app.access import side_of
from app.account.views import viewer_zone
from app.extensions import db
from app.history import timeline
from app.history.events import RUBRIC_CHANGES, Kind
from app.ladders import store
from app.oneonone import agenda, rhythm
from app.oneonone.forms import ActionForm, AgendaForm, NotesForm, ScheduleForm
from app.oneonone.models import Meeting
from app.oneonone.queries import PanelHead, open_meeting
from app.rubric.side import Side
from app.web import see_other

PANEL = "oneonone/_panel.html"
UNREAD = object()  # the next 1:1's day is read by context() itself
SHOW = "oneonone/show.html"


def action_form(participants: list[tuple[int, str]], **kwargs) -> ActionForm:
    form = ActionForm(**kwargs)
    form.owner.choices = [SelectChoice(uid, name) for uid, name in participants]
    return form


def changes(meeting: Meeting, owned) -> list[timeline.Entry]:
    """What changed on the rubric itself during a 1:1, newest first."""
    events = timeline.load(
        meeting.rubric_id,
        viewer_id=current_user.id,
        after_id=meeting.first_event_id,
        upto_id=meeting.last_event_id,
    )
    stored = store.stored(owned.ladder)
    return [
        e for e in timeline.describe(events, stored) if Kind(e.event.kind).group in RUBRIC_CHANGES
    ]


def context(
    owned,
    meeting: Meeting | None,
    *,
    back: str,
    agenda_form=None,
    action=None,
    schedule_form=None,
    next_day=UNREAD,
    **extra,
):
    """What _panel.html reads for one viewer; ``next_day`` when a query read it already."""
    participant = side_of(owned) is not None
    participants = owned.people()
    today = rhythm.local_today(viewer_zone())
    if next_day is UNREAD:
        next_meeting = rhythm.next_of(owned.rubric.id, today)
    else:
        next_meeting = rhythm.Upcoming(next_day) if next_day and next_day >= today else None
    return dict(
        next_meeting=next_meeting,
        can_schedule=side_of(owned) is Side.MANAGER,
        # Who may change a talking point: its author, or the manager (who runs the 1:1).
        may_change=lambda item: may_change(owned, item),
        schedule_form=schedule_form or ScheduleForm(formdata=None, today=today),
        today=today,
        panel=agenda.build(owned.rubric.id, meeting, current_user.id, participant=participant),
        meeting=meeting,
        owned=owned,
        can_add=participant,
        participants=participants,
        agenda_form=agenda_form or AgendaForm(formdata=None),
        action=action or action_form(participants, formdata=None),
        changes=changes(meeting, owned) if meeting is not None else [],
        back=back,
        **extra,
    )


def for_rubric_page(owned, head: PanelHead | None = None) -> dict:
    """The panel of the rubric page: under way, or the agenda of the next 1:1.

    ``head`` is what the page's own query read of it: then only a 1:1 under way is loaded.
    """
    if head is None:
        meeting = open_meeting(owned.rubric.id)
    else:
        meeting = db.session.get(Meeting, head.meeting_id) if head.meeting_id else None
    extra = {} if head is None else {"next_day": head.next_day}
    if meeting is not None:
        # The shared notes are the 1:1 page's own form, shown here as they are there.
        # render_block autoescapes what people typed; the result is HTML to place as is.
        extra["notes_html"] = Markup(  # noqa: S704
            render_block(
                SHOW,
                "shared_notes",
                meeting=meeting,
                notes_form=NotesForm(formdata=None),
                can_edit=side_of(owned) is not None,
                hl=3,
            )
        )
    return dict(context(owned, meeting, back="rubric", **extra), oneonone=True)


def may_change(owned, item) -> bool:
    """Tell whether the current user may edit or delete a talking point."""
    side = side_of(owned)
    return side is Side.MANAGER or (side is not None and item.author_id == current_user.id)


def back_to(owned, meeting: Meeting | None, back: str | None, anchor: str):
    """Answer a plain form POST of the panel: back to the page it was sent from."""
    if back == "meeting" and meeting is not None:
        return see_other("oneonone.show", anchor, meeting_id=meeting.id)
    return see_other("rubric.show", anchor, rubric_id=owned.rubric.id)


def live_parts(owned, kinds: set[str]) -> list[str]:
    """The panel's out-of-band blocks a poll sends after events of these kinds."""
    meeting = open_meeting(owned.rubric.id)
    if kinds & {k.value for k in agenda.MEETING_KINDS}:
        # A 1:1 started or ended: the whole panel and the sign at the top change.
        ctx = for_rubric_page(owned)
        return [render_template("oneonone/_aside.html", whole_oob=True, **ctx)]
    parts = []
    if Kind.MEETING_SCHEDULED.value in kinds:
        parts.append(
            render_block(PANEL, "next_meeting", **context(owned, meeting, back="rubric", oob=True))
        )
    if meeting is not None and Kind.NOTES.value in kinds:
        # Someone saved the shared notes: the script merges them into the box here too.
        parts.append(render_block(SHOW, "notes_live", meeting=meeting, oob=True))
    if not agenda.touches_panel(kinds, meeting is not None):
        return parts
    ctx = context(owned, meeting, back="rubric", oob=True)
    blocks = ["agenda_list", "action_list"] + (["changes_list"] if meeting else [])
    return parts + [render_block(PANEL, name, **ctx) for name in blocks]
