"""The rubric at a glance, in a real browser: the target list follows the track."""

from __future__ import annotations

import pytest
from helpers import browser_sign_in

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
