"""Reading a rubric's history: describing events, filtering them, and replaying the past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.ladders.store import StoredLadder
from app.rubric.models import Event
from app.rubric.service import RatingRow

KINDS = {
    "rating": "Ratings",
    "evidence": "Evidence",
    "focus": "Focus",
    "settings": "Track and target",
    "notes": "1:1 notes",
    "signoff": "Sign-off",
}


@dataclass(frozen=True)
class Entry:
    """One event as people read it."""

    event: Event
    who: str
    text: str
    category: str | None


def visible(event: Event, viewer_id: int) -> bool:
    """Private notes show in history only to their author."""
    snapshot = event.after or event.before or {}
    return (
        not (isinstance(snapshot, dict) and snapshot.get("private")) or event.actor_id == viewer_id
    )


def load(
    rubric_id: int,
    *,
    viewer_id: int,
    person: int | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int | None = None,
    upto_id: int | None = None,
    competency_ids: list[int] | None = None,
    before_id: int | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Return the events of a rubric matching the filters, newest first."""
    query = select(Event).where(Event.rubric_id == rubric_id)
    if competency_ids is not None:
        query = query.where(Event.competency_id.in_(competency_ids))
    if before_id is not None:
        query = query.where(Event.id < before_id)
    if person:
        query = query.where(Event.actor_id == person)
    if kind in KINDS:
        query = query.where(Event.kind.startswith(kind))
    if since:
        query = query.where(Event.created_at >= since)
    if until:
        query = query.where(Event.created_at < until)
    if after_id is not None:
        query = query.where(Event.id > after_id)
    if upto_id is not None:
        query = query.where(Event.id <= upto_id)
    events = db.session.scalars(query.order_by(Event.id.desc()).limit(limit)).all()
    return [e for e in events if visible(e, viewer_id)]


def names(events: list[Event]) -> dict[int, str]:
    """Look up the names of everyone who acted in these events, in one query."""
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def describe(events: list[Event], stored: StoredLadder, owner_id: int) -> list[Entry]:
    """Turn events into sentences: "Maya rated 'Writes tests' (manager): Sometimes -> Yes"."""
    who = names(events)
    labels = {s.key: s.label for s in stored.spec.scale}
    categories = {c.key: c.name for c in stored.spec.categories}
    entries = []
    for e in events:
        key = stored.competency_keys.get(e.competency_id) if e.competency_id else None
        competency = stored.competencies.get(key) if key else None
        title = f"“{competency.title}”" if competency else "a competency no longer on the ladder"
        before, after = e.before or {}, e.after or {}
        if e.kind.startswith("rating."):
            side = "own rating" if e.kind == "rating.self" else "manager rating"
            text = (
                f"changed the {side} of {title} from {labels.get(before.get('step'), 'none')} "
                f"to {labels.get(after.get('step'), after.get('step'))}"
            )
        elif e.kind == "evidence.added":
            text = f"added {'a private note' if after.get('private') else 'evidence'} to {title}"
        elif e.kind == "evidence.edited":
            text = f"edited evidence on {title}"
        elif e.kind == "evidence.deleted":
            text = f"deleted evidence from {title}"
        elif e.kind == "focus":
            text = f"{'started' if after.get('focus') else 'stopped'} focusing on {title}"
        elif e.kind == "settings":
            text = (
                f"set the track to {after.get('track')} and the target to "
                f"{after.get('target') or 'the next level'}"
            )
        elif e.kind == "notes":
            text = "updated the 1:1 notes"
        elif e.kind.startswith("meeting."):
            text = "started a 1:1" if e.kind == "meeting.started" else "ended a 1:1"
        elif e.kind == "signoff":
            text = f"signed off the promotion packet for {after.get('target')}"
        else:
            text = e.kind
        category = categories.get(competency.category) if competency else None
        entries.append(Entry(e, who.get(e.actor_id, "Someone"), text, category))
    return entries


def replay(events_oldest_first: list[Event]) -> tuple[dict[int, RatingRow], dict]:
    """Rebuild ratings, focus, evidence counts, track and target from events."""
    rows: dict[int, dict] = {}
    settings: dict = {}
    for e in events_oldest_first:
        cid = e.competency_id
        after = e.after or {}
        row = (
            rows.setdefault(cid, {"self": None, "manager": None, "count": 0, "focus": False})
            if cid
            else None
        )
        if e.kind == "rating.self":
            row["self"] = after.get("step")
        elif e.kind == "rating.manager":
            row["manager"] = after.get("step")
        elif e.kind == "focus":
            row["focus"] = bool(after.get("focus"))
        elif e.kind == "evidence.added" and not after.get("private"):
            row["count"] += 1
        elif e.kind == "evidence.deleted" and not (e.before or {}).get("private"):
            row["count"] = max(0, row["count"] - 1)
        elif e.kind == "evidence.edited":
            was, now = bool((e.before or {}).get("private")), bool(after.get("private"))
            row["count"] += (was and not now) - (now and not was)
        elif e.kind == "settings":
            settings = after
    return (
        {
            cid: RatingRow(r["self"], r["manager"], r["count"], r["focus"])
            for cid, r in rows.items()
        },
        settings,
    )
