"""One-time links work once, also for requests sent at the same moment."""

from __future__ import annotations

import threading

from helpers import sign_in
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Invitation, Role, User
from app.extensions import db

AT_ONCE = 4
NEW_PASSWORD = "my own passphrase"


def at_once(app, send) -> list[int]:
    """Call send(client, n) from AT_ONCE threads released together; return the statuses."""
    start = threading.Barrier(AT_ONCE)
    statuses: list[int] = []

    def run(n: int) -> None:
        client = app.test_client()
        start.wait()
        statuses.append(send(client, n).status_code)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def count(app, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where))


def invited(app) -> str:
    with app.app_context():
        user = User(email="nia@example.com", name="Nia New", role=Role.ENGINEER)
        db.session.add(user)
        token = Invitation.issue("invite", user=user, days=7)
        db.session.commit()
    return token


def test_an_invitation_sent_four_times_at_once_is_accepted_once(app, people):
    token = invited(app)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    statuses = at_once(app, lambda client, _: client.post(f"/invite/{token}", data=data))
    assert statuses == [303] + [404] * (AT_ONCE - 1)
    assert count(app, AuditEvent.kind == "invitation.accepted") == 1


def test_the_setup_link_sent_four_times_at_once_makes_one_admin(app, runner):
    url = runner.invoke(args=["setup-url"]).output.strip().split()[-1]
    path = url[url.index("/setup/") :]

    def setup(client, n):
        data = {
            "name": f"Admin {n}",
            "email": f"admin{n}@example.com",
            "password": "admin passphrase",
            "confirm": "admin passphrase",
        }
        return client.post(path, data=data)

    statuses = at_once(app, setup)
    assert statuses == [303] + [404] * (AT_ONCE - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_two_setup_links_used_at_once_make_one_admin(app, runner):
    paths = []
    for _ in range(2):
        url = runner.invoke(args=["setup-url"]).output.strip().split()[-1]
        paths.append(url[url.index("/setup/") :])

    def setup(client, n):
        data = {
            "name": f"Admin {n}",
            "email": f"admin{n}@example.com",
            "password": "admin passphrase",
            "confirm": "admin passphrase",
        }
        return client.post(paths[n % 2], data=data)

    assert at_once(app, setup) == [303] + [404] * (AT_ONCE - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_sign_outs_at_once_each_end_the_sessions(app, people):
    """Every sign-out ends the sessions issued before it: no bump of the version is lost."""
    with app.app_context():
        before = db.session.get(User, people.engineer.id).session_version
    clients = [app.test_client() for _ in range(AT_ONCE)]
    for client in clients:
        sign_in(client, people.engineer)
    statuses = at_once(app, lambda _, n: clients[n].post("/logout"))
    # A sign-out that comes after another one finds its session already over (302).
    signed_out = statuses.count(303)
    assert signed_out >= 1 and set(statuses) <= {302, 303}
    with app.app_context():
        assert db.session.get(User, people.engineer.id).session_version == before + signed_out


def test_deactivation_ends_invitation_links_for_good(app, client, people):
    token = invited(app)
    sign_in(client, people.admin)
    with app.app_context():
        nia = User.by_email("nia@example.com")
    assert client.post(f"/admin/users/{nia.id}/deactivate").status_code == 303
    assert client.post(f"/admin/users/{nia.id}/reactivate").status_code == 303
    client.post("/logout")
    page = client.get(f"/invite/{token}")
    assert page.status_code == 404
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(f"/invite/{token}", data=data).status_code == 404
    assert (
        client.post(
            "/login", data={"email": "nia@example.com", "password": NEW_PASSWORD}
        ).status_code
        == 422
    )


def test_cli_deactivation_ends_invitation_links_too(app, client, runner, people):
    token = invited(app)
    assert runner.invoke(args=["users", "deactivate", "nia@example.com"]).exit_code == 0
    with app.app_context():
        db.session.get(User, User.by_email("nia@example.com").id).active = True
        db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404
