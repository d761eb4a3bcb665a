"""The admin pages: invite, change role, set manager, deactivate."""

from __future__ import annotations

import re

from helpers import PASSWORD, sign_in
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db


def test_only_admins_see_the_people_page(client, as_role):
    as_role("manager")
    assert client.get("/admin/users").status_code == 404
    assert (
        client.post("/admin/users", data={"email": "x@example.com", "name": "X"}).status_code == 404
    )


def test_admin_invites_an_engineer_who_sets_a_password_and_signs_in(app, client, as_role, people):
    as_role("admin")
    response = client.post(
        "/admin/users",
        data={
            "email": "Newbie@Example.com",
            "name": "Nico Newbie",
            "role": "engineer",
            "manager": str(people.manager.id),
        },
    )
    assert response.status_code == 303  # a reload of the page cannot invite twice
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/invite/[^"]+)"', html).group(1)
    path = link[link.index("/invite/") :]
    client.post("/logout")
    new = app.test_client()
    assert (
        new.post(
            path, data={"password": "nico's passphrase", "confirm": "nico's passphrase"}
        ).status_code
        == 303
    )
    assert new.get("/").headers["Location"] == "/me"
    with app.app_context():
        nico = User.by_email("newbie@example.com")
        assert nico.manager_id == people.manager.id
        assert nico.role == "engineer"


def test_invite_refuses_duplicate_and_bad_email(client, as_role, people):
    as_role("admin")
    dup = client.post(
        "/admin/users", data={"email": "ENGINEER@example.com", "name": "Dup", "role": "engineer"}
    )
    assert dup.status_code == 422
    assert "already exists" in dup.get_data(as_text=True)
    bad = client.post(
        "/admin/users", data={"email": "not-an-email", "name": "Bad", "role": "engineer"}
    )
    assert bad.status_code == 422
    assert "Enter an email address" in bad.get_data(as_text=True)


def test_change_role_and_manager(app, client, as_role, people):
    as_role("admin")
    uid = people.engineer.id
    response = client.post(f"/admin/users/{uid}/role", data={f"r{uid}-role": "manager"})
    assert response.status_code == 303
    response = client.post(
        f"/admin/users/{uid}/manager", data={f"m{uid}-manager": str(people.other_manager.id)}
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, uid)
        assert (user.role, user.manager_id) == ("manager", people.other_manager.id)


def test_a_manager_demoted_to_engineer_loses_their_reports_and_team_page(app, client, people, pair):
    from app.audit.models import AuditEvent

    _, manager, rubric_id, _ = pair
    assert "Eli Engineer" in manager.get("/team").get_data(as_text=True)

    sign_in(client, people.admin)
    mid = people.manager.id
    response = client.post(f"/admin/users/{mid}/role", data={f"r{mid}-role": "engineer"})
    assert response.status_code == 303
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Eli Engineer now report to nobody: choose a new manager" in page
    with app.app_context():
        assert db.session.get(User, people.engineer.id).manager_id is None
        details = [e.detail for e in db.session.scalars(select(AuditEvent))]
        assert "no longer reports to Maya Manager, who is now an engineer" in details
    # The former manager sees neither the team page nor the former report's rubric.
    assert manager.get("/team").status_code == 404
    assert manager.get("/team/overview").status_code == 404
    assert manager.get(f"/rubrics/{rubric_id}").status_code == 404
    assert "Eli Engineer" not in manager.get("/", follow_redirects=True).get_data(as_text=True)


def test_manager_loops_are_refused(app, client, as_role, people):
    as_role("admin")
    mid = people.manager.id
    client.post(f"/admin/users/{mid}/manager", data={f"m{mid}-manager": str(people.engineer.id)})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "cannot report to someone who reports to them" in page
    with app.app_context():
        assert db.session.get(User, mid).manager_id is None


def test_last_admin_cannot_demote_or_deactivate_themselves(app, client, as_role, people):
    as_role("admin")
    aid = people.admin.id
    client.post(f"/admin/users/{aid}/role", data={f"r{aid}-role": "engineer"})
    assert "at least one active admin" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, aid).role == "admin"


def test_deactivation_ends_sessions_and_blocks_sign_in(app, client, as_role, people):
    engineer_client = app.test_client()
    sign_in(engineer_client, people.engineer, remember=True)
    assert engineer_client.get("/account/password").status_code == 200
    as_role("admin")
    assert client.post(f"/admin/users/{people.engineer.id}/deactivate").status_code == 303
    assert engineer_client.get("/account/password").status_code == 302
    again = engineer_client.post(
        "/login", data={"email": people.engineer.email, "password": PASSWORD}
    )
    assert again.status_code == 422
    client.post(f"/admin/users/{people.engineer.id}/reactivate")
    assert sign_in(engineer_client, people.engineer).status_code == 303


def test_wrong_user_ids_are_404(client, as_role):
    as_role("admin")
    assert client.post("/admin/users/999999/deactivate").status_code == 404
    assert (
        client.post("/admin/users/999999/role", data={"r999999-role": "admin"}).status_code == 404
    )


def test_a_new_link_ends_the_older_ones(app, client, as_role, people):
    as_role("admin")
    uid = people.engineer.id
    first = client.post(f"/admin/users/{uid}/invite", follow_redirects=True).get_data(as_text=True)
    old = re.search(r'/invite/([^"]+)"', first).group(1)
    second = client.post(f"/admin/users/{uid}/invite", follow_redirects=True).get_data(as_text=True)
    new = re.search(r'/invite/([^"]+)"', second).group(1)
    assert old != new
    assert client.get(f"/invite/{old}").status_code == 404
    assert client.get(f"/invite/{new}").status_code == 200
