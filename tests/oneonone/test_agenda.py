"""The 1:1 panel: agenda, private notes and action items, on the rubric page and live."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from helpers import HX, csrf_from, rate, sign_in

from app.clock import utcnow


def start(client, rubric_id) -> int:
    response = client.post(f"/rubrics/{rubric_id}/1on1s")
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def poller(html: str) -> str:
    return re.search(r'id="live"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def add_point(client, rubric_id, text, htmx=True):
    return client.post(
        f"/rubrics/{rubric_id}/agenda",
        data={"text": text, "back": "rubric"},
        headers=HX if htmx else {},
    )


def test_the_rubric_page_shows_a_1on1_under_way_with_its_panel(pair):
    engineer, manager, rubric_id, _ = pair
    before = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "<strong>1:1 under way</strong>" not in before and "Start a 1:1" in before
    started = manager.post(f"/rubrics/{rubric_id}/1on1s", data={"back": "rubric"})
    assert started.headers["Location"].endswith(f"/rubrics/{rubric_id}#oneonone")
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "<strong>1:1 under way</strong>" in page and 'href="#oneonone"' in page
    aside = page.split('<aside id="oneonone"', 1)[1]
    for heading in ("Agenda", "Shared notes", "My private notes", "Action items"):
        assert f">{heading}</h3>" in aside, heading
    assert "Changes during this 1:1" in aside and 'id="notes-text"' in aside


def test_either_person_adds_to_the_agenda_before_the_1on1(pair, people):
    engineer, manager, rubric_id, _ = pair
    added = add_point(engineer, rubric_id, "Conference budget")
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert 'id="agenda-list" class="agenda" hx-swap-oob="true"' in html
    assert (
        "Conference budget" in html
        and 'id="agenda-text" type="text" name="text" maxlength="300" value=""' in html
    )
    assert add_point(manager, rubric_id, "Team move", htmx=False).status_code == 303
    page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Conference budget" in page and "Team move" in page and "Eli Engineer" in page


def test_unticked_items_carry_over_to_the_next_1on1(pair):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    add_point(engineer, rubric_id, "Reached")
    add_point(engineer, rubric_id, "Not reached")
    page = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    reached = re.search(
        r'/agenda/(\d+)/done"[^>]*>\s*(?:<[^>]+>\s*){3}<button[^>]*aria-label="Talked about: Reached"',
        page,
    )
    assert reached
    ticked = engineer.post(f"/agenda/{reached.group(1)}/done", data={"done": "1"}, headers=HX)
    assert 'aria-pressed="true" aria-label="Talked about: Reached"' in ticked.get_data(as_text=True)
    manager.post(f"/1on1s/{meeting}/end", data={"confirm": "y"})
    second = start(manager, rubric_id)
    html = engineer.get(f"/1on1s/{second}").get_data(as_text=True)
    day = utcnow().strftime("%-d %b %Y")
    assert "Not reached" in html and f"carried over from the 1:1 of {day}" in html
    assert "Talked about: Reached" not in html  # ticked in the first 1:1, not on this one
    assert "Talked about: Reached" in engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_or_long_talking_point_is_refused_with_the_text_kept(pair, htmx):
    engineer, manager, rubric_id, _ = pair
    start(manager, rubric_id)
    long = "x" * 301
    refused = add_point(engineer, rubric_id, long, htmx=htmx)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Keep a talking point under 300 characters." in html and f'value="{long}"' in html
    empty = add_point(engineer, rubric_id, "   ", htmx=htmx)
    assert empty.status_code == 422 and "Say what you want to talk about." in empty.get_data(
        as_text=True
    )


def test_an_action_item_without_text_is_refused_with_the_rest_kept(pair, people):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    refused = manager.post(
        f"/1on1s/{meeting}/actions",
        data={"text": "", "owner": str(people.engineer.id), "due": "2026-12-24", "back": "rubric"},
        headers=HX,
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Say what needs doing." in html
    assert 'value="2026-12-24"' in html


def test_overdue_action_items_are_marked(pair, people):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    late = (date.today() - timedelta(days=3)).isoformat()
    soon = (date.today() + timedelta(days=3)).isoformat()
    for text, due in (("Late one", late), ("Soon one", soon)):
        manager.post(
            f"/1on1s/{meeting}/actions",
            data={"text": text, "owner": str(people.engineer.id), "due": due},
            headers=HX,
        )
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "1 overdue" in page
    late_item = page.split("Late one", 1)[1].split("</li>", 1)[0]
    soon_item = page.split("Soon one", 1)[1].split("</li>", 1)[0]
    assert "overdue" in late_item and "overdue" not in soon_item


def test_another_engineer_can_neither_read_nor_add(app, pair, people):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    add_point(engineer, rubric_id, "Mine")
    page = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    item = re.search(r"/agenda/(\d+)/done", page).group(1)
    stranger = app.test_client()
    sign_in(stranger, people.other_engineer)
    assert add_point(stranger, rubric_id, "Sneaky").status_code == 404
    assert stranger.post(f"/agenda/{item}/done", data={"done": "1"}).status_code == 404
    assert stranger.post(f"/1on1s/{meeting}/private", data={"text": "x"}).status_code == 404
    assert stranger.get(f"/1on1s/{meeting}").status_code == 404
    assert stranger.get(f"/1on1s/{meeting}/live?since=0", headers=HX).status_code == 404
    assert "Sneaky" not in engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)


def test_panel_posts_need_a_csrf_token(make_app, people, pair):
    _, _, rubric_id, _ = pair
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
    assert client.post(f"/rubrics/{rubric_id}/agenda", data={"text": "No token"}).status_code == 400
    token = csrf_from(client.get(f"/rubrics/{rubric_id}").get_data(as_text=True))
    ok = client.post(
        f"/rubrics/{rubric_id}/agenda", data={"text": "With token", "csrf_token": token}
    )
    assert ok.status_code == 303
    assert "No token" not in client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)


def test_private_notes_reach_nobody_else(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    meeting = start(manager, rubric_id)
    secret = "Ask for a raise quietly"
    saved = engineer.post(f"/1on1s/{meeting}/private", data={"text": secret}, headers=HX)
    assert saved.status_code == 200 and "Saved at" in saved.get_data(as_text=True)
    manager.post(f"/1on1s/{meeting}/private", data={"text": "Manager thinks aloud"}, headers=HX)
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    assert secret in engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert secret in engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    admin = app.test_client()
    sign_in(admin, people.admin)
    others = [
        manager.get(f"/1on1s/{meeting}"),
        manager.get(f"/rubrics/{rubric_id}"),
        manager.get(f"/rubrics/{rubric_id}/live?since=0", headers=HX),
        manager.get(f"/1on1s/{meeting}/live?since=0", headers=HX),
        manager.get(f"/rubrics/{rubric_id}/history"),
        manager.get(f"/rubrics/{rubric_id}/packet"),
        manager.get(f"/rubrics/{rubric_id}/packet.md"),
        manager.get(f"/rubrics/{rubric_id}/export.csv"),
        manager.get(f"/rubrics/{rubric_id}/export.json"),
        admin.get(f"/1on1s/{meeting}"),
        admin.get(f"/rubrics/{rubric_id}"),
        engineer.get(f"/rubrics/{rubric_id}/history"),  # history is shared: not even one's own
    ]
    for response in others:
        assert response.status_code in (200, 204), response.request.path
        assert secret not in response.get_data(as_text=True), response.request.path
    record = zipfile.ZipFile(io.BytesIO(engineer.get("/me/record.zip").data))
    text = "".join(record.read(name).decode() for name in record.namelist())
    assert secret in text and "Manager thinks aloud" not in text


def test_agenda_and_actions_reach_the_other_page_by_the_poll(pair, people):
    engineer, manager, rubric_id, _ = pair
    meeting = start(manager, rubric_id)
    rubric_page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    meeting_page = engineer.get(f"/1on1s/{meeting}").get_data(as_text=True)
    assert engineer.get(poller(rubric_page), headers=HX).status_code == 204
    add_point(manager, rubric_id, "Hiring plan")
    manager.post(
        f"/1on1s/{meeting}/actions",
        data={"text": "Write the plan", "owner": str(people.manager.id)},
        headers=HX,
    )
    for url in (poller(rubric_page), poller(meeting_page)):
        html = engineer.get(url, headers=HX).get_data(as_text=True)
        assert (
            'id="agenda-list" class="agenda" hx-swap-oob="true"' in html and "Hiring plan" in html
        )
        assert '<div id="action-list" hx-swap-oob="true">' in html and "Write the plan" in html
        assert 'id="agenda-text"' not in html  # what the engineer types is never swapped
        assert engineer.get(poller(html), headers=HX).status_code == 204


def test_a_1on1_started_elsewhere_opens_the_panel_by_the_poll(pair):
    engineer, manager, rubric_id, _ = pair
    page = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    start(manager, rubric_id)
    html = engineer.get(poller(page), headers=HX).get_data(as_text=True)
    assert '<aside id="oneonone" class="oneonone-panel"' in html and "1:1 under way" in html
    assert 'id="oneonone-sign" class="oneonone-sign under-way" hx-swap-oob="true"' in html
