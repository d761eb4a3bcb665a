"""The rhythm of 1:1s: the next day set by the manager, ending with a confirmation, reopening."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from helpers import HX, csrf_from, sign_in
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.oneonone.models import Meeting, NextMeeting


def start(client, rubric_id) -> int:
    response = client.post(f"/rubrics/{rubric_id}/1on1s")
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def day(offset: int) -> str:
    return (utcnow().date() + timedelta(days=offset)).isoformat()


def schedule(client, rubric_id, when: str, htmx=True, back="rubric"):
    return client.post(
        f"/rubrics/{rubric_id}/next-1on1",
        data={"day": when, "back": back},
        headers=HX if htmx else {},
    )


def test_the_manager_schedules_the_next_1on1_and_the_engineer_is_told(app, pair, people):
    engineer, manager, rubric_id, _ = pair
    when = utcnow().date() + timedelta(days=6)
    answer = schedule(manager, rubric_id, when.isoformat())
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f"{when:%A %-d %B %Y}" in body
    assert 'id="next-meeting"' in body and "Eli Engineer is told" in body
    with app.app_context():
        told = db.session.scalars(
            select(Notification).where(Notification.user_id == people.engineer.id)
        ).all()
    assert [n.title for n in told] == [
        f"Maya Manager scheduled a 1:1 with you on {when:%a %-d %b %Y}"
    ]
    assert told[0].kind == "oneonone.changed"
    # Both see it beside the rubric; the engineer cannot set it.
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert f"{when:%A %-d %B %Y}" in page and 'id="schedule-form"' not in page
    assert schedule(engineer, rubric_id, day(3)).status_code == 404
    history = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert f"scheduled the next 1:1 for {when:%a %-d %b %Y}" in history


def test_a_next_day_gone_by_shows_as_not_scheduled_on_the_rubric_page(app, pair):
    """The page reads the day with its rubric: once it has passed, it is not the next 1:1."""
    engineer, manager, rubric_id, _ = pair
    assert schedule(manager, rubric_id, day(2)).status_code == 200
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert f"{utcnow().date() + timedelta(days=2):%A %-d %B %Y}" in page
    with app.app_context():
        db.session.execute(update(NextMeeting).values(day=utcnow().date() - timedelta(days=1)))
        db.session.commit()
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Not scheduled yet" in page


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (day(-1), "That day is gone"),
        ("", "Choose the day of the next 1:1"),
        ("next tuesday", "Give the date as a day"),
        ("2200-01-01", "between 1970 and 2100"),
    ],
)
def test_a_day_gone_or_unreadable_is_refused_in_place(app, pair, when, problem):
    _, manager, rubric_id, _ = pair
    refused = schedule(manager, rubric_id, when)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and problem in body
    assert f'value="{when}"' in body  # what was typed stays
    plain = schedule(manager, rubric_id, when, htmx=False)
    assert plain.status_code == 303  # no 1:1 page to show it on: the rubric, with the words
    page = manager.get(plain.headers["Location"]).get_data(as_text=True)
    assert problem in page and "Not scheduled yet" in page


def test_scheduling_on_the_1on1_page_without_javascript(app, pair):
    _, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    saved = schedule(manager, rubric_id, day(0), htmx=False, back="meeting")
    assert saved.status_code == 303 and f"/1on1s/{meeting}" in saved.headers["Location"]
    page = manager.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The next 1:1 is on" in page
    refused = schedule(manager, rubric_id, day(-2), htmx=False, back="meeting")
    assert refused.status_code == 422 and "That day is gone" in refused.get_data(as_text=True)


def test_team_and_people_pages_show_upcoming_1on1s(app, pair, people):
    _, manager, rubric_id, _ = pair
    when = utcnow().date() + timedelta(days=2)
    schedule(manager, rubric_id, when.isoformat())
    team = manager.get("/team").get_data(as_text=True)
    assert '<th scope="col">Next 1:1</th>' in team and f"{when:%a %-d %b %Y}" in team
    admin = app.test_client()
    sign_in(admin, people.admin)
    listing = admin.get("/admin/users").get_data(as_text=True)
    row = listing[listing.index("Eli Engineer</th>") :].split("</tr>")[0]
    assert f"{when:%a %-d %b %Y}" in row
    other = listing[listing.index("Olga Other</th>") :].split("</tr>")[0]
    assert "None set" in other


def test_starting_the_1on1_of_that_day_uses_the_date_up(app, pair):
    _, manager, rubric_id, _ = pair
    schedule(manager, rubric_id, day(0))
    assert "Not scheduled" not in manager.get("/team").get_data(as_text=True)
    start(manager, rubric_id)
    assert "Not scheduled" in manager.get("/team").get_data(as_text=True)


def test_ending_asks_first_and_refuses_without_the_tick(app, pair):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    page = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert f'href="/1on1s/{meeting}/end">End the 1:1…</a>' in page
    ask = engineer.get(f"/1on1s/{meeting}/end").get_data(as_text=True)
    assert "End the 1:1 of Eli Engineer?" in ask and 'name="confirm"' in ask
    refused = engineer.post(f"/1on1s/{meeting}/end")
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Meeting, meeting).ended_at is None
    ended = engineer.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    assert ended.status_code == 303
    with app.app_context():
        assert db.session.get(Meeting, meeting).ended_at is not None


def test_the_manager_reopens_a_1on1_ended_today(app, pair):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    assert "Reopen this 1:1" not in engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert engineer.post(f"/1on1s/{meeting}/reopen").status_code == 404
    page = manager.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert "Reopen this 1:1" in page
    reopened = manager.post(f"/1on1s/{meeting}/reopen")
    assert reopened.status_code == 303
    again = manager.get(reopened.headers["Location"]).get_data(as_text=True)
    assert "The 1:1 is open again." in again and "<textarea" in again
    history = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "reopened the 1:1 ended earlier today" in history
    # Notes may be saved again, and the changes during it count on.
    saved = manager.post(
        f"/1on1s/{meeting}/notes", data={"notes": "after all", "version": "0"}, headers=HX
    )
    assert saved.status_code == 200


def test_a_1on1_ended_on_an_earlier_day_stays_ended(app, pair):
    _, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    with app.app_context():
        db.session.execute(update(Meeting).values(ended_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    assert "Reopen this 1:1" not in manager.get(f"/1on1s/{meeting}").get_data(as_text=True)
    refused = manager.post(f"/1on1s/{meeting}/reopen")
    page = manager.get(refused.headers["Location"]).get_data(as_text=True)
    assert "only on the day it ended" in page
    with app.app_context():
        assert db.session.get(Meeting, meeting).ended_at is not None


def test_reopening_waits_while_another_1on1_is_under_way(app, pair):
    _, manager, rubric_id, _ = pair
    first = start(manager, rubric_id)
    manager.post(f"/1on1s/{first}/end", data={"confirm": "y"})
    start(manager, rubric_id)
    refused = manager.post(f"/1on1s/{first}/reopen")
    assert "Another 1:1 is under way" in manager.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Meeting, first).ended_at is not None


def test_rhythm_posts_need_a_csrf_token(make_app, people, pair):
    _, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={
            "email": people.manager.email,
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert schedule(client, rubric_id, day(1), htmx=False).status_code == 400
    assert client.post(f"/1on1s/{meeting}/end", data={"confirm": "y"}).status_code == 400
    assert client.post(f"/1on1s/{meeting}/reopen").status_code == 400


def test_the_engineer_sees_the_new_day_through_the_poll(app, pair):
    engineer, manager, rubric_id, _ = pair
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    since = re.search(r"live\?since=(\d+)", page).group(1)
    when = utcnow().date() + timedelta(days=4)
    schedule(manager, rubric_id, when.isoformat())
    live = engineer.get(f"/rubrics/{rubric_id}/live?since={since}", headers=HX)
    body = live.get_data(as_text=True)
    assert '<div id="next-meeting" hx-swap-oob="true">' in body
    assert f"{when:%A %-d %B %Y}" in body and 'id="schedule-form"' not in body
