"""Evidence: safe Markdown, limits, private notes, ownership, optimistic locking."""

from __future__ import annotations

import re

import pytest
from helpers import HX, open_rubric, sign_in, small_ladder
from sqlalchemy import select

from app.evidence.models import Evidence
from app.extensions import db
from app.history.models import Event
from app.ladders import store
from app.rubric.models import Rating


@pytest.fixture
def setup(app, client, people):
    """The engineer's rubric on the small ladder, and one competency id."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        cid = store.stored(store.by_key("small")).competency_ids["code-junior-1"]
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    return rubric_id, cid


def add(client, rubric_id, cid, body, htmx=True, **extra):
    data = {"body": body, "day": "2026-11-20", **extra}
    return client.post(
        f"/rubrics/{rubric_id}/competencies/{cid}/evidence", data=data, headers=HX if htmx else {}
    )


def test_add_evidence_in_place_updates_the_count(app, client, setup):
    rubric_id, cid = setup
    response = add(
        client, rubric_id, cid, "Shipped the **billing** fix", link="https://example.com/pr/1"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith(f'<div class="evidence" id="evidence-{cid}">')
    assert "<strong>billing</strong>" in html
    assert 'href="https://example.com/pr/1"' in html
    assert f'<a id="ev-{cid}" hx-swap-oob="true"' in html and ">1 evidence</a>" in html
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert ">1 evidence</a>" in page
    with app.app_context():
        assert db.session.scalar(select(Rating.evidence_count)) == 1
        assert db.session.scalar(select(Event.kind)) == "evidence.added"


def test_script_shows_as_text_and_javascript_links_are_refused(app, client, setup):
    rubric_id, cid = setup
    html = add(client, rubric_id, cid, "<script>alert(1)</script> done").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for body in (
        "[click](javascript:alert(1))",
        "[x]( JaVaScRiPt:alert(1))",
        "<javascript:alert(1)>",
    ):
        refused = add(client, rubric_id, cid, body)
        assert refused.status_code == 422
        assert "Links must start with http://, https:// or mailto:" in refused.get_data(
            as_text=True
        )
    bad_link = add(client, rubric_id, cid, "fine", link="javascript:alert(1)")
    assert "The link must start with http:// or https://" in bad_link.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Evidence).count() == 1  # only the escaped script note


def test_length_limit_has_a_clear_message_and_keeps_the_text(client, setup):
    rubric_id, cid = setup
    body = "x" * 10_001
    response = add(client, rubric_id, cid, body)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Keep it under 10,000 characters" in html
    assert body in html  # what was typed is still in the form
    assert add(client, rubric_id, cid, "y" * 10_000).status_code == 200


def test_private_notes_are_seen_only_by_their_author(app, client, people, setup):
    rubric_id, cid = setup
    add(client, rubric_id, cid, "my secret worry", private="y")
    add(client, rubric_id, cid, "shared win")
    mine = client.get(f"/rubrics/{rubric_id}/competencies/{cid}/evidence").get_data(as_text=True)
    assert "my secret worry" in mine and "private note" in mine
    client.post("/logout")
    sign_in(client, people.manager)
    theirs = client.get(f"/rubrics/{rubric_id}/competencies/{cid}/evidence").get_data(as_text=True)
    assert "shared win" in theirs and "my secret worry" not in theirs
    # The count shows shared items only, and history keeps no private text.
    assert ">1 evidence</a>" in client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    with app.app_context():
        afters = [e.after for e in db.session.scalars(select(Event))]
        assert {"id": afters[0]["id"], "private": True} == afters[0]
        assert "secret" not in str(afters)


def test_nobody_edits_or_deletes_someone_elses_item(app, client, people, setup):
    rubric_id, cid = setup
    add(client, rubric_id, cid, "engineer's item")
    with app.app_context():
        item_id = db.session.scalar(select(Evidence.id))
    client.post("/logout")
    sign_in(client, people.manager)
    assert client.get(f"/evidence/{item_id}/edit").status_code == 404
    assert (
        client.post(
            f"/evidence/{item_id}", data={"body": "hijack", "day": "2026-01-01"}
        ).status_code
        == 404
    )
    assert client.post(f"/evidence/{item_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(Evidence, item_id).body == "engineer's item"


def test_edit_and_delete_in_place(app, client, setup):
    rubric_id, cid = setup
    add(client, rubric_id, cid, "first draft")
    with app.app_context():
        item_id = db.session.scalar(select(Evidence.id))
    form = client.get(f"/evidence/{item_id}/edit", headers=HX).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    saved = client.post(
        f"/evidence/{item_id}",
        headers=HX,
        data={"body": "final words", "day": "2026-11-21", "version": version},
    )
    assert saved.status_code == 200 and "final words" in saved.get_data(as_text=True)
    gone = client.post(f"/evidence/{item_id}/delete", headers=HX)
    assert "No evidence yet." in gone.get_data(as_text=True)
    assert ">0 evidence</a>" in gone.get_data(as_text=True)
    with app.app_context():
        kinds = [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]
        assert kinds == ["evidence.added", "evidence.edited", "evidence.deleted"]


def test_a_stale_edit_is_not_saved_over_a_newer_one(app, client, setup):
    rubric_id, cid = setup
    add(client, rubric_id, cid, "original")
    with app.app_context():
        item_id = db.session.scalar(select(Evidence.id))
    first = client.post(
        f"/evidence/{item_id}",
        data={"body": "edit from laptop", "day": "2026-11-21", "version": "1"},
    )
    assert first.status_code == 303
    stale = client.post(
        f"/evidence/{item_id}",
        headers=HX,
        data={"body": "edit from phone", "day": "2026-11-21", "version": "1"},
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "This item changed since you opened it" in html
    assert "edit from laptop" in html and "edit from phone" in html  # both texts shown
    with app.app_context():
        assert db.session.get(Evidence, item_id).body == "edit from laptop"
    # Saving again from the conflict form (now naming the current version) keeps the phone's text.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    client.post(
        f"/evidence/{item_id}",
        data={"body": "edit from phone", "day": "2026-11-21", "version": version},
    )
    with app.app_context():
        assert db.session.get(Evidence, item_id).body == "edit from phone"


def test_evidence_page_works_without_javascript(client, setup):
    rubric_id, cid = setup
    response = add(client, rubric_id, cid, "plain form post", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#c-{cid}")
    page = client.get(f"/rubrics/{rubric_id}/competencies/{cid}/evidence").get_data(as_text=True)
    assert "<html" in page and "plain form post" in page and "Back to the rubric" in page
