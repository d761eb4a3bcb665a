"""The daily rating digest: built by the worker from the history, at most one a day."""

from __future__ import annotations

import threading
from datetime import timedelta

from helpers import rate
from sqlalchemy import event, select

from app.clock import utcnow
from app.extensions import db
from app.history.models import Event
from app.mail.models import OutboxMail
from app.notifications import digest
from app.notifications.models import Notification


def later(app, minutes: float) -> None:
    """Move every history event into the past, as if the ratings were made earlier."""
    with app.app_context():
        for row in db.session.scalars(select(Event)):
            row.created_at -= timedelta(minutes=minutes)  # in Python: SQLite keeps text
        db.session.commit()


def build(app, now=None) -> int:
    with app.app_context(), app.test_request_context(base_url="https://rungs.example.com"):
        return digest.build_due(now)


def notes(app, user_id) -> list[Notification]:
    with app.app_context():
        found = db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        ).all()
        db.session.expunge_all()
        return found


def test_a_managers_ratings_become_one_digest_once_they_stop(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    rate(manager, rubric_id, ids["code-junior-2"], "sometimes")
    assert build(app) == 0  # the manager may still be rating
    later(app, 20)
    assert build(app) == 1
    (note,) = notes(app, people.engineer.id)
    assert note.title == (
        "Maya Manager rated 2 competencies on your rubric and disagrees with you on 1"
    )
    assert "“Code at Junior #1”: not rated → Consistently (you said Sometimes)" in note.body
    assert "“Code at Junior #2”: not rated → Sometimes" in note.body
    assert note.link == f"/rubrics/{rubric_id}?only=disagree"
    assert notes(app, people.manager.id) == []
    assert build(app) == 0  # nothing new


def test_at_most_one_digest_a_day(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    later(app, 20)
    assert build(app) == 1
    rate(manager, rubric_id, ids["code-junior-2"], "consistently")
    assert build(app, utcnow() + timedelta(minutes=20)) == 0  # it waits for tomorrow
    assert build(app, utcnow() + timedelta(hours=24)) == 1
    second = notes(app, people.engineer.id)[-1]
    assert second.title == "Maya Manager rated 1 competency on your rubric"
    assert "Code at Junior #2" in second.body and "Code at Junior #1" not in second.body


def test_own_ratings_tell_nobody(app, pair, people):
    engineer, _manager, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    later(app, 20)
    assert build(app) == 0
    assert notes(app, people.engineer.id) == [] and notes(app, people.manager.id) == []


def test_a_rating_changed_and_put_back_tells_nothing(app, pair, people):
    _engineer, manager, rubric_id, ids = pair
    rate(manager, rubric_id, ids["code-junior-1"], "sometimes")
    later(app, 20)
    assert build(app) == 1
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    rate(manager, rubric_id, ids["code-junior-1"], "sometimes")
    assert build(app, utcnow() + timedelta(hours=25)) == 0
    assert len(notes(app, people.engineer.id)) == 1


def test_the_rating_click_writes_no_notification_and_stays_within_budget(app, pair, people):
    _engineer, manager, rubric_id, ids = pair
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    manager.get(f"/rubrics/{rubric_id}")
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert rate(manager, rubric_id, ids["code-junior-1"], "consistently").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 5, statements
    assert not any("notification" in s or "outbox" in s or "digest" in s for s in statements)


def test_the_digest_is_mailed_with_its_link_and_unsubscribe(mail_app, pair, people):
    _engineer, manager, rubric_id, ids = pair
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    later(mail_app, 20)
    assert build(mail_app) == 1
    with mail_app.app_context():
        (mail,) = db.session.scalars(select(OutboxMail)).all()
        assert mail.to_address == "engineer@example.com"
        assert mail.subject == "Maya Manager rated 1 competency on your rubric"
        assert f"https://rungs.example.com/rubrics/{rubric_id}" in mail.text_body
        assert mail.headers["List-Unsubscribe"].startswith(
            "<https://rungs.example.com/unsubscribe/"
        )
        assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_two_workers_at_once_write_one_digest(make_app, pair, people):
    _engineer, manager, rubric_id, ids = pair
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    apps = [make_app(), make_app()]
    later(apps[0], 20)
    start = threading.Barrier(2)
    built = []

    def work(one):
        start.wait()
        built.append(build(one))

    threads = [threading.Thread(target=work, args=(one,)) for one in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(built) == [0, 1]
    assert len(notes(apps[0], people.engineer.id)) == 1
