"""The ladder pages in a browser: search as you type, and the same without JavaScript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import browser_sign_in as sign_in

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "ladders" / "fixtures"


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


@pytest.mark.parametrize("javascript", [True, False])
def test_an_admin_previews_several_files_switches_the_layout_and_applies(
    app, people, live_server, new_page, screenshot, javascript
):
    page = new_page(java_script_enabled=javascript)
    sign_in(page, live_server, people.admin)
    page.goto(f"{live_server}/ladders/import")
    page.get_by_label("Ladder file(s)").set_input_files(
        [FIXTURES / "per-level" / "engineer-1.md", FIXTURES / "per-level" / "engineer-2.md"]
    )
    page.get_by_label("Several files").select_option(
        label="Each file holds levels: one after the other"
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview: Engineer").wait_for()
    grid = page.get_by_role("table", name="Engineer: levels by categories")
    assert grid.get_by_role("rowheader").all_inner_texts()[1].startswith("Software Engineer 2")
    screenshot(page, f"preview-several-files-js-{javascript}")

    page.goto(f"{live_server}/ladders/import")
    page.get_by_label("Ladder file(s)").set_input_files(FIXTURES / "categories-levels.md")
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_label("Read the file as").input_value() == "categories-levels"
    page.get_by_label("Read the file as").select_option("levels-categories")
    page.get_by_role("button", name="Read again").click()
    page.get_by_role("rowheader", name="Communication").wait_for()
    screenshot(page, f"preview-switched-layout-js-{javascript}")
    page.get_by_role("button", name="Apply import").first.click()  # a new ladder: applied now
    page.wait_for_url(f"{live_server}/ladders/categories-levels")
    assert "Imported Support engineering framework" in page.inner_text("body")


def test_the_preview_has_no_accessibility_violations(
    app, people, live_server, new_page, axe_violations, screenshot
):
    page = new_page(bypass_csp=True)
    sign_in(page, live_server, people.admin)
    page.goto(f"{live_server}/ladders/import")
    page.get_by_label("Ladder file(s)").set_input_files(FIXTURES / "levels-categories.md")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Read with 3 notes").wait_for()
    screenshot(page, "preview-notes")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
