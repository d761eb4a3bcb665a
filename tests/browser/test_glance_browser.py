"""The rubric at a glance, in a real browser: track and target, open evidence panels."""

from __future__ import annotations

import json

import pytest
from helpers import axe_violations, browser_sign_in, small_ladder

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(runner, people, live_server):
    assert runner.invoke(args=["ladder", "load-default"]).exit_code == 0
    return live_server


def test_choosing_a_track_offers_its_levels_as_targets(site, people, new_page):
    page = new_page()
    browser_sign_in(page, site, people.engineer)
    target = page.get_by_label("Target level")
    assert "Staff Engineer" in target.inner_text()
    page.get_by_label("Track").select_option(label="Engineering manager")
    page.wait_for_function(
        "() => document.querySelector('#target').textContent.includes('Engineering Manager')"
    )
    assert "Staff Engineer" not in page.get_by_label("Target level").inner_text()
    page.get_by_label("Target level").select_option(label="Engineering Manager")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Track and target saved").is_visible()


def test_two_open_evidence_panels_keep_their_own_boxes_and_pass_axe(
    site, people, new_page, axe_source
):
    page = new_page(bypass_csp=True)  # lets the injected axe-core run
    browser_sign_in(page, site, people.engineer)
    articles = page.locator("article.competency")
    first, second = articles.nth(0), articles.nth(1)
    for article in (first, second):
        article.get_by_role("link", name="0 evidence").click()
        article.get_by_role("button", name="Add evidence").wait_for()
    # Clicking the second panel's label focuses the second panel's box.
    second.locator("label", has_text="Evidence").first.click()
    focused = page.evaluate("document.activeElement.closest('article').id")
    assert focused == second.get_attribute("id")
    violations = axe_violations(page, axe_source)
    assert violations == [], json.dumps(violations, indent=1)


@pytest.fixture
def small(app, people, live_server):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    return live_server


@pytest.mark.parametrize("width", [1366, 390])
def test_the_standing_bar_shows_a_new_level_without_scrolling(small, people, new_page, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 500})
    browser_sign_in(page, small, people.engineer)
    bar = page.locator(".standing-bar")
    assert "No level yet" in bar.inner_text() and "4 to go" in bar.inner_text()
    titles = ("Code at Junior #1", "Code at Junior #2", "Teamwork at Junior #1")
    for title in (*titles, "Teamwork at Junior #2"):
        group = page.get_by_role("radiogroup", name=title)
        group.scroll_into_view_if_needed()
        group.get_by_label("Consistently").check()
    page.locator("#badge", has_text="Mid-level").wait_for()  # the next target: Junior reached
    assert page.evaluate("window.scrollY") > 0  # the click happened far below the top
    box = bar.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 500  # in the viewport
    standing = bar.locator("#badge").inner_text().split()  # beside it: "Find a competency"
    assert standing == ["You:", "Junior", "→", "Mid-level:", "4", "to", "go"]
