"""The rhythm of 1:1s: the day of the next one, and a 1:1 ended by mistake reopened that day.

The manager sets the next day; the rubric's panel, the 1:1 page, the team page and the
people page show it until a 1:1 starts on (or after) that day, which uses it up.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from app.account import zones
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.history.events import Kind, record
from app.oneonone.models import Meeting, NextMeeting
from app.rubric.models import Rubric


def local_today(zone: ZoneInfo) -> date:
    """Today where the person looking lives: "not in the past" and "the same day" are theirs."""
    return zones.local(utcnow(), zone).date()


class Upcoming(NamedTuple):
    """The next 1:1's day, when a query of the rubric read it (the panel shows the day)."""

    day: date


def next_of(rubric_id: int, today: date) -> NextMeeting | None:
    """The pair's next 1:1, if one is set for today or later."""
    found = db.session.get(NextMeeting, rubric_id)
    return found if found is not None and found.day >= today else None


def schedule(rubric_id: int, by: User, day: date) -> NextMeeting:
    """Set the day of the pair's next 1:1 (one at a time: a new day replaces the old)."""
    found = db.session.get(NextMeeting, rubric_id)
    if found is None:
        found = NextMeeting(rubric_id=rubric_id, day=day)
        db.session.add(found)
    found.day, found.scheduled_by_id, found.scheduled_at = day, by.id, utcnow()
    record(rubric_id, by.id, Kind.MEETING_SCHEDULED, after={"day": day.isoformat()})
    return found


def use_up(rubric_id: int, today: date) -> None:
    """A 1:1 started: the one planned for today (or a day already gone) has happened."""
    db.session.execute(
        delete(NextMeeting).where(NextMeeting.rubric_id == rubric_id, NextMeeting.day <= today)
    )


def upcoming_by_rubric(rubric_ids: list[int], today: date) -> dict[int, date]:
    """The day of each rubric's next 1:1, in one query."""
    if not rubric_ids:
        return {}
    rows = db.session.execute(
        select(NextMeeting.rubric_id, NextMeeting.day).where(
            NextMeeting.rubric_id.in_(rubric_ids), NextMeeting.day >= today
        )
    )
    return dict(rows.all())


def upcoming_by_person(user_ids: list[int], today: date) -> dict[int, date]:
    """The day of each person's next 1:1 (the soonest over their rubrics), in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Rubric.user_id, func.min(NextMeeting.day))
        .join(NextMeeting, NextMeeting.rubric_id == Rubric.id)
        .where(Rubric.user_id.in_(user_ids), NextMeeting.day >= today)
        .group_by(Rubric.user_id)
    )
    return dict(rows.all())


def reopenable(meeting: Meeting, zone: ZoneInfo) -> bool:
    """An ended 1:1 may be reopened on the day it ended (the viewer's day), not later."""
    if meeting.ended_at is None:
        return False
    return zones.local(meeting.ended_at, zone).date() == local_today(zone)


def reopen(meeting: Meeting, by: User) -> None:
    """Open an ended 1:1 again: notes editable, changes counted on from where they were."""
    meeting.ended_at = None
    meeting.last_event_id = None
    record(meeting.rubric_id, by.id, Kind.MEETING_REOPENED, after={"meeting": meeting.id})
