"""Recording a rubric's history: one registry of the kinds of event, checked on record.

Every feature that changes a rubric appends an event here in the same transaction as the
change, so the history, the live updates, "as of" and the charts all read one stream.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.history.models import Event
from app.rubric.side import Side


class Kind(StrEnum):
    """Every kind of rubric event; its group (before the dot) is what history filters by."""

    RATING_SELF = "rating.self"
    RATING_MANAGER = "rating.manager"
    RATING_CONFIRMED = "rating.confirmed"  # a rating kept as it was after a rewording
    FOCUS = "focus"
    SETTINGS = "settings"
    EVIDENCE_ADDED = "evidence.added"
    EVIDENCE_EDITED = "evidence.edited"
    EVIDENCE_DELETED = "evidence.deleted"
    NOTES = "notes"
    MEETING_STARTED = "meeting.started"
    MEETING_ENDED = "meeting.ended"
    MEETING_REOPENED = "meeting.reopened"
    MEETING_SCHEDULED = "meeting.scheduled"
    AGENDA_ADDED = "agenda.added"
    AGENDA_DONE = "agenda.done"
    AGENDA_EDITED = "agenda.edited"
    AGENDA_DELETED = "agenda.deleted"
    ACTION_ADDED = "action.added"
    ACTION_DONE = "action.done"
    SIGNOFF = "signoff"
    SIGNOFF_WITHDRAWN = "signoff.withdrawn"

    @classmethod
    def rating(cls, side: Side) -> Kind:
        """The kind of a rating change on one side."""
        return cls.RATING_SELF if side is Side.SELF else cls.RATING_MANAGER

    @property
    def group(self) -> str:
        """The family of the kind: "rating", "evidence", "meeting", ..."""
        return self.value.split(".", 1)[0]

    @property
    def side(self) -> Side | None:
        """The side a rating event is about; None for other kinds."""
        if self is Kind.RATING_SELF:
            return Side.SELF
        return Side.MANAGER if self is Kind.RATING_MANAGER else None


# The groups people filter the timeline by, with their labels.
GROUPS = {
    "rating": "Ratings",
    "evidence": "Evidence",
    "focus": "Focus",
    "settings": "Track and target",
    "notes": "1:1 notes",
    "agenda": "1:1 agenda",
    "action": "Action items",
    "signoff": "Sign-off",
}

# What happens on the rubric itself, as opposed to around it (1:1s, sign-off).
RUBRIC_CHANGES = ("rating", "evidence", "focus", "settings")


def kinds_in(*groups: str) -> list[str]:
    """Return the kinds of some groups, for a query's IN clause."""
    return [kind.value for kind in Kind if kind.group in groups]


def record(
    rubric_id: int,
    actor_id: int | None,
    kind: Kind,
    *,
    competency_id: int | None = None,
    before=None,
    after=None,
) -> None:
    """Append an event to the rubric's history; the caller's commit writes it."""
    row = event_row(
        rubric_id, actor_id, kind, competency_id=competency_id, before=before, after=after
    )
    db.session.execute(Event.__table__.insert().values(**row))


def event_row(
    rubric_id: int,
    actor_id: int | None,
    kind: Kind,
    *,
    competency_id: int | None = None,
    before=None,
    after=None,
) -> dict:
    """Return the row of an event, for a caller that writes it with other rows at once."""
    kind = Kind(kind)  # an unknown kind is a bug: fail before anything is written
    return {
        "rubric_id": rubric_id,
        "actor_id": actor_id,
        "kind": kind.value,
        "competency_id": competency_id,
        "before": before,
        "after": after,
        "created_at": utcnow(),
    }


def latest_id(rubric_id: int) -> int:
    """Return the id of the rubric's newest event: its version, for live updates."""
    return db.session.scalar(_latest(rubric_id))


def latest_id_query(rubric_id: int):
    """The newest event id of a rubric as a scalar subquery (0 when there is none)."""
    return _latest(rubric_id).scalar_subquery()


def _latest(rubric_id: int):
    return select(func.coalesce(func.max(Event.id), 0)).where(Event.rubric_id == rubric_id)


def since(rubric_id: int, event_id: int) -> list[Event]:
    """Return the rubric's events newer than a version, oldest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.rubric_id == rubric_id, Event.id > event_id)
            .order_by(Event.id)
        )
    )
