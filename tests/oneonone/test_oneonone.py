"""1:1 sessions, the history timeline, "as of" and "since", and the manager's team page."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import HX, rate, sign_in
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.history.models import Event
from app.oneonone.models import Meeting


def start(client, rubric_id) -> int:
    response = client.post(f"/rubrics/{rubric_id}/1on1s")
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_whole_1on1(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    meeting = start(manager, rubric_id)
    assert start(engineer, rubric_id) == meeting  # joining, not a second one
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    rate(engineer, rubric_id, ids["team-junior-1"], "sometimes")
    saved = manager.post(
        f"/1on1s/{meeting}/notes",
        data={"notes": "Talked about **testing**", "version": "0"},
        headers=HX,
    )
    assert saved.status_code == 200 and "Saved at" in saved.get_data(as_text=True)
    assert 'id="notes-version" name="version" value="1" hx-swap-oob="true"' in saved.get_data(
        as_text=True
    )
    action = engineer.post(
        f"/1on1s/{meeting}/actions",
        data={
            "text": "Pair on the flaky test",
            "owner": str(people.engineer.id),
            "due": "2026-12-01",
        },
        headers=HX,
    )
    assert "Pair on the flaky test" in action.get_data(as_text=True)
    page = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert "Maya Manager</strong> rated “Code at Junior #1” Consistently as manager" in page
    assert "Eli Engineer</strong> rated “Teamwork at Junior #1”" in page
    assert "Talked about **testing**" in page  # the notes box holds the Markdown
    assert manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"}).status_code == 303
    # After the end: frozen, listed, and later changes are not part of it.
    rate(engineer, rubric_id, ids["code-junior-2"], "consistently")
    frozen = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert "read-only" in frozen and "<textarea" not in frozen and "Code at Junior #2" not in frozen
    assert "<strong>testing</strong>" in frozen
    assert (
        manager.post(f"/1on1s/{meeting}/notes", data={"notes": "late", "version": "1"}).status_code
        == 409
    )
    listing = engineer.get(f"/rubrics/{rubric_id}/1on1s").get_data(as_text=True)
    assert f"/1on1s/{meeting}" in listing and "1 action item" in listing


def test_notes_refuse_javascript_links_and_huge_text(pair):
    _, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    bad = manager.post(
        f"/1on1s/{meeting}/notes",
        data={"notes": "[x](javascript:alert(1))", "version": "0"},
        headers=HX,
    )
    assert bad.status_code == 422 and "Links must start with" in bad.get_data(as_text=True)
    huge = manager.post(
        f"/1on1s/{meeting}/notes", data={"notes": "x" * 50_001, "version": "0"}, headers=HX
    )
    assert huge.status_code == 422 and "limited to 50,000 characters" in huge.get_data(as_text=True)


def test_history_filters_and_since_last_1on1(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    meeting = start(manager, rubric_id)
    manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    rate(manager, rubric_id, ids["team-mid-1"], "consistently")
    everything = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert everything.count("<li><time") == 4  # rating, start, end, rating
    by_manager = engineer.get(
        f"/rubrics/{rubric_id}/history?person={people.manager.id}&kind=rating"
    ).get_data(as_text=True)
    assert by_manager.count("<li><time") == 1 and "Teamwork at Mid-level #1" in by_manager
    team = engineer.get(f"/rubrics/{rubric_id}/history?category=team").get_data(as_text=True)
    assert team.count("<li><time") == 1
    since = engineer.get(f"/rubrics/{rubric_id}/history?since=last-1on1").get_data(as_text=True)
    assert since.count("<li><time") == 1 and "since the 1:1 of" in since
    future = engineer.get(f"/rubrics/{rubric_id}/history?since=2099-01-01").get_data(as_text=True)
    assert "No changes match." in future
    odd = engineer.get(f"/rubrics/{rubric_id}/history?since=someday").get_data(as_text=True)
    assert "Give the date as YYYY-MM-DD" in odd


def test_as_of_shows_the_past_read_only(app, pair):
    engineer, _, rubric_id, ids = pair
    for key in ("code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"):
        rate(engineer, rubric_id, ids[key], "consistently")
    # Pretend those changes happened ten days ago, then a later one today.
    with app.app_context():
        db.session.execute(update(Event).values(created_at=utcnow() - timedelta(days=10)))
        db.session.commit()
    rate(engineer, rubric_id, ids["code-junior-1"], "not-yet")
    today = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "<strong>No level yet, approaching Junior</strong>" in today
    day = (utcnow() - timedelta(days=5)).date().isoformat()
    past = engineer.get(f"/rubrics/{rubric_id}/as-of?date={day}").get_data(as_text=True)
    assert "read-only" in past and "<strong>Junior</strong>" in past
    assert 'id="live"' not in past and '<fieldset role="radiogroup" disabled>' in past
    long_ago = (utcnow() - timedelta(days=30)).date().isoformat()
    assert "<strong>No level yet</strong>" in engineer.get(
        f"/rubrics/{rubric_id}/as-of?date={long_ago}"
    ).get_data(as_text=True)
    assert engineer.get(f"/rubrics/{rubric_id}/as-of?date=not-a-date").status_code == 400


def test_team_page_lists_reports_with_their_standing(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    for key in ("code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"):
        rate(engineer, rubric_id, ids[key], "consistently")
    meeting = start(manager, rubric_id)
    page = manager.get("/team").get_data(as_text=True)
    assert "Eli Engineer" in page and "Olga Other" not in page
    assert "<td>Junior</td>" in page and "4 to go for Mid-level" in page
    assert f"/1on1s/{meeting}" in page


def test_strangers_get_404_for_1on1s_and_history(app, pair, people):
    _, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    stranger = app.test_client()
    sign_in(stranger, people.other_manager)
    for path in (
        f"/rubrics/{rubric_id}/1on1s",
        f"/1on1s/{meeting}",
        f"/rubrics/{rubric_id}/history",
        f"/rubrics/{rubric_id}/as-of?date=2026-01-01",
    ):
        assert stranger.get(path).status_code == 404, path
    for path in (
        f"/rubrics/{rubric_id}/1on1s",
        f"/1on1s/{meeting}/notes",
        f"/1on1s/{meeting}/end",
        f"/1on1s/{meeting}/actions",
    ):
        assert stranger.post(path, data={"notes": "x", "version": "0"}).status_code == 404, path
    with app.app_context():
        assert db.session.scalar(select(Meeting.ended_at)) is None


def test_history_pages_through_long_timelines(app, pair, people):
    from app.history.events import record

    engineer, _, rubric_id, ids = pair
    with app.app_context():
        for n in range(205):
            record(
                rubric_id,
                people.engineer.id,
                "focus",
                competency_id=ids["code-junior-1"],
                before={"focus": n % 2 == 1},
                after={"focus": n % 2 == 0},
            )
        db.session.commit()
    first = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert first.count("<li><time") == 200
    older = re.search(r'href="([^"]+before=\d+[^"]*)">Older changes', first).group(1)
    second = engineer.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("<li><time") == 5 and "Older changes" not in second


def test_a_saved_action_item_clears_the_form(pair, people):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    added = manager.post(
        f"/1on1s/{meeting}/actions",
        headers=HX,
        data={"text": "Book the design review", "owner": str(people.manager.id)},
    )
    html = added.get_data(as_text=True)
    assert "Book the design review</span>" in html
    assert 'name="text" maxlength="500" value=""' in html
    refused = manager.post(
        f"/1on1s/{meeting}/actions", headers=HX, data={"text": "Keep me", "owner": "123456"}
    )
    assert refused.status_code == 422
    assert 'value="Keep me"' in refused.get_data(as_text=True)  # what was typed stays


def test_as_of_uses_the_target_of_that_day(app, pair):
    engineer, _, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    with app.app_context():
        db.session.execute(update(Event).values(created_at=utcnow() - timedelta(days=10)))
        db.session.commit()
    engineer.post(f"/rubrics/{rubric_id}/settings", data={"track": "ic", "target": "mid"})
    assert "for Mid-level" in engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    day = (utcnow() - timedelta(days=5)).date().isoformat()
    past = engineer.get(f"/rubrics/{rubric_id}/as-of?date={day}").get_data(as_text=True)
    assert "3 to go for Junior" in past and "for Mid-level" not in past
    # The stored rubric was not touched by looking at the past.
    assert "for Mid-level" in engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)


def test_1on1_fragments_and_pages_tell_caches_apart(pair, people):
    # One URL answers htmx with a fragment and a plain form with a page: Vary says so.
    _, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    notes = manager.post(f"/1on1s/{meeting}/notes", data={"notes": "x", "version": "0"}, headers=HX)
    action = manager.post(
        f"/1on1s/{meeting}/actions",
        data={"text": "Do it", "owner": str(people.manager.id)},
        headers=HX,
    )
    refused = manager.post(f"/1on1s/{meeting}/notes", data={"notes": "x" * 50_001, "version": "1"})
    for response in (notes, action, refused):
        assert "HX-Request" in response.headers.get("Vary", ""), response.status_code
