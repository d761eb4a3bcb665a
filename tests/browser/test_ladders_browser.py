"""The ladder pages in a browser: search as you type, and the same without JavaScript."""

from __future__ import annotations

import pytest
from helpers import browser_sign_in as sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def site(app, runner, people, live_server):
    assert runner.invoke(args=["ladder", "load-default"]).exit_code == 0
    return live_server


def visible_titles(page) -> int:
    return page.locator("#grid details summary").count()


@pytest.mark.parametrize("javascript", [True, False])
def test_search_filters_the_grid(site, people, new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    sign_in(page, site, people.engineer)
    page.goto(f"{site}/ladders/engineering")
    everything = visible_titles(page)
    page.evaluate("window.rungsMarker = 1") if javascript else None
    page.get_by_label("Search competencies").fill("design doc")
    if javascript:
        page.locator("#grid [role=status]").filter(has_text="match").wait_for()
        assert page.evaluate("window.rungsMarker") == 1  # filtered in place
    else:
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
    assert "q=design+doc" in page.url.replace("%20", "+")  # the address can be shared
    found = visible_titles(page)
    assert 0 < found < everything
    # Details expand in place.
    first = page.locator("#grid details").first
    first.locator("summary").click()
    assert first.locator("p").first.is_visible()


def test_compare_two_levels(site, people, new_page):
    page = new_page(java_script_enabled=False)
    sign_in(page, site, people.engineer)
    page.goto(f"{site}/ladders/engineering")
    page.get_by_role("link", name="Compare two levels").click()
    page.get_by_label("From", exact=True).select_option(label="Senior Engineer")
    page.get_by_label("To", exact=True).select_option(label="Staff Engineer")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "What changes from Senior Engineer to Staff Engineer"
    )
    assert page.get_by_role("heading", name="Added up to Staff Engineer").count() == 5
