"""Fixtures of the route walks: the objects of one engineer, to put in every route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from helpers import small_ladder

from app.extensions import db
from app.ladders import store


@dataclass
class Objects:
    """The engineer's rubric, evidence, 1:1, action item and notification on the small ladder."""

    user_id: int
    rubric_id: int
    competency_id: int
    evidence_id: int
    meeting_id: int
    action_id: int
    notification_id: int
    agenda_id: int
    suggestion_id: int
    number: int = 1  # a ladder version, or a revision of a 1:1's shared notes


def insert(table: str, **values) -> int:
    """Add a row by table name (models move between packages; tables stay); return its id."""
    return db.session.execute(
        db.metadata.tables[table].insert().values(**values)
    ).inserted_primary_key[0]


@pytest.fixture
def objects(app, people) -> Objects:
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ladder = store.by_key("small")
        cid = store.stored(ladder).competency_ids["code-junior-1"]
        me = people.engineer.id
        rubric = insert("rubrics", user_id=me, ladder_id=ladder.id, track_key="ic")
        evidence = insert(
            "evidence",
            rubric_id=rubric,
            competency_id=cid,
            author_id=me,
            body="Shipped it.",
            day=date(2026, 11, 20),
        )
        meeting = insert(
            "meetings", rubric_id=rubric, started_by_id=people.manager.id, notes_version=1
        )
        insert("note_revisions", meeting_id=meeting, number=1, author_id=me, text="Talked.")
        action = insert("action_items", meeting_id=meeting, text="Pair up.", owner_id=me)
        note = insert("notifications", user_id=me, kind="packet.signed", title="Signed.", link="/")
        point = insert("agenda_items", rubric_id=rubric, text="Talk.", author_id=me)
        idea = insert(
            "suggestions",
            ladder_id=ladder.id,
            competency_key="code-junior-1",
            title="Better words",
            description="",
            reason="Clearer.",
            author_id=me,
            status="open",
            decision_note="",
            created_at=date(2026, 11, 20),
        )
        db.session.commit()
        return Objects(me, rubric, cid, evidence, meeting, action, note, point, idea)
