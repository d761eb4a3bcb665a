"""Every click lands: quick ratings while the page polls, and the keyboard, in Chromium."""

from __future__ import annotations

import random

import pytest
from helpers import browser_sign_in
from sqlalchemy import select

from app.extensions import db
from app.history.models import Event
from app.ladders import store
from app.ladders.synthetic import ladder as synthetic_ladder

pytestmark = pytest.mark.browser

STEPS = ("not-yet", "sometimes", "consistently")


@pytest.fixture
def site(app, people, live_server):
    with app.app_context():
        store.save(synthetic_ladder(30, levels=3, categories=5, key="clicks"))
        db.session.commit()
        ids = store.stored(store.by_key("clicks")).competency_ids
    return live_server, [ids[f"c{n}"] for n in range(1, 11)]  # the ten of Level 1


def chains(app, rubric_id: int) -> dict[int, list[tuple[str | None, str]]]:
    """Each competency's own-rating changes, oldest first, as (before, after)."""
    with app.app_context():
        events = db.session.scalars(
            select(Event)
            .where(Event.rubric_id == rubric_id, Event.kind == "rating.self")
            .order_by(Event.id)
        ).all()
        found: dict[int, list[tuple[str | None, str]]] = {}
        for e in events:
            found.setdefault(e.competency_id, []).append((e.before["step"], e.after["step"]))
        return found


def test_fifty_quick_clicks_across_ten_competencies_all_land(app, site, people, new_page):
    base, ids = site
    page = new_page()
    browser_sign_in(page, base, people.engineer)
    rubric_id = int(page.url.split("/rubrics/")[1].split("#")[0])
    rng = random.Random(7)
    last: dict[int, str] = {}
    for _ in range(50):
        cid, step = rng.choice(ids), rng.choice(STEPS)
        page.locator(f"#r{cid}-{step}").click(no_wait_after=True)
        last[cid] = step
        page.wait_for_timeout(rng.randint(20, 140))  # quick, and across a few polls
    page.wait_for_timeout(3000)  # let every request and two polls finish
    page.reload()
    for cid, step in last.items():
        assert page.locator(f"#r{cid}-{step}").is_checked(), (cid, step)
    # History holds one event per change that took effect: an unbroken chain per
    # competency, no event that changed nothing, ending at the last click.
    for cid, steps in chains(app, rubric_id).items():
        assert all(before != after for before, after in steps), steps
        assert all(a[1] == b[0] for a, b in zip(steps, steps[1:], strict=False)), steps
        assert steps[0][0] is None and steps[-1][1] == last[cid]
    assert set(chains(app, rubric_id)) == set(last)


def checked_step(page, cid: int) -> str | None:
    for step in STEPS:
        if page.locator(f"#r{cid}-{step}").is_checked():
            return step
    return None


def test_arrow_keys_settle_before_saving_and_space_saves_at_once(app, site, people, new_page):
    base, ids = site
    page = new_page()
    browser_sign_in(page, base, people.engineer)
    rubric_id = int(page.url.split("/rubrics/")[1].split("#")[0])
    first, second = ids[0], ids[1]
    page.locator(f"#r{first}-not-yet").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(120)
    assert chains(app, rubric_id).get(first) is None  # nothing saved while moving
    page.wait_for_timeout(1500)  # the pause
    final = checked_step(page, first)
    assert chains(app, rubric_id)[first] == [(None, final)]  # one change, no steps between

    page.locator(f"#r{second}-sometimes").focus()
    page.keyboard.press("Space")
    page.wait_for_timeout(400)  # well under the settling pause
    assert chains(app, rubric_id)[second] == [(None, "sometimes")]


def test_a_rating_that_cannot_be_sent_says_so_and_can_be_retried(app, site, people, new_page):
    base, ids = site
    page = new_page()
    browser_sign_in(page, base, people.engineer)
    rubric_id = int(page.url.split("/rubrics/")[1].split("#")[0])
    cid = ids[2]
    page.context.set_offline(True)
    page.locator(f"#r{cid}-consistently").click()
    alert = page.locator(f"#h-{cid} .save-problem")
    alert.wait_for()
    assert "Not saved" in alert.inner_text()
    page.context.set_offline(False)
    alert.get_by_role("button", name="Try again").click()
    alert.wait_for(state="detached")
    page.wait_for_timeout(500)
    assert chains(app, rubric_id)[cid] == [(None, "consistently")]
    assert page.locator(f"#r{cid}-consistently").is_checked()


def test_a_click_just_after_a_poll_redrew_the_competency_is_sent_by_htmx(
    app, site, people, new_page
):
    # A poll's swap leaves new content unprocessed until it settles; a click then must
    # not fall back to a plain form post, which reloads the page.
    base, ids = site
    page = new_page()
    browser_sign_in(page, base, people.engineer)
    cid = ids[0]
    page.evaluate(
        """(id) => {
          const head = document.getElementById(id);
          window.beforeTheClick = true;
          htmx.swap(head, head.outerHTML, {swapStyle: "outerHTML", settleDelay: 5000});
        }""",
        f"h-{cid}",
    )
    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.locator(f"#r{cid}-sometimes").click()
    assert sent.value.headers.get("hx-request") == "true"
    page.wait_for_timeout(300)
    assert page.evaluate("window.beforeTheClick === true")  # the page was not reloaded
