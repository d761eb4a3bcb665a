"""Reading a rubric's history: filtering its events and telling them in sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.history.events import GROUPS, Kind, kinds_in
from app.history.models import Event
from app.ladders.spec import LadderSpec, Scale
from app.ladders.store import StoredLadder
from app.rubric.side import Side


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
    if kind in GROUPS:
        query = query.where(Event.kind.in_(kinds_in(kind)))
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


def describe(events: list[Event], stored: StoredLadder) -> list[Entry]:
    """Turn events into sentences: "Maya rated “Writes tests” Consistently (was Sometimes)"."""
    who = names(events)
    categories = {c.key: c.name for c in stored.spec.categories}
    entries = []
    for e in events:
        key = stored.competency_keys.get(e.competency_id) if e.competency_id else None
        competency = stored.competencies.get(key) if key else None
        title = f"“{competency.title}”" if competency else "a competency no longer on the ladder"
        before, after = e.before or {}, e.after or {}
        text = _sentence(Kind(e.kind), before, after, title, stored.spec)
        category = categories.get(competency.category) if competency else None
        entries.append(Entry(e, who.get(e.actor_id, "Someone"), text, category))
    return entries


def _sentence(kind: Kind, before: dict, after: dict, title: str, spec: LadderSpec) -> str:
    """Say what one event did, after the actor's name, with names rather than keys."""
    if kind.side is not None:
        return _rating(kind.side, before.get("step"), after.get("step"), title, spec.scale)
    if kind is Kind.RATING_CONFIRMED:
        whose = " as manager" if after.get("side") == Side.MANAGER.value else ""
        return f"kept the rating{whose} of {title} after its wording changed"
    if kind is Kind.EVIDENCE_ADDED:
        return f"added {'a private note' if after.get('private') else 'evidence'} to {title}"
    if kind is Kind.EVIDENCE_EDITED:
        return f"edited evidence on {title}"
    if kind is Kind.EVIDENCE_DELETED:
        return f"deleted evidence from {title}"
    if kind is Kind.FOCUS:
        return f"{'started' if after.get('focus') else 'stopped'} focusing on {title}"
    if kind is Kind.SETTINGS:
        return _settings(before, after, spec)
    if kind is Kind.NOTES:
        if after.get("restored"):
            return f"restored revision {after['restored']} of the 1:1 notes"
        number = after.get("revision")
        return f"saved revision {number} of the 1:1 notes" if number else "updated the 1:1 notes"
    if kind is Kind.MEETING_STARTED:
        return "started a 1:1"
    if kind is Kind.MEETING_ENDED:
        return "ended a 1:1"
    if kind is Kind.MEETING_REOPENED:
        return "reopened the 1:1 ended earlier today"
    if kind is Kind.MEETING_SCHEDULED:
        day = after.get("day")
        return f"scheduled the next 1:1 for {_day(day)}" if day else "cleared the next 1:1"
    if kind is Kind.AGENDA_ADDED:
        return f"added “{after.get('text')}” to the 1:1 agenda"
    if kind is Kind.AGENDA_EDITED:
        return f"changed “{before.get('text')}” to “{after.get('text')}” on the 1:1 agenda"
    if kind is Kind.AGENDA_DELETED:
        return f"took “{before.get('text')}” off the 1:1 agenda"
    if kind is Kind.AGENDA_DONE:
        done = "ticked off" if after.get("done") else "reopened"
        return f"{done} “{after.get('text')}” on the 1:1 agenda"
    if kind is Kind.ACTION_ADDED:
        return f"added the action item “{after.get('text')}”"
    if kind is Kind.ACTION_DONE:
        done = "marked" if after.get("done") else "reopened"
        return f"{done} the action item “{after.get('text')}”{' done' if after.get('done') else ''}"
    level = _level(spec, after.get("target"))
    if kind is Kind.SIGNOFF_WITHDRAWN:
        return f"withdrew the sign-off of the promotion packet for {level}"
    still_open = after.get("open")
    if still_open:
        return (
            f"signed off the promotion packet for {level} with {still_open} "
            f"competenc{'y' if still_open == 1 else 'ies'} still open"
        )
    return f"signed off the promotion packet for {level}"


def _rating(side: Side, was: str | None, now: str | None, title: str, scale: Scale) -> str:
    """Say a rating: "rated “Writes tests” Consistently (was Sometimes)", "as manager"."""
    whose = "" if side is Side.SELF else " as manager"
    earlier = f" (was {_step(scale, was)})" if was else ""
    if not now:
        return f"cleared the rating{whose} of {title}{earlier}"
    return f"rated {title} {_step(scale, now)}{whose}{earlier}"


def _settings(before: dict, after: dict, spec: LadderSpec) -> str:
    """Say a settings change: "set the track to Individual contributor and the target to ..."."""
    track = spec.track(after.get("track"))
    track_name = track.name if track else after.get("track")
    target = _level(spec, after.get("target")) if after.get("target") else "the next level"
    if before and before.get("track") == after.get("track"):
        return f"set the target to {target}"
    if before and before.get("target") == after.get("target") and after.get("target"):
        return f"set the track to {track_name}"
    return f"set the track to {track_name} and the target to {target}"


def _day(iso: str) -> str:
    """Say a stored ISO day as people read it: "Mon 7 Dec 2026"."""
    try:
        return f"{date.fromisoformat(iso):%a %-d %b %Y}"
    except ValueError:
        return iso


def _level(spec: LadderSpec, key: str | None) -> str:
    """Name a level; one the ladder no longer has keeps its key."""
    return next((level.name for level in spec.levels if level.key == key), key or "a level")


def _step(scale: Scale, key: str) -> str:
    """Name a step of the scale; a step the ladder no longer has keeps its key."""
    return scale.label(key) if scale.has(key) else key
