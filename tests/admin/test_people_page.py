"""The people page: one Save per row, who has not signed in yet, and the invitation link."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Invitation, User
from app.extensions import db


def row_of(html: str, name: str) -> str:
    """The HTML of one person's row."""
    match = re.search(rf'<tr>\s*<th scope="row">{name}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def person(app, user_id: int) -> User:
    with app.app_context():
        return db.session.get(User, user_id)


def test_one_button_saves_role_and_manager(app, client, as_role, people):
    as_role("admin")
    uid = people.engineer.id
    html = client.get("/admin/users").get_data(as_text=True)
    row = row_of(html, "Eli Engineer")
    assert row.count('type="submit"') == 3  # Save, Deactivate, New link
    assert row.count(f'form="person-{uid}"') == 2 and f'id="person-{uid}"' in row
    answer = client.post(
        f"/admin/users/{uid}",
        data={f"p{uid}-role": "manager", f"p{uid}-manager": str(people.other_manager.id)},
    )
    assert answer.status_code == 303
    saved = person(app, uid)
    assert (saved.role, saved.manager_id) == ("manager", people.other_manager.id)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Eli Engineer is now manager and reports to Omar Other." in page
    with app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
    assert kinds[-2:] == ["account.role", "account.manager"]


def test_saving_an_unchanged_row_changes_nothing(app, client, as_role, people):
    as_role("admin")
    uid = people.engineer.id
    data = {f"p{uid}-role": "engineer", f"p{uid}-manager": str(people.manager.id)}
    assert client.post(f"/admin/users/{uid}", data=data).status_code == 303
    assert "Nothing to change for Eli Engineer." in client.get("/admin/users").get_data(
        as_text=True
    )
    with app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind)).all()
    assert not [kind for kind in kinds if kind.startswith("account.")]


def test_an_engineer_cannot_be_chosen_as_manager(app, client, as_role, people):
    as_role("admin")
    uid = people.manager.id
    data = {f"p{uid}-role": "manager", f"p{uid}-manager": str(people.engineer.id)}
    client.post(f"/admin/users/{uid}", data=data)
    assert "Eli Engineer is not a manager" in client.get("/admin/users").get_data(as_text=True)
    assert person(app, uid).manager_id is None


def test_a_refused_role_saves_no_manager_either(app, client, as_role, people):
    as_role("admin")
    aid = people.admin.id  # the only admin
    data = {f"p{aid}-role": "engineer", f"p{aid}-manager": str(people.manager.id)}
    client.post(f"/admin/users/{aid}", data=data)
    saved = person(app, aid)
    assert (saved.role, saved.manager_id) == ("admin", None)


def test_invited_people_are_shown_as_not_signed_in_yet(app, client, as_role, people):
    as_role("admin")
    client.post(
        "/admin/users", data={"email": "nico@example.com", "name": "Nico", "role": "engineer"}
    )
    with app.app_context():
        sso = User(email="sso@example.com", name="Sam Sso", oidc_issuer="i", oidc_subject="s")
        db.session.add(sso)
        db.session.commit()
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Invited, not signed in yet" in row_of(html, "Nico")
    assert "Active" in row_of(html, "Sam Sso") and "Invited" not in row_of(html, "Sam Sso")
    assert "Invited" not in row_of(html, "Eli Engineer")


def test_the_admins_own_row_offers_no_new_link(app, client, as_role, people):
    as_role("admin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "New link" not in row_of(html, "Ada Admin")
    assert "New link" in row_of(html, "Maya Manager")
    assert client.post(f"/admin/users/{people.admin.id}/invite").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_invitation_link_has_a_copy_button_for_scripts_and_a_live_status(client, as_role):
    as_role("admin")
    answer = client.post(
        "/admin/users", data={"email": "nico@example.com", "name": "Nico", "role": "engineer"}
    )
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert '<input id="invite-link" type="text" readonly value="http' in html
    # Hidden until rungs.js finds a clipboard: without JS, the box is there to copy from.
    assert '<button type="button" class="small" data-copy="invite-link" hidden>' in html
    assert '<p class="hint" id="invite-link-status" aria-live="polite"></p>' in html
