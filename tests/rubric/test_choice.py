"""Which ladder a person lands on: importing never moves anyone; assignment, switcher, archive."""

from __future__ import annotations

import dataclasses
import re

import pytest
from helpers import HX, csrf_from, open_rubric, rate, sign_in, small_ladder, small_ladder_as

from app.audit.models import AuditEvent
from app.extensions import db
from app.ladders import store
from app.ladders.models import LadderAssignment
from app.rubric.models import Rubric


def save(app, spec) -> None:
    with app.app_context():
        store.save(spec)
        db.session.commit()


def competency_id(app, key: str, index: int = 0) -> int:
    with app.app_context():
        return list(store.stored(store.by_key(key)).competency_ids.values())[index]


def test_importing_a_ladder_whose_name_sorts_first_moves_nobody(app, client, people):
    save(app, small_ladder())
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, competency_id(app, "small"), "consistently")
    manager = app.test_client()
    sign_in(manager, people.manager)
    team_before = manager.get("/team").get_data(as_text=True)
    admin = app.test_client()
    sign_in(admin, people.admin)

    save(app, small_ladder_as("acme", "Acme trial ladder"))  # "Acme" < "Small"

    landed = client.get("/me", follow_redirects=True)
    assert landed.request.path == f"/rubrics/{rubric_id}"
    team_after = manager.get("/team").get_data(as_text=True)
    assert "Eli Engineer" in team_after and "Has not opened" not in team_after
    table = lambda html: re.search(r"<table.*</table>", html, re.S).group(0)  # noqa: E731
    assert table(team_after) == table(team_before)
    # The admin, who never opened a rubric, lands on the default ladder: the first one.
    assert admin.get("/me", follow_redirects=True).status_code == 200
    with app.app_context():
        owners = db.session.scalars(
            db.select(Rubric.ladder_id).where(Rubric.user_id == people.admin.id)
        ).all()
        assert owners == [store.by_key("small").id]


def test_a_new_person_lands_on_the_default_ladder_not_the_first_by_name(app, client, people):
    save(app, small_ladder())
    save(app, small_ladder_as("acme", "Acme trial ladder"))
    sign_in(client, people.engineer)
    _, html = open_rubric(client)
    assert "Small ladder" in html and "Acme trial" not in html


def test_the_rubric_changed_last_wins_over_the_default(app, client, people):
    save(app, small_ladder())
    save(app, small_ladder_as("acme", "Acme trial ladder"))
    sign_in(client, people.engineer)
    acme = client.get(f"/people/{people.engineer.id}/rubric?ladder=acme", follow_redirects=True)
    acme_id = int(acme.request.path.rsplit("/", 1)[1])
    rate(client, acme_id, competency_id(app, "acme"), "sometimes")
    assert client.get("/me", follow_redirects=True).request.path == f"/rubrics/{acme_id}"


def test_the_switcher_lists_each_ladder_of_the_person(app, client, people):
    save(app, small_ladder())
    save(app, small_ladder_as("acme", "Engineering"))
    save(app, small_ladder_as("acme2", "Engineering"))
    sign_in(client, people.engineer)
    first, html = open_rubric(client)
    assert 'aria-label="Ladders of this person"' not in html  # one rubric: nothing to switch
    client.get(f"/people/{people.engineer.id}/rubric?ladder=acme")
    client.get(f"/people/{people.engineer.id}/rubric?ladder=acme2")
    html = client.get(f"/rubrics/{first}").get_data(as_text=True)
    nav = html[html.index('aria-label="Ladders of this person"') :].split("</nav>")[0]
    # Two ladders called "Engineering" are told apart by their keys.
    assert "(acme)" in nav and "(acme2)" in nav and "Small ladder" in nav
    assert f'href="/rubrics/{first}" aria-current="page"' in nav


@pytest.mark.parametrize("by", ["admin", "manager"])
def test_an_admin_or_the_manager_assigns_a_ladder_and_track(app, client, people, by):
    spec = small_ladder()
    save(app, spec)
    two_tracks = small_ladder_as("acme", "Acme")
    two_tracks = dataclasses.replace(
        two_tracks, tracks=(*spec.tracks, dataclasses.replace(spec.tracks[0], key="em", name="EM"))
    )
    save(app, two_tracks)
    sign_in(client, getattr(people, by))
    page = client.get(f"/people/{people.engineer.id}/ladder").get_data(as_text=True)
    assert '<option value="acme/em">Acme: EM</option>' in page
    response = client.post(
        f"/people/{people.engineer.id}/ladder",
        data={"choice": "acme/em", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 303
    engineer = app.test_client()
    sign_in(engineer, people.engineer)
    _, html = open_rubric(engineer)
    assert "Acme · EM" in html
    with app.app_context():
        found = db.session.get(LadderAssignment, people.engineer.id)
        assert (found.track_key, found.assigned_by_id) == ("em", getattr(people, by).id)
        audit = db.session.scalars(db.select(AuditEvent.detail).filter_by(kind="ladder.assigned"))
        assert list(audit) == ["acme, track em"]


def test_an_engineer_sees_their_ladder_but_cannot_assign_it(app, client, people):
    save(app, small_ladder())
    sign_in(client, people.engineer)
    page = client.get(f"/people/{people.engineer.id}/ladder")
    assert page.status_code == 200
    assert f'action="/people/{people.engineer.id}/ladder"' not in page.get_data(as_text=True)
    assert "lands on the <strong>Small ladder</strong>" in page.get_data(as_text=True)
    refused = client.post(
        f"/people/{people.engineer.id}/ladder",
        data={"choice": "small", "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert refused.status_code == 404


def test_another_managers_report_cannot_be_assigned(app, client, people):
    save(app, small_ladder())
    sign_in(client, people.manager)
    assert client.get(f"/people/{people.other_engineer.id}/ladder").status_code == 404


def test_an_unknown_ladder_or_track_is_refused_in_place(app, client, people):
    save(app, small_ladder())
    sign_in(client, people.admin)
    page = client.get(f"/people/{people.engineer.id}/ladder").get_data(as_text=True)
    response = client.post(
        f"/people/{people.engineer.id}/ladder",
        data={"choice": "small/nope", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_an_archived_ladder_keeps_its_rubrics_readable_and_read_only(app, client, people):
    save(app, small_ladder())
    save(app, small_ladder_as("acme", "Acme"))
    sign_in(client, people.engineer)
    acme = client.get(f"/people/{people.engineer.id}/rubric?ladder=acme", follow_redirects=True)
    acme_id = int(acme.request.path.rsplit("/", 1)[1])
    cid = competency_id(app, "acme")
    assert rate(client, acme_id, cid, "sometimes").status_code == 200
    admin = app.test_client()
    sign_in(admin, people.admin)
    manage = admin.get("/admin/ladders/").get_data(as_text=True)
    admin.post("/admin/ladders/acme/archive", data={"csrf_token": csrf_from(manage)})

    html = client.get(f"/rubrics/{acme_id}").get_data(as_text=True)
    assert "ladder is archived" in html
    groups = html.count('<fieldset role="radiogroup"')
    assert groups > 0 and html.count('<fieldset role="radiogroup" disabled>') == groups
    refused = rate(client, acme_id, cid, "consistently")
    assert refused.status_code == 409
    assert "archived: its rubrics are read-only" in refused.get_data(as_text=True)
    export = client.get(f"/rubrics/{acme_id}/export.csv")
    assert export.status_code == 200 and ",sometimes," in export.get_data(as_text=True)
    # Where the person lands moves off the archived ladder; the rubric stays in the switcher.
    landed = client.get("/me", follow_redirects=True)
    assert landed.request.path != f"/rubrics/{acme_id}"
    assert f'href="/rubrics/{acme_id}"' in landed.get_data(as_text=True)
    # An archived ladder opens no new rubric.
    other = app.test_client()
    sign_in(other, people.other_engineer)
    assert other.get(f"/people/{people.other_engineer.id}/rubric?ladder=acme").status_code == 404


def test_rating_with_htmx_on_an_archived_ladder_says_why(app, client, people):
    save(app, small_ladder())
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    save(app, small_ladder_as("acme", "Acme"))
    with app.app_context():
        store.by_key("acme").is_default = False
        db.session.commit()
        from app.ladders import manage

        small = store.by_key("small")
        manage.make_default(store.by_key("acme"), "test")
        manage.archive(small, "test")
        db.session.commit()
    response = client.post(
        f"/rubrics/{rubric_id}/ratings/{competency_id(app, 'small')}",
        data={"step": "sometimes"},
        headers=HX,
    )
    assert response.status_code == 409 and response.headers["HX-Retarget"] == "#alerts"
