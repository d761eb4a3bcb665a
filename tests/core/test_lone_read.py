"""A read run alone: one statement, outside any transaction, and the pool left as it was."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.exc import DBAPIError

from app.auth.models import User
from app.database import LoneRead
from app.extensions import db

NEWEST = LoneRead(
    lambda: select(func.count(User.id), func.max(User.name)).where(
        User.created_at > bindparam("after", type_=User.created_at.type)
    )
)
NOBODY = LoneRead(lambda: select(User.id).where(User.id == bindparam("user_id")))
BROKEN = LoneRead(lambda: select(func.no_such_function(bindparam("x"))))


@pytest.fixture
def checked_in(app):
    """What each connection is like when it goes back to the pool: autocommit, in a transaction."""
    with app.app_context():
        engine = db.engine
    states = []

    def checkin(dbapi_connection, _record):
        states.append(
            (
                getattr(dbapi_connection, "autocommit", False),
                dbapi_connection.info.transaction_status,
            )
            if engine.dialect.name == "postgresql"
            else (dbapi_connection.isolation_level, dbapi_connection.in_transaction)
        )

    event.listen(engine.pool, "checkin", checkin)
    yield states
    event.remove(engine.pool, "checkin", checkin)


def idle(app) -> tuple:
    """A pooled connection's state between requests: transactions begin when asked."""
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        from psycopg.pq import TransactionStatus

        return (False, TransactionStatus.IDLE)
    return (None, False)  # SQLite: SQLAlchemy's "begin" event starts each transaction


def test_a_lone_read_returns_its_row(app, people):
    with app.app_context():
        found = NEWEST.first(db.engine, after=datetime(2000, 1, 1))
        none_after = NEWEST.first(db.engine, after=datetime.now() + timedelta(days=1))
    assert found == (5, "Omar Other")
    assert none_after == (0, None)


def test_a_lone_read_sends_parameters_as_their_column_stores_them(app, people):
    # SQLite compares stored text: a time on the second must be written as the column
    # writes it ("...00.000000"), or it would count as after itself.
    moment = datetime(2030, 1, 1)
    with app.app_context():
        db.session.execute(update(User).where(User.id == people.admin.id).values(created_at=moment))
        db.session.commit()
        assert NEWEST.first(db.engine, after=moment) == (0, None)
        assert NEWEST.first(db.engine, after=moment - timedelta(microseconds=1))[0] == 1


def test_a_lone_read_without_a_row_returns_none(app, people):
    with app.app_context():
        assert NOBODY.first(db.engine, user_id=10**6) is None


def test_a_lone_read_leaves_its_connection_idle(app, people, checked_in):
    with app.app_context():
        NOBODY.first(db.engine, user_id=people.engineer.id)
    assert checked_in == [idle(app)]


def test_a_failed_lone_read_raises_and_leaves_its_connection_idle(app, checked_in):
    with app.app_context(), pytest.raises(DBAPIError):
        BROKEN.first(db.engine, x=1)
    assert checked_in == [idle(app)]


def test_a_lone_read_is_heard_by_statement_listeners(app, people):
    """The bench and the tests count statements with SQLAlchemy's cursor event."""
    from helpers import counting_sql

    with counting_sql(app) as counter, app.app_context():
        NOBODY.first(db.engine, user_id=people.engineer.id)
    assert len(counter.statements) == 1 and "FROM users" in counter.statements[0]


def test_a_lone_read_on_a_lost_connection_leaves_it_out_of_the_pool(app, people):
    """The server ended the pooled connection: that read fails, the next one connects anew."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            pytest.skip("a server ends a client's connection on PostgreSQL")
        # Two pooled connections: the first goes back to the pool after the server ended it.
        doomed, other = engine.connect(), engine.connect()
        pid = doomed.connection.driver_connection.info.backend_pid
        other.execute(select(func.pg_terminate_backend(pid)))
        other.commit()
        doomed.close()
        other.close()
        with pytest.raises(DBAPIError) as lost:
            NOBODY.first(engine, user_id=people.engineer.id)
        assert lost.value.connection_invalidated
        assert NOBODY.first(engine, user_id=people.engineer.id) == (people.engineer.id,)
