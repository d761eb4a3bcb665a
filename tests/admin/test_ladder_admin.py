"""Managing ladders: rename, the default, archive and restore, delete only unused ones."""

from __future__ import annotations

import pytest
from helpers import csrf_from, sign_in, small_ladder, small_ladder_as

from app.audit.models import AuditEvent
from app.extensions import db
from app.ladders import store
from app.ladders.models import Ladder


@pytest.fixture
def two(app):
    """The small ladder (the default, saved first) and a second one, "acme"."""
    with app.app_context():
        store.save(small_ladder())
        store.save(small_ladder_as("acme", "Acme"))
        db.session.commit()


def post(client, path: str, **data):
    token = csrf_from(client.get("/admin/ladders/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def audit_kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent.kind).order_by(AuditEvent.id)))


def ladder(app, key: str) -> Ladder:
    with app.app_context():
        found = store.by_key(key)
        db.session.expunge(found)
        return found


def test_the_first_ladder_is_the_default_and_the_list_says_so(app, client, people, two):
    sign_in(client, people.admin)
    page = client.get("/admin/ladders/").get_data(as_text=True)
    assert page.count("Default</span>") == 1 and ladder(app, "small").is_default
    listing = client.get("/ladders/").get_data(as_text=True)
    assert "(acme)" in listing and "(small)" in listing


def test_rename_keeps_the_key_and_is_audited(app, client, people, two):
    sign_in(client, people.admin)
    response = post(client, "/admin/ladders/acme/name", **{"rename-acme-name": "  Acme  2027 "})
    assert response.status_code == 303
    assert ladder(app, "acme").name == "Acme 2027"
    assert "Acme 2027" in client.get("/ladders/acme").get_data(as_text=True)
    assert audit_kinds(app)[-1] == "ladder.renamed"


def test_an_empty_name_is_refused_beside_the_box(app, client, people, two):
    sign_in(client, people.admin)
    response = post(client, "/admin/ladders/acme/name", **{"rename-acme-name": "   "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="rename-acme-name-error"' in html and "A ladder needs a name." in html
    assert ladder(app, "acme").name == "Acme"


def test_a_reimport_keeps_the_name_given_here(app, client, people, two):
    sign_in(client, people.admin)
    post(client, "/admin/ladders/small/name", **{"rename-small-name": "Small (ours)"})
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    assert ladder(app, "small").name == "Small (ours)"


def test_making_another_ladder_the_default_leaves_one_default(app, client, people, two):
    sign_in(client, people.admin)
    assert post(client, "/admin/ladders/acme/default").status_code == 303
    assert ladder(app, "acme").is_default and not ladder(app, "small").is_default
    assert audit_kinds(app)[-1] == "ladder.default"


def test_the_database_holds_a_single_default(app, two):
    with app.app_context():
        store.by_key("acme").is_default = True
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()
        db.session.rollback()


def test_archive_then_restore(app, client, people, two):
    sign_in(client, people.admin)
    assert post(client, "/admin/ladders/acme/archive").status_code == 303
    assert ladder(app, "acme").archived
    assert "Archived" in client.get("/ladders/").get_data(as_text=True)
    page = client.get(f"/people/{people.engineer.id}/ladder").get_data(as_text=True)
    assert 'value="acme"' not in page  # not offered for assignment
    post(client, "/admin/ladders/acme/restore")
    assert not ladder(app, "acme").archived
    assert audit_kinds(app)[-2:] == ["ladder.archived", "ladder.restored"]


def test_the_default_cannot_be_archived(app, client, people, two):
    sign_in(client, people.admin)
    response = post(client, "/admin/ladders/small/archive")
    assert response.status_code == 303 and not ladder(app, "small").archived
    assert "make another ladder the default first" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_a_ladder_in_use_cannot_be_deleted(app, client, people, two):
    engineer = app.test_client()
    sign_in(engineer, people.engineer)
    engineer.get(f"/people/{people.engineer.id}/rubric?ladder=acme")
    sign_in(client, people.admin)
    page = client.get("/admin/ladders/").get_data(as_text=True)
    assert 'action="/admin/ladders/acme/delete"' not in page
    response = post(client, "/admin/ladders/acme/delete", confirm="y")
    assert response.status_code == 303
    assert "used by 1 rubric" in client.get("/admin/ladders/").get_data(as_text=True)
    assert ladder(app, "acme") is not None


def test_an_unused_ladder_is_deleted_once_confirmed(app, client, people, two):
    sign_in(client, people.admin)
    post(client, "/admin/ladders/acme/delete")  # no tick: nothing happens
    with app.app_context():
        assert store.by_key("acme") is not None
    assert post(client, "/admin/ladders/acme/delete", confirm="y").status_code == 303
    with app.app_context():
        assert store.by_key("acme") is None
    assert client.get("/ladders/acme").status_code == 404
    assert audit_kinds(app)[-1] == "ladder.deleted"


@pytest.mark.parametrize("role", ["engineer", "manager"])
def test_only_admins_manage_ladders(app, client, people, two, role):
    sign_in(client, getattr(people, role))
    assert client.get("/admin/ladders/").status_code == 404
    html = client.get("/me", follow_redirects=True).get_data(as_text=True)
    response = client.post("/admin/ladders/acme/archive", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 404 and not ladder(app, "acme").archived
