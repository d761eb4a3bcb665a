"""The packet, team and 1:1 pages pass axe; the link copies; times follow the browser's zone."""

from __future__ import annotations

import json
import re

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
    return live_server


def rate_first(page, label="Consistently"):
    """Rate Code at Junior #1 on the rubric page open in a browser, and wait for the answer."""
    with page.expect_response(lambda r: "/ratings/" in r.url and r.request.method == "POST"):
        page.get_by_role("radiogroup", name="Code at Junior #1").get_by_label(label).check()


def test_packet_team_and_1on1_pages_pass_axe(small, people, new_page, axe_source):
    engineer = new_page()
    browser_sign_in(engineer, small, people.engineer)
    rubric_url = engineer.url.split("#")[0]
    rate_first(engineer)
    engineer.goto(rubric_url)
    engineer.locator("article.competency").first.get_by_role("link", name="0 evidence").click()
    engineer.get_by_label("Evidence").first.fill("Shipped the **importer** with tests")
    engineer.get_by_role("button", name="Add evidence").first.click()
    engineer.get_by_text("Shipped the").first.wait_for()

    manager = new_page(bypass_csp=True)  # lets the injected axe-core run
    browser_sign_in(manager, small, people.manager)  # lands on the team page
    assert "/team" in manager.url
    found = {"team": axe_violations(manager, axe_source)}
    manager.goto(rubric_url + "/packet?target=mid")
    manager.get_by_label(re.compile("Sign off although 7 competencies")).wait_for()
    found["packet"] = axe_violations(manager, axe_source)
    manager.get_by_label(re.compile("Sign off although")).check()
    manager.get_by_label("Comment (Markdown)").fill("Ready, see **the launch**")
    manager.get_by_role("button", name="Sign off").click()
    manager.get_by_role("button", name="Withdraw my sign-off").wait_for()
    found["signed packet"] = axe_violations(manager, axe_source)
    manager.goto(rubric_url + "/1on1s")
    manager.get_by_role("button", name="Start a 1:1").click()
    manager.get_by_role("heading", name=re.compile("1:1 of Eli Engineer")).wait_for()
    found["1:1"] = axe_violations(manager, axe_source)
    assert found == {k: [] for k in found}, json.dumps(found, indent=1)


def test_the_invitation_link_copies_and_says_so(people, live_server, new_page, axe_source):
    page = new_page(bypass_csp=True, permissions=["clipboard-read", "clipboard-write"])
    browser_sign_in(page, live_server, people.admin)
    page.goto(live_server + "/admin/users")
    page.get_by_label("Email").fill("nico@example.com")
    page.get_by_label("Name").fill("Nico Newbie")
    page.get_by_role("button", name="Invite").click()
    link = page.get_by_label("Invitation link (shown once):").input_value()
    page.get_by_role("button", name="Copy link").click()
    page.locator("#invite-link-status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    found = {"people": axe_violations(page, axe_source)}
    page.goto(live_server + "/account")
    found["account"] = axe_violations(page, axe_source)
    assert found == {"people": [], "account": []}, json.dumps(found, indent=1)


def test_times_follow_the_browsers_zone(small, people, new_page):
    page = new_page(timezone_id="Asia/Tokyo")
    browser_sign_in(page, small, people.engineer)
    rubric_url = page.url.split("#")[0]
    rate_first(page, "Sometimes")
    page.goto(rubric_url + "/history")
    stamp = page.locator("ol.timeline time").first
    assert stamp.inner_text().endswith(" JST")
    assert stamp.get_attribute("datetime").endswith("Z")
