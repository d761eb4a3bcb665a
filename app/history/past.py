"""The rubric as it stood on a past day, rebuilt from its history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.history.events import Kind
from app.history.models import Event
from app.ladders import store, versions
from app.rubric import page
from app.rubric.queries import OwnedRubric, RatingRow


def replay(events_oldest_first: list[Event]) -> tuple[dict[int, RatingRow], dict]:
    """Rebuild ratings, focus, evidence counts, track and target from events."""
    rows: dict[int, dict] = {}
    settings: dict = {}
    for e in events_oldest_first:
        kind = Kind(e.kind)
        after = e.after or {}
        if kind is Kind.SETTINGS:
            settings = after
            continue
        if not e.competency_id:
            continue
        row = rows.setdefault(
            e.competency_id, {"self": None, "manager": None, "count": 0, "focus": False}
        )
        if kind.side is not None:
            row[kind.side.value] = after.get("step")
        elif kind is Kind.FOCUS:
            row["focus"] = bool(after.get("focus"))
        elif kind is Kind.EVIDENCE_ADDED and not after.get("private"):
            row["count"] += 1
        elif kind is Kind.EVIDENCE_DELETED and not (e.before or {}).get("private"):
            row["count"] = max(0, row["count"] - 1)
        elif kind is Kind.EVIDENCE_EDITED:
            was, now = bool((e.before or {}).get("private")), bool(after.get("private"))
            row["count"] += (was and not now) - (now and not was)
    return (
        {
            cid: RatingRow(r["self"], r["manager"], r["count"], r["focus"])
            for cid, r in rows.items()
        },
        settings,
    )


def as_of(owned: OwnedRubric, day: date) -> page.RubricPage:
    """Rebuild the rubric as it stood at the end of a day, read-only."""
    end = datetime.combine(day + timedelta(days=1), time.min)
    events = db.session.scalars(
        select(Event).where(Event.rubric_id == owned.id, Event.created_at < end).order_by(Event.id)
    ).all()
    rows, settings = replay(list(events))
    if not settings:
        # The track and target of that day, if they changed since.
        later = db.session.scalars(
            select(Event)
            .where(
                Event.rubric_id == owned.id,
                Event.kind == Kind.SETTINGS,
                Event.created_at >= end,
            )
            .order_by(Event.id)
        ).first()
        settings = later.before if later is not None else {}
    return page.build(
        owned,
        None,
        rows,
        since=events[-1].id if events else 0,
        track_key=settings.get("track"),
        target_key=settings.get("target"),
        as_of=day,
        stored=ladder_then(owned, end),
    )


def ladder_then(owned: OwnedRubric, end: datetime) -> store.StoredLadder | None:
    """The ladder version in force at a moment, when it is not the live one (else None)."""
    if not owned.ladder_version or owned.ladder_version < 2:
        return None
    kept = versions.in_force(owned.ladder, end)
    if kept is None or kept.number == owned.ladder_version:
        return None
    return store.of_version(
        owned.ladder, versions.spec_of(kept.text, owned.ladder.key), kept.number
    )
