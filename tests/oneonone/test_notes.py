"""Shared 1:1 notes: saves merge from the revision they were typed on, every revision kept."""

from __future__ import annotations

import html
import re

import pytest
from helpers import HX, csrf_from, sign_in
from sqlalchemy import select

from app.extensions import db
from app.oneonone.models import Meeting, NoteRevision


def start(client, rubric_id) -> int:
    response = client.post(f"/rubrics/{rubric_id}/1on1s")
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def save(client, meeting, text, version, htmx=True, **extra):
    data = {"notes": text, "version": str(version), **extra}
    return client.post(f"/1on1s/{meeting}/notes", data=data, headers=HX if htmx else {})


def merged(response) -> tuple[int, str]:
    """The revision and text a save answers the page's script with."""
    found = re.search(
        r'id="notes-merged" hidden data-revision="(\d+)" data-text="([^"]*)"',
        response.get_data(as_text=True),
    )
    return int(found.group(1)), html.unescape(found.group(2))


def current(app, meeting) -> tuple[int, str]:
    with app.app_context():
        row = db.session.get(Meeting, meeting)
        return row.notes_version, row.notes


def numbers(app, meeting) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(NoteRevision.number)
                .where(NoteRevision.meeting_id == meeting)
                .order_by(NoteRevision.number)
            )
        )


@pytest.fixture
def meeting(pair):
    _, manager, rubric_id, _ = pair
    return start(manager, rubric_id)


def test_two_saves_on_one_revision_merge_cleanly(app, pair, meeting):
    engineer, manager, _, _ = pair
    save(manager, meeting, "Agenda\n", 0)
    first = save(manager, meeting, "Agenda\nManager: ship the tests", 1)
    assert merged(first) == (2, "Agenda\nManager: ship the tests")
    # The engineer typed on revision 1 too: a different place, so both are kept, unmarked.
    late = save(engineer, meeting, "Engineer: on call next week\nAgenda\n", 1)
    assert late.status_code == 200
    text = "Engineer: on call next week\nAgenda\nManager: ship the tests"
    assert merged(late) == (3, text)
    assert "with the changes others made meanwhile" in late.get_data(as_text=True)
    assert current(app, meeting) == (3, text)


def test_lines_typed_at_the_same_place_are_both_kept(app, pair, meeting):
    engineer, manager, _, _ = pair
    save(manager, meeting, "M1", 0)
    late = save(engineer, meeting, "E1", 0)
    assert merged(late) == (2, "M1\nE1")
    assert "<<<<<<<" not in current(app, meeting)[1]


def test_a_clash_keeps_both_versions_marked_and_says_so(app, pair, meeting):
    engineer, manager, _, _ = pair
    save(manager, meeting, "Goal: Staff by June", 0)
    save(manager, meeting, "Goal: Staff by March", 1)
    late = save(engineer, meeting, "Goal: Staff by December", 1)
    body = late.get_data(as_text=True)
    assert late.status_code == 200  # no 409 that invites overwriting
    assert "You and Maya Manager changed a passage at the same time" in body
    text = current(app, meeting)[1]
    assert text.splitlines() == [
        "<<<<<<< Maya Manager wrote:",
        "Goal: Staff by March",
        "======= Eli Engineer wrote:",
        "Goal: Staff by December",
        ">>>>>>> (keep what you need, then delete these marker lines)",
    ]
    # Markdown stays Markdown: the page shows the source in the box, not rendered HTML.
    page = manager.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; Maya Manager wrote:\nGoal: Staff by March" in page


def test_a_clash_without_javascript_redirects_and_tells_the_saver(app, pair, meeting):
    engineer, manager, _, _ = pair
    save(manager, meeting, "Plan", 0, htmx=False)
    save(manager, meeting, "Plan **A**", 1, htmx=False)
    late = save(engineer, meeting, "Plan **B**", 1, htmx=False)
    assert late.status_code == 303 and late.headers["Location"].endswith("#notes-heading")
    page = engineer.get(late.headers["Location"]).get_data(as_text=True)
    assert "You and Maya Manager changed a passage at the same time" in page
    assert "Plan **A**\n======= Eli Engineer wrote:\nPlan **B**" in page
    assert "<strong>B</strong>" not in page


def test_a_stale_revision_still_merges_from_where_it_was_typed(app, pair, meeting):
    engineer, manager, _, _ = pair
    save(manager, meeting, "one", 0)
    save(manager, meeting, "one\ntwo", 1)
    save(manager, meeting, "one\ntwo\nthree", 2)
    stale = save(engineer, meeting, "zero\none", 1)
    assert merged(stale) == (4, "zero\none\ntwo\nthree")


def test_typing_on_while_a_save_travels_is_carried_over(app, pair, meeting):
    # The script saw its save of "A1" become revision 2 (merged with the manager's "M1")
    # while the engineer had typed on: it sends what it sent as origin.
    engineer, manager, _, _ = pair
    save(manager, meeting, "M1", 0)
    answer = save(engineer, meeting, "A1", 0)
    assert merged(answer) == (2, "M1\nA1")
    on = save(engineer, meeting, "A1 fixed\nA2", 2, origin="A1")
    assert merged(on) == (3, "M1\nA1 fixed\nA2")


@pytest.mark.parametrize("version", ["7", "-1", "x", "", "99999999999"])
def test_a_bogus_revision_is_refused_and_the_text_kept(app, pair, meeting, version):
    _, manager, _, _ = pair
    save(manager, meeting, "kept", 0)
    refused = save(manager, meeting, "my precious words", version)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "typed on a revision this 1:1 does not have" in body
    assert current(app, meeting) == (1, "kept")
    page = save(manager, meeting, "my precious words", version, htmx=False)
    assert page.status_code == 422 and "my precious words</textarea>" in page.get_data(as_text=True)


def test_a_revision_of_another_1on1_is_not_a_base(app, pair, people, meeting):
    _, manager, rubric_id, _ = pair
    save(manager, meeting, "first 1:1", 0)
    manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    second = start(manager, rubric_id)
    assert save(manager, second, "second", 1).status_code == 422


def test_every_save_is_a_revision_with_a_diff_in_the_history(app, pair, meeting):
    engineer, manager, rubric_id, _ = pair
    save(manager, meeting, "alpha\nbeta", 0)
    save(engineer, meeting, "alpha\nBETA\ngamma", 1)
    save(engineer, meeting, "alpha\nBETA\ngamma", 2)  # unchanged: no new revision
    assert numbers(app, meeting) == [1, 2]
    page = manager.get(f"/1on1s/{meeting}").get_data(as_text=True)
    history = page[page.index('id="revisions"') :]
    assert "<strong>Revision 2</strong> by Eli Engineer" in history
    assert "<strong>Revision 1</strong> by Maya Manager" in history
    assert "<del>- beta</del>" in history and "<ins>+ BETA</ins>" in history
    assert "<ins>+ gamma</ins>" in history
    timeline = manager.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "saved revision 2 of the 1:1 notes" in timeline


def test_restoring_a_revision_adds_one_and_loses_nothing(app, pair, meeting):
    engineer, manager, rubric_id, _ = pair
    save(manager, meeting, "first words", 0)
    save(engineer, meeting, "", 1)  # cleared by mistake
    restored = manager.post(f"/1on1s/{meeting}/notes/revisions/1/restore")
    assert restored.status_code == 303
    assert current(app, meeting) == (3, "first words")
    assert numbers(app, meeting) == [1, 2, 3]
    page = manager.get(restored.headers["Location"]).get_data(as_text=True)
    assert "Revision 1 is back, as revision 3" in page and "restored revision 1" in page
    timeline = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "restored revision 1 of the 1:1 notes" in timeline
    assert manager.post(f"/1on1s/{meeting}/notes/revisions/9/restore").status_code == 404


def test_restore_is_for_the_pair_of_an_open_1on1(app, pair, people, meeting):
    _, manager, _, _ = pair
    save(manager, meeting, "words", 0)
    stranger = app.test_client()
    sign_in(stranger, people.other_manager)
    assert stranger.post(f"/1on1s/{meeting}/notes/revisions/1/restore").status_code == 404
    manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    assert manager.post(f"/1on1s/{meeting}/notes/revisions/1/restore").status_code == 409


def test_the_other_page_gets_new_revisions_through_the_poll(app, pair, meeting):
    engineer, manager, rubric_id, _ = pair
    page = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    since = re.search(r"live\?since=(\d+)", page).group(1)
    save(manager, meeting, "new line", 0)
    live = engineer.get(f"/1on1s/{meeting}/live?since={since}", headers=HX)
    body = live.get_data(as_text=True)
    assert 'id="notes-live" hidden data-revision="1" data-text="new line"' in body
    assert "<strong>Revision 1</strong> by Maya Manager" in body
    rubric_page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    since = re.search(r"live\?since=(\d+)", rubric_page).group(1)
    save(manager, meeting, "new line\nanother", 1)
    live = engineer.get(f"/rubrics/{rubric_id}/live?since={since}", headers=HX)
    assert 'data-revision="2" data-text="new line\nanother"' in live.get_data(as_text=True)


def test_notes_saves_need_a_csrf_token(make_app, people, pair, meeting):
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
    refused = client.post(f"/1on1s/{meeting}/notes", data={"notes": "x", "version": "0"})
    assert refused.status_code == 400
    restore = client.post(f"/1on1s/{meeting}/notes/revisions/1/restore")
    assert restore.status_code == 400
    assert current(app, meeting) == (0, "")
