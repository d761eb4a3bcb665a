"""Two people on one rubric in two browsers: changes and presence arrive without reload."""

from __future__ import annotations

import pytest
from helpers import browser_sign_in as sign_in
from helpers import small_ladder

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(app, people, live_server):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    return live_server


def test_manager_and_engineer_see_each_other_live(site, people, new_page):
    engineer = new_page()
    sign_in(engineer, site, people.engineer)
    rubric_url = engineer.url.split("#")[0]
    engineer.evaluate("window.rungsMarker = 'no reload'")
    manager = new_page()
    sign_in(manager, site, people.manager)  # lands on the team page
    manager.goto(rubric_url)

    # Presence, both ways, within a few polls.
    engineer.locator("#presence").filter(has_text="Maya Manager is here").wait_for(timeout=8000)
    manager.locator("#presence").filter(has_text="Eli Engineer is here").wait_for(timeout=8000)

    # The manager rates: the engineer's page shows it, with who did it.
    manager.get_by_role("radiogroup", name="Code at Junior #1").get_by_label("Sometimes").check()
    head = engineer.locator(
        "article", has=engineer.get_by_role("radiogroup", name="Code at Junior #1")
    )
    head.get_by_text("Manager (Maya Manager):").wait_for(timeout=5000)
    assert "Sometimes" in head.locator(".theirs").inner_text()
    assert "Maya Manager" in head.locator(".theirs .hint").inner_text()

    # The engineer rates: the manager's page shows it too.
    engineer.get_by_role("radiogroup", name="Code at Junior #1").get_by_label(
        "Consistently"
    ).check()
    other = manager.locator(
        "article", has=manager.get_by_role("radiogroup", name="Code at Junior #1")
    )
    other.locator(".theirs").filter(has_text="Consistently").wait_for(timeout=5000)
    assert other.locator(".tag.warn").inner_text() == "different"
    assert engineer.evaluate("window.rungsMarker") == "no reload"

    # History lists both changes with their authors.
    engineer.goto(rubric_url + "/history")
    items = engineer.locator("ol.timeline li").all_inner_texts()
    assert any("Eli Engineer rated “Code at Junior #1” Consistently" in t for t in items)
    assert any("Maya Manager rated “Code at Junior #1” Sometimes as manager" in t for t in items)


def test_after_rating_the_engineer_still_gets_the_managers_badge_and_gaps_live(
    site, people, new_page
):
    engineer = new_page()
    sign_in(engineer, site, people.engineer)
    rubric_url = engineer.url.split("#")[0]
    # The engineer rates first: the answer replaces the form that sent it.
    engineer.get_by_role("radiogroup", name="Code at Junior #1").get_by_label(
        "Consistently"
    ).check()
    engineer.locator("#badge").filter(has_text="3 to go").wait_for(timeout=5000)
    manager = new_page()
    sign_in(manager, site, people.manager)
    manager.goto(rubric_url)
    manager.get_by_role("radiogroup", name="Code at Junior #2").get_by_label("Sometimes").check()
    manager.locator("#badge").filter(has_text="Eli Engineer").wait_for(timeout=5000)
    engineer.bring_to_front()  # a hidden tab does not poll
    # Long after the engineer's own click, the poll's badge is the freshest there is.
    engineer.locator("#badge .badge-other").filter(has_text="Manager").wait_for(timeout=8000)
