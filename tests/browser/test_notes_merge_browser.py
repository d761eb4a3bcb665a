"""Two people type into the shared 1:1 notes at the same time: every line of both is kept."""

from __future__ import annotations

import random
import re
import time

import pytest
from flask import request
from helpers import browser_sign_in as sign_in
from helpers import small_ladder
from sqlalchemy import select

from app.extensions import db
from app.ladders import store
from app.oneonone.models import Meeting, NoteRevision

pytestmark = pytest.mark.browser

TYPING_SECONDS = 20


@pytest.fixture
def site(app, people, live_server):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    return live_server


def type_line(page, text: str, pause: float) -> None:
    """Type one line at the end of the notes, key by key, as a person would."""
    box = page.locator("#notes-text")
    box.focus()
    box.press("Control+End")
    box.press_sequentially(f"\n{text}", delay=25)
    time.sleep(pause)


def settled(page) -> None:
    """Wait until nothing typed in this page is unsaved."""
    page.wait_for_function(
        "() => document.getElementById('notes-status').textContent.includes('Saved at')"
    )


def slow_saves(app, seconds: float) -> None:
    """Make every save of the notes take a while, as on a slow connection."""

    @app.before_request
    def wait():
        if request.method == "POST" and request.path.endswith("/notes"):
            time.sleep(seconds)


def open_both(site, people, new_page):
    """Sign both in and start a 1:1: the manager on the 1:1 page, the engineer on the rubric."""
    engineer = new_page(viewport={"width": 1366, "height": 900})
    sign_in(engineer, site, people.engineer)
    rubric_url = engineer.url.split("#")[0]
    manager = new_page(bypass_csp=True, viewport={"width": 1366, "height": 900})  # for axe
    sign_in(manager, site, people.manager)
    manager.goto(rubric_url)
    manager.get_by_role("button", name="Start a 1:1").click()
    manager.get_by_role("link", name="Open the 1:1 page").first.click()
    engineer.locator("#notes-text").wait_for(timeout=5000)
    manager.locator("#notes-text").wait_for()
    return manager, engineer


def final_lines(app, pages) -> list[str]:
    """Reload every page: each shows the stored notes; return their lines."""
    with app.app_context():
        stored = db.session.scalars(select(Meeting)).one().notes
    for page in pages:
        page.reload()
        assert page.locator("#notes-text").input_value() == stored
    return stored.split("\n")


def test_typing_on_while_a_slow_save_travels_keeps_every_key(app, site, people, new_page):
    # Each save takes 0.9 s: the manager types on meanwhile, and the answer (merged with the
    # engineer's lines) must not replace what was typed after the save left.
    slow_saves(app, 0.9)
    manager, engineer = open_both(site, people, new_page)
    typed = []
    for n in range(1, 9):
        type_line(engineer, f"B{n}", 0.0)
        typed.append(f"B{n}")
        for k in range(3):
            type_line(manager, f"A{n}.{k}", 0.35)
            typed.append(f"A{n}.{k}")
    settled(manager)
    settled(engineer)
    time.sleep(2.5)
    settled(manager)
    settled(engineer)
    lines = final_lines(app, (manager, engineer))
    assert [line for line in typed if line not in lines] == []


def test_two_people_typing_at_once_lose_no_line(
    app, site, people, new_page, screenshot, axe_violations
):
    manager, engineer = open_both(site, people, new_page)
    typed: list[str] = []
    rng = random.Random(13)
    ends = time.monotonic() + TYPING_SECONDS
    n = 0
    while time.monotonic() < ends:
        n += 1
        for page, who in ((manager, "A"), (engineer, "B")):
            line = f"{who}{n}"
            type_line(page, line, rng.uniform(0.05, 0.6))
            typed.append(line)
    assert n >= 8  # both really typed for the whole time
    settled(manager)
    settled(engineer)
    time.sleep(2.5)  # one more poll each way: both pages show the last revision
    settled(manager)
    settled(engineer)

    lines = final_lines(app, (manager, engineer))
    assert [line for line in typed if line not in lines] == []
    assert not any(line.startswith("<<<<<<<") for line in lines)  # new lines are no clash
    # Every stored revision is in the history of the notes, with its author.
    with app.app_context():
        numbers = sorted(db.session.scalars(select(NoteRevision.number)))
    history = manager.locator("#revisions").inner_text()
    shown = sorted(int(m) for m in re.findall(r"Revision (\d+) by", history))
    assert shown == numbers and len(numbers) >= 4
    assert "by Maya Manager" in history and "by Eli Engineer" in history
    assert axe_violations(manager) == []  # the 1:1 page with its history of revisions
    manager.locator("#revisions").scroll_into_view_if_needed()
    screenshot(manager, "notes-merged-history")
