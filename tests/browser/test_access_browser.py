"""WCAG 2.2 checks only a browser can make: names that contain the visible text (2.5.3),
touch targets of at least 24 by 24 px on a phone (2.5.8), axe clean in the dark scheme."""

from __future__ import annotations

import json
import re

import pytest
from helpers import browser_sign_in, small_ladder

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser

# Where a link or button takes its name from aria-label or aria-labelledby, the words a
# sighted person reads on it must be in that name, or speech control cannot find it.
NAME_MISMATCHES = """() => {
  const norm = s => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
  const found = [];
  for (const el of document.querySelectorAll(
      'a[href], button, summary, input[type=submit], input[type=button], [role=button]')) {
    if (!el.checkVisibility()) continue;
    const by = el.getAttribute('aria-labelledby');
    let name = el.getAttribute('aria-label');
    if (by) name = by.split(/\\s+/).map(id => document.getElementById(id)?.innerText || '').join(' ');
    if (name === null) continue;  // named by its content, which is the visible text
    const visible = norm(el.innerText || el.value);
    if (visible && !norm(name).includes(visible)) found.push([el.outerHTML.slice(0, 120), name]);
  }
  return found;
}"""

# Controls that are not links inside a sentence (WCAG's "inline" exception): their box.
SMALL_TARGETS = """() => {
  const found = [];
  for (const el of document.querySelectorAll(
      'button, select, summary, input:not([type=hidden]), .rubric-nav a, nav a, .meta a')) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    let {width, height} = box;
    for (const label of el.labels || []) {  // a radio or checkbox: its label works it too
      const lb = label.getBoundingClientRect();
      width = Math.max(width, lb.width); height = Math.max(height, lb.height);
    }
    if (width < 24 || height < 24) found.push([el.outerHTML.slice(0, 100), Math.round(width), Math.round(height)]);
  }
  return found;
}"""


def axe(page, axe_source: str, rules: list[str] | None = None) -> list:
    """Run axe-core, all of its rules or only these (which turns on rules off by default)."""
    page.add_script_tag(content=axe_source)
    options = json.dumps({"runOnly": {"type": "rule", "values": rules}} if rules else {})
    result = page.evaluate(f"async () => (await axe.run(document, {options})).violations")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result]


@pytest.fixture
def pages(app, people, live_server, new_page):
    """Open the rubric (engineer), team, packet and 1:1 (manager): a function of options."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()

    def open_all(**options) -> dict:
        engineer = new_page(bypass_csp=True, **options)  # lets the injected axe-core run
        browser_sign_in(engineer, live_server, people.engineer)
        rubric_url = engineer.url.split("#")[0]
        with engineer.expect_response(lambda r: "/ratings/" in r.url):
            engineer.get_by_role("radiogroup", name="Code at Junior #1").get_by_label(
                "Sometimes"
            ).check()
        manager = new_page(bypass_csp=True, **options)
        browser_sign_in(manager, live_server, people.manager)
        found = {"rubric": engineer, "team": manager}
        packet = new_page(bypass_csp=True, **options)
        browser_sign_in(packet, live_server, people.manager)
        packet.goto(rubric_url + "/packet?target=mid")
        found["packet"] = packet
        meeting = new_page(bypass_csp=True, **options)
        browser_sign_in(meeting, live_server, people.manager)
        meeting.goto(rubric_url + "/1on1s")
        meeting.get_by_role("button", name="Start a 1:1").click()
        meeting.get_by_role("heading", name=re.compile("1:1 of Eli Engineer")).wait_for()
        found["1:1"] = meeting
        return found

    return open_all


def test_visible_text_is_part_of_every_accessible_name(pages, axe_source):
    found = {}
    for name, page in pages().items():
        found[name] = axe(page, axe_source, ["label-content-name-mismatch"])
        found[name] += page.evaluate(NAME_MISMATCHES)
    assert found == {name: [] for name in found}, json.dumps(found, indent=1)


def test_touch_targets_are_at_least_24_px_on_a_phone(pages, axe_source):
    found = {}
    for name, page in pages(viewport={"width": 390, "height": 844}).items():
        # From the top: scrolled, the sticky standing bar (a link in it) lies over the controls
        # below it, and axe measures the space left between targets as the screen shows them.
        page.evaluate("window.scrollTo(0, 0)")
        found[name] = axe(page, axe_source, ["target-size"]) + page.evaluate(SMALL_TARGETS)
    assert found == {name: [] for name in found}, json.dumps(found, indent=1)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_nothing_in_either_colour_scheme(pages, axe_source, scheme):
    found = {}
    for name, page in pages(color_scheme=scheme).items():
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is (
            scheme == "dark"
        )
        found[name] = axe(page, axe_source)
    assert found == {name: [] for name in found}, json.dumps(found, indent=1)
