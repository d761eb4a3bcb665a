"""Live updates by polling: who else has a rubric open, refreshed by their page's poll."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import session
from sqlalchemy import select

from app.auth.models import User
from app.clock import utcnow
from app.database import upsert
from app.extensions import db
from app.rubric.models import Presence

PRESENCE_WINDOW = timedelta(seconds=20)  # polls come every 2 s; 20 s covers a hiccup
HEARTBEAT = timedelta(seconds=8)  # how often a viewer's presence is written


def heartbeat_due(rubric_id: int) -> bool:
    """Tell whether this browser should refresh its presence (kept in its own session)."""
    last = session.get("seen", {}).get(str(rubric_id))
    return last is None or utcnow().timestamp() - last > HEARTBEAT.total_seconds()


def touch(rubric_id: int, user_id: int) -> None:
    """Record that a user has the rubric open now."""
    now = utcnow()
    # upsert's statement is built once; an on_conflict_do_update construct compiles anew
    # on every call, which cost the heartbeat more than its write.
    row = {"rubric_id": rubric_id, "user_id": user_id, "seen_at": now}
    upsert(db.session, Presence, ("rubric_id", "user_id"), [row])
    seen = dict(session.get("seen", {}))
    seen[str(rubric_id)] = now.timestamp()
    session["seen"] = dict(list(seen.items())[-20:])  # keep the cookie small


def window_start():
    """The moment after which a poll counts as "has the rubric open"."""
    return utcnow() - PRESENCE_WINDOW


def named(user_ids: Iterable[int], known: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Name the people who are here (ids from the poll's or the page's query), by name.

    ``known`` names some people already (the owner and their manager, who are nearly always
    the ones here); only someone else costs a query.
    """
    names = dict(known)
    unknown = [uid for uid in user_ids if uid not in names]
    if unknown:
        names |= dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(unknown))).all()
        )
    return sorted(((uid, names[uid]) for uid in user_ids if uid in names), key=lambda p: p[1])


def seen_key(user_ids: Iterable[int]) -> str:
    """A short text naming who is here, sent back by the poller to detect arrivals.

    Ordered by id, so a poll can compare it with the ids alone, without the names.
    """
    return ".".join(str(uid) for uid in sorted(user_ids))


def presence_text(people: list[tuple[int, str]]) -> str:
    """Say who else is here: "Alex is here", "Alex and Sam are here"."""
    names = [name for _, name in people]
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} is here"
    return f"{', '.join(names[:-1])} and {names[-1]} are here"
