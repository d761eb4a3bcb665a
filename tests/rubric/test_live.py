"""Live sync by polling: 204 when nothing changed, the changed fragments otherwise."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from helpers import HX, counting_sql, rate, round_trips, sign_in
from sqlalchemy import update

from app.clock import utcnow
from app.extensions import db
from app.rubric.models import Presence


@pytest.fixture
def pair(pair):
    """The shared pair of clients, plus the engineer's rubric page as it first loaded."""
    engineer, manager, rubric_id, ids = pair
    return (
        engineer,
        manager,
        rubric_id,
        ids,
        engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True),
    )


def poller(html: str) -> str:
    """The URL the page's poller asks next."""
    return re.search(r'id="live"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_nothing_changed_answers_204(pair):
    engineer, _, rubric_id, _, page = pair
    assert 'hx-trigger="every 2s, rungs:visible from:document"' in page
    response = engineer.get(poller(page), headers=HX)
    assert response.status_code == 204 and response.data == b""


def test_a_change_by_the_manager_reaches_the_engineer(pair, people):
    engineer, manager, rubric_id, ids, page = pair
    url = poller(page)
    cid = ids["code-junior-1"]
    assert rate(manager, rubric_id, cid, "consistently").status_code == 200
    response = engineer.get(url, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<div id="h-{cid}" class="head changed" hx-target="this"' in html
    assert 'hx-swap="outerHTML" hx-swap-oob="true">' in html
    assert "Manager (Maya Manager): <strong>Consistently</strong>" in html
    assert "Maya Manager, just now" in html  # who changed it and when
    assert '<div id="badge" hx-swap-oob="innerHTML">' in html and "Manager: No level yet" in html
    # The new poller asks from the new version: the next poll is quiet again.
    assert engineer.get(poller(html), headers=HX).status_code == 204


def test_only_changed_fragments_are_sent(pair):
    engineer, _, rubric_id, ids, page = pair
    rate(engineer, rubric_id, ids["team-mid-2"], "sometimes")
    html = engineer.get(poller(page), headers=HX).get_data(as_text=True)
    assert html.count('class="head') == 1 and f'id="h-{ids["team-mid-2"]}"' in html
    assert "changed" not in html.split(">", 1)[0]  # one's own change does not flash


def test_presence_shows_who_else_is_here(pair):
    engineer, manager, rubric_id, _, page = pair
    assert manager.get(f"/rubrics/{rubric_id}").status_code == 200
    manager_page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    manager.get(poller(manager_page), headers=HX)  # the manager's page says hello
    html = engineer.get(poller(page), headers=HX).get_data(as_text=True)
    assert '<p id="presence" class="presence">Maya Manager is here</p>' in html


def test_quiet_poll_costs_one_query(app, pair):
    engineer, _, _, _, page = pair
    url = poller(page)
    engineer.get(url, headers=HX)  # the first poll records presence (and copies the user)
    with counting_sql(app) as counter:
        assert engineer.get(url, headers=HX).status_code == 204
    # Access, newest event and presence in one statement; the user is the worker's copy.
    assert len(counter.statements) == 1, counter.statements
    assert counter.statements[0].lstrip().startswith("SELECT rubrics.user_id")


def test_quiet_poll_is_one_round_trip_without_a_transaction(app, pair):
    engineer, _, _, _, page = pair
    url = poller(page)
    engineer.get(url, headers=HX)
    with round_trips(app) as trips:
        assert engineer.get(url, headers=HX).status_code == 204
    # No BEGIN before it and no ROLLBACK after: the database hears one thing.
    assert len(trips) == 1, trips
    assert trips[0].lstrip().startswith(("SELECT rubrics.user_id", "prepared")), trips


def test_quiet_poll_sets_no_cookie(pair):
    engineer, _, _, _, page = pair
    url = poller(page)
    engineer.get(url, headers=HX)
    response = engineer.get(url, headers=HX)
    assert response.status_code == 204 and response.data == b""
    assert "Set-Cookie" not in response.headers


def test_heartbeat_poll_writes_presence_and_sends_it_back(pair):
    engineer, manager, rubric_id, _, page = pair
    first = engineer.get(poller(page), headers=HX)  # a fresh session: the heartbeat is due
    assert first.status_code == 204
    assert "Set-Cookie" in first.headers  # the heartbeat's time, kept in the session
    manager_page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Eli Engineer is here" in manager_page


@pytest.mark.parametrize(("seconds_ago", "here"), [(15, True), (25, False)])
def test_presence_lasts_twenty_seconds(app, pair, seconds_ago, here):
    engineer, manager, rubric_id, _, page = pair
    manager_page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    manager.get(poller(manager_page), headers=HX)
    with app.app_context():
        db.session.execute(
            update(Presence).values(seen_at=utcnow() - timedelta(seconds=seconds_ago))
        )
        db.session.commit()
    response = engineer.get(poller(page), headers=HX)
    assert ("Maya Manager is here" in response.get_data(as_text=True)) is here
    assert response.status_code == (200 if here else 204)


def test_a_later_heartbeat_renews_presence(app, pair):
    engineer, manager, rubric_id, _, page = pair
    manager_url = poller(manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True))
    manager.get(manager_url, headers=HX)
    with app.app_context():
        db.session.execute(update(Presence).values(seen_at=utcnow() - timedelta(seconds=25)))
        db.session.commit()
    with manager.session_transaction() as session:
        session.pop("seen")  # as if 8 s had passed: the heartbeat is due again
    manager.get(manager_url, headers=HX)
    assert "Maya Manager is here" in engineer.get(poller(page), headers=HX).get_data(as_text=True)


def test_quiet_poll_answers_204_while_the_same_people_are_here(pair):
    engineer, manager, rubric_id, _, page = pair
    manager_page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    manager.get(poller(manager_page), headers=HX)
    html = engineer.get(poller(page), headers=HX).get_data(as_text=True)
    assert "Maya Manager is here" in html
    assert engineer.get(poller(html), headers=HX).status_code == 204


def test_other_managers_get_404_for_live(app, pair, people):
    _, _, rubric_id, _, _ = pair
    stranger = app.test_client()
    sign_in(stranger, people.other_manager)
    assert stranger.get(f"/rubrics/{rubric_id}/live?since=0", headers=HX).status_code == 404


def test_manager_and_engineer_ratings_side_by_side(pair):
    engineer, manager, rubric_id, ids, _ = pair
    cid = ids["code-junior-2"]
    rate(engineer, rubric_id, cid, "consistently")
    rate(manager, rubric_id, cid, "sometimes")
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert f'<div id="h-{cid}" class="head done disagree" hx-target="this"' in page
    assert "You:</span> <strong>No level yet</strong>" in page and "Manager: No level yet" in page
    only = engineer.get(f"/rubrics/{rubric_id}?only=disagree").get_data(as_text=True)
    assert only.count('class="competency"') == 1
    # One click takes the other's rating: the browser sends the checked radio and the button.
    taken = engineer.post(
        f"/rubrics/{rubric_id}/ratings/{cid}",
        data={"step": "consistently", "take": "sometimes"},
        headers=HX,
    )
    assert "disagree" not in taken.get_data(as_text=True).split(">", 1)[0]
    mgr_page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Eli Engineer: <strong>Sometimes</strong>" in mgr_page
