"""In a real browser: the filter narrows as one types and is there again after a reload;
the ladder picture redraws itself when a click moves a level."""

from __future__ import annotations

import pytest
from helpers import browser_sign_in, small_ladder

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser


@pytest.fixture
def small(app, people, live_server):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    return live_server


def test_typing_filters_in_place_and_a_reload_keeps_the_filter(small, people, new_page):
    page = new_page()
    browser_sign_in(page, small, people.engineer)
    articles = page.locator("article.competency")
    assert articles.count() == 4  # Junior's; Mid-level loads when opened
    box = page.get_by_label("Text")
    box.click()
    box.press_sequentially("teamwork", delay=20)
    page.get_by_role("status").filter(has_text="Showing 4 of 8").wait_for()
    assert all("Teamwork" in t for t in articles.all_inner_texts())
    assert page.evaluate("document.activeElement.id") == "filter-q"  # typing goes on
    assert "q=teamwork" in page.url
    assert page.get_by_role("button", name="Clear filter").is_visible()  # without a reload
    page.get_by_label("Unrated").check()
    page.get_by_role("status").filter(has_text="Unrated, with “teamwork”").wait_for()
    page.goto(small + "/me")
    page.get_by_role("status").filter(has_text="Showing 4 of 8").wait_for()
    assert page.get_by_label("Text").input_value() == "teamwork"
    page.get_by_role("button", name="Clear filter").click()
    page.wait_for_function(  # a function, not an expression: the CSP allows no eval
        "() => document.querySelector('#filter-q').value === ''"
        " && document.querySelector('#filter-status').textContent === ''"
    )
    assert articles.count() == 4


def test_a_level_moving_click_redraws_the_ladder(small, people, new_page):
    page = new_page()
    browser_sign_in(page, small, people.engineer)
    here = page.locator("#ladder .rung.here")
    assert here.count() == 0
    for title in ("Code at Junior #1", "Code at Junior #2", "Teamwork at Junior #1"):
        with page.expect_response(lambda r: "/ratings/" in r.url):
            page.get_by_role("radiogroup", name=title).get_by_label("Consistently").check()
    with page.expect_response(lambda r: r.url.endswith("/ladder")):
        page.get_by_role("radiogroup", name="Teamwork at Junior #2").get_by_label(
            "Consistently"
        ).check()
    here.wait_for()
    assert "Junior" in here.inner_text() and "You are here" in here.inner_text()
