"""'No opportunity yet' on the rubric: offered where the ladder says, out of the count, distinct."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import open_rubric, rate, small_ladder

from app.extensions import db
from app.ladders import store


@pytest.fixture
def ladder(app):
    """The small ladder with "no opportunity yet" offered; its ids by key."""
    with app.app_context():
        store.save(replace(small_ladder(), no_opportunity=True))
        db.session.commit()
        return dict(store.stored(store.by_key("small")).competency_ids)


def test_the_rubric_offers_no_opportunity_yet_after_the_scale(client, as_role, ladder):
    as_role("engineer")
    _, html = open_rubric(client)
    cid = ladder["code-junior-1"]
    assert (
        f'<label class="no-opportunity"><input type="radio" id="r{cid}-no-opportunity" '
        'name="step" value="no-opportunity"> No opportunity yet</label>' in html
    )


def test_a_ladder_without_the_flag_refuses_the_state(client, as_role, app):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        cid = store.stored(store.by_key("small")).competency_ids["code-junior-1"]
    as_role("engineer")
    rubric_id, html = open_rubric(client)
    assert "No opportunity yet" not in html
    assert rate(client, rubric_id, cid, "no-opportunity").status_code == 400


def test_no_opportunity_is_neither_demonstrated_nor_a_gap(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    for key in ("code-junior-1", "team-junior-1", "team-junior-2"):
        rate(client, rubric_id, ladder[key], "consistently")
    before = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "No level yet" in before.split('id="badge"')[1].split("</div>")[0]
    response = rate(client, rubric_id, ladder["code-junior-2"], "no-opportunity")
    html = response.get_data(as_text=True)
    # The last open Junior competency left the count: Junior is reached in the same click.
    assert "<strong>Junior</strong>" in html
    assert response.headers["HX-Trigger"] == "rungs:levels"
    assert f'<div id="h-{ladder["code-junior-2"]}" class="head excluded"' in html
    assert "Left out of the count: neither demonstrated nor a gap." in html
    page = client.get(f"/rubrics/{rubric_id}?show=gaps").get_data(as_text=True)
    assert f'id="c-{ladder["code-junior-2"]}"' not in page


def test_no_opportunity_is_rated_so_not_unrated(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ladder["code-junior-1"], "no-opportunity")
    page = client.get(f"/rubrics/{rubric_id}?show=unrated").get_data(as_text=True)
    assert f'id="c-{ladder["code-junior-1"]}"' not in page
    assert f'id="c-{ladder["code-junior-2"]}"' in page


def test_the_packet_lists_no_opportunity_apart_from_what_is_open(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ladder["code-junior-1"], "consistently")
    rate(client, rubric_id, ladder["code-junior-2"], "no-opportunity")
    html = client.get(f"/rubrics/{rubric_id}/packet?target=junior").get_data(as_text=True)
    assert "1 demonstrated, 2 still open" in html  # Teamwork's two; the third is out
    assert "<h3>No opportunity yet</h3>" in html
    text = client.get(f"/rubrics/{rubric_id}/packet.md?target=junior").get_data(as_text=True)
    assert "### No opportunity yet (1)" in text and "Code at Junior #2" in text
