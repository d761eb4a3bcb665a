"""What only a browser proves: in-place updates, safe evidence, no-JS forms, accessibility."""

from __future__ import annotations

import json
import re

import pytest
from helpers import axe_violations, small_ladder
from helpers import browser_sign_in as sign_in

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(app, people, live_server):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    return live_server


def test_rating_updates_badge_and_gaps_without_reload(site, people, new_page):
    page = new_page()
    sign_in(page, site, people.engineer)
    page.evaluate("window.rungsMarker = 'still here'")
    gaps = page.get_by_role("region", name="Next-level gaps")
    assert "8 to go for Junior" not in gaps.inner_text()  # "all" rule: 4 to go for Junior
    assert "4 to go for Junior" in gaps.inner_text()
    for title in ("Code at Junior #1", "Code at Junior #2", "Teamwork at Junior #1"):
        page.get_by_role("radiogroup", name=title).get_by_label("Consistently").check()
        gaps.get_by_role("link", name=title).wait_for(state="detached")
    assert "1 to go for Junior" in gaps.inner_text()
    badge = page.locator("#badge")
    assert "No level yet" in badge.inner_text()
    page.get_by_role("radiogroup", name="Teamwork at Junior #2").get_by_label(
        "Consistently"
    ).check()
    # Exactly "Junior": the badge said "No level yet, approaching Junior" a click earlier.
    page.locator("#badge strong").filter(has_text=re.compile(r"^Junior$")).wait_for()
    assert badge.get_attribute("aria-live") == "polite"
    assert "4 to go for Mid-level" in gaps.inner_text()
    assert page.evaluate("window.rungsMarker") == "still here"  # the same page all along
    # A reload shows the saved state; reached levels start collapsed and open on demand.
    page.reload()
    assert not page.get_by_role("radiogroup", name="Teamwork at Junior #2").is_visible()
    page.locator("#level-junior > summary").click()
    group = page.get_by_role("radiogroup", name="Teamwork at Junior #2")
    assert group.get_by_label("Consistently").is_checked()


def test_evidence_shows_script_as_text_and_refuses_javascript_links(site, people, new_page):
    page = new_page()
    sign_in(page, site, people.engineer)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    article = page.locator("article").filter(
        has=page.get_by_role("radiogroup", name="Code at Junior #1")
    )
    article.get_by_role("link", name="0 evidence").click()
    article.get_by_label("Evidence").fill("<script>alert(1)</script> fixed the build")
    article.get_by_role("button", name="Add evidence").click()
    article.get_by_text("<script>alert(1)</script> fixed the build").wait_for()
    assert article.get_by_role("link", name="1 evidence").is_visible()
    article.get_by_label("Evidence").fill("[click me](javascript:alert(2))")
    article.get_by_role("button", name="Add evidence").click()
    article.get_by_text("Links must start with http://, https:// or mailto:").wait_for()
    assert article.get_by_role("link", name="click me").count() == 0
    assert dialogs == []


def test_rating_works_with_javascript_disabled(site, people, new_page):
    page = new_page(java_script_enabled=False)
    sign_in(page, site, people.engineer)
    group = page.get_by_role("radiogroup", name="Code at Junior #1")
    group.get_by_label("Sometimes").check()
    article = page.locator("article").filter(has=group)
    article.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.url.endswith("#c-" + article.get_attribute("id").split("-")[1])
    group = page.get_by_role("radiogroup", name="Code at Junior #1")
    assert group.get_by_label("Sometimes").is_checked()
    assert "partly" in page.get_by_role("region", name="Next-level gaps").inner_text()


def test_no_accessibility_violations(site, people, new_page, axe_source):
    # The pages' CSP forbids inline script, so this context lets the injected axe-core run.
    page = new_page(bypass_csp=True)
    page.goto(f"{site}/login")
    assert axe_violations(page, axe_source) == []
    sign_in(page, site, people.engineer)
    page.get_by_role("radiogroup", name="Code at Junior #1").get_by_label("Sometimes").check()
    page.locator("#gaps-body .tag").filter(has_text="partly").wait_for()
    violations = axe_violations(page, axe_source)
    assert violations == [], json.dumps(violations, indent=1)


def test_the_levels_chart_arrives_when_scrolled_to_and_is_a_link_without_javascript(
    site, people, new_page
):
    page = new_page()
    sign_in(page, site, people.engineer)
    page.locator("#steps").scroll_into_view_if_needed()
    page.locator("#steps svg").wait_for()  # the page itself sent a link; htmx swapped it
    assert page.locator("#steps .chart-table").count() == 1
    plain = new_page(java_script_enabled=False)
    sign_in(plain, site, people.engineer)
    plain.get_by_role("link", name="Show how the levels moved over time").click()
    plain.wait_for_load_state()
    assert plain.get_by_role("heading", name="Levels over time").is_visible()
    assert plain.locator("figure svg").count() == 1
    assert plain.get_by_text("Levels by day as a table").is_visible()
