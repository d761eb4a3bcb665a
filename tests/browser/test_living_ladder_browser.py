"""The living ladder in a real browser: a suggestion accepted, published, and seen by its author."""

from __future__ import annotations

import json

import pytest
from helpers import axe_violations, browser_sign_in, small_ladder

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser


@pytest.fixture
def small(app, people, live_server):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        cid = store.stored(store.by_key("small")).competency_ids["code-junior-1"]
    return live_server, cid


def test_a_suggested_wording_is_accepted_published_and_the_rating_kept(
    small, people, new_page, axe_source, screenshot
):
    site, cid = small
    engineer = new_page(bypass_csp=True)
    browser_sign_in(engineer, site, people.engineer)
    card = engineer.locator(f"#c-{cid}")
    with engineer.expect_response(lambda r: f"/ratings/{cid}" in r.url and r.ok):
        card.get_by_label("Consistently").check()
    card.locator("summary", has_text="About this competency").click()
    card.get_by_role("link", name="Suggest better words").click()
    engineer.get_by_label("Suggested title").fill("Writes code others can read")
    engineer.get_by_label("Why this is better").fill("Says what good looks like.")
    engineer.get_by_role("button", name="Send the suggestion").click()
    engineer.get_by_text("Thank you: your suggestion").wait_for()

    admin = new_page()
    browser_sign_in(admin, site, people.admin)
    admin.goto(f"{site}/ladders/small/suggestions")
    admin.get_by_role("link", name="Writes code others can read").click()
    admin.get_by_role("button", name="Accept into the draft").click()
    admin.get_by_role("heading", name="Draft of Small ladder").wait_for()
    admin.get_by_label("What this version changes").fill("Clearer words for the first one.")
    admin.get_by_role("button", name="Publish").click()
    admin.get_by_text("Published version 2 of Small ladder.").wait_for()

    engineer.goto(f"{site}/me")
    card = engineer.locator(f"#c-{cid}")
    assert card.locator("input[value=consistently]").is_checked()  # the rating is kept
    assert card.get_by_text("Wording changed since you rated it").is_visible()
    news = engineer.locator("#what-changed")
    assert news.get_by_role("link", name="Writes code others can read").is_visible()
    assert news.locator("ins", has_text="Writes").count() >= 1
    assert news.locator("del", has_text="Code").count() >= 1
    assert "With suggestions from Eli Engineer." in news.inner_text()
    # The header's badge says there is news; the list names the suggestion's outcome.
    assert engineer.locator("#notifications-badge .count").inner_text() == "2"
    engineer.locator("#notifications-badge").click()
    assert engineer.get_by_text("Ada Admin accepted your ladder suggestion").is_visible()
    engineer.go_back()
    screenshot(engineer, "what-changed")
    engineer.goto(f"{site}/me")
    violations = axe_violations(engineer, axe_source)
    assert violations == [], json.dumps(violations, indent=1)
