"""Rewording and removing talking points: the author may, the manager may, nobody else."""

from __future__ import annotations

import re

import pytest
from helpers import HX, csrf_from, sign_in
from sqlalchemy import select

from app.extensions import db
from app.oneonone.models import AgendaItem


def add_point(client, rubric_id, text) -> int:
    client.post(f"/rubrics/{rubric_id}/agenda", data={"text": text, "back": "rubric"})
    with client.application.app_context():
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.text == text))


def texts(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AgendaItem.text).order_by(AgendaItem.id)))


def test_the_author_rewords_a_point_and_history_says_so(app, pair):
    engineer, manager, rubric_id, _ = pair
    item = add_point(engineer, rubric_id, "Conference budgt")
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert (
        f'href="/agenda/{item}/edit?back=rubric" aria-label="Edit or delete: Conference budgt"'
        in page
    )
    form = engineer.get(f"/agenda/{item}/edit?back=rubric").get_data(as_text=True)
    assert 'value="Conference budgt"' in form and "Take it off the agenda" in form
    saved = engineer.post(
        f"/agenda/{item}/edit", data={"text": "Conference budget", "back": "rubric"}
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#agenda-heading")
    assert texts(app) == ["Conference budget"]
    history = manager.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "changed “Conference budgt” to “Conference budget” on the 1:1 agenda" in history


def test_an_empty_or_long_point_is_refused_in_place(app, pair):
    engineer, _, rubric_id, _ = pair
    item = add_point(engineer, rubric_id, "Keep me")
    refused = engineer.post(f"/agenda/{item}/edit", data={"text": "  "})
    assert refused.status_code == 422 and "Say what you want to talk about" in refused.get_data(
        as_text=True
    )
    long = engineer.post(f"/agenda/{item}/edit", data={"text": "x" * 301})
    assert long.status_code == 422 and 'value="' + "x" * 301 in long.get_data(as_text=True)
    assert texts(app) == ["Keep me"]


def test_the_manager_may_remove_the_engineers_point(app, pair):
    engineer, manager, rubric_id, _ = pair
    item = add_point(engineer, rubric_id, "Off topic")
    page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert f"/agenda/{item}/edit" in page
    removed = manager.post(f"/agenda/{item}/delete", data={"back": "rubric"})
    assert removed.status_code == 303
    assert texts(app) == []
    assert "“Off topic” is off the agenda" in manager.get(removed.headers["Location"]).get_data(
        as_text=True
    )
    history = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "took “Off topic” off the 1:1 agenda" in history


def test_the_engineer_may_not_change_the_managers_point(app, pair):
    engineer, manager, rubric_id, _ = pair
    item = add_point(manager, rubric_id, "Manager's point")
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Manager&#39;s point" in page and f"/agenda/{item}/edit" not in page
    assert engineer.get(f"/agenda/{item}/edit").status_code == 403
    assert engineer.post(f"/agenda/{item}/edit", data={"text": "Mine now"}).status_code == 403
    assert engineer.post(f"/agenda/{item}/delete").status_code == 403
    assert texts(app) == ["Manager's point"]


def test_strangers_get_404(app, pair, people):
    engineer, _, rubric_id, _ = pair
    item = add_point(engineer, rubric_id, "Private matter")
    stranger = app.test_client()
    sign_in(stranger, people.other_manager)
    assert stranger.get(f"/agenda/{item}/edit").status_code == 404
    assert stranger.post(f"/agenda/{item}/delete").status_code == 404
    assert texts(app) == ["Private matter"]


def test_the_other_person_sees_the_change_through_the_poll(app, pair):
    engineer, manager, rubric_id, _ = pair
    item = add_point(engineer, rubric_id, "Old words")
    page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    since = re.search(r"live\?since=(\d+)", page).group(1)
    engineer.post(f"/agenda/{item}/edit", data={"text": "New words"})
    live = manager.get(f"/rubrics/{rubric_id}/live?since={since}", headers=HX)
    body = live.get_data(as_text=True)
    assert 'id="agenda-list" class="agenda" hx-swap-oob="true"' in body and "New words" in body


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_changing_a_point_needs_a_csrf_token(make_app, people, pair, action):
    engineer, _, rubric_id, _ = pair
    item = add_point(engineer, rubric_id, "Guarded")
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={
            "email": people.engineer.email,
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert client.post(f"/agenda/{item}/{action}", data={"text": "x"}).status_code == 400
    assert texts(app) == ["Guarded"]
