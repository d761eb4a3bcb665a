"""Suggestions: anyone signed in proposes words, a thread discusses them, editors decide."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import csrf_from, sign_in, small_ladder

from app.extensions import db
from app.ladders import store, versions
from app.notifications.models import Notification
from app.suggestions.models import Suggestion


@pytest.fixture
def ladder(app):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()


def suggest(client, **data):
    page = client.get("/ladders/small/suggestions/new?competency=code-junior-1")
    fields = {
        "competency": "code-junior-1",
        "title": "Writes code others can read",
        "description": "Names, small functions.",
        "reason": "Says what good looks like.",
        **data,
    }
    return client.post(
        "/ladders/small/suggestions",
        data={"csrf_token": csrf_from(page.get_data(as_text=True)), **fields},
    )


def the_suggestion(app) -> Suggestion:
    with app.app_context():
        found = db.session.scalars(db.select(Suggestion)).one()
        db.session.expunge(found)
        return found


def decide(client, suggestion_id, **data):
    page = client.get(f"/suggestions/{suggestion_id}").get_data(as_text=True)
    return client.post(
        f"/suggestions/{suggestion_id}/decision", data={"csrf_token": csrf_from(page), **data}
    )


def notes_of(app, user_id) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(Notification.title).filter_by(user_id=user_id)).all()


def test_an_engineer_suggests_new_words_and_sees_them_listed(app, client, people, ladder):
    sign_in(client, people.engineer)
    form = client.get("/ladders/small/suggestions/new?competency=code-junior-1")
    assert 'value="Code at Junior #1"' in form.get_data(as_text=True)  # starts from today's words
    response = suggest(client)
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<del>Code</del><ins>Writes</ins>" in shown and "Says what good looks like." in shown
    listing = client.get("/ladders/small/suggestions").get_data(as_text=True)
    assert "Open (1)" in listing and "Writes code others can read" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Say why: editors decide on the reason."),
        ({"title": ""}, "title as you suggest it."),
        ({"title": "Code at Junior #1", "description": "Why Code #1 matters."}, "words it has now"),
    ],
)
def test_a_refused_suggestion_says_why_and_keeps_the_text(client, people, ladder, data, message):
    sign_in(client, people.engineer)
    response = suggest(client, **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_an_unknown_competency_is_404(client, people, ladder):
    sign_in(client, people.engineer)
    assert client.get("/ladders/small/suggestions/new?competency=nope").status_code == 404


def test_a_thread_of_comments(app, client, people, ladder):
    sign_in(client, people.engineer)
    suggest(client)
    idea = the_suggestion(app)
    manager = app.test_client()
    sign_in(manager, people.manager)
    page = manager.get(f"/suggestions/{idea.id}").get_data(as_text=True)
    assert "Accept into the draft" not in page  # not an editor
    manager.post(
        f"/suggestions/{idea.id}/comments",
        data={"csrf_token": csrf_from(page), "body": "Maybe *short* functions?"},
    )
    shown = client.get(f"/suggestions/{idea.id}").get_data(as_text=True)
    assert "Comments (1)" in shown and "<em>short</em>" in shown and "Maya Manager" in shown
    empty = manager.post(
        f"/suggestions/{idea.id}/comments", data={"csrf_token": csrf_from(page), "body": " "}
    )
    assert empty.status_code == 422


def test_accepting_puts_it_in_the_draft_credits_the_author_and_tells_them(
    app, client, people, ladder
):
    sign_in(client, people.engineer)
    suggest(client)
    idea = the_suggestion(app)
    admin = app.test_client()
    sign_in(admin, people.admin)
    assert decide(admin, idea.id, accept="y", note="").status_code == 303
    with app.app_context():
        small = store.by_key("small")
        titles = [c.title for c in versions.draft_spec(small).competencies]
        assert "Writes code others can read" in titles
        assert versions.draft(small).credits == ["Eli Engineer"]
    assert the_suggestion(app).status == "accepted"
    assert any("accepted your ladder suggestion" in t for t in notes_of(app, people.engineer.id))
    draft = admin.get("/ladders/small/draft").get_data(as_text=True)
    published = admin.post(
        "/ladders/small/draft/publish", data={"csrf_token": csrf_from(draft), "note": "Clearer"}
    )
    assert published.status_code == 303
    history = admin.get("/ladders/small/versions").get_data(as_text=True)
    assert "With suggestions from Eli Engineer." in history


def test_declining_needs_a_reason_which_the_author_reads(app, client, people, ladder):
    sign_in(client, people.engineer)
    suggest(client)
    idea = the_suggestion(app)
    admin = app.test_client()
    sign_in(admin, people.admin)
    refused = decide(admin, idea.id, decline="y", note="")
    assert refused.status_code == 422 and "Say why it is declined" in refused.get_data(as_text=True)
    assert decide(admin, idea.id, decline="y", note="Too specific.").status_code == 303
    shown = client.get(f"/suggestions/{idea.id}").get_data(as_text=True)
    assert "Declined" in shown and "Too specific." in shown
    assert any("declined your ladder suggestion" in t for t in notes_of(app, people.engineer.id))
    # Decided once: a second decision changes nothing.
    decide(admin, idea.id, accept="y", note="")
    assert the_suggestion(app).status == "declined"


def test_only_editors_decide(app, client, people, ladder):
    sign_in(client, people.engineer)
    suggest(client)
    idea = the_suggestion(app)
    assert decide(client, idea.id, accept="y").status_code == 404
    assert the_suggestion(app).status == "open"


def test_a_new_competency_in_a_cell(app, client, people, ladder):
    sign_in(client, people.engineer)
    page = client.get("/ladders/small/suggestions/new?level=mid&category=team")
    html = page.get_data(as_text=True)
    assert '<option selected value="mid">' in html or 'value="mid" selected' in html
    client.post(
        "/ladders/small/suggestions",
        data={
            "csrf_token": csrf_from(html),
            "level": "mid",
            "category": "team",
            "title": "Runs a retro",
            "description": "",
            "reason": "We all do it.",
        },
    )
    idea = the_suggestion(app)
    assert idea.is_new_competency and (idea.level_key, idea.category_key) == ("mid", "team")
    admin = app.test_client()
    sign_in(admin, people.admin)
    decide(admin, idea.id, accept="y")
    with app.app_context():
        added = [
            c
            for c in versions.draft_spec(store.by_key("small")).competencies
            if c.title == "Runs a retro"
        ]
        assert added[0].level == "mid" and added[0].category == "team"


def test_line_ends_a_browser_sends_are_not_a_new_wording(app, client, people):
    """A textarea comes back with CRLF: the same words must stay the same words."""
    spec = small_ladder()
    first = dataclasses.replace(spec.competencies[0], description="Line one.\nLine two.")
    with app.app_context():
        store.save(dataclasses.replace(spec, competencies=(first, *spec.competencies[1:])))
        db.session.commit()
    sign_in(client, people.engineer)
    refused = suggest(client, title=first.title, description="Line one.\r\nLine two.")
    assert refused.status_code == 422 and "words it has now" in refused.get_data(as_text=True)
    assert suggest(client, description="Line one.\r\nLine two.").status_code == 303
    assert the_suggestion(app).description == "Line one.\nLine two."
