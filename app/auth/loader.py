"""The signed-in user of each request, from a per-worker copy that any account change ends.

Loading the user is the floor of every signed-in request. Each worker keeps the users it
has loaded; a *stamp* file in the instance folder (one per database) is replaced whenever a
transaction that changed a user commits: a new password, a deactivation, a role or
manager, a name. Every request compares the stamp (one ``stat``) with the one its copy was
made under and loads the row again when it moved, so a change made by any worker (or the
command line) counts from the next request everywhere.

The stamp is read before the row, and replaced after the commit: a copy can only be older
than the stamp it carries, never newer. One machine shares one instance folder; an
installation whose workers run on several machines turns the copies off with
``RUNGS_USER_CACHE=false``. A copy is also dropped after ``MAX_AGE`` as a backstop against
changes written with plain SQL, which no stamp sees.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time

from flask import Flask, current_app, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached

from app.auth.models import User
from app.database import intending, write_intent
from app.extensions import db

MAX_AGE = 60.0  # seconds
_CHANGED = "rungs.users_changed"
_EXTENSION = "rungs.user_cache"
_MANAGER = inspect(User).class_manager
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class UserCache:
    """One app's copies of the users its requests loaded, with the stamp they were made under."""

    def __init__(self, stamp_path: str, enabled: bool):
        self.stamp_path = stamp_path
        self.enabled = enabled
        self.copies: dict[int, tuple[object, float, dict]] = {}

    def stamp(self) -> object:
        """Return what identifies the current stamp file (a fresh inode per change)."""
        try:
            found = os.stat(self.stamp_path)
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_mtime_ns, found.st_size)

    def bump(self) -> None:
        """Replace the stamp file, which ends every worker's copies."""
        self.copies.clear()
        temporary = f"{self.stamp_path}.{secrets.token_hex(4)}"
        with open(temporary, "w") as file:
            file.write(secrets.token_hex(8))
        os.replace(temporary, self.stamp_path)


def init_app(app: Flask) -> None:
    """Give the app its user copies and a stamp file of its database."""
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    name = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = os.path.join(app.instance_path, f"users-{name}.stamp")
    app.extensions[_EXTENSION] = UserCache(path, bool(app.config.get("USER_CACHE", True)))


def forget_everyone() -> None:
    """End every worker's copies: for changes no session saw, like a restored backup."""
    current_app.extensions[_EXTENSION].bump()


def load(uid: int, version: int) -> User | None:
    """Return the active user ``uid`` if their session version is ``version``, else None."""
    cache: UserCache = current_app.extensions[_EXTENSION]
    if not cache.enabled:
        return _checked(db.session.get(User, uid), version)
    stamp = cache.stamp()
    found = cache.copies.get(uid)
    if found is not None and found[0] == stamp and time.monotonic() - found[1] < MAX_AGE:
        user = _attached(found[2])
    else:
        user = _read(uid)
        if user is not None:
            cache.copies[uid] = (stamp, time.monotonic(), _values(user))
    return _checked(user, version)


def _read(uid: int) -> User | None:
    """Load a user whose copy is missing or stale.

    A request that may write reads them in a read transaction of its own, if none is
    begun yet: its writes then begin with its own work, and on SQLite it takes the
    writers' turn only when it needs it (a rating click reads before it takes it).
    """
    if not write_intent.get() or db.session().in_transaction():
        return db.session.get(User, uid)
    with intending(write=False):
        user = db.session.get(User, uid)
    db.session.commit()
    return user


def _checked(user: User | None, version: int) -> User | None:
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def _values(user: User) -> dict:
    return {column.key: getattr(user, column.key) for column in inspect(User).column_attrs}


def _attached(values: dict) -> User:
    """Return a copy of the user as if loaded, without a query.

    A request that may write gets it in its session, so changes to it are saved and its
    relationships load. A GET changes nothing (a rule of the house), so it gets the copy
    detached: opening a session for it would cost a request that needs no database more
    than all the rest of its work. Its columns read as usual; its relationships raise
    DetachedInstanceError, loudly, should a GET ever ask for them.
    """
    if request.method in _READS:
        return _copy(values)
    user = db.session.identity_map.get((User, (values["id"],), None))
    if user is not None:
        return user
    user = _copy(values)
    db.session.add(user)
    return user


def _copy(values: dict) -> User:
    # Filled in like a loaded row (not through the constructor and its attribute events):
    # half the cost, and the values count as the committed state; with its identity set,
    # a session it is added to updates the row rather than inserting another.
    user = _MANAGER.new_instance()
    user.__dict__.update(values)
    make_transient_to_detached(user)
    return user


# Which transactions changed a user: flagged as they flush or run, stamped once committed.


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    if any(isinstance(o, User) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and _touches_users(state):
        state.session.info[_CHANGED] = True


def _touches_users(state: ORMExecuteState) -> bool:
    table = getattr(state.statement, "table", None)
    return getattr(table, "name", None) == User.__tablename__


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        try:
            cache = current_app.extensions[_EXTENSION]
        except (RuntimeError, KeyError):
            return  # outside an app (scripts on the models): nothing cached here
        cache.bump()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)
