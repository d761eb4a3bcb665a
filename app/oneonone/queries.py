"""The 1:1s of rubrics, as other pages ask for them: the open one, the last ones."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.oneonone.models import Meeting


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
