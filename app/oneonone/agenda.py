"""The 1:1 panel: the pair's agenda, action items, one's private notes and the changes meanwhile.

An agenda item belongs to the rubric (the pair), not to one 1:1: it is open until someone
ticks it off during a 1:1, so whatever was not reached is on the next 1:1's agenda by itself
and says which 1:1 it was carried over from. Shown on the rubric page beside the rubric and
on the 1:1 page; plain data and queries, the views add the forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, or_, select

from app.clock import utcnow
from app.extensions import db
from app.history.events import RUBRIC_CHANGES, Kind
from app.oneonone.models import ActionItem, AgendaItem, Meeting, PrivateNote

# The kinds of event after which a live poll redraws parts of the panel.
PANEL_KINDS = (
    Kind.AGENDA_ADDED,
    Kind.AGENDA_DONE,
    Kind.AGENDA_EDITED,
    Kind.AGENDA_DELETED,
    Kind.ACTION_ADDED,
    Kind.ACTION_DONE,
)
MEETING_KINDS = (Kind.MEETING_STARTED, Kind.MEETING_ENDED, Kind.MEETING_REOPENED)


@dataclass(frozen=True)
class Point:
    """An agenda item as the panel shows it."""

    item: AgendaItem
    carried_from: date | None  # the first ended 1:1 it was on without being ticked


@dataclass(frozen=True)
class Action:
    """An action item with the 1:1 it came from and whether it is late."""

    item: ActionItem
    from_day: date | None  # set when it comes from an earlier 1:1
    overdue: bool


@dataclass
class Panel:
    """Everything the 1:1 panel shows to one viewer."""

    meeting: Meeting | None
    points: list[Point] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    private: PrivateNote | None = None

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


def points(rubric_id: int, meeting: Meeting | None) -> list[Point]:
    """The agenda: every open item, and those ticked during the 1:1 shown."""
    params = {"rubric_id": rubric_id, "meeting_id": meeting.id if meeting else None}
    items = db.session.scalars(_POINTS, params).all()
    ended = ended_days(rubric_id) if any(not i.done for i in items) else []
    return [Point(i, None if i.done else carried_from(i.created_at, ended)) for i in items]


def ended_days(rubric_id: int) -> list[tuple[datetime, date]]:
    """When each ended 1:1 of the rubric ended, and the day it started, oldest first."""
    rows = db.session.execute(
        select(Meeting.ended_at, Meeting.started_at)
        .where(Meeting.rubric_id == rubric_id, Meeting.ended_at.is_not(None))
        .order_by(Meeting.ended_at)
    )
    return [(r[0], r[1].date()) for r in rows]


def carried_from(created_at: datetime, ended: list[tuple[datetime, date]]) -> date | None:
    """The first 1:1 that ended after an item was added: it was on that agenda, not ticked."""
    return next((day for end, day in ended if end > created_at), None)


def actions(rubric_id: int, meeting: Meeting | None, today: date) -> list[Action]:
    """This 1:1's action items, then the still open ones of earlier 1:1s."""
    params = {"rubric_id": rubric_id, "meeting_id": meeting.id if meeting else None}
    rows = db.session.execute(_ACTIONS, params)
    found = [
        Action(
            item,
            None if meeting is not None and mid == meeting.id else started.date(),
            bool(item.due and not item.done and item.due < today),
        )
        for item, mid, started in rows
    ]
    return [a for a in found if a.from_day is None] + [a for a in found if a.from_day]


# Built once, as the rubric page shows the panel: with no 1:1 shown, meeting_id is NULL and
# matches nothing.
_POINTS = (
    select(AgendaItem)
    .where(
        AgendaItem.rubric_id == bindparam("rubric_id"),
        or_(AgendaItem.done_at.is_(None), AgendaItem.done_in_id == bindparam("meeting_id")),
    )
    .order_by(AgendaItem.id)
)
_ACTIONS = (
    select(ActionItem, Meeting.id, Meeting.started_at)
    .join(Meeting, ActionItem.meeting_id == Meeting.id)
    .where(
        Meeting.rubric_id == bindparam("rubric_id"),
        or_(~ActionItem.done, ActionItem.meeting_id == bindparam("meeting_id")),
    )
    .order_by(Meeting.started_at, ActionItem.id)
)


def private_note(meeting: Meeting, author_id: int) -> PrivateNote | None:
    """One person's own notes on a 1:1; nobody else's are ever loaded."""
    return db.session.scalar(
        select(PrivateNote).where(
            PrivateNote.meeting_id == meeting.id, PrivateNote.author_id == author_id
        )
    )


def save_private(meeting: Meeting, author_id: int, text: str) -> None:
    """Write one person's own notes on a 1:1 (no history event: history is shared)."""
    note = private_note(meeting, author_id)
    if note is None:
        note = PrivateNote(meeting_id=meeting.id, author_id=author_id, text="")
        db.session.add(note)
    note.text, note.updated_at = text, utcnow()


def build(rubric_id: int, meeting: Meeting | None, viewer_id: int, *, participant: bool) -> Panel:
    """Gather the panel of one rubric for one viewer; private notes only for participants."""
    today = utcnow().date()
    private = private_note(meeting, viewer_id) if meeting is not None and participant else None
    return Panel(meeting, points(rubric_id, meeting), actions(rubric_id, meeting, today), private)


def touches_panel(kinds: set[str], meeting_open: bool) -> bool:
    """Tell whether events of these kinds change what an open panel lists."""
    if kinds & {k.value for k in PANEL_KINDS}:
        return True
    return meeting_open and any(k.split(".", 1)[0] in RUBRIC_CHANGES for k in kinds)
