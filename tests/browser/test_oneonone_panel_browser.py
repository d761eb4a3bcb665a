"""The 1:1 panel on the rubric page: what one person adds reaches the other without reload."""

from __future__ import annotations

import time

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


def test_manager_adds_agenda_and_action_the_engineer_sees_both_live(
    site, people, new_page, axe_violations, screenshot
):
    engineer = new_page(bypass_csp=True, viewport={"width": 1366, "height": 900})
    sign_in(engineer, site, people.engineer)
    rubric_url = engineer.url.split("#")[0]
    manager = new_page()
    sign_in(manager, site, people.manager)
    manager.goto(rubric_url)
    manager.get_by_role("button", name="Start a 1:1").click()
    manager.locator("#oneonone-sign").filter(has_text="1:1 under way").wait_for()
    # The engineer's page opens the panel by itself when the 1:1 starts.
    engineer.evaluate("window.rungsMarker = 'no reload'")
    engineer.locator("#oneonone-heading").filter(has_text="1:1 under way").wait_for(timeout=5000)

    manager.get_by_label("Talking point").fill("How the on-call week went")
    manager.get_by_role("button", name="Add to the agenda").click()
    manager.locator("#agenda-list").filter(has_text="How the on-call week went").wait_for()
    manager.get_by_label("Action", exact=True).fill("Write the on-call handbook")
    manager.locator("#action-form").get_by_role("button", name="Add").click()
    added = time.monotonic()
    manager.locator("#action-list").filter(has_text="Write the on-call handbook").wait_for()

    engineer.locator("#agenda-list").filter(has_text="How the on-call week went").wait_for(
        timeout=3000
    )
    engineer.locator("#action-list").filter(has_text="Write the on-call handbook").wait_for(
        timeout=3000
    )
    assert time.monotonic() - added < 3.5
    assert engineer.evaluate("window.rungsMarker") == "no reload"

    # Beside the rubric on a wide screen.
    panel = engineer.locator("#oneonone").bounding_box()
    main = engineer.locator(".rubric-main").bounding_box()
    assert panel["x"] > main["x"] + main["width"] - 1
    engineer.get_by_label("Only you ever see these (Markdown)").fill("My own thought")
    engineer.locator("#private-status").filter(has_text="Saved at").wait_for()
    assert axe_violations(engineer) == []
    engineer.locator("#oneonone").evaluate(
        "el => { document.activeElement.blur(); el.scrollTop = 0; }"
    )
    screenshot(engineer, "rubric-1on1-panel-1366")

    # Below it on a phone.
    engineer.set_viewport_size({"width": 390, "height": 844})
    engineer.reload()
    engineer.locator("#oneonone").wait_for()
    panel = engineer.locator("#oneonone").bounding_box()
    main = engineer.locator(".rubric-main").bounding_box()
    assert panel["y"] >= main["y"] + main["height"] - 1
    assert axe_violations(engineer) == []
    screenshot(engineer, "rubric-1on1-panel-390")
