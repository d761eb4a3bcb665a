"""Fixtures of the route walks: the objects of one engineer, to put in every route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from helpers import small_ladder

from app.extensions import db
from app.ladders import store
from app.oneonone.models import ActionItem, Meeting
from app.rubric.models import Evidence, Rubric


@dataclass
class Objects:
    """The engineer's rubric, evidence, 1:1 and action item on the small ladder."""

    user_id: int
    rubric_id: int
    competency_id: int
    evidence_id: int
    meeting_id: int
    action_id: int


@pytest.fixture
def objects(app, people) -> Objects:
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ladder = store.by_key("small")
        cid = store.stored(ladder).competency_ids["code-junior-1"]
        rubric = Rubric(user_id=people.engineer.id, ladder_id=ladder.id, track_key="ic")
        db.session.add(rubric)
        db.session.flush()
        evidence = Evidence(
            rubric_id=rubric.id,
            competency_id=cid,
            author_id=people.engineer.id,
            body="Shipped it.",
            day=date(2026, 11, 20),
        )
        meeting = Meeting(rubric_id=rubric.id, started_by_id=people.manager.id)
        db.session.add_all([evidence, meeting])
        db.session.flush()
        action = ActionItem(meeting_id=meeting.id, text="Pair up.", owner_id=people.engineer.id)
        db.session.add(action)
        db.session.commit()
        return Objects(people.engineer.id, rubric.id, cid, evidence.id, meeting.id, action.id)
