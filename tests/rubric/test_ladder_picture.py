"""The ladder picture: every level of the track as rungs, marking person, target, categories."""

from __future__ import annotations

import re

import pytest
from helpers import HX, open_rubric, rate, small_ladder

from app.extensions import db
from app.ladders import store


@pytest.fixture
def ladder(app):
    """Store the small ladder (Junior, Mid-level; Code, Teamwork) and return its ids by key."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        return dict(store.stored(store.by_key("small")).competency_ids)


def rungs(html: str) -> list[str]:
    """The text of each rung of the ladder, top first, tags stripped."""
    body = re.search(r'<ol class="ladder">(.*?)</ol>', html, re.S)
    assert body, "no ladder on the page"
    items = re.findall(r'<li class="rung[^"]*">(.*?)</li>', body.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_ladder_draws_every_level_top_first_with_nothing_reached(client, as_role, ladder):
    as_role("engineer")
    _, html = open_rubric(client)
    assert ">Your ladder</h2>" in html
    assert rungs(html) == ["Mid-level", "Junior Next"]
    assert "No level yet in Code, Teamwork" in html


def test_the_headings_say_what_the_pictures_show(client, as_role, ladder):
    as_role("engineer")
    _, html = open_rubric(client)
    assert ">Pictures<" not in html and "The numbers" not in html
    assert ">Progress by category</h2>" in html and ">Levels over time</h2>" in html
    assert "<summary>Level by category as a table</summary>" in html


def test_the_ladder_marks_the_person_the_target_and_each_category(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    client.post(f"/rubrics/{rubric_id}/settings", data={"track": "ic", "target": "mid"})
    for key in ("code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"):
        rate(client, rubric_id, ladder[key], "consistently")
    for key in ("code-mid-1", "code-mid-2"):
        rate(client, rubric_id, ladder[key], "consistently")
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert rungs(html) == [
        "Mid-level Target Categories at this level: Code",
        "Junior You are here Categories at this level: Teamwork",
    ]
    assert '<li class="rung reached here">' in html
    assert "No level yet in" not in html


def test_the_ladder_shows_where_the_other_side_puts_the_person(client, as_role, people, ladder):
    as_role("manager")
    owner = client.get(f"/people/{people.engineer.id}/rubric")
    rubric_id = int(owner.headers["Location"].rsplit("/", 1)[1])
    for key in ("code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"):
        rate(client, rubric_id, ladder[key], "consistently")
    client.post("/logout")
    as_role("engineer")
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert rungs(html)[1] == "Junior Manager sees you here Next"


def test_a_level_moving_click_asks_the_ladder_to_redraw_itself(client, as_role, ladder):
    as_role("engineer")
    rubric_id, html = open_rubric(client)
    assert (
        f'<div id="ladder" hx-get="/rubrics/{rubric_id}/ladder" hx-trigger="rungs:levels from:body"'
        in html
    )
    rate(client, rubric_id, ladder["code-junior-1"], "consistently")
    moved = rate(client, rubric_id, ladder["code-junior-2"], "consistently")
    assert moved.headers["HX-Trigger"] == "rungs:levels"
    drawn = client.get(f"/rubrics/{rubric_id}/ladder", headers=HX).get_data(as_text=True)
    assert "<html" not in drawn
    assert rungs(drawn) == ["Mid-level", "Junior Next Categories at this level: Code"]
    assert "No level yet in Teamwork" in drawn


def test_the_ladder_address_without_htmx_leads_to_the_page(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    response = client.get(f"/rubrics/{rubric_id}/ladder")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/rubrics/{rubric_id}#ladder"


def test_nobody_else_sees_the_ladder(client, as_role, people, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    client.post("/logout")
    as_role("other_engineer")
    assert client.get(f"/rubrics/{rubric_id}/ladder", headers=HX).status_code == 404


def test_monzo_leadership_stands_below_the_ladder_until_something_is_shown(client, as_role, monzo):
    as_role("engineer")
    _, html = open_rubric(client)
    assert len(rungs(html)) == 6
    ground = re.search(r'<p class="rung-ground">([^<]*)</p>', html)
    assert ground and "Leadership" in ground.group(1)


def test_the_live_poll_brings_the_other_sides_mark_onto_the_ladder(app, people, ladder):
    from helpers import sign_in

    engineer, manager = app.test_client(), app.test_client()
    sign_in(engineer, people.engineer)
    rubric_id, page = open_rubric(engineer)
    poll = re.search(r'id="live"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    sign_in(manager, people.manager)
    for key in ("code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"):
        rate(manager, rubric_id, ladder[key], "consistently")
    html = engineer.get(poll, headers=HX).get_data(as_text=True)
    assert '<div id="ladder" hx-swap-oob="innerHTML">' in html
    assert rungs(html)[1] == "Junior Manager sees you here Next"


def test_the_ladder_says_when_the_other_side_sees_no_level(client, as_role, people, ladder):
    as_role("manager")
    owner = client.get(f"/people/{people.engineer.id}/rubric")
    rubric_id = int(owner.headers["Location"].rsplit("/", 1)[1])
    rate(client, rubric_id, ladder["code-junior-1"], "sometimes")
    client.post("/logout")
    as_role("engineer")
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert '<p class="rung-ground">Manager\'s ratings: no level yet</p>' in html
