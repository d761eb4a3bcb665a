"""The 1:1s of rubrics, as other pages ask for them: the open one, the last ones."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from app.extensions import db
from app.oneonone.models import Meeting, NextMeeting
from app.rubric.models import Rubric


class PanelHead(NamedTuple):
    """What the rubric page's 1:1 panel starts from, read with the rubric's own query."""

    meeting_id: int | None  # the 1:1 under way
    next_day: date | None  # the day set for the next 1:1, even a day gone by


def head_columns() -> tuple:
    """The columns of a PanelHead, for a query of one rubric (correlated to it)."""
    under_way = (
        select(Meeting.id)
        .where(Meeting.rubric_id == Rubric.id, Meeting.ended_at.is_(None))
        .limit(1)
        .correlate(Rubric)
        .scalar_subquery()
    )
    next_day = (
        select(NextMeeting.day)
        .where(NextMeeting.rubric_id == Rubric.id)
        .correlate(Rubric)
        .scalar_subquery()
    )
    return under_way, next_day


def open_meeting(rubric_id: int) -> Meeting | None:
    """Return the rubric's 1:1 under way, if there is one."""
    return db.session.scalars(
        select(Meeting).where(Meeting.rubric_id == rubric_id, Meeting.ended_at.is_(None))
    ).first()


def last_ended(rubric_id: int) -> Meeting | None:
    """Return the rubric's most recently ended 1:1."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.rubric_id == rubric_id, Meeting.ended_at.is_not(None))
        .order_by(Meeting.ended_at.desc())
    ).first()


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
