"""The promotion packet: every level up to the target by category, sign-off and withdrawal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import open_rubric, rate
from sqlalchemy import select

from app.extensions import db
from app.history.models import Event
from app.ladders import store

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ladders"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="shared/ladders is not beside the repo"
)


def section(html: str, category_key: str) -> str:
    """The HTML of one category's part of the packet."""
    match = re.search(
        rf'<section class="packet-category" aria-labelledby="packet-{category_key}">(.*?)</section>',
        html,
        re.S,
    )
    assert match, f"no section for {category_key}"
    return match.group(1)


def part(html: str, heading: str) -> str:
    """The part of a category's HTML under "Demonstrated" or "Still open"."""
    demonstrated, still_open = html.split("<h3>Still open</h3>")
    return demonstrated if heading == "Demonstrated" else still_open


def signoff_events(app) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(select(Event).where(Event.kind.like("signoff%"))))


def sign(manager, rubric_id, **extra):
    data = {"target": "mid", "date": "2026-11-26", "comment": "Ready, see **the launch**"}
    return manager.post(f"/rubrics/{rubric_id}/packet/signoff", data=data | extra)


@needs_shared
def test_the_packet_covers_every_level_up_to_the_target_by_category(app, client, as_role, runner):
    done = runner.invoke(args=["ladder", "import", str(SHARED / "monzo-backend.md")])
    assert done.exit_code == 0, done.output
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    with app.app_context():
        stored = store.stored(store.by_key("monzo-backend"))
        index = stored.index(stored.spec.tracks[0].key)
        target = index.levels[2]  # level 3, where Leadership starts
        wanted = [c.title for row in index.cells[:3] for cell in row for c in cell]
        beyond = [c.title for cell in index.cells[3] for c in cell if c.title not in wanted]
    html = client.get(f"/rubrics/{rubric_id}/packet?target={target.key}").get_data(as_text=True)
    assert f"0 demonstrated, {len(wanted)} still open" in html
    assert all(title.replace("'", "&#39;") in html for title in wanted[:: len(wanted) // 10])
    assert beyond and not any(f"<li>{title} " in html for title in beyond)
    assert "Leadership" in [
        h.strip() for h in re.findall(r"<h2 id=\"packet-[^\"]+\">([^<]+)", html)
    ]


def test_demonstrated_with_shared_evidence_and_open_apart(app, pair):
    engineer, manager, rubric_id, ids = pair
    cid = ids["code-junior-1"]
    rate(engineer, rubric_id, cid, "consistently")
    rate(engineer, rubric_id, ids["code-mid-1"], "sometimes")
    for body, private in (("Led the **migration**", ""), ("my private doubt", "y")):
        engineer.post(
            f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
            data={"body": body, "day": "2026-11-02", "private": private},
        )
    html = manager.get(f"/rubrics/{rubric_id}/packet?target=mid").get_data(as_text=True)
    code = section(html, "code")
    shown, still_open = part(code, "Demonstrated"), part(code, "Still open")
    assert "Code at Junior #1" in shown and "<strong>migration</strong>" in shown
    assert "Code at Junior #1" not in still_open
    # Every other competency of both levels is still open, the Mid-level ones too.
    for title in ("Code at Junior #2", "Code at Mid-level #1", "Code at Mid-level #2"):
        assert title in still_open and title not in shown
    assert "private doubt" not in html
    assert "1 demonstrated, 7 still open" in html


def test_signing_off_over_gaps_asks_to_confirm_naming_how_many(app, pair):
    _, manager, rubric_id, _ = pair
    refused = sign(manager, rubric_id)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "8 competencies are still open up to Mid-level: tick the box to sign off anyway." in html
    assert 'type="checkbox" name="confirm"' in html
    assert "Ready, see **the launch**</textarea>" in html  # what was typed stays
    assert signoff_events(app) == []
    assert sign(manager, rubric_id, confirm="y").status_code == 303
    assert [e.after["open"] for e in signoff_events(app)] == [8]


def test_no_gaps_no_confirmation(app, pair):
    engineer, manager, rubric_id, ids = pair
    for key in ("code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"):
        rate(engineer, rubric_id, ids[key], "consistently")
    page = manager.get(f"/rubrics/{rubric_id}/packet?target=junior").get_data(as_text=True)
    assert 'name="confirm"' not in page
    assert sign(manager, rubric_id, target="junior").status_code == 303


def test_after_signing_the_form_gives_way_to_the_signoff(app, pair):
    engineer, manager, rubric_id, _ = pair
    sign(manager, rubric_id, confirm="y")
    html = manager.get(f"/rubrics/{rubric_id}/packet?target=mid").get_data(as_text=True)
    assert "Sign off as" not in html and "Not signed yet" not in html
    assert "Signed off for <strong>Mid-level</strong> by <strong>Maya Manager</strong>" in html
    assert "<strong>the launch</strong>" in html  # the note is Markdown
    assert 'on <time datetime="2026-11-26">26 Nov 2026</time>' in html
    assert "Withdraw my sign-off" in html
    # The engineer sees the sign-off but cannot withdraw it; nor sign again over it.
    seen = engineer.get(f"/rubrics/{rubric_id}/packet?target=mid").get_data(as_text=True)
    assert "by <strong>Maya Manager</strong>" in seen and "Withdraw" not in seen
    assert sign(manager, rubric_id, confirm="y").status_code == 303
    assert len(signoff_events(app)) == 1


def test_the_signer_withdraws_and_history_keeps_both(app, pair):
    engineer, manager, rubric_id, _ = pair
    sign(manager, rubric_id, confirm="y")
    withdraw = f"/rubrics/{rubric_id}/packet/withdraw"
    assert engineer.post(withdraw, data={"target": "mid"}).status_code == 404
    assert manager.post(withdraw, data={"target": "mid"}).status_code == 303
    html = manager.get(f"/rubrics/{rubric_id}/packet?target=mid").get_data(as_text=True)
    assert "Not signed yet" in html and "Sign off as Maya Manager" in html
    history = engineer.get(f"/rubrics/{rubric_id}/history?kind=signoff").get_data(as_text=True)
    assert "withdrew the sign-off of the promotion packet for Mid-level" in history
    assert "signed off the promotion packet for Mid-level with 8 competencies still open" in history
    assert [e.kind for e in signoff_events(app)] == ["signoff", "signoff.withdrawn"]
    told = engineer.get("/notifications").get_data(as_text=True)
    assert "Maya Manager withdrew the sign-off of your promotion packet for Mid-level" in told


def test_a_signoff_for_another_level_stays_when_one_is_withdrawn(app, pair):
    _, manager, rubric_id, _ = pair
    sign(manager, rubric_id, target="junior", confirm="y")
    sign(manager, rubric_id, confirm="y")
    manager.post(f"/rubrics/{rubric_id}/packet/withdraw", data={"target": "mid"})
    junior = manager.get(f"/rubrics/{rubric_id}/packet?target=junior").get_data(as_text=True)
    assert "Signed off for <strong>Junior</strong>" in junior


def test_the_markdown_follows_the_page(app, pair):
    engineer, manager, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["team-junior-1"], "consistently")
    sign(manager, rubric_id, confirm="y")
    text = manager.get(f"/rubrics/{rubric_id}/packet.md?target=mid").get_data(as_text=True)
    team = text[text.index("## Teamwork") :]
    assert "### Demonstrated (1)\n\n#### Teamwork at Junior #1" in team
    assert "### Still open (3)\n\n- Teamwork at Junior #2" in team
    assert "- Up to Mid-level: 1 demonstrated, 7 still open" in text
    assert "Signed by Maya Manager on 2026-11-26.\n\nReady, see **the launch**" in text
