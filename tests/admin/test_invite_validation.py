"""The server refuses what the invite form would not send (ASVS V2.2)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db

# V2.2: validation on the server ------------------------------------------------------


def test_server_refuses_what_the_form_would_not_send(app, client, as_role):
    as_role("admin")
    too_long = {"email": "long@example.com", "name": "x" * 121, "role": "engineer", "manager": ""}
    bad_role = {"email": "role@example.com", "name": "Rolf", "role": "superuser", "manager": ""}
    bad_manager = {"email": "mgr@example.com", "name": "Mia", "role": "engineer", "manager": "x"}
    for data in (too_long, bad_role, bad_manager):
        assert client.post("/admin/users", data=data).status_code == 422, data
    with app.app_context():
        emails = db.session.scalars(select(User.email)).all()
    assert not {"long@example.com", "role@example.com", "mgr@example.com"} & set(emails)
