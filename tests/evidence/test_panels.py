"""Two open panels, the count the viewer sees, and links typed without a scheme."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from helpers import HX, open_rubric, sign_in, small_ladder

from app.extensions import db
from app.ladders import store


@pytest.fixture
def setup(app, client, people):
    """The engineer's rubric on the small ladder, and two competency ids."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ids = store.stored(store.by_key("small")).competency_ids
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    return rubric_id, ids["code-junior-1"], ids["code-junior-2"]


def add(client, rubric_id, cid, body, **extra):
    data = {"body": body, "day": "2026-11-20", **extra}
    return client.post(f"/rubrics/{rubric_id}/competencies/{cid}/evidence", data=data, headers=HX)


def panel(client, rubric_id, cid) -> str:
    url = f"/rubrics/{rubric_id}/competencies/{cid}/evidence"
    return client.get(url, headers=HX).get_data(as_text=True)


def test_two_open_panels_share_no_element_id(client, setup):
    rubric_id, first, second = setup
    html = panel(client, rubric_id, first) + panel(client, rubric_id, second)
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    # Each label points at the box of its own panel.
    for cid in (first, second):
        assert f'<label for="body-{cid}">Evidence</label>' in html
        assert f'id="body-{cid}"' in html


def test_a_refused_form_keeps_its_own_ids(client, setup):
    rubric_id, first, _ = setup
    response = add(client, rubric_id, first, "")
    assert response.status_code == 422
    assert f'id="body-{first}"' in response.get_data(as_text=True)


def test_the_owner_counts_their_private_notes_too(client, setup):
    rubric_id, first, _ = setup
    add(client, rubric_id, first, "Shared with my manager")
    response = add(client, rubric_id, first, "Only for me", private="y")
    assert ">2 evidence</a>" in response.get_data(as_text=True)
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert re.search(rf'<a id="ev-{first}"[^>]*>2 evidence</a>', page)


def test_the_manager_does_not_count_the_owners_private_notes(app, client, setup, people):
    rubric_id, first, _ = setup
    add(client, rubric_id, first, "Shared with my manager")
    add(client, rubric_id, first, "Only for me", private="y")
    manager = app.test_client()
    sign_in(manager, people.manager)
    page = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert re.search(rf'<a id="ev-{first}"[^>]*>1 evidence</a>', page)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("github.com/acme/app/pull/12", "https://github.com/acme/app/pull/12"),
        ("  www.example.com ", "https://www.example.com"),
        ("http://example.com/x", "http://example.com/x"),
    ],
)
def test_a_link_without_a_scheme_gets_https(client, setup, typed, stored):
    rubric_id, first, _ = setup
    response = add(client, rubric_id, first, "Shipped it", link=typed)
    assert response.status_code == 200
    assert f'href="{stored}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "ftp://example.com/x", "not a link"])
def test_other_links_are_still_refused_with_the_text_kept(client, setup, typed):
    rubric_id, first, _ = setup
    response = add(client, rubric_id, first, "Shipped it", link=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The link must start with http:// or https://." in html
    assert "Shipped it" in html
