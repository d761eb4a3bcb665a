"""The signed-in user comes from a per-worker copy, which any account change ends everywhere.

Two apps on one database stand for two gunicorn workers: a change made through one is
seen by the other's next request.
"""

from __future__ import annotations

import pytest
from helpers import counting_sql, sign_in

from app.auth import accounts, loader, passwords
from app.auth.models import Role, User
from app.extensions import db


@pytest.fixture
def workers(make_app, people):
    """Two apps on the same database and instance folder: (serving, changing)."""
    return make_app(), make_app()


def change(app, user_id: int, how: str) -> None:
    """Change an account through the other worker, as its views and commands do."""
    with app.app_context():
        user = db.session.get(User, user_id)
        if how == "password":
            user.password_hash = passwords.hash_password("a brand new password, long enough")
            user.end_sessions()
        elif how == "deactivation":
            accounts.deactivate(user)
        elif how == "role":
            accounts.set_role(user, Role.MANAGER)
        db.session.commit()


def test_a_signed_in_request_loads_no_user_row_once_copied(workers, people):
    serving, _ = workers
    client = serving.test_client()
    sign_in(client, people.admin)
    assert client.get("/account").status_code == 200  # copies the user
    with counting_sql(serving) as counter:
        assert client.get("/account").status_code == 200
    assert not any("FROM users" in s for s in counter.statements), counter.statements


def test_without_the_copies_each_request_loads_the_user(make_app, people):
    app = make_app(USER_CACHE=False)
    client = app.test_client()
    sign_in(client, people.admin)
    client.get("/account")
    with counting_sql(app) as counter:
        assert client.get("/account").status_code == 200
    assert any("FROM users" in s for s in counter.statements), counter.statements


@pytest.mark.parametrize("how", ["password", "deactivation"])
def test_ending_an_account_or_its_sessions_signs_out_on_every_worker(workers, people, how):
    serving, changing = workers
    client = serving.test_client()
    sign_in(client, people.admin if how == "password" else people.manager)
    assert client.get("/account").status_code == 200
    change(changing, (people.admin if how == "password" else people.manager).id, how)
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_role_change_counts_from_the_next_request_on_every_worker(workers, people):
    serving, changing = workers
    with changing.app_context():
        # A second admin, so the first may stop being one.
        accounts.set_role(db.session.get(User, people.manager.id), Role.ADMIN)
        db.session.commit()
    client = serving.test_client()
    sign_in(client, people.admin)
    assert client.get("/admin/users").status_code == 200
    change(changing, people.admin.id, "role")
    assert client.get("/admin/users").status_code == 404  # no longer an admin


def test_a_restored_backup_ends_every_workers_copies(workers, people):
    """flask restore calls forget_everyone: rows it brings back count on the next request."""
    serving, changing = workers
    client = serving.test_client()
    sign_in(client, people.admin)
    assert client.get("/account").status_code == 200
    with changing.app_context():
        # As a restore does: the rows change under every session, then the copies end.
        db.session.connection().execute(
            db.update(User).where(User.id == people.admin.id).values(active=False)
        )
        db.session.connection().commit()
        loader.forget_everyone()
    assert client.get("/account").status_code == 302


def test_a_write_loading_a_user_afresh_takes_the_writers_turn_only_for_its_writes(pair):
    """On SQLite a rating click reads before it takes the writers' turn: loading its user
    afresh must not take it first (and hold it over the click's read)."""
    from helpers import rate, round_trips

    engineer, _, rubric_id, ids = pair
    app = engineer.application
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the writers' turn is SQLite's BEGIN IMMEDIATE")
        loader.forget_everyone()
    with round_trips(app) as trips:
        assert rate(engineer, rubric_id, ids["code-junior-1"], "sometimes").status_code == 200
    user = next(n for n, t in enumerate(trips) if "FROM users" in t)
    click = next(n for n, t in enumerate(trips) if "FROM rubrics" in t)
    turn = next(n for n, t in enumerate(trips) if t.startswith("BEGIN IMMEDIATE"))
    assert user < click < turn, trips
