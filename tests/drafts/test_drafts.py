"""Editing a ladder in the app: a draft, published as version N+1 with a note; ratings kept."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import HX, csrf_from, open_rubric, rate, sign_in, small_ladder

from app.audit.models import AuditEvent
from app.extensions import db
from app.ladders import manage, store, versions
from app.ladders.models import LadderVersion
from app.notifications.models import Notification


@pytest.fixture
def ladder(app):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()


def token(client, path="/ladders/small/draft") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def edit(client, ckey="code-junior-1", **data):
    fields = {"title": "Code at Junior #1", "description": "", "examples": "", **data}
    return client.post(
        f"/ladders/small/draft/competencies/{ckey}", data={"csrf_token": token(client), **fields}
    )


def publish(client, note="Clearer words"):
    return client.post(
        "/ladders/small/draft/publish", data={"csrf_token": token(client), "note": note}
    )


def live_title(app, key="code-junior-1") -> str:
    with app.app_context():
        return store.stored(store.by_key("small")).competencies[key].title


def test_a_draft_changes_nothing_until_published_with_a_note(app, client, people, ladder):
    sign_in(client, people.admin)
    assert edit(client, title="Writes code others can read").status_code == 303
    assert live_title(app) == "Code at Junior #1"  # still the published words
    draft = client.get("/ladders/small/draft").get_data(as_text=True)
    assert "<del>Code</del><ins>Writes</ins>" in draft  # word by word, before publishing
    refused = publish(client, note="   ")
    assert refused.status_code == 422 and "Say what this version changes." in refused.get_data(
        as_text=True
    )
    assert publish(client).status_code == 303
    assert live_title(app) == "Writes code others can read"
    history = client.get("/ladders/small/versions").get_data(as_text=True)
    assert "Version 2" in history and "Clearer words" in history and "Ada Admin" in history
    with app.app_context():
        kinds = db.session.scalars(db.select(AuditEvent.kind)).all()
        assert "ladder.published" in kinds


def test_a_refused_edit_keeps_the_text_and_says_why_beside_the_field(app, client, people, ladder):
    sign_in(client, people.admin)
    response = edit(client, title="", description="Kept words")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="title-error"' in html and "A competency needs a title." in html
    assert "Kept words" in html


def test_the_edit_form_comes_in_place_with_htmx(client, people, ladder):
    sign_in(client, people.admin)
    fragment = client.get("/ladders/small/draft/competencies/code-junior-1", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and 'name="title"' in html
    page = client.get("/ladders/small/draft/competencies/code-junior-1").get_data(as_text=True)
    assert "<html" in page and "Back to the draft" in page


def test_add_and_remove_competencies_in_the_draft(app, client, people, ladder):
    sign_in(client, people.admin)
    added = client.post(
        "/ladders/small/draft/competencies",
        data={
            "csrf_token": token(client),
            "level": "mid",
            "category": "team",
            "title": "Mentors a new joiner",
            "description": "",
            "examples": "Paired for a week\nReviewed their first PR",
        },
    )
    assert added.status_code == 303
    removed = client.post(
        "/ladders/small/draft/competencies/code-mid-2/archive", data={"csrf_token": token(client)}
    )
    assert removed.status_code == 303
    assert publish(client, "One new, one gone").status_code == 303
    with app.app_context():
        spec = store.stored(store.by_key("small")).spec
        titles = [c.title for c in spec.competencies]
        assert "Mentors a new joiner" in titles and "Code at Mid-level #2" not in titles
        new = next(c for c in spec.competencies if c.title == "Mentors a new joiner")
        assert new.examples == ("Paired for a week", "Reviewed their first PR")


def test_engineers_and_managers_cannot_edit(client, people, ladder):
    for who in (people.engineer, people.manager):
        sign_in(client, who)
        assert client.get("/ladders/small/draft").status_code == 404


def test_an_editor_may_edit_and_publish_and_the_right_is_audited(app, client, people, ladder):
    with app.app_context():
        manage.grant_editor(store.by_key("small"), people.manager, "test")
        db.session.commit()
    sign_in(client, people.manager)
    assert edit(client, title="Ships small changes").status_code == 303
    assert publish(client).status_code == 303
    assert live_title(app) == "Ships small changes"
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.kind).filter_by(kind="ladder.editor"))


def test_versions_can_be_browsed_exported_and_compared(app, client, people, ladder):
    sign_in(client, people.admin)
    edit(client, title="Writes code others can read")
    publish(client)
    v1 = client.get("/ladders/small/versions/1").get_data(as_text=True)
    assert "Code at Junior #1" in v1
    yaml_v1 = client.get("/ladders/small/versions/1/export.yaml")
    assert yaml_v1.status_code == 200 and b"title: 'Code at Junior #1'" in yaml_v1.data
    with app.app_context():
        kept = versions.version(store.by_key("small"), 2)
        assert client.get("/ladders/small/versions/2/export.yaml").get_data(as_text=True) == (
            kept.text
        )
    diff = client.get("/ladders/small/diff?from=1&to=2").get_data(as_text=True)
    assert "Changed (1)" in diff and "<del>Code</del><ins>Writes</ins>" in diff
    assert client.get("/ladders/small/versions/9").status_code == 404
    assert client.get("/ladders/small/diff?from=1&to=9").status_code == 404


def test_reading_versions_writes_nothing(app, client, people, ladder):
    sign_in(client, people.engineer)
    assert "Version 1" in client.get("/ladders/small/versions").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LadderVersion)) == 0


def rated_rubric(app, client, people):
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    with app.app_context():
        cid = store.stored(store.by_key("small")).competency_ids["code-junior-1"]
    assert rate(client, rubric_id, cid, "consistently").status_code == 200
    return rubric_id, cid


def test_a_rating_survives_a_rewording_marked_until_kept(app, client, people, ladder):
    rubric_id, cid = rated_rubric(app, client, people)
    admin = app.test_client()
    sign_in(admin, people.admin)
    edit(admin, title="Writes code others can read")
    publish(admin)

    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert f'id="r{cid}-consistently" name="step" value="consistently" checked' in html
    assert "Wording changed since you rated it" in html
    # What changed since the last visit: the reworded competency, with its diff.
    section = html[html.index('id="what-changed"') :].split("</section>")[0]
    assert "Writes code others can read" in section and "<ins>" in section
    # The person is told.
    with app.app_context():
        told = db.session.scalars(
            db.select(Notification.title).filter_by(user_id=people.engineer.id)
        ).all()
        assert any("changed 1 competencies you rated" in t for t in told)
    kept = client.post(
        f"/rubrics/{rubric_id}/ratings/{cid}/confirm",
        data={"csrf_token": csrf_from(html)},
        headers=HX,
    )
    assert kept.status_code == 200 and "Wording changed" not in kept.get_data(as_text=True)
    client.post(f"/rubrics/{rubric_id}/seen", data={"csrf_token": csrf_from(html)})
    again = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Wording changed since" not in again and 'id="what-changed"' not in again
    history = client.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "kept the rating of" in history


def test_the_manager_side_is_marked_on_its_own(app, client, people, ladder):
    rubric_id, cid = rated_rubric(app, client, people)
    admin = app.test_client()
    sign_in(admin, people.admin)
    edit(admin, title="Writes code others can read")
    publish(admin)
    manager = app.test_client()
    sign_in(manager, people.manager)
    html = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Wording changed since" not in html  # the manager had not rated it


def test_as_of_a_past_day_uses_the_version_in_force(app, client, people, ladder):
    rubric_id, _ = rated_rubric(app, client, people)
    with app.app_context():
        small = store.by_key("small")
        versions.ensure_first(small)
        first = versions.version(small, 1)
        first.published_at = small.updated_at.replace(year=2020)
        db.session.commit()
    admin = app.test_client()
    sign_in(admin, people.admin)
    edit(admin, title="Writes code others can read")
    publish(admin)
    with app.app_context():
        latest = versions.version(store.by_key("small"), 2)
        latest.published_at = latest.published_at.replace(year=2030)  # in force from 2030
        db.session.commit()
    today = date.today().isoformat()
    html = client.get(f"/rubrics/{rubric_id}/as-of?date={today}").get_data(as_text=True)
    assert "on version 1 of the ladder" in html and "Code at Junior #1" in html


def test_fork_starts_a_new_ladder_noting_where_it_came_from(app, client, people, ladder):
    sign_in(client, people.admin)
    form = client.get("/ladders/small/fork").get_data(as_text=True)
    assert 'value="small-ours"' in form
    response = client.post(
        "/ladders/small/fork",
        data={"csrf_token": csrf_from(form), "key": "acme", "name": "Acme engineering"},
    )
    assert response.status_code == 303
    history = client.get("/ladders/acme/versions").get_data(as_text=True)
    assert "Forked from Small ladder (small), version 1." in history
    with app.app_context():
        acme = store.stored(store.by_key("acme")).spec
        assert len(acme.competencies) == len(small_ladder().competencies)
        assert not store.by_key("acme").is_default  # forking moves nobody
    taken = client.post(
        "/ladders/small/fork",
        data={"csrf_token": csrf_from(form), "key": "acme", "name": "Again"},
    )
    assert taken.status_code == 422 and "exists already" in taken.get_data(as_text=True)
    bad = client.post(
        "/ladders/small/fork", data={"csrf_token": csrf_from(form), "key": "Bad Key", "name": "X"}
    )
    assert bad.status_code == 422 and "Lower-case letters" in bad.get_data(as_text=True)


def test_admins_give_and_take_the_editor_right(app, client, people, ladder):
    sign_in(client, people.admin)
    page = client.get("/ladders/small/versions").get_data(as_text=True)
    client.post(
        "/ladders/small/editors",
        data={"csrf_token": csrf_from(page), "email": people.manager.email},
    )
    manager = app.test_client()
    sign_in(manager, people.manager)
    assert manager.get("/ladders/small/draft").status_code == 200
    client.post(
        f"/ladders/small/editors/{people.manager.id}/remove", data={"csrf_token": csrf_from(page)}
    )
    assert manager.get("/ladders/small/draft").status_code == 404
    unknown = client.post(
        "/ladders/small/editors",
        data={"csrf_token": csrf_from(page), "email": "nobody@example.com"},
        follow_redirects=True,
    )
    assert "No one has that email" in unknown.get_data(as_text=True)


def test_the_whole_draft_is_editable_as_a_file_with_the_import_checks(app, client, people, ladder):
    sign_in(client, people.admin)
    page = client.get("/ladders/small/draft/file").get_data(as_text=True)
    assert "rule:" in page and "scale:" in page and "tracks:" in page
    with app.app_context():
        text = versions.snapshot(store.stored(store.by_key("small")).spec)
    broken = text.replace("key: junior", "key: mid", 1)  # two levels with one key
    refused = client.post(
        "/ladders/small/draft/file", data={"csrf_token": csrf_from(page), "text": broken}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="file-problems"' in html and "Not saved" in html
    renamed = text.replace("name: IC", "name: Individual contributor", 1)
    saved = client.post(
        "/ladders/small/draft/file", data={"csrf_token": csrf_from(page), "text": renamed}
    )
    assert saved.status_code == 303
    with app.app_context():
        draft = versions.draft_spec(store.by_key("small"))
        assert draft.tracks[0].name == "Individual contributor"


def test_rename_a_level_and_reorder_competencies_in_the_draft(app, client, people, ladder):
    sign_in(client, people.admin)
    page = client.get("/ladders/small/draft").get_data(as_text=True)
    client.post(
        "/ladders/small/draft/levels/junior",
        data={
            "csrf_token": csrf_from(page),
            "levels-junior-name": "Associate",
            "levels-junior-summary": "New to the craft.",
        },
    )
    client.post(
        "/ladders/small/draft/competencies/code-junior-2/move",
        data={"csrf_token": csrf_from(page), "direction": "up"},
    )
    with app.app_context():
        draft = versions.draft_spec(store.by_key("small"))
        assert (draft.levels[0].name, draft.levels[0].summary) == ("Associate", "New to the craft.")
        assert [c.key for c in draft.competencies][:2] == ["code-junior-2", "code-junior-1"]
    assert (
        client.post(
            "/ladders/small/draft/tracks/ic", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 404
    )


def test_an_inline_edit_with_htmx_reloads_the_draft_or_answers_the_form(client, people, ladder):
    sign_in(client, people.admin)
    data = {"csrf_token": token(client), "title": "Ships small changes", "description": ""}
    saved = client.post("/ladders/small/draft/competencies/code-junior-1", data=data, headers=HX)
    assert saved.status_code == 204
    assert saved.headers["HX-Redirect"] == "/ladders/small/draft#dc-code-junior-1"
    refused = client.post(
        "/ladders/small/draft/competencies/code-junior-1", data={**data, "title": ""}, headers=HX
    )
    html = refused.get_data(as_text=True)
    assert (
        refused.status_code == 422 and "<html" not in html and 'id="draft-competency-form"' in html
    )


def test_a_big_page_counts_every_reworded_competency_rated_not_only_the_plan(app, client, people):
    """A big page reads only the growth plan's rows: the news must still see every rating."""
    from dataclasses import replace

    from app.auth.models import User
    from app.ladders.synthetic import ladder as synthetic_ladder

    with app.app_context():
        store.save(synthetic_ladder(1000))
        db.session.commit()
        stored = store.stored(store.by_key("synthetic"))
        first, second, third = stored.spec.competencies[:3]
        ids = dict(stored.competency_ids)
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ids[first.key], "consistently")  # rated, not in the plan
    rate(client, rubric_id, ids[second.key], "consistently")
    client.post(f"/rubrics/{rubric_id}/focus/{ids[second.key]}", data={"focus": "1"}, headers=HX)
    with app.app_context():
        ladder = store.by_key("synthetic")
        spec = store.stored(ladder).spec
        for c in (first, second):
            spec = versions.with_competency(spec, replace(c, title=c.title + " reworded"))
        admin = db.session.scalar(db.select(User).filter_by(is_admin=True))
        versions.save_draft(ladder, spec, admin)
        versions.publish(ladder, "Clearer words", admin)
        db.session.commit()
    # A click counts the kept standings for the new version: the next page trusts them.
    rate(client, rubric_id, ids[third.key], "not-yet")
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    section = html[html.index('id="what-changed"') :].split("</section>")[0]
    assert "Reworded competencies you rated (2)" in section
